"""Benchmark: what an exposure run (暴露排查) costs, in DynamoDB operations and items read, at two table sizes.

The scans table is filled with 10,000 and then 100,000 scans (20 checkpoints over 10 days) around the same
window: a confirmed case at one checkpoint for 30 minutes with the same 60 other people scanned inside the
window or its margin at both sizes. The run reads ``checkpoint-day-index`` with the window's instants in the key
condition, so its operations and items read should stay the same while the table grows tenfold. Counts are
botocore's (every call the run makes through the real SDK against the template deployed in moto), not moto's
speed.

Run: ``make bench`` (or ``python -m infra.bench.bench_exposure``).
"""

from __future__ import annotations

import collections
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

from sanmenxia import clock
from sanmenxia.audit import AuditLog
from sanmenxia.auth import Principal, Role
from sanmenxia.checkpoints.exposure import Window
from sanmenxia.checkpoints.exposure_store import ExposureStore
from sanmenxia.checkpoints.records import Checkpoint, Location
from sanmenxia.checkpoints.rules import CheckpointKind
from sanmenxia.checkpoints.tracing import ExposureSettings, ExposureTracer
from sanmenxia.contracts import KeyPersonCandidate
from sanmenxia.notifications import Inbox
from sanmenxia.people import Person

CHECKPOINTS = 20
DAYS = 10
NEAR = 60  # people scanned inside the window or its margin, at both sizes
SIZES = (10_000, 100_000)


class Counter:
    """DynamoDB operations and items read, through botocore's event hooks."""

    def __init__(self, client: Any) -> None:
        self.calls: collections.Counter[str] = collections.Counter()
        self.read = 0
        client.meta.events.register("after-call.dynamodb.*", self._after)

    def _after(self, http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls[model.name] += 1
        self.read += int(parsed.get("ScannedCount", parsed.get("Count", 0)))

    def reset(self) -> None:
        self.calls.clear()
        self.read = 0

    def total(self) -> int:
        return sum(self.calls.values())


def _scan(n: int, checkpoint: int, at: datetime, person: str) -> dict[str, Any]:
    day = at.astimezone(clock.SHANGHAI).date().isoformat()
    return {
        "scan_key": {"S": f"cp-bench-{checkpoint}#s{n}"},
        "scan_id": {"S": f"s{n}"},
        "checkpoint_id": {"S": f"cp-bench-{checkpoint}"},
        "checkpoint_name": {"S": f"检测点 {checkpoint}"},
        "cp_day": {"S": f"cp-bench-{checkpoint}#{day}"},
        "community_id": {"S": "411202-001"},
        "home_community_id": {"S": "411202-002"},
        "person_id": {"S": person},
        "masked_name": {"S": "张*"},
        "scanned_at": {"S": clock.iso(at)},
        "expires_at": {"N": "0"},
    }


def _fill(db: Any, table: str, items: list[dict[str, Any]]) -> None:
    for start in range(0, len(items), 25):
        pending: dict[str, Any] = {table: [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]}
        while pending:
            pending = db.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def _background(first: int, last: int, base: datetime) -> list[dict[str, Any]]:
    """Scans spread over every checkpoint and day, never within two hours of the window at checkpoint 0."""
    items = []
    for n in range(first, last):
        checkpoint = n % CHECKPOINTS
        at = base + timedelta(days=(n // CHECKPOINTS) % DAYS, minutes=(n * 7) % (12 * 60))
        if checkpoint == 0 and abs(at - (base + timedelta(days=DAYS - 1, hours=3))) < timedelta(hours=2):
            at -= timedelta(hours=4)
        items.append(_scan(n, checkpoint, at, f"{n:024x}"))
    return items


def main() -> None:
    warnings.filterwarnings("ignore")
    from tests.support.stack import deployed_stack

    with deployed_stack() as stack:
        db = stack.client("dynamodb")
        counter = Counter(db)
        scans = stack.table("ScansTable")
        base = (clock.now() - timedelta(days=DAYS + 1)).astimezone(clock.SHANGHAI).replace(hour=6, minute=0, second=0, microsecond=0).astimezone(UTC)
        start = base + timedelta(days=DAYS - 1, hours=3)  # the case at checkpoint 0 from here, for 30 minutes
        near = [_scan(10**9 + k, 0, start + timedelta(minutes=k - 15), f"near{k:020x}") for k in range(NEAR)]
        _fill(db, scans, near)
        checkpoint = Checkpoint(
            "cp-bench-0", "检测点 0", CheckpointKind.MARKET, "411202", "411202-001", (), Location(34.7, 111.2, "bench"), True, "bench", clock.iso(), clock.iso()
        )
        tracer = ExposureTracer(
            store=ExposureStore(db, scans, stack.table("ExposuresTable")),
            checkpoint=lambda _id: checkpoint,
            inbox=Inbox(db, stack.table("NotificationsTable")),
            send_candidate=lambda _candidate: sent.append(_candidate),
            audit_log=AuditLog(db, stack.table("AuditTable")),
            settings=ExposureSettings(margin_minutes=30),
        )
        sent: list[KeyPersonCandidate] = []
        caller = Principal("sub-bench", "bench_commander", frozenset({Role.COMMANDER}), {"county_code": "411202"})
        window = [Window("cp-bench-0", start, start + timedelta(minutes=30))]
        print(f"Exposure run: one 30-minute window (±30 min margin) with {NEAR} people near it, scans table growing:")
        results = []
        filled = 0
        for size in SIZES:
            _fill(db, scans, _background(filled, size - NEAR, base))
            filled = size - NEAR
            case = Person(f"case{size:020d}", "病例", "411202199001011230", None, "", "411202", "411202-001", "h", "self", None, 1990, clock.iso())
            counter.reset()
            sent.clear()
            run = tracer.run(caller, case, window)
            reads = counter.calls["Query"]
            results.append((size, counter.total(), counter.read, reads))
            print(
                f"  {size:7,d} scans in the table: {counter.total():4d} operations ({dict(counter.calls)}), "
                f"{counter.read} items read by {reads} queries, {run['found']} found, {len(sent)} candidates sent"
            )
        (small, ops_small, read_small, _), (large, ops_large, read_large, _) = results
        print(
            f"  table {large / small:.0f}x larger → operations {ops_large / ops_small:.2f}x, "
            f"items read {read_large / read_small:.2f}x (baseline {small:,d} scans)"
        )


if __name__ == "__main__":
    main()
