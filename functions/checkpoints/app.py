"""Checkpoints function (检测点管理): the registry of checkpoints, gate scans, live statistics, and exposure runs
from a confirmed case's checkpoint windows (暴露排查)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import AwareDatetime, Field

from sanmenxia import api, audit, aws, clock, contracts, paging, regions, scope
from sanmenxia.auth import Role, allow
from sanmenxia.checkpoints import service, stats
from sanmenxia.checkpoints.exposure import MAX_WINDOWS, Window
from sanmenxia.checkpoints.exposure_store import ExposureStore
from sanmenxia.checkpoints.requests import CheckpointIn, CheckpointPatch, ScanIn, StaffAssignmentIn
from sanmenxia.checkpoints.rules import CheckpointKind, Direction, ScanMethod, StopReason
from sanmenxia.checkpoints.sealing import SealingKeys
from sanmenxia.checkpoints.store import CachedCheckpoints, CheckpointRegistry, ScanLedger
from sanmenxia.checkpoints.tracing import ExposureSettings, ExposureTracer
from sanmenxia.errors import InvalidInput
from sanmenxia.healthcode.revocation_store import RevocationStore, TokenReads
from sanmenxia.healthcode.store import HealthCodeStore, PublishedKeySet
from sanmenxia.holds import CodeColor, Hold
from sanmenxia.models import CountyCode, PersonRefIn, RequestModel, ResponseModel
from sanmenxia.notifications import Inbox
from sanmenxia.observability import logger, metrics
from sanmenxia.pii import lookup_key
from sanmenxia.scope import Place
from sanmenxia.services import PeopleSettings, audit_log, holds, lookup_secret, people
from sanmenxia.staff import StaffDirectory


class Settings(PeopleSettings):
    checkpoints_table: str
    scans_table: str
    checkpoint_stats_table: str
    holds_table: str
    key_person_queue_url: str
    user_pool_id: str
    health_code_table: str
    health_code_jwks_parameter: str
    scan_sealing_secret_arn: str
    exposures_table: str
    notifications_table: str
    exposure_margin_minutes: int = 30
    exposure_case_scan_minutes: int = 15
    exposure_lookback_days: int = 14


@functools.cache
def settings() -> Settings:
    return Settings()  # type: ignore[call-arg]


@functools.cache
def registry() -> CheckpointRegistry:
    return CheckpointRegistry(aws.client("dynamodb"), settings().checkpoints_table, audit_log(settings().audit_table))


@functools.cache
def ledger() -> ScanLedger:
    return ScanLedger(aws.client("dynamodb"), settings().scans_table, settings().checkpoint_stats_table, audit_log(settings().audit_table))


@functools.cache
def staff_directory() -> StaffDirectory:
    return StaffDirectory(aws.client("cognito-idp"), settings().user_pool_id)


@functools.cache
def health_codes() -> HealthCodeStore:
    config = settings()
    return HealthCodeStore(aws.client("dynamodb"), config.health_code_table, holds(config.holds_table), retention_days=config.personal_record_days)


@functools.cache
def published_keys() -> PublishedKeySet:
    return PublishedKeySet(aws.client("ssm"), settings().health_code_jwks_parameter)


@functools.cache
def revocations() -> RevocationStore:
    return RevocationStore(aws.client("dynamodb"), settings().health_code_table)


@functools.cache
def sealing_keys() -> SealingKeys:
    return SealingKeys(aws.client("secretsmanager"), settings().scan_sealing_secret_arn)


def key_set() -> Mapping[str, Any]:
    """The health code's published public keys (JWKS): the checkpoint never holds the signing seed."""
    return published_keys().get()


def current_code(person_id: str) -> service.LiveCode | None:
    """A person's shown health-code colour now (rule colour and holds); None without a code."""
    code = health_codes().current([person_id]).get(person_id)
    return service.live_from_holds(code.color, code.holds, clock.now()) if code else None


def active_holds(person_id: str) -> list[Hold]:
    return holds(settings().holds_table).for_person(person_id)


def _send_candidate(candidate: contracts.KeyPersonCandidate) -> None:
    contracts.send(settings().key_person_queue_url, candidate)


@functools.cache
def the_gate() -> service.Gate:
    config = settings()
    return service.Gate(
        checkpoints=CachedCheckpoints(registry()),
        ledger=ledger(),
        people=people(config),
        current_code=current_code,
        active_holds=active_holds,
        key_set=key_set,
        refresh_keys=lambda: published_keys().refresh(),
        follow_up=service.FollowUp(holds(config.holds_table), _send_candidate),
        plate_key=lambda plate: lookup_key(lookup_secret(config.lookup_secret_arn), "plate", plate),
        retention_days=config.personal_record_days,
        revocations=revocations().for_token,
        token_reads=TokenReads(aws.client("dynamodb"), revocations(), people(config)),
        open_sealed=lambda sealed, scan_id: sealing_keys().open(sealed, scan_id),
    )


