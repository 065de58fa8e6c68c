"""Emergency supplies (应急物资): catalogue, warehouses and stock, inbound, requests, allocation runs
("frontline first"), dispatch and signed receipt, low-stock alerts and the public view."""

from __future__ import annotations

import functools
from datetime import date
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import Field

from sanmenxia import api, audit, aws, clock
from sanmenxia.auth import PUBLIC, Role, allow
from sanmenxia.models import CountyCode, LongText, RequestModel, ResponseModel, ShortText
from sanmenxia.observability import logger, metrics
from sanmenxia.scope import Action
from sanmenxia.services import audit_log
from sanmenxia.settings import FunctionSettings
from sanmenxia.supplies.allocation import Tier
from sanmenxia.supplies.catalogue import CATALOGUE, InboundKind, Item, UnitKind, allowed_tiers
from sanmenxia.supplies.rules import (
    SupplyRequest,
    check_new_request,
    public_view,
    threshold_for,
)
from sanmenxia.supplies.service import Supplies, require_county
from sanmenxia.supplies.store import NewRequest, SuppliesStore


class Settings(FunctionSettings):
    supplies_table: str
    audit_table: str


@functools.cache
def settings() -> Settings:
    return Settings()  # type: ignore[call-arg]


@functools.cache
def store() -> SuppliesStore:
    return SuppliesStore(aws.client("dynamodb"), settings().supplies_table, audit_log(settings().audit_table))


app = api.PlatformResolver(title="Emergency supplies 应急物资")

#: Who manages the stock and runs allocation.
OFFICERS = allow(Role.SUPPLIES_OFFICER, Role.COMMANDER, Role.ADMIN)
#: Who may request and sign for supplies (for their own unit; officers for every unit).
UNITS = allow(Role.SUPPLIES_OFFICER, Role.COMMANDER, Role.ADMIN, Role.COMMUNITY_HEAD, Role.DEPARTMENT_HANDLER, Role.ENTERPRISE_ADMIN)

Quantity = Annotated[int, Field(strict=True, ge=1, le=10_000_000)]
UnitId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{2,40}$")]
WarehouseId = Annotated[str, Path(pattern=r"^wh-[0-9a-f]{10}$")]
RequestId = Annotated[str, Path(pattern=r"^rq-[0-9a-f]{10}$")]
RunId = Annotated[str, Path(pattern=r"^run-[0-9a-f]{10}$")]


class WarehouseIn(RequestModel):
    name: ShortText
    county_code: CountyCode
    address: ShortText


class InboundIn(RequestModel):
    warehouse_id: Annotated[str, Field(pattern=r"^wh-[0-9a-f]{10}$")]
    item: Item
    quantity: Quantity
    kind: InboundKind
    source: ShortText = Field(description="donor or supplier (an organisation)")
    reference: Annotated[str, Field(min_length=1, max_length=80)] | None = Field(default=None, description="invoice or certificate no.")


class ThresholdIn(RequestModel):
    threshold: Annotated[int, Field(strict=True, ge=0, le=100_000_000)]


class RequestIn(RequestModel):
    item: Item
    tier: Tier
    quantity: Quantity
    needed_by: date
    unit_kind: UnitKind
    unit_id: UnitId
    unit_name: ShortText
    county_code: CountyCode | None = None
    purpose: LongText | None = None


class RunIn(RequestModel):
    item: Item
    warehouse_id: Annotated[str, Field(pattern=r"^wh-[0-9a-f]{10}$")]
    release: Annotated[int, Field(strict=True, ge=1, le=10_000_000)] | None = Field(
        default=None, description="units of the available stock to give out in this run (default: all)"
    )


class SupplyDispatchIn(RequestModel):
    carrier: ShortText | None = Field(default=None, description="vehicle or carrier, e.g. 豫M·12345")
    note: ShortText | None = None


class ReceiptIn(RequestModel):
    received_quantity: Annotated[int, Field(strict=True, ge=0, le=10_000_000)]
    note: ShortText | None = None


@functools.cache
def supplies() -> Supplies:
    return Supplies(store())


class UnitTiersOut(ResponseModel):
    """The tiers a unit may request under, most urgent first."""

    unit_kind: UnitKind
    unit_id: str
    tiers: list[Tier]


def _request_json(request: SupplyRequest) -> dict[str, Any]:
    return request.to_json(clock.today())


# -- public -------------------------------------------------------------------------------------------------
@app.get("/supplies/public", access=PUBLIC, summary="Need against delivered, per item and tier 物资需求与到位", tags=["supplies"])
def public_supplies() -> dict[str, Any]:
    return {"as_of": clock.iso(), "items": public_view(store().totals())}


