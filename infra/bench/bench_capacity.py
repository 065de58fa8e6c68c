"""Benchmark: the capacity model of the morning rush (早高峰容量模型).

For a configured rush (default 10,000 gate scans and 1,000 check-ins a second, spread over the city's counties,
communities and checkpoints as ``infra.lake.generate`` models the city), the load on every DynamoDB partition
key, GSI key and table, every other AWS API and every API Gateway method that the request paths touch, held
against DynamoDB's per-partition limits and table quotas, the account TPS quotas and the template's throttles.

Nothing here restates a key layout: the bench deploys ``template.yaml`` into moto, sends sampled requests of
each kind through the functions' own handlers (so the stores' own key functions choose every key), records each
AWS call with botocore's event hooks and scales the calls to the rush (``capacity.scale``). moto is not timed.

Calls a container makes once (its first request: keys, secrets, cached checkpoints) are charged per container:
``containers = rate x latency``, started over ``--ramp`` seconds and refreshed every ``--refresh`` seconds.

Run: ``make bench`` (or ``python -m infra.bench.bench_capacity --scans 10000 --check-ins 1000``). Exits 1 when
a load is above 50 % of its limit.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import logging
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from infra.bench import capacity
from infra.bench.capacity import Access, KeyId, RushShares, Sample
from infra.lake.generate import CITY_CHECKPOINTS, CITY_RESIDENTS, COUNTY_SHARES
from infra.local import template as tpl
from sanmenxia import aws, clock
from sanmenxia.checkpoints.records import Checkpoint, Location
from sanmenxia.checkpoints.rules import CheckpointKind
from sanmenxia.healthcode import tokens
from sanmenxia.holds import CodeColor
from sanmenxia.idnumber import make_id_number
from tests.support.streams import TableStream

#: Communities per county in the city model (``infra.lake.generate``: ``community_no`` 1..10).
COMMUNITIES_PER_COUNTY = 10
#: The table whose stream the checkpoint counters are counted from, and the function that counts them.
SCANS_TABLE, STATS_FUNCTION = "ScansTable", "CheckpointStatsFunction"


@dataclass
class Rush:
    scans: float = 10_000.0
    check_ins: float = 1_000.0
    qr_share: float = 0.85  # the rest are ID cards and typed numbers (generate: 85 % qr)
    latency: float = 0.05  # seconds a request holds a container (for containers = rate x latency)
    ramp: float = 60.0  # seconds in which the rush's containers start
    refresh: float = 600.0  # seconds between a warm container's re-reads of what it caches (keys, secrets)
    #: The regional API Gateway account throttle this rush needs: AWS's default is 10,000 req/s (adjustable in
    #: Service Quotas); the model holds every route together against this figure and prints the request.
    account_rps: float = 60_000.0

    def rates(self) -> dict[str, float]:
        qr = self.scans * self.qr_share
        return {
            "qr_scan": qr,
            "typed_scan": self.scans - qr,
            "check_in": self.check_ins,
            "my_code": self.check_ins,  # the app shows the code after a check-in
            "token": qr,  # every QR shown at a gate is a token fetched for it
            "home": qr + self.check_ins,  # every app open reads the news feed
        }


def city_shares() -> dict[str, dict[str, float]]:
    """Each county's, community's share of the city's scans and residents (generate's city model)."""
    counties = dict(COUNTY_SHARES)
    communities = {f"{code}-{n:03d}": share / COMMUNITIES_PER_COUNTY for code, share in counties.items() for n in range(1, COMMUNITIES_PER_COUNTY + 1)}
    return {"county": counties, "community": communities}


def checkpoint_share(county: str) -> float:
    """One checkpoint's share of the city's scans: checkpoints are spread over counties by the same shares."""
    per_community = max(1.0, CITY_CHECKPOINTS * COUNTY_SHARES[county] / COMMUNITIES_PER_COUNTY)
    return COUNTY_SHARES[county] / COMMUNITIES_PER_COUNTY / per_community


def stratified(count: int) -> list[tuple[str, str, int]]:
    """``count`` (county, community, turn in the county) in the city's proportions, communities taking turns."""
    found: list[tuple[str, str, int]] = []
    for code, share in COUNTY_SHARES.items():
        for index in range(max(COMMUNITIES_PER_COUNTY, round(count * share))):
            found.append((code, f"{code}-{1 + index % COMMUNITIES_PER_COUNTY:03d}", index))
    return found


