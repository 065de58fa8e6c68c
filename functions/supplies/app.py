"""Emergency supplies (应急物资): catalogue, warehouses and stock, inbound, requests, allocation runs
("frontline first"), dispatch and signed receipt, low-stock alerts and the public view."""

from __future__ import annotations

import functools
from datetime import date
from typing import Annotated, Any, Literal, TypeVar

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import Field

from sanmenxia import api, audit, aws, clock, paging, scope
from sanmenxia.auth import PUBLIC, Role, allow
from sanmenxia.errors import InvalidInput
from sanmenxia.models import CountyCode, LongText, RequestModel, ResponseModel, ShortText
from sanmenxia.observability import logger, metrics
from sanmenxia.scope import Action, Desk, Place
from sanmenxia.services import audit_log
from sanmenxia.settings import FunctionSettings
from sanmenxia.supplies.allocation import Tier
from sanmenxia.supplies.catalogue import CATALOGUE, InboundKind, Item, UnitKind, allowed_tiers
from sanmenxia.supplies.rules import (
    LineStatus,
    StockLine,
    SupplyRequest,
    Warehouse,
    check_new_request,
    crosses_threshold,
    low_stock,
    public_view,
    threshold_for,
)
from sanmenxia.supplies.store import MAX_FILTERED_WAREHOUSES, NewRequest, RunResult, SuppliesStore


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
T = TypeVar("T")

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


def _in_county(county_code: str | None, action: Action = Action.READ, *, what: str) -> None:
    """A warehouse, its stock, its runs and the lines they dispatch live in the warehouse's county (a request's
    line also in the request's): a county commander acts only inside their county."""
    scope.require(app.caller, Place(desk=Desk.SUPPLIES, county_code=county_code), action, what=what)


def _warehouse_in_scope(warehouse_id: str, action: Action = Action.READ) -> None:
    _in_county(store().warehouse(warehouse_id).county_code, action, what="this warehouse")


def _visible_warehouses() -> dict[str, Warehouse]:
    """The warehouses a caller's lists show, by id: a county-bound caller (a county commander) sees only their
    county's (read by the county's gsi1 key), so the lists of stock, inbound bookings, alerts and runs hold
    nothing of another county."""
    return {warehouse.warehouse_id: warehouse for warehouse in store().warehouses(scope.county_bound(app.caller))}


def _warehouse_filter() -> list[str] | None:
    """The warehouses a county-bound caller's inbound and run lists are filtered to (``None``: every one)."""
    if scope.county_bound(app.caller) is None:
        return None
    visible = list(_visible_warehouses())
    if len(visible) > MAX_FILTERED_WAREHOUSES:  # pragma: no cover - a county has a handful of warehouses
        raise InvalidInput("too many warehouses in this county to filter by; ask for one warehouse's page", field="item")
    return visible


def _slice(rows: list[T], limit: int, start: dict[str, Any] | None) -> tuple[list[T], dict[str, Any] | None]:
    """A page of a short list computed in full (the catalogue, per-item overviews): the cursor holds the
    position, sealed like every other cursor."""
    offset = int(start.get("offset", 0)) if start else 0
    if offset < 0 or offset > len(rows):
        raise InvalidInput("not a cursor returned by this list", field="cursor")
    end = offset + limit
    return rows[offset:end], ({"offset": end} if end < len(rows) else None)


class ItemOut(ResponseModel):
    """A catalogue item and its low-stock threshold."""

    item: Item
    name: str
    name_en: str
    unit: str
    unit_en: str
    category: str
    low_stock_threshold: int


class WarehouseOut(ResponseModel):
    warehouse_id: str
    name: str
    county_code: str
    address: str = Field(description="the warehouse's own address (a public place)")
    created_at: str


class WarehouseStockOut(ResponseModel):
    item: Item
    available: int
    reserved: int


class WarehouseDetailOut(WarehouseOut):
    stock: list[WarehouseStockOut]


