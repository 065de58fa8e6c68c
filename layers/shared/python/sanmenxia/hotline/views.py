"""The declared shapes of a work order as the API answers it (``Hotline.citizen_view`` and ``summary_row``; the
staff view is ``case_views.CaseOrderOut``), shared by the hotline and the platforms whose records become work
orders (tip-offs)."""

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
    urgent: bool
    reply: str | None = None
    reply_code: str | None = Field(default=None, description="a reply the system wrote, as a text code")
    reply_params: dict[str, Any] | None = None
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
    urgent: bool
    extension_requested: bool
