"""12345 hotline (12345 热线): work orders from operators' calls and from the intake queue (tip-offs, help
messages, hardship requests, health-code appeals), their lifecycle, the hourly overdue sweep and per-unit
figures. One function, three event sources: API Gateway, SQS (``WorkOrderIntakeQueue``) and a schedule."""

from __future__ import annotations

import functools
import secrets
from datetime import datetime
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from sanmenxia import api, audit, aws, clock, paging, scope, texts, triggers
from sanmenxia.auth import ANY_SIGNED_IN, Role, allow
from sanmenxia.contracts import WorkOrderIntake, WorkOrderProgress, WorkOrderSource, WorkOrderType
from sanmenxia.errors import Conflict, Forbidden, InvalidInput
from sanmenxia.hotline.access import require_assist, require_handle, require_movable, require_oversee, require_view
from sanmenxia.hotline.answers import AnswerStore, StandardAnswer, new_answer_id
from sanmenxia.hotline.case_views import CaseOrderOut
from sanmenxia.hotline.routing import Department
from sanmenxia.hotline.rules import Action, Actor, Command, NewOrder, Status, WorkOrder
from sanmenxia.hotline.service import Hotline
from sanmenxia.hotline.sla import SlaPolicy
from sanmenxia.hotline.store import WorkOrderStore
from sanmenxia.hotline.uploads import REPLY_PREFIX, PhotoUploads
from sanmenxia.hotline.views import OrderCitizenOut, OrderRowOut
from sanmenxia.models import CommunityId, CountyCode, LongText, PersonName, Phone, RequestModel, ResponseModel, ShortText
from sanmenxia.notifications import REVEAL_KIND, Inbox
from sanmenxia.observability import logger, metrics
from sanmenxia.scope import Desk, Place
from sanmenxia.services import PeopleSettings, audit_log, people, vault
from sanmenxia.sms import SnsTextSender
from sanmenxia.texts import TextCode

ORDER_ID = r"^WO[A-Z2-7]{16}$"
OrderId = Annotated[str, Path(pattern=ORDER_ID)]
STAFF = (Role.HOTLINE_OPERATOR, Role.DEPARTMENT_HANDLER, Role.COMMUNITY_HEAD, Role.COMMANDER, Role.ADMIN)


class Settings(PeopleSettings):
    work_orders_table: str
    hotline_figures_table: str
    hotline_desk_table: str
    notifications_table: str
    uploads_bucket: str
    caller_sms_topic_arn: str
    hotline_sla: str = Field(default="", description="JSON of SlaPolicy; empty: the defaults")


@functools.cache
def settings() -> Settings:
    return Settings()  # type: ignore[call-arg]


@functools.cache
def sla_policy() -> SlaPolicy:
    raw = settings().hotline_sla
    return SlaPolicy.model_validate_json(raw) if raw.strip() else SlaPolicy()


def _person_of(sub: str) -> str | None:
    person = people(settings()).find_by_account(sub)
    return person.person_id if person else None


@functools.cache
def hotline() -> Hotline:
    config = settings()
    store = WorkOrderStore(
        aws.client("dynamodb"), config.work_orders_table, config.hotline_figures_table, audit_log(config.audit_table), config.hotline_desk_table
    )
    inbox = Inbox(aws.client("dynamodb"), config.notifications_table, config.personal_record_days)
    sms = SnsTextSender(aws.client("sns"), config.caller_sms_topic_arn)
    return Hotline(store, sla_policy(), vault(config.pii_key_id), inbox, _person_of, sms)


@functools.cache
def answers() -> AnswerStore:
    config = settings()
    return AnswerStore(aws.client("dynamodb"), config.hotline_desk_table, audit_log(config.audit_table))


@functools.cache
def uploads() -> PhotoUploads:
    return PhotoUploads(aws.client("s3"), settings().uploads_bucket)


app = api.PlatformResolver(title="12345 Hotline 12345 热线")


