"""The supplies ledger as plain data: request checks, statuses, low-stock alerts and the public view."""

from __future__ import annotations

from datetime import date

import pytest

from sanmenxia.errors import InvalidInput
from sanmenxia.supplies.allocation import Tier
from sanmenxia.supplies.catalogue import CATALOGUE, Item, UnitKind
from sanmenxia.supplies.rules import (
    Line,
    LineStatus,
    StockLine,
    SupplyRequest,
    check_new_request,
    crosses_threshold,
    low_stock,
    public_view,
)

TODAY = date(2020, 2, 10)


def test_the_catalogue_has_the_seed_items() -> None:
    names = {entry.name for entry in CATALOGUE.values()}
    assert names == {"口罩", "防护服", "护目镜", "消毒液", "粮油", "蔬菜", "肉类", "蛋类", "奶类"}


@pytest.mark.parametrize(
    ("tier", "kind", "unit_id", "county", "needed_by", "field"),
    [
        (Tier.FRONTLINE_MEDICAL, UnitKind.ENTERPRISE, "ent-1", None, TODAY, "tier"),
        (Tier.RETURN_TO_WORK, UnitKind.COMMUNITY, "411202-001", None, TODAY, "tier"),
        (Tier.AID_OTHER_REGIONS, UnitKind.DEPARTMENT, "health", None, TODAY, "tier"),
        (Tier.FRONTLINE_PREVENTION, UnitKind.COMMUNITY, "411202-099", None, TODAY, "unit_id"),
        (Tier.FRONTLINE_PREVENTION, UnitKind.COMMUNITY, "411202-001", "411203", TODAY, "county_code"),
        (Tier.FRONTLINE_MEDICAL, UnitKind.DEPARTMENT, "health", None, date(2020, 2, 9), "needed_by"),
        (Tier.FRONTLINE_MEDICAL, UnitKind.DEPARTMENT, "health", None, date(2021, 2, 9), "needed_by"),
    ],
)
def test_bad_requests_name_the_field(tier: Tier, kind: UnitKind, unit_id: str, county: str | None, needed_by: date, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_new_request(tier, kind, unit_id, county, needed_by, TODAY)
    assert refused.value.field == field


def test_a_community_request_takes_the_community_county() -> None:
    assert check_new_request(Tier.FRONTLINE_PREVENTION, UnitKind.COMMUNITY, "411221-004", None, TODAY, TODAY) == "411221"


def line(run_id: str, quantity: int, status: LineStatus) -> Line:
    return Line(run_id, "wh-1", quantity, status, f"2020-02-10T0{run_id[-1]}:00:00Z", "supplies1")


def request(quantity: int, allocated: int, *lines: Line) -> SupplyRequest:
    return SupplyRequest(
        "rq-1", Item.MASKS, Tier.FRONTLINE_MEDICAL, quantity, allocated, 0, 0, TODAY, UnitKind.DEPARTMENT, "health", "医院", None, None, "t", "s",
        {item.run_id: item for item in lines},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("subject", "status"),
    [
        (request(100, 0), "open"),
        (request(100, 40, line("run-1", 40, LineStatus.RECEIVED)), "partly_allocated"),
        (request(100, 100, line("run-1", 40, LineStatus.RECEIVED), line("run-2", 60, LineStatus.ALLOCATED)), "allocated"),
        (request(100, 100, line("run-1", 40, LineStatus.RECEIVED), line("run-2", 60, LineStatus.DISPATCHED)), "dispatched"),
        (request(100, 100, line("run-1", 100, LineStatus.RECEIVED)), "received"),
    ],
)
def test_request_status_follows_its_lines(subject: SupplyRequest, status: str) -> None:
    assert subject.status() == status


def test_a_request_is_late_after_its_needed_by_date_until_received() -> None:
    assert request(10, 0).late(date(2020, 2, 11))
    assert not request(10, 0).late(TODAY)
    assert not request(10, 10, line("run-1", 10, LineStatus.RECEIVED)).late(date(2020, 3, 1))


def test_low_stock_lists_lines_below_threshold_worst_first() -> None:
    lines = [
        StockLine("wh-a", Item.MASKS, 9_000, 0),
        StockLine("wh-b", Item.MASKS, 2_000, 500),
        StockLine("wh-a", Item.GOGGLES, 299, 0),
        StockLine("wh-a", Item.MILK, 800, 0),
    ]
    found = low_stock(lines, {Item.MILK: 1_000})
    assert [(low.warehouse_id, low.item.value, low.threshold) for low in found] == [
        ("wh-b", "masks", 10_000),
        ("wh-a", "milk", 1_000),
        ("wh-a", "masks", 10_000),
        ("wh-a", "goggles", 300),
    ]


def test_crossing_the_threshold_is_only_the_step_below_it() -> None:
    assert crosses_threshold(120, 90, 100)
    assert not crosses_threshold(90, 80, 100)
    assert not crosses_threshold(150, 100, 100)


def test_public_view_adds_tiers_and_shows_the_delivered_share() -> None:
    totals = {
        (Item.MASKS, "frontline_medical"): {"requested": 600, "allocated": 600, "dispatched": 600, "received": 590},
        (Item.MASKS, "frontline_prevention"): {"requested": 400, "allocated": 100},
        (Item.MASKS, "stock"): {"donated": 700, "procured": 0, "available": 0},
    }
    masks = next(row for row in public_view(totals) if row["item"] == "masks")
    assert (masks["need"], masks["allocated"], masks["delivered"], masks["delivered_share"], masks["donated"]) == (1000, 700, 590, 0.59, 700)
    milk = next(row for row in public_view(totals) if row["item"] == "milk")
    assert (milk["need"], milk["delivered_share"]) == (0, None)


def test_the_tiers_a_unit_may_claim_follow_from_the_unit() -> None:
    from sanmenxia.supplies.allocation import Tier
    from sanmenxia.supplies.catalogue import UnitKind, allowed_tiers

    assert Tier.FRONTLINE_MEDICAL in allowed_tiers(UnitKind.DEPARTMENT, "health")
    assert Tier.FRONTLINE_MEDICAL in allowed_tiers(UnitKind.DEPARTMENT, "hospital-xinan")
    assert allowed_tiers(UnitKind.DEPARTMENT, "public_security") == frozenset({Tier.FRONTLINE_PREVENTION})
    assert allowed_tiers(UnitKind.COMMUNITY, "hospital-411202-001") == frozenset({Tier.FRONTLINE_PREVENTION})
