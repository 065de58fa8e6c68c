"""Residents function (居民信息填报): household self-reports, hardship requests, community heads' lists."""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import Field, model_validator

from sanmenxia import api, aws, clock, paging
from sanmenxia.auth import Role, allow
from sanmenxia.errors import InvalidInput
from sanmenxia.models import CommunityId, LongText, RequestModel, ResponseModel, ShortText
from sanmenxia.notifications import Inbox
from sanmenxia.observability import logger, metrics
from sanmenxia.residents.rules import (
    HardshipKind,
    HardshipStatus,
    Health,
    IsolationStatus,
    PersonType,
    ResidentFilter,
    Symptom,
    TravelEntry,
    TravelRegion,
    plan_query,
)
from sanmenxia.residents.service import Report, ResidentService
from sanmenxia.residents.store import ResidentStore, base_state, state_to_json
from sanmenxia.services import PeopleSettings, audit_log, holds, people, vault


class Settings(PeopleSettings):
    residents_table: str
    holds_table: str
    key_person_queue_url: str
    work_order_queue_url: str
    notifications_table: str


@functools.cache
def settings() -> Settings:
    return Settings()  # type: ignore[call-arg]


@functools.cache
def store() -> ResidentStore:
    return ResidentStore(aws.client("dynamodb"), settings().residents_table, vault(settings().pii_key_id), settings().personal_record_days)


@functools.cache
def service() -> ResidentService:
    config = settings()
    return ResidentService(
        store=store(),
        holds=holds(config.holds_table),
        audit=audit_log(config.audit_table),
        inbox=Inbox(aws.client("dynamodb"), config.notifications_table, config.personal_record_days),
        key_person_queue_url=config.key_person_queue_url,
        work_order_queue_url=config.work_order_queue_url,
    )


app = api.PlatformResolver(title="Residents 居民信息填报")

PersonIdField = Annotated[str, Field(pattern=r"^[0-9a-f]{24}$")]
Temperature = Annotated[Decimal, Field(ge=Decimal("34.0"), le=Decimal("43.0"), decimal_places=1)]


class TravelIn(RequestModel):
    place: ShortText
    region: TravelRegion
    from_date: date
    to_date: date

    @model_validator(mode="after")
    def _dates(self) -> TravelIn:
        if self.to_date < self.from_date:
            raise ValueError("to_date is before from_date")
        if self.to_date > clock.today():
            raise ValueError("travel dates cannot be in the future")
        return self


class ReportIn(RequestModel):
    """One person's self-report (本人或家庭成员); ``person_id`` absent means the caller."""

    person_id: PersonIdField | None = None
    person_type: PersonType
    temperature: Temperature | None = None
    symptoms: Annotated[list[Symptom], Field(max_length=len(Symptom))] = Field(default_factory=list)
    travel: Annotated[list[TravelIn], Field(max_length=10)] = Field(default_factory=list)
    isolation: IsolationStatus = IsolationStatus.NONE
    isolation_site: ShortText | None = None

    @model_validator(mode="after")
    def _site(self) -> ReportIn:
        if self.isolation in (IsolationStatus.CENTRALIZED, IsolationStatus.HOSPITAL) and not self.isolation_site:
            raise ValueError("isolation_site is required for centralized isolation and hospital")
        return self


class HardshipIn(RequestModel):
    person_id: PersonIdField | None = None
    kind: HardshipKind
    description: LongText


class HardshipUpdate(RequestModel):
    status: HardshipStatus
    note: ShortText | None = None


class ResidentTravelOut(ResponseModel):
    place: str
    region: TravelRegion
    from_date: date
    to_date: date


class ResidentStateOut(ResponseModel):
    """A resident as their community head and household see them: name and ID number masked."""

    person_id: str
    community_id: str
    household_id: str
    relation: str
    name: str = Field(description="masked")
    id_number: str = Field(description="masked")
    person_type: PersonType | None = None
    temperature: float | None = None
    symptoms: list[Symptom]
    fever: bool
    travel: list[ResidentTravelOut]
    isolation: IsolationStatus
    isolation_site: str | None = None
    reported_on: date | None = None
    open_hardship_requests: int


class SelfReportOut(ResidentStateOut):
    key_person_candidate: str | None = Field(default=None, description="the key-person category the report suggests, if any")


class HardshipRequestOut(ResponseModel):
    request_id: str
    community_id: str
    person_id: str
    requester: str | None = Field(default=None, description="masked at creation")
    address: str | None = Field(default=None, description="masked at creation")
    contact_phone: str | None = Field(default=None, description="masked at creation")
    kind: HardshipKind
    description: str
    status: HardshipStatus
    created_at: str
    handled_by: str | None = None
    handled_at: str | None = None
    note: str | None = None


CommunityPath = Annotated[CommunityId, Path()]
RequestIdPath = Annotated[str, Path(pattern=r"^\d{14}-[0-9a-f]{8}$")]


