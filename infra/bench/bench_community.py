"""Benchmark: what residents' filters, the key-person daily close and a bulk comparison cost, in DynamoDB
operations and items read, on the template deployed in moto (counts, not moto's speed).

* Filters: six communities of residents; a head's ``fever=true`` page reads the sparse ``fever-index`` of
  one community, compared with filtering that community's partition and with scanning the table.
* Daily close: operations for N open key persons, then 2N, with the residents unchanged (work follows key
  persons, not the population).
* Comparison: a list of phones against the look-up index: ``BatchGetItem`` calls per rows, writes per hit.

Run: ``make bench`` (or ``python -m infra.bench.bench_community``).
"""

from __future__ import annotations

import collections
import random
import warnings
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sanmenxia import aws, clock, regions
from sanmenxia.audit import AuditLog
from sanmenxia.contracts import KeyPersonCategory
from sanmenxia.holds import HoldStore
from sanmenxia.imports.service import Comparison, Keys
from sanmenxia.imports.store import ComparisonStore
from sanmenxia.keypersons.rules import KeyPersonSource, KeyPersonStatus, Measure, MeasureKind
from sanmenxia.keypersons.service import KeyPersonService
from sanmenxia.keypersons.store import KeyPerson, KeyPersonStore, SourceEntry
from sanmenxia.pii import Vault
from sanmenxia.residents.rules import Health, IsolationStatus, PersonType, ResidentFilter, ResidentState, plan_query
from sanmenxia.residents.store import ResidentStore

COMMUNITIES = [county.communities[0].id for county in regions.COUNTIES]
PER_COMMUNITY = 1_000


class Counter:
    """Counts DynamoDB operations and items read through botocore's event hooks."""

    def __init__(self, client: Any) -> None:
        self.calls: collections.Counter[str] = collections.Counter()
        self.scanned = 0
        self.returned = 0
        client.meta.events.register("after-call.dynamodb.*", self._after)

    def _after(self, http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls[model.name] += 1
        self.scanned += int(parsed.get("ScannedCount", 0))
        self.returned += int(parsed.get("Count", 0))

    def reset(self) -> None:
        self.calls.clear()
        self.scanned = self.returned = 0

    def total(self) -> int:
        return sum(self.calls.values())


def _batch_put(db: Any, table: str, items: list[dict[str, Any]]) -> None:
    for start in range(0, len(items), 25):
        pending: dict[str, Any] = {table: [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]}
        while pending:
            pending = db.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def filters(stack: Any, db: Any, counter: Counter) -> None:
    table = stack.table("ResidentsTable")
    vault = Vault(aws.client("kms"), stack.table("PiiKey"))
    store = ResidentStore(db, table, vault, 60)
    rng = random.Random(7)
    items = []
    for community in COMMUNITIES:
        for n in range(PER_COMMUNITY):
            fever = rng.random() < 0.03
            state = ResidentState(
                person_id=f"{community[-3:]}{n:021d}",
                community_id=community,
                household_id="h",
                relation="self",
                name_masked="张*",
                id_masked="411202********0000",
                person_type=rng.choice(list(PersonType)),
                health=Health(Decimal("38.2") if fever else Decimal("36.5")),
                isolation=IsolationStatus.HOME if rng.random() < 0.08 else IsolationStatus.NONE,
            )
            items.append(store._item(state))
    _batch_put(db, table, items)
    community = COMMUNITIES[0]
    wanted = ResidentFilter(fever=True)
    counter.reset()
    found, _ = store.page(plan_query(community, wanted), limit=100, start=None)
    print(f"Filters: {len(COMMUNITIES)} communities x {PER_COMMUNITY} residents = {len(items)} items")
    print(f"  fever=true via fever-index:          {counter.total()} query call(s), {counter.scanned} items read, {len(found)} returned")
    counter.reset()
    request: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "pk = :p",
        "FilterExpression": "fever = :t",
        "ExpressionAttributeValues": {":p": {"S": f"c#{community}"}, ":t": {"BOOL": True}},
    }
    while True:
        response = db.query(**request)
        if "LastEvaluatedKey" not in response:
            break
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    print(f"  same filter on the community partition: {counter.total()} query call(s), {counter.scanned} items read")
    counter.reset()
    paginator = db.get_paginator("scan")
    for _ in paginator.paginate(TableName=table, FilterExpression="fever = :t", ExpressionAttributeValues={":t": {"BOOL": True}}):
        pass
    print(f"  a city-wide scan (what the design avoids): {counter.total()} scan call(s), {counter.scanned} items read")


