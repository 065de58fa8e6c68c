"""Key persons function (疫情信息): records of the five kinds of key person, daily follow-up, release;
candidates from other platforms (SQS ``KeyPersonCandidateQueue``); the daily close that fills the
supervision list (EventBridge schedule, just after midnight Asia/Shanghai)."""

from __future__ import annotations

import functools
import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field, model_validator

from sanmenxia import api, aws, clock, paging, regions, triggers
from sanmenxia.auth import Principal, Role, allow
from sanmenxia.contracts import KeyPersonCandidate, KeyPersonCategory
from sanmenxia.errors import Forbidden, InvalidInput
from sanmenxia.imports.store import ComparisonStore
from sanmenxia.keypersons.chains import DEFAULT_CONTACT_FOLLOW_DAYS, MAX_DEPTH, ContactKind
from sanmenxia.keypersons.contacts import ContactService
from sanmenxia.keypersons.contacts_store import ContactStore
from sanmenxia.keypersons.rules import DEFAULT_OBSERVATION_DAYS, KeyPersonSource, KeyPersonStatus, Measure, MeasureKind, SupervisionReason
from sanmenxia.keypersons.service import Changes, KeyPersonService
from sanmenxia.keypersons.store import KeyPerson, KeyPersonStore
from sanmenxia.models import CommunityId, CountyCode, IdNumberStr, PersonRefIn, Phone, RequestModel, ResponseModel, ShortText
from sanmenxia.observability import logger, metrics
from sanmenxia.people import Person
from sanmenxia.residents.rules import Symptom
from sanmenxia.services import PeopleSettings, audit_log, holds, people

STAFF = (Role.COMMUNITY_HEAD, Role.COMMANDER, Role.ADMIN)


class Settings(PeopleSettings):
    key_persons_table: str
    holds_table: str
    key_person_observation_days: int = DEFAULT_OBSERVATION_DAYS
    key_person_contact_days: int = DEFAULT_CONTACT_FOLLOW_DAYS
    imports_table: str


@functools.cache
def settings() -> Settings:
    return Settings()  # type: ignore[call-arg]


@functools.cache
def store() -> KeyPersonStore:
    return KeyPersonStore(aws.client("dynamodb"), settings().key_persons_table, settings().personal_record_days)


@functools.cache
def service() -> KeyPersonService:
    return KeyPersonService(store(), holds(settings().holds_table), audit_log(settings().audit_table), settings().key_person_observation_days)


@functools.cache
def contacts() -> ContactService:
    config = settings()
    return ContactService(
        ContactStore(aws.client("dynamodb"), config.key_persons_table, config.personal_record_days),
        service(),
        audit_log(config.audit_table),
        config.key_person_contact_days,
    )


@functools.cache
def look_up_index() -> ComparisonStore:
    return ComparisonStore(aws.client("dynamodb"), settings().imports_table)


app = api.PlatformResolver(title="Key persons 疫情信息")

Temperature = Annotated[Decimal, Field(ge=Decimal("34.0"), le=Decimal("43.0"), decimal_places=1)]
KpIdPath = Annotated[str, Path(pattern=r"^kp\d{6}[0-9a-f]{12}$")]


class MeasureIn(RequestModel):
    kind: MeasureKind
    site: ShortText | None = None

    def measure(self) -> Measure:
        return Measure(self.kind, self.site)


class RegisterIn(PersonRefIn):
    """Register a key person: the resident by ``person_id`` or by ID number (looked up, never stored)."""

    category: KeyPersonCategory
    measure: MeasureIn
    start_date: date | None = None
    planned_release: date | None = None
    problems: Annotated[str, Field(max_length=1000)] | None = None


class ConfirmIn(RequestModel):
    measure: MeasureIn
    category: KeyPersonCategory | None = None
    start_date: date | None = None
    planned_release: date | None = None
    problems: Annotated[str, Field(max_length=1000)] | None = None


class UpdateIn(RequestModel):
    category: KeyPersonCategory | None = None
    measure: MeasureIn | None = None
    start_date: date | None = None
    planned_release: date | None = None
    problems: Annotated[str, Field(max_length=1000)] | None = None


class FollowUpIn(RequestModel):
    temperature: Temperature | None = None
    symptoms: Annotated[list[Symptom], Field(max_length=len(Symptom))] = Field(default_factory=list)
    measure_kept: bool = True
    note: Annotated[str, Field(max_length=1000)] | None = None


class CloseIn(RequestModel):
    note: ShortText


