"""The daily close (日终结算): planning which days and shards to close, and closing one shard.

Just after midnight Asia/Shanghai a schedule closes the day that ended. The work is proportional to the codes
that can change that night: the close reads only the due index partitions ``<day>#<shard>`` (codes that would
change if their holder did not check in; a check-in moves its code to a later day), and each code read costs
one conditional transaction (the code and its history item). Days are closed in order per shard; each shard
keeps its own watermark, and the global watermark moves when every shard has closed a day, so a missed night is
caught up in order the next time — every missed day, however many, day by day (a code due on a skipped day
is only in that day's partitions, so skipping a day would leave it open for good) — and a rerun of a closed
day changes nothing.

The scheduled function closes shards inline while it has time, and hands the rest to ``HealthCodeCloseQueue``
(one message per shard, and a continuation when a worker runs short of time), so 1.2 M codes fit Lambda's
15 minutes: ``DUE_SHARDS`` workers in parallel, each resuming where the last stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sanmenxia.clock import SHANGHAI
from sanmenxia.healthcode import rules
from sanmenxia.healthcode.store import DUE_SHARDS, CloseCounts, HealthCodeStore


def day_to_close(event_time: datetime) -> date:
    """The Asia/Shanghai calendar day that ended before ``event_time`` (a schedule's ``time``)."""
    if event_time.tzinfo is None:
        event_time = event_time.replace(tzinfo=UTC)
    return event_time.astimezone(SHANGHAI).date() - timedelta(days=1)


def parse_event_time(value: str) -> datetime:
    """An EventBridge ``time`` (``2020-02-25T16:05:00Z``) as an aware datetime."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def days_to_close(watermark: date | None, target: date, first_run_days: int) -> list[date]:
    """The days still to close, oldest first: every day after the watermark up to ``target`` (no limit: a
    long gap is closed day by day, in order); a first run, without a watermark, closes the last
    ``first_run_days``."""
    first = watermark + timedelta(days=1) if watermark else target - timedelta(days=first_run_days - 1)
    return [first + timedelta(days=offset) for offset in range((target - first).days + 1)]


@dataclass
class ShardTask:
    """Close ``shard`` for the days ``first``..``through`` (resuming ``day`` at ``start_key`` when set)."""

    shard: int
    first: date
    through: date
    day: date | None = None
    start_key: dict[str, Any] | None = None
    counts: CloseCounts = field(default_factory=CloseCounts)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"shard": self.shard, "first": self.first.isoformat(), "through": self.through.isoformat()}
        if self.day is not None:
            body.update(day=self.day.isoformat(), start_key=self.start_key, counts={"closed": self.counts.closed, **self.counts.turned})
        return body

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> ShardTask:
        shard = int(body["shard"])
        if not 0 <= shard < DUE_SHARDS:
            raise ValueError(f"shard {shard} out of range")
        task = cls(shard, date.fromisoformat(body["first"]), date.fromisoformat(body["through"]))
        if body.get("day"):
            task.day = date.fromisoformat(body["day"])
            task.start_key = body.get("start_key")
            counts = body.get("counts") or {}
            task.counts.closed = int(counts.get("closed", 0))
            task.counts.turned = {color: int(counts.get(color, 0)) for color in ("yellow", "red", "green")}
        return task


def plan(watermark: date | None, target: date, first_run_days: int, shards: int = DUE_SHARDS) -> list[ShardTask]:
    """One task per shard covering every day still to close (none when ``target`` is already closed)."""
    days = days_to_close(watermark, target, first_run_days)
    if not days:
        return []
    return [ShardTask(shard, days[0], days[-1]) for shard in range(shards)]


@dataclass
class ShardResult:
    """What closing a shard did: tallies per day closed, days that completed the city, and what is left."""

    per_day: dict[date, CloseCounts] = field(default_factory=dict)
    completed_days: list[date] = field(default_factory=list)
    remaining: ShardTask | None = None


def close_code(store: HealthCodeStore, due: Any, day: date, counts: CloseCounts) -> None:
    """Close one due code through ``day`` and tally the colour it turned (if this run wrote it)."""
    state, transitions = rules.advance(due.state, day)
    if store.close_code(due, state, transitions):
        counts.closed += 1
        for transition in transitions:
            counts.turned[transition.to_color.value] = counts.turned.get(transition.to_color.value, 0) + 1
    else:
        counts.skipped += 1


def close_shard(store: HealthCodeStore, task: ShardTask, has_time: Callable[[], bool], page_size: int = 200) -> ShardResult:
    """Close the task's days for its shard, in order, until done or ``has_time()`` says stop."""
    result = ShardResult()
    mark = store.shard_watermark(task.shard)
    day = task.day or task.first
    if mark is not None and mark >= day:
        day, task.start_key, task.counts = mark + timedelta(days=1), None, CloseCounts()
    while day <= task.through:
        counts, start_key = task.counts, task.start_key
        while True:
            codes, start_key = store.due_page(day, task.shard, start_key, page_size)
            for due in codes:
                close_code(store, due, day, counts)
            if start_key is None:
                break
            if not has_time():
                result.per_day[day] = counts
                result.remaining = ShardTask(task.shard, task.first, task.through, day, start_key, counts)
                return result
        result.per_day[day] = counts
        if store.finish_shard_day(day, task.shard, counts):
            result.completed_days.append(day)
        day += timedelta(days=1)
        task.counts, task.start_key = CloseCounts(), None
        if day <= task.through and not has_time():
            result.remaining = ShardTask(task.shard, task.first, task.through, day)
            return result
    return result
