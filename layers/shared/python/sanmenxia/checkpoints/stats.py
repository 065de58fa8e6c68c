"""Live checkpoint statistics (检测点实时统计) as counters, and the arithmetic behind them.

Every scan adds to counters at three levels (the checkpoint, its community, its county), each per day and
per hour of the scan's own time in Asia/Shanghai, so a late sync lands in the hour the scan happened.
Counters are DynamoDB items updated in the scan's transaction:

* counter ``pk = <level>#<id>#<yyyy-mm-dd>#<shard>``, ``sk = d`` (the day) or ``h#<HH>`` (an hour),
  attributes ``scans, passes, stops, fevers, unique_persons, ins, outs``;
* marker ``pk = mk#<level>#<id>#<yyyy-mm-dd>#<person>``, ``sk = d`` or ``h<HH>``: written only if absent; the
  transaction that writes it adds one to ``unique_persons`` of that level and bucket.

Busy levels are write-sharded **in the partition key** (a county's counters take every scan of hundreds of
checkpoints; DynamoDB limits one partition key to 1,000 WCU/s whatever its sort keys): a scan adds to one
shard chosen from its key, and a read queries every shard and sums them. A marker is its own partition key,
so no marker partition is shared by the people of a county. The shard counts come from the capacity model
(``make bench``: ``infra/bench/bench_capacity.py``). This module is pure.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from typing import Any

from sanmenxia.checkpoints.rules import Decision, Direction
from sanmenxia.clock import SHANGHAI


class Level(StrEnum):
    CHECKPOINT = "cp"  # 检测点
    COMMUNITY = "cm"  # 社区(村)
    COUNTY = "ct"  # 县(市、区)


#: Write shards per level, sized by the capacity model: the busiest county takes 26 % of 10,000 scans/s, each
#: writing a day and an hour item in a transaction (4 WCU); 32 shards keep a shard near 325 WCU/s.
SHARDS: dict[Level, int] = {Level.CHECKPOINT: 1, Level.COMMUNITY: 4, Level.COUNTY: 32}


@dataclass(frozen=True)
class ItemKey:
    pk: str
    sk: str


@dataclass(frozen=True)
class ScanFacts:
    """What the counters need to know about one scanned person (no personal data: ``person_ref`` is opaque)."""

    scan_key: str
    checkpoint_id: str
    community_id: str
    county_code: str
    person_ref: str
    at: datetime
    direction: Direction
    decision: Decision
    fever: bool


@dataclass(frozen=True)
class Touch:
    """One counter a scan adds to, and the marker that decides whether the person is new there."""

    counter: ItemKey
    marker: ItemKey


def day_of(moment: datetime) -> str:
    """The Asia/Shanghai calendar day of an instant, ``yyyy-mm-dd``."""
    return moment.astimezone(SHANGHAI).date().isoformat()


def hour_of(moment: datetime) -> str:
    """The Asia/Shanghai hour of an instant, ``HH``."""
    return f"{moment.astimezone(SHANGHAI).hour:02d}"


def counter_partition(level: Level, scope_id: str, day: str, shard: int) -> str:
    """The partition key of one shard of a level's day counters."""
    return f"{level.value}#{scope_id}#{day}#{shard:02d}"


def counter_partitions(level: Level, scope_id: str, day: str) -> list[str]:
    """Every shard's partition key of a level's day (what a read sums)."""
    return [counter_partition(level, scope_id, day, shard) for shard in range(SHARDS[level])]


def marker_partition(level: Level, scope_id: str, day: str, person_ref: str) -> str:
    """The partition key of one person's markers at one level and day (its own key: never a shared hot one)."""
    return f"mk#{level.value}#{scope_id}#{day}#{person_ref}"


def shard_of(scan_key: str, level: Level) -> int:
    """A stable shard for a scan (same scan, same shard: a retried scan never spreads over two)."""
    return zlib.crc32(scan_key.encode()) % SHARDS[level]


