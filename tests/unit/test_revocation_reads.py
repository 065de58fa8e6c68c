"""Revocation reads at the gate: one eventually consistent batch read of the token's two copies; a strong re-read
only when it finds an entry that does not refuse the token (the copy may lag a repeat revocation), so a stale
copy never lets a revoked token through, and the rush pays half a read unit per copy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sanmenxia.healthcode.revocation_store import RevocationStore
from sanmenxia.healthcode.revocations import refusal
from sanmenxia.healthcode.tokens import VerifiedCode
from sanmenxia.holds import CodeColor

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
