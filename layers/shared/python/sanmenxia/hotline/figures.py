"""Per-unit figures (单位考核指标) of the 12345 hotline.

Every state change adds to a unit's monthly counters (the month of the change, Asia/Shanghai), in the same
transaction as the change, so a dashboard reads one item per unit and month instead of scanning orders:

* ``assigned`` orders dispatched to the unit; ``accepted`` / ``accepted_on_time`` accepted, within the
  acceptance limit; ``returned`` handed back as not the unit's remit;
* ``replied`` / ``replied_on_time`` replies, before the order's reply limit; ``resolved`` replies that
  resolved the matter;
* ``rated``, ``rating_sum``, ``satisfied`` (a score of 4 or 5) from revisits and citizens' ratings;
* ``overdue`` orders that fell overdue while with the unit; ``closed`` orders closed.

Rates: response rate 响应率 = accepted_on_time / assigned; on-time rate 按时办结率 = replied_on_time / replied;
resolution rate 解决率 = resolved / replied; satisfaction 满意率 = satisfied / rated.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sanmenxia.clock import SHANGHAI
from sanmenxia.hotline.routing import Department
from sanmenxia.hotline.rules import Action, Step, WorkOrder

COUNTERS = (
    "assigned",
    "accepted",
    "accepted_on_time",
    "returned",
    "replied",
    "replied_on_time",
    "resolved",
    "rated",
    "rating_sum",
    "satisfied",
    "overdue",
    "closed",
)


def month_of(at: str) -> str:
    """``2020-02-25T17:00:00Z`` → ``2020-02`` (the month in Asia/Shanghai)."""
    return datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(SHANGHAI).strftime("%Y-%m")


def deltas(before: WorkOrder | None, after: WorkOrder) -> dict[str, int]:
    """What the last step of ``after`` adds to the counters of the unit it concerns (``step.department``)."""
    step = after.steps[-1]
    counts: dict[str, int] = {}
    if step.action is Action.DISPATCH:
        counts["assigned"] = 1
    elif step.action is Action.ACCEPT:
        counts["accepted"] = 1
        if before is not None and before.accept_due_at is not None and step.at <= before.accept_due_at:
            counts["accepted_on_time"] = 1
    elif step.action is Action.RETURN:
        counts["returned"] = 1
    elif step.action is Action.REPLY:
        counts["replied"] = 1
        counts["replied_on_time"] = int(step.at <= after.due_at)
        counts["resolved"] = int(bool(after.resolved))
    elif step.action in (Action.REVISIT, Action.RATE) and after.satisfaction is not None:
        if before is None or before.satisfaction is None:
            counts.update(rated=1, rating_sum=after.satisfaction, satisfied=int(after.satisfaction >= 4))
    elif step.action is Action.ESCALATE and after.escalation_level == 1:
        counts["overdue"] = 1
    elif step.action in (Action.CLOSE, Action.MERGE):
        counts["closed"] = 1
    return {name: value for name, value in counts.items() if value}


def unit_of(step: Step) -> str:
    """The unit a step is counted for; steps of orders still with the operators count for the centre."""
    return step.department or Department.HOTLINE_CENTER.value


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def rates(counters: Mapping[str, int]) -> dict[str, float | None]:
    """The four rates (``None`` when nothing was counted) and the average rating."""
    count = {name: int(counters.get(name, 0)) for name in COUNTERS}
    return {
        "response_rate": _rate(count["accepted_on_time"], count["assigned"]),
        "on_time_rate": _rate(count["replied_on_time"], count["replied"]),
        "resolution_rate": _rate(count["resolved"], count["replied"]),
        "satisfaction_rate": _rate(count["satisfied"], count["rated"]),
        "average_rating": round(count["rating_sum"] / count["rated"], 2) if count["rated"] else None,
    }