@functools.cache
def tracer() -> ExposureTracer:
    config = settings()
    return ExposureTracer(
        store=ExposureStore(aws.client("dynamodb"), config.scans_table, config.exposures_table, config.personal_record_days),
        checkpoint=CachedCheckpoints(registry()),
        inbox=Inbox(aws.client("dynamodb"), config.notifications_table, config.personal_record_days),
        send_candidate=_send_candidate,
        audit_log=audit_log(config.audit_table),
        settings=ExposureSettings(config.exposure_margin_minutes, config.exposure_case_scan_minutes, config.exposure_lookback_days),
    )


app = api.PlatformResolver(title="Checkpoints 检测点管理")

CheckpointIdPath = Annotated[str, Path(pattern=r"^cp-[a-z0-9-]{3,36}$")]
DateQuery = Annotated[date | None, Query(description="day in Asia/Shanghai, yyyy-mm-dd; today when absent")]
STAFF_READERS = allow(Role.CHECKPOINT_STAFF, Role.COMMUNITY_HEAD, Role.COMMANDER, Role.ADMIN)
MANAGERS = allow(Role.COMMUNITY_HEAD, Role.COMMANDER, Role.ADMIN)


#: The gate's decision (``checkpoints.rules.Decision``), documented in place: ``Decision`` is the enterprises' schema.
GateDecision = Literal["pass", "stop"]


class LocationOut(ResponseModel):
    latitude: float
    longitude: float
    place: str = Field(description="a public description of the place, never a resident's address")


class CheckpointOut(ResponseModel):
    checkpoint_id: str
    name: str
    kind: CheckpointKind
    county_code: str
    community_id: str
    entrances: list[str]
    location: LocationOut
    active: bool
    created_at: str
    updated_at: str


class SealingJwkOut(ResponseModel):
    kty: str
    crv: str
    x: str
    y: str
    kid: str
    alg: str
    use: str


class SealingKeysOut(ResponseModel):
    keys: list[SealingJwkOut]


class CheckpointStaffOut(ResponseModel):
    username: str
    assigned_by: str
    assigned_at: str


class CheckpointStaffAccountOut(CheckpointStaffOut):
    role: str
    scope: dict[str, str]


class AdviceOut(ResponseModel):
    code: str
    params: dict[str, str | int] = Field(default_factory=dict)


class GateViewOut(ResponseModel):
    """What the gate's screen shows of one person: masked name, colour, decision, reason, time."""

    scan_id: str
    name: str | None = Field(default=None, description="masked")
    color: CodeColor | None = None
    decision: GateDecision
    reason: str
    advice: AdviceOut
    decided_by: str = Field(description="which colour decided: token or live")
    token_color: CodeColor | None = None
    live_color: CodeColor | None = None
    time: str


class ScanOut(GateViewOut):
    checkpoint_id: str
    direction: Direction
    message: str
    duplicate: bool
    dependents: list[GateViewOut]


class ScanRecordOut(GateViewOut):
    reasons: list[StopReason]
    checkpoint_id: str
    checkpoint_name: str
    entrance: str | None = None
    direction: Direction
    method: ScanMethod
    temperature: float
    vehicle_plate: str | None = Field(default=None, description="masked")
    companion_of: str | None = None
    received_at: str
    late: bool


class CountsOut(ResponseModel):
    scans: int
    passes: int
    stops: int
    fevers: int
    unique_persons: int
    ins: int
    outs: int
    balance: int


class CityCountsOut(ResponseModel):
    """The city's totals: unique persons do not add up across counties, so there are none."""

    scans: int
    passes: int
    stops: int
    fevers: int
    ins: int
    outs: int
    balance: int


class HourCountsOut(CountsOut):
    hour: str


class DayStatsOut(ResponseModel):
    level: str
    id: str
    date: str
    totals: CountsOut
    hours: list[HourCountsOut]


class CheckpointTotalsOut(CheckpointOut):
    totals: CountsOut


class CommunityStatsOut(DayStatsOut):
    checkpoints: list[CheckpointTotalsOut]


class CountyTotalsOut(ResponseModel):
    county_code: str
    name: str
    totals: CountsOut


class CityStatsOut(ResponseModel):
    level: str
    id: str
    date: str
    totals: CityCountsOut
    counties: list[CountyTotalsOut]


