"""Big data (疫情大数据): the command dashboard's figures over the lake, for the caller's area.

Commanders see the city (or their county), community heads their own community; every figure drills down
city → county → community, and the last step is the community's live key-person list, read from DynamoDB.
Figures are Trino queries over the Athena views: on Athena in AWS, on DuckDB over the lake bucket locally
(``STAGE=local``). Results are cached in a small DynamoDB table for ``DASHBOARD_CACHE_SECONDS``.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.openapi.params import Path as PathParam
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import Field

from sanmenxia import api, aws, clock, paging
from sanmenxia.auth import Role, allow
from sanmenxia.bigdata import service as dashboard
from sanmenxia.bigdata.cache import QueryCache
from sanmenxia.bigdata.query import AthenaRunner, DuckDBRunner, QueryRunner
from sanmenxia.bigdata.sql import load_views
from sanmenxia.contracts import KeyPersonCategory
from sanmenxia.errors import InvalidInput
from sanmenxia.keypersons.rules import KeyPersonStatus
from sanmenxia.keypersons.store import KeyPersonStore
from sanmenxia.lake.store import LakeStore
from sanmenxia.models import ResponseModel
from sanmenxia.observability import logger, metrics
from sanmenxia.settings import FunctionSettings

VIEWERS = allow(Role.COMMANDER, Role.COMMUNITY_HEAD, Role.ADMIN)
COMMAND = allow(Role.COMMANDER, Role.ADMIN)
CountyQuery = Annotated[str | None, Query(pattern=r"^\d{6}$", description="a county code (区县); the caller's own area when absent")]
CommunityQuery = Annotated[str | None, Query(pattern=r"^\d{6}-\d{3}$", description="a community id (村/社区)")]
FromQuery = Annotated[str | None, Query(alias="from", description="first day, yyyy-mm-dd (default: 29 days before to)")]
ToQuery = Annotated[str | None, Query(alias="to", description="last day, yyyy-mm-dd (default: today)")]
DayQuery = Annotated[str | None, Query(description="day, yyyy-mm-dd (default: today)")]


class Settings(FunctionSettings):
    lake_bucket: str
    lake_database: str
    athena_workgroup: str
    dashboard_cache_table: str
    dashboard_cache_seconds: int = 60
    key_persons_table: str
    query_engine: Literal["athena", "duckdb"] | None = None
    lake_cache_dir: str | None = None
    athena_views_dir: str | None = None

    @property
    def engine(self) -> str:
        """Athena in AWS; DuckDB in the local stack (the same SQL, translated), unless set explicitly."""
        return self.query_engine or ("duckdb" if self.stage == "local" else "athena")


@functools.cache
def settings() -> Settings:
    return Settings()  # type: ignore[call-arg]


def _views_dir(configured: str | None) -> Path:
    # Locally the views are read from the repository (infra/athena); in AWS they are Athena views already.
    return Path(configured) if configured else Path(dashboard.__file__).resolve().parents[5] / "infra" / "athena"


@functools.cache
def runner() -> QueryRunner:
    config = settings()
    if config.engine == "athena":
        return AthenaRunner(aws.client("athena"), config.athena_workgroup, config.lake_database)
    directory = Path(config.lake_cache_dir or tempfile.gettempdir()) / f"sanmenxia-lake-{config.lake_bucket}"
    store = LakeStore(aws.client("s3"), config.lake_bucket)
    return DuckDBRunner(directory, load_views(_views_dir(config.athena_views_dir)), refresh=lambda: store.mirror(directory))


@functools.cache
def cache() -> QueryCache:
    return QueryCache(aws.client("dynamodb"), settings().dashboard_cache_table, settings().dashboard_cache_seconds)


@functools.cache
def key_person_store() -> KeyPersonStore:
    return KeyPersonStore(aws.client("dynamodb"), settings().key_persons_table, settings().personal_record_days)


app = api.PlatformResolver(title="Big data 疫情大数据")


class AreaOut(ResponseModel):
    level: str
    county_code: str | None = None
    community_id: str | None = None
    name: str


class QueryCostOut(ResponseModel):
    engine: str
    bytes_scanned: int | None = None
    elapsed_ms: float
    cached: bool
    as_of: str


Count = int | float  # a sum as the engine returns it (Athena and DuckDB differ on integer widths)


class FigureOut(ResponseModel):
    figure: str
    area: AreaOut
    query: QueryCostOut


class PeriodFigureOut(FigureOut):
    from_: str = Field(alias="from", serialization_alias="from")
    to: str


class AreaRowOut(ResponseModel):
    area: str | None = Field(default=None, description="the child area's code (county code or community id)")
    area_name: str | None = None


class CodesRowOut(AreaRowOut):
    green: Count
    yellow: Count
    red: Count
    codes: Count
    checkins: Count
    fevers: Count
    checkin_rate: float | None = None


class CodesTotalsOut(ResponseModel):
    green: Count
    yellow: Count
    red: Count
    codes: Count
    checkins: Count
    fevers: Count
    checkin_rate: float | None = None


class CodesOut(FigureOut):
    """Codes by shown colour per area at the end of the day, with that day's check-ins."""

    date: str
    rows: list[CodesRowOut]
    totals: CodesTotalsOut