class CallIn(RequestModel):
    type: WorkOrderType
    summary: LongText
    category: Annotated[str | None, Field(default=None, max_length=40)] = None
    county_code: CountyCode | None = None
    community_id: CommunityId | None = None
    address: ShortText | None = None
    caller_phone: Phone | None = None
    caller_name: PersonName | None = None
    department: Department | None = Field(default=None, description="dispatch at once to this unit")
    urgent: bool = Field(default=False, description="加急: the urgent time limits apply")


class OrderDispatchIn(RequestModel):
    department: Department
    note: ShortText | None = None


class NoteIn(RequestModel):
    note: ShortText


class OptionalNoteIn(RequestModel):
    note: ShortText | None = None


PhotoKeys = Annotated[list[Annotated[str, Field(max_length=120)]], Field(default_factory=list, max_length=3, description="keys from POST …/photos")]


class ReplyIn(RequestModel):
    reply: LongText
    resolved: bool
    photos: PhotoKeys
    answer_id: Annotated[str | None, Field(default=None, pattern=r"^KB[0-9a-f]{16}$", description="the standard answer the reply started from")] = None


class ExtensionIn(RequestModel):
    hours: Annotated[float, Field(gt=0, le=24 * 30, description="more time asked, hours")]
    reason: ShortText


class ExtensionDecisionIn(RequestModel):
    approve: bool
    note: ShortText | None = None


class AssistIn(RequestModel):
    departments: Annotated[list[Department], Field(min_length=1, max_length=5)]
    note: ShortText | None = None


class AssistReplyIn(RequestModel):
    reply: LongText
    photos: PhotoKeys
    department: Department | None = Field(default=None, description="the assisting unit (admins only; a handler answers for their own unit)")


class PhotoIn(RequestModel):
    content_type: Annotated[str, Field(min_length=1, max_length=100, examples=["image/jpeg"])]
    size: Annotated[int, Field(description="bytes", examples=[350_000])]


class PhotoUploadOut(ResponseModel):
    """A presigned S3 PUT: send the photo's bytes to ``url`` with ``headers``; then name ``photo_key`` in the reply."""

    photo_key: str
    url: str
    method: Literal["PUT"]
    headers: dict[str, str]
    expires_in: int
    max_bytes: int


class AnswerIn(RequestModel):
    title: Annotated[str, Field(min_length=2, max_length=100)]
    body: Annotated[str, Field(min_length=2, max_length=2000)]
    category: Annotated[str | None, Field(default=None, pattern=r"^[a-z_]{2,40}$", description="a work-order type or tip-off category")] = None
    tags: Annotated[list[Annotated[str, Field(min_length=1, max_length=20)]], Field(default_factory=list, max_length=10)]


class AnswerEditIn(AnswerIn):
    version: Annotated[int, Field(ge=1, description="the version read; a stale one is refused (409)")]


class AnswerOut(ResponseModel):
    """A standard answer (标准答复): the city's public wording, no personal data."""

    answer_id: str
    title: str
    body: str
    category: str | None = None
    tags: list[str]
    created_by: str
    updated_by: str
    updated_at: str
    version: int


class AssistRowOut(ResponseModel):
    """An order the unit assists on (no personal text), and whether the unit has answered."""

    order_id: str
    type: WorkOrderType
    status: Status
    department: str | None = Field(default=None, description="the lead unit")
    created_at: str
    due_at: str
    overdue: bool
    urgent: bool
    answered: bool


class RevisitIn(RequestModel):
    satisfaction: Annotated[int | None, Field(default=None, ge=1, le=5)] = None
    note: ShortText | None = None


class ReopenIn(RequestModel):
    note: ShortText
    department: Department | None = None


class MergeIn(RequestModel):
    merged_into: Annotated[str, Field(pattern=ORDER_ID)]
    note: ShortText | None = None


class RevealIn(RequestModel):
    """Why a handler needs the citizen's clear contact details (kept with the reveal, shown to the citizen)."""

    fields: Annotated[list[Literal["phone", "name", "address"]], Field(min_length=1, max_length=3)]
    reason: Annotated[str, Field(min_length=4, max_length=200)]


class RatingIn(RequestModel):
    satisfaction: Annotated[int, Field(ge=1, le=5)]


