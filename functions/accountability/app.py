"""Accountability function (issue 18): a person's own timeline, break-glass access to a record outside one's
scope, and the supervision list of break-glass grants."""

from __future__ import annotations

import functools
from datetime import date, timedelta
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import Field

from sanmenxia import api, aws, breakglass, clock, paging, scope
from sanmenxia.accountability import public, timeline
from sanmenxia.accountability.store import TimelineSources
from sanmenxia.auth import PUBLIC, Role, allow
from sanmenxia.breakglass import Grant, GrantSettings, GrantStore, ReasonCode
from sanmenxia.errors import InvalidInput
from sanmenxia.healthcode.store import HealthCodeStore
from sanmenxia.models import RequestModel, ResponseModel
from sanmenxia.observability import logger, metrics
from sanmenxia.people import Person
from sanmenxia.scope import Place
from sanmenxia.services import PeopleSettings, audit_log, holds, people, vault


class Settings(PeopleSettings, GrantSettings):
    health_code_table: str
    holds_table: str
    scans_table: str
    #: Published counts from 1 to this minus one are suppressed (answered as null): no cell points at a person.
    public_count_threshold: int = Field(default=public.DEFAULT_THRESHOLD, ge=2, le=100)


@functools.cache
def settings() -> Settings:
    return Settings()  # type: ignore[call-arg]


@functools.cache
def grants() -> GrantStore:
    return GrantStore(aws.client("dynamodb"), settings().access_grants_table, retention_days=settings().grant_retention_days)


@functools.cache
def sources() -> TimelineSources:
    return TimelineSources(aws.client("dynamodb"), settings().audit_table, settings().scans_table)


@functools.cache
def public_counts() -> public.PublicCounts:
    return public.PublicCounts(aws.client("dynamodb"), settings().health_code_table)


@functools.cache
def codes() -> HealthCodeStore:
    return HealthCodeStore(aws.client("dynamodb"), settings().health_code_table, holds(settings().holds_table), retention_days=settings().personal_record_days)


app = api.PlatformResolver(title="Accountability 留痕与问责")

#: Staff who may read a person's record outside their scope with a reason (and who read it in scope).
RECORD_READERS = allow(Role.COMMUNITY_HEAD, Role.DEPARTMENT_HANDLER, Role.COMMANDER, Role.ADMIN)
SUPERVISORS = allow(Role.COMMANDER, Role.ADMIN)
PersonPath = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$")]
PersonQuery = Annotated[str | None, Query(pattern=r"^[0-9a-f]{24}$", description="a dependent of your household (person id)")]
CountyQuery = Annotated[str | None, Query(pattern=r"^\d{6}$", description="the county (callers not bound to one must name it)")]


class TimelineEntryOut(ResponseModel):
    """One fact held about a person, or one staff access to their record (who by role and unit, when, why)."""

    at: str = Field(description="when (ISO time; a day for colour changes and the application)")
    person_id: str
    kind: timeline.EntryKind
    detail: dict[str, Any]


class GrantIn(RequestModel):
    """Read a person's record outside your scope: why (a code, and in words; the words are stored sealed)."""

    person_id: Annotated[str, Field(pattern=r"^[0-9a-f]{24}$")]
    reason_code: ReasonCode
    justification: Annotated[str, Field(min_length=10, max_length=500, description="why you must read it, in words (the person sees it)")]


class GrantOut(ResponseModel):
    person_id: str
    actor: str
    role: str
    unit: str
    county_code: str
    community_id: str
    reason_code: ReasonCode
    justification: str | None = None
    granted_at: str
    valid_until: str
    active: bool


def _open(sealed: str) -> str:
    return vault(settings().pii_key_id).open(breakglass.SEAL_PURPOSE, sealed)


def _records(person: Person) -> timeline.Records:
    return timeline.Records(
        person=person,
        partition=codes().partition(person.person_id),
        holds=codes().holds.for_person(person.person_id, include_lifted=True),
        scans=sources().scans_of(person.person_id),
        audits=sources().audits_about(person.person_id),
        grants=grants().for_person(person.person_id),
    )


def _timeline(persons: list[Person], limit: int, cursor: str | None) -> paging.Page[TimelineEntryOut]:
    merged = sorted((entry for person in persons for entry in timeline.entries(_records(person), _open)), key=lambda entry: entry.sort_key, reverse=True)
    start = app.page_start(cursor)
    after = start.get("after") if start else None
    if after is not None and not isinstance(after, str):
        raise InvalidInput("not a cursor this list gave you for this query", field="cursor")
    shown, last = timeline.page(merged, limit=limit, after=after)
    return app.page([TimelineEntryOut.model_validate(entry.to_json()) for entry in shown], last)


def _household(me: Person) -> list[Person]:
    """Me and the members of my household I act for (registered by me, without an account of their own)."""
    members = [member for member in people(settings()).household(me.household_id) if member.household_id == me.person_id and member.account_sub is None]
    return [me, *(member for member in members if member.person_id != me.person_id)]


@app.get(
    "/people/me/timeline",
    access=allow(Role.RESIDENT),
    summary="Everything held about me and my household, and every staff access to it 我的数据时间线",
    tags=["accountability"],
)
def my_timeline(person: PersonQuery = None, limit: paging.Limit = 50, cursor: paging.Cursor = None) -> paging.Page[TimelineEntryOut]:
    """Applications, check-ins, scans, holds (source, reason code), colour changes (rule version), appeals,
    imports that matched, and every staff read, reveal, decision and break-glass grant (role, unit, when, why).
    With ``person`` only that member of my household; without, me and the members I act for."""
    registry = people(settings())
    chosen = [registry.person_for(app.caller, person)] if person else _household(registry.me(app.caller.sub))
    return _timeline(chosen, limit, cursor)


