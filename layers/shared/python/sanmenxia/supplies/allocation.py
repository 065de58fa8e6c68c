"""Allocation of emergency supplies (物资调配): "frontline first", then a fair share within a tier.

The policy, as one pure function (``allocate``):

1. **Tier first.** Tiers are served in strict order: frontline medical (一线医疗) > frontline prevention
   (一线防控) > return to work (复工复产) > aid to other regions (对外援助). A tier receives anything only after
   every request of every higher tier has received its whole outstanding need.
2. **Fair share within the tier where stock runs out: proportional to need.** Each request of that tier
   gets the same fraction of its outstanding need (``stock × need / tier need``), rounded down to whole
   units; the units left over by rounding go, one each, to the largest fractional remainders (the
   largest-remainder method), ties broken by the earliest needed-by date, then the earliest request,
   then the request id. Proportional sharing was chosen over max-min fairness because a big hospital and a
   small clinic of the same tier should both be able to cover the same share of their wards; max-min
   fairness would fill the clinic first and leave the hospital's shortfall concentrated.
3. **Limits.** Nobody gets more than its outstanding need (requested minus already allocated) or less than
   zero; the run never gives out more than the stock released for it; and while any need remains
   unmet the whole stock is given out (no unit is held back).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Tier(StrEnum):
    """Priority tiers of a supplies request, most urgent first."""

    FRONTLINE_MEDICAL = "frontline_medical"  # 一线医疗
    FRONTLINE_PREVENTION = "frontline_prevention"  # 一线防控
    RETURN_TO_WORK = "return_to_work"  # 复工复产
    AID_OTHER_REGIONS = "aid_other_regions"  # 对外援助

    @property
    def rank(self) -> int:
        """1 for the most urgent tier."""
        return _RANKS[self]


_RANKS = {tier: index for index, tier in enumerate(Tier, start=1)}


@dataclass(frozen=True)
class Demand:
    """One request's claim on a run: its tier and its limit (outstanding need) for this run."""

    request_id: str
    tier: Tier
    outstanding: int
    needed_by: date
    created_at: str = ""

    def urgency(self) -> tuple[int, date, str, str]:
        """Sort key, most urgent first: tier, needed-by date, creation, id."""
        return (self.tier.rank, self.needed_by, self.created_at, self.request_id)


@dataclass(frozen=True)
class Allocation:
    request_id: str
    tier: Tier
    outstanding: int
    quantity: int

    @property
    def fully_met(self) -> bool:
        return self.quantity == self.outstanding


@dataclass(frozen=True)
class Plan:
    """The result of a run: one allocation per demand (zeros included), most urgent first."""

    stock: int
    allocations: tuple[Allocation, ...]

    @property
    def given(self) -> int:
        return sum(item.quantity for item in self.allocations)

    @property
    def left(self) -> int:
        return self.stock - self.given

    def quantity_for(self, request_id: str) -> int:
        return next((item.quantity for item in self.allocations if item.request_id == request_id), 0)

    def nonzero(self) -> list[Allocation]:
        return [item for item in self.allocations if item.quantity > 0]


def _check(stock: int, demands: Sequence[Demand]) -> None:
    if stock < 0:
        raise ValueError("stock must not be negative")
    seen: set[str] = set()
    for demand in demands:
        if demand.outstanding < 0:
            raise ValueError(f"request {demand.request_id}: outstanding need must not be negative")
        if demand.request_id in seen:
            raise ValueError(f"request {demand.request_id} appears twice")
        seen.add(demand.request_id)


def proportional_share(available: int, group: Sequence[Demand]) -> dict[str, int]:
    """Split ``available`` whole units over ``group`` in proportion to need (largest remainder)."""
    total = sum(demand.outstanding for demand in group)
    if available >= total:
        return {demand.request_id: demand.outstanding for demand in group}
    shares = {demand.request_id: available * demand.outstanding // total for demand in group}
    leftover = available - sum(shares.values())
    # The fractional part of each exact share is (available × need mod total) / total; compare numerators.
    by_remainder = sorted(group, key=lambda d: (-(available * d.outstanding % total), d.needed_by, d.created_at, d.request_id))
    for demand in by_remainder[:leftover]:
        shares[demand.request_id] += 1
    return shares


def _tiers(demands: Iterable[Demand]) -> list[list[Demand]]:
    groups: dict[Tier, list[Demand]] = {}
    for demand in sorted(demands, key=Demand.urgency):
        groups.setdefault(demand.tier, []).append(demand)
    return [groups[tier] for tier in sorted(groups, key=lambda tier: tier.rank)]


def allocate(stock: int, demands: Sequence[Demand]) -> Plan:
    """Allocate ``stock`` whole units over ``demands``: tier first, proportional within a tier.

    Raises ``ValueError`` for negative stock or needs, or a request listed twice.
    """
    _check(stock, demands)
    available = stock
    given: dict[str, int] = {}
    for group in _tiers(demands):
        shares = proportional_share(available, group)
        given.update(shares)
        available -= sum(shares.values())
    ordered = sorted(demands, key=Demand.urgency)
    return Plan(
        stock=stock,
        allocations=tuple(Allocation(d.request_id, d.tier, d.outstanding, given.get(d.request_id, 0)) for d in ordered),
    )