class RevealOut(ResponseModel):
    """The clear contact details asked for (only those), for a handler who must call or visit; the reveal is
    audited and shown to the citizen."""

    order_id: str
    revealed_at: str
    phone: str | None = Field(default=None, description="clear; only when asked for, audited")
    name: str | None = Field(default=None, description="clear; only when asked for, audited")
    address: str | None = Field(default=None, description="clear; only when asked for, audited")


class UnitFiguresOut(ResponseModel):
    """A unit's counters and rates for a month (rates are null when nothing was counted)."""

    department: Department
    label: str
    month: str
    assigned: int
    accepted: int
    accepted_on_time: int
    returned: int
    replied: int
    replied_on_time: int
    resolved: int
    rated: int
    rating_sum: int
    satisfied: int
    overdue: int
    closed: int
    response_rate: float | None = None
    on_time_rate: float | None = None
    resolution_rate: float | None = None
    satisfaction_rate: float | None = None
    average_rating: float | None = None


class DepartmentOut(ResponseModel):
    department: Department
    label: str


def _actor() -> Actor:
    caller = app.caller
    return Actor(caller.sub, caller.username, caller.primary_role)


def _staff_view(order: WorkOrder) -> CaseOrderOut:
    view = hotline().staff_view(order, clock.now(), full_contact=app.caller.has(Role.HOTLINE_OPERATOR))
    view["attachments"] = [{"key": key, "url": uploads().view_url(key)} for key in order.attachments]
    view["reply_photos"] = [{"key": key, "url": uploads().view_url(key)} for key in order.reply_photos]
    return CaseOrderOut.model_validate(view)


def _citizen_view(order: WorkOrder) -> OrderCitizenOut:
    return OrderCitizenOut.model_validate(hotline().citizen_view(order, clock.now()))


def _act(order_id: str, command: Command, authorize: Any) -> CaseOrderOut:
    def allowed(order: WorkOrder) -> None:
        authorize(order)
        require_movable(order, command.action)

    order = hotline().act(order_id, command, _actor(), clock.now(), allowed)
    metrics.add_metric(name=f"WorkOrder{command.action.value.title()}", unit="Count", value=1)
    logger.info("work order changed", extra={"order_id": order_id, "action": command.action.value, "status": order.status.value})
    return _staff_view(order)


def _oversees(order: WorkOrder) -> None:
    """Hotline-wide actions (dispatch, revisit, close): operators, commanders of the order's county, admins."""
    require_oversee(app.caller, order)


def _handles(order: WorkOrder) -> None:
    require_handle(app.caller, order)


def _requester(order: WorkOrder) -> None:
    if order.requester_sub is None or order.requester_sub != app.caller.sub:
        raise Forbidden("only the citizen who raised the order can rate it")


# -- creating and reading ------------------------------------------------------------------------------
@app.post(
    "/hotline/orders",
    access=allow(Role.HOTLINE_OPERATOR, Role.ADMIN),
    status_code=201,
    summary="Open a work order from a call 来电受理",
    tags=["hotline"],
)
def create_order(body: CallIn) -> CaseOrderOut:
    service = hotline()
    new = NewOrder(
        source=WorkOrderSource.CALL,
        source_ref="C" + secrets.token_hex(8),
        type=body.type,
        category=body.category,
        county_code=body.county_code or (body.community_id.split("-")[0] if body.community_id else None),
        community_id=body.community_id,
        sealed=service.seal({"summary": body.summary, "address": body.address, "phone": body.caller_phone, "name": body.caller_name}),
        urgent=body.urgent,
    )
    order = service.open_call(new, _actor(), clock.now(), body.department)
    metrics.add_metric(name="WorkOrdersOpened", unit="Count", value=1)
    logger.info("call order opened", extra={"order_id": order.order_id, "type": order.type.value, "department": order.department})
    return _staff_view(order)


