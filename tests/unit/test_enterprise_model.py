"""Return to work as plain data: statuses, plans, roll-ups and the seed's statistics."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanmenxia.enterprises.rules import (
    Decision,
    Enterprise,
    Industry,
    PreventionMeasure,
    ResumptionStatus,
    RosterColour,
    check_plan,
    employee_id,
    next_status,
    roll_up,
    roster_colour,
    statistics,
)
from sanmenxia.errors import Conflict, InvalidInput
from sanmenxia.holds import CodeColor

TODAY = date(2020, 2, 20)
REQUIRED = [PreventionMeasure.TEMPERATURE_CHECKS, PreventionMeasure.MASKS, PreventionMeasure.DISINFECTION, PreventionMeasure.HEALTH_CODE_CHECK]


def enterprise(enterprise_id: str, *, above: bool, status: ResumptionStatus) -> Enterprise:
    return Enterprise(enterprise_id, enterprise_id, "411202", Industry.MANUFACTURING, above, status, None, "2020-02-01T00:00:00Z")


@pytest.mark.parametrize(
    ("current", "decision", "expected"),
    [
        (ResumptionStatus.NOT_APPLIED, None, ResumptionStatus.PENDING),
        (ResumptionStatus.REJECTED, None, ResumptionStatus.PENDING),
        (ResumptionStatus.PENDING, Decision.APPROVE, ResumptionStatus.APPROVED),
        (ResumptionStatus.PENDING, Decision.REJECT, ResumptionStatus.REJECTED),
    ],
)
def test_allowed_transitions(current: ResumptionStatus, decision: Decision | None, expected: ResumptionStatus) -> None:
    assert next_status(current, decision) is expected


@pytest.mark.parametrize(
    ("current", "decision"),
    [
        (ResumptionStatus.PENDING, None),
        (ResumptionStatus.APPROVED, None),
        (ResumptionStatus.NOT_APPLIED, Decision.APPROVE),
        (ResumptionStatus.APPROVED, Decision.REJECT),
    ],
)
def test_refused_transitions(current: ResumptionStatus, decision: Decision | None) -> None:
    with pytest.raises(Conflict):
        next_status(current, decision)


def test_plan_without_a_required_measure_names_it() -> None:
    with pytest.raises(InvalidInput, match="health_code_check") as refused:
        check_plan(REQUIRED[:3], TODAY, TODAY)
    assert refused.value.field == "prevention_plan.measures"


def test_plan_in_the_past_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_plan(REQUIRED, date(2020, 2, 19), TODAY)
    assert refused.value.field == "planned_date"


def test_no_code_is_never_green() -> None:
    assert roster_colour(None) is RosterColour.NO_CODE
    assert [roster_colour(color) for color in CodeColor] == [RosterColour.GREEN, RosterColour.YELLOW, RosterColour.RED]


def test_employee_ids_are_stable_per_enterprise_and_differ_between_enterprises() -> None:
    assert employee_id("ent-1", "key") == employee_id("ent-1", "key")
    assert employee_id("ent-1", "key") != employee_id("ent-2", "key")
    assert len(employee_id("ent-1", "key")) == 16


def test_a_resumed_enterprise_without_a_roll_up_is_named_not_guessed() -> None:
    stats = statistics([enterprise("a", above=True, status=ResumptionStatus.APPROVED)], {})
    assert stats["workers"]["due_back"] == 0
    assert stats["without_roll_up"] == ["a"]


def test_roll_up_of_an_empty_roster_has_no_share() -> None:
    assert roll_up([]) == {"employees": 0, "green": 0, "yellow": 0, "red": 0, "no_code": 0, "green_share": None}


def test_statistics_worked_example() -> None:
    # Given three above-scale enterprises of which two resumed, and one small resumed one
    listed = [
        enterprise("a", above=True, status=ResumptionStatus.APPROVED),
        enterprise("b", above=True, status=ResumptionStatus.APPROVED),
        enterprise("c", above=True, status=ResumptionStatus.PENDING),
        enterprise("d", above=False, status=ResumptionStatus.APPROVED),
    ]
    colours = {
        "a": [RosterColour.GREEN, RosterColour.RED],
        "b": [RosterColour.NO_CODE],
        "c": [RosterColour.GREEN] * 5,  # not resumed: its workers are not "due back"
        "d": [RosterColour.GREEN],
    }
    stats = statistics(listed, {key: roll_up(value) for key, value in colours.items()})
    assert stats["enterprises"] == {
        "registered": 4,
        "resumed": 3,
        "pending": 1,
        "above_scale": 3,
        "above_scale_resumed": 2,
        "above_scale_resumed_share": 0.6667,
    }
    assert stats["workers"] == {"due_back": 4, "green": 2, "green_share": 0.5, "yellow": 0, "red": 1, "no_code": 1}


@settings(max_examples=200, deadline=None)
@given(
    rosters=st.lists(
        st.tuples(st.booleans(), st.sampled_from(list(ResumptionStatus)), st.lists(st.sampled_from(list(RosterColour)), max_size=8)),
        max_size=12,
    )
)
def test_statistics_are_counts_of_what_they_name(rosters: list[tuple[bool, ResumptionStatus, list[RosterColour]]]) -> None:
    listed = [enterprise(f"e{i}", above=above, status=status) for i, (above, status, _) in enumerate(rosters)]
    counts = {f"e{i}": roll_up(roster) for i, (_, _, roster) in enumerate(rosters)}
    stats = statistics(listed, counts)
    workers = stats["workers"]
    assert workers["green"] + workers["yellow"] + workers["red"] + workers["no_code"] == workers["due_back"]
    assert workers["due_back"] == sum(len(roster) for _, status, roster in rosters if status is ResumptionStatus.APPROVED)
    assert stats["enterprises"]["above_scale_resumed"] <= min(stats["enterprises"]["above_scale"], stats["enterprises"]["resumed"])
