"""The capacity model's arithmetic (pure): DynamoDB capacity units of recorded calls, per-key rates scaled from
sampled requests to a configured rush, and the quotas each load is held against.

``bench_capacity`` drives the real request paths (the functions' handlers, the stores' own key functions) on
moto and records every AWS call they make; this module turns those records into loads:

* a **key** is a partition key value of a table or of one of its GSIs; its load is RCU/s and WCU/s against
  DynamoDB's per-partition limits (3,000 RCU, 1,000 WCU): one partition key never spreads over partitions;
* a **table** (and each GSI) sums its keys against the per-table on-demand quota (40,000 RRU/WRU by default);
* an **API** is one service operation (``ssm:GetParameter``) against its account TPS quota;
* a **route** is one API Gateway method against its throttle in ``template.yaml`` and the account's limit.

Rates: a sampled request stands for its share of the rush. Every key is classed by the most specific entity
its value names (a person or a request, a checkpoint, a community, a county, or nothing: the whole city), and
one occurrence adds ``rate(entity) / samples(entity)``, so a county key carries the county's share of the
rush whatever the sample size, and write-sharded keys carry their shard's share.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: DynamoDB's limits for one partition (a partition key never spreads over two partitions).
PARTITION_RCU = 3000.0
PARTITION_WCU = 1000.0
#: DynamoDB on-demand default per-table (and per-GSI) throughput quota.
TABLE_RRU = 40_000.0
TABLE_WRU = 40_000.0
#: API Gateway's account-level throttle per region (adjustable) and its default per-method throttles.
ACCOUNT_RPS = 10_000.0
#: The share of any limit a key may use at the configured rush.
HEADROOM = 0.5

#: Account TPS quotas of the other services the request paths call (per region, defaults).
SERVICE_TPS: dict[str, float] = {
    "ssm:GetParameter": 40.0,  # Parameter Store standard throughput
    "ssm:GetParameters": 40.0,
    "ssm:PutParameter": 3.0,  # Parameter Store writes
    "secretsmanager:GetSecretValue": 10_000.0,
    "kms:Decrypt": 5_500.0,  # symmetric cryptographic operations, shared
    "kms:GenerateDataKey": 5_500.0,
    "kms:Encrypt": 5_500.0,
    "sqs:SendMessage": 100_000.0,  # standard queues: practically unlimited
    "s3:GetObject": 5_500.0,  # per prefix
    "s3:PutObject": 3_500.0,  # per prefix
    "cognito-idp:AdminGetUser": 120.0,
}
#: Operations that share one quota (KMS counts every cryptographic operation together).
SHARED_QUOTA = {"kms:Decrypt": "kms:cryptographic", "kms:GenerateDataKey": "kms:cryptographic", "kms:Encrypt": "kms:cryptographic"}


# -- item sizes and capacity units --------------------------------------------------------------------------
def _number_size(text: str) -> int:
    digits = len(text.lstrip("-").replace(".", "").lstrip("0")) or 1
    return 1 + math.ceil(digits / 2)


def value_size(value: Mapping[str, Any]) -> int:
    """Bytes of one DynamoDB attribute value (the documented sizing rules, close enough for capacity)."""
    kind, inner = next(iter(value.items()))
    if kind == "S":
        return len(str(inner).encode())
    if kind == "N":
        return _number_size(str(inner))
    if kind == "B":
        return len(inner) if isinstance(inner, bytes | bytearray) else len(str(inner))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(str(v).encode()) for v in inner)
    if kind == "NS":
        return sum(_number_size(str(v)) for v in inner)
    if kind == "BS":
        return sum(len(v) for v in inner)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(len(name.encode()) + 1 + value_size(v) for name, v in inner.items())
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item: Mapping[str, Any] | None) -> int:
    """Bytes of an item: attribute names plus values."""
    if not item:
        return 0
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def write_units(size: int, *, transactional: bool = False) -> float:
    """WCU of one write of an item of ``size`` bytes (1 KB units, at least one; twice in a transaction)."""
    return max(1, math.ceil(size / 1024)) * (2 if transactional else 1)


def read_units(size: int, *, consistent: bool, transactional: bool = False) -> float:
    """RCU of reading ``size`` bytes in one request (4 KB units, at least one; half when eventually consistent)."""
    units = float(max(1, math.ceil(size / 4096)))
    if transactional:
        return units * 2
    return units if consistent else units / 2


# -- recorded accesses and their scaling ---------------------------------------------------------------------
@dataclass(frozen=True)
class KeyId:
    """One partition key of a table or of one of its GSIs."""

    table: str
    index: str | None
    value: str

    def label(self) -> str:
        where = f"{self.table}[{self.index}]" if self.index else self.table
        return f"{where} {self.value}"


@dataclass(frozen=True)
class Access:
    """Capacity one call used on one key (``read``/``write`` units, per occurrence)."""

    key: KeyId
    rcu: float = 0.0
    wcu: float = 0.0


#: Entity levels, most specific first; ``city`` matches every key.
LEVELS: tuple[str, ...] = ("unique", "checkpoint", "community", "county", "city")


@dataclass(frozen=True)
class Sample:
    """One sampled request: its kind (``qr_scan``), the rush rate of that kind, and its entities by level."""

    kind: str
    entities: Mapping[str, tuple[str, ...]]  # level -> ids that name it in key values (e.g. person id, scan id)

    def level_of(self, value: str) -> str:
        for level in LEVELS[:-1]:
            if any(token and token in value for token in self.entities.get(level, ())):
                return level
        return "city"

    def entity(self, level: str) -> str:
        ids = self.entities.get(level, ())
        return ids[0] if ids else "*"


@dataclass
class RushShares:
    """How a kind's rate divides among entities: ``rate(kind) * share(level, entity)``."""

    rates: Mapping[str, float]  # kind -> requests per second
    shares: Mapping[str, Mapping[str, float]]  # level -> entity -> share of the kind's rate
    unique_rate: float  # requests per second that name one person (or one request) at the rush

    def rate(self, kind: str, level: str, entity: str) -> float:
        if level == "city":
            return self.rates[kind]
        if level == "unique":
            return min(self.rates[kind], self.unique_rate)
        return self.rates[kind] * self.shares[level].get(entity, 0.0)


