"""Key persons (疫情信息 / 重点人员): lifecycle, control measures, holds and supervision staleness. Pure rules.

A key-person record is one person under one control episode:

* ``pending`` (待核实): a candidate from another platform (checkpoint fever, co-travel "register me",
  comparison-list hit, self-report) waiting for the community head; the source platform holds the code.
* ``active`` (管控中): confirmed with a control measure; holds the health code (``KEY_PERSON``, plus
  ``ISOLATION`` while the measure isolates) and needs a follow-up record every day.
* ``released`` (解除管控) / ``dismissed`` (排除): closed; holds lifted.

Supervision (督办): at each daily close, every record that was active (or pending) on the day and has no
follow-up (or review) dated that day goes on the county's supervision list for that day. Registration is
not a follow-up: the head records the person's condition on the day they register them too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from sanmenxia import texts
from sanmenxia.contracts import KeyPersonCategory
from sanmenxia.errors import Conflict, InvalidInput
from sanmenxia.holds import HoldKind
from sanmenxia.texts import TextCode

#: Planned release after this many days unless the head sets another date (a setting of the function).
DEFAULT_OBSERVATION_DAYS = 14
#: Follow-up days a record keeps behind today (and, while the daily close has days to catch up, every day since).
MAX_CATCH_UP_DAYS = 31

CATEGORY_LABELS: dict[KeyPersonCategory, str] = {
    KeyPersonCategory.FROM_OUTSIDE_CITY: "市外返回人员 returned from outside the city",
    KeyPersonCategory.FROM_HUBEI: "湖北返回人员 returned from Hubei",
    KeyPersonCategory.FROM_WUHAN: "武汉返回人员 returned from Wuhan",
    KeyPersonCategory.CLOSE_CONTACT: "密切接触者 close contact",
    KeyPersonCategory.FEVER_WITHOUT_CONTACT: "无接触史发热人员 fever without contact",
    KeyPersonCategory.SAME_PLACE: "同场所人员 same place as a confirmed case",
    KeyPersonCategory.CONFIRMED_CASE: "确诊病例 confirmed case (positive lab result)",
}


class KeyPersonStatus(StrEnum):
    PENDING = "pending"  # 待核实
    ACTIVE = "active"  # 管控中
    RELEASED = "released"  # 解除管控
    DISMISSED = "dismissed"  # 排除

    @property
    def is_open(self) -> bool:
        return self in (KeyPersonStatus.PENDING, KeyPersonStatus.ACTIVE)


class KeyPersonSource(StrEnum):
    COMMUNITY = "community"  # 社区排查登记
    SELF_REPORT = "self_report"  # 居民自主填报
    CHECKPOINT = "checkpoint"  # 检测点
    HEALTH_CODE = "health_code"  # 健康码每日打卡(发热)
    TIPOFF = "tipoff"  # 群众举报
    CO_TRAVEL = "co_travel"  # 同行查询
    IMPORT = "import"  # 三方比对
    EXPOSURE = "exposure"  # 检测点暴露排查 (scans at a confirmed case's checkpoints)
    CONTACT = "contact"  # 密接登记 (registered as a contact of a key person)
    LAB = "lab"  # 核酸检测阳性 (a lab's positive result)


class MeasureKind(StrEnum):
    """Control measures (管控措施)."""

    HOME_ISOLATION = "home_isolation"  # 居家隔离
    CENTRALIZED_ISOLATION = "centralized_isolation"  # 集中隔离
    MEDICAL_OBSERVATION = "medical_observation"  # 医学观察
    HOSPITAL = "hospital"  # 住院治疗

    @property
    def needs_site(self) -> bool:
        return self in (MeasureKind.CENTRALIZED_ISOLATION, MeasureKind.HOSPITAL)

    @property
    def isolates(self) -> bool:
        return self in (MeasureKind.HOME_ISOLATION, MeasureKind.CENTRALIZED_ISOLATION, MeasureKind.HOSPITAL)


@dataclass(frozen=True)
class Measure:
    kind: MeasureKind
    site: str | None = None

    def validated(self) -> Measure:
        """Centralized isolation and hospital need the site (集中隔离点 / 医院); 400 naming ``measure.site``."""
        if self.kind.needs_site and not self.site:
            raise InvalidInput(f"{self.kind.value} needs the site", field="measure.site")
        return self

    def describe(self) -> str:
        return f"{self.kind.value} at {self.site}" if self.site else self.kind.value


def planned_release(start: date, days: int = DEFAULT_OBSERVATION_DAYS) -> date:
    """The planned release date: ``days`` full days after the start."""
    return start + timedelta(days=days)


def check_start_and_release(start: date, release: date, today: date) -> None:
    if start > today:
        raise InvalidInput("the start cannot be in the future", field="start_date")
    if release <= start:
        raise InvalidInput("the planned release must be after the start", field="planned_release")


#: What the head may do to a record in each status.
_ACTIONS: dict[str, frozenset[KeyPersonStatus]] = {
    "confirm": frozenset({KeyPersonStatus.PENDING}),
    "dismiss": frozenset({KeyPersonStatus.PENDING}),
    "follow_up": frozenset({KeyPersonStatus.ACTIVE}),
    "update": frozenset({KeyPersonStatus.PENDING, KeyPersonStatus.ACTIVE}),
    "release": frozenset({KeyPersonStatus.ACTIVE}),
}


def check_action(action: str, status: KeyPersonStatus) -> None:
    """Raise ``Conflict`` (naming ``status``) when ``action`` is not allowed for a record in ``status``."""
    if status not in _ACTIONS[action]:
        raise Conflict(f"cannot {action.replace('_', ' ')} a {status.value} key person", field="status")


@dataclass(frozen=True)
class HoldSpec:
    kind: HoldKind
    reason: str
    text: dict[str, Any] | None = field(default=None, hash=False)


def desired_holds(status: KeyPersonStatus, category: KeyPersonCategory, measure: Measure | None) -> list[HoldSpec]:
    """The holds a record should have on the person's code: only active records hold it."""
    if status is not KeyPersonStatus.ACTIVE:
        return []
    label = CATEGORY_LABELS[category]
    holds = [HoldSpec(HoldKind.KEY_PERSON, f"重点人员管控 Key person under control: {label}", texts.text(TextCode.KEY_PERSON_HOLD, category=category.value))]
    if measure is not None and measure.kind.isolates:
        said = texts.text(TextCode.ISOLATION_HOLD, measure=measure.kind.value)
        holds.append(HoldSpec(HoldKind.ISOLATION, f"隔离中 In isolation: {measure.kind.value}", said))
    return holds


