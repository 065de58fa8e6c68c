"""Tip-offs (我要上报疫情): anyone signed in reports a lead in one of ten categories, with a place, a
description, optional photos and optional anonymity; every tip-off becomes a 12345 work order through
``WorkOrderIntakeQueue``; the reporter (or, anonymously, the holder of the tracking code) follows it."""

from __future__ import annotations

import functools
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import Field

from sanmenxia import api, aws, clock, paging
from sanmenxia.auth import ANY_SIGNED_IN, PUBLIC
from sanmenxia.hotline.routing import CATEGORY_LABELS, TIPOFF_ROUTES, Department, TipoffCategory
from sanmenxia.hotline.service import Hotline
from sanmenxia.hotline.sla import SlaPolicy
from sanmenxia.hotline.store import WorkOrderStore
from sanmenxia.hotline.uploads import PhotoUploads
from sanmenxia.hotline.views import OrderCitizenOut
from sanmenxia.models import CommunityId, CountyCode, LongText, RequestModel, ResponseModel, ShortText
from sanmenxia.observability import logger
from sanmenxia.services import audit_log, vault
from sanmenxia.settings import FunctionSettings
from sanmenxia.tipoffs.public import ReportStore, person_key
from sanmenxia.tipoffs.service import NewTipoff, Tipoffs
from sanmenxia.tipoffs.store import TipoffStore

TIPOFF_ID = r"^T[0-9a-f]{16}$"


class Settings(FunctionSettings):
    tipoffs_table: str
    work_orders_table: str
    hotline_figures_table: str
    audit_table: str
    pii_key_id: str
    uploads_bucket: str
    work_order_intake_queue_url: str
    tipoff_rate_per_hour: int = Field(default=10, ge=1, le=100, description="tip-offs per person per clock hour")


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


@functools.cache
def service() -> Tipoffs:
    config = settings()
    return Tipoffs(
        tipoffs(),
        hotline(),
        vault(config.pii_key_id),
        uploads(),
        config.work_order_intake_queue_url,
        reports=reports(),
        rate_per_hour=config.tipoff_rate_per_hour,
    )


@functools.cache
def reports() -> ReportStore:
    return ReportStore(aws.client("dynamodb"), settings().tipoffs_table)


app = api.PlatformResolver(title="Tip-offs 我要上报疫情")


class PhotoIn(RequestModel):
    content_type: Annotated[str, Field(min_length=1, max_length=100, examples=["image/jpeg"])]
    size: Annotated[int, Field(description="bytes", examples=[350_000])]


class PinIn(RequestModel):
    """A map pin (WGS-84 degrees), inside Sanmenxia."""

    latitude: Annotated[float, Field(ge=-90, le=90, examples=[34.77])]
    longitude: Annotated[float, Field(ge=-180, le=180, examples=[111.19])]


class TipoffIn(RequestModel):
    category: TipoffCategory
    county_code: CountyCode
    community_id: CommunityId
    address: ShortText
    description: LongText
    photos: list[Annotated[str, Field(max_length=80)]] = Field(default_factory=list, max_length=3)
    anonymous: bool = False
    duplicate_of: Annotated[str | None, Field(default=None, pattern=TIPOFF_ID, description="a likely duplicate this repeats")] = None
    location: PinIn | None = Field(default=None, description="where it is, pinned on the map (shown publicly rounded to about 1 km)")


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
    location: dict[str, Any] | None = Field(default=None, description="the pin the reporter set (exact: for the reporter and staff only)")
    report_id: str | None = Field(default=None, description="the tip-off's entry on the public map")
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


@app.get("/tipoffs/similar", access=ANY_SIGNED_IN, summary="Likely duplicates before reporting 疑似重复线索", tags=["tipoffs"])
def similar(category: Annotated[TipoffCategory, Query()], community_id: Annotated[CommunityId, Query()]) -> list[SimilarTipoffOut]:
    return [SimilarTipoffOut.model_validate(row) for row in service().similar_for(app.caller, category.value, community_id, clock.now())]