@app.get("/hotline/orders", access=allow(*STAFF), summary="Work orders of my unit / community / queue 工单列表", tags=["hotline"])
def list_orders(
    department: Annotated[Department | None, Query()] = None,
    community_id: Annotated[CommunityId | None, Query()] = None,
    status: Annotated[Status | None, Query()] = None,
    overdue: Annotated[bool | None, Query()] = None,
    limit: paging.Limit = 20,
    cursor: paging.Cursor = None,
) -> paging.Page[OrderRowOut]:
    found = hotline().list_orders(
        app.caller,
        department=department.value if department else None,
        community_id=community_id,
        status=status,
        overdue=overdue,
        limit=limit,
        start=app.page_start(cursor),
        at=clock.now(),
    )
    return app.page([OrderRowOut.model_validate(row) for row in found.rows], found.last_key)


@app.get("/hotline/orders/mine", access=ANY_SIGNED_IN, summary="My work orders and their progress 我的诉求", tags=["hotline"])
def my_orders(
    limit: paging.Limit = 20,
    cursor: paging.Cursor = None,
) -> paging.Page[OrderCitizenOut]:
    page = hotline().store.page("requester-index", ("requester_sub", app.caller.sub), limit=limit, start=app.page_start(cursor))
    return app.page([_citizen_view(order) for order in page.orders], page.last_key)


@app.get(
    "/hotline/orders/overdue",
    access=allow(Role.HOTLINE_OPERATOR, Role.COMMANDER, Role.ADMIN),
    summary="Overdue open orders, most escalated first within a page 超期督办",
    tags=["hotline"],
)
def overdue_orders(limit: paging.Limit = 50, cursor: paging.Cursor = None) -> paging.Page[OrderRowOut]:
    found = hotline().overdue_rows(app.caller, clock.now(), limit=limit, start=app.page_start(cursor))
    return app.page([OrderRowOut.model_validate(row) for row in found.rows], found.last_key)


@app.get("/hotline/orders/<order_id>", access=ANY_SIGNED_IN, summary="One work order 工单详情", tags=["hotline"])
def get_order(order_id: OrderId) -> OrderCitizenOut | CaseOrderOut:
    order = hotline().store.get(order_id)
    if order.requester_sub is not None and order.requester_sub == app.caller.sub:
        return _citizen_view(order)
    if not app.caller.has(*STAFF):
        raise Forbidden("this order is not yours")
    require_view(app.caller, order)
    return _staff_view(order)


# -- the lifecycle ---------------------------------------------------------------------------------------
@app.post(
    "/hotline/orders/<order_id>/dispatch",
    access=allow(Role.HOTLINE_OPERATOR, Role.COMMANDER, Role.ADMIN),
    summary="Dispatch to a responsible unit 派单",
    tags=["hotline"],
)
def dispatch(order_id: OrderId, body: OrderDispatchIn) -> CaseOrderOut:
    return _act(order_id, Command(Action.DISPATCH, department=body.department.value, note=body.note), _oversees)


@app.post(
    "/hotline/orders/<order_id>/return",
    access=allow(Role.DEPARTMENT_HANDLER, Role.COMMUNITY_HEAD, Role.ADMIN),
    summary="Return: not our remit 退回",
    tags=["hotline"],
)
def return_order(order_id: OrderId, body: NoteIn) -> CaseOrderOut:
    return _act(order_id, Command(Action.RETURN, note=body.note), _handles)


@app.post(
    "/hotline/orders/<order_id>/accept",
    access=allow(Role.DEPARTMENT_HANDLER, Role.COMMUNITY_HEAD, Role.ADMIN),
    summary="Accept and start handling 签收",
    tags=["hotline"],
)
def accept(order_id: OrderId) -> CaseOrderOut:
    return _act(order_id, Command(Action.ACCEPT), _handles)


@app.post(
    "/hotline/orders/<order_id>/reply",
    access=allow(Role.DEPARTMENT_HANDLER, Role.COMMUNITY_HEAD, Role.HOTLINE_OPERATOR, Role.ADMIN),
    summary="Reply to the citizen with the result 答复",
    tags=["hotline"],
)
def reply(order_id: OrderId, body: ReplyIn) -> CaseOrderOut:
    _verify_photos(order_id, body.photos)
    if body.answer_id:
        answers().get(body.answer_id)  # a named standard answer exists (404 naming answer_id otherwise)
    return _act(order_id, Command(Action.REPLY, note=body.reply, resolved=body.resolved, photos=tuple(body.photos)), _handles)


