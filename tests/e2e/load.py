"""A bounded load test of the local stack that reconciles exactly (``tests/e2e/test_zzy_load.py``, ``make load``).

``clients`` threads, each signed in as a resident and as the staff of one checkpoint, register people (the
resident and household members), apply for their codes, check them in, scan them at the checkpoint and send
tip-offs, ``per_kind`` of each kind in all. Some requests are made to be refused or to repeat on purpose, so that
moto cancels transactions under load: a registration with an ID number already registered (409), a second
check-in the same day (``repeat``), a scan re-sent with the same device ``scan_id`` (``duplicate``) and a tip-off
re-sent with the same ``Idempotency-Key`` (the first answer again).

Then, once the pump has drained (a condition, never a sleep), what the clients were told must be exactly what
DynamoDB holds, and what DynamoDB holds must be exactly what reached the community head's list (the residents
stream), the lake (rows of ``residents``, ``checkins``, ``scans``, ``tipoffs`` and ``audit_actions``) and the
audit table: ``Report.mismatches`` names every difference, and ``dropped`` is the number of records missing
anywhere downstream.
"""

from __future__ import annotations

import hashlib
import io
import random
import re
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from threading import Lock
from typing import Any

import boto3
import pyarrow.parquet as pq

from sanmenxia.idnumber import make_id_number
from tests.e2e.conftest import HttpResponse, LocalStack

COUNTY = "411221"
COMMUNITY = "411221-008"  # a community nothing else writes to (仰韶 is -006; the demo leaves Mianchi alone)
CANCEL_EVERY = 5  # one request in five is a repeat or a refusal on purpose
KINDS = ("registration", "check_in", "scan", "tipoff")
KEYS = {"registrations": "people", "check-ins": "checkins", "scans": "scans", "tip-offs": "tipoffs", "scan audit rows": "audit"}


@dataclass
class Person:
    person_id: str
    id_number: str


@dataclass
class Report:
    per_kind: int
    clients: int
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    cancelled_on_purpose: Counter[str] = field(default_factory=Counter)
    retried: int = 0
    failed_deliveries: int = 0
    elapsed: float = 0.0
    drain_seconds: float = 0.0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    mismatches: list[str] = field(default_factory=list)
    dropped: int = 0

    @property
    def requests(self) -> int:
        return len(self.latencies)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else 0.0

    def summary(self) -> str:
        median = statistics.median(self.latencies) * 1000 if self.latencies else 0.0
        lines = [
            f"load: {self.per_kind} of each of {', '.join(KINDS)} from {self.clients} clients: {self.requests} requests in {self.elapsed:.1f}s "
            f"({self.requests / max(self.elapsed, 1e-9):.1f}/s), p50 {median:.0f} ms, p95 {self.percentile(0.95):.0f} ms over the local stack",
            f"  statuses {dict(sorted(self.statuses.items()))}; cancelled or repeated on purpose {dict(sorted(self.cancelled_on_purpose.items()))}",
            f"  pump drained in {self.drain_seconds:.1f}s; deliveries retried {self.retried}, given up {self.failed_deliveries}; dropped={self.dropped}",
        ]
        lines += [f"  {what:<22} " + "  ".join(f"{where} {n}" for where, n in counts.items()) for what, counts in self.counts.items()]
        lines += [f"  MISMATCH {line}" for line in self.mismatches]
        return "\n".join(lines)