def _day(value: date | None) -> str:
    return (value or clock.today()).isoformat()


# -- registry -------------------------------------------------------------------------------------------
@app.post("/checkpoints", access=MANAGERS, status_code=201, summary="Register a checkpoint 新建检测点", tags=["checkpoints"])
def create_checkpoint(body: CheckpointIn) -> CheckpointOut:
    checkpoint = service.new_checkpoint(app.caller, body)
    entry = audit.record(app.caller, "checkpoint.create", f"checkpoint#{checkpoint.checkpoint_id}", None, checkpoint.to_json())
    registry().create(checkpoint, entry)
    logger.info("checkpoint created", extra={"checkpoint_id": checkpoint.checkpoint_id, "community_id": checkpoint.community_id})
    return CheckpointOut.model_validate(checkpoint.to_json())


@app.get("/checkpoints", access=STAFF_READERS, summary="Checkpoints in my scope 检测点列表", tags=["checkpoints"])
def list_checkpoints(
    community_id: Annotated[str | None, Query(pattern=r"^\d{6}-\d{3}$")] = None,
    county_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
) -> list[CheckpointOut]:
    found = service.checkpoints_in_scope(app.caller, registry(), community_id=community_id, county_code=county_code)
    return [CheckpointOut.model_validate(checkpoint.to_json()) for checkpoint in found]


@app.get(
    "/checkpoints/sealing-key",
    access=allow(Role.CHECKPOINT_STAFF, Role.COMMUNITY_HEAD),
    summary="The public key gate devices seal waiting ID numbers to 登记加密公钥",
    tags=["checkpoints"],
)
def get_sealing_key() -> SealingKeysOut:
    return SealingKeysOut.model_validate({"keys": [key.public_jwk() for key in sealing_keys().all()]})


@app.get("/checkpoints/<checkpoint_id>", access=STAFF_READERS, summary="A checkpoint 检测点详情", tags=["checkpoints"])
def get_checkpoint(checkpoint_id: CheckpointIdPath) -> CheckpointOut:
    checkpoint = registry().get(checkpoint_id)
    app.caller.require_checkpoint(checkpoint.checkpoint_id, checkpoint.community_id)
    return CheckpointOut.model_validate(checkpoint.to_json())


@app.patch("/checkpoints/<checkpoint_id>", access=MANAGERS, summary="Edit or close a checkpoint 修改/关闭检测点", tags=["checkpoints"])
def edit_checkpoint(checkpoint_id: CheckpointIdPath, body: CheckpointPatch) -> CheckpointOut:
    before = registry().get(checkpoint_id)
    app.caller.require_community(before.community_id, before.county_code)
    after = service.edited_checkpoint(before, body)
    entry = audit.record(app.caller, "checkpoint.edit", f"checkpoint#{checkpoint_id}", before.to_json(), after.to_json())
    return CheckpointOut.model_validate(registry().replace(before, after, entry).to_json())


@app.post(
    "/checkpoints/<checkpoint_id>/staff",
    access=MANAGERS,
    status_code=201,
    summary="Create a staff account for this checkpoint 分配检测点工作人员",
    tags=["checkpoints"],
)
def assign_staff(checkpoint_id: CheckpointIdPath, body: StaffAssignmentIn) -> CheckpointStaffAccountOut:
    checkpoint = registry().get(checkpoint_id)
    assigned = service.assign_staff(app.caller, checkpoint, body, registry(), staff_directory(), audit_log(settings().audit_table))
    return CheckpointStaffAccountOut.model_validate(assigned)


@app.get("/checkpoints/<checkpoint_id>/staff", access=MANAGERS, summary="Staff of this checkpoint 检测点工作人员", tags=["checkpoints"])
def list_staff(checkpoint_id: CheckpointIdPath, limit: paging.Limit = 50, cursor: paging.Cursor = None) -> paging.Page[CheckpointStaffOut]:
    checkpoint = registry().get(checkpoint_id)
    app.caller.require_community(checkpoint.community_id, checkpoint.county_code)
    found, last = registry().staff_page(checkpoint_id, limit=limit, start=app.page_start(cursor))
    return app.page([CheckpointStaffOut.model_validate(item) for item in found], last)


