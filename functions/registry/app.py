"""Registry function: regions (public), residents and households, staff accounts."""

from __future__ import annotations

import functools
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import Field

from sanmenxia import api, audit, aws, breakglass, paging, regions
from sanmenxia.auth import ANY_SIGNED_IN, PUBLIC, Role, allow
from sanmenxia.errors import InvalidInput
from sanmenxia.models import CommunityId, CountyCode, IdNumberStr, MaskedPersonOut, PersonName, Phone, RequestModel, ResponseModel, ShortText
from sanmenxia.notifications import REVEAL_KIND, Inbox
from sanmenxia.observability import logger, metrics
from sanmenxia.people import NewPerson, Relation
from sanmenxia.scope import Place
from sanmenxia.services import PeopleSettings, audit_log, people
from sanmenxia.staff import StaffDirectory, refuse_own_account


class Settings(PeopleSettings):
    user_pool_id: str
    notifications_table: str


@functools.cache
def settings() -> Settings:
    return Settings()  # type: ignore[call-arg]


@functools.cache
def inbox() -> Inbox:
    return Inbox(aws.client("dynamodb"), settings().notifications_table, settings().personal_record_days)


@functools.cache
def staff_directory() -> StaffDirectory:
    return StaffDirectory(aws.client("cognito-idp"), settings().user_pool_id)


app = api.PlatformResolver(title="Registry 人员登记")


class ResidentIn(RequestModel):
    name: PersonName
    id_number: IdNumberStr
    phone: Phone
    county_code: CountyCode
    community_id: CommunityId
    address: ShortText


class MemberIn(RequestModel):
    name: PersonName
    id_number: IdNumberStr
    phone: Phone | None = None
    relation: Relation
    address: ShortText | None = None


USERNAME_PATTERN = r"^[A-Za-z0-9_.@-]{3,64}$"
ScopeIn = dict[str, Annotated[str, Field(max_length=40)]]
UsernamePath = Annotated[str, Path(pattern=USERNAME_PATTERN, description="the staff account's user name")]


class StaffIn(RequestModel):
    username: Annotated[str, Field(pattern=USERNAME_PATTERN)]
    temporary_password: Annotated[str, Field(min_length=8, max_length=64)]
    role: Role
    scope: ScopeIn = Field(default_factory=dict)


class StaffChangeIn(RequestModel):
    """The account's role and its whole scope after the change (attributes left out are removed)."""

    role: Role
    scope: ScopeIn = Field(default_factory=dict)


class StaffAccountOut(ResponseModel):
    username: str
    role: Role
    scope: dict[str, str]
    enabled: bool
    status: str = Field(description="Cognito's user status, e.g. FORCE_CHANGE_PASSWORD until the first sign-in")


class CommunityOut(ResponseModel):
    id: str
    name: str
    name_en: str


class CountyOut(ResponseModel):
    county_code: str
    name: str
    name_en: str
    communities: list[CommunityOut]


class AccountOut(ResponseModel):
    username: str
    roles: list[str]
    scope: dict[str, str]
    person: MaskedPersonOut | None = Field(description="the caller's own registry record, masked; null for staff and unregistered residents")


class NotificationOut(ResponseModel):
    id: str
    at: str
    kind: str
    title: str
    body: str
    link: str | None = None
    title_code: str | None = Field(default=None, description="the title as a text code the app renders (null for older messages)")
    title_params: dict[str, str | int | float] = Field(default_factory=dict)
    body_code: str | None = None
    body_params: dict[str, str | int | float] = Field(default_factory=dict)


class StaffOut(ResponseModel):
    username: str
    role: str
    scope: dict[str, str]


def _check_community(county_code: str, community_id: str) -> None:
    if regions.county_of_community(community_id) != county_code:
        raise InvalidInput("community is not in that county", field="community_id")