class Client:
    """One simulated client: a resident (with a household) and the staff of the load test's checkpoint."""

    def __init__(self, stack: LocalStack, report: Report, lock: Lock, resident: str, staff: str, checkpoint_id: str, index: int) -> None:
        self.stack, self.report, self.lock = stack, report, lock
        self.resident_token, self.staff_token = stack.token(resident), stack.token(staff)
        self.checkpoint_id, self.index = checkpoint_id, index
        self.people: list[Person] = []
        self.tipoffs: list[str] = []
        self.scans: list[str] = []
        self.checkins: set[str] = set()
        self.random = random.Random(uuid.uuid4().int)  # fresh ID numbers on every run

    def call(
        self, kind: str, method: str, path: str, token: str, body: Any, headers: dict[str, str] | None = None, expect: tuple[int, ...] = (200, 201)
    ) -> HttpResponse:
        started = time.perf_counter()
        response = self.stack.request(method, path, token=token, body=body, headers=headers)
        elapsed = time.perf_counter() - started
        with self.lock:
            self.report.latencies.append(elapsed)
            self.report.statuses[str(response.status)] += 1
            if response.status not in expect:
                self.report.unexpected.append(f"{kind} {method} {path}: {response.status} {response.body[:300]!r}")
        return response

    def id_number(self) -> str:
        born = date(1950 + self.random.randint(0, 55), self.random.randint(1, 12), self.random.randint(1, 28))
        return make_id_number(COUNTY, born, self.random.randint(0, 999))

    def register(self, count: int) -> None:
        for n in range(count):
            id_number = self.id_number()
            if not self.people:
                body = {"name": "渑池居民", "id_number": id_number, "phone": f"139{self.index:04d}{self.random.randint(0, 9999):04d}"}
                body |= {"county_code": COUNTY, "community_id": COMMUNITY, "address": f"果园路{self.index}号"}
                response = self.call("registration", "POST", "/residents", self.resident_token, body)
            else:
                response = self.call(
                    "registration", "POST", "/residents/me/household", self.resident_token, {"name": "渑池家人", "id_number": id_number, "relation": "child"}
                )
            if response.status == 201:
                self.people.append(Person(response.json["person_id"], id_number))
            if n % CANCEL_EVERY == CANCEL_EVERY - 1 and len(self.people) > 1:
                # the same ID number again: the registry's transaction is cancelled on its condition (409)
                # (another name: the identical body would be answered with the first record, as a repeat)
                again = {"name": "渑池亲属", "id_number": self.people[-1].id_number, "relation": "spouse"}
                if self.call("registration", "POST", "/residents/me/household", self.resident_token, again, expect=(409,)).status == 409:
                    self._cancelled("registration")
            if response.status != 201:
                continue
            code = self.call(
                "code",
                "POST",
                self._for("/health-codes", self.people[-1]),
                self.resident_token,
                {"fever": False, "in_isolation": False, "declaration_accepted": True},
            )
            assert code.status in (200, 201), code.body

    def check_in(self, person: Person, repeat: bool) -> None:
        body = {"temperature": 36.4 + self.random.randint(0, 5) / 10, "symptoms": []}
        response = self.call("check_in", "POST", self._for("/health-codes/me/check-ins", person), self.resident_token, body)
        if response.status in (200, 201):
            self.checkins.add(person.person_id)
        if repeat:
            again = self.call("check_in", "POST", self._for("/health-codes/me/check-ins", person), self.resident_token, body)
            if again.status in (200, 201) and again.json.get("repeat") is True:
                self._cancelled("check_in")
            elif again.status in (200, 201):
                with self.lock:
                    self.report.unexpected.append(f"a second check-in of {person.person_id} was not answered as a repeat: {again.body[:200]!r}")

    def scan(self, person: Person, repeat: bool) -> None:
        scan_id = f"load-{uuid.uuid4().hex}"
        body: dict[str, Any] = {"scan_id": scan_id, "method": "typed", "id_number": person.id_number, "temperature": 36.5, "direction": "in"}
        response = self.call("scan", "POST", f"/checkpoints/{self.checkpoint_id}/scans", self.staff_token, body)
        if response.status == 201:
            self.scans.append(scan_id)
        if repeat:
            # the device re-sends: the ledger's transaction is cancelled on scan_key and answered as a duplicate
            again = self.call("scan", "POST", f"/checkpoints/{self.checkpoint_id}/scans", self.staff_token, body)
            if again.status == 201 and again.json.get("duplicate") is True:
                self._cancelled("scan")
            elif again.status == 201:
                with self.lock:
                    self.report.unexpected.append(f"a re-sent scan {body['scan_id']} was not answered as a duplicate: {again.body[:200]!r}")

    def tipoff(self, n: int, repeat: bool) -> None:
        body = {
            "category": "gathering",
            "county_code": COUNTY,
            "community_id": COMMUNITY,
            "address": f"渑池县果园村{self.index}组",
            "description": f"村口有人聚集打牌 load {self.index}-{n}-{uuid.uuid4().hex[:8]}",
        }
        key = {"Idempotency-Key": f"load-{uuid.uuid4().hex}"}
        response = self.call("tipoff", "POST", "/tipoffs", self.resident_token, body, headers=key)
        if response.status == 201:
            self.tipoffs.append(response.json["tipoff_id"])
        if repeat:
            again = self.call("tipoff", "POST", "/tipoffs", self.resident_token, body, headers=key)
            if again.status == 201 and again.json.get("tipoff_id") == response.json.get("tipoff_id"):
                self._cancelled("tipoff")
            elif again.status == 201:
                with self.lock:
                    self.report.unexpected.append(f"a repeated tip-off made a second record: {again.body[:200]!r}")

    def run(self, registrations: int, actions: int) -> None:
        self.register(registrations)
        for n in range(actions):
            person = self.people[n % len(self.people)]
            repeat = n % CANCEL_EVERY == CANCEL_EVERY - 1
            if person.person_id not in self.checkins:
                self.check_in(person, repeat)
            self.scan(person, repeat)
            self.tipoff(n, repeat)

    def _cancelled(self, kind: str) -> None:
        with self.lock:
            self.report.cancelled_on_purpose[kind] += 1

    @staticmethod
    def _for(path: str, person: Person) -> str:
        return f"{path}?person={person.person_id}"