class KeyPersonSourceOut(ResponseModel):
    """Where a record came from (each platform that raised it, once)."""

    source: KeyPersonSource
    source_ref: str
    reason: str
    reason_code: str | None = None
    reason_params: dict[str, Any] = Field(default_factory=dict)
    at: str


class MeasureOut(ResponseModel):
    kind: MeasureKind
    site: str | None = None


class KeyPersonOut(ResponseModel):
    """A key-person record: the name and ID number masked."""

    kp_id: str
    person_id: str
    community_id: str
    county_code: str
    category: KeyPersonCategory
    status: KeyPersonStatus
    name: str = Field(description="masked")
    id_number: str = Field(description="masked")
    sources: list[KeyPersonSourceOut]
    measure: MeasureOut | None = None
    start_date: str | None = None
    planned_release: str | None = None
    release_due: bool
    problems: str | None = None
    last_follow_up: str | None = None
    on_supervision: list[str] = Field(description="days on which the record is on the supervision list, unresolved")
    created_at: str
    created_by: str
    closed_at: str | None = None
    closed_by: str | None = None
    close_note: str | None = None


class FollowUpOut(ResponseModel):
    date: str
    at: str
    by: str
    temperature: float | None = None
    symptoms: list[Symptom]
    measure_kept: bool
    note: str | None = None


class KeyPersonDetailOut(KeyPersonOut):
    follow_ups: list[FollowUpOut] = Field(description="the recent follow-ups, newest first")


class FollowedUpOut(KeyPersonOut):
    follow_up: FollowUpOut = Field(description="the follow-up just recorded")


class SupervisionEntryOut(ResponseModel):
    date: str
    kp_id: str
    county_code: str
    community_id: str
    category: KeyPersonCategory
    status: KeyPersonStatus
    reason: SupervisionReason
    name: str = Field(description="masked")
    last_follow_up: str | None = None
    resolved_at: str | None = None


class SupervisionOut(paging.Page[SupervisionEntryOut]):
    """A page of the supervision list of one day (督办清单): key persons without that day's update."""

    date: str


def _out(kp: KeyPerson) -> KeyPersonOut:
    return KeyPersonOut.model_validate(kp.to_json())


def _person(body: RegisterIn) -> Person:
    registry = people(settings())
    if body.person_id:
        return registry.get(body.person_id)
    found = registry.find_by_id_number(body.id_number or "")
    if found is None:
        raise InvalidInput("no resident is registered with this ID number; ask them (or their household) to register", field="id_number")
    return found


def _loaded(kp_id: str) -> KeyPerson:
    """The record, after checking that it is in the caller's scope (403 otherwise)."""
    kp = store().get(kp_id)
    app.caller.require_community(kp.community_id, kp.county_code)
    return kp


@app.post("/key-persons", access=allow(*STAFF), status_code=201, summary="Register a key person 登记重点人员")
def register(body: RegisterIn) -> KeyPersonOut:
    person = _person(body)
    app.caller.require_community(person.community_id, person.county_code)
    changes = Changes(start_date=body.start_date, planned_release=body.planned_release, problems=body.problems)
    kp = service().register(app.caller, person, body.category, body.measure.measure(), changes)
    metrics.add_metric(name="KeyPersonsRegistered", unit="Count", value=1)
    logger.info("key person registered", extra={"kp_id": kp.kp_id, "community_id": kp.community_id, "category": kp.category.value})
    return _out(kp)


def _listing_partition(caller: Principal, community_id: str | None, county_code: str | None) -> tuple[str, str]:
    if community_id is None and county_code is None:
        community_id = caller.scope_value("community_id") if caller.has(Role.COMMUNITY_HEAD) else None
        county_code = None if community_id else caller.scope_value("county_code")
    if community_id is not None:
        caller.require_community(community_id)
        return "community-index", community_id
    if county_code is None:
        raise InvalidInput("city-wide callers choose a county (county_code) or a community (community_id)", field="county_code")
    caller.require_county(county_code)
    return "county-index", county_code


@app.get("/key-persons", access=allow(*STAFF), summary="Key persons of a community or county 重点人员列表")
def list_key_persons(
    community_id: Annotated[CommunityId | None, Query()] = None,
    county_code: Annotated[CountyCode | None, Query()] = None,
    status: Annotated[KeyPersonStatus | None, Query()] = None,
    category: Annotated[KeyPersonCategory | None, Query()] = None,
    limit: paging.Limit = 50,
    cursor: paging.Cursor = None,
) -> paging.Page[KeyPersonOut]:
    index, partition = _listing_partition(app.caller, community_id, county_code)
    found, last = store().page(index=index, partition=partition, status=status, category=category, limit=limit, start=app.page_start(cursor))
    return app.page([_out(kp) for kp in found], last)


