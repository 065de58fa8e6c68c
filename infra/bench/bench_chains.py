"""Benchmark: what building a transmission chain (传播链) costs, in DynamoDB operations and items read.

``KeyPersonsTable`` holds 3,000 unrelated key persons; a case has a chain of 3 levels with a fan-out of 3
(40 records), then of 6 (259 records). Building the chain reads one contacts partition per record in it
and one record per node, so the operations follow the chain, not the table. Counts are botocore's against
the template deployed in moto.

Run: ``make bench`` (or ``python -m infra.bench.bench_chains``).
"""

from __future__ import annotations

import warnings
from datetime import timedelta

from infra.bench.bench_community import Counter, _batch_put, _key_people
from sanmenxia import clock
from sanmenxia.audit import AuditLog
from sanmenxia.auth import Principal, Role
from sanmenxia.holds import HoldStore
from sanmenxia.keypersons.chains import ContactEdge, ContactKind, follow_until
from sanmenxia.keypersons.contacts import ContactService
from sanmenxia.keypersons.contacts_store import ContactStore
from sanmenxia.keypersons.service import KeyPersonService
from sanmenxia.keypersons.store import KeyPersonStore

UNRELATED = 3_000
DEPTH = 3


def _tree(store: KeyPersonStore, contacts: ContactStore, db: object, table: str, fan_out: int, first: int) -> tuple[str, int]:
    """A chain ``DEPTH`` levels deep with ``fan_out`` contacts per record; its root and its size."""
    count = sum(fan_out**level for level in range(DEPTH + 1))
    people = _key_people(count, first)
    _batch_put(db, table, [store._item(kp) for kp in people])
    day = clock.today() - timedelta(days=2)
    for index, kp in enumerate(people[1:], start=1):
        parent = people[(index - 1) // fan_out]
        edge = ContactEdge(parent.kp_id, kp.kp_id, kp.person_id, ContactKind.WORK, day, follow_until(day, 14), "李*", kp.community_id, "bench", clock.iso())
        contacts.put(edge)
    return people[0].kp_id, count


def main() -> None:
    warnings.filterwarnings("ignore")
    from tests.support.stack import deployed_stack

    with deployed_stack() as stack:
        db = stack.client("dynamodb")
        table = stack.table("KeyPersonsTable")
        store = KeyPersonStore(db, table, 60)
        contacts = ContactStore(db, table, 60)
        service = ContactService(
            contacts, KeyPersonService(store, HoldStore(db, stack.table("HoldsTable")), AuditLog(db, stack.table("AuditTable")), 14), AuditLog(db, ""), 14
        )
        _batch_put(db, table, [store._item(kp) for kp in _key_people(UNRELATED, 10**6)])
        caller = Principal("sub-bench", "bench_commander", frozenset({Role.COMMANDER}))
        counter = Counter(db)
        print(f"Chain building ({UNRELATED:,d} unrelated key persons in the table, {DEPTH} levels):")
        results = []
        first = 0
        for fan_out in (3, 6):
            root, size = _tree(store, contacts, db, table, fan_out, first)
            first += size
            counter.reset()
            chain = service.chain(caller, store.get(root), DEPTH)
            results.append((size, counter.total(), counter.scanned or counter.returned))
            print(
                f"  chain of {size:3d} records: {counter.total():4d} operations ({dict(counter.calls)}), "
                f"{counter.returned} items returned, {len(chain['edges'])} links"
            )
        (small, ops_small, _), (large, ops_large, _) = results
        print(f"  chain {large / small:.2f}x larger → operations {ops_large / ops_small:.2f}x (baseline {small} records; table unchanged)")


if __name__ == "__main__":
    main()