# -- scans ----------------------------------------------------------------------------------------------
@app.post(
    "/checkpoints/<checkpoint_id>/scans",
    access=allow(Role.CHECKPOINT_STAFF, Role.COMMUNITY_HEAD),
    status_code=201,
    natural_duplicates=False,  # the device's scan_id is the natural key: a resend is answered as a marked duplicate
    summary="Register a person at the gate: QR token, ID card or typed ID 扫码/刷证/录入登记",
    tags=["checkpoints"],
)
def scan(checkpoint_id: CheckpointIdPath, body: ScanIn) -> ScanOut:
    result = the_gate().scan(app.caller, checkpoint_id, body)
    main = result.records[0]
    if not result.duplicate:
        metrics.add_metric(name="Scans", unit="Count", value=len(result.records))
        metrics.add_metric(name="ScansStopped", unit="Count", value=sum(r.decision.value == "stop" for r in result.records))
    logger.info(
        "scan recorded",
        extra={"checkpoint_id": checkpoint_id, "scan_id": main.scan_id, "decision": main.decision.value, "duplicate": result.duplicate},
    )
    return ScanOut.model_validate(result.to_json())


@app.get("/checkpoints/<checkpoint_id>/scans", access=STAFF_READERS, summary="A checkpoint's scans of a day 检测点登记记录", tags=["checkpoints"])
def list_scans(checkpoint_id: CheckpointIdPath, date: DateQuery = None, limit: paging.Limit = 50, cursor: paging.Cursor = None) -> paging.Page[ScanRecordOut]:
    checkpoint = registry().get(checkpoint_id)
    app.caller.require_checkpoint(checkpoint.checkpoint_id, checkpoint.community_id)
    records, last = ledger().page_at_checkpoint(checkpoint_id, _day(date), limit=limit, start=app.page_start(cursor))
    return app.page([ScanRecordOut.model_validate(record.record_view()) for record in records], last)


@app.get("/scans/me", access=allow(Role.RESIDENT), summary="My scans at checkpoints 我的通行记录", tags=["checkpoints"])
def my_scans(
    person_id: Annotated[str | None, Query(pattern=r"^[0-9a-f]{24}$")] = None,
    limit: paging.Limit = 50,
    cursor: paging.Cursor = None,
) -> paging.Page[ScanRecordOut]:
    person = people(settings()).person_for(app.caller, person_id)
    records, last = ledger().page_for_person(person.person_id, limit=limit, start=app.page_start(cursor))
    return app.page([ScanRecordOut.model_validate(record.record_view()) for record in records], last)


# -- statistics -----------------------------------------------------------------------------------------
@app.get("/checkpoints/<checkpoint_id>/stats", access=STAFF_READERS, summary="A checkpoint's day, by hour 检测点统计", tags=["checkpoints"])
def checkpoint_stats(checkpoint_id: CheckpointIdPath, date: DateQuery = None) -> DayStatsOut:
    checkpoint = registry().get(checkpoint_id)
    app.caller.require_checkpoint(checkpoint.checkpoint_id, checkpoint.community_id)
    return DayStatsOut.model_validate(ledger().day_stats(stats.Level.CHECKPOINT, checkpoint_id, _day(date)).to_json())


@app.get(
    "/communities/<community_id>/checkpoint-stats",
    access=MANAGERS,
    summary="A community's checkpoints today, in total and each 社区检测点统计",
    tags=["checkpoints"],
)
def community_stats(community_id: Annotated[str, Path(pattern=r"^\d{6}-\d{3}$")], date: DateQuery = None) -> CommunityStatsOut:
    if not regions.is_known_community(community_id):
        raise InvalidInput("unknown community id", field="community_id")
    app.caller.require_community(community_id)
    day = _day(date)
    body = ledger().day_stats(stats.Level.COMMUNITY, community_id, day).to_json()
    body["checkpoints"] = [
        {**checkpoint.to_json(), "totals": ledger().day_stats(stats.Level.CHECKPOINT, checkpoint.checkpoint_id, day).totals.to_json()}
        for checkpoint in registry().in_community(community_id)
    ]
    return CommunityStatsOut.model_validate(body)


@app.get(
    "/counties/<county_code>/checkpoint-stats",
    access=allow(Role.COMMANDER, Role.ADMIN),
    summary="A county's checkpoints, by hour 区县检测点统计",
    tags=["checkpoints"],
)
def county_stats(county_code: Annotated[str, Path(pattern=r"^\d{6}$")], date: DateQuery = None) -> DayStatsOut:
    if not regions.is_known_county(county_code):
        raise InvalidInput("unknown county code", field="county_code")
    app.caller.require_county(county_code)
    return DayStatsOut.model_validate(ledger().day_stats(stats.Level.COUNTY, county_code, _day(date)).to_json())


@app.get("/checkpoint-stats", access=allow(Role.COMMANDER, Role.ADMIN), summary="The city's checkpoints, by county 全市检测点统计", tags=["checkpoints"])
def city_stats(date: DateQuery = None) -> CityStatsOut:
    return CityStatsOut.model_validate(service.city_day(app.caller, ledger(), _day(date)))