@app.get("/key-persons/<kp_id>", access=allow(*STAFF), summary="A key person with recent follow-ups 重点人员详情")
def get_key_person(kp_id: KpIdPath) -> KeyPersonDetailOut:
    kp = _loaded(kp_id)
    return KeyPersonDetailOut.model_validate({**kp.to_json(), "follow_ups": [item.to_json() for item in store().follow_ups(kp_id)]})


@app.patch("/key-persons/<kp_id>", access=allow(*STAFF), summary="Change category, measure, dates or problems 修改")
def update_key_person(kp_id: KpIdPath, body: UpdateIn) -> KeyPersonOut:
    _loaded(kp_id)
    changes = Changes(body.category, body.measure.measure() if body.measure else None, body.start_date, body.planned_release, body.problems)
    return _out(service().update(app.caller, kp_id, changes))


@app.post("/key-persons/<kp_id>/confirm", access=allow(*STAFF), summary="Confirm a candidate under a control measure 核实确认")
def confirm(kp_id: KpIdPath, body: ConfirmIn) -> KeyPersonOut:
    _loaded(kp_id)
    changes = Changes(body.category, None, body.start_date, body.planned_release, body.problems)
    return _out(service().confirm(app.caller, kp_id, body.measure.measure(), changes))


@app.post("/key-persons/<kp_id>/dismiss", access=allow(*STAFF), summary="Dismiss a candidate 排除")
def dismiss(kp_id: KpIdPath, body: CloseIn) -> KeyPersonOut:
    _loaded(kp_id)
    return _out(service().dismiss(app.caller, kp_id, body.note))


@app.post("/key-persons/<kp_id>/follow-ups", access=allow(*STAFF), status_code=201, summary="Today's follow-up 每日随访")
def follow_up(kp_id: KpIdPath, body: FollowUpIn) -> FollowedUpOut:
    _loaded(kp_id)
    symptoms = tuple(dict.fromkeys(body.symptoms))
    kp, record = service().follow_up(app.caller, kp_id, temperature=body.temperature, symptoms=symptoms, measure_kept=body.measure_kept, note=body.note)
    return FollowedUpOut.model_validate({**kp.to_json(), "follow_up": record.to_json()})


@app.post("/key-persons/<kp_id>/release", access=allow(*STAFF), summary="Release from control 解除管控")
def release(kp_id: KpIdPath, body: CloseIn) -> KeyPersonOut:
    _loaded(kp_id)
    kp = service().release(app.caller, kp_id, body.note)
    logger.info("key person released", extra={"kp_id": kp_id})
    return _out(kp)


def _supervision_scope(caller: Principal, county_code: str | None, community_id: str | None) -> tuple[list[str], str | None]:
    """Counties to read and the community to keep: commanders their county or the city, heads their community."""
    if caller.has(Role.COMMANDER, Role.ADMIN):
        if community_id is not None:
            caller.require_community(community_id)
            return [regions.county_of_community(community_id)], community_id
        if county_code is not None:
            caller.require_county(county_code)
            return [county_code], None
        own = None if caller.has(Role.ADMIN) else caller.scope_value("county_code")
        return ([own] if own else [county.code for county in regions.COUNTIES]), None
    target = community_id or caller.scope_value("community_id") or ""
    caller.require_community(target)
    if county_code is not None and county_code != regions.county_of_community(target):
        raise Forbidden("county is outside your scope")
    return [regions.county_of_community(target)], target


@app.get("/supervision", access=allow(*STAFF), summary="Supervision list: key persons without a daily update 督办清单")
def supervision(
    county_code: Annotated[CountyCode | None, Query()] = None,
    community_id: Annotated[CommunityId | None, Query()] = None,
    day: Annotated[date | None, Query(alias="date")] = None,
    include_resolved: Annotated[bool, Query()] = False,
    limit: paging.Limit = 100,
    cursor: paging.Cursor = None,
) -> SupervisionOut:
    counties, community_id = _supervision_scope(app.caller, county_code, community_id)
    shown = day or store().watermark() or clock.today() - timedelta(days=1)
    start = app.page_start(cursor)
    entries, last = store().supervision_page(counties, shown, community_id=community_id, include_resolved=include_resolved, limit=limit, start=start)
    page = app.page([SupervisionEntryOut.model_validate(entry.to_json()) for entry in entries], last)
    return SupervisionOut(date=shown.isoformat(), items=page.items, next_cursor=page.next_cursor)