def _key_people(count: int, start: int) -> list[KeyPerson]:
    today = clock.today()
    people = []
    for n in range(start, start + count):
        county = regions.COUNTIES[n % len(regions.COUNTIES)]
        people.append(
            KeyPerson(
                kp_id=f"kp200210{n:012x}",
                person_id=f"{n:024x}",
                community_id=county.communities[0].id,
                county_code=county.code,
                category=KeyPersonCategory.FROM_HUBEI,
                status=KeyPersonStatus.ACTIVE,
                name_masked="李*",
                id_masked="411202********0000",
                opened_on=today - timedelta(days=2),
                created_at=clock.iso(),
                created_by="bench",
                sources=(SourceEntry(KeyPersonSource.COMMUNITY, "x", "bench", clock.iso()),),
                measure=Measure(MeasureKind.HOME_ISOLATION),
                follow_up_days=frozenset({today - timedelta(days=1)} if n % 2 else set()),
                version=1,
            )
        )
    return people


def daily_close(stack: Any, db: Any, counter: Counter) -> None:
    table = stack.table("KeyPersonsTable")
    store = KeyPersonStore(db, table, 60)
    service = KeyPersonService(store, HoldStore(db, stack.table("HoldsTable")), AuditLog(db, stack.table("AuditTable")), 14)
    print("Daily close (residents table unchanged at the size above):")
    start = 0
    for count in (150, 300):
        added = _key_people(count - start, start)
        _batch_put(db, table, [store._item(kp) for kp in added])
        start = count
        db.delete_item(TableName=table, Key={"pk": {"S": "meta"}, "sk": {"S": "supervision"}})
        counter.reset()
        summary = service.daily_close()
        print(
            f"  {count:4d} open key persons: {counter.total():4d} operations "
            f"({dict(counter.calls)}), {counter.scanned} items read, {summary['flagged']} newly flagged"
        )


def comparison(stack: Any, db: Any, counter: Counter) -> None:
    table = stack.table("ImportsTable")
    store = ComparisonStore(db, table)
    holds = HoldStore(db, stack.table("HoldsTable"))
    residents = 2_000
    for n in range(residents):
        store.index_changes(f"{n:024x}", {}, {"phone": f"p{n}"}, None, COMMUNITIES[n % len(COMMUNITIES)])
    rows = 5_000
    hits = 100
    phones = [f"139{n:08d}" for n in range(rows)]
    keys = Keys(id_key=lambda value: value, phone_key=lambda phone: f"p{int(phone[3:])}" if int(phone[3:]) < hits else f"x{phone}")
    lines = "phone\n" + "\n".join(phones) + "\n"
    job = {"import_id": "cmpbench", "name": "bench", "reason": "bench", "created_at": clock.iso()}
    counter.reset()
    result = Comparison(store, holds, keys, lambda candidate: None).run("cmpbench", job, lines.encode())
    print(f"Comparison: {rows} phones against {residents} indexed residents, {result['hits']} hits")
    print(f"  operations: {dict(counter.calls)} (BatchGetItem per row: {counter.calls['BatchGetItem'] / rows:.3f})")


def main() -> None:
    warnings.filterwarnings("ignore")
    from tests.support.stack import deployed_stack

    with deployed_stack() as stack:
        db = stack.client("dynamodb")
        counter = Counter(db)
        filters(stack, db, counter)
        daily_close(stack, db, counter)
        comparison(stack, db, counter)


if __name__ == "__main__":
    main()
