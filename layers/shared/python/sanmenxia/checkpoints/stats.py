"""Live checkpoint statistics (检测点实时统计) as counters, and the arithmetic behind them.

Every scan adds to counters at three levels (the checkpoint, its community, its county), per hour of the
scan's own time in Asia/Shanghai, so a late sync lands in the hour the scan happened. A scan's own write is
only its record in ``ScansTable``; the counters are counted from that table's stream, a batch at a time
(``functions/checkpoint_stats``), so a county's counter takes one update per stream batch, not one per scan:

* counter ``pk = <level>#<id>#<yyyy-mm-dd>``, ``sk = h#<HH>``, attributes ``scans, passes, stops, fevers,
  unique_persons, ins, outs`` and ``unique_day`` (people first seen that day in this hour); the day is the
  sum of its hours, so no item carries every scan of a day;
* marker ``pk = mk#<yyyy-mm-dd>#<person>``, ``sk = m``: one item per person and day whose attributes are tags
  (``<level>#<id>`` for the day, ``<level>#<id>#<HH>`` for an hour), each holding the key of the first scan
  that set it (``if_not_exists``). The scan that owns a tag adds the unique person; a batch delivered again
  finds the same owners, so it computes the same deltas.

The deltas of a batch are merged per counter and written in transactions with a receipt named by their
content (``receipt_key``): the same batch delivered again writes nothing twice. This module is pure.
"""

from __future__ import annotations

import hashlib
import json
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


#: The counter attribute of people first seen that day (kept on the hour they were first seen).
UNIQUE_DAY = "unique_day"
#: The marker item's sort key.
MARKER_SK = "m"


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
    """One counter a scan adds to, and the marker tags that decide whether the person is new there."""

    counter: ItemKey
    day_tag: str
    hour_tag: str


def day_of(moment: datetime) -> str:
    """The Asia/Shanghai calendar day of an instant, ``yyyy-mm-dd``."""
    return moment.astimezone(SHANGHAI).date().isoformat()


def hour_of(moment: datetime) -> str:
    """The Asia/Shanghai hour of an instant, ``HH``."""
    return f"{moment.astimezone(SHANGHAI).hour:02d}"


def counter_partition(level: Level, scope_id: str, day: str) -> str:
    """The partition key of a level's day counters (one item per hour)."""
    return f"{level.value}#{scope_id}#{day}"


def marker_key(day: str, person_ref: str) -> ItemKey:
    """One person's marker item of one day (its own partition key: never a shared hot one)."""
    return ItemKey(f"mk#{day}#{person_ref}", MARKER_SK)


def scopes(facts: ScanFacts) -> list[tuple[Level, str]]:
    return [(Level.CHECKPOINT, facts.checkpoint_id), (Level.COMMUNITY, facts.community_id), (Level.COUNTY, facts.county_code)]


def touches(facts: ScanFacts) -> list[Touch]:
    """The hour counters (at each level) that one scanned person adds to, with their marker tags."""
    day, hour = day_of(facts.at), hour_of(facts.at)
    return [
        Touch(ItemKey(counter_partition(level, scope_id, day), f"h#{hour}"), f"{level.value}#{scope_id}", f"{level.value}#{scope_id}#{hour}")
        for level, scope_id in scopes(facts)
    ]


def marker_claims(scans: Iterable[ScanFacts]) -> dict[ItemKey, dict[str, str]]:
    """Per marker item, each tag a batch would set and the first scan (in stream order) that claims it."""
    claims: dict[ItemKey, dict[str, str]] = {}
    for facts in scans:
        tags = claims.setdefault(marker_key(day_of(facts.at), facts.person_ref), {})
        for touch in touches(facts):
            tags.setdefault(touch.day_tag, facts.scan_key)
            tags.setdefault(touch.hour_tag, facts.scan_key)
    return claims


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


def increments(scans: Iterable[ScanFacts], owners: Mapping[ItemKey, Mapping[str, str]]) -> dict[ItemKey, dict[str, int]]:
    """Counter deltas of a batch, merged per counter item (``unique_persons`` and ``unique_day`` included).

    ``owners`` are the stored marker tags (marker key -> tag -> owning scan key): a scan adds a unique person
    where it owns the tag, so a tag owned by a scan of another batch adds nothing here."""
    totals: dict[ItemKey, Counts] = {}
    firsts: dict[ItemKey, int] = {}
    for facts in scans:
        base = scan_counts(facts).nonzero()
        tags = owners.get(marker_key(day_of(facts.at), facts.person_ref), {})
        for touch in touches(facts):
            counts = totals.setdefault(touch.counter, Counts())
            counts.add(base)
            counts.unique_persons += int(tags.get(touch.hour_tag) == facts.scan_key)
            firsts[touch.counter] = firsts.get(touch.counter, 0) + int(tags.get(touch.day_tag) == facts.scan_key)
    found: dict[ItemKey, dict[str, int]] = {}
    for key, counts in totals.items():
        found[key] = counts.nonzero() | ({UNIQUE_DAY: firsts[key]} if firsts.get(key) else {})
    return found


def receipt_key(scan_keys: Iterable[str], deltas: Mapping[ItemKey, Mapping[str, int]]) -> str:
    """A name for one transaction: the scans of its batch and its deltas (the same batch, the same name; two
    batches never share one, since scan keys are unique): a batch delivered again is recognised and applied once."""
    canonical = json.dumps([sorted(scan_keys), sorted((key.pk, key.sk, sorted(values.items())) for key, values in deltas.items())], separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


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
    """Sum hour counter items (``sk`` plus counter attributes as ints) of a level's day into a ``DayStats``:
    the day's unique persons are those first seen in each hour (``unique_day``)."""
    stats = DayStats(level, scope_id, day)
    for item in items:
        sk = str(item["sk"])
        if not sk.startswith("h#"):
            continue
        values = {name: int(item.get(name, 0)) for name in COUNTER_NAMES}
        stats.hours[int(sk.split("#")[1])].add(values)
        stats.totals.add({**values, "unique_persons": int(item.get(UNIQUE_DAY, 0))})
    return stats
