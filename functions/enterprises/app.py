"""Return to work (复工复产): the enterprise registry, resumption applications and their approval, employee
rosters linked to residents by the ID number's look-up key, live colour roll-ups and the seed's statistics."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field, StrictBool

from sanmenxia import api, audit, aws, clock, paging, regions, triggers
from sanmenxia.auth import Role, allow
from sanmenxia.enterprises.rules import (
    Decision,
    Enterprise,
    Industry,
    PreventionMeasure,
    ResumptionStatus,
    RosterColour,
    check_plan,
    roll_up,
)
from sanmenxia.enterprises.service import EnterpriseService
from sanmenxia.enterprises.store import EnterpriseStore, PersonPointers
from sanmenxia.healthcode.store import HealthCodeStore
from sanmenxia.holds import CodeColor
from sanmenxia.masking import mask_name
from sanmenxia.models import CountyCode, IdNumberStr, LongText, PersonName, RequestModel, ResponseModel, ShortText
from sanmenxia.observability import logger, metrics
from sanmenxia.services import PeopleSettings, audit_log, holds, people


class Settings(PeopleSettings):
    enterprises_table: str
    health_code_table: str
    holds_table: str


@functools.cache
def settings() -> Settings:
    return Settings()  # type: ignore[call-arg]


@functools.cache
def store() -> EnterpriseStore:
    return EnterpriseStore(aws.client("dynamodb"), settings().enterprises_table, audit_log(settings().audit_table), settings().personal_record_days)


@functools.cache
def pointers() -> PersonPointers:
    return PersonPointers(aws.client("dynamodb"), settings().people_table)


@functools.cache
def codes() -> HealthCodeStore:
    return HealthCodeStore(aws.client("dynamodb"), settings().health_code_table, holds(settings().holds_table))


def current_colours(person_ids: list[str]) -> Mapping[str, CodeColor]:
    """Today's shown colours (rule colour and holds) from the health-code store."""
    return {person_id: code.color for person_id, code in codes().current(person_ids).items()}


@functools.cache
def service() -> EnterpriseService:
    return EnterpriseService(store(), pointers(), current_colours)


app = api.PlatformResolver(title="Return to work 复工复产")

COMMAND = allow(Role.COMMANDER, Role.ADMIN)
ENTERPRISE_SIDE = allow(Role.ENTERPRISE_ADMIN, Role.COMMANDER, Role.ADMIN)
ENTERPRISE_WRITE = allow(Role.ENTERPRISE_ADMIN, Role.ADMIN)

EnterpriseIdStr = Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{3,40}$", examples=["ent-demo-1"])]
EnterpriseId = Annotated[str, Path(pattern=r"^[A-Za-z0-9-]{3,40}$")]
EmployeeId = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")]


class EnterpriseIn(RequestModel):
    enterprise_id: EnterpriseIdStr = Field(description="e.g. the unified social credit code")
    name: ShortText
    county_code: CountyCode
    industry: Industry
    above_scale: StrictBool = Field(description="规模以上工业企业")


class PlanIn(RequestModel):
    measures: Annotated[list[PreventionMeasure], Field(min_length=1, max_length=len(PreventionMeasure))]
    isolation_room_beds: Annotated[int, Field(strict=True, ge=0, le=1000)] = 0
    mask_stock_days: Annotated[int, Field(strict=True, ge=0, le=365)]
    description: LongText


class ApplicationIn(RequestModel):
    planned_date: date = Field(description="the day work resumes")
    prevention_plan: PlanIn


class DecisionIn(RequestModel):
    decision: Decision
    note: ShortText | None = None


class EmployeeIn(RequestModel):
    name: PersonName
    id_number: IdNumberStr


class RosterIn(RequestModel):
    employees: Annotated[list[EmployeeIn], Field(min_length=1, max_length=200)]


class RosterSummaryOut(ResponseModel):
    """A roster's colour counts, read now."""

    employees: int
    green: int
    yellow: int
    red: int
    no_code: int
    green_share: float | None


class RosterCountsOut(ResponseModel):
    """A roster's colour counts as stored on the enterprise (refreshed on every roster change and hourly)."""

    employees: int
    green: int
    yellow: int
    red: int
    no_code: int
    green_share: float | None = Field(default=None, description="absent from the stored roll-up")
    as_of: str | None = None


class EnterpriseOut(ResponseModel):
    enterprise_id: str
    name: str
    county_code: str
    industry: Industry
    above_scale: bool
    resumption_status: ResumptionStatus
    resumed_on: str | None = None
    created_at: str
    roster: RosterCountsOut | None = None


class PlanOut(ResponseModel):
    measures: list[PreventionMeasure]
    isolation_room_beds: int
    mask_stock_days: int
    description: str


