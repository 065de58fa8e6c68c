"""Residents function (居民信息填报): household self-reports, hardship requests, community heads' lists."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import Field, model_validator

from sanmenxia import api, audit, aws, clock, contracts, paging, texts
from sanmenxia.auth import Role, allow
from sanmenxia.contracts import KeyPersonCandidate, WorkOrderIntake, WorkOrderProgress, WorkOrderSource, WorkOrderType
from sanmenxia.errors import InvalidInput
from sanmenxia.holds import HoldKind
from sanmenxia.masking import mask_address, mask_name, mask_phone
from sanmenxia.models import CommunityId, LongText, RequestModel, ShortText
from sanmenxia.notifications import Inbox
from sanmenxia.observability import logger, metrics
from sanmenxia.people import Person
from sanmenxia.residents.rules import (
    HardshipKind,
    HardshipStatus,
    Health,
    IsolationStatus,
    PersonType,
    ResidentFilter,
    ResidentState,
    Symptom,
    TravelEntry,
    TravelRegion,
    candidate_category,
    check_hardship_transition,
    plan_query,
)
from sanmenxia.residents.store import HardshipRequest, ResidentStore, StaleWrite, base_state, new_request_id, state_to_json
from sanmenxia.services import PeopleSettings, audit_log, holds, people, vault
from sanmenxia.texts import TextCode

HOLD_SOURCE = "residents"
_ATTEMPTS = 3
T = TypeVar("T")


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
def inbox() -> Inbox:
    return Inbox(aws.client("dynamodb"), settings().notifications_table, settings().personal_record_days)


HARDSHIP_LABELS = {
    HardshipStatus.OPEN: "待处理 open",
    HardshipStatus.IN_PROGRESS: "处理中 in progress",
    HardshipStatus.RESOLVED: "已解决 resolved",
    HardshipStatus.DECLINED: "不予处理 declined",
}

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


CommunityPath = Annotated[CommunityId, Path()]
RequestIdPath = Annotated[str, Path(pattern=r"^\d{14}-[0-9a-f]{8}$")]


def _retrying(action: Callable[[], T]) -> T:
    """Run a read-modify-write; a concurrent change of the same resident is retried."""
    for _ in range(_ATTEMPTS - 1):
        try:
            return action()
        except StaleWrite:
            continue
    return action()


def _current(person: Person) -> ResidentState:
    return store().get(person.community_id, person.person_id) or base_state(person)


def _sync_holds(state: ResidentState) -> None:
    """Self-reported fever and isolation hold the code until a later report clears them."""
    hold_store = holds(settings().holds_table)
    if state.fever:
        temperature = state.health.temperature if state.health else None
        reason = f"自报发热 Self-reported fever ({temperature} °C)" if temperature is not None else "自报发热 Self-reported fever"
        said = (
            texts.text(TextCode.SELF_REPORTED_FEVER_TEMPERATURE, temperature=str(temperature))
            if temperature is not None
            else texts.text(TextCode.SELF_REPORTED_FEVER)
        )
        hold_store.place(state.person_id, HoldKind.FEVER, source=HOLD_SOURCE, source_ref=state.person_id, reason=reason, text=said)
    else:
        hold_store.lift(state.person_id, HoldKind.FEVER, state.person_id)
    if state.isolation.isolating:
        reason = f"自报隔离 Self-reported isolation: {state.isolation.value}"
        said = texts.text(TextCode.SELF_REPORTED_ISOLATION, isolation=state.isolation.value)
        hold_store.place(state.person_id, HoldKind.ISOLATION, source=HOLD_SOURCE, source_ref=state.person_id, reason=reason, text=said)
    else:
        hold_store.lift(state.person_id, HoldKind.ISOLATION, state.person_id)


def _suggest_key_person(person: Person, state: ResidentState) -> str | None:
    """Send a key-person candidate when the report says so; idempotent per person, category and trip/day."""
    health = state.health or Health(None)
    category = candidate_category(health, state.travel, clock.today())
    if category is None:
        return None
    latest_trip = max((entry.to_date for entry in state.travel), default=clock.today())
    anchor = clock.today() if category is contracts.KeyPersonCategory.FEVER_WITHOUT_CONTACT else latest_trip
    candidate = KeyPersonCandidate(
        person_id=person.person_id,
        category=category,
        source="self_report",
        source_ref=f"{person.person_id}:{category.value}:{anchor.isoformat()}",
        community_id=person.community_id,
        reason=f"居民自主填报 Self-report: {category.value}",
        reason_text=texts.text(TextCode.SELF_REPORT, category=category.value),
    )
    contracts.send(settings().key_person_queue_url, candidate)
    return category.value


@app.post("/residents/me/reports", access=allow(Role.RESIDENT), status_code=201, summary="Report for me or my household 居民信息填报")
def report(body: ReportIn) -> dict[str, Any]:
    person = people(settings()).person_for(app.caller, body.person_id)
    travel = tuple(TravelEntry(t.place, t.region, t.from_date, t.to_date) for t in body.travel)
    health = Health(body.temperature, tuple(dict.fromkeys(body.symptoms)))

    def write() -> ResidentState:
        current = _current(person)
        new = replace(
            current,
            person_type=body.person_type,
            health=health,
            travel=travel,
            isolation=body.isolation,
            isolation_site=body.isolation_site,
            reported_on=clock.today(),
        )
        store().transact([store().put_request(new, current.version)])
        return new

    state = _retrying(write)
    _sync_holds(state)
    suggested = _suggest_key_person(person, state)
    metrics.add_metric(name="SelfReports", unit="Count", value=1)
    logger.info("self-report saved", extra={"person_id": person.person_id, "fever": state.fever, "candidate": suggested})
    return {**state_to_json(state), "key_person_candidate": suggested}


@app.get("/residents/me/reports", access=allow(Role.RESIDENT), summary="My household's latest reports 家庭填报情况")
def my_reports() -> list[dict[str, Any]]:
    registry = people(settings())
    me = registry.me(app.caller.sub)
    members = registry.household(me.household_id)
    states = store().get_many(me.community_id, [member.person_id for member in members])
    return [state_to_json(states.get(member.person_id) or base_state(member)) for member in members]


@app.post("/residents/me/hardship-requests", access=allow(Role.RESIDENT), status_code=201, summary="Ask for help 困难诉求")
def ask_for_help(body: HardshipIn) -> dict[str, Any]:
    registry = people(settings())
    person = registry.person_for(app.caller, body.person_id)
    filer = person if person.account_sub == app.caller.sub else registry.me(app.caller.sub)
    request = HardshipRequest(
        request_id=new_request_id(),
        community_id=person.community_id,
        person_id=person.person_id,
        household_id=person.household_id,
        kind=body.kind,
        description=body.description,
        status=HardshipStatus.OPEN,
        created_at=clock.iso(),
        requester=mask_name(person.name),
        address=mask_address(person.address or filer.address) if (person.address or filer.address) else None,
        contact_phone=mask_phone(phone) if (phone := person.phone or filer.phone) else None,
    )

    def write() -> None:
        current = _current(person)
        opened = current.with_request(request.request_id, is_open=True)
        store().transact([store().put_request(opened, current.version), store().put_request_item(request)])

    _retrying(write)
    intake = WorkOrderIntake(
        source=WorkOrderSource.HARDSHIP,
        source_ref=request.request_id,
        type=WorkOrderType.HELP_REQUEST,
        category=body.kind.value,
        summary=body.description,  # the kind is the order's category (a code the app labels)
        county_code=person.county_code,
        community_id=person.community_id,
        requester_person_id=person.person_id,
        requester_sub=app.caller.sub,
    )
    contracts.send(settings().work_order_queue_url, intake)
    metrics.add_metric(name="HardshipRequests", unit="Count", value=1)
    logger.info("hardship request opened", extra={"request_id": request.request_id, "kind": body.kind.value})
    return request.to_json()


@app.get("/residents/me/hardship-requests", access=allow(Role.RESIDENT), summary="My household's requests 我的困难诉求")
def my_requests() -> list[dict[str, Any]]:
    me = people(settings()).me(app.caller.sub)
    found, _ = store().list_requests(me.community_id, household_id=me.household_id, limit=100)
    return [request.to_json() for request in found]


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
) -> paging.Page[dict[str, Any]]:
    app.caller.require_community(community_id)
    plan = plan_query(community_id, ResidentFilter(person_type, fever, isolation, hardship))
    found, last = store().page(plan, limit=limit, start=app.page_start(cursor))
    return app.page([state_to_json(state) for state in found], last)


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
) -> paging.Page[dict[str, Any]]:
    app.caller.require_community(community_id)
    found, last = store().list_requests(community_id, status=status, limit=limit, start=app.page_start(cursor))
    return app.page([request.to_json() for request in found], last)


@app.patch(
    "/communities/<community_id>/hardship-requests/<request_id>",
    access=allow(Role.COMMUNITY_HEAD, Role.ADMIN),
    summary="Handle a hardship request 处理困难诉求",
)
def handle_request(community_id: CommunityPath, request_id: RequestIdPath, body: HardshipUpdate) -> dict[str, Any]:
    app.caller.require_community(community_id)
    if body.status is not HardshipStatus.IN_PROGRESS and not body.note:
        raise InvalidInput("say what was done (or why not) when closing a request", field="note")

    def write() -> HardshipRequest:
        before = store().get_request(community_id, request_id)
        check_hardship_transition(before.status, body.status)
        after = replace(before, status=body.status, note=body.note or before.note, handled_by=app.caller.username, handled_at=clock.iso())
        resident = store().get(community_id, before.person_id)
        writes = [store().put_request_item(after)]
        if resident is not None:
            writes.append(store().put_request(resident.with_request(request_id, is_open=body.status.is_open), resident.version))
        entry = audit.record(app.caller, "hardship.handle", f"hardship#{request_id}", before.to_json(), after.to_json())
        writes.append(audit_log(settings().audit_table).put_request(entry))
        store().transact(writes)
        return after

    handled = _retrying(write)
    # answer back to the household in the app's inbox (the household id is the head's person id)
    inbox().notify(
        handled.household_id,
        kind="hardship",
        title=f"困难诉求处理进展 Your request: {HARDSHIP_LABELS[handled.status]}",
        body=f"{handled.kind.label}: {handled.note or ''}",
        title_text=texts.text(TextCode.HARDSHIP_PROGRESS, status=handled.status.value, kind=handled.kind.value),
        body_text=texts.text(TextCode.HARDSHIP_NOTE, kind=handled.kind.value, note=handled.note or ""),
        ref=f"hardship-{request_id}-{handled.status.value}",
    )
    # the request's 12345 order follows it (taken → accepted, resolved/declined → replied), never overdue for nothing
    progress = WorkOrderProgress(
        source=WorkOrderSource.HARDSHIP,
        source_ref=request_id,
        status=handled.status.value,  # type: ignore[arg-type]  # open is never a target (check_hardship_transition)
        note=handled.note,
        actor=app.caller.username,
        actor_role=app.caller.primary_role,
    )
    contracts.send(settings().work_order_queue_url, progress)
    logger.info("hardship request handled", extra={"request_id": request_id, "status": body.status.value})
    return handled.to_json()


lambda_handler = api.handler(app)
