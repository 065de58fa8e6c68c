"""The two kinds of uploaded list, parsed and validated whole before anything is written. Pure.

* Case trips (确诊病例行程): ``date, mode, number, carriage, row, seat, from, to, source_url`` (+ ``case_ref``).
* Comparison lists (三方比对名单), e.g. a carrier's phones seen in Hubei: ``phone`` and/or ``id_number``
  per row, optional ``seen_on`` date and ``note``. Values are only ever turned into HMAC look-up keys.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlparse

from sanmenxia.cotravel.csvfile import Row, RowError, collect, parse_date, read_rows
from sanmenxia.cotravel.trips import (
    CaseTrip,
    Position,
    normalize_carriage,
    normalize_number,
    normalize_seat,
    parse_mode,
    trip_id_for,
)
from sanmenxia.idnumber import InvalidIdNumber, parse_id_number

TRIP_ALIASES = {
    "日期": "date",
    "乘车日期": "date",
    "出行日期": "date",
    "交通方式": "mode",
    "方式": "mode",
    "车次": "number",
    "航班号": "number",
    "车次/航班号": "number",
    "车牌号": "number",
    "车厢": "carriage",
    "排": "row",
    "座位": "seat",
    "座位号": "seat",
    "出发地": "from",
    "始发": "from",
    "目的地": "to",
    "到达": "to",
    "来源": "source_url",
    "信息来源": "source_url",
    "source": "source_url",
    "病例": "case_ref",
    "病例编号": "case_ref",
}
TRIP_REQUIRED = ("date", "mode", "number", "from", "to", "source_url")
TRIP_OPTIONAL = ("carriage", "row", "seat", "case_ref")

LIST_ALIASES = {
    "手机号": "phone",
    "手机号码": "phone",
    "电话": "phone",
    "phone_number": "phone",
    "mobile": "phone",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "证件号码": "id_number",
    "id": "id_number",
    "日期": "seen_on",
    "date": "seen_on",
    "备注": "note",
}

_PHONE = re.compile(r"^1[3-9]\d{9}$")


def valid_source_url(value: str) -> bool:
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc) and len(value) <= 500


def _text(row: Row, name: str, errors: list[RowError], limit: int = 60) -> str:
    value = row.get(name)
    if value is None:
        errors.append(RowError(row.line, name, "required"))
        return ""
    if len(value) > limit:
        errors.append(RowError(row.line, name, f"longer than {limit} characters"))
    return value


def _optional(row: Row, name: str, errors: list[RowError], parse: Callable[[str], object]) -> object:
    raw = row.get(name)
    if raw is None:
        return None
    try:
        return parse(raw)
    except ValueError as exc:
        errors.append(RowError(row.line, name, str(exc) if str(exc) and "invalid literal" not in str(exc) else "not a number"))
        return None


def _case_trip(row: Row, errors: list[RowError], today: date) -> CaseTrip | None:
    travel_date = parse_date(row, "date", errors, latest=today)
    mode = None
    try:
        mode = parse_mode(row.get("mode") or "")
    except ValueError as exc:
        errors.append(RowError(row.line, "mode", "required" if not row.get("mode") else str(exc)))
    number = None
    if not row.get("number"):
        errors.append(RowError(row.line, "number", "required"))
    else:
        try:
            number = normalize_number(mode, row.get("number") or "")
        except ValueError as exc:
            errors.append(RowError(row.line, "number", str(exc)))
    carriage = _optional(row, "carriage", errors, normalize_carriage)
    seat = _optional(row, "seat", errors, normalize_seat)
    seat_row = _optional(row, "row", errors, int)
    if isinstance(seat_row, int) and not 1 <= seat_row <= 200:
        errors.append(RowError(row.line, "row", "must be between 1 and 200"))
    origin, destination = _text(row, "from", errors), _text(row, "to", errors)
    source_url = _text(row, "source_url", errors, limit=500)
    if source_url and not valid_source_url(source_url):
        errors.append(RowError(row.line, "source_url", "must be an http(s) link to the published notice"))
    case_ref = row.get("case_ref")
    if travel_date is None or mode is None or number is None:
        return None
    position = Position(
        carriage if isinstance(carriage, str) else None,
        seat_row if isinstance(seat_row, int) else None,
        seat if isinstance(seat, str) else None,
    )
    return CaseTrip(
        trip_id=trip_id_for(travel_date, mode, number, position, source_url, case_ref),
        travel_date=travel_date,
        mode=mode,
        number=number,
        position=position,
        origin=origin,
        destination=destination,
        source_url=source_url,
        case_ref=case_ref[:40] if case_ref else None,
    )


def parse_case_trips(data: bytes, *, today: date, max_rows: int = 20_000) -> list[CaseTrip]:
    """Every case trip of a CSV file, or ``CsvRejected`` listing every problem by line."""
    rows = read_rows(data, required=TRIP_REQUIRED, optional=TRIP_OPTIONAL, aliases=TRIP_ALIASES, max_rows=max_rows)
    trips: list[CaseTrip] = collect(rows, lambda row, errors: _case_trip(row, errors, today))
    return trips


@dataclass(frozen=True)
class ListEntry:
    """One row of a comparison list; ``id_number``/``phone`` are cleartext only in memory."""

    line: int
    id_number: str | None
    phone: str | None
    seen_on: date | None


def _list_entry(row: Row, errors: list[RowError], today: date) -> ListEntry:
    id_number = row.get("id_number")
    phone = row.get("phone")
    if id_number is None and phone is None:
        errors.append(RowError(row.line, "phone/id_number", "give a phone number or an ID number"))
    if id_number is not None:
        try:
            id_number = parse_id_number(id_number, today=today).value
        except InvalidIdNumber as exc:
            errors.append(RowError(row.line, "id_number", f"invalid ID number: {exc}"))
    if phone is not None:
        phone = re.sub(r"[\s\-]", "", phone).removeprefix("+86")
        if not _PHONE.match(phone):
            errors.append(RowError(row.line, "phone", "not a mainland mobile number (11 digits starting with 1)"))
    seen_on = parse_date(row, "seen_on", errors, required=False, latest=today)
    return ListEntry(row.line, id_number, phone, seen_on)


def parse_comparison_list(data: bytes, *, today: date, max_rows: int = 200_000) -> list[ListEntry]:
    """Every entry of a comparison list, or ``CsvRejected`` listing every problem by line."""
    rows = read_rows(data, required=(), optional=("seen_on", "note"), any_of=("phone", "id_number"), aliases=LIST_ALIASES, max_rows=max_rows)
    entries: list[ListEntry] = collect(rows, lambda row, errors: _list_entry(row, errors, today))
    return entries
