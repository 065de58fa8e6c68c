"""Resident rules: fever, key-person suggestion from a self-report, filters and the index each one reads."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanmenxia.contracts import KeyPersonCategory
from sanmenxia.errors import Conflict
from sanmenxia.residents.rules import (
    HardshipStatus,
    Health,
    IsolationStatus,
    PersonType,
    ResidentFilter,
    ResidentState,
    Symptom,
    TravelEntry,
    TravelRegion,
    candidate_category,
    check_hardship_transition,
    index_values,
    is_fever,
    plan_query,
)

TODAY = date(2020, 2, 10)
C = "411202-001"


@pytest.mark.parametrize(
    ("temperature", "symptoms", "fever"),
    [("37.3", (), True), ("37.2", (), False), (None, (Symptom.FEVER,), True), (None, (Symptom.COUGH,), False), ("39.0", (), True)],
)
def test_fever_threshold(temperature: str | None, symptoms: tuple[Symptom, ...], fever: bool) -> None:
    assert is_fever(Decimal(temperature) if temperature else None, symptoms) is fever


def trip(region: TravelRegion, ended_days_ago: int) -> TravelEntry:
    end = TODAY - timedelta(days=ended_days_ago)
    return TravelEntry("somewhere", region, end - timedelta(days=2), end)


@pytest.mark.parametrize(
    ("travel", "temperature", "category"),
    [
        ([trip(TravelRegion.WUHAN, 3), trip(TravelRegion.HUBEI, 1)], None, KeyPersonCategory.FROM_WUHAN),
        ([trip(TravelRegion.HUBEI, 14)], None, KeyPersonCategory.FROM_HUBEI),
        ([trip(TravelRegion.HUBEI, 15)], None, None),
        ([trip(TravelRegion.OUTSIDE_CITY, 0)], "38.0", KeyPersonCategory.FROM_OUTSIDE_CITY),
        ([trip(TravelRegion.WITHIN_CITY, 0)], "38.0", KeyPersonCategory.FEVER_WITHOUT_CONTACT),
        ([], "36.5", None),
    ],
)
def test_key_person_suggestion(travel: list[TravelEntry], temperature: str | None, category: KeyPersonCategory | None) -> None:
    health = Health(Decimal(temperature) if temperature else None)
    assert candidate_category(health, travel, TODAY) is category


def test_hardship_transitions() -> None:
    check_hardship_transition(HardshipStatus.OPEN, HardshipStatus.IN_PROGRESS)
    check_hardship_transition(HardshipStatus.IN_PROGRESS, HardshipStatus.RESOLVED)
    with pytest.raises(Conflict):
        check_hardship_transition(HardshipStatus.RESOLVED, HardshipStatus.OPEN)
    with pytest.raises(Conflict):
        check_hardship_transition(HardshipStatus.DECLINED, HardshipStatus.RESOLVED)


states = st.builds(
    ResidentState,
    person_id=st.text("0123456789abcdef", min_size=24, max_size=24),
    community_id=st.just(C),
    household_id=st.just("h"),
    relation=st.just("self"),
    name_masked=st.just("张*"),
    id_masked=st.just("411202********1234"),
    person_type=st.none() | st.sampled_from(PersonType),
    health=st.none() | st.builds(Health, st.none() | st.sampled_from([Decimal("36.5"), Decimal("38.1")]), st.just(())),
    isolation=st.sampled_from(IsolationStatus),
    open_requests=st.frozensets(st.sampled_from(["r1", "r2"])),
)
filters = st.builds(
    ResidentFilter,
    person_type=st.none() | st.sampled_from(PersonType),
    fever=st.none() | st.booleans(),
    isolation=st.none() | st.booleans(),
    hardship=st.none() | st.booleans(),
)


def plan_selects(state: ResidentState, wanted: ResidentFilter) -> bool:
    """What a DynamoDB query following the plan returns for this item (index membership + residual tests)."""
    attributes = {"pk": f"c#{state.community_id}", **index_values(state)}
    plan = plan_query(C, wanted)
    if attributes.get(plan.partition_attribute) != plan.partition_value:
        return False
    return (
        all(name in attributes for name in plan.present)
        and all(name not in attributes for name in plan.absent)
        and all(attributes.get(name) == value for name, value in plan.equals)
    )


@given(states, filters)
def test_the_query_plan_returns_exactly_the_matching_residents(state: ResidentState, wanted: ResidentFilter) -> None:
    assert plan_selects(state, wanted) == wanted.matches(state)


def test_positive_flags_read_a_sparse_index() -> None:
    assert plan_query(C, ResidentFilter(fever=True)).index == "fever-index"
    assert plan_query(C, ResidentFilter(hardship=True, fever=True)).index == "hardship-index"
    assert plan_query(C, ResidentFilter(person_type=PersonType.VISITOR)).index == "type-index"
    assert plan_query(C, ResidentFilter(fever=False)).index is None
