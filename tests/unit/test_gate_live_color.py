"""Gate verdicts online: the worse of the token's colour and today's, with one read per scan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanmenxia.checkpoints.rules import StopReason, advice
from sanmenxia.checkpoints.service import LiveCode, live_from_holds
from sanmenxia.holds import CodeColor, Hold, HoldKind

AT = datetime(2020, 2, 25, 2, 0, tzinfo=UTC)


def hold(kind: HoldKind, color: CodeColor, since: datetime, lifted: bool = False) -> Hold:
    iso = since.strftime("%Y-%m-%dT%H:%M:%SZ")
    return Hold("p-1", kind, "checkpoints", "ref", "why", color, iso, iso if lifted else None)


def test_a_hold_placed_before_the_scan_makes_the_colour_worse_and_names_its_kind() -> None:
    live = live_from_holds(CodeColor.GREEN, [hold(HoldKind.FEVER, CodeColor.YELLOW, AT - timedelta(minutes=1))], AT)
    assert live == LiveCode(CodeColor.YELLOW, "fever")


def test_a_lifted_hold_and_a_hold_placed_after_a_late_synced_scan_do_not_count() -> None:
    holds = [hold(HoldKind.ISOLATION, CodeColor.RED, AT - timedelta(hours=1), lifted=True), hold(HoldKind.FEVER, CodeColor.YELLOW, AT + timedelta(minutes=1))]
    assert live_from_holds(CodeColor.GREEN, holds, AT) == LiveCode(CodeColor.GREEN, None)


@given(
    st.sampled_from(list(CodeColor)),
    st.lists(st.tuples(st.sampled_from(list(HoldKind)), st.sampled_from(list(CodeColor)), st.booleans()), max_size=5),
)
def test_holds_never_make_a_colour_better(base: CodeColor, specs: list[tuple[HoldKind, CodeColor, bool]]) -> None:
    live = live_from_holds(base, [hold(kind, color, AT - timedelta(minutes=5), lifted) for kind, color, lifted in specs], AT)
    assert live.color.severity >= base.severity


@pytest.mark.parametrize(
    ("reasons", "hold_kind", "code"),
    [
        ((), None, "pass"),
        ((StopReason.FEVER, StopReason.YELLOW_CODE), "fever", "fever_clinic"),
        ((StopReason.YELLOW_CODE,), "fever", "hold"),
        ((StopReason.YELLOW_CODE,), None, "check_in_today"),
        ((StopReason.RED_CODE,), None, "check_in_three_days"),
        ((StopReason.RED_CODE,), "isolation", "hold"),
        ((StopReason.NO_HEALTH_CODE,), None, "apply_for_code"),
    ],
)
def test_the_advice_follows_the_reason(reasons: tuple[StopReason, ...], hold_kind: str | None, code: str) -> None:
    assert advice(reasons, hold_kind)["code"] == code


def test_a_yellow_code_from_a_fever_hold_never_advises_a_check_in() -> None:
    assert advice((StopReason.YELLOW_CODE,), "fever") == {"code": "hold", "params": {"hold_kind": "fever", "color": "yellow"}}


class _Stub:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def current_code(self, person_id: str) -> LiveCode:
        self.calls.append("current_code")
        return LiveCode(CodeColor.RED, "isolation")

    def active_holds(self, person_id: str) -> list[Hold]:
        self.calls.append("active_holds")
        return []


@pytest.mark.parametrize(
    ("issued", "expected_calls", "color"),
    [
        (datetime(2020, 2, 25, 1, 58, tzinfo=UTC), ["active_holds"], CodeColor.GREEN),  # same Shanghai day: one query of holds
        (datetime(2020, 2, 24, 15, 58, tzinfo=UTC), ["current_code"], CodeColor.RED),  # 23:58 yesterday, scanned after the close
    ],
)
def test_one_read_per_scan_and_the_full_code_across_the_daily_close(issued: datetime, expected_calls: list[str], color: CodeColor) -> None:
    from sanmenxia.checkpoints.service import Gate

    stub = _Stub()
    gate = Gate.__new__(Gate)
    gate.current_code = stub.current_code
    gate.active_holds = stub.active_holds
    at = datetime(2020, 2, 24, 16, 2, tzinfo=UTC) if issued.day == 24 else AT
    live = gate._live("p-1", CodeColor.GREEN, issued, at)
    assert stub.calls == expected_calls
    assert live.color is color
