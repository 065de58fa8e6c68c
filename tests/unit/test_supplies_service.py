"""The supplies desk's use cases (``sanmenxia.supplies.service``) over a fake store: a county commander's lists
hold nothing of another county, and what they may not touch is refused before anything is written."""

from __future__ import annotations

from typing import Any

import pytest

from sanmenxia import regions
from sanmenxia.auth import Principal, Role
from sanmenxia.errors import Forbidden
from sanmenxia.supplies.catalogue import Item
from sanmenxia.supplies.rules import StockLine, Warehouse
from sanmenxia.supplies.service import Supplies

COUNTY = regions.COUNTIES[0].code
OTHER = regions.COUNTIES[1].code
HERE = Warehouse("wh-0000000001", "东仓", COUNTY, "addr", "2026-02-01T00:00:00Z")
THERE = Warehouse("wh-0000000002", "西仓", OTHER, "addr", "2026-02-01T00:00:00Z")


class FakeStore:
    """The reads the use cases make; ``writes`` records any write (there must be none when refused)."""

    def __init__(self) -> None:
        self.writes: list[str] = []

    def warehouses(self) -> list[Warehouse]:
        return [HERE, THERE]

    def warehouse(self, warehouse_id: str) -> Warehouse:
        return {HERE.warehouse_id: HERE, THERE.warehouse_id: THERE}[warehouse_id]

    def thresholds(self) -> dict[Item, int]:
        return {Item.MASKS: 100}

    def stock_of_item(self, item: Item) -> list[StockLine]:
        if item is not Item.MASKS:
            return []
        return [StockLine(HERE.warehouse_id, item, 40, 5), StockLine(THERE.warehouse_id, item, 10, 0)]

    def inbound(self, item: Item) -> list[dict[str, Any]]:
        return [{"warehouse_id": HERE.warehouse_id, "quantity": 1}, {"warehouse_id": THERE.warehouse_id, "quantity": 2}]

    def runs(self, item: Item) -> list[dict[str, Any]]:
        return [{"run_id": "run-1", "warehouse_id": THERE.warehouse_id}]

    def run_allocation(self, *args: Any) -> Any:
        self.writes.append("run")
        raise AssertionError("a refused run must not reach the store")


def caller(**scope: str) -> Principal:
    return Principal(sub="s-1", username="u", roles=frozenset({Role.COMMANDER}), scope=scope)


def service() -> tuple[Supplies, FakeStore]:
    store = FakeStore()
    return Supplies(store), store  # type: ignore[arg-type]


def test_a_county_commanders_lists_hold_only_their_countys_warehouses() -> None:
    # Given warehouses in two counties, and a commander of the first
    supplies, _ = service()
    commander = caller(county_code=COUNTY)
    # When they read the stock, the alerts, the inbound bookings and the runs
    overview = {row["item"]: row for row in supplies.stock_overview(commander)}
    alerts = supplies.alerts(commander)
    inbound = supplies.inbound(commander, Item.MASKS)
    runs = supplies.runs(commander, Item.MASKS)
    # Then nothing of the other county is in them
    assert overview["masks"]["available"] == 40 and [row["warehouse_id"] for row in overview["masks"]["warehouses"]] == [HERE.warehouse_id]
    assert [(low["warehouse_id"], low["warehouse_name"], low["shortfall"]) for low in alerts] == [(HERE.warehouse_id, "东仓", 60)]
    assert inbound == [{"warehouse_id": HERE.warehouse_id, "quantity": 1}]
    assert runs == []


def test_a_city_commander_sees_every_county() -> None:
    supplies, _ = service()
    overview = {row["item"]: row for row in supplies.stock_overview(caller())}
    assert overview["masks"]["available"] == 50 and overview["masks"]["reserved"] == 5
    assert {low["warehouse_id"] for low in supplies.alerts(caller())} == {HERE.warehouse_id, THERE.warehouse_id}


def test_a_run_in_another_countys_warehouse_is_refused_before_anything_is_written() -> None:
    supplies, store = service()
    with pytest.raises(Forbidden, match="warehouse"):
        supplies.run_allocation(caller(county_code=COUNTY), Item.MASKS, THERE.warehouse_id, None)
    assert store.writes == []