@app.get("/regions", access=PUBLIC, summary="Counties and communities of Sanmenxia 区县与社区", tags=["registry"])
def list_regions() -> list[CountyOut]:
    return [CountyOut.model_validate(county) for county in regions.as_json()]


@app.get("/me", access=ANY_SIGNED_IN, summary="The signed-in account: roles and scope 当前账号", tags=["registry"])
def who_am_i() -> AccountOut:
    caller = app.caller
    record = people(settings()).find_by_account(caller.sub)
    return AccountOut(
        username=caller.username,
        roles=sorted(role.value for role in caller.roles),
        scope=dict(caller.scope),
        person=MaskedPersonOut.model_validate(record.masked()) if record else None,
    )


@app.post("/residents", access=allow(Role.RESIDENT), status_code=201, summary="Register myself 居民登记", tags=["registry"])
def register_resident(body: ResidentIn) -> MaskedPersonOut:
    _check_community(body.county_code, body.community_id)
    person = people(settings()).register(
        app.caller.sub,
        NewPerson(body.name, body.id_number, body.county_code, body.community_id, body.address, body.phone),
    )
    metrics.add_metric(name="ResidentsRegistered", unit="Count", value=1)
    logger.info("resident registered", extra={"person_id": person.person_id, "community_id": person.community_id})
    return MaskedPersonOut.model_validate(person.masked())


@app.get("/residents/me", access=allow(Role.RESIDENT), summary="My record, masked 我的登记信息", tags=["registry"])
def my_record() -> MaskedPersonOut:
    return MaskedPersonOut.model_validate(people(settings()).me(app.caller.sub).masked())


@app.post(
    "/residents/me/household",
    access=allow(Role.RESIDENT),
    status_code=201,
    summary="Register a household member without a phone 登记家庭成员",
    tags=["registry"],
)
def add_household_member(body: MemberIn) -> MaskedPersonOut:
    registry = people(settings())
    head = registry.me(app.caller.sub)
    member = registry.register(
        app.caller.sub,
        NewPerson(body.name, body.id_number, head.county_code, head.community_id, body.address or head.address, body.phone, body.relation),
        household_id=head.person_id,
    )
    logger.info("household member registered", extra={"person_id": member.person_id, "household_id": head.person_id})
    return MaskedPersonOut.model_validate(member.masked())


@app.get("/residents/me/household", access=allow(Role.RESIDENT), summary="My household, masked 我的家庭成员", tags=["registry"])
def list_household(limit: paging.Limit = 50, cursor: paging.Cursor = None) -> paging.Page[MaskedPersonOut]:
    registry = people(settings())
    head = registry.me(app.caller.sub)
    members, last = registry.household_page(head.household_id, limit=limit, start=app.page_start(cursor))
    return app.page([MaskedPersonOut.model_validate(member.masked()) for member in members], last)


@app.get(
    "/residents/<person_id>",
    access=allow(Role.COMMUNITY_HEAD, Role.COMMANDER, Role.ADMIN),
    summary="A resident's record, masked (own community / county; else a break-glass grant) 居民信息",
    tags=["registry"],
)
def get_resident(person_id: Annotated[str, Path(pattern=r"^[0-9a-f]{24}$")]) -> MaskedPersonOut:
    person = people(settings()).get(person_id)
    place = Place(county_code=person.county_code, community_id=person.community_id)
    breakglass.read_access(
        app.caller, place, person_id, grants=breakglass.default_store(), audit_log=audit_log(settings().audit_table), what="this community's records"
    )
    return MaskedPersonOut.model_validate(person.masked())


@app.get("/notifications", access=allow(Role.RESIDENT), summary="My notifications 我的消息", tags=["registry"])
def my_notifications(limit: paging.Limit = 50, cursor: paging.Cursor = None) -> paging.Page[NotificationOut]:
    notes, last = inbox().page(people(settings()).me(app.caller.sub).person_id, limit=limit, start=app.page_start(cursor))
    return app.page([NotificationOut.model_validate(note) for note in notes], last)