class InboundOut(ResponseModel):
    """An inbound booking (入库): a donation or procurement from an organisation."""

    inbound_id: str
    warehouse_id: str
    item: Item
    quantity: int
    kind: InboundKind
    source: str
    reference: str | None = None
    received_at: str
    booked_by: str


class StockWarehouseOut(ResponseModel):
    warehouse_id: str
    available: int
    reserved: int
    low: bool


class StockOverviewOut(ResponseModel):
    item: Item
    available: int
    reserved: int
    threshold: int
    warehouses: list[StockWarehouseOut]


class AlertOut(ResponseModel):
    warehouse_id: str
    warehouse_name: str | None = None
    item: Item
    available: int
    threshold: int
    shortfall: int


class RequestUnitOut(ResponseModel):
    kind: UnitKind
    id: str
    name: str


class LedgerLineOut(ResponseModel):
    """What one allocation run gave a request, and what happened to it since (调拨 → 发运 → 签收)."""

    run_id: str
    warehouse_id: str
    quantity: int
    status: LineStatus
    allocated_at: str
    allocated_by: str
    dispatched_at: str | None = None
    dispatched_by: str | None = None
    carrier: str | None = None
    received_at: str | None = None
    received_by: str | None = None
    received_quantity: int | None = None
    receipt_digest: str | None = None
    note: str | None = None
    shortfall: int | None = None


class SupplyRequestOut(ResponseModel):
    request_id: str
    item: Item
    tier: Tier
    quantity: int
    allocated: int
    dispatched: int
    received: int
    outstanding: int
    needed_by: str
    late: bool
    status: Literal["open", "partly_allocated", "allocated", "dispatched", "received"]
    unit: RequestUnitOut
    county_code: str | None = None
    purpose: str | None = None
    created_at: str
    lines: list[LedgerLineOut]


class AllocationOut(ResponseModel):
    request_id: str
    tier: Tier
    outstanding: int
    quantity: int


class RunOut(ResponseModel):
    """An allocation run (or its preview, ``run_id`` null) and its plan."""

    run_id: str | None
    item: Item
    warehouse_id: str
    released: int
    allocated: int
    left_in_stock: int
    requests_considered: int
    at: str
    allocations: list[AllocationOut]
    by: str | None = Field(default=None, description="who ran it (stored runs)")
    preview: bool = False


class PublicTierOut(ResponseModel):
    tier: Tier
    requested: int
    allocated: int
    dispatched: int
    received: int


class PublicItemOut(ResponseModel):
    """Need against delivered for one item: counts only."""

    item: Item
    name: str
    unit: str
    need: int
    allocated: int
    dispatched: int
    delivered: int
    delivered_share: float | None = None
    in_stock: int
    donated: int
    procured: int
    tiers: list[PublicTierOut]


class PublicSuppliesOut(ResponseModel):
    as_of: str
    items: list[PublicItemOut]


class UnitTiersOut(ResponseModel):
    """The tiers a unit may request under, most urgent first."""

    unit_kind: UnitKind
    unit_id: str
    tiers: list[Tier]


def _request_json(request: SupplyRequest) -> dict[str, Any]:
    return request.to_json(clock.today())


def _request_out(request: SupplyRequest) -> SupplyRequestOut:
    return SupplyRequestOut.model_validate(_request_json(request))


# -- public -------------------------------------------------------------------------------------------------
@app.get("/supplies/public", access=PUBLIC, summary="Need against delivered, per item and tier 物资需求与到位", tags=["supplies"])
def public_supplies() -> PublicSuppliesOut:
    return PublicSuppliesOut.model_validate({"as_of": clock.iso(), "items": public_view(store().totals())})


# -- catalogue and thresholds ------------------------------------------------------------------------------------
@app.get("/supplies/items", access=UNITS, summary="The catalogue with low-stock thresholds 物资目录", tags=["supplies"])
def list_items(limit: paging.Limit = 50, cursor: paging.Cursor = None) -> paging.Page[ItemOut]:
    thresholds = store().thresholds()
    rows, last = _slice(list(CATALOGUE.items()), limit, app.page_start(cursor))
    return app.page([ItemOut.model_validate(entry.to_json(threshold_for(item, thresholds))) for item, entry in rows], last)