# -- catalogue and thresholds ------------------------------------------------------------------------------------
@app.get("/supplies/items", access=UNITS, summary="The catalogue with low-stock thresholds 物资目录", tags=["supplies"])
def list_items() -> list[dict[str, Any]]:
    thresholds = store().thresholds()
    return [entry.to_json(threshold_for(item, thresholds)) for item, entry in CATALOGUE.items()]


@app.put("/supplies/items/<item>/threshold", access=OFFICERS, summary="Set an item's low-stock threshold 预警阈值", tags=["supplies"])
def set_threshold(item: Annotated[Item, Path()], body: ThresholdIn) -> dict[str, Any]:
    before = threshold_for(item, store().thresholds())
    entry = audit.record(app.caller, "supplies.threshold.set", f"item#{item.value}", {"threshold": before}, {"threshold": body.threshold})
    store().set_threshold(item, body.threshold, entry)
    return CATALOGUE[item].to_json(body.threshold)


# -- warehouses, stock, inbound, alerts ----------------------------------------------------------------------------
@app.post("/supplies/warehouses", access=OFFICERS, status_code=201, summary="Add a warehouse 新增仓库", tags=["supplies"])
def add_warehouse(body: WarehouseIn) -> dict[str, Any]:
    require_county(app.caller, body.county_code, Action.WRITE, what="a warehouse of this county")
    entry = audit.record(app.caller, "supplies.warehouse.create", "warehouse#new", None, body.model_dump())
    return store().add_warehouse(body.name, body.county_code, body.address, entry).to_json()


@app.get("/supplies/warehouses", access=OFFICERS, summary="Warehouses 仓库", tags=["supplies"])
def list_warehouses() -> list[dict[str, Any]]:
    return [warehouse.to_json() for warehouse in supplies().visible_warehouses(app.caller).values()]


@app.get("/supplies/warehouses/<warehouse_id>", access=OFFICERS, summary="A warehouse and its stock 仓库库存", tags=["supplies"])
def get_warehouse(warehouse_id: WarehouseId) -> dict[str, Any]:
    warehouse = supplies().require_warehouse(app.caller, warehouse_id)
    lines = store().stock_of_warehouse(warehouse_id)
    return {
        **warehouse.to_json(),
        "stock": [{"item": line.item.value, "available": line.available, "reserved": line.reserved} for line in lines],
    }


@app.post("/supplies/inbound", access=OFFICERS, status_code=201, summary="Book a donation or procurement 入库登记", tags=["supplies"])
def book_inbound(body: InboundIn) -> dict[str, Any]:
    supplies().require_warehouse(app.caller, body.warehouse_id, Action.WRITE)
    entry = audit.record(app.caller, "supplies.inbound", f"warehouse#{body.warehouse_id}", None, body.model_dump(mode="json"))
    record = store().receive(body.warehouse_id, body.item, body.quantity, body.kind, body.source, body.reference, entry)
    metrics.add_metric(name="SuppliesInbound", unit="Count", value=1)
    logger.info("supplies booked in", extra={"warehouse_id": body.warehouse_id, "item": body.item.value, "quantity": body.quantity})
    return record


@app.get("/supplies/inbound", access=OFFICERS, summary="Inbound records of an item, newest first 入库记录", tags=["supplies"])
def list_inbound(item: Annotated[Item, Query()]) -> list[dict[str, Any]]:
    return supplies().inbound(app.caller, item)


@app.get("/supplies/stock", access=OFFICERS, summary="Stock of every item in every warehouse 库存总览", tags=["supplies"])
def stock_overview() -> list[dict[str, Any]]:
    return supplies().stock_overview(app.caller)


@app.get("/supplies/alerts", access=OFFICERS, summary="Low-stock alerts, worst first 库存预警", tags=["supplies"])
def stock_alerts() -> list[dict[str, Any]]:
    return supplies().alerts(app.caller)


# -- requests ------------------------------------------------------------------------------------------------------
@app.post("/supplies/requests", access=UNITS, status_code=201, summary="Request supplies for a unit 物资申领", tags=["supplies"])
def file_request(body: RequestIn) -> dict[str, Any]:
    app.caller.require_supply_unit(body.unit_kind.value, body.unit_id)
    county = check_new_request(body.tier, body.unit_kind, body.unit_id, body.county_code, body.needed_by, clock.today())
    new = NewRequest(body.item, body.tier, body.quantity, body.needed_by, body.unit_kind, body.unit_id, body.unit_name, county, body.purpose)
    request = store().add_request(
        new,
        app.caller.sub,
        lambda made: audit.record(app.caller, "supplies.request.create", f"request#{made.request_id}", None, _request_json(made)),
    )
    metrics.add_metric(name="SuppliesRequested", unit="Count", value=1)
    return _request_json(request)