class CodesDayOut(ResponseModel):
    date: str
    green: Count
    yellow: Count
    red: Count
    codes: Count
    checkins: Count
    checkin_rate: float | None = None


class CodesTrendOut(PeriodFigureOut):
    rows: list[CodesDayOut]


class KeyPersonsRowOut(AreaRowOut):
    category: str
    count: Count
    active: Count
    pending: Count
    on_supervision: Count | None = None


class KeyPersonsTotalsOut(ResponseModel):
    count: Count
    active: Count
    pending: Count
    by_category: dict[str, int]


class KeyPersonsFigureOut(FigureOut):
    rows: list[KeyPersonsRowOut]
    totals: KeyPersonsTotalsOut


class KeyPersonsDayOut(ResponseModel):
    date: str
    count: Count
    released: Count


class KeyPersonsCountsOut(ResponseModel):
    count: Count
    released: Count


class KeyPersonsTrendOut(PeriodFigureOut):
    rows: list[KeyPersonsDayOut]
    totals: KeyPersonsCountsOut


class TrafficRowOut(AreaRowOut):
    checkpoints: Count
    scans: Count
    passes: Count
    stops: Count
    fevers: Count
    red_codes: Count
    yellow_codes: Count
    unique_persons: Count


class TrafficTotalsOut(ResponseModel):
    checkpoints: Count
    scans: Count
    passes: Count
    stops: Count
    fevers: Count


class TrafficOut(PeriodFigureOut):
    rows: list[TrafficRowOut]
    totals: TrafficTotalsOut


class TipoffsRowOut(ResponseModel):
    category: str
    department: str | None = None
    count: Count
    anonymous: Count
    duplicates: Count


class TipoffsTotalsOut(ResponseModel):
    count: Count
    anonymous: Count
    duplicates: Count


class TipoffsFigureOut(PeriodFigureOut):
    rows: list[TipoffsRowOut]
    totals: TipoffsTotalsOut


class WorkOrdersRowOut(ResponseModel):
    status: str
    orders: Count
    overdue: Count
    resolved: Count


class WorkOrdersTotalsOut(ResponseModel):
    orders: Count
    overdue: Count
    resolved: Count
    open: Count
    satisfaction: float | None = None


class WorkOrdersFigureOut(FigureOut):
    rows: list[WorkOrdersRowOut]
    totals: WorkOrdersTotalsOut


class ResidentsRowOut(AreaRowOut):
    residents: Count
    reported: Count
    fevers: Count
    isolated: Count
    with_open_requests: Count


class ResidentsTotalsOut(ResponseModel):
    residents: Count
    reported: Count
    fevers: Count
    isolated: Count
    with_open_requests: Count


class ResidentsFigureOut(FigureOut):
    rows: list[ResidentsRowOut]
    totals: ResidentsTotalsOut


class SuppliesRowOut(ResponseModel):
    item: str
    tier: str
    requests: Count
    requested: Count
    allocated: Count
    dispatched: Count
    received: Count
    stock_available: Count | None = None


class SuppliesTotalsOut(ResponseModel):
    requests: Count
    requested: Count
    allocated: Count
    dispatched: Count
    received: Count


class SuppliesFigureOut(FigureOut):
    rows: list[SuppliesRowOut]
    totals: SuppliesTotalsOut


class ReturnToWorkTotalsOut(ResponseModel):
    enterprises: Count
    above_scale: Count
    resumed: Count
    resumed_above_scale: Count
    workers: Count
    workers_green: Count
    resumed_above_scale_share: float | None = None
    workers_green_share: float | None = None


class ReturnToWorkRowOut(AreaRowOut, ReturnToWorkTotalsOut):
    pass