class ApplicationOut(ResponseModel):
    application_id: str
    status: ResumptionStatus
    applied_at: str
    applied_by: str
    planned_date: date
    prevention_plan: PlanOut
    decided_at: str | None = None
    decided_by: str | None = None
    decision_note: str | None = None


class EnterpriseDetailOut(EnterpriseOut):
    applications: list[ApplicationOut]


class EnterpriseFiguresOut(ResponseModel):
    registered: int
    resumed: int
    pending: int
    above_scale: int
    above_scale_resumed: int
    above_scale_resumed_share: float | None


class WorkerFiguresOut(ResponseModel):
    due_back: int
    green: int
    green_share: float | None
    yellow: int
    red: int
    no_code: int


class ResumptionStatisticsOut(ResponseModel):
    as_of: str | None
    live: bool
    county_code: str | None
    enterprises: EnterpriseFiguresOut
    workers: WorkerFiguresOut
    without_roll_up: list[str] = Field(description="resumed enterprises whose roster has no roll-up yet")


class ResumptionDecisionOut(ResponseModel):
    enterprise_id: str
    resumption_status: ResumptionStatus
    resumed_on: str | None
    decided_at: str
    roster: RosterCountsOut


class UploadedEmployeeOut(ResponseModel):
    employee_id: str
    name: str = Field(description="masked")
    registered: bool


class RosterUploadOut(ResponseModel):
    added: int
    already_listed: int
    employees: list[UploadedEmployeeOut]


class RosterEmployeeOut(ResponseModel):
    employee_id: str
    name: str = Field(description="masked")
    colour: RosterColour


class RosterColoursOut(ResponseModel):
    enterprise_id: str
    as_of: str
    summary: RosterSummaryOut
    employees: list[RosterEmployeeOut]


class EmployeeRemovedOut(ResponseModel):
    employee_id: str
    removed: bool


def _counties(county_code: str | None) -> list[str]:
    """The counties a listing covers; every one must be in the caller's scope (city-wide needs a city scope)."""
    codes_ = [county_code] if county_code else [county.code for county in regions.COUNTIES]
    for code in codes_:
        app.caller.require_county(code)
    return codes_


# -- registry ---------------------------------------------------------------------------------------------------
@app.post("/enterprises", access=COMMAND, status_code=201, summary="Register an enterprise 企业登记", tags=["enterprises"])
def register_enterprise(body: EnterpriseIn) -> EnterpriseOut:
    app.caller.require_county(body.county_code)
    enterprise = Enterprise(body.enterprise_id, body.name, body.county_code, body.industry, body.above_scale, ResumptionStatus.NOT_APPLIED, None, clock.iso())
    entry = audit.record(app.caller, "enterprise.register", f"enterprise#{body.enterprise_id}", None, enterprise.to_json())
    return EnterpriseOut.model_validate(store().register(enterprise, entry).to_json())


@app.get("/enterprises", access=COMMAND, summary="Enterprises of a county or the city 企业名录", tags=["enterprises"])
def list_enterprises(
    county_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    limit: paging.Limit = 50,
    cursor: paging.Cursor = None,
) -> paging.Page[EnterpriseOut]:
    found, last = store().page_in_counties(_counties(county_code), limit=limit, start=app.page_start(cursor))
    return app.page([EnterpriseOut.model_validate(enterprise.to_json()) for enterprise in found], last)


@app.get(
    "/enterprises/statistics",
    access=COMMAND,
    summary="Enterprises resumed and workers with green codes 复工复产统计",
    tags=["enterprises"],
)
def resumption_statistics(
    county_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    live: Annotated[bool, Query(description="read every roster's colours now instead of the stored roll-ups")] = False,
) -> ResumptionStatisticsOut:
    return ResumptionStatisticsOut.model_validate({**service().statistics(_counties(county_code), live=live), "county_code": county_code})


@app.get("/enterprises/<enterprise_id>", access=ENTERPRISE_SIDE, summary="An enterprise and its applications 企业详情", tags=["enterprises"])
def get_enterprise(enterprise_id: EnterpriseId) -> EnterpriseDetailOut:
    enterprise = store().get(enterprise_id)
    app.caller.require_enterprise_record(enterprise.enterprise_id, enterprise.county_code)
    return EnterpriseDetailOut.model_validate({**enterprise.to_json(), "applications": store().applications(enterprise_id)})