@app.get("/supplies/requests", access=OFFICERS, summary="Requests for an item, newest first 申领列表", tags=["supplies"])
def list_requests(item: Annotated[Item, Query()]) -> list[dict[str, Any]]:
    return [_request_json(request) for request in supplies().requests_of_item(app.caller, item)]


@app.get("/supplies/requests/<request_id>", access=UNITS, summary="A request and its ledger 申领台账", tags=["supplies"])
def get_request(request_id: RequestId) -> dict[str, Any]:
    request = store().request(request_id)
    # the request's county too: a county commander opens their county's department and enterprise requests
    app.caller.require_supply_unit(request.unit_kind.value, request.unit_id, request.county_code)
    return _request_json(request)


@app.get(
    "/supplies/units/<unit_kind>/<unit_id>/requests",
    access=UNITS,
    summary="A unit's requests, newest first 本单位申领",
    tags=["supplies"],
)
def unit_requests(unit_kind: Annotated[UnitKind, Path()], unit_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{2,40}$")]) -> list[dict[str, Any]]:
    app.caller.require_supply_unit(unit_kind.value, unit_id)
    return [_request_json(request) for request in store().requests_of_unit(unit_kind, unit_id)]


@app.get(
    "/supplies/units/<unit_kind>/<unit_id>/tiers",
    access=UNITS,
    summary="The tiers this unit may request under, most urgent first 可申领层级",
    tags=["supplies"],
)
def unit_tiers(unit_kind: Annotated[UnitKind, Path()], unit_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{2,40}$")]) -> UnitTiersOut:
    """The configured tiers of the unit (``catalogue.allowed_tiers``): the request form offers exactly these, and
    ``POST /supplies/requests`` refuses any other."""
    app.caller.require_supply_unit(unit_kind.value, unit_id)
    tiers = sorted(allowed_tiers(unit_kind, unit_id), key=lambda tier: tier.rank)
    return UnitTiersOut(unit_kind=unit_kind, unit_id=unit_id, tiers=tiers)


# -- allocation runs -----------------------------------------------------------------------------------------------
@app.post("/supplies/runs", access=OFFICERS, status_code=201, summary="Allocate a warehouse's stock: frontline first 调配", tags=["supplies"])
def run_allocation(body: RunIn) -> dict[str, Any]:
    return supplies().run_allocation(app.caller, body.item, body.warehouse_id, body.release).to_json()


@app.post("/supplies/runs/preview", access=OFFICERS, summary="What a run would allocate now, without committing it 调配预览", tags=["supplies"])
def preview_allocation(body: RunIn) -> dict[str, Any]:
    result = supplies().preview(app.caller, body.item, body.warehouse_id, body.release)
    return {**result.to_json(), "run_id": None, "preview": True}


@app.get("/supplies/runs", access=OFFICERS, summary="Allocation runs of an item, newest first 调配记录", tags=["supplies"])
def list_runs(item: Annotated[Item, Query()]) -> list[dict[str, Any]]:
    return supplies().runs(app.caller, item)


@app.get("/supplies/runs/<run_id>", access=OFFICERS, summary="An allocation run and its plan 调配详情", tags=["supplies"])
def get_run(run_id: RunId) -> dict[str, Any]:
    return supplies().run(app.caller, run_id)


# -- dispatch and receipt --------------------------------------------------------------------------------------------
@app.post(
    "/supplies/requests/<request_id>/lines/<run_id>/dispatch",
    access=OFFICERS,
    summary="Dispatch an allocated line 出库发运",
    tags=["supplies"],
)
def dispatch_line(request_id: RequestId, run_id: RunId, body: SupplyDispatchIn) -> dict[str, Any]:
    return supplies().dispatch(app.caller, request_id, run_id, body.carrier, body.note).to_json()


@app.post(
    "/supplies/requests/<request_id>/lines/<run_id>/receipt",
    access=UNITS,
    summary="Sign for a dispatched line (the requesting unit) 签收",
    tags=["supplies"],
)
def sign_receipt(request_id: RequestId, run_id: RunId, body: ReceiptIn) -> dict[str, Any]:
    return supplies().sign_receipt(app.caller, request_id, run_id, body.received_quantity, body.note).to_json()


lambda_handler = api.handler(app)
