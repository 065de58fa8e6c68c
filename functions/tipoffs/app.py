"""Tip-offs (我要上报疫情): anyone signed in reports a lead in one of ten categories, with a place, a
description, optional photos and optional anonymity; every tip-off becomes a 12345 work order through
``WorkOrderIntakeQueue``; the reporter (or, anonymously, the holder of the tracking code) follows it."""

from __future__ import annotations

import functools
import secrets
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import Field

from sanmenxia import api, aws, clock, contracts, paging, regions, scope, texts
from sanmenxia.auth import ANY_SIGNED_IN, PUBLIC
from sanmenxia.contracts import WorkOrderIntake, WorkOrderSource, WorkOrderType
from sanmenxia.errors import InvalidInput
from sanmenxia.hotline.routing import CATEGORY_LABELS, TIPOFF_ROUTES, Department, TipoffCategory, route
from sanmenxia.hotline.rules import order_id_for
from sanmenxia.hotline.service import Hotline, department_label
from sanmenxia.hotline.sla import SlaPolicy
from sanmenxia.hotline.store import WorkOrderStore
from sanmenxia.hotline.uploads import PhotoUploads
from sanmenxia.hotline.views import OrderCitizenOut
from sanmenxia.masking import redact_text
from sanmenxia.models import CommunityId, CountyCode, LongText, RequestModel, ResponseModel, ShortText
from sanmenxia.observability import logger, metrics
from sanmenxia.scope import Desk, Place
from sanmenxia.services import audit_log, vault
from sanmenxia.settings import FunctionSettings
from sanmenxia.texts import TextCode
from sanmenxia.tipoffs.rules import TipoffKey, likely_duplicates, window_start
from sanmenxia.tipoffs.store import Tipoff, TipoffStore, new_tracking_code, tracking_hash

TIPOFF_ID = r"^T[0-9a-f]{16}$"


class Settings(FunctionSettings):
    tipoffs_table: str
    work_orders_table: str
    hotline_figures_table: str
    audit_table: str
    pii_key_id: str
    uploads_bucket: str
    work_order_intake_queue_url: str


@functools.cache
def settings() -> Settings:
    return Settings()  # type: ignore[call-arg]


@functools.cache
def tipoffs() -> TipoffStore:
    return TipoffStore(aws.client("dynamodb"), settings().tipoffs_table)


@functools.cache
def uploads() -> PhotoUploads:
    return PhotoUploads(aws.client("s3"), settings().uploads_bucket)


@functools.cache
def hotline() -> Hotline:
    store = WorkOrderStore(aws.client("dynamodb"), settings().work_orders_table, settings().hotline_figures_table, audit_log(settings().audit_table))
    return Hotline(store, SlaPolicy(), vault(settings().pii_key_id))


app = api.PlatformResolver(title="Tip-offs 我要上报疫情")


class PhotoIn(RequestModel):
    content_type: Annotated[str, Field(min_length=1, max_length=100, examples=["image/jpeg"])]
    size: Annotated[int, Field(description="bytes", examples=[350_000])]


class TipoffIn(RequestModel):
    category: TipoffCategory
    county_code: CountyCode
    community_id: CommunityId
    address: ShortText
    description: LongText
    photos: list[Annotated[str, Field(max_length=80)]] = Field(default_factory=list, max_length=3)
    anonymous: bool = False
    duplicate_of: Annotated[str | None, Field(default=None, pattern=TIPOFF_ID, description="a likely duplicate this repeats")] = None


class TrackIn(RequestModel):
    code: Annotated[str, Field(min_length=10, max_length=40)]


class TipoffCategoryOut(ResponseModel):
    category: TipoffCategory
    label: str
    department: Department = Field(description="the unit a tip-off of this category is routed to")
    department_label: str


class TipoffPhotoUploadOut(ResponseModel):
    """A presigned POST for one photo: send ``fields`` and the file to ``url``, then name ``photo_key`` in the tip-off."""

    photo_key: str
    url: str
    fields: dict[str, str]
    expires_in: int = Field(description="seconds")
    max_bytes: int


class SimilarTipoffOut(ResponseModel):
    """A likely duplicate: no personal data (no address, no description)."""

    tipoff_id: str
    category: TipoffCategory
    community_id: str
    community: str
    created_at: str
    status: str


class TipoffOut(ResponseModel):
    """A tip-off and the progress of its work order, for its reporter (staff: phones and ID numbers typed into the
    description masked)."""

    tipoff_id: str
    category: TipoffCategory
    category_label: str
    county_code: str
    community_id: str
    address: str = Field(description="the place of the lead, as the reporter gave it")
    description: str
    photos: int = Field(description="how many photos are attached")
    anonymous: bool
    created_at: str
    duplicate_of: str | None = None
    department: str | None = None
    department_label: str | None = None
    order_id: str
    status: str = Field(description="the work order's status; `submitted` until the hotline has taken it")
    order: OrderCitizenOut | None = None