def _verify_photos(order_id: str, keys: list[str]) -> None:
    for key in dict.fromkeys(keys):
        uploads().verify(key, prefix=f"{REPLY_PREFIX}{order_id}/")


# -- real cases: urgent, extensions, joint handling, photos ---------------------------------------------
@app.post(
    "/hotline/orders/<order_id>/urgent",
    access=allow(Role.HOTLINE_OPERATOR, Role.COMMANDER, Role.ADMIN),
    summary="Flag an open order urgent: its urgent time limit applies 加急",
    tags=["hotline"],
)
def flag_urgent(order_id: OrderId, body: OptionalNoteIn) -> CaseOrderOut:
    return _act(order_id, Command(Action.URGENT, note=body.note), _oversees)


@app.post(
    "/hotline/orders/<order_id>/extension",
    access=allow(Role.DEPARTMENT_HANDLER, Role.COMMUNITY_HEAD, Role.ADMIN),
    summary="The lead unit asks for more time, with a reason 申请延期",
    tags=["hotline"],
)
def request_extension(order_id: OrderId, body: ExtensionIn) -> CaseOrderOut:
    return _act(order_id, Command(Action.REQUEST_EXTENSION, note=body.reason, hours=body.hours), _handles)


@app.post(
    "/hotline/orders/<order_id>/extension/decision",
    access=allow(Role.HOTLINE_OPERATOR, Role.COMMANDER, Role.ADMIN),
    summary="Approve or refuse the unit's extension request; only an approval moves the limit 延期审批",
    tags=["hotline"],
)
def decide_extension(order_id: OrderId, body: ExtensionDecisionIn) -> CaseOrderOut:
    return _act(order_id, Command(Action.DECIDE_EXTENSION, approve=body.approve, note=body.note), _oversees)


@app.post(
    "/hotline/orders/<order_id>/assists",
    access=allow(Role.HOTLINE_OPERATOR, Role.COMMANDER, Role.ADMIN),
    summary="Add assisting units to the lead unit (joint handling) 协办",
    tags=["hotline"],
)
def add_assists(order_id: OrderId, body: AssistIn) -> CaseOrderOut:
    units = tuple(unit.value for unit in body.departments)
    return _act(order_id, Command(Action.ASSIST, departments=units, note=body.note), _oversees)


def _assisting_unit(requested: Department | None) -> str:
    """The unit a caller answers for: a handler's own unit; an admin names one."""
    caller = app.caller
    if caller.has(Role.DEPARTMENT_HANDLER) and caller.scope_value("department"):
        return str(caller.scope_value("department"))
    if requested is None:
        raise InvalidInput("name the assisting unit you answer for", field="department")
    return requested.value


@app.post(
    "/hotline/orders/<order_id>/assist-reply",
    access=allow(Role.DEPARTMENT_HANDLER, Role.ADMIN),
    summary="An assisting unit answers the lead unit 协办答复",
    tags=["hotline"],
)
def assist_reply(order_id: OrderId, body: AssistReplyIn) -> CaseOrderOut:
    unit = _assisting_unit(body.department)
    _verify_photos(order_id, body.photos)
    command = Command(Action.ASSIST_REPLY, note=body.reply, department=unit, photos=tuple(body.photos))
    return _act(order_id, command, lambda order: require_assist(app.caller, order, unit))