@app.get(
    "/notifications/reveals",
    access=allow(Role.RESIDENT),
    summary="Every time staff revealed my contact details 我的信息查看记录",
    tags=["registry"],
)
def my_reveals(limit: paging.Limit = 50, cursor: paging.Cursor = None) -> paging.Page[NotificationOut]:
    """Each audited reveal of the caller's contact details (who, role, which fields, why, when)."""
    notes, last = inbox().page(people(settings()).me(app.caller.sub).person_id, limit=limit, start=app.page_start(cursor), kind=REVEAL_KIND)
    return app.page([NotificationOut.model_validate(note) for note in notes], last)


@app.post("/staff", access=allow(Role.ADMIN), status_code=201, summary="Create a staff account 创建工作人员账号", tags=["registry"])
def create_staff(body: StaffIn) -> StaffOut:
    created = staff_directory().create(body.username, body.temporary_password, body.role, body.scope)
    entry = audit.record(app.caller, "staff.create", f"account#{body.username}", None, {"role": body.role.value, "scope": body.scope})
    audit_log(settings().audit_table).append(entry)
    return StaffOut.model_validate(created)


def _staff_role(role: Role) -> Role:
    if not role.is_staff:
        raise InvalidInput("residents sign up themselves; choose a staff role", field="role")
    return role


@app.get("/staff", access=allow(Role.ADMIN), summary="Staff accounts of one role 工作人员账号", tags=["registry"])
def list_staff(
    role: Annotated[Role, Query()],
    limit: Annotated[int, Query(ge=1, le=60, description="accounts per page (1–60, Cognito's most)")] = 50,
    cursor: paging.Cursor = None,
) -> paging.Page[StaffAccountOut]:
    """One role's accounts with scope and state, paged (Cognito's own order)."""
    accounts, last = staff_directory().accounts(_staff_role(role), limit, app.page_start(cursor))
    return app.page([StaffAccountOut.model_validate(item) for item in accounts], last)


@app.put("/staff/<username>", access=allow(Role.ADMIN), summary="Change a staff account's role and scope 修改角色与范围", tags=["registry"])
def change_staff(username: UsernamePath, body: StaffChangeIn) -> StaffAccountOut:
    """The account gets ``role`` and exactly ``scope``, is signed out everywhere, and the change is audited."""
    refuse_own_account(app.caller.username, username)
    before = staff_directory().change(username, _staff_role(body.role), body.scope)
    after = staff_directory().get(username)
    audit_log(settings().audit_table).append(
        audit.record(
            app.caller,
            "staff.change",
            f"account#{username}",
            {"role": before["role"], "scope": before["scope"]},
            {"role": after["role"], "scope": after["scope"]},
        )
    )
    return StaffAccountOut.model_validate(after)


def _set_enabled(username: str, enabled: bool) -> StaffAccountOut:
    refuse_own_account(app.caller.username, username)
    before = staff_directory().set_enabled(username, enabled)
    after = staff_directory().get(username)
    action = "staff.enable" if enabled else "staff.disable"
    audit_log(settings().audit_table).append(
        audit.record(app.caller, action, f"account#{username}", {"enabled": before["enabled"]}, {"enabled": after["enabled"]})
    )
    return StaffAccountOut.model_validate(after)


@app.post("/staff/<username>/disable", access=allow(Role.ADMIN), summary="Disable a staff account 停用账号", tags=["registry"])
def disable_staff(username: UsernamePath) -> StaffAccountOut:
    """Sign-in is refused from now on and the account's refresh tokens are revoked."""
    return _set_enabled(username, False)


@app.post("/staff/<username>/enable", access=allow(Role.ADMIN), summary="Enable a staff account again 启用账号", tags=["registry"])
def enable_staff(username: UsernamePath) -> StaffAccountOut:
    return _set_enabled(username, True)


lambda_handler = api.handler(app)