def _person_place(person: Person) -> Place:
    return Place(county_code=person.county_code, community_id=person.community_id)


@app.get(
    "/people/<person_id>/timeline",
    access=RECORD_READERS,
    summary="A person's full record (their community head; anyone else with a break-glass reason) 居民完整记录",
    tags=["accountability"],
)
def person_timeline(person_id: PersonPath, limit: paging.Limit = 50, cursor: paging.Cursor = None) -> paging.Page[TimelineEntryOut]:
    holder = people(settings()).get(person_id)
    breakglass.read_access(
        app.caller,
        _person_place(holder),
        person_id,
        grants=grants(),
        audit_log=audit_log(settings().audit_table),
        what="this person's full record",
        full_record=True,
    )
    return _timeline([holder], limit, cursor)


def _grant_view(grant: Grant) -> GrantOut:
    return GrantOut.model_validate(grant.to_json(clock.now(), justification=_open(grant.justification_sealed)))


@app.post(
    "/access-grants",
    access=RECORD_READERS,
    status_code=201,
    summary="Break-glass: read a person's record outside my scope, with a reason, for a short time 紧急查阅",
    tags=["accountability"],
)
def grant_access(body: GrantIn) -> GrantOut:
    """The grant lasts ``BREAK_GLASS_MINUTES``; it is audited, shown in the person's timeline with the
    justification, and counted on the supervision list."""
    holder = people(settings()).get(body.person_id)
    sealed = vault(settings().pii_key_id).seal(breakglass.SEAL_PURPOSE, body.justification)
    grant = breakglass.new_grant(
        app.caller, holder.person_id, holder.county_code, holder.community_id, body.reason_code, sealed, settings().break_glass_minutes
    )
    grants().put(grant, audit_log(settings().audit_table).put_request(breakglass.grant_audit(app.caller, grant)))
    metrics.add_metric(name="BreakGlassGrants", unit="Count", value=1)
    logger.info("break-glass granted", extra={"person_id": holder.person_id, "role": grant.role, "unit": grant.unit, "reason_code": grant.reason_code.value})
    return _grant_view(grant)


@app.get(
    "/supervision/access-grants",
    access=SUPERVISORS,
    summary="Supervision list: break-glass grants in my county, newest first 紧急查阅督办清单",
    tags=["accountability"],
)
def list_grants(county_code: CountyQuery = None, limit: paging.Limit = 50, cursor: paging.Cursor = None) -> paging.Page[GrantOut]:
    caller = app.caller
    chosen = county_code or scope.county_bound(caller)
    if chosen is None:
        raise InvalidInput("name the county of the grants", field="county_code")
    scope.require(caller, Place(county_code=chosen), what="this county's break-glass grants")
    found, last = grants().page_county(chosen, limit=limit, start=app.page_start(cursor))
    return app.page([_grant_view(grant) for grant in found], last)


# -- public counts -------------------------------------------------------------------------------------------
MAX_PUBLIC_DAYS = 92


class ManualChangeCount(ResponseModel):
    """Manual colour changes a unit proposed on a day, and the decisions on them that day (null: fewer than the
    threshold, suppressed)."""

    day: str
    county_code: str
    unit: str = Field(description="the proposing unit: community:<id>, department:<name>[@county], county:<code>, city")
    proposed: int | None = None
    approved: int | None = None
    refused: int | None = None


class AppealCount(ResponseModel):
    """Appeals a county received on a day, and those resolved that day within the time limit or after it."""

    day: str
    county_code: str
    received: int | None = None
    resolved_in_time: int | None = None
    resolved_late: int | None = None


class DeletionCount(ResponseModel):
    """How many expired records the retention job deleted from a table on a day (the deletion report)."""

    day: str
    table: str
    deleted: int


class PublicCountsOut(ResponseModel):
    since: str
    until: str
    threshold: int = Field(description="counts from 1 to threshold - 1 are published as null (suppressed)")
    appeal_time_limit_hours: float
    manual_changes: list[ManualChangeCount]
    appeals: list[AppealCount]
    deletions: list[DeletionCount] = Field(description="the deletion report: records deleted as they expired, by table and day")


DayQuery = Annotated[date | None, Query(description="first or last day (YYYY-MM-DD, Asia/Shanghai)")]


@app.get("/public/counts", access=PUBLIC, summary="Public counts: manual colour changes and appeals, per day 公开统计", tags=["accountability"])
def get_public_counts(since: DayQuery = None, until: DayQuery = None) -> PublicCountsOut:
    """No personal data, and no small cells: a count below the threshold is null. Days newest first."""
    last = until or clock.today()
    first = since or last - timedelta(days=29)
    if first > last:
        raise InvalidInput("since must not be after until", field="since")
    if (last - first).days >= MAX_PUBLIC_DAYS:
        raise InvalidInput(f"at most {MAX_PUBLIC_DAYS} days at a time", field="since")
    threshold = settings().public_count_threshold
    shown = public.published(public_counts().between(first, last), threshold)
    return PublicCountsOut(
        since=first.isoformat(),
        until=last.isoformat(),
        threshold=threshold,
        appeal_time_limit_hours=public.APPEAL_TIME_LIMIT.total_seconds() / 3600,
        manual_changes=[ManualChangeCount.model_validate(row) for row in shown["manual_changes"]],
        appeals=[AppealCount.model_validate(row) for row in shown["appeals"]],
        deletions=[DeletionCount.model_validate(row) for row in shown["deletions"]],
    )


lambda_handler = api.handler(app)