@app.get(
    "/hotline/assists",
    access=allow(Role.DEPARTMENT_HANDLER, Role.HOTLINE_OPERATOR, Role.ADMIN),
    summary="Orders my unit assists on 协办工单",
    tags=["hotline"],
)
def assisted_orders(
    department: Annotated[Department | None, Query()] = None,
    limit: paging.Limit = 20,
    cursor: paging.Cursor = None,
) -> paging.Page[AssistRowOut]:
    caller = app.caller
    if department is None:
        if not caller.scope_value("department"):
            raise InvalidInput("name the unit", field="department")
        department = Department(str(caller.scope_value("department")))
    scope.require(caller, Place(department=department.value, desk=Desk.HOTLINE), what="this unit's assisted orders")
    page = hotline().store.assisted_by(department.value, limit=limit, start=app.page_start(cursor))
    now = clock.now()
    rows = [
        AssistRowOut(
            order_id=order.order_id,
            type=order.type,
            status=order.status,
            department=order.department,
            created_at=order.created_at,
            due_at=order.due_at,
            overdue=order.overdue_at(now),
            urgent=order.urgent,
            answered=not any(assist.department == department.value and assist.reply is None for assist in order.assists),
        )
        for order in page.orders
    ]
    return app.page(rows, page.last_key)


@app.post(
    "/hotline/orders/<order_id>/photos",
    access=allow(Role.DEPARTMENT_HANDLER, Role.COMMUNITY_HEAD, Role.HOTLINE_OPERATOR, Role.ADMIN),
    status_code=201,
    summary="Prepare a photo of the result for a reply (presigned PUT) 答复照片",
    tags=["hotline"],
)
def prepare_reply_photo(order_id: OrderId, body: PhotoIn) -> PhotoUploadOut:
    order = hotline().store.get(order_id)
    caller = app.caller
    unit = caller.scope_value("department")
    if caller.has(Role.DEPARTMENT_HANDLER) and unit and order.assists_with(str(unit)):
        require_assist(caller, order, str(unit))
    else:
        _handles(order)
    return PhotoUploadOut.model_validate(uploads().presign_put(body.content_type, body.size, f"{REPLY_PREFIX}{order_id}/"))


# -- the knowledge base of standard answers ------------------------------------------------------------
KB_EDITORS = (Role.HOTLINE_OPERATOR, Role.ADMIN)
KB_READERS = (Role.HOTLINE_OPERATOR, Role.DEPARTMENT_HANDLER, Role.COMMUNITY_HEAD, Role.ADMIN)
AnswerId = Annotated[str, Path(pattern=r"^KB[0-9a-f]{16}$")]


@app.get("/hotline/answers", access=allow(*KB_READERS), summary="Search the standard answers 知识库", tags=["hotline"])
def search_answers(
    q: Annotated[str | None, Query(max_length=50, description="words that must all appear (title, text or tags)")] = None,
    category: Annotated[str | None, Query(pattern=r"^[a-z_]{2,40}$")] = None,
    limit: paging.Limit = 20,
    cursor: paging.Cursor = None,
) -> paging.Page[AnswerOut]:
    found, last_key = answers().search(q, category, limit=limit, start=app.page_start(cursor))
    return app.page([AnswerOut.model_validate(answer.to_json()) for answer in found], last_key)


@app.get("/hotline/answers/<answer_id>", access=allow(*KB_READERS), summary="One standard answer 标准答复", tags=["hotline"])
def get_answer(answer_id: AnswerId) -> AnswerOut:
    return AnswerOut.model_validate(answers().get(answer_id).to_json())


@app.post("/hotline/answers", access=allow(*KB_EDITORS), status_code=201, summary="Add a standard answer 新增标准答复", tags=["hotline"])
def create_answer(body: AnswerIn) -> AnswerOut:
    caller = app.caller
    answer = StandardAnswer(new_answer_id(), body.title, body.body, body.category, tuple(body.tags), caller.username, caller.username, clock.iso())
    entry = audit.record(caller, "standard_answer.create", f"standard_answer#{answer.answer_id}", None, answer.to_json())
    answers().save(answer, entry, expected_version=None)
    logger.info("standard answer created", extra={"answer_id": answer.answer_id})
    return AnswerOut.model_validate(answer.to_json())


