"""Time limits of work orders (办理时限) by type, as settings.

Two limits per type, counted in clock hours (the epidemic hotline works around the clock, weekends too):

* ``accept_hours``: from dispatch to the unit's acceptance (签收); late acceptance lowers the response rate;
* ``reply_hours``: from receipt to the reply to the citizen (答复); an open order past it is overdue (超期).

An overdue order is escalated (督办): level 1 when it falls overdue (the unit's head is asked to act), level 2
``escalate_every_hours`` later (the command headquarters supervises). The defaults are the epidemic-time
limits; a deployment overrides them with the ``HOTLINE_SLA`` environment variable (JSON of ``SlaPolicy``).

An urgent order (加急) has its own limits, ``urgent`` (the same two hours, for every type); a unit may ask for
more time (延期) up to ``max_extension_hours`` at once and ``max_extensions`` times per order, and only the
operator's approval moves the limit.

Worked example with the defaults: a help request (求助, 12 h to reply) received at 09:00 is overdue from
21:00, marked so by the hourly sweep at 21:05, and escalated to headquarters at 21:05 the next day if still
unanswered.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from sanmenxia.contracts import WorkOrderType


class SlaRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    accept_hours: float = Field(gt=0, le=24 * 30)
    reply_hours: float = Field(gt=0, le=24 * 60)


def _default_rules() -> dict[WorkOrderType, SlaRule]:
    return {
        WorkOrderType.HELP_REQUEST: SlaRule(accept_hours=1, reply_hours=12),
        WorkOrderType.REPORT: SlaRule(accept_hours=2, reply_hours=24),
        WorkOrderType.CONSULTATION: SlaRule(accept_hours=4, reply_hours=24),
        WorkOrderType.COMPLAINT: SlaRule(accept_hours=8, reply_hours=72),
    }


class SlaPolicy(BaseModel):
    """Time limits by type and the escalation rhythm."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: dict[WorkOrderType, SlaRule] = Field(default_factory=_default_rules)
    escalate_every_hours: float = Field(default=24, gt=0)
    max_escalation: int = Field(default=2, ge=1, le=5)
    urgent: SlaRule = Field(default_factory=lambda: SlaRule(accept_hours=0.5, reply_hours=4), description="limits of an urgent order 加急")
    max_extension_hours: float = Field(default=72, gt=0, le=24 * 30, description="hours one extension may add 延期")
    max_extensions: int = Field(default=2, ge=0, le=10, description="extensions granted per order at most")

    def rule(self, kind: WorkOrderType, *, urgent: bool = False) -> SlaRule:
        """The rule for ``kind`` (a type missing from an override falls back to the default rule); an urgent
        order's rule is the urgent one."""
        if urgent:
            return self.urgent
        return self.rules.get(kind) or _default_rules()[kind]

    def reply_due(self, kind: WorkOrderType, received_at: datetime, *, urgent: bool = False) -> datetime:
        """When the citizen must have had a reply."""
        return received_at + timedelta(hours=self.rule(kind, urgent=urgent).reply_hours)

    def accept_due(self, kind: WorkOrderType, dispatched_at: datetime, *, urgent: bool = False) -> datetime:
        """When the unit must have accepted an order dispatched at ``dispatched_at``."""
        return dispatched_at + timedelta(hours=self.rule(kind, urgent=urgent).accept_hours)

    def next_escalation(self, escalated_at: datetime) -> datetime:
        return escalated_at + timedelta(hours=self.escalate_every_hours)
