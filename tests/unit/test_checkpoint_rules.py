"""Gate rules: pass or stop from colour and temperature, reading checks, scan time, plates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanmenxia.checkpoints.rules import (
    Decision,
    GateRules,
    StopReason,
    decide,
    mask_plate,
    normalize_plate,
    plate_region,
    scan_time,
    temperature,
)
from sanmenxia.errors import InvalidInput
from sanmenxia.holds import CodeColor

NOW = datetime(2020, 2, 25, 2, 0, tzinfo=UTC)
readings = st.decimals(min_value=Decimal("30.0"), max_value=Decimal("45.0"), places=1)
colors = st.sampled_from([*CodeColor, None])


def test_green_code_and_normal_temperature_pass() -> None:
    # Given a green code and 36.5 °C, When the gate decides, Then the person passes with no reason
    verdict = decide(CodeColor.GREEN, Decimal("36.5"))
    assert verdict.decision is Decision.PASS
    assert verdict.reason == "ok"
    assert not verdict.needs_follow_up


def test_fever_line_is_inclusive_at_37_3() -> None:
    # Given readings just under and at the fever line, Then only the reading at the line is a fever
    assert not decide(CodeColor.GREEN, Decimal("37.2")).fever
    at_line = decide(CodeColor.GREEN, Decimal("37.3"))
    assert at_line.fever
    assert at_line.decision is Decision.STOP
    assert at_line.reasons == (StopReason.FEVER,)


@pytest.mark.parametrize(
    ("color", "reason"),
    [(CodeColor.YELLOW, StopReason.YELLOW_CODE), (CodeColor.RED, StopReason.RED_CODE), (None, StopReason.NO_HEALTH_CODE)],
)
def test_yellow_red_and_missing_codes_stop(color: CodeColor | None, reason: StopReason) -> None:
    verdict = decide(color, Decimal("36.4"))
    assert verdict.decision is Decision.STOP
    assert verdict.reasons == (reason,)


def test_fever_with_red_code_lists_fever_first_and_needs_follow_up() -> None:
    verdict = decide(CodeColor.RED, Decimal("38.6"))
    assert verdict.reasons == (StopReason.FEVER, StopReason.RED_CODE)
    assert verdict.reason == "fever"
    assert verdict.needs_follow_up


def test_yellow_code_alone_needs_no_follow_up() -> None:
    assert not decide(CodeColor.YELLOW, Decimal("36.0")).needs_follow_up


def test_the_rules_are_settings() -> None:
    # Given a gate that lets yellow codes through and draws the fever line at 37.5
    lenient = GateRules(fever_threshold=Decimal("37.5"), stop_colors=frozenset({CodeColor.RED}))
    # Then 37.4 with a yellow code passes
    assert decide(CodeColor.YELLOW, Decimal("37.4"), lenient).decision is Decision.PASS


@given(colors, readings)
def test_a_person_passes_exactly_when_green_and_below_the_fever_line(color: CodeColor | None, reading: Decimal) -> None:
    verdict = decide(color, reading)
    assert (verdict.decision is Decision.PASS) == (color is CodeColor.GREEN and reading < Decimal("37.3"))
    assert (verdict.decision is Decision.STOP) == bool(verdict.reasons)


@pytest.mark.parametrize("value", [29.9, 45.1, -1, 100, "nan", "abc"])
def test_readings_outside_30_to_45_are_refused_naming_the_field(value: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        temperature(value)  # type: ignore[arg-type]
    assert caught.value.field == "temperature"


def test_readings_are_rounded_to_a_tenth() -> None:
    assert temperature(36.55) == Decimal("36.6")
    assert temperature("30") == Decimal("30.0")


def test_scan_time_defaults_to_the_server_time() -> None:
    assert scan_time(None, NOW) == NOW


def test_a_late_scan_keeps_its_original_time() -> None:
    # Given a device that scanned two days ago and syncs now, Then the scan keeps the device's time
    earlier = NOW - timedelta(days=2)
    assert scan_time(earlier, NOW) == earlier


@pytest.mark.parametrize("moment", [NOW + timedelta(minutes=10), NOW - timedelta(days=4)])
def test_future_and_too_old_scan_times_are_refused(moment: datetime) -> None:
    with pytest.raises(InvalidInput) as caught:
        scan_time(moment, NOW)
    assert caught.value.field == "scanned_at"


def test_small_device_clock_skew_is_tolerated() -> None:
    assert scan_time(NOW + timedelta(minutes=2), NOW) == NOW + timedelta(minutes=2)


def test_plates_are_normalised_masked_and_keep_their_region() -> None:
    plate = normalize_plate("鄂a·12345")
    assert plate == "鄂A12345"
    assert mask_plate(plate) == "鄂A***45"
    assert plate_region(plate) == "鄂A"
    assert normalize_plate("豫MD12345") == "豫MD12345"  # new-energy plates have six characters after the region


@pytest.mark.parametrize("raw", ["12345", "豫M1234", "XX12345", "豫MI2345O"])
def test_non_plates_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalize_plate(raw)
    assert caught.value.field == "vehicle_plate"
