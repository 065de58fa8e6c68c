"""The platform's one clock.

Every date the platform reasons about ("today", a check-in's day, a daily close) is a calendar day in
Asia/Shanghai. Code asks this module for the time instead of calling ``datetime.now`` so that the local
stack's virtual clock (``/_local/clock``) and tests can move time; in AWS the offset is always zero.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_offset = timedelta(0)


def set_offset(seconds: float) -> None:
    """Shift the clock (local stack and tests only)."""
    global _offset
    _offset = timedelta(seconds=seconds)


def offset_seconds() -> float:
    return _offset.total_seconds()


def now() -> datetime:
    """The current instant, timezone-aware (UTC)."""
    return datetime.now(UTC) + _offset


def now_shanghai() -> datetime:
    return now().astimezone(SHANGHAI)


def today() -> date:
    """Today's calendar date in Asia/Shanghai."""
    return now_shanghai().date()


def iso(moment: datetime | None = None) -> str:
    """ISO 8601 timestamp in UTC with seconds precision, e.g. ``2020-02-25T01:02:03Z``."""
    return (moment or now()).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_after_days(days: int, moment: datetime | None = None) -> int:
    """Unix time ``days`` from now, for DynamoDB TTL attributes."""
    return int(((moment or now()) + timedelta(days=days)).timestamp())
