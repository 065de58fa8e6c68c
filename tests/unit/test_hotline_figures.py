"""Per-unit figures and the duplicate rule: pure functions, no AWS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from sanmenxia.contracts import WorkOrderSource, WorkOrderType
from sanmenxia.hotline import figures
from sanmenxia.hotline.routing import Department
from sanmenxia.hotline.rules import Action, Actor, Command, NewOrder, WorkOrder, apply, escalate, open_order
from sanmenxia.hotline.sla import SlaPolicy
from sanmenxia.tipoffs.rules import TipoffKey, is_likely_duplicate, likely_duplicates

T0 = datetime(2020, 2, 10, 1, 0, tzinfo=UTC)
POLICY = SlaPolicy()
OPERATOR = Actor("sub-op", "operator1", "hotline_operator")
HANDLER = Actor("sub-h", "handler1", "department_handler")


def dispatched() -> tuple[WorkOrder, WorkOrder]:
    new = NewOrder(source=WorkOrderSource.CALL, source_ref="r", type=WorkOrderType.HELP_REQUEST)
    received = open_order(new, OPERATOR, T0, POLICY)
    return received, apply(received, Command(Action.DISPATCH, department="civil_affairs"), OPERATOR, T0, POLICY)


def test_each_step_counts_for_the_unit_it_concerns() -> None:
    received, order = dispatched()
    assert figures.deltas(received, order) == {"assigned": 1}
    assert figures.unit_of(order.steps[-1]) == "civil_affairs"
    accepted = apply(order, Command(Action.ACCEPT), HANDLER, T0 + timedelta(minutes=59), POLICY)
    assert figures.deltas(order, accepted) == {"accepted": 1, "accepted_on_time": 1}
    replied = apply(accepted, Command(Action.REPLY, note="ok", resolved=True), HANDLER, T0 + timedelta(hours=13), POLICY)
    # replied after the 12 h limit: counted, but not on time
    assert figures.deltas(accepted, replied) == {"replied": 1, "resolved": 1}
    rated = apply(replied, Command(Action.RATE, satisfaction=4), Actor("c", "citizen", "resident"), T0, POLICY)
    assert figures.deltas(replied, rated) == {"rated": 1, "rating_sum": 4, "satisfied": 1}
    assert figures.unit_of(rated.steps[-1]) == "civil_affairs"


def test_late_acceptance_is_not_on_time() -> None:
    _, order = dispatched()
    accepted = apply(order, Command(Action.ACCEPT), HANDLER, T0 + timedelta(hours=2), POLICY)
    assert figures.deltas(order, accepted) == {"accepted": 1}


def test_overdue_counts_once_per_order() -> None:
    _, order = dispatched()
    first = escalate(order, T0 + timedelta(hours=13), POLICY)
    assert first is not None and figures.deltas(order, first) == {"overdue": 1}
    second = escalate(first, T0 + timedelta(hours=40), POLICY)
    assert second is not None and figures.deltas(first, second) == {}


def test_rates() -> None:
    counters = {"assigned": 10, "accepted_on_time": 9, "replied": 8, "replied_on_time": 6, "resolved": 4, "rated": 4, "satisfied": 3, "rating_sum": 17}
    assert figures.rates(counters) == {
        "response_rate": 0.9,
        "on_time_rate": 0.75,
        "resolution_rate": 0.5,
        "satisfaction_rate": 0.75,
        "average_rating": 4.25,
    }
    assert figures.rates({})["response_rate"] is None


@given(st.dictionaries(st.sampled_from(figures.COUNTERS), st.integers(min_value=0, max_value=10_000)))
def test_rates_are_shares_when_parts_do_not_exceed_wholes(counters: dict[str, int]) -> None:
    # Given counters whose parts never exceed their wholes (as deltas guarantee)
    for part, whole in (("accepted_on_time", "assigned"), ("replied_on_time", "replied"), ("resolved", "replied"), ("satisfied", "rated")):
        counters[part] = min(counters.get(part, 0), counters.get(whole, 0))
    rates = figures.rates(counters)
    # Then every rate is a share, and present exactly when its whole is non-zero
    for name, whole in (("response_rate", "assigned"), ("on_time_rate", "replied"), ("resolution_rate", "replied"), ("satisfaction_rate", "rated")):
        value = rates[name]
        assert (value is None) == (counters.get(whole, 0) == 0)
        assert value is None or 0 <= value <= 1


def test_month_is_the_month_in_sanmenxia() -> None:
    assert figures.month_of("2020-02-29T16:30:00Z") == "2020-03"
    assert figures.month_of("2020-02-29T15:30:00Z") == "2020-02"


def key(tipoff_id: str, category: str = "rumour", community: str = "411202-001", at: str = "2020-02-10T01:00:00Z") -> TipoffKey:
    return TipoffKey(tipoff_id, category, community, at)


def test_same_category_same_community_recent_is_a_likely_duplicate() -> None:
    new = key("new", at="2020-02-12T01:00:00Z")
    assert is_likely_duplicate(new, key("a", at="2020-02-10T01:00:00Z"))
    assert not is_likely_duplicate(new, key("b", at="2020-02-08T00:59:59Z"))  # older than three days
    assert not is_likely_duplicate(new, key("c", category="gathering"))
    assert not is_likely_duplicate(new, key("d", community="411202-002"))
    assert not is_likely_duplicate(new, key("new"))


def test_suggestions_are_newest_first_and_bounded() -> None:
    new = key("new", at="2020-02-12T01:00:00Z")
    earlier = [key(f"t{n}", at=f"2020-02-1{n % 3}T0{n % 9}:00:00Z") for n in range(9)]
    found = likely_duplicates(new, earlier)
    assert len(found) == 5
    assert [item.created_at for item in found] == sorted((item.created_at for item in found), reverse=True)
    assert Department.PROPAGANDA.label == "宣传部(网信办)"
