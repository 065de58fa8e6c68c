"""Benchmark: the hourly overdue sweep costs work in proportion to the orders that are due, not to all orders.

Seeds a moto deployment of ``template.yaml`` with many work orders (mostly closed, some open and not yet due,
a few past their limit), runs ``Hotline.sweep`` twice in the same hour and counts DynamoDB operations and the
items they read (botocore event hooks), next to what a full table scan would read.

Run: ``make bench`` (or ``python -m infra.bench.bench_hotline``).
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from moto import mock_aws

from infra.local.deploy import deploy
from sanmenxia import services
from sanmenxia.audit import AuditLog
from sanmenxia.contracts import WorkOrderSource, WorkOrderType
from sanmenxia.hotline.routing import Department
from sanmenxia.hotline.rules import Action, Actor, Command, NewOrder, apply, open_order
from sanmenxia.hotline.service import Hotline
from sanmenxia.hotline.sla import SlaPolicy
from sanmenxia.hotline.store import WorkOrderStore, to_item
from sanmenxia.observability import logger
from sanmenxia.pii import Vault

REGION = "ap-east-1"
CLOSED, OPEN, DUE = 1000, 200, 10
T0 = datetime(2020, 2, 10, 1, 0, tzinfo=UTC)
OPERATOR = Actor("sub-op", "operator1", "hotline_operator")
HANDLER = Actor("sub-h", "handler1", "department_handler")


def _orders(policy: SlaPolicy) -> list[dict[str, Any]]:
    items = []
    for n in range(CLOSED + OPEN + DUE):
        received_at = T0 - timedelta(hours=13) if n >= CLOSED + OPEN else T0
        new = NewOrder(WorkOrderSource.CALL, f"bench-{n}", WorkOrderType.HELP_REQUEST, community_id="411202-001")
        order = open_order(new, OPERATOR, received_at, policy, Department.CIVIL_AFFAIRS)
        if n < CLOSED:
            order = apply(order, Command(Action.ACCEPT), HANDLER, T0, policy)
            order = apply(order, Command(Action.REPLY, note="ok", resolved=True), HANDLER, T0, policy)
            order = apply(order, Command(Action.REVISIT, satisfaction=5), OPERATOR, T0, policy)
            order = apply(order, Command(Action.CLOSE), OPERATOR, T0, policy)
        items.append(to_item(order))
    return items


def main() -> None:
    logger.setLevel("WARNING")
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION=REGION, AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled")
    os.environ.pop("AWS_ENDPOINT_URL", None)
    with mock_aws():
        services.reset()
        session = boto3.session.Session(region_name=REGION)
        deployment = deploy(session, upload_code=False)
        db = session.client("dynamodb")
        table = deployment.physical["WorkOrdersTable"]
        policy = SlaPolicy()
        items = _orders(policy)
        for start in range(0, len(items), 25):
            db.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]})

        calls: Counter[str] = Counter()
        read: Counter[str] = Counter()

        def before(event_name: str, **_: Any) -> None:
            calls[event_name.rsplit(".", 1)[-1]] += 1

        def after(event_name: str, parsed: dict[str, Any], **_: Any) -> None:
            read[event_name.rsplit(".", 1)[-1]] += int(parsed.get("Count", 0))

        db.meta.events.register("before-call.dynamodb", before)
        db.meta.events.register("after-call.dynamodb", after)
        store = WorkOrderStore(db, table, deployment.physical["HotlineFiguresTable"], AuditLog(db, deployment.physical["AuditTable"]))
        hotline = Hotline(store, policy, Vault(session.client("kms"), deployment.physical["PiiKey"]))

        first = hotline.sweep(T0 + timedelta(minutes=5))
        first_calls, first_read = dict(calls), dict(read)
        calls.clear()
        read.clear()
        second = hotline.sweep(T0 + timedelta(minutes=35))
        total = CLOSED + OPEN + DUE
        print(f"orders in the table: {total} ({CLOSED} closed, {OPEN} open not yet due, {DUE} past their limit)")
        print(f"sweep 1: {first}; DynamoDB calls {first_calls}; items read by queries {first_read.get('Query', 0)}")
        print(f"sweep 2 (same hour): {second}; DynamoDB calls {dict(calls)}; items read {read.get('Query', 0)}")
        print(f"a full scan would read {total} items: the sweep read {first_read.get('Query', 0) / total:.2%} of that")
        services.reset()


if __name__ == "__main__":
    main()