@app.put("/supplies/items/<item>/threshold", access=OFFICERS, summary="Set an item's low-stock threshold 预警阈值", tags=["supplies"])
def set_threshold(item: Annotated[Item, Path()], body: ThresholdIn) -> ItemOut:
    before = threshold_for(item, store().thresholds())
    entry = audit.record(app.caller, "supplies.threshold.set", f"item#{item.value}", {"threshold": before}, {"threshold": body.threshold})
    store().set_threshold(item, body.threshold, entry)
    return ItemOut.model_validate(CATALOGUE[item].to_json(body.threshold))


# -- warehouses, stock, inbound, alerts ----------------------------------------------------------------------------
@app.post("/supplies/warehouses", access=OFFICERS, status_code=201, summary="Add a warehouse 新增仓库", tags=["supplies"])
def add_warehouse(body: WarehouseIn) -> WarehouseOut:
    _in_county(body.county_code, Action.WRITE, what="a warehouse of this county")
    entry = audit.record(app.caller, "supplies.warehouse.create", "warehouse#new", None, body.model_dump())
    return WarehouseOut.model_validate(store().add_warehouse(body.name, body.county_code, body.address, entry).to_json())


@app.get("/supplies/warehouses", access=OFFICERS, summary="Warehouses 仓库", tags=["supplies"])
def list_warehouses(limit: paging.Limit = 50, cursor: paging.Cursor = None) -> paging.Page[WarehouseOut]:
    found, last = store().warehouse_page(scope.county_bound(app.caller), limit, app.page_start(cursor))
    return app.page([WarehouseOut.model_validate(warehouse.to_json()) for warehouse in found], last)


@app.get("/supplies/warehouses/<warehouse_id>", access=OFFICERS, summary="A warehouse and its stock 仓库库存", tags=["supplies"])
def get_warehouse(warehouse_id: WarehouseId) -> WarehouseDetailOut:
    warehouse = store().warehouse(warehouse_id)
    _in_county(warehouse.county_code, what="this warehouse")
    lines = store().stock_of_warehouse(warehouse_id)
    return WarehouseDetailOut.model_validate(
        {**warehouse.to_json(), "stock": [{"item": line.item.value, "available": line.available, "reserved": line.reserved} for line in lines]}
    )


@app.post("/supplies/inbound", access=OFFICERS, status_code=201, summary="Book a donation or procurement 入库登记", tags=["supplies"])
def book_inbound(body: InboundIn) -> InboundOut:
    _warehouse_in_scope(body.warehouse_id, Action.WRITE)
    entry = audit.record(app.caller, "supplies.inbound", f"warehouse#{body.warehouse_id}", None, body.model_dump(mode="json"))
    record = store().receive(body.warehouse_id, body.item, body.quantity, body.kind, body.source, body.reference, entry)
    metrics.add_metric(name="SuppliesInbound", unit="Count", value=1)
    logger.info("supplies booked in", extra={"warehouse_id": body.warehouse_id, "item": body.item.value, "quantity": body.quantity})
    return InboundOut.model_validate(record)


@app.get("/supplies/inbound", access=OFFICERS, summary="Inbound records of an item, newest first 入库记录", tags=["supplies"])
def list_inbound(item: Annotated[Item, Query()], limit: paging.Limit = 50, cursor: paging.Cursor = None) -> paging.Page[InboundOut]:
    page = store().inbound(item, limit, app.page_start(cursor), _warehouse_filter())
    return app.page([InboundOut.model_validate(record) for record in page.rows], page.last_key)