# -- resumption -------------------------------------------------------------------------------------------------
@app.post(
    "/enterprises/<enterprise_id>/resumption",
    access=ENTERPRISE_WRITE,
    status_code=201,
    summary="Apply to resume work, with the prevention plan 复工申请",
    tags=["enterprises"],
)
def apply_for_resumption(enterprise_id: EnterpriseId, body: ApplicationIn) -> ApplicationOut:
    enterprise = store().get(enterprise_id)
    app.caller.require_enterprise_record(enterprise.enterprise_id, enterprise.county_code)
    check_plan(body.prevention_plan.measures, body.planned_date, clock.today())
    plan = {"planned_date": body.planned_date.isoformat(), "prevention_plan": body.prevention_plan.model_dump(mode="json")}
    entry = audit.record(app.caller, "enterprise.resumption.apply", f"enterprise#{enterprise_id}", enterprise.to_json(), plan)
    return ApplicationOut.model_validate(store().apply(enterprise, plan, app.caller.username, entry))


@app.post(
    "/enterprises/<enterprise_id>/resumption/decision",
    access=COMMAND,
    summary="Approve or reject a resumption application 复工审批",
    tags=["enterprises"],
)
def decide_resumption(enterprise_id: EnterpriseId, body: DecisionIn) -> ResumptionDecisionOut:
    enterprise = store().get(enterprise_id)
    app.caller.require_county(enterprise.county_code)
    decided = service().decide(app.caller, enterprise, body.decision, body.note)
    metrics.add_metric(name="ResumptionApproved" if body.decision is Decision.APPROVE else "ResumptionRejected", unit="Count", value=1)
    logger.info("resumption decided", extra={"enterprise_id": enterprise_id, "decision": body.decision.value})
    return ResumptionDecisionOut.model_validate(decided)


# -- roster -------------------------------------------------------------------------------------------------------
@app.post(
    "/enterprises/<enterprise_id>/employees",
    access=ENTERPRISE_WRITE,
    summary="Upload employees due back (ID numbers are kept only as look-up keys) 上传返岗员工",
    tags=["enterprises"],
)
def upload_employees(enterprise_id: EnterpriseId, body: RosterIn) -> RosterUploadOut:
    enterprise = store().get(enterprise_id)
    app.caller.require_enterprise_record(enterprise.enterprise_id, enterprise.county_code)
    registry = people(settings())
    upload = service().upload_roster(app.caller, enterprise_id, ((registry.id_key(e.id_number), mask_name(e.name)) for e in body.employees))
    logger.info("roster uploaded", extra={"enterprise_id": enterprise_id, "added": upload.added, "already_listed": upload.already_listed})
    return RosterUploadOut(
        added=upload.added,
        already_listed=upload.already_listed,
        employees=[UploadedEmployeeOut(employee_id=e.employee_id, name=e.masked_name, registered=e.person_id is not None) for e in upload.entries],
    )


@app.get(
    "/enterprises/<enterprise_id>/employees",
    access=ENTERPRISE_SIDE,
    summary="The roster's code colours, live, with masked names 员工健康码",
    tags=["enterprises"],
)
def roster_with_colours(enterprise_id: EnterpriseId) -> RosterColoursOut:
    enterprise = store().get(enterprise_id)
    app.caller.require_enterprise_record(enterprise.enterprise_id, enterprise.county_code)
    coloured = service().colours_of(enterprise)
    return RosterColoursOut(
        enterprise_id=enterprise_id,
        as_of=clock.iso(),
        summary=RosterSummaryOut.model_validate(roll_up(colour for _, colour in coloured)),
        employees=[
            RosterEmployeeOut(employee_id=entry.employee_id, name=entry.masked_name, colour=colour)
            for entry, colour in sorted(coloured, key=lambda pair: (pair[1].value, pair[0].employee_id))
        ],
    )


@app.delete(
    "/enterprises/<enterprise_id>/employees/<employee_id>",
    access=ENTERPRISE_WRITE,
    summary="Take an employee off the roster 移除员工",
    tags=["enterprises"],
)
def remove_employee(enterprise_id: EnterpriseId, employee_id: EmployeeId) -> EmployeeRemovedOut:
    enterprise = store().get(enterprise_id)
    app.caller.require_enterprise_record(enterprise.enterprise_id, enterprise.county_code)
    service().remove_employee(app.caller, enterprise_id, employee_id)
    return EmployeeRemovedOut(employee_id=employee_id, removed=True)


# -- the hourly refresh of resumed enterprises' roll-ups -------------------------------------------------------
def _scheduled(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    refreshed = service().refresh_resumed()
    metrics.add_metric(name="RosterRollUpsRefreshed", unit="Count", value=refreshed["enterprises"])
    logger.info("roster roll-ups refreshed", extra=refreshed)
    return dict(refreshed)


#: API Gateway requests, and the hourly schedule.
lambda_handler = triggers.entry(http=api.handler(app), schedule=_scheduled)