# -- contacts and chains (密接登记与传播链) ------------------------------------------------------------------
class ContactIn(RequestModel):
    """A contact of this key person, found by ID number or phone (looked up through HMAC keys, never stored)."""

    id_number: IdNumberStr | None = None
    phone: Phone | None = None
    kind: ContactKind
    contact_date: date

    @model_validator(mode="after")
    def _one_way_to_find(self) -> ContactIn:
        if (self.id_number is None) == (self.phone is None):
            raise ValueError("give exactly one of id_number and phone")
        return self


class ContactOut(ResponseModel):
    source_kp: str
    contact_kp: str = Field(description="the contact's own key-person record (a candidate in their community)")
    person_id: str
    kind: ContactKind
    contact_date: str
    follow_until: str
    name: str = Field(description="masked")
    community_id: str
    registered_by: str
    registered_at: str


class RegisteredContactOut(ContactOut):
    new: bool = Field(description="false: this contact was already registered on this record")


class ChainNodeOut(ResponseModel):
    kp_id: str
    depth: int
    name: str | None = Field(description="masked; null outside your scope")
    category: str
    status: str
    community_id: str
    contacts: int
    last_follow_up: str | None


class FollowedDayOut(ResponseModel):
    date: str
    due: int
    followed: int
    share: float


class ChainOut(ResponseModel):
    root: str
    depth: int
    truncated: bool
    nodes: list[ChainNodeOut]
    edges: list[ContactOut]
    follow_up: list[FollowedDayOut] = Field(description="per day: contacts due a follow-up and the share followed up")


def _contact_person(body: ContactIn) -> Person:
    registry = people(settings())
    if body.id_number:
        found = registry.find_by_id_number(body.id_number)
        if found is None:
            raise InvalidInput("no resident is registered with this ID number", field="id_number")
        return found
    key = f"phone#{registry.phone_key(body.phone or '')}"
    residents = look_up_index().look_up([key]).get(key, [])
    if not residents:
        raise InvalidInput("no resident is registered with this phone; give the ID number", field="phone")
    if len(residents) > 1:
        raise InvalidInput("several residents share this phone; give the ID number", field="phone")
    return registry.get(residents[0].person_id)


@app.post("/key-persons/<kp_id>/contacts", access=allow(*STAFF), status_code=201, summary="Register a contact of this key person 登记密接")
def register_contact(kp_id: KpIdPath, body: ContactIn) -> RegisteredContactOut:
    case = _loaded(kp_id)
    edge, new = contacts().register(app.caller, case, _contact_person(body), body.kind, body.contact_date)
    logger.info("contact registered", extra={"kp_id": kp_id, "contact_kp": edge.contact_kp, "new": new})
    return RegisteredContactOut.model_validate({**edge.to_json(), "new": new})


@app.get("/key-persons/<kp_id>/contacts", access=allow(*STAFF), summary="Contacts registered on this key person 密接名单")
def list_contacts(kp_id: KpIdPath, limit: paging.Limit = 50, cursor: paging.Cursor = None) -> paging.Page[ContactOut]:
    _loaded(kp_id)
    edges, last = contacts().contacts.page(kp_id, limit, app.page_start(cursor))
    return app.page([ContactOut.model_validate(edge.to_json()) for edge in edges], last)


@app.get("/key-persons/<kp_id>/chain", access=allow(Role.COMMANDER, Role.ADMIN), summary="The chain from this key person 传播链")
def chain(kp_id: KpIdPath, depth: Annotated[int, Query(ge=1, le=MAX_DEPTH)] = 2) -> ChainOut:
    root = _loaded(kp_id)
    return ChainOut.model_validate(contacts().chain(app.caller, root, depth))


# -- events other than HTTP ------------------------------------------------------------------------------
# A message that can never succeed goes to the dead-letter queue after its retries, not the whole batch.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def _take_candidate(record: SQSRecord) -> None:
    candidate = KeyPersonCandidate.model_validate(json.loads(record.body))
    person = people(settings()).get(candidate.person_id)
    kp, new = service().take_candidate(candidate, person)
    logger.info("candidate taken", extra={"kp_id": kp.kp_id, "source": candidate.source, "new": new})


def _daily_close(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    summary = service().daily_close()
    metrics.add_metric(name="SupervisionFlagged", unit="Count", value=summary["flagged"])
    logger.info("daily close", extra=summary)
    return summary


def _candidates(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(process_partial_response(event=event, record_handler=_take_candidate, processor=processor, context=context))


#: HTTP (API Gateway), SQS candidates, or the daily schedule: one function, three doors.
lambda_handler = triggers.entry(http=api.handler(app), schedule=_daily_close, sqs=_candidates)
