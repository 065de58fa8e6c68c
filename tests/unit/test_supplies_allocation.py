"""Allocation of supplies: table tests with worked examples, and the invariants as hypothesis properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanmenxia.supplies.allocation import Demand, Tier, allocate, proportional_share

MED, PREV, WORK, AID = Tier.FRONTLINE_MEDICAL, Tier.FRONTLINE_PREVENTION, Tier.RETURN_TO_WORK, Tier.AID_OTHER_REGIONS
DAY = date(2020, 2, 10)


def demand(request_id: str, tier: Tier, need: int, *, due: int = 0, created: str = "") -> Demand:
    return Demand(request_id, tier, need, DAY + timedelta(days=due), created or request_id)


@pytest.mark.parametrize(
    ("stock", "demands", "expected"),
    [
        # Enough for everybody: every need met, the rest stays in stock.
        (1000, [demand("h", MED, 300), demand("c", PREV, 200)], {"h": 300, "c": 200}),
        # Frontline medical first: the hospital is served in full before the checkpoint gets anything.
        (300, [demand("c", PREV, 200), demand("h", MED, 300)], {"h": 300, "c": 0}),
        # Stock runs out inside the second tier: medical full, prevention shares the rest 3:1 by need.
        (500, [demand("h", MED, 100), demand("c1", PREV, 600), demand("c2", PREV, 200), demand("e", WORK, 50)],
         {"h": 100, "c1": 300, "c2": 100, "e": 0}),
        # Proportional to need: 100 over needs 60/60/80 of a tier needing 200 → half of each need.
        (100, [demand("a", WORK, 60), demand("b", WORK, 60), demand("c", WORK, 80)], {"a": 30, "b": 30, "c": 40}),
        # Largest remainder: 10 over three equal needs → 3.33 each; the spare unit goes to the earliest needed-by.
        (10, [demand("a", PREV, 5, due=2), demand("b", PREV, 5, due=1), demand("c", PREV, 5, due=3)], {"a": 3, "b": 4, "c": 3}),
        # Same needed-by: the earlier request wins the spare unit.
        (2, [demand("x", MED, 3, created="2020-02-02"), demand("y", MED, 3, created="2020-02-01"), demand("z", MED, 3, created="2020-02-03")],
         {"x": 1, "y": 1, "z": 0}),
        # Aid to other regions only from what the city's own tiers leave over.
        (120, [demand("aid", AID, 100), demand("e", WORK, 50)], {"e": 50, "aid": 70}),
        # No stock: nobody gets anything.
        (0, [demand("h", MED, 10)], {"h": 0}),
        # A request already fully allocated (outstanding 0) takes nothing and blocks nobody.
        (5, [demand("done", MED, 0), demand("c", PREV, 5)], {"done": 0, "c": 5}),
    ],
)  # fmt: skip
def test_worked_examples(stock: int, demands: list[Demand], expected: dict[str, int]) -> None:
    # Given a stock and requests, When the run allocates, Then each request gets the worked-out quantity
    plan = allocate(stock, demands)
    assert {item.request_id: item.quantity for item in plan.allocations} == expected


def test_plan_lists_requests_most_urgent_first() -> None:
    plan = allocate(10, [demand("aid", AID, 1), demand("late-med", MED, 1, due=5), demand("med", MED, 1), demand("w", WORK, 1)])
    assert [item.request_id for item in plan.allocations] == ["med", "late-med", "w", "aid"]


@pytest.mark.parametrize(
    ("stock", "demands", "message"),
    [
        (-1, [], "stock"),
        (5, [demand("a", MED, -2)], "outstanding"),
        (5, [demand("a", MED, 2), demand("a", PREV, 2)], "twice"),
    ],
)
def test_impossible_inputs_are_refused(stock: int, demands: list[Demand], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        allocate(stock, demands)


def test_proportional_share_gives_whole_units_summing_to_the_stock() -> None:
    shares = proportional_share(7, [demand("a", WORK, 10), demand("b", WORK, 10), demand("c", WORK, 1)])
    # 7 × (10, 10, 1) / 21 = (3.33, 3.33, 0.33): equal remainders, so the spare unit goes to the earliest request
    assert sum(shares.values()) == 7
    assert shares == {"a": 4, "b": 3, "c": 0}


# -- properties ----------------------------------------------------------------------------------------

demands_strategy = st.lists(
    st.builds(
        lambda index, tier, need, due: demand(f"r{index}", tier, need, due=due),
        st.integers(0, 10_000),
        st.sampled_from(list(Tier)),
        st.integers(0, 500),
        st.integers(0, 20),
    ),
    max_size=30,
    unique_by=lambda d: d.request_id,
)


@settings(max_examples=400, deadline=None)
@given(stock=st.integers(0, 8_000), demands=demands_strategy)
def test_never_more_than_stock(stock: int, demands: list[Demand]) -> None:
    assert allocate(stock, demands).given <= stock


@settings(max_examples=400, deadline=None)
@given(stock=st.integers(0, 8_000), demands=demands_strategy)
def test_each_request_within_its_limits(stock: int, demands: list[Demand]) -> None:
    for item in allocate(stock, demands).allocations:
        assert 0 <= item.quantity <= item.outstanding


@settings(max_examples=400, deadline=None)
@given(stock=st.integers(0, 8_000), demands=demands_strategy)
def test_higher_tier_is_fully_met_whenever_a_lower_tier_gets_some(stock: int, demands: list[Demand]) -> None:
    plan = allocate(stock, demands)
    for low in plan.nonzero():
        for high in plan.allocations:
            if high.tier.rank < low.tier.rank:
                assert high.fully_met, (high, low)


@settings(max_examples=400, deadline=None)
@given(stock=st.integers(0, 8_000), demands=demands_strategy)
def test_no_stock_is_held_back_while_need_remains(stock: int, demands: list[Demand]) -> None:
    plan = allocate(stock, demands)
    assert plan.given == min(stock, sum(d.outstanding for d in demands))


@settings(max_examples=300, deadline=None)
@given(stock=st.integers(0, 8_000), demands=demands_strategy)
def test_within_a_tier_shares_of_need_differ_by_less_than_one_unit(stock: int, demands: list[Demand]) -> None:
    # Proportional fairness: quantity/need is the same for all requests of a tier up to rounding to one unit.
    plan = allocate(stock, demands)
    for tier in Tier:
        group = [item for item in plan.allocations if item.tier is tier and item.outstanding > 0]
        if not group or all(item.fully_met for item in group):
            continue
        share = sum(item.quantity for item in group) / sum(item.outstanding for item in group)
        for item in group:
            assert abs(item.quantity - share * item.outstanding) < 1


@settings(max_examples=200, deadline=None)
@given(stock=st.integers(0, 8_000), demands=demands_strategy, seed=st.randoms())
def test_order_of_requests_does_not_change_the_plan(stock: int, demands: list[Demand], seed: object) -> None:
    shuffled = list(demands)
    seed.shuffle(shuffled)  # type: ignore[attr-defined]
    assert allocate(stock, demands) == allocate(stock, shuffled)