class TipoffReceiptOut(TipoffOut):
    tracking_code: str = Field(description="shown once: the only way to follow an anonymous tip-off")
    likely_duplicates: list[SimilarTipoffOut]
    message: str
    message_code: str = Field(description="the message's text code (the app words it in the reader's language)")
    message_params: dict[str, Any] = Field(default_factory=dict)


class TipoffRowOut(ResponseModel):
    tipoff_id: str
    category: TipoffCategory
    category_label: str
    community_id: str
    created_at: str
    order_id: str
    status: str
    department: str | None = None
    department_label: str | None = None


@app.get("/tipoffs/categories", access=PUBLIC, summary="The ten categories and who handles them 线索类别", tags=["tipoffs"])
def categories() -> list[TipoffCategoryOut]:
    return [
        TipoffCategoryOut(
            category=category, label=CATEGORY_LABELS[category], department=TIPOFF_ROUTES[category], department_label=TIPOFF_ROUTES[category].label
        )
        for category in TipoffCategory
    ]


@app.post("/tipoffs/photos", access=ANY_SIGNED_IN, status_code=201, summary="Prepare a photo upload (presigned POST) 上传照片", tags=["tipoffs"])
def prepare_photo(body: PhotoIn) -> TipoffPhotoUploadOut:
    return TipoffPhotoUploadOut.model_validate(uploads().presign(body.content_type, body.size))


def _similar(category: str, community_id: str, tipoff_id: str = "") -> list[SimilarTipoffOut]:
    now = clock.now()
    probe = TipoffKey(tipoff_id or "-", category, community_id, clock.iso(now))
    recent = tipoffs().recent(category, community_id, window_start(now))
    found = likely_duplicates(probe, recent)
    orders = hotline().store.get_many([order_id_for(WorkOrderSource.TIPOFF, key.tipoff_id) for key in found])
    rows = []
    for key in found:
        order = orders.get(order_id_for(WorkOrderSource.TIPOFF, key.tipoff_id))
        rows.append(
            SimilarTipoffOut(
                tipoff_id=key.tipoff_id,
                category=TipoffCategory(key.category),
                community_id=key.community_id,
                community=regions.community(key.community_id).name,
                created_at=key.created_at,
                status=order.status.value if order else "submitted",
            )
        )
    return rows


@app.get("/tipoffs/similar", access=ANY_SIGNED_IN, summary="Likely duplicates before reporting 疑似重复线索", tags=["tipoffs"])
def similar(category: Annotated[TipoffCategory, Query()], community_id: Annotated[CommunityId, Query()]) -> list[SimilarTipoffOut]:
    if app.caller.is_staff:
        # A reporter checks anywhere before reporting (the rows carry no personal data); staff stay in scope.
        scope.require(app.caller, Place(community_id=community_id, desk=Desk.HOTLINE), what="this community's tip-offs")
    return _similar(category.value, community_id)


@app.post("/tipoffs", access=ANY_SIGNED_IN, status_code=201, summary="Report a lead 我要上报疫情", tags=["tipoffs"])
def submit(body: TipoffIn) -> TipoffReceiptOut:
    if regions.county_of_community(body.community_id) != body.county_code:
        raise InvalidInput("community is not in that county", field="community_id")
    for key in body.photos:
        uploads().verify(key)
    if body.duplicate_of:
        earlier = tipoffs().find(body.duplicate_of)
        if earlier is None or (earlier.category, earlier.community_id) != (body.category.value, body.community_id):
            raise InvalidInput("not a tip-off of the same category in the same community", field="duplicate_of")
    caller = app.caller
    tipoff_id = "T" + secrets.token_hex(8)
    code = new_tracking_code()
    department = route(WorkOrderSource.TIPOFF, body.category.value)
    sealer = vault(settings().pii_key_id)
    tipoff = Tipoff(
        tipoff_id=tipoff_id,
        category=body.category.value,
        county_code=body.county_code,
        community_id=body.community_id,
        sealed_address=sealer.seal("tipoff.address", body.address),
        sealed_description=sealer.seal("tipoff.description", body.description),
        photos=tuple(body.photos),
        anonymous=body.anonymous,
        reporter_sub=None if body.anonymous else caller.sub,
        created_at=clock.iso(),
        order_id=order_id_for(WorkOrderSource.TIPOFF, tipoff_id),
        department=department.value if department else None,
        duplicate_of=body.duplicate_of,
        track_hash=tracking_hash(code),
    )
    likely = _similar(tipoff.category, tipoff.community_id, tipoff_id)
    message = WorkOrderIntake(
        source=WorkOrderSource.TIPOFF,
        source_ref=tipoff_id,
        type=WorkOrderType.REPORT,
        category=tipoff.category,
        summary=body.description,  # the category is the order's category (a code the app labels)
        county_code=body.county_code,
        community_id=body.community_id,
        department=tipoff.department,
        requester_sub=tipoff.reporter_sub,
        address=body.address,
        attachments=list(body.photos),
        related_ref=body.duplicate_of,
        created_at=tipoff.created_at,
    )
    contracts.write_then_hand_over(
        settings().work_order_intake_queue_url, message, write=lambda: tipoffs().put(tipoff), undo=lambda: tipoffs().withdraw(tipoff), what="tip-off"
    )
    metrics.add_metric(name="TipoffsReported", unit="Count", value=1)
    logger.info(
        "tip-off reported", extra={"tipoff_id": tipoff_id, "category": tipoff.category, "community_id": tipoff.community_id, "anonymous": body.anonymous}
    )
    return TipoffReceiptOut.model_validate(
        {
            **_view(tipoff).model_dump(),
            "tracking_code": code,
            "likely_duplicates": likely,
            "message": "举报已受理 Your tip-off has been received; keep the tracking code to follow it.",
            **texts.fields("message", TextCode.TIPOFF_RECEIVED),
        }
    )


