"""The scan ledger's write path and the stream counter with a scripted DynamoDB client: one write per scan,
markers claimed once, counters merged per batch, a batch delivered again applied once, conflicts retried."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sanmenxia import dynamo
from sanmenxia.audit import AuditLog, AuditRecord
from sanmenxia.checkpoints import store
from sanmenxia.checkpoints.records import ScanRecord
from sanmenxia.checkpoints.rules import Decision, Direction, ScanMethod
from sanmenxia.errors import UpstreamUnavailable

AUDIT = AuditRecord("sub", "gate", "checkpoint_staff", "checkpoint.scan", "scan#cp-a#s1", "2020-02-25T01:00:00Z", None, "x")
NOW = datetime(2020, 2, 25, 1, 0, tzinfo=UTC)


def record(scan_id: str = "s1", person: str = "p1", checkpoint: str = "cp-a") -> ScanRecord:
    return ScanRecord(
        scan_id=scan_id,
        checkpoint_id=checkpoint,
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


def cancelled(codes: list[str], item: dict[str, Any] | None = None) -> ClientError:
    reasons: list[dict[str, Any]] = [{"Code": c} for c in codes]
    if item is not None:
        reasons[codes.index("ConditionalCheckFailed")]["Item"] = item
    error: Any = {"Error": {"Code": "TransactionCanceledException", "Message": "x"}, "CancellationReasons": reasons}
    return ClientError(error, "TransactWriteItems")


class Scripted:
    """Keeps marker items (``update_item`` with ``if_not_exists``) and answers ``transact_write_items`` from a script."""

    def __init__(self, script: list[Any] | None = None, stored: dict[str, Any] | None = None) -> None:
        self.script = script or []
        self.stored = stored
        self.markers: dict[str, dict[str, str]] = {}
        self.transactions: list[list[dict[str, Any]]] = []
        self.updates = 0

    def update_item(self, Key: dict[str, Any], ExpressionAttributeNames: dict[str, str], ExpressionAttributeValues: dict[str, Any], **_: Any) -> dict[str, Any]:
        self.updates += 1
        item = self.markers.setdefault(Key["pk"]["S"], {})
        for placeholder, tag in ExpressionAttributeNames.items():
            item.setdefault(tag, ExpressionAttributeValues[":" + placeholder[1:]]["S"])
        return {"Attributes": {tag: {"S": owner} for tag, owner in item.items()}}

    def transact_write_items(self, TransactItems: list[dict[str, Any]], ClientRequestToken: str = "") -> dict[str, Any]:
        self.transactions.append(TransactItems)
        outcome = self.script.pop(0) if self.script else None
        if isinstance(outcome, Exception):
            raise outcome
        return {}

    def get_item(self, **_: Any) -> dict[str, Any]:
        return {"Item": self.stored} if self.stored else {}


def ledger(client: Scripted) -> store.ScanLedger:
    return store.ScanLedger(client, "Scans", "Stats", AuditLog(client, "Audit"))


def counter_updates(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i["Update"] for i in items if "Update" in i]


def added(items: list[dict[str, Any]], name: str) -> int:
    return sum(int(u["ExpressionAttributeValues"].get(f":{name}", {"N": "0"})["N"]) for u in counter_updates(items))


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dynamo, "sleep", lambda _: None)


def test_a_scan_writes_only_itself_and_its_audit_record() -> None:
    client = Scripted()
    result = ledger(client).record([record()], AUDIT)
    [items] = client.transactions
    assert not result.duplicate
    assert [next(iter(i.values()))["TableName"] for i in items] == ["Scans", "Audit"]
    assert items[0]["Put"]["ConditionExpression"] == "attribute_not_exists(scan_key)"
    assert client.updates == 0


def test_a_scan_key_that_exists_returns_the_stored_scan_as_a_duplicate() -> None:
    client = Scripted([cancelled(["ConditionalCheckFailed", "None"])], stored=record().item())
    result = ledger(client).record([record()], AUDIT)
    assert result.duplicate
    assert result.records[0].scan_id == "s1"


def test_a_busy_scan_write_is_a_retryable_503() -> None:
    client = Scripted([cancelled(["TransactionConflict", "None"])])
    with pytest.raises(UpstreamUnavailable):
        ledger(client).record([record()], AUDIT)


def test_a_batch_claims_one_marker_per_person_and_writes_each_counter_once() -> None:
    # Given a batch: p1 twice at cp-a, p2 once at cp-b (same community and county, same hour)
    client = Scripted()
    scans = [record("s1", "p1").facts(), record("s2", "p1").facts(), record("s3", "p2", "cp-b").facts()]
    # When it is counted
    written = store.ScanCounter(client, "Stats").count(scans, NOW)
    # Then one marker update per person, one transaction: a receipt and the four hour counters, each once
    assert client.updates == 2
    [items] = client.transactions
    assert items[0]["Put"]["Item"]["pk"]["S"].startswith("rc#")
    keys = [(u["Key"]["pk"]["S"], u["Key"]["sk"]["S"]) for u in counter_updates(items)]
    assert sorted(keys) == sorted(
        [("cp#cp-a#2020-02-25", "h#09"), ("cp#cp-b#2020-02-25", "h#09"), ("cm#411202-001#2020-02-25", "h#09"), ("ct#411202#2020-02-25", "h#09")]
    )
    assert written == 4
    assert added(items, "scans") == 2 + 1 + 3 + 3  # cp-a, cp-b, the community, the county
    assert added(items, "unique_persons") == 1 + 1 + 2 + 2
    assert added(items, "unique_day") == 1 + 1 + 2 + 2


def test_a_person_first_seen_by_another_batch_adds_no_unique_person() -> None:
    client = Scripted()
    counter = store.ScanCounter(client, "Stats")
    counter.count([record("s1", "p1").facts()], NOW)
    counter.count([record("s2", "p1").facts()], NOW)
    assert added(client.transactions[1], "scans") == 3
    assert added(client.transactions[1], "unique_persons") == 0


def test_the_same_batch_again_sends_the_same_receipt_and_token() -> None:
    client = Scripted()
    counter = store.ScanCounter(client, "Stats")
    scans = [record("s1", "p1").facts(), record("s2", "p2").facts()]
    counter.count(scans, NOW)
    counter.count(scans, NOW)
    first, again = client.transactions
    assert first[0]["Put"]["Item"]["pk"] == again[0]["Put"]["Item"]["pk"]
    assert counter_updates(first) == counter_updates(again)


def test_a_receipt_already_written_by_the_same_deltas_is_success() -> None:
    client = Scripted()
    counter = store.ScanCounter(client, "Stats")
    scans = [record("s1", "p1").facts()]
    counter.count(scans, NOW)
    receipt = client.transactions[0][0]["Put"]["Item"]["pk"]["S"].removeprefix("rc#")
    client.script = [cancelled(["ConditionalCheckFailed", "None", "None", "None"], item={dynamo.WRITTEN_BY: {"S": receipt}})]
    counter.count(scans, NOW)  # no error: applied before


def test_conflicts_with_another_batch_are_retried_then_end_in_an_error() -> None:
    conflict = cancelled(["None", "TransactionConflict", "None", "None"])
    client = Scripted([conflict, None])
    store.ScanCounter(client, "Stats").count([record().facts()], NOW)
    assert len(client.transactions) == 2
    client = Scripted([conflict] * store.ScanCounter.ATTEMPTS)
    with pytest.raises(UpstreamUnavailable):
        store.ScanCounter(client, "Stats").count([record().facts()], NOW)


def test_more_counters_than_one_transaction_holds_go_in_several() -> None:
    client = Scripted()
    scans = [record(f"s{i}", f"p{i}", f"cp-{i:03d}").facts() for i in range(120)]
    written = store.ScanCounter(client, "Stats").count(scans, NOW)
    assert written == 120 + 2
    assert [len(items) - 1 for items in client.transactions] == [99, 23]
    assert sum(added(items, "scans") for items in client.transactions) == 3 * 120
