"""Return to work (复工复产) as plain data: the enterprise registry, the resumption application with its
prevention plan, the employee roster and the roll-ups and statistics of code colours. Pure functions only.

Definitions the statistics use (the seed's "332 enterprises, 90% of above-scale enterprises resumed;
64,221 workers, 64.7% of those due back, held green codes"):

* an enterprise has **resumed** when its resumption application is approved by a commander;
* the **above-scale share** is resumed above-scale enterprises (规模以上) over all registered above-scale
  enterprises;
* the workers **due back** are the employees on the rosters of resumed enterprises;
* a worker **holds a green code** when today's shown colour (rule colour and holds) is green. An employee
  who is not registered as a resident, or has not applied for a code, counts as ``no_code`` — never green.

The city-wide figures add up each enterprise's stored roll-up (refreshed when its roster or status changes
and every hour), so reading them costs a query per county, not a read per worker; ``live`` statistics read
every roster's colours instead.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sanmenxia.errors import Conflict, InvalidInput
from sanmenxia.holds import CodeColor


class Industry(StrEnum):
    """Industry (行业) of an enterprise, after the national classification's sections."""

    AGRICULTURE = "agriculture"  # 农林牧渔业
    MINING = "mining"  # 采矿业
    MANUFACTURING = "manufacturing"  # 制造业
    FOOD_PROCESSING = "food_processing"  # 农副食品加工
    PHARMACEUTICAL = "pharmaceutical"  # 医药制造
    ENERGY = "energy"  # 电力、热力、燃气
    CONSTRUCTION = "construction"  # 建筑业
    LOGISTICS = "logistics"  # 交通运输、仓储和邮政
    WHOLESALE_RETAIL = "wholesale_retail"  # 批发和零售
    SERVICES = "services"  # 服务业
    OTHER = "other"  # 其他


class ResumptionStatus(StrEnum):
    NOT_APPLIED = "not_applied"  # 未申请
    PENDING = "pending"  # 待审批
    APPROVED = "approved"  # 已复工
    REJECTED = "rejected"  # 未通过


class Decision(StrEnum):
    APPROVE = "approve"  # 批准
    REJECT = "reject"  # 驳回


class PreventionMeasure(StrEnum):
    """Measures of a prevention plan (防控方案)."""

    TEMPERATURE_CHECKS = "temperature_checks"  # 每日测温
    MASKS = "masks"  # 佩戴口罩
    DISINFECTION = "disinfection"  # 定时消毒
    HEALTH_CODE_CHECK = "health_code_check"  # 上岗验码
    ISOLATION_ROOM = "isolation_room"  # 设立隔离观察室
    STAGGERED_SHIFTS = "staggered_shifts"  # 错峰上下班
    SEPARATE_MEALS = "separate_meals"  # 分餐错峰就餐
    VENTILATION = "ventilation"  # 通风换气
    CLOSED_MANAGEMENT = "closed_management"  # 封闭管理
    VISITOR_REGISTRATION = "visitor_registration"  # 外来人员登记


#: What every plan must contain to be approvable.
REQUIRED_MEASURES = frozenset(
    {PreventionMeasure.TEMPERATURE_CHECKS, PreventionMeasure.MASKS, PreventionMeasure.DISINFECTION, PreventionMeasure.HEALTH_CODE_CHECK}
)


class RosterColour(StrEnum):
    """An employee's code as the enterprise sees it."""

    GREEN = "green"  # 绿码
    YELLOW = "yellow"  # 黄码
    RED = "red"  # 红码
    NO_CODE = "no_code"  # 未申领或未登记


@dataclass(frozen=True)
class Enterprise:
    enterprise_id: str
    name: str
    county_code: str
    industry: Industry
    above_scale: bool
    status: ResumptionStatus
    resumed_on: str | None
    created_at: str
    roll_up: Mapping[str, Any] | None = None

    @property
    def resumed(self) -> bool:
        return self.status is ResumptionStatus.APPROVED

    def to_json(self) -> dict[str, Any]:
        return {
            "enterprise_id": self.enterprise_id,
            "name": self.name,
            "county_code": self.county_code,
            "industry": self.industry.value,
            "above_scale": self.above_scale,
            "resumption_status": self.status.value,
            "resumed_on": self.resumed_on,
            "created_at": self.created_at,
            "roster": dict(self.roll_up) if self.roll_up else None,
        }


