"""EventBridge schedule expressions, evaluated locally: ``cron(m h dom mon dow year)`` and ``rate(n unit)``.

Times are UTC, as EventBridge rules are. Supported cron syntax: ``*``, ``?``, numbers, lists, ranges, steps and
day names; ``L``, ``W`` and ``#`` are refused (the template does not use them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

_DAY_NAMES = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_MONTH_NAMES = {name: index for index, name in enumerate(["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1)}


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int] | None:
    """The set of values a cron field allows; ``None`` for ``*``/``?`` (anything)."""
    if text in {"*", "?"}:
        return None
    if any(mark in text for mark in ("L", "W", "#")) and not (names and text.upper() in names):
        raise ValueError(f"unsupported cron field {text!r}")
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/")
            step = int(step_text)
        if part in {"*", ""}:
            start, end = low, high
        elif "-" in part:
            first, last = part.split("-")
            start, end = _value(first, names), _value(last, names)
        else:
            start = _value(part, names)
            end = high if step > 1 else start
        values.update(range(start, end + 1, step))
    return frozenset(values)


def _value(text: str, names: dict[str, int] | None) -> int:
    return names[text.upper()] if names and text.upper() in names else int(text)


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int] | None
    hours: frozenset[int] | None
    days: frozenset[int] | None
    months: frozenset[int] | None
    weekdays: frozenset[int] | None  # 1 = Sunday
    years: frozenset[int] | None

    def _day_matches(self, day: datetime) -> bool:
        weekday = (day.isoweekday() % 7) + 1
        return (
            (self.days is None or day.day in self.days)
            and (self.months is None or day.month in self.months)
            and (self.weekdays is None or weekday in self.weekdays)
            and (self.years is None or day.year in self.years)
        )

    def between(self, start: datetime, end: datetime) -> Iterator[datetime]:
        """Fire times in ``(start, end]``, in order."""
        day = start.replace(hour=0, minute=0, second=0, microsecond=0)
        while day <= end:
            if self._day_matches(day):
                for hour in sorted(self.hours if self.hours is not None else range(24)):
                    for minute in sorted(self.minutes if self.minutes is not None else range(60)):
                        moment = day.replace(hour=hour, minute=minute)
                        if start < moment <= end:
                            yield moment
            day += timedelta(days=1)


@dataclass(frozen=True)
class Rate:
    period: timedelta
    origin: datetime

    def between(self, start: datetime, end: datetime) -> Iterator[datetime]:
        if end <= self.origin:
            return
        steps = max(0, int((start - self.origin) / self.period))
        moment = self.origin + steps * self.period
        while moment <= end:
            if moment > start:
                yield moment
            moment += self.period


_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


def parse(expression: str, origin: datetime | None = None) -> Cron | Rate:
    """Parse ``cron(...)`` or ``rate(...)``; ``origin`` is when a rate rule was created."""
    found = re.fullmatch(r"\s*(cron|rate)\((.*)\)\s*", expression)
    if not found:
        raise ValueError(f"not a schedule expression: {expression!r}")
    kind, body = found.groups()
    if kind == "rate":
        amount, unit = body.split()
        return Rate(timedelta(seconds=int(amount) * _UNITS[unit]), origin or datetime.now(UTC))
    fields = body.split()
    if len(fields) != 6:
        raise ValueError("cron needs six fields")
    minute, hour, dom, month, dow, year = fields
    return Cron(
        _field(minute, 0, 59),
        _field(hour, 0, 23),
        _field(dom, 1, 31),
        _field(month, 1, 12, _MONTH_NAMES),
        _field(dow, 1, 7, _DAY_NAMES),
        _field(year, 1970, 2199),
    )