class SupervisionReason(StrEnum):
    NO_FOLLOW_UP = "no_follow_up"  # 当日未更新
    UNREVIEWED = "unreviewed"  # 候选人员当日未核实


@dataclass(frozen=True)
class SupervisionView:
    """What the daily close knows of a record (read from the county index)."""

    kp_id: str
    status: KeyPersonStatus
    opened_on: date  # the day the record became active (or, pending, was created)
    follow_up_days: frozenset[date]


def stale_on(record: SupervisionView, day: date) -> SupervisionReason | None:
    """Why the record belongs on ``day``'s supervision list, or ``None`` when it does not.

    A record counts from the day it opened; an active one needs a follow-up dated ``day``; a pending one
    should have been reviewed (confirmed or dismissed) by the end of ``day``.
    """
    if record.opened_on > day:
        return None
    if record.status is KeyPersonStatus.ACTIVE:
        return None if day in record.follow_up_days else SupervisionReason.NO_FOLLOW_UP
    if record.status is KeyPersonStatus.PENDING:
        return SupervisionReason.UNREVIEWED
    return None


def days_to_close(watermark: date | None, today: date) -> list[date]:
    """The days the daily close still has to process, oldest first: from after the watermark to yesterday.

    Without a watermark only yesterday is closed; after an outage every missed day is, however many.
    """
    yesterday = today - timedelta(days=1)
    first = yesterday if watermark is None else watermark + timedelta(days=1)
    days = []
    day = first
    while day <= yesterday:
        days.append(day)
        day += timedelta(days=1)
    return days


def recent_days(days: Iterable[date], today: date, keep: int = MAX_CATCH_UP_DAYS, *, unclosed_from: date | None = None) -> set[date]:
    """Trim a record's follow-up days to the window the daily close can still look at: ``keep`` days behind
    today, and every day from ``unclosed_from`` (the first day the close has not processed yet) however old."""
    horizon = today - timedelta(days=keep + 1)
    if unclosed_from is not None:
        horizon = min(horizon, unclosed_from)
    return {day for day in days if day >= horizon}
