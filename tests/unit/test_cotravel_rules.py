"""Co-travel rules: the proximity table per mode, trip numbers and positions, CSV validation by line."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanmenxia.cotravel.csvfile import CsvRejected
from sanmenxia.cotravel.imports import parse_case_trips, parse_comparison_list
from sanmenxia.cotravel.proximity import Risk, assess, matches, worst
from sanmenxia.cotravel.trips import CaseTrip, Position, TravelMode, normalize_carriage, normalize_number, row_of_seat
from sanmenxia.idnumber import make_id_number

TODAY = date(2020, 2, 25)
URL = "https://www.smx.gov.cn/a.html"

F, T, B, S, M, X = TravelMode.FLIGHT, TravelMode.TRAIN, TravelMode.BUS, TravelMode.SHIP, TravelMode.METRO, TravelMode.TAXI


@pytest.mark.parametrize(
    ("mode", "case", "traveller", "risk"),
    [
        # flight: same row ±3 rows
        (F, Position(seat="12C"), Position(seat="12A"), Risk.CLOSE),
        (F, Position(seat="12C"), Position(seat="9F"), Risk.CLOSE),
        (F, Position(seat="12C"), Position(seat="15A"), Risk.CLOSE),
        (F, Position(seat="12C"), Position(seat="16A"), Risk.SAME_TRIP),
        (F, Position(seat="12C"), Position(seat="8A"), Risk.SAME_TRIP),
        (F, Position(row=30), Position(seat="31B"), Risk.CLOSE),
        (F, Position(seat="12C"), Position(), Risk.POSSIBLE),
        (F, Position(), Position(seat="3A"), Risk.POSSIBLE),
        # train and metro: same carriage
        (T, Position(carriage="5"), Position(carriage="5", seat="08F"), Risk.CLOSE),
        (T, Position(carriage="5"), Position(carriage="6"), Risk.SAME_TRIP),
        (T, Position(carriage="5"), Position(), Risk.POSSIBLE),
        (T, Position(), Position(carriage="6"), Risk.POSSIBLE),
        (M, Position(carriage="2"), Position(carriage="2"), Risk.CLOSE),
        (M, Position(carriage="2"), Position(carriage="3"), Risk.SAME_TRIP),
        # ship: same cabin/deck given as carriage
        (S, Position(carriage="A"), Position(carriage="A"), Risk.CLOSE),
        # bus and taxi: the same vehicle is close, wherever one sat
        (B, Position(seat="1"), Position(seat="40"), Risk.CLOSE),
        (B, Position(), Position(), Risk.CLOSE),
        (X, Position(), Position(), Risk.CLOSE),
    ],
)
def test_proximity_rule_table(mode: TravelMode, case: Position, traveller: Position, risk: Risk) -> None:
    assert assess(mode, case, traveller) is risk


@given(st.integers(1, 60), st.integers(1, 60))
def test_flight_rows_are_symmetric(case_row: int, own_row: int) -> None:
    there = assess(F, Position(row=case_row), Position(row=own_row))
    back = assess(F, Position(row=own_row), Position(row=case_row))
    assert there is back
    assert (there is Risk.CLOSE) == (abs(case_row - own_row) <= 3)


def test_matches_sort_worst_first_and_filter_by_mode() -> None:
    far = CaseTrip("a", TODAY, T, "G1", Position(carriage="9"), "x", "y", URL)
    near = CaseTrip("b", TODAY, T, "G1", Position(carriage="5"), "x", "y", URL)
    bus = CaseTrip("c", TODAY, B, "G1", Position(), "x", "y", URL)
    found = matches([far, near, bus], Position(carriage="5"), mode=T)
    assert [match.trip.trip_id for match in found] == ["b", "a"]
    assert worst(found) is Risk.CLOSE
    assert worst([]) is Risk.NONE


@pytest.mark.parametrize(
    ("mode", "raw", "expected"),
    [(T, "g 1234", "G1234"), (T, "1461", "1461"), (F, "ca-1234", "CA1234"), (F, "3U8888", "3U8888"), (B, "豫M·12345", "豫M12345")],
)
def test_numbers_are_normalised(mode: TravelMode, raw: str, expected: str) -> None:
    assert normalize_number(mode, raw) == expected


@pytest.mark.parametrize(("mode", "raw"), [(T, "X-Y-Z-1"), (F, "1234"), (T, ""), (T, "G12345678901234567")])
def test_bad_numbers_are_refused(mode: TravelMode, raw: str) -> None:
    with pytest.raises(ValueError):
        normalize_number(mode, raw)


def test_carriages_and_seats() -> None:
    assert normalize_carriage("05车") == "5"
    assert normalize_carriage("5号车厢") == "5"
    assert normalize_carriage(" ") is None
    assert row_of_seat("12C") == 12
    assert row_of_seat("C12") is None


def trips_csv(*rows: str, header: str = "date,mode,number,carriage,row,seat,from,to,source_url") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def test_a_good_file_parses_with_chinese_headers_and_gbk() -> None:
    data = "日期,交通方式,车次,车厢,出发地,目的地,来源\n2020/1/22,高铁,G1234,05车,武汉,三门峡南,https://x.cn/1\n".encode("gb18030")
    [trip] = parse_case_trips(data, today=TODAY)
    assert (trip.mode, trip.number, trip.position.carriage, trip.travel_date) == (T, "G1234", "5", date(2020, 1, 22))


def test_every_problem_is_reported_by_line_and_nothing_is_returned() -> None:
    data = trips_csv(
        f"2020-01-22,train,G1234,5,,,武汉,三门峡,{URL}",
        f"2020-02-30,train,G1234,5,,,武汉,三门峡,{URL}",
        f"2020-01-22,plane,G1234,5,,,武汉,三门峡,{URL}",
        f"2020-01-22,flight,CA1,,abc,,武汉,三门峡,{URL}",
        "2020-01-22,bus,豫M1,,,,武汉,三门峡,not-a-link",
        f"2020-03-01,train,G1,,,,武汉,三门峡,{URL}",
    )
    with pytest.raises(CsvRejected) as rejected:
        parse_case_trips(data, today=TODAY)
    assert [(e.line, e.field) for e in rejected.value.errors] == [(3, "date"), (4, "mode"), (5, "row"), (6, "source_url"), (7, "date")]


def test_a_missing_column_is_line_1() -> None:
    with pytest.raises(CsvRejected) as rejected:
        parse_case_trips(trips_csv("2020-01-22,train,G1", header="date,mode,number"), today=TODAY)
    assert {(e.line, e.field) for e in rejected.value.errors} == {(1, "from"), (1, "to"), (1, "source_url")}


def test_a_quoted_field_over_two_lines_keeps_later_line_numbers_right() -> None:
    data = trips_csv(f'2020-01-22,train,G1,5,,,"武汉\n汉口",三门峡,{URL}', f"2020-02-30,train,G1,5,,,武汉,三门峡,{URL}")
    with pytest.raises(CsvRejected) as rejected:
        parse_case_trips(data, today=TODAY)
    assert [(e.line, e.field) for e in rejected.value.errors] == [(4, "date")]


def test_empty_and_too_wide_files() -> None:
    with pytest.raises(CsvRejected):
        parse_case_trips(b"", today=TODAY)
    with pytest.raises(CsvRejected) as rejected:
        parse_case_trips(trips_csv(f"2020-01-22,train,G1,5,,,a,b,{URL},extra"), today=TODAY)
    assert rejected.value.errors[0].field == "row"


def test_comparison_list_checks_ids_phones_and_dates() -> None:
    good_id = make_id_number("420102", date(1980, 1, 1), 11)
    bad_id = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")
    data = f"手机号,身份证号,日期\n13800001111,,2020-01-20\n,{good_id},\n123,,\n,{bad_id},\n,,2020-01-20\n13800002222,,20200132\n".encode()
    with pytest.raises(CsvRejected) as rejected:
        parse_comparison_list(data, today=TODAY)
    assert [(e.line, e.field) for e in rejected.value.errors] == [(4, "phone"), (5, "id_number"), (6, "phone/id_number"), (7, "seen_on")]
    entries = parse_comparison_list(f"phone\n+86 138-0000-1111\n,\n{''}".encode(), today=TODAY)
    assert [entry.phone for entry in entries] == ["13800001111"]