def scopes(facts: ScanFacts) -> list[tuple[Level, str]]:
    return [(Level.CHECKPOINT, facts.checkpoint_id), (Level.COMMUNITY, facts.community_id), (Level.COUNTY, facts.county_code)]


def touches(facts: ScanFacts) -> list[Touch]:
    """The counters (day and hour, at each level) that one scanned person adds to."""
    day, hour = day_of(facts.at), hour_of(facts.at)
    found = []
    for level, scope_id in scopes(facts):
        counters = counter_partition(level, scope_id, day, shard_of(facts.scan_key, level))
        markers = marker_partition(level, scope_id, day, facts.person_ref)
        found.append(Touch(ItemKey(counters, "d"), ItemKey(markers, "d")))
        found.append(Touch(ItemKey(counters, f"h#{hour}"), ItemKey(markers, f"h{hour}")))
    return found


@dataclass
class Counts:
    """The counters of one bucket (a day or an hour) at one level."""

    scans: int = 0
    passes: int = 0
    stops: int = 0
    fevers: int = 0
    unique_persons: int = 0
    ins: int = 0
    outs: int = 0

    @property
    def balance(self) -> int:
        """In/out balance (进出差): people who came in and have not gone out through a gate of this scope."""
        return self.ins - self.outs

    def add(self, other: Mapping[str, int]) -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + int(other.get(item.name, 0)))

    def nonzero(self) -> dict[str, int]:
        return {item.name: getattr(self, item.name) for item in fields(self) if getattr(self, item.name)}

    def to_json(self) -> dict[str, int]:
        body = {item.name: getattr(self, item.name) for item in fields(self)}
        body["balance"] = self.balance
        return body


COUNTER_NAMES: tuple[str, ...] = tuple(item.name for item in fields(Counts))


def scan_counts(facts: ScanFacts) -> Counts:
    """What one scanned person adds to every bucket they touch, before unique persons are known."""
    return Counts(
        scans=1,
        passes=int(facts.decision is Decision.PASS),
        stops=int(facts.decision is Decision.STOP),
        fevers=int(facts.fever),
        ins=int(facts.direction is Direction.IN),
        outs=int(facts.direction is Direction.OUT),
    )


def increments(scans: Iterable[ScanFacts], new_markers: set[ItemKey]) -> dict[ItemKey, Counts]:
    """Counter deltas for scans recorded together (a person and their dependents), merged per item.

    ``new_markers`` are the markers this write creates; each adds one unique person to its counter, once.
    Merging matters: a transaction may not touch one item twice.
    """
    totals: dict[ItemKey, Counts] = {}
    claimed: set[ItemKey] = set()
    for facts in scans:
        base = scan_counts(facts)
        for touch in touches(facts):
            counts = totals.setdefault(touch.counter, Counts())
            counts.add(base.nonzero())
            if touch.marker in new_markers and touch.marker not in claimed:
                claimed.add(touch.marker)
                counts.unique_persons += 1
    return totals


@dataclass
class DayStats:
    """A level's day: totals and the 24 hours (Asia/Shanghai)."""

    level: Level
    scope_id: str
    day: str
    totals: Counts = field(default_factory=Counts)
    hours: list[Counts] = field(default_factory=lambda: [Counts() for _ in range(24)])

    def to_json(self) -> dict[str, Any]:
        return {
            "level": self.level.value,
            "id": self.scope_id,
            "date": self.day,
            "totals": self.totals.to_json(),
            "hours": [{"hour": f"{index:02d}", **counts.to_json()} for index, counts in enumerate(self.hours) if counts.scans],
        }


def summarize(level: Level, scope_id: str, day: str, items: Iterable[Mapping[str, Any]]) -> DayStats:
    """Sum counter items (``sk`` plus counter attributes as ints) of a level's day shards into a ``DayStats``."""
    stats = DayStats(level, scope_id, day)
    for item in items:
        sk = str(item["sk"])
        values = {name: int(item.get(name, 0)) for name in COUNTER_NAMES}
        if sk == "d":
            stats.totals.add(values)
        elif sk.startswith("h#"):
            stats.hours[int(sk.split("#")[1])].add(values)
    return stats