# -- exposure from scans (暴露排查) -----------------------------------------------------------------------
EXPOSURE_RUNNERS = allow(Role.COMMANDER, Role.ADMIN)
ExposureIdPath = Annotated[str, Path(pattern=r"^ex\d{8}[0-9a-f]{12}$", description="an exposure run's id (its run_id)")]


class ExposureWindowIn(RequestModel):
    checkpoint_id: Annotated[str, Field(pattern=r"^cp-[a-z0-9-]{3,36}$")]
    start: AwareDatetime
    end: AwareDatetime


class ExposureRunIn(PersonRefIn):
    """The confirmed case (by ``person_id`` or ID number, looked up, never stored) and where it was; without
    ``windows`` the case's own scans of the last days give them."""

    windows: Annotated[list[ExposureWindowIn], Field(max_length=MAX_WINDOWS)] | None = None


class ExposureCaseOut(ResponseModel):
    person_id: str
    name: str = Field(description="masked")
    id_number: str = Field(description="masked")


class ExposureWindowOut(ResponseModel):
    checkpoint_id: str
    start: str
    end: str


class ExposureRunOut(ResponseModel):
    """A run: the case (masked), the windows read, what it cost and what it found."""

    run_id: str
    case: ExposureCaseOut
    windows: list[ExposureWindowOut]
    from_case_scans: bool
    margin_minutes: int
    index_reads: int = Field(description="queries of the (checkpoint, day, time) index")
    scans_read: int
    found: int
    added: int = Field(description="found by this run for the first time: notified, candidates sent")
    already_found: int
    close_contacts: int
    same_place: int
    county_codes: list[str]
    created_by: str
    created_at: str


class ExposedPersonOut(ResponseModel):
    person_id: str
    kind: str
    category: str
    checkpoint_id: str
    checkpoint_name: str
    scanned_at: str
    community_id: str = Field(description="the person's own community, where the candidate went")
    name: str | None = Field(default=None, description="masked")
    run_id: str = Field(description="the run that found the person first")
    found_at: str


class ExposureRunDetailOut(ExposureRunOut):
    persons: list[ExposedPersonOut] = Field(description="everyone found near the case by any of its runs")


@app.post(
    "/exposures",
    access=EXPOSURE_RUNNERS,
    status_code=201,
    summary="Find and notify everyone scanned where a confirmed case was 检测点暴露排查",
    tags=["exposure"],
)
def run_exposure(body: ExposureRunIn) -> ExposureRunOut:
    registry_ = people(settings())
    if body.person_id:
        case = registry_.get(body.person_id)
    else:
        found = registry_.find_by_id_number(body.id_number or "")
        if found is None:
            raise InvalidInput("no resident is registered with this ID number", field="id_number")
        case = found
    windows = [Window(w.checkpoint_id, w.start, w.end) for w in body.windows] if body.windows else None
    run = tracer().run(app.caller, case, windows)
    metrics.add_metric(name="ExposureCandidates", unit="Count", value=run["added"])
    logger.info("exposure run", extra={"run_id": run["run_id"], "scans_read": run["scans_read"], "found": run["found"], "added": run["added"]})
    return ExposureRunOut.model_validate(run)


@app.get("/exposures", access=EXPOSURE_RUNNERS, summary="Exposure runs of a county 暴露排查记录", tags=["exposure"])
def list_exposures(
    county_code: Annotated[CountyCode | None, Query()] = None,
    limit: paging.Limit = 20,
    cursor: paging.Cursor = None,
) -> paging.Page[ExposureRunOut]:
    county = county_code or scope.county_bound(app.caller)
    if county is None:
        raise InvalidInput("city-wide callers choose a county (county_code)", field="county_code")
    scope.require(app.caller, Place(county_code=county), what="this county's exposure runs")
    runs, last = tracer().store.runs(county, limit=limit, start=app.page_start(cursor))
    return app.page([ExposureRunOut.model_validate(run) for run in runs], last)


@app.get("/exposures/<exposure_id>", access=EXPOSURE_RUNNERS, summary="An exposure run and everyone found near its case 暴露排查详情", tags=["exposure"])
def get_exposure(exposure_id: ExposureIdPath) -> ExposureRunDetailOut:
    run = tracer().store.run(exposure_id)
    for county in run["county_codes"]:
        scope.require(app.caller, Place(county_code=county), what="this exposure run")
    found = tracer().store.found_near(run["case"]["person_id"])
    return ExposureRunDetailOut.model_validate({**run, "persons": [item.to_json() for item in found]})


lambda_handler = api.handler(app)