@app.put("/hotline/answers/<answer_id>", access=allow(*KB_EDITORS), summary="Edit a standard answer 修改标准答复", tags=["hotline"])
def edit_answer(answer_id: AnswerId, body: AnswerEditIn) -> AnswerOut:
    caller = app.caller
    before = answers().get(answer_id)
    if before.version != body.version:
        raise Conflict("the standard answer was changed by someone else meanwhile; reload it and try again", field="version")
    after = before.edited(title=body.title, body=body.body, category=body.category, tags=tuple(body.tags), by=caller.username, at=clock.iso())
    entry = audit.record(caller, "standard_answer.edit", f"standard_answer#{answer_id}", before.to_json(), after.to_json())
    answers().save(after, entry, expected_version=before.version)
    return AnswerOut.model_validate(after.to_json())


@app.delete("/hotline/answers/<answer_id>", access=allow(*KB_EDITORS), summary="Remove a standard answer 删除标准答复", tags=["hotline"])
def delete_answer(answer_id: AnswerId) -> AnswerOut:
    before = answers().get(answer_id)
    entry = audit.record(app.caller, "standard_answer.delete", f"standard_answer#{answer_id}", before.to_json(), None)
    answers().delete(before, entry)
    return AnswerOut.model_validate(before.to_json())


@app.post(
    "/hotline/orders/<order_id>/revisit",
    access=allow(Role.HOTLINE_OPERATOR, Role.ADMIN),
    summary="Record the call-back to the citizen 回访",
    tags=["hotline"],
)
def revisit(order_id: OrderId, body: RevisitIn) -> CaseOrderOut:
    return _act(order_id, Command(Action.REVISIT, satisfaction=body.satisfaction, note=body.note), _oversees)


@app.post(
    "/hotline/orders/<order_id>/reopen",
    access=allow(Role.HOTLINE_OPERATOR, Role.COMMANDER, Role.ADMIN),
    summary="Reopen an unsatisfactory order 重办",
    tags=["hotline"],
)
def reopen(order_id: OrderId, body: ReopenIn) -> CaseOrderOut:
    department = body.department.value if body.department else None
    return _act(order_id, Command(Action.REOPEN, note=body.note, department=department), _oversees)


@app.post(
    "/hotline/orders/<order_id>/close",
    access=allow(Role.HOTLINE_OPERATOR, Role.COMMANDER, Role.ADMIN),
    summary="Close with its result 办结",
    tags=["hotline"],
)
def close(order_id: OrderId, body: OptionalNoteIn) -> CaseOrderOut:
    return _act(order_id, Command(Action.CLOSE, note=body.note), _oversees)


@app.post(
    "/hotline/orders/<order_id>/merge",
    access=allow(Role.HOTLINE_OPERATOR, Role.DEPARTMENT_HANDLER, Role.ADMIN),
    summary="Merge a duplicate into another order 并案",
    tags=["hotline"],
)
def merge(order_id: OrderId, body: MergeIn) -> CaseOrderOut:
    return _act(order_id, Command(Action.MERGE, merged_into=body.merged_into, note=body.note), _handles_or_oversees)


def _handles_or_oversees(order: WorkOrder) -> None:
    if app.caller.has(Role.HOTLINE_OPERATOR):
        _oversees(order)
    else:
        _handles(order)


@app.post(
    "/hotline/orders/<order_id>/reveal",
    access=allow(Role.COMMUNITY_HEAD, Role.DEPARTMENT_HANDLER, Role.ADMIN),
    summary="Reveal the citizen's contact details, audited 查看联系方式(留痕)",
    tags=["hotline"],
)
def reveal_contact(order_id: OrderId, body: RevealIn) -> RevealOut:
    """A handler who must call or visit the citizen sees the clear phone, name or address of an order in their
    scope. The reveal is recorded in the audit log (who, role, whom, which fields, when; the reason's digest)
    and left in the citizen's inbox with the reason, where ``GET /notifications/reveals`` lists every one."""
    caller = app.caller
    order = hotline().store.get(order_id)
    require_view(caller, order)
    fields = sorted(set(body.fields))
    whom = order.requester_person_id or "anonymous"
    entry = audit.record(
        caller,
        "work_order.contact.reveal",
        f"work_order#{order_id}",
        None,
        {"person": whom, "fields": fields, "reason": body.reason},
        subject=order.requester_person_id,
        reason_code=f"contact:{'+'.join(fields)}",
    )
    audit_log(settings().audit_table).append(entry)
    inbox = hotline().inbox
    if order.requester_person_id and inbox is not None:
        labels = {"phone": "电话 phone", "name": "姓名 name", "address": "地址 address"}
        inbox.notify(
            order.requester_person_id,
            kind=REVEAL_KIND,
            title="您的联系方式被查看 Your contact details were viewed",
            body=f"{caller.username} ({caller.primary_role}) · {', '.join(labels[name] for name in fields)} · 工单 order {order_id} · {body.reason}",
            link=f"/hotline/orders/{order_id}",
            title_text=texts.text(TextCode.CONTACT_VIEWED),
            body_text=texts.text(
                TextCode.CONTACT_VIEWED_DETAIL, staff=caller.username, role=caller.primary_role, fields=",".join(fields), order_id=order_id, note=body.reason
            ),
        )
    logger.info("contact revealed", extra={"order_id": order_id, "fields": fields, "role": caller.primary_role})
    return RevealOut.model_validate({"order_id": order_id, "revealed_at": entry.at, **hotline().contact(order, fields)})