class ReturnToWorkFigureOut(FigureOut):
    rows: list[ReturnToWorkRowOut]
    totals: ReturnToWorkTotalsOut


class DashboardMeasureOut(ResponseModel):
    kind: str
    site: str | None = None


class DashboardKeyPersonOut(ResponseModel):
    """A key person as the dashboard's last drill-down lists them: name and ID number masked."""

    kp_id: str
    name: str | None = Field(default=None, description="masked")
    id_number: str | None = Field(default=None, description="masked")
    category: str
    status: str
    measure: DashboardMeasureOut | None = None
    start_date: str | None = None
    planned_release: str | None = None
    last_follow_up: str | None = None
    on_supervision: list[str] = Field(description="open supervision items")
    sources: list[str]


class CommunityKeyPersonsOut(ResponseModel):
    """A page of a community's key persons, live from DynamoDB (``items``, ``next_cursor``), with its area."""

    area: AreaOut
    items: list[DashboardKeyPersonOut]
    next_cursor: str | None = Field(default=None, description="pass as `cursor` to read the next page; null when there is none")
    as_of: str


def _serve(figure: dashboard.Figure, area: dashboard.Area) -> dict[str, Any]:
    key = figure.query.cache_key(figure.name)
    hit = cache().get(key)
    if hit is not None:
        result, as_of = hit
    else:
        result = dashboard.run(figure, runner())
        as_of = cache().put(key, result)
        metrics.add_metric(name="DashboardQueries", unit="Count", value=1)
        logger.info(
            "dashboard figure computed",
            extra={"figure": figure.name, "level": area.level.value, "engine": result.engine, "bytes_scanned": result.bytes_scanned},
        )
    return dashboard.answer(figure, area, result, cached=hit is not None, as_of=as_of)


def _area(county_code: str | None, community_id: str | None) -> dashboard.Area:
    return dashboard.resolve_area(app.caller, county_code, community_id)


@app.get("/dashboard/codes", access=VIEWERS, summary="Health codes by colour and check-in rate 健康码颜色与打卡率", tags=["bigdata"])
def codes(county_code: CountyQuery = None, community_id: CommunityQuery = None, day: DayQuery = None) -> CodesOut:
    area = _area(county_code, community_id)
    return CodesOut.model_validate(_serve(dashboard.codes(area, dashboard.parse_day(day, clock.today())), area))


@app.get("/dashboard/codes/trend", access=VIEWERS, summary="Codes by colour per day 健康码趋势", tags=["bigdata"])
def codes_trend(county_code: CountyQuery = None, community_id: CommunityQuery = None, start: FromQuery = None, end: ToQuery = None) -> CodesTrendOut:
    area = _area(county_code, community_id)
    return CodesTrendOut.model_validate(_serve(dashboard.codes_trend(area, dashboard.parse_period(start, end, clock.today())), area))


@app.get("/dashboard/key-persons", access=VIEWERS, summary="Key persons by area and category (heat map) 重点人员分布", tags=["bigdata"])
def key_persons(county_code: CountyQuery = None, community_id: CommunityQuery = None) -> KeyPersonsFigureOut:
    area = _area(county_code, community_id)
    return KeyPersonsFigureOut.model_validate(_serve(dashboard.key_persons(area), area))


@app.get("/dashboard/key-persons/trend", access=VIEWERS, summary="New key persons per day 新增重点人员趋势", tags=["bigdata"])
def key_persons_trend(county_code: CountyQuery = None, community_id: CommunityQuery = None, start: FromQuery = None, end: ToQuery = None) -> KeyPersonsTrendOut:
    area = _area(county_code, community_id)
    return KeyPersonsTrendOut.model_validate(_serve(dashboard.key_persons_trend(area, dashboard.parse_period(start, end, clock.today())), area))


@app.get("/dashboard/checkpoints", access=VIEWERS, summary="Checkpoint traffic 检测点通行", tags=["bigdata"])
def checkpoints(county_code: CountyQuery = None, community_id: CommunityQuery = None, start: FromQuery = None, end: ToQuery = None) -> TrafficOut:
    area = _area(county_code, community_id)
    return TrafficOut.model_validate(_serve(dashboard.checkpoints(area, dashboard.parse_period(start, end, clock.today())), area))