@dataclass
class Load:
    """Per-second loads of a rush, summed from sampled accesses: per key, and per table (or GSI).

    A table's load is not the sum of its sampled keys: a person's key carries one person's rate, while the table
    takes every person's; each access adds to its table at the rate of its kind (``rate(kind) / samples(kind)``)."""

    keys: dict[KeyId, list[float]] = field(default_factory=lambda: defaultdict(lambda: [0.0, 0.0]))
    apis: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    routes: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    table_totals: dict[tuple[str, str | None], list[float]] = field(default_factory=lambda: defaultdict(lambda: [0.0, 0.0]))

    def add(self, key: KeyId, access: Access, key_rate: float, table_rate: float) -> None:
        entry, total = self.keys[key], self.table_totals[(key.table, key.index)]
        entry[0] += access.rcu * key_rate
        entry[1] += access.wcu * key_rate
        total[0] += access.rcu * table_rate
        total[1] += access.wcu * table_rate

    def tables(self) -> dict[tuple[str, str | None], list[float]]:
        return self.table_totals


@dataclass(frozen=True)
class StreamMapping:
    """A stream event source at the rush: ``shards`` stream shards (one per table partition), each delivering
    ``batches_per_shard`` batches a second (the batching window, or sooner when a batch fills)."""

    shards: int
    batches_per_shard: float

    @classmethod
    def of(cls, table_wcu: float, table_rcu: float, record_rate: float, batch_size: int, window: float) -> StreamMapping:
        shards = max(1, math.ceil(max(table_wcu / PARTITION_WCU, table_rcu / PARTITION_RCU)))
        per_shard = record_rate / shards
        return cls(shards, max(1.0 / max(window, 0.001), per_shard / batch_size))

    @property
    def batches(self) -> float:
        """Batches a second over all shards."""
        return self.shards * self.batches_per_shard

    def updates(self, rate: float) -> float:
        """Writes a second to an item that ``rate`` records a second touch, written once per batch that holds
        one of them (records spread evenly over the shards' batches: a Poisson count per batch)."""
        return self.batches * (1.0 - math.exp(-rate / self.batches)) if rate > 0 else 0.0


def scale(recorded: Iterable[tuple[Sample, list[Access], list[str], str]], shares: RushShares, backend: Mapping[str, float] | None = None) -> Load:
    """Rush loads from sampled requests: each ``(sample, accesses, api calls, route)`` of the recording.

    Every occurrence counts ``rate(kind, level, entity) / samples(kind, level, entity)``. ``backend`` gives, per
    kind, the share of its requests that reach the function (a route served from a cache passes only misses)."""
    backend = backend or {}
    recorded = list(recorded)
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    for sample, _, _, _ in recorded:
        for level in LEVELS:
            counts[(sample.kind, level, sample.entity(level) if level != "city" else "*")] += 1
    load = Load()

    def weight(sample: Sample, level: str) -> float:
        entity = sample.entity(level) if level != "city" else "*"
        return shares.rate(sample.kind, level, entity) / counts[(sample.kind, level, entity)]

    for sample, accesses, apis, route in recorded:
        passed = backend.get(sample.kind, 1.0)
        city = weight(sample, "city")
        for access in accesses:
            level = sample.level_of(access.key.value)
            load.add(access.key, access, weight(sample, level) * passed, city * passed)
        for api in apis:
            load.apis[api] += city * passed
        load.routes[route] += city
    return load


