"""The supplies desk's use cases (应急物资): what routes call, with the caller's scope applied.

A warehouse, its stock, its runs and the lines they dispatch live in the warehouse's county (a request's line
also in the request's): a county-bound caller (a county commander) acts only inside their county, and the
lists of stock, inbound bookings, alerts, requests and runs hold nothing of another county. The rules are in
``rules``/``allocation``, the storage in ``store``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sanmenxia import audit, scope
from sanmenxia.auth import Principal
from sanmenxia.observability import logger, metrics
from sanmenxia.scope import Action, Desk, Place
from sanmenxia.supplies.catalogue import Item
from sanmenxia.supplies.rules import Line, SupplyRequest, Warehouse, crosses_threshold, low_stock, threshold_for
from sanmenxia.supplies.store import RunResult, SuppliesStore


def require_county(caller: Principal, county_code: str | None, action: Action = Action.READ, *, what: str) -> None:
    """403 unless a record of the supplies desk in ``county_code`` is in the caller's scope."""
    scope.require(caller, Place(desk=Desk.SUPPLIES, county_code=county_code), action, what=what)


def request_visible(caller: Principal, request: SupplyRequest) -> bool:
    county = scope.county_bound(caller)
    return county is None or request.county_code == county


@dataclass
class Supplies:
    store: SuppliesStore

    # -- scope ------------------------------------------------------------------------------------------
    def require_warehouse(self, caller: Principal, warehouse_id: str, action: Action = Action.READ) -> Warehouse:
        warehouse = self.store.warehouse(warehouse_id)
        require_county(caller, warehouse.county_code, action, what="this warehouse")
        return warehouse

    def visible_warehouses(self, caller: Principal) -> dict[str, Warehouse]:
        """The warehouses a caller's lists show, by id."""
        county = scope.county_bound(caller)
        return {warehouse.warehouse_id: warehouse for warehouse in self.store.warehouses() if county is None or warehouse.county_code == county}

    # -- lists ------------------------------------------------------------------------------------------
    def inbound(self, caller: Principal, item: Item) -> list[dict[str, Any]]:
        visible = self.visible_warehouses(caller)
        return [record for record in self.store.inbound(item) if record["warehouse_id"] in visible]

    def stock_overview(self, caller: Principal) -> list[dict[str, Any]]:
        """Every item's stock in the caller's warehouses, with each warehouse's line and whether it is low."""
        thresholds = self.store.thresholds()
        visible = self.visible_warehouses(caller)
        overview = []
        for item in Item:
            lines = [line for line in self.store.stock_of_item(item) if line.warehouse_id in visible]
            threshold = threshold_for(item, thresholds)
            overview.append(
                {
                    "item": item.value,
                    "available": sum(line.available for line in lines),
                    "reserved": sum(line.reserved for line in lines),
                    "threshold": threshold,
                    "warehouses": [
                        {"warehouse_id": line.warehouse_id, "available": line.available, "reserved": line.reserved, "low": line.available < threshold}
                        for line in lines
                    ],
                }
            )
        return overview

    def alerts(self, caller: Principal) -> list[dict[str, Any]]:
        """Low-stock lines in the caller's warehouses, worst first."""
        thresholds = self.store.thresholds()
        names = {warehouse_id: warehouse.name for warehouse_id, warehouse in self.visible_warehouses(caller).items()}
        lines = [line for item in Item for line in self.store.stock_of_item(item) if line.warehouse_id in names]
        return [low.to_json(names.get(low.warehouse_id)) for low in low_stock(lines, thresholds)]

    def requests_of_item(self, caller: Principal, item: Item) -> list[SupplyRequest]:
        return [request for request in self.store.requests_of_item(item) if request_visible(caller, request)]

    def runs(self, caller: Principal, item: Item) -> list[dict[str, Any]]:
        visible = self.visible_warehouses(caller)
        return [run for run in self.store.runs(item) if run["warehouse_id"] in visible]

    def run(self, caller: Principal, run_id: str) -> dict[str, Any]:
        run = self.store.run(run_id)
        self.require_warehouse(caller, str(run["warehouse_id"]))
        return run

    # -- allocation and dispatch ------------------------------------------------------------------------
    def run_allocation(self, caller: Principal, item: Item, warehouse_id: str, release: int | None) -> RunResult:
        """Allocate a warehouse's stock of ``item`` (frontline first), audited; a run that takes the stock
        below its threshold raises the low-stock alert."""
        self.require_warehouse(caller, warehouse_id, Action.WRITE)

        def audit_for(result: RunResult) -> audit.AuditRecord:
            return audit.record(caller, "supplies.run", f"run#{result.run_id}", None, result.to_json())

        result = self.store.run_allocation(item, warehouse_id, release, audit_for)
        threshold = threshold_for(item, self.store.thresholds())
        after = result.available_before - result.plan.given
        if crosses_threshold(result.available_before, after, threshold):
            metrics.add_metric(name="LowStockAlerts", unit="Count", value=1)
            logger.warning("stock below threshold", extra={"warehouse_id": warehouse_id, "item": item.value, "available": after})
        metrics.add_metric(name="SuppliesAllocated", unit="Count", value=result.plan.given)
        logger.info("allocation run", extra={"run_id": result.run_id, "item": item.value, "allocated": result.plan.given})
        return result

    def preview(self, caller: Principal, item: Item, warehouse_id: str, release: int | None) -> RunResult:
        self.require_warehouse(caller, warehouse_id)
        result, _ = self.store.plan_run(item, warehouse_id, release)
        return result

    def dispatch(self, caller: Principal, request_id: str, run_id: str, carrier: str | None, note: str | None) -> Line:
        """Send an allocated line on its way: the request's county and the line's warehouse must be the caller's."""
        request = self.store.request(request_id)
        require_county(caller, request.county_code, Action.WRITE, what="this request's supplies")
        line = request.lines.get(run_id)
        if line is not None:
            self.require_warehouse(caller, line.warehouse_id, Action.WRITE)
        after = {"run_id": run_id, "carrier": carrier, "note": note}
        entry = audit.record(caller, "supplies.dispatch", f"request#{request_id}", line.to_json() if line else None, after)
        return self.store.dispatch(request, run_id, carrier, note, entry)

    def sign_receipt(self, caller: Principal, request_id: str, run_id: str, received: int, note: str | None) -> Line:
        """The requesting unit signs for a dispatched line."""
        request = self.store.request(request_id)
        caller.require_supply_unit(request.unit_kind.value, request.unit_id)
        line = request.lines.get(run_id)
        entry = audit.record(
            caller, "supplies.receipt", f"request#{request_id}", line.to_json() if line else None, {"received_quantity": received, "note": note}
        )
        return self.store.sign_receipt(request, run_id, received, note, entry)