@app.post("/residents/me/reports", access=allow(Role.RESIDENT), status_code=201, summary="Report for me or my household 居民信息填报")
def report(body: ReportIn) -> SelfReportOut:
    person = people(settings()).person_for(app.caller, body.person_id)
    travel = tuple(TravelEntry(t.place, t.region, t.from_date, t.to_date) for t in body.travel)
    health = Health(body.temperature, tuple(dict.fromkeys(body.symptoms)))
    state, suggested = service().report(person, Report(body.person_type, health, travel, body.isolation, body.isolation_site))
    metrics.add_metric(name="SelfReports", unit="Count", value=1)
    logger.info("self-report saved", extra={"person_id": person.person_id, "fever": state.fever, "candidate": suggested})
    return SelfReportOut.model_validate({**state_to_json(state), "key_person_candidate": suggested})


@app.get("/residents/me/reports", access=allow(Role.RESIDENT), summary="My household's latest reports 家庭填报情况")
def my_reports(limit: paging.Limit = 50, cursor: paging.Cursor = None) -> paging.Page[ResidentStateOut]:
    registry = people(settings())
    me = registry.me(app.caller.sub)
    members, last = registry.household_page(me.household_id, limit=limit, start=app.page_start(cursor))
    states = store().get_many(me.community_id, [member.person_id for member in members])
    return app.page([ResidentStateOut.model_validate(state_to_json(states.get(member.person_id) or base_state(member))) for member in members], last)


@app.post("/residents/me/hardship-requests", access=allow(Role.RESIDENT), status_code=201, summary="Ask for help 困难诉求")
def ask_for_help(body: HardshipIn) -> HardshipRequestOut:
    registry = people(settings())
    person = registry.person_for(app.caller, body.person_id)
    filer = person if person.account_sub == app.caller.sub else registry.me(app.caller.sub)
    request = service().ask_for_help(person, filer, app.caller.sub, body.kind, body.description)
    metrics.add_metric(name="HardshipRequests", unit="Count", value=1)
    logger.info("hardship request opened", extra={"request_id": request.request_id, "kind": body.kind.value})
    return HardshipRequestOut.model_validate(request.to_json())


@app.get("/residents/me/hardship-requests", access=allow(Role.RESIDENT), summary="My household's requests 我的困难诉求")
def my_requests(limit: paging.Limit = 50, cursor: paging.Cursor = None) -> paging.Page[HardshipRequestOut]:
    me = people(settings()).me(app.caller.sub)
    found, last = store().list_requests(me.community_id, household_id=me.household_id, limit=limit, start=app.page_start(cursor))
    return app.page([HardshipRequestOut.model_validate(request.to_json()) for request in found], last)


@app.get(
    "/communities/<community_id>/residents",
    access=allow(Role.COMMUNITY_HEAD, Role.COMMANDER, Role.ADMIN),
    summary="Residents of a community, filtered, masked 社区居民列表",
)
def list_residents(
    community_id: CommunityPath,
    person_type: Annotated[PersonType | None, Query()] = None,
    fever: Annotated[bool | None, Query()] = None,
    isolation: Annotated[bool | None, Query()] = None,
    hardship: Annotated[bool | None, Query()] = None,
    limit: paging.Limit = 50,
    cursor: paging.Cursor = None,
) -> paging.Page[ResidentStateOut]:
    app.caller.require_community(community_id)
    plan = plan_query(community_id, ResidentFilter(person_type, fever, isolation, hardship))
    found, last = store().page(plan, limit=limit, start=app.page_start(cursor))
    return app.page([ResidentStateOut.model_validate(state_to_json(state)) for state in found], last)


@app.get(
    "/communities/<community_id>/hardship-requests",
    access=allow(Role.COMMUNITY_HEAD, Role.COMMANDER, Role.ADMIN),
    summary="Hardship requests of a community 社区困难诉求",
)
def list_requests(
    community_id: CommunityPath,
    status: Annotated[HardshipStatus | None, Query()] = None,
    limit: paging.Limit = 50,
    cursor: paging.Cursor = None,
) -> paging.Page[HardshipRequestOut]:
    app.caller.require_community(community_id)
    found, last = store().list_requests(community_id, status=status, limit=limit, start=app.page_start(cursor))
    return app.page([HardshipRequestOut.model_validate(request.to_json()) for request in found], last)


@app.patch(
    "/communities/<community_id>/hardship-requests/<request_id>",
    access=allow(Role.COMMUNITY_HEAD, Role.ADMIN),
    summary="Handle a hardship request 处理困难诉求",
)
def handle_request(community_id: CommunityPath, request_id: RequestIdPath, body: HardshipUpdate) -> HardshipRequestOut:
    app.caller.require_community(community_id)
    if body.status is not HardshipStatus.IN_PROGRESS and not body.note:
        raise InvalidInput("say what was done (or why not) when closing a request", field="note")

    handled = service().handle(app.caller, community_id, request_id, body.status, body.note)
    logger.info("hardship request handled", extra={"request_id": request_id, "status": body.status.value})
    return HardshipRequestOut.model_validate(handled.to_json())


lambda_handler = api.handler(app)
