"""Revocation reads at the gate: one eventually consistent batch read of the token's two copies; a strong re-read
only when it finds an entry that does not refuse the token (the copy may lag a repeat revocation), so a stale
copy never lets a revoked token through, and the rush pays half a read unit per copy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sanmenxia.healthcode.revocation_store import RevocationStore, TokenReads
from sanmenxia.healthcode.revocations import refusal
from sanmenxia.healthcode.tokens import VerifiedCode
from sanmenxia.holds import CodeColor
from sanmenxia.people import PeopleRegistry

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
TOKEN = VerifiedCode("p-1", CodeColor.GREEN, NOW - timedelta(minutes=2), NOW + timedelta(minutes=3), "kid-1")


def person_entry(before: datetime) -> dict[str, Any]:
    return {
        "person_id": {"S": "_revoked#p-1"},
        "sk": {"S": "person#p-1"},
        "before": {"N": str(int(before.timestamp()))},
        "revoked_at": {"S": before.isoformat()},
    }


class Batches:
    def __init__(self, answers: list[list[dict[str, Any]]]) -> None:
        self.answers = answers
        self.consistent: list[bool] = []

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        (table, spec), *_ = RequestItems.items()
        self.consistent.append(bool(spec.get("ConsistentRead")))
        return {"Responses": {table: self.answers.pop(0)}}


def test_no_revocation_costs_one_eventually_consistent_read() -> None:
    client = Batches([[]])
    assert RevocationStore(client, "Codes").for_token(TOKEN, NOW) == []  # type: ignore[arg-type]
    assert client.consistent == [False]


def test_a_refusing_entry_needs_no_second_read() -> None:
    client = Batches([[person_entry(NOW - timedelta(minutes=1))]])
    found = RevocationStore(client, "Codes").for_token(TOKEN, NOW)  # type: ignore[arg-type]
    assert refusal(found, TOKEN, NOW) == "revoked"
    assert client.consistent == [False]


def test_a_stale_copy_that_would_let_the_token_pass_is_read_again_strongly() -> None:
    # The copy still holds an earlier revocation (before the token was issued); a repeat moved it on a moment ago.
    client = Batches([[person_entry(NOW - timedelta(minutes=10))], [person_entry(NOW - timedelta(seconds=1))]])
    found = RevocationStore(client, "Codes").for_token(TOKEN, NOW)  # type: ignore[arg-type]
    assert refusal(found, TOKEN, NOW) == "revoked"
    assert client.consistent == [False, True]


class Registry:
    """The two tables a QR scan reads after its token verified: one batch for both, a strong re-read on a miss."""

    def __init__(self, batch: dict[str, list[dict[str, Any]]], strong_person: dict[str, Any] | None) -> None:
        self.batch = batch
        self.strong_person = strong_person
        self.calls: list[str] = []

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        self.calls.append("BatchGetItem " + " ".join(sorted(RequestItems)))
        return {"Responses": {table: self.batch.get(table, []) for table in RequestItems}}

    def get_item(self, ConsistentRead: bool, **_: Any) -> dict[str, Any]:
        self.calls.append(f"GetItem consistent={ConsistentRead}")
        return {"Item": self.strong_person} if self.strong_person else {}


def test_a_qr_scan_reads_its_revocations_and_its_person_in_one_batch() -> None:
    client = Registry({"Codes": [person_entry(NOW - timedelta(minutes=1))]}, None)
    people = PeopleRegistry(client, "People", vault=None, lookup_secret=lambda: b"k", audit=None)  # type: ignore[arg-type]
    revoked, person = TokenReads(client, RevocationStore(client, "Codes"), people)(TOKEN, NOW)  # type: ignore[arg-type]
    assert refusal(revoked, TOKEN, NOW) == "revoked"
    assert person is None  # not in the batch, and not there when read again strongly
    assert client.calls == ["BatchGetItem Codes People", "GetItem consistent=True"]
