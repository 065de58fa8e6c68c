"""Key-person rules: supervision staleness, days to close, holds per status and measure, actions per status."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanmenxia.contracts import KeyPersonCategory
from sanmenxia.errors import Conflict, InvalidInput
from sanmenxia.holds import HoldKind
from sanmenxia.keypersons.rules import (
    KeyPersonStatus,
    Measure,
    MeasureKind,
    SupervisionReason,
    SupervisionView,
    check_action,
    days_to_close,
    desired_holds,
    planned_release,
    recent_days,
    stale_on,
)

D = date(2020, 2, 10)


def view(status: KeyPersonStatus = KeyPersonStatus.ACTIVE, opened: date = D, *days: date) -> SupervisionView:
    return SupervisionView("kp1", status, opened, frozenset(days))


@pytest.mark.parametrize(
    ("record", "day", "reason"),
    [
        (view(KeyPersonStatus.ACTIVE, D), D, SupervisionReason.NO_FOLLOW_UP),
        (view(KeyPersonStatus.ACTIVE, D, D), D, None),
        (view(KeyPersonStatus.ACTIVE, D, D), D + timedelta(days=1), SupervisionReason.NO_FOLLOW_UP),
        (view(KeyPersonStatus.ACTIVE, D + timedelta(days=1)), D, None),
        (view(KeyPersonStatus.PENDING, D), D, SupervisionReason.UNREVIEWED),
        (view(KeyPersonStatus.RELEASED, D), D, None),
        (view(KeyPersonStatus.DISMISSED, D), D, None),
    ],
)
def test_staleness(record: SupervisionView, day: date, reason: SupervisionReason | None) -> None:
    assert stale_on(record, day) is reason


@given(st.sets(st.integers(0, 20)), st.integers(0, 20))
def test_an_active_record_is_stale_exactly_on_days_without_follow_up(followed: set[int], offset: int) -> None:
    record = view(KeyPersonStatus.ACTIVE, D, *(D + timedelta(days=n) for n in followed))
    stale = stale_on(record, D + timedelta(days=offset)) is not None
    assert stale == (offset not in followed)


def test_follow_up_days_are_kept_for_every_day_the_close_has_not_processed() -> None:
    old, recent = D - timedelta(days=40), D - timedelta(days=3)
    assert recent_days({old, recent, D}, D) == {recent, D}
    assert recent_days({old, recent, D}, D, unclosed_from=D - timedelta(days=45)) == {old, recent, D}


def test_days_to_close() -> None:
    assert days_to_close(None, D) == [D - timedelta(days=1)]
    assert days_to_close(D - timedelta(days=1), D) == []
    assert days_to_close(D - timedelta(days=4), D) == [D - timedelta(days=3), D - timedelta(days=2), D - timedelta(days=1)]
    assert len(days_to_close(D - timedelta(days=400), D)) == 399  # every missed day, however many


def test_holds_follow_status_and_measure() -> None:
    kinds = [h.kind for h in desired_holds(KeyPersonStatus.ACTIVE, KeyPersonCategory.FROM_WUHAN, Measure(MeasureKind.HOME_ISOLATION))]
    assert kinds == [HoldKind.KEY_PERSON, HoldKind.ISOLATION]
    kinds = [h.kind for h in desired_holds(KeyPersonStatus.ACTIVE, KeyPersonCategory.CLOSE_CONTACT, Measure(MeasureKind.MEDICAL_OBSERVATION))]
    assert kinds == [HoldKind.KEY_PERSON]
    for status in (KeyPersonStatus.PENDING, KeyPersonStatus.RELEASED, KeyPersonStatus.DISMISSED):
        assert desired_holds(status, KeyPersonCategory.FROM_HUBEI, Measure(MeasureKind.HOME_ISOLATION)) == []


def test_sites_are_required_where_they_matter() -> None:
    with pytest.raises(InvalidInput) as error:
        Measure(MeasureKind.CENTRALIZED_ISOLATION).validated()
    assert error.value.field == "measure.site"
    assert Measure(MeasureKind.HOSPITAL, "市中心医院").validated().site == "市中心医院"
    assert Measure(MeasureKind.HOME_ISOLATION).validated().site is None


def test_actions_allowed_per_status() -> None:
    check_action("follow_up", KeyPersonStatus.ACTIVE)
    check_action("confirm", KeyPersonStatus.PENDING)
    for action, status in [("follow_up", KeyPersonStatus.PENDING), ("release", KeyPersonStatus.RELEASED), ("confirm", KeyPersonStatus.ACTIVE)]:
        with pytest.raises(Conflict):
            check_action(action, status)


def test_planned_release_is_fourteen_days_by_default() -> None:
    assert planned_release(D) == D + timedelta(days=14)
    assert planned_release(D, 21) == D + timedelta(days=21)
