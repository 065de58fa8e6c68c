"""Tip-offs (我要上报疫情): anyone signed in reports a lead in one of ten categories, with a place, a
description, optional photos and optional anonymity; every tip-off becomes a 12345 work order through
``WorkOrderIntakeQueue``; the reporter (or, anonymously, the holder of the tracking code) follows it."""

from __future__ import annotations

import functools
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import Field

from sanmenxia import api, aws, clock
from sanmenxia.auth import ANY_SIGNED_IN, PUBLIC
from sanmenxia.hotline.routing import CATEGORY_LABELS, TIPOFF_ROUTES, TipoffCategory
from sanmenxia.hotline.service import Hotline
from sanmenxia.hotline.sla import SlaPolicy
from sanmenxia.hotline.store import WorkOrderStore
from sanmenxia.hotline.uploads import PhotoUploads
from sanmenxia.models import CommunityId, CountyCode, LongText, RequestModel, ShortText
from sanmenxia.services import audit_log, vault
from sanmenxia.settings import FunctionSettings
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
    return Tipoffs(tipoffs(), hotline(), vault(config.pii_key_id), uploads(), config.work_order_intake_queue_url)


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


@app.get("/tipoffs/categories", access=PUBLIC, summary="The ten categories and who handles them 线索类别", tags=["tipoffs"])
def categories() -> list[dict[str, Any]]:
    return [
        {
            "category": category.value,
            "label": CATEGORY_LABELS[category],
            "department": TIPOFF_ROUTES[category].value,
            "department_label": TIPOFF_ROUTES[category].label,
        }
        for category in TipoffCategory
    ]


@app.post("/tipoffs/photos", access=ANY_SIGNED_IN, status_code=201, summary="Prepare a photo upload (presigned POST) 上传照片", tags=["tipoffs"])
def prepare_photo(body: PhotoIn) -> dict[str, Any]:
    return uploads().presign(body.content_type, body.size)


@app.get("/tipoffs/similar", access=ANY_SIGNED_IN, summary="Likely duplicates before reporting 疑似重复线索", tags=["tipoffs"])
def similar(category: Annotated[TipoffCategory, Query()], community_id: Annotated[CommunityId, Query()]) -> list[dict[str, Any]]:
    return service().similar_for(app.caller, category.value, community_id, clock.now())


@app.post("/tipoffs", access=ANY_SIGNED_IN, status_code=201, summary="Report a lead 我要上报疫情", tags=["tipoffs"])
def submit(body: TipoffIn) -> dict[str, Any]:
    return service().report(app.caller, NewTipoff(**body.model_dump()), clock.now())


@app.get("/tipoffs/mine", access=ANY_SIGNED_IN, summary="My tip-offs and their progress 我的举报", tags=["tipoffs"])
def mine() -> list[dict[str, Any]]:
    return service().mine(app.caller)


@app.post("/tipoffs/track", access=ANY_SIGNED_IN, summary="Follow a tip-off with its tracking code (anonymous too) 查询进度", tags=["tipoffs"])
def track(body: TrackIn) -> dict[str, Any]:
    return service().tracked(body.code, clock.now())


@app.get(
    "/tipoffs/<tipoff_id>",
    access=ANY_SIGNED_IN,
    summary="One tip-off: its reporter, or hotline staff 线索详情",
    tags=["tipoffs"],
)
def get_tipoff(tipoff_id: Annotated[str, Path(pattern=TIPOFF_ID)]) -> dict[str, Any]:
    return service().view_for(app.caller, tipoff_id, clock.now())


lambda_handler = api.handler(app)