# -- recording AWS calls ---------------------------------------------------------------------------------------
@dataclass
class Schema:
    """Partition key attribute of each table and GSI, by physical table name, with logical names for printing."""

    logical: dict[str, str]
    hash_key: dict[str, str]
    index_keys: dict[str, dict[str, str]]


def _schema(dynamodb: Any, physical: dict[str, str]) -> Schema:
    logical = {name: logical_id for logical_id, name in physical.items()}
    hash_key: dict[str, str] = {}
    index_keys: dict[str, dict[str, str]] = {}
    for table in dynamodb.list_tables()["TableNames"]:
        described = dynamodb.describe_table(TableName=table)["Table"]
        hash_key[table] = next(k["AttributeName"] for k in described["KeySchema"] if k["KeyType"] == "HASH")
        index_keys[table] = {
            gsi["IndexName"]: next(k["AttributeName"] for k in gsi["KeySchema"] if k["KeyType"] == "HASH")
            for gsi in described.get("GlobalSecondaryIndexes", [])
        }
    return Schema(logical, hash_key, index_keys)


def _scalar(value: dict[str, Any]) -> str:
    return str(next(iter(value.values())))


@dataclass
class Recorder:
    """Turns the AWS calls of the handlers' clients into ``Access`` records (DynamoDB) and API names (the rest)."""

    schema: Schema
    probe: Any  # a DynamoDB client without hooks, to read items before and after updates
    on: bool = False
    accesses: list[Access] = field(default_factory=list)
    apis: list[str] = field(default_factory=list)
    _pending: list[tuple[str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    def attach(self, events: Any) -> None:
        events.register("before-parameter-build", self._before)
        events.register("after-call", self._after)

    def take(self) -> tuple[list[Access], list[str]]:
        found = self.accesses, self.apis
        self.accesses, self.apis = [], []
        return found

    # -- hooks -------------------------------------------------------------------------------------------------
    def _before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if not self.on:
            return
        service = model.service_model.endpoint_prefix
        old: dict[str, Any] = {}
        if service == "dynamodb":
            for table, key in self._updated_keys(model.name, params):
                old[f"{table}|{sorted(key.items())}"] = self._read(table, key)
        self._pending.append((f"{service}:{model.name}", dict(params), old))

    def _after(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if not self.on or not self._pending:
            return
        api, params, old = self._pending.pop()
        self.apis.append(api)
        if api.startswith("dynamodb:"):
            self._dynamodb(model.name, params, parsed or {}, old)

    # -- DynamoDB ---------------------------------------------------------------------------------------------
    def _read(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self.probe.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
        return item

    def _updated_keys(self, operation: str, params: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        if operation == "UpdateItem":
            return [(params["TableName"], params["Key"])]
        if operation == "TransactWriteItems":
            return [(entry["Update"]["TableName"], entry["Update"]["Key"]) for entry in params["TransactItems"] if "Update" in entry]
        return []

    def _k(self, table: str, index: str | None, value: str) -> KeyId:
        return KeyId(self.schema.logical.get(table, table), index, value)

    def _write(self, table: str, before: dict[str, Any] | None, after: dict[str, Any] | None, *, transactional: bool) -> None:
        size = max(capacity.item_size(before), capacity.item_size(after))
        units = capacity.write_units(size, transactional=transactional)
        item = after or before or {}
        self.accesses.append(Access(self._k(table, None, _scalar(item[self.schema.hash_key[table]])), wcu=units))
        for index, attribute in self.schema.index_keys.get(table, {}).items():
            old = _scalar(before[attribute]) if before and attribute in before else None
            new = _scalar(after[attribute]) if after and attribute in after else None
            gsi_units = capacity.write_units(size)  # GSI replication is not transactional
            if old is not None and old != new:
                self.accesses.append(Access(self._k(table, index, old), wcu=gsi_units))
            if new is not None:
                self.accesses.append(Access(self._k(table, index, new), wcu=gsi_units))

    def _dynamodb(self, operation: str, params: dict[str, Any], parsed: dict[str, Any], old: dict[str, Any]) -> None:
        if operation in ("PutItem", "DeleteItem", "UpdateItem"):
            self._single_write(operation, params, old)
        elif operation == "TransactWriteItems":
            for entry in params["TransactItems"]:
                self._transact_entry(entry, old)
        else:
            handler = {
                "GetItem": self._get,
                "BatchGetItem": self._batch_get,
                "Query": self._query,
                "Scan": self._scan,
                "BatchWriteItem": self._batch_write,
                "TransactGetItems": self._transact_get,
            }.get(operation)
            if handler is not None:
                handler(params, parsed)

    def _get(self, params: dict[str, Any], parsed: dict[str, Any]) -> None:
        table = params["TableName"]
        rcu = capacity.read_units(capacity.item_size(parsed.get("Item")), consistent=bool(params.get("ConsistentRead")))
        self.accesses.append(Access(self._k(table, None, _scalar(params["Key"][self.schema.hash_key[table]])), rcu=rcu))

    def _batch_get(self, params: dict[str, Any], parsed: dict[str, Any]) -> None:
        responses = parsed.get("Responses") or {}
        for table, request in params["RequestItems"].items():
            consistent = bool(request.get("ConsistentRead"))
            for key in request["Keys"]:
                item = next((i for i in responses.get(table, []) if all(i.get(name) == v for name, v in key.items())), None)
                rcu = capacity.read_units(capacity.item_size(item), consistent=consistent)
                self.accesses.append(Access(self._k(table, None, _scalar(key[self.schema.hash_key[table]])), rcu=rcu))

    def _scan(self, params: dict[str, Any], parsed: dict[str, Any]) -> None:
        size = sum(capacity.item_size(item) for item in parsed.get("Items", []))
        key = self._k(params["TableName"], params.get("IndexName"), "<whole table scan>")
        self.accesses.append(Access(key, rcu=capacity.read_units(size, consistent=False)))

    def _batch_write(self, params: dict[str, Any], parsed: dict[str, Any]) -> None:
        for table, requests in params["RequestItems"].items():
            for request in requests:
                if "PutRequest" in request:
                    self._write(table, None, request["PutRequest"]["Item"], transactional=False)
                else:
                    self._write(table, request["DeleteRequest"]["Key"], None, transactional=False)

    def _transact_get(self, params: dict[str, Any], parsed: dict[str, Any]) -> None:
        for entry in params["TransactItems"]:
            get = entry["Get"]
            value = _scalar(get["Key"][self.schema.hash_key[get["TableName"]]])
            self.accesses.append(Access(self._k(get["TableName"], None, value), rcu=capacity.read_units(0, consistent=True, transactional=True)))

    def _single_write(self, operation: str, params: dict[str, Any], old: dict[str, Any]) -> None:
        table = params["TableName"]
        if operation == "PutItem":
            self._write(table, None, params["Item"], transactional=False)
        elif operation == "DeleteItem":
            self._write(table, params["Key"], None, transactional=False)
        else:
            before = old.get(f"{table}|{sorted(params['Key'].items())}")
            self._write(table, before, self._read(table, params["Key"]) or params["Key"], transactional=False)

    def _transact_entry(self, entry: dict[str, Any], old: dict[str, Any]) -> None:
        if "Put" in entry:
            self._write(entry["Put"]["TableName"], None, entry["Put"]["Item"], transactional=True)
        elif "Update" in entry:
            update = entry["Update"]
            before = old.get(f"{update['TableName']}|{sorted(update['Key'].items())}")
            self._write(update["TableName"], before, self._read(update["TableName"], update["Key"]) or update["Key"], transactional=True)
        elif "Delete" in entry:
            self._write(entry["Delete"]["TableName"], entry["Delete"]["Key"], None, transactional=True)
        elif "ConditionCheck" in entry:
            check = entry["ConditionCheck"]
            value = _scalar(check["Key"][self.schema.hash_key[check["TableName"]]])
            self.accesses.append(Access(self._k(check["TableName"], None, value), rcu=capacity.read_units(0, consistent=True, transactional=True)))

    def _query(self, params: dict[str, Any], parsed: dict[str, Any]) -> None:
        table, index = params["TableName"], params.get("IndexName")
        attribute = self.schema.index_keys[table][index] if index else self.schema.hash_key[table]
        names = {placeholder: name for placeholder, name in (params.get("ExpressionAttributeNames") or {}).items()}
        value = "<unknown>"
        for clause in params["KeyConditionExpression"].split(" AND "):
            left, _, right = (part.strip() for part in clause.partition("="))
            if names.get(left, left) == attribute and right in params.get("ExpressionAttributeValues", {}):
                value = _scalar(params["ExpressionAttributeValues"][right])
        size = sum(capacity.item_size(item) for item in parsed.get("Items", []))
        self.accesses.append(Access(self._k(table, index, value), rcu=capacity.read_units(size, consistent=bool(params.get("ConsistentRead")))))


# -- the rush -------------------------------------------------------------------------------------------------
@dataclass
class Recorded:
    samples: list[tuple[Sample, list[Access], list[str], str]] = field(default_factory=list)
    per_container: dict[str, Counter[str]] = field(default_factory=dict)  # kind -> API calls of a cold container
    functions: dict[str, str] = field(default_factory=dict)  # kind -> function
    #: The scans' stream delivered as one batch to the statistics function: its accesses and API calls.
    stream_function: str = STATS_FUNCTION
    stream_records: int = 0
    stream_accesses: list[Access] = field(default_factory=list)
    stream_apis: list[str] = field(default_factory=list)
    mapping: capacity.StreamMapping | None = None


class _NoTableBackup:
    """moto backs up every table a transaction touches (a deep copy) to roll back a cancelled one. Every
    transaction of the recorded requests succeeds (each response is asserted), so the copy is skipped."""

    @staticmethod
    def deepcopy(value: Any) -> Any:
        from moto.dynamodb.models.table import Table

        return value if isinstance(value, Table) else copy.deepcopy(value)


@contextmanager
def _stack() -> Iterator[Any]:
    import moto.dynamodb.models as moto_dynamodb

    from tests.support.stack import deployed_stack

    saved_copy, saved_offset = moto_dynamodb.copy, clock.offset_seconds()  # type: ignore[attr-defined]
    logging.disable(logging.INFO)  # the functions' INFO logs (Powertools writes them to the stdout it found)
    moto_dynamodb.copy = _NoTableBackup  # type: ignore[attr-defined,assignment]
    # The rush is at 08:00 in Asia/Shanghai today, so every sampled request falls in one day and one hour.
    rush_hour = clock.now_shanghai().replace(hour=8, minute=0, second=0, microsecond=0)
    clock.set_offset(saved_offset + (rush_hour - clock.now_shanghai()).total_seconds())
    try:
        with deployed_stack() as stack:
            yield stack
    finally:
        moto_dynamodb.copy = saved_copy  # type: ignore[attr-defined]
        clock.set_offset(saved_offset)
        logging.disable(logging.NOTSET)


def _claims(sub: str, role: str, **scope: str) -> dict[str, Any]:
    from tests.support.stack import claims_for

    return claims_for(sub, role, **scope)


def given_residents(stack: Any, pairs: list[tuple[str, str, int]]) -> tuple[tokens.SigningKey, list[dict[str, Any]], dict[str, str]]:
    """A published signing key and, per ``(county, community, turn)``, a checkpoint and a registered resident with
    a green code; returns the key, the residents and each resident's ID-number key."""
    from sanmenxia.healthcode.store import HealthCodeStore, PublishedKeySet
    from sanmenxia.holds import HoldStore
    from sanmenxia.people import NewPerson
    from sanmenxia.services import people as people_registry

    db = stack.client("dynamodb")
    secret = stack.client("secretsmanager").get_secret_value(SecretId=stack.table("HealthCodeSigningSecret"))["SecretString"]
    key = tokens.signing_key_from_secret(secret)
    PublishedKeySet(stack.client("ssm"), stack.table("HealthCodeJwksParameter")).publish([key])
    holds = HoldStore(db, stack.table("HoldsTable"))
    codes = HealthCodeStore(db, stack.table("HealthCodeTable"), holds)
    with stack.function_env("CheckpointsFunction"):
        stack.module("CheckpointsFunction")
        registry = people_registry(stack.module("CheckpointsFunction").settings())
    residents: list[dict[str, Any]] = []
    now = clock.iso()
    checkpoint_table = stack.table("CheckpointsTable")
    for index, (county, community, turn) in enumerate(pairs):
        checkpoint_id = f"cp-rush-{index:05d}"
        checkpoint = Checkpoint(
            checkpoint_id,
            f"检测点 {index}",
            CheckpointKind.RESIDENTIAL_COMPOUND,
            county,
            community,
            ("北门",),
            Location(34.7, 111.2, "路口"),
            True,
            "bench",
            now,
            now,
        )
        db.put_item(TableName=checkpoint_table, Item=checkpoint.item())
        id_number = make_id_number(county, date(1950, 1, 1) + timedelta(days=index * 11), index % 1000)
        sub = f"sub-rush-{index:05d}"
        person = registry.register(sub, NewPerson("张三", id_number, county, community, "前进路1号"))
        codes.apply(person.person_id, county_code=county, community_id=community, applied_by=sub, declared_fever=False, declared_isolation=False)
        residents.append(
            {
                "county": county,
                "community": community,
                "turn": turn,
                "checkpoint": checkpoint_id,
                "sub": sub,
                "person_id": person.person_id,
                "id_number": id_number,
            }
        )
    return key, residents, {r["person_id"]: registry.id_key(r["id_number"]) for r in residents}


def record_rush(samples: int) -> Recorded:
    """Send ``samples`` sampled requests of each kind through the handlers on moto and record their AWS calls."""
    from sanmenxia import services

    recorded = Recorded()
    with _stack() as stack:
        db = stack.client("dynamodb")
        recorder = Recorder(_schema(db, stack.deployment.physical), db)
        services.reset()
        aws.reset()
        recorder.attach(aws._session().events)

        # Given: the sampled checkpoints, residents with green codes, and a published key.
        key, residents, id_keys = given_residents(stack, stratified(samples))

        def scan_request(resident: dict[str, Any], qr: bool) -> tuple[str, str, dict[str, Any], dict[str, Any]]:
            staff = _claims(f"sub-{resident['checkpoint']}", "checkpoint_staff", checkpoint_id=resident["checkpoint"], community_id=resident["community"])
            scan_id = uuid.uuid4().hex
            body: dict[str, Any] = {"scan_id": scan_id, "temperature": 36.5, "direction": "in"}
            if qr:
                body.update(method="qr", token=tokens.issue_token(key, resident["person_id"], CodeColor.GREEN, now=clock.now(), ttl=timedelta(minutes=5)))
            else:
                body.update(method="typed", id_number=resident["id_number"])
            return "POST", f"/checkpoints/{resident['checkpoint']}/scans", staff, body

        def resident_claims(resident: dict[str, Any]) -> dict[str, Any]:
            return _claims(resident["sub"], "resident")

        kinds: dict[str, Callable[[dict[str, Any]], tuple[str, str, dict[str, Any], Any]]] = {
            "qr_scan": lambda r: scan_request(r, True),
            "typed_scan": lambda r: scan_request(r, False),
            "check_in": lambda r: ("POST", "/health-codes/me/check-ins", resident_claims(r), {"temperature": 36.5, "symptoms": []}),
            "my_code": lambda r: ("GET", "/health-codes/me", resident_claims(r), None),
            "token": lambda r: ("GET", "/health-codes/me/token", resident_claims(r), None),
            "home": lambda r: ("GET", "/portal/articles", resident_claims(r), None),
        }
        scan_stream = TableStream(stack, SCANS_TABLE, STATS_FUNCTION)
        for kind, make in kinds.items():
            services.reset()  # a cold container per kind: its first request pays for what containers cache
            aws.reset()
            recorder.attach(aws._session().events)
            stack.modules.clear()
            cold_calls: Counter[str] | None = None
            warm: Counter[str] = Counter()
            for resident in residents:
                method, path, claims, body = make(resident)
                recorder.on = True
                with contextlib.redirect_stdout(io.StringIO()):  # the functions' logs and metrics
                    response = stack.request(method, path, claims=claims, body=body)
                recorder.on = False
                accesses, apis = recorder.take()
                assert response.status < 300, (kind, response.status, response.body[:300])
                if cold_calls is None:
                    cold_calls = Counter(apis)
                    continue
                warm.update(apis)
                route = next(r for r in tpl.routes() if r.match(method, path) is not None)
                recorded.functions[kind] = route.function
                entities = {
                    "unique": (resident["person_id"], resident["sub"], id_keys[resident["person_id"]], str((body or {}).get("scan_id", "")) or resident["sub"]),
                    "checkpoint": (resident["checkpoint"],) if kind.endswith("scan") else (),
                    "community": (resident["community"],),
                    "county": (resident["county"],),
                }
                recorded.samples.append((Sample(kind, entities), accesses, apis, f"{route.method} {route.path}"))
            assert cold_calls is not None
            runs = max(1, len(residents) - 1)
            recorded.per_container[kind] = Counter({api: count - warm[api] / runs for api, count in cold_calls.items() if count - warm[api] / runs > 0.5})
        # The sampled scans' stream records, as one batch to the statistics function (what a shard's batch holds)
        records = [record for record in scan_stream.read() if record["eventName"] == "INSERT"]
        services.reset()
        aws.reset()
        recorder.attach(aws._session().events)
        recorder.on = True
        with contextlib.redirect_stdout(io.StringIO()):
            scan_stream.invoke(records)
        recorder.on = False
        recorded.stream_records = len(records)
        recorded.stream_accesses, recorded.stream_apis = recorder.take()
    return recorded


def shares_for(rush: Rush) -> RushShares:
    shares = city_shares()
    shares["checkpoint"] = {}
    return RushShares(rush.rates(), shares, unique_rate=1 / 60)


def _checkpoint_shares(recorded: Recorded) -> dict[str, float]:
    found: dict[str, float] = {}
    for sample, _, _, _ in recorded.samples:
        if sample.entities.get("checkpoint"):
            found[sample.entity("checkpoint")] = checkpoint_share(sample.entity("county"))
    return found


def model(rush: Rush, recorded: Recorded) -> tuple[capacity.Load, list[capacity.Finding]]:
    shares = shares_for(rush)
    shares.shares["checkpoint"].update(_checkpoint_shares(recorded))  # type: ignore[attr-defined]
    rates = rush.rates()
    sam = tpl.load()
    api_props = sam["Resources"]["Api"]["Properties"]
    cached = capacity.cached_methods(api_props)
    # A cached method reaches its function once per cache key and TTL: the home screen's first page is one key.
    backend = {sample.kind: min(1.0, (1 / cached[route]) / rates[sample.kind]) for sample, _, _, route in recorded.samples if route in cached}
    load = capacity.scale(recorded.samples, shares, backend)
    for kind, calls in recorded.per_container.items():
        containers = rates[kind] * rush.latency
        per_second = containers / rush.ramp + containers / rush.refresh
        for api, count in calls.items():
            load.apis[api] += count * per_second
    stream_load(rush, recorded, shares, load)
    limits = capacity.method_throttles(api_props, [(route.method, route.path) for route in tpl.routes()])
    return load, capacity.findings(load, limits, rush.account_rps)


def stream_mapping(rush: Rush, load: capacity.Load) -> capacity.StreamMapping:
    """The statistics function's mapping at the rush: shards from the scans table's load, batch size and window
    from the template's event source."""
    event = next(
        e["Properties"]
        for e in (tpl.functions()[STATS_FUNCTION]["Properties"].get("Events") or {}).values()
        if e["Type"] == "DynamoDB" and tpl.logical_id(e["Properties"]["Stream"]) == SCANS_TABLE
    )
    rcu, wcu = load.tables()[(SCANS_TABLE, None)]
    return capacity.StreamMapping.of(wcu, rcu, rush.scans, int(event.get("BatchSize", 100)), float(event.get("MaximumBatchingWindowInSeconds", 0)))


def stream_load(rush: Rush, recorded: Recorded, shares: RushShares, load: capacity.Load) -> None:
    """Add the statistics function's writes: a marker per scanned person (at the scan rate), a counter once per
    batch that holds one of its scans (``StreamMapping.updates`` of the counter's scan rate), a receipt per
    transaction."""
    if not recorded.stream_records:
        return
    mapping = stream_mapping(rush, load)
    scans = [sample for sample, _, _, _ in recorded.samples if sample.kind.endswith("scan")]
    levels = [(access, *_level(scans, access.key.value)) for access in recorded.stream_accesses]
    receipts = [access for access, level, _ in levels if level == "city"]
    # At the rush a person is in a batch once (a scan a minute at most, batches of seconds): one marker write per
    # scan, whatever number of the person's sampled scans this one batch holds.
    markers = sum(1 for _, level, _ in levels if level == "unique")
    counter_updates = 0.0
    for access, level, entity in levels:
        if level == "unique":
            load.add(access.key, access, shares.unique_rate, rush.scans / markers)
        elif level != "city":
            updates = mapping.updates(rush.scans * shares.shares[level].get(entity, 0.0))
            counter_updates += updates
            load.add(access.key, access, updates, updates)
    transactions = max(mapping.batches, counter_updates / 99)
    for access in receipts:
        load.add(access.key, access, mapping.batches_per_shard, transactions / len(receipts))
    recorded.mapping = mapping


def _level(samples: list[Sample], value: str) -> tuple[str, str]:
    """The most specific level (and entity) any sampled scan names in a key value."""
    best = ("city", "*")
    for sample in samples:
        level = sample.level_of(value)
        if capacity.LEVELS.index(level) < capacity.LEVELS.index(best[0]):
            best = (level, sample.entity(level))
    return best


def _print(rush: Rush, recorded: Recorded, load: capacity.Load, found: list[capacity.Finding], top: int) -> None:
    rates = rush.rates()
    print(f"Rush: {rush.scans:,.0f} scans/s ({100 * rush.qr_share:.0f} % QR), {rush.check_ins:,.0f} check-ins/s; city model {CITY_RESIDENTS:,} residents, "
          f"{CITY_CHECKPOINTS:,} checkpoints, {len(COUNTY_SHARES)} counties x {COMMUNITIES_PER_COUNTY} communities; "
          f"busiest county {100 * max(COUNTY_SHARES.values()):.0f} %")  # fmt: skip
    per_kind: dict[str, Counter[str]] = defaultdict(Counter)
    counts: Counter[str] = Counter()
    for sample, _, apis, _ in recorded.samples:
        per_kind[sample.kind].update(apis)
        counts[sample.kind] += 1
    print("AWS calls per request (warm container), and per cold container:")
    for kind, rate in rates.items():
        calls = ", ".join(f"{api} {n / counts[kind]:.2f}" for api, n in sorted(per_kind[kind].items()))
        cold = ", ".join(f"{api} {n:.0f}" for api, n in sorted(recorded.per_container.get(kind, {}).items())) or "none"
        print(f"  {kind:<11} {rate:8,.0f}/s  {recorded.functions.get(kind, '?'):<22} {sum(per_kind[kind].values()) / counts[kind]:.2f} calls: {calls}")
        print(f"  {'':<11} {'':>10}  cold container extra: {cold}")
    if recorded.mapping:
        mapping, stream_calls = recorded.mapping, Counter(recorded.stream_apis)
        per_batch = ", ".join(f"{api} {n}" for api, n in sorted(stream_calls.items()))
        print(f"  statistics  {STATS_FUNCTION} from the {SCANS_TABLE} stream: {mapping.shards} shards x {mapping.batches_per_shard:.3f} batches/s; "
              f"the sampled batch of {recorded.stream_records} scans made {per_batch}")  # fmt: skip
    print(f"Account throttle held against: {rush.account_rps:,.0f} req/s (AWS default {capacity.ACCOUNT_RPS:,.0f}: a Service Quotas increase)")
    over = [finding for finding in found if finding.over]
    print(f"Worst loads (limit: {100 * capacity.HEADROOM:.0f} % of each); {len(over)} above:")
    for finding in found[:top]:
        print("  " + finding.line())
    _print_table_sources(rush, recorded, [finding.name for finding in over if finding.what == "table"])
    keys_over = sum(1 for finding in over if finding.what == "key")
    print(f"  keys above {100 * capacity.HEADROOM:.0f} %: {keys_over}; tables/GSIs above: {sum(1 for f in over if f.what == 'table')}; "
          f"APIs above: {sum(1 for f in over if f.what == 'api')}; routes above: {sum(1 for f in over if f.what in ('route', 'account'))}")  # fmt: skip


def _print_table_sources(rush: Rush, recorded: Recorded, tables: list[str]) -> None:
    """Where each table above the limit takes its load from: request kind and operation, units a second."""
    rates, counts = rush.rates(), Counter(sample.kind for sample, _, _, _ in recorded.samples)
    for name in tables:
        parts: dict[str, float] = defaultdict(float)
        for sample, accesses, _, _ in recorded.samples:
            for access in accesses:
                label = f"{access.key.table}[{access.key.index}]" if access.key.index else access.key.table
                if label == name:
                    parts[f"{sample.kind} {'R' if access.rcu else 'W'}"] += (access.rcu + access.wcu) * rates[sample.kind] / counts[sample.kind]
        top = sorted(parts.items(), key=lambda pair: -pair[1])[:6]
        print(f"    {name}: " + ", ".join(f"{part} {units:,.0f}/s" for part, units in top))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scans", type=float, default=Rush.scans, help="gate scans per second")
    parser.add_argument("--check-ins", type=float, default=Rush.check_ins, help="check-ins per second")
    parser.add_argument("--samples", type=int, default=200, help="sampled requests of each kind")
    parser.add_argument("--top", type=int, default=25, help="worst loads to print")
    args = parser.parse_args(argv)
    rush = Rush(scans=args.scans, check_ins=args.check_ins)
    started = time.perf_counter()
    recorded = record_rush(args.samples)
    load, found = model(rush, recorded)
    _print(rush, recorded, load, found, args.top)
    print(f"  (recorded {len(recorded.samples)} requests on moto in {time.perf_counter() - started:.0f} s; moto is not timed)")
    return 1 if any(finding.over for finding in found) else 0


if __name__ == "__main__":
    sys.exit(main())