@app.post("/tipoffs", access=ANY_SIGNED_IN, status_code=201, summary="Report a lead 我要上报疫情", tags=["tipoffs"])
def submit(body: TipoffIn) -> TipoffReceiptOut:
    pin = (body.location.latitude, body.location.longitude) if body.location else None
    return TipoffReceiptOut.model_validate(service().report(app.caller, NewTipoff(**body.model_dump(exclude={"location"}), location=pin), clock.now()))


@app.get("/tipoffs/mine", access=ANY_SIGNED_IN, summary="My tip-offs and their progress, newest first 我的举报", tags=["tipoffs"])
def mine(limit: paging.Limit = 20, cursor: paging.Cursor = None) -> paging.Page[TipoffRowOut]:
    rows, last = service().mine(app.caller, limit, app.page_start(cursor))
    return app.page([TipoffRowOut.model_validate(row) for row in rows], last)


@app.post("/tipoffs/track", access=ANY_SIGNED_IN, summary="Follow a tip-off with its tracking code (anonymous too) 查询进度", tags=["tipoffs"])
def track(body: TrackIn) -> TipoffOut:
    return TipoffOut.model_validate(service().tracked(body.code, clock.now()))


@app.get(
    "/tipoffs/<tipoff_id>",
    access=ANY_SIGNED_IN,
    summary="One tip-off: its reporter, or hotline staff 线索详情",
    tags=["tipoffs"],
)
def get_tipoff(tipoff_id: Annotated[str, Path(pattern=TIPOFF_ID)]) -> TipoffOut:
    return TipoffOut.model_validate(service().view_for(app.caller, tipoff_id, clock.now()))


# -- the public map (FixMyStreet) and "me too" ----------------------------------------------------------
ReportId = Annotated[str, Path(pattern=r"^R[0-9a-f]{16}$")]


class PublicReportOut(ResponseModel):
    """A report as anyone sees it on the map: no reporter, no address, no free text, the pin rounded, the day only."""

    report_id: str
    category: TipoffCategory
    category_label: str
    county_code: str
    community_id: str
    community: str
    day: str
    latitude: float | None = Field(default=None, description="rounded to 0.01° (about 1 km)")
    longitude: float | None = Field(default=None, description="rounded to 0.01° (about 1 km)")
    status: str = Field(description="the work order's status (submitted until the hotline has it)")
    status_group: Literal["open", "answered"]
    me_too: int = Field(description="people who said 'me too' 我也遇到")


class MeTooOut(ResponseModel):
    report_id: str
    me_too: int
    counted: bool = Field(description="false when this person had said 'me too' already (counted once per person)")


@app.get("/tipoffs/map", access=PUBLIC, summary="The public map and list of reports by status, no personal data 线索地图", tags=["tipoffs"])
def public_map(
    status: Annotated[Literal["open", "answered"] | None, Query(description="open: not yet answered; answered: replied or closed")] = None,
    category: Annotated[TipoffCategory | None, Query()] = None,
    county_code: Annotated[CountyCode | None, Query()] = None,
    community_id: Annotated[CommunityId | None, Query()] = None,
    limit: paging.Limit = 50,
    cursor: paging.Cursor = None,
) -> paging.Page[PublicReportOut]:
    start = app.page_start(cursor)
    rows, last_key = service().public_map(status, category.value if category else None, county_code, community_id, limit=limit, start=start)
    return app.page([PublicReportOut.model_validate(row) for row in rows], last_key)


@app.post(
    "/tipoffs/map/<report_id>/me-too",
    access=ANY_SIGNED_IN,
    summary="'Me too' on an existing report instead of a new one, counted once per person 我也遇到",
    tags=["tipoffs"],
)
def me_too(report_id: ReportId) -> MeTooOut:
    now = clock.now()
    count, counted = reports().me_too(report_id, person_key(app.caller.sub), clock.iso(now), int(now.timestamp()) + settings().personal_record_days * 86400)
    logger.info("me too", extra={"report_id": report_id, "counted": counted})
    return MeTooOut(report_id=report_id, me_too=count, counted=counted)


lambda_handler = api.handler(app)
