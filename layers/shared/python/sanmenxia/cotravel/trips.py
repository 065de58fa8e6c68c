"""Trips of confirmed cases and of people who ask (同行查询): modes, numbers, positions. Pure.

Numbers are normalised (upper case, no spaces or dashes) so that ``g 1234`` and ``G1234`` meet in the
same partition; carriages lose leading zeros and the "车/号" suffixes (``05车`` → ``5``); a flight seat
such as ``12C`` gives row 12.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class TravelMode(StrEnum):
    FLIGHT = "flight"  # 航班
    TRAIN = "train"  # 火车
    BUS = "bus"  # 客车
    SHIP = "ship"  # 轮船
    METRO = "metro"  # 地铁
    TAXI = "taxi"  # 出租车


#: Chinese names seen in published notices, accepted in CSV files.
MODE_ALIASES: dict[str, TravelMode] = {
    "飞机": TravelMode.FLIGHT,
    "航班": TravelMode.FLIGHT,
    "火车": TravelMode.TRAIN,
    "列车": TravelMode.TRAIN,
    "高铁": TravelMode.TRAIN,
    "动车": TravelMode.TRAIN,
    "客车": TravelMode.BUS,
    "汽车": TravelMode.BUS,
    "大巴": TravelMode.BUS,
    "公交": TravelMode.BUS,
    "轮船": TravelMode.SHIP,
    "船": TravelMode.SHIP,
    "地铁": TravelMode.METRO,
    "出租车": TravelMode.TAXI,
    "网约车": TravelMode.TAXI,
}

_NUMBER_PATTERNS: dict[TravelMode, re.Pattern[str]] = {
    TravelMode.FLIGHT: re.compile(r"^(?:[A-Z]{2}|[A-Z]\d|\d[A-Z])\d{1,4}[A-Z]?$"),
    TravelMode.TRAIN: re.compile(r"^[GDCZTKSYL]?\d{1,4}$"),
    TravelMode.METRO: re.compile(r"^[A-Z0-9\u4e00-\u9fff]{1,16}$"),
    TravelMode.BUS: re.compile(r"^[A-Z0-9\u4e00-\u9fff]{1,16}$"),
    TravelMode.SHIP: re.compile(r"^[A-Z0-9\u4e00-\u9fff]{1,16}$"),
    TravelMode.TAXI: re.compile(r"^[A-Z0-9\u4e00-\u9fff]{1,16}$"),
}

_NUMBER_HINTS = {
    TravelMode.FLIGHT: "a flight number such as CA1234",
    TravelMode.TRAIN: "a train number such as G1234 or 1461",
}


def parse_mode(raw: str) -> TravelMode:
    """``flight`` / ``航班`` … → ``TravelMode``; ``ValueError`` names the accepted values."""
    value = raw.strip()
    if value in MODE_ALIASES:
        return MODE_ALIASES[value]
    try:
        return TravelMode(value.lower())
    except ValueError as exc:
        raise ValueError(f"unknown mode; use one of {', '.join(mode.value for mode in TravelMode)}") from exc


def normalize_number(mode: TravelMode | None, raw: str) -> str:
    """The number in its canonical form; with ``mode``, checked against that mode's pattern."""
    value = re.sub(r"[\s\-_·]", "", raw).upper()
    if not value or len(value) > 16:
        raise ValueError("must be 1 to 16 letters or digits")
    pattern = _NUMBER_PATTERNS[mode] if mode is not None else re.compile(r"^[A-Z0-9\u4e00-\u9fff]{1,16}$")
    if not pattern.match(value):
        raise ValueError(f"is not {_NUMBER_HINTS.get(mode, 'a vehicle number') if mode else 'a trip number'}")
    return value


def normalize_carriage(raw: str | None) -> str | None:
    """``05车`` / ``5号车厢`` / ``05`` → ``5``; blank → ``None``."""
    if raw is None:
        return None
    value = re.sub(r"[\s号车厢节]", "", str(raw)).upper()
    if not value:
        return None
    if not re.fullmatch(r"[A-Z0-9]{1,4}", value):
        raise ValueError("must be a carriage number such as 5 or 05车")
    return value.lstrip("0") or "0"


def normalize_seat(raw: str | None) -> str | None:
    if raw is None:
        return None
    value = re.sub(r"[\s号座]", "", str(raw)).upper()
    if not value:
        return None
    if not re.fullmatch(r"[A-Z0-9]{1,5}", value):
        raise ValueError("must be a seat such as 12C or 8F")
    return value


def row_of_seat(seat: str | None) -> int | None:
    """The row of a seat written as digits then letters (``12C`` → 12); ``None`` when there is none."""
    if not seat:
        return None
    found = re.match(r"^(\d{1,3})[A-Z]?$", seat)
    return int(found.group(1)) if found else None


@dataclass(frozen=True)
class Position:
    """Where on the vehicle: carriage (train, metro, ship cabin), row and seat (flight, train)."""

    carriage: str | None = None
    row: int | None = None
    seat: str | None = None

    @property
    def effective_row(self) -> int | None:
        return self.row if self.row is not None else row_of_seat(self.seat)


@dataclass(frozen=True)
class CaseTrip:
    """A published trip of a confirmed case (确诊病例行程)."""

    trip_id: str
    travel_date: date
    mode: TravelMode
    number: str
    position: Position
    origin: str
    destination: str
    source_url: str
    case_ref: str | None = None


def trip_id_for(travel_date: date, mode: TravelMode, number: str, position: Position, source_url: str, case_ref: str | None) -> str:
    """A trip's id from what identifies it, so loading the same notice twice (API or CSV) stores it once."""
    natural = "|".join(
        [
            travel_date.isoformat(),
            mode.value,
            number,
            position.carriage or "",
            str(position.effective_row or ""),
            position.seat or "",
            source_url,
            case_ref or "",
        ]
    )
    return hashlib.sha256(natural.encode()).hexdigest()[:20]
