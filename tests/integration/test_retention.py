"""Retention with a report (issue 18): after a jump past retention the expired records are gone and the day's
deletion report counts them by table; records still in their retention (an active hold, the registry) stay. The
local stack's TTL and lifecycle emulation (``infra.local.retention``) deletes what moto would otherwise serve
for ever."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.local import events
from infra.local.retention import TTL_DELAY, LocalRetention
from sanmenxia import clock
from sanmenxia.holds import HoldKind, HoldStore
from tests.integration.test_healthcode import DAY0, applied, set_day
from tests.support.stack import REGION, Stack


@pytest.fixture(autouse=True)
def _day0(stack: Stack) -> Iterator[None]:
    set_day(DAY0)
    yield
    clock.set_offset(0)


def partition(stack: Stack, logical_id: str, key: str, value: str) -> list[dict[str, Any]]:
    found = stack.client("dynamodb").query(
        TableName=stack.table(logical_id), KeyConditionExpression=f"{key} = :v", ExpressionAttributeValues={":v": {"S": value}}, ConsistentRead=True
    )
    return list(found["Items"])


def run_retention(stack: Stack) -> dict[str, int]:
    event = events.schedule_event("RetentionFunction-DailyRetention", clock.now(), REGION)
    return dict(stack.invoke("RetentionFunction", event)["deleted"])


def test_after_a_jump_past_retention_the_expired_records_are_gone_and_the_report_counts_them(stack: Stack) -> None:
    # Given a resident who checked in, with one hold lifted and one still active
    who = applied(stack)
    assert stack.request("POST", "/health-codes/me/check-ins", claims=who.claims, body={"temperature": 36.5}).status == 201
    holds = HoldStore(stack.client("dynamodb"), stack.table("HoldsTable"))
    holds.place(who.person_id, HoldKind.FEVER, source="checkpoints", source_ref="cp-1#scan-1", reason="fever at a checkpoint")
    holds.place(who.person_id, HoldKind.ISOLATION, source="key-persons", source_ref="kp-1", reason="isolation")
    assert holds.lift(who.person_id, HoldKind.FEVER, "cp-1#scan-1")
    # When the retention job runs within the retention, nothing is deleted
    assert sum(run_retention(stack).values()) == 0
    # When the clock jumps 75 days (past the 60-day retention) and the daily job runs
    later = DAY0 + timedelta(days=75)
    set_day(later)
    deleted = run_retention(stack)
    # Then the check-in and the lifted hold are gone, the active hold and the registry stay
    codes = partition(stack, "HealthCodeTable", "person_id", who.person_id)
    assert not [item for item in codes if item["sk"]["S"].startswith("checkin#")], codes
    assert [item["hold_key"]["S"] for item in partition(stack, "HoldsTable", "person_id", who.person_id)] == ["isolation#kp-1"]
    assert stack.request("GET", "/residents/me", claims=who.claims).status == 200
    assert deleted["HoldsTable"] == 1 and deleted["HealthCodeTable"] >= 1 and deleted["PeopleTable"] == 0, deleted
    # And the public page's deletion report counts them by table for that day; a second run deletes nothing more
    assert sum(run_retention(stack).values()) == 0
    report = stack.request("GET", "/public/counts", query={"since": later.isoformat(), "until": later.isoformat()}).json["deletions"]
    by_table = {row["table"]: row["deleted"] for row in report}
    assert by_table["HoldsTable"] == 1 and by_table["HealthCodeTable"] == deleted["HealthCodeTable"], report
    assert all(set(row) == {"day", "table", "deleted"} for row in report)


def test_the_local_stack_applies_ttl_and_lifecycle_rules_as_its_clock_moves(stack: Stack) -> None:
    # Given an expired scan-like item and an object under a lifecycle prefix (the lake's check-ins, 60 days)
    db, s3 = stack.client("dynamodb"), stack.client("s3")
    now = datetime.now(UTC)
    expired = int((now - TTL_DELAY - timedelta(hours=1)).timestamp())
    db.put_item(TableName=stack.table("NotificationsTable"), Item={"person_id": {"S": "p-old"}, "sk": {"S": "m#1"}, "expires_at": {"N": str(expired)}})
    fresh = int((now + timedelta(days=1)).timestamp())
    db.put_item(TableName=stack.table("NotificationsTable"), Item={"person_id": {"S": "p-new"}, "sk": {"S": "m#1"}, "expires_at": {"N": str(fresh)}})
    s3.put_object(Bucket=stack.table("LakeBucket"), Key="checkins/dt=2020-02-10/part-0.json", Body=b"{}")
    sweeper = LocalRetention({"dynamodb": db, "s3": s3}, stack.deployment.physical)
    assert {rule.prefix: rule.days for rule in sweeper.rules}["checkins/"] == 60
    # When it sweeps now: the expired item goes, the fresh one and the new object stay
    assert sweeper.sweep(now) == {"NotificationsTable": 1}
    assert [item["person_id"]["S"] for item in db.scan(TableName=stack.table("NotificationsTable"))["Items"]] == ["p-new"]
    # And 60 days later the object goes too (and so does the item whose time came)
    swept = sweeper.sweep(now + timedelta(days=60))
    assert swept == {"NotificationsTable": 1, f"{stack.table('LakeBucket')}/checkins/": 1}, swept
    assert s3.list_objects_v2(Bucket=stack.table("LakeBucket"), Prefix="checkins/").get("KeyCount", 0) == 0