@app.get("/supplies/stock", access=OFFICERS, summary="Stock of every item in every warehouse 库存总览", tags=["supplies"])
def stock_overview(limit: paging.Limit = 50, cursor: paging.Cursor = None) -> paging.Page[StockOverviewOut]:
    thresholds = store().thresholds()
    items, last = _slice(list(Item), limit, app.page_start(cursor))
    lines = store().stock_lines(list(_visible_warehouses()), items)  # the page's items in every visible warehouse, batched
    overview = []
    for item in items:
        of_item = [line for line in lines if line.item is item]
        threshold = threshold_for(item, thresholds)
        overview.append(
            StockOverviewOut(
                item=item,
                available=sum(line.available for line in of_item),
                reserved=sum(line.reserved for line in of_item),
                threshold=threshold,
                warehouses=[_stock_row(line, threshold) for line in of_item],
            )
        )
    return app.page(overview, last)


def _stock_row(line: StockLine, threshold: int) -> StockWarehouseOut:
    return StockWarehouseOut(warehouse_id=line.warehouse_id, available=line.available, reserved=line.reserved, low=line.available < threshold)


@app.get("/supplies/alerts", access=OFFICERS, summary="Low-stock alerts, worst first 库存预警", tags=["supplies"])
def stock_alerts(limit: paging.Limit = 50, cursor: paging.Cursor = None) -> paging.Page[AlertOut]:
    thresholds = store().thresholds()
    names = {warehouse_id: warehouse.name for warehouse_id, warehouse in _visible_warehouses().items()}
    lines = store().stock_lines(list(names), list(Item))  # every visible stock line, batched
    rows, last = _slice(low_stock(lines, thresholds), limit, app.page_start(cursor))
    return app.page([AlertOut.model_validate(low.to_json(names.get(low.warehouse_id))) for low in rows], last)


# -- requests ------------------------------------------------------------------------------------------------------
@app.post("/supplies/requests", access=UNITS, status_code=201, summary="Request supplies for a unit 物资申领", tags=["supplies"])
def file_request(body: RequestIn) -> SupplyRequestOut:
    app.caller.require_supply_unit(body.unit_kind.value, body.unit_id)
    county = check_new_request(body.tier, body.unit_kind, body.unit_id, body.county_code, body.needed_by, clock.today())
    new = NewRequest(body.item, body.tier, body.quantity, body.needed_by, body.unit_kind, body.unit_id, body.unit_name, county, body.purpose)
    request = store().add_request(
        new,
        app.caller.sub,
        lambda made: audit.record(app.caller, "supplies.request.create", f"request#{made.request_id}", None, _request_json(made)),
    )
    metrics.add_metric(name="SuppliesRequested", unit="Count", value=1)
    return _request_out(request)


@app.get("/supplies/requests", access=OFFICERS, summary="Requests for an item, newest first 申领列表", tags=["supplies"])
def list_requests(item: Annotated[Item, Query()], limit: paging.Limit = 50, cursor: paging.Cursor = None) -> paging.Page[SupplyRequestOut]:
    found, last = store().requests_of_item(item, limit, app.page_start(cursor), scope.county_bound(app.caller))
    return app.page([_request_out(request) for request in found], last)


@app.get("/supplies/requests/<request_id>", access=UNITS, summary="A request and its ledger 申领台账", tags=["supplies"])
def get_request(request_id: RequestId) -> SupplyRequestOut:
    request = store().request(request_id)
    app.caller.require_supply_unit(request.unit_kind.value, request.unit_id)
    return _request_out(request)