def _view(tipoff: Tipoff, *, staff: bool = False) -> TipoffOut:
    """What the reporter sees: their tip-off and the progress of its work order. Staff see the same with any
    phone or ID number typed into the description masked."""
    order = hotline().store.find(tipoff.order_id)
    service = hotline()
    sealer = vault(settings().pii_key_id)
    progress = service.citizen_view(order, clock.now()) if order else None
    return TipoffOut.model_validate(
        {
            "tipoff_id": tipoff.tipoff_id,
            "category": tipoff.category,
            "category_label": CATEGORY_LABELS[TipoffCategory(tipoff.category)],
            "county_code": tipoff.county_code,
            "community_id": tipoff.community_id,
            "address": sealer.open("tipoff.address", tipoff.sealed_address),
            "description": (redact_text if staff else str)(sealer.open("tipoff.description", tipoff.sealed_description)),
            "photos": len(tipoff.photos),
            "anonymous": tipoff.anonymous,
            "created_at": tipoff.created_at,
            "duplicate_of": tipoff.duplicate_of,
            "department": tipoff.department,
            "department_label": department_label(tipoff.department),
            "order_id": tipoff.order_id,
            "status": order.status.value if order else "submitted",
            "order": progress,
        }
    )


@app.get("/tipoffs/mine", access=ANY_SIGNED_IN, summary="My tip-offs and their progress, newest first 我的举报", tags=["tipoffs"])
def mine(limit: paging.Limit = 20, cursor: paging.Cursor = None) -> paging.Page[TipoffRowOut]:
    found, last = tipoffs().of_reporter(app.caller.sub, limit, app.page_start(cursor))
    orders = hotline().store.get_many([tipoff.order_id for tipoff in found])
    rows = [
        TipoffRowOut(
            tipoff_id=tipoff.tipoff_id,
            category=TipoffCategory(tipoff.category),
            category_label=CATEGORY_LABELS[TipoffCategory(tipoff.category)],
            community_id=tipoff.community_id,
            created_at=tipoff.created_at,
            order_id=tipoff.order_id,
            status=orders[tipoff.order_id].status.value if tipoff.order_id in orders else "submitted",
            department=tipoff.department,
            department_label=department_label(tipoff.department),
        )
        for tipoff in found
    ]
    return app.page(rows, last)


@app.post("/tipoffs/track", access=ANY_SIGNED_IN, summary="Follow a tip-off with its tracking code (anonymous too) 查询进度", tags=["tipoffs"])
def track(body: TrackIn) -> TipoffOut:
    return _view(tipoffs().by_tracking_code(body.code))


@app.get(
    "/tipoffs/<tipoff_id>",
    access=ANY_SIGNED_IN,
    summary="One tip-off: its reporter, or hotline staff 线索详情",
    tags=["tipoffs"],
)
def get_tipoff(tipoff_id: Annotated[str, Path(pattern=TIPOFF_ID)]) -> TipoffOut:
    tipoff = tipoffs().get(tipoff_id)
    if tipoff.reporter_sub != app.caller.sub:
        # Not the reporter: hotline staff, or a handler of the unit the tip-off was routed to.
        place = Place(
            county_code=tipoff.county_code,
            community_id=tipoff.community_id,
            department=tipoff.department or Department.HOTLINE_CENTER.value,
            desk=Desk.HOTLINE,
        )
        scope.require(app.caller, place, what="this tip-off")
        return _view(tipoff, staff=True)
    return _view(tipoff)


lambda_handler = api.handler(app)