def run(stack: LocalStack, per_kind: int, clients: int) -> Report:
    """Drive the load, wait for the pump to drain, and reconcile; the caller asserts on the report."""
    report, lock = Report(per_kind, clients), Lock()
    head = stack.new_user("community_head", {"community_id": COMMUNITY, "county_code": COUNTY}, prefix="load-head")
    checkpoint_id = f"cp-load-{uuid.uuid4().hex[:8]}"
    created = stack.call(
        "POST",
        "/checkpoints",
        head,
        {
            "checkpoint_id": checkpoint_id,
            "name": "渑池压测检测点",
            "kind": "station",
            "community_id": COMMUNITY,
            "entrances": ["正门"],
            "location": {"latitude": 34.76, "longitude": 111.76, "place": "渑池县果园路"},
        },
    )
    assert created.status == 201, created.body
    scope = {"checkpoint_id": checkpoint_id, "community_id": COMMUNITY}
    users = [(stack.new_user("resident", prefix="load-resident"), stack.new_user("checkpoint_staff", scope, prefix="load-staff")) for _ in range(clients)]
    before = stack.request("GET", "/_local/config").json["deliveries"]
    records_before = dynamodb_records(stack, checkpoint_id)
    workers = [Client(stack, report, lock, resident, staff, checkpoint_id, index) for index, (resident, staff) in enumerate(users)]
    shares = [per_kind // clients + (1 if index < per_kind % clients else 0) for index in range(clients)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        for future in [pool.submit(worker.run, share, share) for worker, share in zip(workers, shares, strict=True) if share]:
            future.result()
    report.elapsed = time.perf_counter() - started
    drained = time.perf_counter()
    stack.drain()  # returns once a whole pass of the pump found nothing new (retries delivered or given up)
    report.drain_seconds = time.perf_counter() - drained
    after = stack.request("GET", "/_local/config").json["deliveries"]
    report.retried, report.failed_deliveries = after["retried"] - before["retried"], after["failed"] - before["failed"]
    reconcile(stack, report, head, checkpoint_id, workers, records_before)
    return report


# -- reconciliation -------------------------------------------------------------------------------------------
def _client(stack: LocalStack, service: str) -> Any:
    config = stack.config
    return boto3.client(  # type: ignore[call-overload]
        service, endpoint_url=config["aws_endpoint_url"], region_name=config["region"], aws_access_key_id="local", aws_secret_access_key="local"
    )


def _physical(stack: LocalStack, logical_id: str) -> str:
    names = _client(stack, "dynamodb").list_tables(Limit=100)["TableNames"]
    return str(next(name for name in names if f"-{logical_id}-" in name))


def _items(stack: LocalStack, logical_id: str) -> Iterator[dict[str, Any]]:
    client, start = _client(stack, "dynamodb"), None
    while True:
        page = client.scan(TableName=_physical(stack, logical_id), **({"ExclusiveStartKey": start} if start else {}))
        yield from page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return


def _s(item: dict[str, Any], name: str) -> str | None:
    value = item.get(name)
    return value.get("S") if isinstance(value, dict) else None


def _lake_rows(stack: LocalStack, table: str, keep: Callable[[dict[str, Any]], bool], key: Callable[[dict[str, Any]], str]) -> set[str]:
    """The distinct keys of a lake table's rows that ``keep`` selects (a record appears once per version)."""
    s3 = _client(stack, "s3")
    bucket = next(b["Name"] for b in s3.list_buckets()["Buckets"] if re.match(r"sanmenxia-lake-\d", b["Name"]))  # not lake-results
    keys: set[str] = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{table}/"):
        for obj in page.get("Contents", []):
            if obj["Key"].endswith(".parquet"):
                rows = pq.read_table(io.BytesIO(s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read())).to_pylist()
                keys.update(key(row) for row in rows if keep(row))
    return keys


def _residents_list(stack: LocalStack, head: str) -> set[str]:
    """Every person on the community head's list, page by page (``limit`` + signed ``cursor``)."""
    found: set[str] = set()
    cursor: str | None = None
    while True:
        path = f"/communities/{COMMUNITY}/residents?limit=100" + (f"&cursor={cursor}" if cursor else "")
        response = stack.call("GET", path, head)
        assert response.status == 200, response.body
        found.update(row["person_id"] for row in response.json["items"])
        cursor = response.json.get("next_cursor")
        if not cursor:
            return found


def _audit_id(item: dict[str, Any]) -> str:
    return hashlib.sha256(f"{_s(item, 'target')}|{_s(item, 'sk')}".encode()).hexdigest()[:24]


def dynamodb_records(stack: LocalStack, checkpoint_id: str) -> dict[str, set[str]]:
    """The keys of the community's people, check-ins and tip-offs, the checkpoint's scans and their audit rows."""
    people = {(_s(i, "pk") or "")[7:] for i in _items(stack, "PeopleTable") if (_s(i, "pk") or "").startswith("person#") and _s(i, "community_id") == COMMUNITY}
    checkins = {
        f"{_s(i, 'person_id')}#{(_s(i, 'sk') or '')[8:]}"
        for i in _items(stack, "HealthCodeTable")
        if (_s(i, "sk") or "").startswith("checkin#") and _s(i, "community_id") == COMMUNITY
    }
    scans = {_s(i, "scan_key") or "" for i in _items(stack, "ScansTable") if _s(i, "checkpoint_id") == checkpoint_id}
    tipoffs = {
        (_s(i, "pk") or "")[7:] for i in _items(stack, "TipoffsTable") if (_s(i, "pk") or "").startswith("tipoff#") and _s(i, "community_id") == COMMUNITY
    }
    audit = {_audit_id(i) for i in _items(stack, "AuditTable") if (_s(i, "target") or "").startswith(f"scan#{checkpoint_id}#")}
    return {"people": people, "checkins": checkins, "scans": scans, "tipoffs": tipoffs, "audit": audit}


def reconcile(stack: LocalStack, report: Report, head: str, checkpoint_id: str, workers: list[Client], before: dict[str, set[str]]) -> None:
    """Compare, for the load test's community and checkpoint, what the clients were told with what this run added
    to DynamoDB, and everything DynamoDB holds with what reached the community list, the lake and the audit table."""
    today = stack.today()
    now = dynamodb_records(stack, checkpoint_id)
    people, checkins, scans, tipoffs, audit = (now[kind] for kind in ("people", "checkins", "scans", "tipoffs", "audit"))
    made = {kind: now[kind] - before[kind] for kind in now}  # what this run added (an earlier run may have written here)
    in_community: Callable[[dict[str, Any]], bool] = lambda row: row["community_id"] == COMMUNITY  # noqa: E731
    compared: dict[str, tuple[set[str], dict[str, set[str]]]] = {
        "registrations": (
            people,
            {
                "told": {p.person_id for w in workers for p in w.people},
                "community list": _residents_list(stack, head),
                "lake residents": _lake_rows(stack, "residents", in_community, lambda r: str(r["person_id"])),
            },
        ),
        "check-ins": (
            checkins,
            {
                "told": {f"{person}#{today}" for w in workers for person in w.checkins},
                "lake checkins": _lake_rows(stack, "checkins", in_community, lambda r: f"{r['person_id']}#{r['day']}"),
            },
        ),
        "scans": (
            scans,
            {
                "told": {f"{checkpoint_id}#{scan_id}" for w in workers for scan_id in w.scans},
                "lake scans": _lake_rows(stack, "scans", lambda r: r["checkpoint_id"] == checkpoint_id, lambda r: str(r["scan_key"])),
            },
        ),
        "tip-offs": (
            tipoffs,
            {"told": {t for w in workers for t in w.tipoffs}, "lake tipoffs": _lake_rows(stack, "tipoffs", in_community, lambda r: str(r["tipoff_id"]))},
        ),
        "scan audit rows": (
            audit,
            # the lake's audit rows carry no checkpoint: those of this checkpoint are the ones whose id DynamoDB has
            {"lake audit_actions": _lake_rows(stack, "audit_actions", lambda r: r["target_kind"] == "scan", lambda r: str(r["record_id"])) & audit},
        ),
    }
    if len(audit) != len(scans):
        report.mismatches.append(f"scan audit rows: {len(audit)} in the audit table for {len(scans)} scans in DynamoDB")
    for what, (dynamodb, downstream) in compared.items():
        report.counts[what] = {"dynamodb": len(dynamodb), "made now": len(made[KEYS[what]]), **{where: len(keys) for where, keys in downstream.items()}}
        for where, keys in downstream.items():
            missing, extra = dynamodb - keys, keys - dynamodb
            if where == "told":
                missing, extra = made[KEYS[what]] - keys, keys - made[KEYS[what]]
            if missing or extra:
                report.mismatches.append(
                    f"{what}: {where} misses {len(missing)} of DynamoDB's {len(dynamodb)} {sorted(missing)[:3]}, has {len(extra)} more {sorted(extra)[:3]}"
                )
            if where != "told":
                report.dropped += len(missing)
