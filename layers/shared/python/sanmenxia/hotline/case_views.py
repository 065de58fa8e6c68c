"""The declared shape of a work order as staff see it after a case action (urgent, extension, joint handling):
``Hotline.staff_view`` with the photo links the route adds. Nested history and contact fields stay as the staff
view builds them."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from sanmenxia.contracts import WorkOrderSource, WorkOrderType
from sanmenxia.hotline.rules import Status
from sanmenxia.hotline.views import OrderStepOut
from sanmenxia.models import ResponseModel


class PhotoLinkOut(ResponseModel):
    key: str
    url: str = Field(description="a short-lived presigned link to the photo")


class ExtensionOut(ResponseModel):
    """The lead unit's pending request for more time (延期申请)."""

    department: str
    hours: float
    reason: str
    requested_at: str
    requested_by: str


class AssistOut(ResponseModel):
    """An assisting unit (协办单位) and its answer to the lead unit."""

    department: str
    label: str | None = None
    reply: str | None = None
    replied_at: str | None = None


class CaseOrderOut(ResponseModel):
    """A work order as staff see it: contact details masked unless the caller is an operator."""

    order_id: str
    type: WorkOrderType
    source: WorkOrderSource
    category: str | None = None
    category_label: str | None = None
    status: Status
    department: str | None = Field(default=None, description="the lead unit")
    department_label: str | None = None
    replied_by: str | None = None
    county_code: str | None = None
    community_id: str | None = None
    created_at: str
    updated_at: str
    due_at: str
    accept_due_at: str | None = None
    overdue: bool
    escalation_level: int
    urgent: bool
    extension: ExtensionOut | None = None
    extensions_granted: int
    assists: list[AssistOut]
    waiting_for: list[str] = Field(description="assisting units that have not answered the lead yet")
    summary: str | None = None
    reply: str | None = None
    reply_code: str | None = Field(default=None, description="a reply the system wrote, as a text code")
    reply_params: dict[str, Any] | None = None
    resolved: bool | None = None
    satisfaction: int | None = None
    merged_into: str | None = None
    related_order_id: str | None = None
    person_id: str | None = None
    address: str | None = None
    contact_phone: str | None = None
    contact_name: str | None = None
    anonymous: bool
    attachments: list[PhotoLinkOut]
    reply_photos: list[PhotoLinkOut]
    version: int
    steps: list[OrderStepOut]
