"""The scan ledger's write path with a scripted DynamoDB client: races on markers, conflicts, duplicates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sanmenxia.audit import AuditLog, AuditRecord
from sanmenxia.checkpoints import store
from sanmenxia.checkpoints.records import ScanRecord
from sanmenxia.checkpoints.rules import Decision, Direction, ScanMethod
from sanmenxia.errors import UpstreamUnavailable

AUDIT = AuditRecord("sub", "gate", "checkpoint_staff", "checkpoint.scan", "scan#cp-a#s1", "2020-02-25T01:00:00Z", None, "x")


def record(scan_id: str = "s1", person: str = "p1") -> ScanRecord:
    return ScanRecord(
        scan_id=scan_id,
        checkpoint_id="cp-a",
        checkpoint_name="北门",
        community_id="411202-001",
        county_code="411202",
        entrance=None,
        direction=Direction.IN,
        method=ScanMethod.TYPED,
        person_id=person,
        person_ref=person,
        masked_name="张*",
        color=None,
        decision=Decision.PASS,
        reasons=(),
        temperature=Decimal("36.5"),
        scanned_at="2020-02-25T01:00:00Z",
        day="2020-02-25",
        received_at="2020-02-25T01:00:00Z",
        staff_sub="sub",
        expires_at=1,
    )


def cancelled(codes: list[str]) -> ClientError:
    error: Any = {"Error": {"Code": "TransactionCanceledException", "Message": "x"}, "CancellationReasons": [{"Code": c} for c in codes]}
    return ClientError(error, "TransactWriteItems")


class Scripted:
    """Answers ``batch_get_item`` with the markers given, and ``transact_write_items`` from a script."""

    def __init__(self, script: list[Any], existing_markers: list[list[tuple[str, str]]] | None = None, stored: dict[str, Any] | None = None) -> None:
        self.script = script
        self.markers = existing_markers or []
        self.stored = stored
        self.transactions: list[list[dict[str, Any]]] = []

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        found = self.markers.pop(0) if self.markers else []
        return {"Responses": {"Stats": [{"pk": {"S": pk}, "sk": {"S": sk}} for pk, sk in found]}, "UnprocessedKeys": {}}

    def transact_write_items(self, TransactItems: list[dict[str, Any]], ClientRequestToken: str = "") -> dict[str, Any]:
        self.transactions.append(TransactItems)
        outcome = self.script.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return {}

    def get_item(self, **_: Any) -> dict[str, Any]:
        return {"Item": self.stored} if self.stored else {}


def ledger(client: Scripted) -> store.ScanLedger:
    return store.ScanLedger(client, "Scans", "Stats", AuditLog(client, "Audit"))


def marker_puts(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i["Put"] for i in items if "Put" in i and i["Put"]["TableName"] == "Stats"]


def unique_added(items: list[dict[str, Any]]) -> int:
    return sum(int(i["Update"]["ExpressionAttributeValues"].get(":unique_persons", {"N": "0"})["N"]) for i in items if "Update" in i)


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store.time, "sleep", lambda _: None)


def test_a_first_visit_writes_the_scan_six_markers_six_counters_and_the_audit_at_once() -> None:
    client = Scripted([None])
    result = ledger(client).record([record()], AUDIT)
    [items] = client.transactions
    assert not result.duplicate
    assert len(items) == 1 + 6 + 6 + 1
    assert items[0]["Put"]["ConditionExpression"] == "attribute_not_exists(scan_key)"
    assert all(put["ConditionExpression"] == "attribute_not_exists(pk)" for put in marker_puts(items))
    assert unique_added(items) == 6


def test_a_marker_written_by_a_concurrent_scan_is_re_read_and_the_person_counted_once() -> None:
    # Given a first attempt that loses the race for the checkpoint's day marker
    first = record()
    day_marker = ("mk#cp#cp-a#2020-02-25#p1", "d")
    codes = ["None", "ConditionalCheckFailed", *["None"] * 12]
    client = Scripted([cancelled(codes), None], existing_markers=[[], [day_marker]])
    # When the ledger records the scan
    result = ledger(client).record([first], AUDIT)
    # Then the retry no longer writes that marker nor counts the person again there
    assert not result.duplicate
    assert len(client.transactions) == 2
    retry = client.transactions[1]
    assert day_marker not in [(p["Item"]["pk"]["S"], p["Item"]["sk"]["S"]) for p in marker_puts(retry)]
    assert unique_added(retry) == 5


def test_a_scan_key_that_exists_returns_the_stored_scan_as_a_duplicate() -> None:
    stored = record().item()
    client = Scripted([cancelled(["ConditionalCheckFailed"] + ["None"] * 13)], stored=stored)
    result = ledger(client).record([record()], AUDIT)
    assert result.duplicate
    assert result.records[0].scan_id == "s1"
    assert len(client.transactions) == 1


def test_persistent_conflicts_end_in_a_retryable_503() -> None:
    conflict = cancelled(["TransactionConflict"] + ["None"] * 13)
    client = Scripted([conflict] * store.ScanLedger.ATTEMPTS)
    with pytest.raises(UpstreamUnavailable):
        ledger(client).record([record()], AUDIT)
    assert len(client.transactions) == store.ScanLedger.ATTEMPTS


def test_a_person_and_a_dependent_touch_each_counter_once() -> None:
    client = Scripted([None])
    ledger(client).record([record(), record("s1.d1", "p2")], AUDIT)
    [items] = client.transactions
    keys = [(i["Update"]["Key"]["pk"]["S"], i["Update"]["Key"]["sk"]["S"]) for i in items if "Update" in i]
    assert len(keys) == len(set(keys))
    assert unique_added(items) == 12