@app.post("/hotline/orders/<order_id>/rating", access=ANY_SIGNED_IN, summary="Rate the result of my order 评价", tags=["hotline"])
def rate(order_id: OrderId, body: RatingIn) -> OrderCitizenOut:
    order = hotline().act(order_id, Command(Action.RATE, satisfaction=body.satisfaction), Actor(app.caller.sub, "citizen", "citizen"), clock.now(), _requester)
    return _citizen_view(order)


# -- figures ---------------------------------------------------------------------------------------------
@app.get(
    "/hotline/figures",
    access=allow(Role.HOTLINE_OPERATOR, Role.DEPARTMENT_HANDLER, Role.COMMANDER, Role.ADMIN),
    summary="Per-unit figures for a month 单位考核指标",
    tags=["hotline"],
)
def unit_figures(
    month: Annotated[str | None, Query(pattern=r"^20\d\d-(0[1-9]|1[0-2])$")] = None,
    department: Annotated[Department | None, Query()] = None,
) -> list[UnitFiguresOut]:
    month = month or clock.now_shanghai().strftime("%Y-%m")
    return [UnitFiguresOut.model_validate(row) for row in hotline().unit_figures(app.caller, month, department.value if department else None)]


@app.get("/hotline/departments", access=ANY_SIGNED_IN, summary="Responsible units 责任单位", tags=["hotline"])
def departments() -> list[DepartmentOut]:
    return [DepartmentOut(department=unit, label=unit.label) for unit in Department]


# -- intake queue and the overdue sweep ----------------------------------------------------------------
_processor = BatchProcessor(event_type=EventType.SQS)


def _received_at(message: WorkOrderIntake) -> datetime:
    """Limits run from when the citizen asked (the message's time), never from the future."""
    now = clock.now()
    try:
        sent = datetime.fromisoformat(message.created_at.replace("Z", "+00:00"))
    except ValueError:
        return now
    return min(sent, now) if sent.tzinfo else now


def _intake(record: SQSRecord) -> None:
    body = record.json_body
    if isinstance(body, dict) and body.get("kind") == "progress":
        progress = WorkOrderProgress.model_validate(body)
        followed = hotline().follow(progress, clock.now())
        logger.info("order follows its source", extra={"order_id": followed.order_id, "source": progress.source.value, "status": followed.status.value})
        return
    message = WorkOrderIntake.model_validate_json(record.body)
    order, created = hotline().intake(message, _received_at(message))
    if created:
        metrics.add_metric(name="WorkOrdersOpened", unit="Count", value=1)
        logger.info("intake opened", extra={"order_id": order.order_id, "source": message.source.value, "department": order.department})


def _sweep(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = hotline().sweep(clock.now())
    logger.info("overdue sweep", extra=result)
    return result


def _intake_batch(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(process_partial_response(event=event, record_handler=_intake, processor=_processor, context=context))


#: API Gateway requests, SQS intake batches and the hourly overdue sweep.
lambda_handler = triggers.entry(http=api.handler(app), schedule=_sweep, sqs=_intake_batch)