@app.get(
    "/supplies/units/<unit_kind>/<unit_id>/requests",
    access=UNITS,
    summary="A unit's requests, newest first 本单位申领",
    tags=["supplies"],
)
def unit_requests(
    unit_kind: Annotated[UnitKind, Path()],
    unit_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{2,40}$")],
    limit: paging.Limit = 50,
    cursor: paging.Cursor = None,
) -> paging.Page[SupplyRequestOut]:
    app.caller.require_supply_unit(unit_kind.value, unit_id)
    found, last = store().requests_of_unit(unit_kind, unit_id, limit, app.page_start(cursor))
    return app.page([_request_out(request) for request in found], last)


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
def run_allocation(body: RunIn) -> RunOut:
    _warehouse_in_scope(body.warehouse_id, Action.WRITE)

    def audit_for(result: RunResult) -> audit.AuditRecord:
        return audit.record(app.caller, "supplies.run", f"run#{result.run_id}", None, result.to_json())

    result = store().run_allocation(body.item, body.warehouse_id, body.release, audit_for)
    threshold = threshold_for(body.item, store().thresholds())
    after = result.available_before - result.plan.given
    if crosses_threshold(result.available_before, after, threshold):
        metrics.add_metric(name="LowStockAlerts", unit="Count", value=1)
        logger.warning("stock below threshold", extra={"warehouse_id": body.warehouse_id, "item": body.item.value, "available": after})
    metrics.add_metric(name="SuppliesAllocated", unit="Count", value=result.plan.given)
    logger.info("allocation run", extra={"run_id": result.run_id, "item": body.item.value, "allocated": result.plan.given})
    return RunOut.model_validate(result.to_json())


@app.post("/supplies/runs/preview", access=OFFICERS, summary="What a run would allocate now, without committing it 调配预览", tags=["supplies"])
def preview_allocation(body: RunIn) -> RunOut:
    _warehouse_in_scope(body.warehouse_id)
    result, _ = store().plan_run(body.item, body.warehouse_id, body.release)
    return RunOut.model_validate({**result.to_json(), "run_id": None, "preview": True})


@app.get("/supplies/runs", access=OFFICERS, summary="Allocation runs of an item, newest first 调配记录", tags=["supplies"])
def list_runs(item: Annotated[Item, Query()], limit: paging.Limit = 50, cursor: paging.Cursor = None) -> paging.Page[RunOut]:
    page = store().runs(item, limit, app.page_start(cursor), _warehouse_filter())
    return app.page([RunOut.model_validate(run) for run in page.rows], page.last_key)


@app.get("/supplies/runs/<run_id>", access=OFFICERS, summary="An allocation run and its plan 调配详情", tags=["supplies"])
def get_run(run_id: RunId) -> RunOut:
    run = store().run(run_id)
    _warehouse_in_scope(str(run["warehouse_id"]))
    return RunOut.model_validate(run)


# -- dispatch and receipt --------------------------------------------------------------------------------------------
@app.post(
    "/supplies/requests/<request_id>/lines/<run_id>/dispatch",
    access=OFFICERS,
    summary="Dispatch an allocated line 出库发运",
    tags=["supplies"],
)
def dispatch_line(request_id: RequestId, run_id: RunId, body: SupplyDispatchIn) -> LedgerLineOut:
    request = store().request(request_id)
    _in_county(request.county_code, Action.WRITE, what="this request's supplies")
    if run_id in request.lines:
        _warehouse_in_scope(request.lines[run_id].warehouse_id, Action.WRITE)
    before = request.lines[run_id].to_json() if run_id in request.lines else None
    entry = audit.record(app.caller, "supplies.dispatch", f"request#{request_id}", before, {"run_id": run_id, **body.model_dump()})
    return LedgerLineOut.model_validate(store().dispatch(request, run_id, body.carrier, body.note, entry).to_json())


@app.post(
    "/supplies/requests/<request_id>/lines/<run_id>/receipt",
    access=UNITS,
    summary="Sign for a dispatched line (the requesting unit) 签收",
    tags=["supplies"],
)
def sign_receipt(request_id: RequestId, run_id: RunId, body: ReceiptIn) -> LedgerLineOut:
    request = store().request(request_id)
    app.caller.require_supply_unit(request.unit_kind.value, request.unit_id)
    line = request.lines.get(run_id)
    entry = audit.record(app.caller, "supplies.receipt", f"request#{request_id}", line.to_json() if line else None, body.model_dump())
    return LedgerLineOut.model_validate(store().sign_receipt(request, run_id, body.received_quantity, body.note, entry).to_json())


lambda_handler = api.handler(app)
