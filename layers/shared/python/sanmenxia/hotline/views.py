"""The declared shapes of a work order as the API answers it (``Hotline.citizen_view``, ``staff_view`` and
``summary_row``), shared by the hotline and the platforms whose records become work orders (tip-offs)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from sanmenxia.contracts import WorkOrderSource, WorkOrderType
from sanmenxia.hotline.rules import Action, Status
from sanmenxia.models import ResponseModel


class OrderProgressOut(ResponseModel):
    """One step of an order as its citizen sees it (no staff names)."""

    action: Action
    status: Status
    at: str
    department: str | None = Field(default=None, description="the unit's label")


class _OrderOut(ResponseModel):
    """What every view of a work order holds."""

    order_id: str
    type: WorkOrderType
    source: WorkOrderSource
    category: str | None = None
    category_label: str | None = None
    status: Status
    department: str | None = None
    department_label: str | None = None
    created_at: str
    updated_at: str
    due_at: str
    overdue: bool
    reply: str | None = None
    resolved: bool | None = None
    satisfaction: int | None = None
    merged_into: str | None = None


class OrderCitizenOut(_OrderOut):
    """A work order as the citizen who raised it sees it: progress, the reply, whether they can rate."""

    summary: str | None = Field(default=None, description="the citizen's own words, shown only to them")
    can_rate: bool
    progress: list[OrderProgressOut]


class OrderStepOut(ResponseModel):
    """One step of an order's history as staff see it."""

    action: Action
    status: Status
    at: str
    actor: str
    actor_role: str
    department: str | None = None
    note: str | None = None
    note_code: str | None = None
    note_params: dict[str, Any] | None = None


class AttachmentOut(ResponseModel):
    key: str
    url: str = Field(description="a short-lived presigned link to the photo")


class OrderStaffOut(_OrderOut):
    """A work order as staff see it: contact details masked (clear only for operators, who take the calls)."""

    replied_by: str | None = None
    summary: str | None = Field(default=None, description="phones and ID numbers typed into it masked, except for operators")
    county_code: str | None = None
    community_id: str | None = None
    person_id: str | None = Field(default=None, description="the citizen's opaque person id")
    address: str | None = Field(default=None, description="masked, except for operators")
    contact_phone: str | None = Field(default=None, description="masked, except for operators")
    contact_name: str | None = Field(default=None, description="masked, except for operators")
    anonymous: bool
    accept_due_at: str | None = None
    escalation_level: int
    related_order_id: str | None = None
    attachments: list[AttachmentOut]
    version: int
    steps: list[OrderStepOut]


class OrderRowOut(ResponseModel):
    """A row of a work-order list: no personal text at all."""

    order_id: str
    type: WorkOrderType
    source: WorkOrderSource
    category: str | None = None
    status: Status
    department: str | None = None
    community_id: str | None = None
    created_at: str
    due_at: str
    overdue: bool
    escalation_level: int