# -- limits ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Finding:
    what: str  # "key", "table", "api", "route", "account"
    name: str
    load: float
    limit: float
    unit: str

    @property
    def share(self) -> float:
        return self.load / self.limit if self.limit else math.inf

    @property
    def over(self) -> bool:
        """Above ``HEADROOM`` (a load of exactly half its limit, summed in floating point, is not)."""
        return self.share > HEADROOM * (1 + 1e-9)

    def line(self) -> str:
        return f"{100 * self.share:7.1f} %  {self.load:12,.1f} / {self.limit:9,.0f} {self.unit:<7} {self.what:<7} {self.name}"


def _key_findings(load: Load) -> list[Finding]:
    found: list[Finding] = []
    for key, (rcu, wcu) in load.keys.items():
        if rcu:
            found.append(Finding("key", key.label(), rcu, PARTITION_RCU, "RCU/s"))
        if wcu:
            found.append(Finding("key", key.label(), wcu, PARTITION_WCU, "WCU/s"))
    for (table, index), (rcu, wcu) in load.tables().items():
        name = f"{table}[{index}]" if index else table
        if rcu:
            found.append(Finding("table", name, rcu, TABLE_RRU, "RRU/s"))
        if wcu:
            found.append(Finding("table", name, wcu, TABLE_WRU, "WRU/s"))
    return found


def _api_findings(load: Load) -> list[Finding]:
    shared: dict[str, float] = defaultdict(float)
    for api, tps in load.apis.items():
        if not api.startswith("dynamodb:"):
            shared[SHARED_QUOTA.get(api, api)] += tps
    found = []
    for name, tps in shared.items():
        limit = SERVICE_TPS.get(name) or min((SERVICE_TPS[api] for api, group in SHARED_QUOTA.items() if group == name), default=math.inf)
        found.append(Finding("api", name, tps, limit, "TPS"))
    return found


def findings(load: Load, route_limits: Mapping[str, float], account_rps: float = ACCOUNT_RPS) -> list[Finding]:
    """Every load against its limit, worst first."""
    found = _key_findings(load) + _api_findings(load)
    for route, rps in load.routes.items():
        found.append(Finding("route", route, rps, route_limits.get(route, account_rps), "req/s"))
    found.append(Finding("account", "API Gateway requests, all routes", sum(load.routes.values()), account_rps, "req/s"))
    found.sort(key=lambda finding: finding.share, reverse=True)
    return found


def _resource_path(value: str) -> str:
    """A ``MethodSettings`` resource path as a route path: ``/~1checkpoints~1{id}`` is ``/checkpoints/{id}``."""
    return value if value == "/*" or "~1" not in value else "/" + value.removeprefix("/").replace("~1", "/").removeprefix("/")


def cached_methods(api_properties: Mapping[str, Any]) -> dict[str, float]:
    """``METHOD /path`` -> cache TTL (seconds) of the methods the stage cache serves (``CachingEnabled``)."""
    if not api_properties.get("CacheClusterEnabled"):
        return {}
    found = {}
    for setting in api_properties.get("MethodSettings") or []:
        if setting.get("CachingEnabled") and setting.get("ResourcePath", "/*") != "/*":
            found[f"{setting.get('HttpMethod', 'GET')} {_resource_path(setting['ResourcePath'])}"] = float(setting.get("CacheTtlInSeconds", 300))
    return found


def method_throttles(api_properties: Mapping[str, Any], routes: Iterable[tuple[str, str]]) -> dict[str, float]:
    """The rate limit (req/s) of each ``METHOD /path`` from an ``AWS::Serverless::Api``'s ``MethodSettings``.

    The most specific setting wins: an exact ``ResourcePath`` and ``HttpMethod`` over ``/*`` and ``*``."""
    settings = list(api_properties.get("MethodSettings") or [])
    limits: dict[str, float] = {}
    for method, path in routes:
        best: tuple[int, float] | None = None
        for setting in settings:
            resource, verb = _resource_path(setting.get("ResourcePath", "/*")), setting.get("HttpMethod", "*")
            if resource not in ("/*", path) or verb not in ("*", method):
                continue
            if "ThrottlingRateLimit" not in setting:
                continue
            rank = (resource == path) * 2 + (verb == method)
            if best is None or rank >= best[0]:
                best = (rank, float(setting["ThrottlingRateLimit"]))
        if best is not None:
            limits[f"{method} {path}"] = best[1]
    return limits