@app.get("/dashboard/tipoffs", access=VIEWERS, summary="Tip-offs by category 举报分类", tags=["bigdata"])
def tipoffs(county_code: CountyQuery = None, community_id: CommunityQuery = None, start: FromQuery = None, end: ToQuery = None) -> TipoffsFigureOut:
    area = _area(county_code, community_id)
    return TipoffsFigureOut.model_validate(_serve(dashboard.tipoffs(area, dashboard.parse_period(start, end, clock.today())), area))


class LabTestsDayOut(ResponseModel):
    date: str
    tests: int
    positives: int
    negatives: int


class LabTestsTotalsOut(ResponseModel):
    tests: int
    positives: int
    negatives: int


class LabTestsOut(ResponseModel):
    """Lab tests (核酸检测) per day of sampling in the caller's area, every day of the period (0 when none)."""

    figure: str
    area: AreaOut
    from_: str = Field(alias="from", serialization_alias="from")
    to: str
    rows: list[LabTestsDayOut]
    totals: LabTestsTotalsOut
    query: QueryCostOut


@app.get("/dashboard/lab-tests", access=VIEWERS, summary="Lab tests per day 核酸检测量", tags=["bigdata"])
def lab_tests(county_code: CountyQuery = None, community_id: CommunityQuery = None, start: FromQuery = None, end: ToQuery = None) -> LabTestsOut:
    area = _area(county_code, community_id)
    return LabTestsOut.model_validate(_serve(dashboard.lab_tests(area, dashboard.parse_period(start, end, clock.today())), area))


@app.get("/dashboard/work-orders", access=VIEWERS, summary="12345 work orders by status 工单办理", tags=["bigdata"])
def work_orders(county_code: CountyQuery = None, community_id: CommunityQuery = None) -> WorkOrdersFigureOut:
    area = _area(county_code, community_id)
    return WorkOrdersFigureOut.model_validate(_serve(dashboard.work_orders(area), area))


@app.get("/dashboard/residents", access=VIEWERS, summary="Residents and their reports 居民登记与填报", tags=["bigdata"])
def residents(county_code: CountyQuery = None, community_id: CommunityQuery = None) -> ResidentsFigureOut:
    area = _area(county_code, community_id)
    return ResidentsFigureOut.model_validate(_serve(dashboard.residents(area), area))


@app.get("/dashboard/supplies", access=COMMAND, summary="Supplies: need against delivered 物资保障", tags=["bigdata"])
def supplies(county_code: CountyQuery = None) -> SuppliesFigureOut:
    area = _area(county_code, None)
    return SuppliesFigureOut.model_validate(_serve(dashboard.supplies(area), area))


@app.get("/dashboard/return-to-work", access=COMMAND, summary="Enterprises resumed, workers with green codes 复工复产", tags=["bigdata"])
def return_to_work(county_code: CountyQuery = None) -> ReturnToWorkFigureOut:
    area = _area(county_code, None)
    return ReturnToWorkFigureOut.model_validate(_serve(dashboard.return_to_work(area), area))


def _key_person_row(record: Any) -> dict[str, Any]:
    data = record.to_json()
    keep = ("kp_id", "name", "id_number", "category", "status", "measure", "start_date", "planned_release", "last_follow_up", "on_supervision")
    return {**{name: data.get(name) for name in keep}, "sources": sorted({source["source"] for source in data.get("sources") or []})}


@app.get(
    "/dashboard/communities/<community_id>/key-persons",
    access=VIEWERS,
    summary="A community's key persons, live (the last drill-down step) 社区重点人员名单",
    tags=["bigdata"],
)
def community_key_persons(
    community_id: Annotated[str, PathParam(pattern=r"^\d{6}-\d{3}$")],
    status: Annotated[str, Query(description="pending, active, released or dismissed")] = "active",
    category: Annotated[str | None, Query(description="one of the five categories")] = None,
    limit: paging.Limit = 50,
    cursor: paging.Cursor = None,
) -> CommunityKeyPersonsOut:
    area = _area(None, community_id)
    try:
        wanted = KeyPersonStatus(status)
    except ValueError as exc:
        raise InvalidInput("unknown status", field="status") from exc
    try:
        kind = KeyPersonCategory(category) if category else None
    except ValueError as exc:
        raise InvalidInput("unknown category", field="category") from exc
    records, last = key_person_store().page(
        index="community-index", partition=community_id, status=wanted, category=kind, limit=limit, start=app.page_start(cursor)
    )
    page = app.page([_key_person_row(record) for record in records], last)
    return CommunityKeyPersonsOut.model_validate({"area": area.to_json(), **page.model_dump(), "as_of": clock.iso()})


lambda_handler = api.handler(app)