@dataclass(frozen=True)
class RosterEntry:
    """One employee on a roster: an opaque id, the HMAC look-up key of the ID number, a masked name."""

    employee_id: str
    id_key: str
    masked_name: str
    person_id: str | None
    added_at: str


def employee_id(enterprise_id: str, id_key: str) -> str:
    """The employee's id on one roster: stable (uploading again is idempotent) and different per enterprise,
    so two enterprises cannot match their rosters by it."""
    return hashlib.sha256(f"{enterprise_id}:{id_key}".encode()).hexdigest()[:16]


def check_plan(measures: Iterable[PreventionMeasure], planned_date: date, today: date) -> None:
    """A plan must carry the required measures and a start date that is not in the past."""
    missing = sorted(measure.value for measure in REQUIRED_MEASURES - set(measures))
    if missing:
        raise InvalidInput(f"missing required measures: {', '.join(missing)}", field="prevention_plan.measures")
    if planned_date < today:
        raise InvalidInput("must not be in the past", field="planned_date")


def next_status(current: ResumptionStatus, decision: Decision | None) -> ResumptionStatus:
    """Apply (``decision`` None) or decide. Applying is allowed unless pending or resumed; deciding needs a
    pending application."""
    if decision is None:
        if current in {ResumptionStatus.PENDING, ResumptionStatus.APPROVED}:
            raise Conflict(f"the enterprise's resumption is already {current.value}", field="enterprise_id")
        return ResumptionStatus.PENDING
    if current is not ResumptionStatus.PENDING:
        raise Conflict(f"no pending application to decide (status {current.value})", field="enterprise_id")
    return ResumptionStatus.APPROVED if decision is Decision.APPROVE else ResumptionStatus.REJECTED


def roster_colour(color: CodeColor | None) -> RosterColour:
    return RosterColour.NO_CODE if color is None else RosterColour(color.value)


def roll_up(colours: Iterable[RosterColour], at: str | None = None) -> dict[str, Any]:
    """Counts of a roster's colours, with the green share (None for an empty roster) and, when given, the time
    the colours were read (``as_of``)."""
    counts = Counter(colours)
    total = sum(counts.values())
    body: dict[str, Any] = {"employees": total, **{colour.value: counts.get(colour, 0) for colour in RosterColour}}
    body["green_share"] = round(counts.get(RosterColour.GREEN, 0) / total, 4) if total else None
    if at:
        body["as_of"] = at
    return body


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def statistics(enterprises: Iterable[Enterprise], counts_by_enterprise: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The seed's figures (see the module docstring) over ``enterprises``; ``counts_by_enterprise`` holds a
    ``roll_up`` of the roster of (at least) every resumed enterprise. A resumed enterprise without one counts
    no workers and is listed under ``workers.without_roll_up``."""
    listed = list(enterprises)
    above = [e for e in listed if e.above_scale]
    resumed = [e for e in listed if e.resumed]
    workers = {name: 0 for name in ("employees", *(colour.value for colour in RosterColour))}
    missing = []
    for enterprise in resumed:
        counts = counts_by_enterprise.get(enterprise.enterprise_id)
        if counts is None:
            missing.append(enterprise.enterprise_id)
            continue
        for name in workers:
            workers[name] += int(counts.get(name, 0))
    return {
        "enterprises": {
            "registered": len(listed),
            "resumed": len(resumed),
            "pending": sum(1 for e in listed if e.status is ResumptionStatus.PENDING),
            "above_scale": len(above),
            "above_scale_resumed": sum(1 for e in above if e.resumed),
            "above_scale_resumed_share": _share(sum(1 for e in above if e.resumed), len(above)),
        },
        "workers": {
            "due_back": workers["employees"],
            "green": workers[RosterColour.GREEN.value],
            "green_share": _share(workers[RosterColour.GREEN.value], workers["employees"]),
            "yellow": workers[RosterColour.YELLOW.value],
            "red": workers[RosterColour.RED.value],
            "no_code": workers[RosterColour.NO_CODE.value],
        },
        "without_roll_up": missing,
    }
