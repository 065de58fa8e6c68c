"""Gate rules (通行规则): pass or stop from the health-code colour and the body temperature.

Everything here is pure: plain values in, plain values out, no AWS and no clock reads (the caller passes
the instants), so the rules are tested directly and the same function decides online and on late sync.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from sanmenxia.errors import InvalidInput
from sanmenxia.holds import CodeColor


class CheckpointKind(StrEnum):
    """Kinds of checkpoint (检测点类型)."""

    VILLAGE_ENTRANCE = "village_entrance"  # 村口
    RESIDENTIAL_COMPOUND = "residential_compound"  # 小区门口
    HIGHWAY_EXIT = "highway_exit"  # 高速出口
    STATION = "station"  # 车站
    MARKET = "market"  # 农贸市场/商超
    ENTERPRISE = "enterprise"  # 企业
    HOSPITAL = "hospital"  # 医院
    PUBLIC_BUILDING = "public_building"  # 机关/公共场所
    OTHER = "other"  # 其他


class Direction(StrEnum):
    IN = "in"  # 进
    OUT = "out"  # 出


class ScanMethod(StrEnum):
    """How the gate identified the person."""

    QR = "qr"  # 扫健康码
    ID_CARD = "id_card"  # 刷身份证 (the number the card reader yields)
    TYPED = "typed"  # 手工录入身份证号


class Decision(StrEnum):
    PASS = "pass"  # noqa: S105 - 放行, not a password
    STOP = "stop"  # 劝返/拦截


class StopReason(StrEnum):
    """Why a person was stopped, most serious first."""

    FEVER = "fever"  # 发热
    RED_CODE = "red_code"  # 红码
    YELLOW_CODE = "yellow_code"  # 黄码
    NO_HEALTH_CODE = "no_health_code"  # 无健康码


#: What the gate shows for each reason (the person is standing in front of the staff member).
REASON_TEXT: dict[StopReason | None, str] = {
    None: "绿码,体温正常,放行 green code, normal temperature",
    StopReason.FEVER: "体温异常,请到发热门诊就诊 fever: go to a fever clinic",
    StopReason.RED_CODE: "红码,不得通行 red code: may not pass",
    StopReason.YELLOW_CODE: "黄码,今日打卡后转绿 yellow code: check in today to turn green",
    StopReason.NO_HEALTH_CODE: "无健康码,请先申领 no health code: apply in the app first",
}


class Advice(StrEnum):
    """What the gate tells the person, as a stable code (the screens hold the words; ``ADVICE_TEXT`` is
    the server's fallback). It follows the reason: a code yellow because of a fever hold never says
    "check in to turn green"."""

    PASS = "pass"  # noqa: S105 - 放行, not a password
    FEVER_CLINIC = "fever_clinic"  # 测温发热: 去发热门诊
    HOLD = "hold"  # 管控标记 (params: hold_kind, color): contact the community or appeal
    CHECK_IN_TODAY = "check_in_today"  # 黄码(未打卡): 今日打卡转绿
    CHECK_IN_THREE_DAYS = "check_in_three_days"  # 红码(未打卡): 连续三天打卡转绿
    APPLY_FOR_CODE = "apply_for_code"  # 无健康码: 先申领


ADVICE_TEXT: dict[Advice, str] = {
    Advice.PASS: "绿码,体温正常,放行 green code, normal temperature",
    Advice.FEVER_CLINIC: "体温异常,请到发热门诊就诊 fever: go to a fever clinic",
    Advice.HOLD: "健康码有管控标记,请联系所在社区或申诉 the code carries a hold: contact your community or appeal",
    Advice.CHECK_IN_TODAY: "黄码,今日打卡后转绿 yellow code: check in today to turn green",
    Advice.CHECK_IN_THREE_DAYS: "红码,连续三天打卡后转绿,不得通行 red code: may not pass; three days of check-ins turn it green",
    Advice.APPLY_FOR_CODE: "无健康码,请先申领 no health code: apply in the app first",
}


def advice(reasons: tuple[StopReason, ...], hold_kind: str | None) -> dict[str, Any]:
    """The advice matching the main reason: ``{"code": ..., "params": {...}}`` (no sentence).

    ``hold_kind`` is the kind of the active hold that sets the colour, when a hold (not the check-in rule)
    made the code yellow or red."""
    main = reasons[0] if reasons else None
    if main is None:
        return {"code": Advice.PASS.value, "params": {}}
    if main is StopReason.FEVER:
        return {"code": Advice.FEVER_CLINIC.value, "params": {}}
    if main is StopReason.NO_HEALTH_CODE:
        return {"code": Advice.APPLY_FOR_CODE.value, "params": {}}
    color = "red" if main is StopReason.RED_CODE else "yellow"
    if hold_kind:
        return {"code": Advice.HOLD.value, "params": {"hold_kind": hold_kind, "color": color}}
    code = Advice.CHECK_IN_THREE_DAYS if main is StopReason.RED_CODE else Advice.CHECK_IN_TODAY
    return {"code": code.value, "params": {"color": color}}


MIN_TEMPERATURE = Decimal("30.0")
MAX_TEMPERATURE = Decimal("45.0")


@dataclass(frozen=True)
class GateRules:
    """The settings of the gate: the fever line, which colours stop, how late a device may sync."""

    fever_threshold: Decimal = Decimal("37.3")
    stop_colors: frozenset[CodeColor] = frozenset({CodeColor.YELLOW, CodeColor.RED})
    max_late: timedelta = timedelta(days=3)
    max_clock_skew: timedelta = timedelta(minutes=5)


DEFAULT_RULES = GateRules()


@dataclass(frozen=True)
class Verdict:
    """The gate's decision with every reason that applies, most serious first."""

    decision: Decision
    reasons: tuple[StopReason, ...]
    fever: bool

    @property
    def reason(self) -> str:
        """The main reason code (``ok`` when the person passes)."""
        return self.reasons[0].value if self.reasons else "ok"

    @property
    def message(self) -> str:
        return REASON_TEXT[self.reasons[0] if self.reasons else None]

    @property
    def needs_follow_up(self) -> bool:
        """A fever or a red code at a gate starts a fever hold and a key-person candidate."""
        return self.fever or StopReason.RED_CODE in self.reasons


def temperature(value: float | Decimal | str, *, field: str = "temperature") -> Decimal:
    """A body temperature in °C, rounded to 0.1; outside 30–45 °C is a reading error (4xx)."""
    try:
        reading = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    except ArithmeticError as exc:
        raise InvalidInput("temperature must be a number of °C", field=field) from exc
    if not reading.is_finite() or not MIN_TEMPERATURE <= reading <= MAX_TEMPERATURE:
        raise InvalidInput("temperature must be between 30.0 and 45.0 °C: re-measure", field=field)
    return reading


def decide(color: CodeColor | None, body_temperature: Decimal, rules: GateRules = DEFAULT_RULES) -> Verdict:
    """Pass or stop. ``color`` is ``None`` when the person has no health code."""
    reasons: list[StopReason] = []
    fever = body_temperature >= rules.fever_threshold
    if fever:
        reasons.append(StopReason.FEVER)
    if color is None:
        reasons.append(StopReason.NO_HEALTH_CODE)
    elif color in rules.stop_colors:
        reasons.append(StopReason.RED_CODE if color is CodeColor.RED else StopReason.YELLOW_CODE)
    return Verdict(Decision.STOP if reasons else Decision.PASS, tuple(reasons), fever)


def scan_time(scanned_at: datetime | None, received_at: datetime, rules: GateRules = DEFAULT_RULES) -> datetime:
    """The instant a scan happened: the device's time (kept on late sync), checked against the server's.

    A device may sync up to ``max_late`` after the scan; a time ahead of the server by more than the
    tolerated clock skew is refused, so a device cannot book scans into the future.
    """
    if scanned_at is None:
        return received_at
    if scanned_at.tzinfo is None:
        raise InvalidInput("scanned_at needs a time zone, e.g. 2020-02-25T08:30:00+08:00", field="scanned_at")
    if scanned_at > received_at + rules.max_clock_skew:
        raise InvalidInput("scanned_at is in the future: check the device clock", field="scanned_at")
    if scanned_at < received_at - rules.max_late:
        raise InvalidInput(f"scanned_at is older than {rules.max_late.days} days: too late to sync", field="scanned_at")
    return scanned_at


# -- vehicle plates (车牌) ------------------------------------------------------------------------------
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE = re.compile(rf"^[{_PROVINCES}][A-Z][A-HJ-NP-Z0-9]{{4,5}}[A-HJ-NP-Z0-9挂学警]$")


def normalize_plate(raw: str) -> str:
    """``豫m·12345`` → ``豫M12345``; raise ``InvalidInput`` if it is not a mainland plate."""
    value = re.sub(r"[\s·•.-]", "", raw).upper()
    if not _PLATE.match(value):
        raise InvalidInput("not a vehicle plate like 豫M12345", field="vehicle_plate")
    return value


def plate_region(plate: str) -> str:
    """The issuing region (province character and city letter), e.g. ``鄂A``: kept in clear for statistics."""
    return plate[:2]


def mask_plate(plate: str) -> str:
    """``豫M12345`` → ``豫M***45``."""
    return plate[:2] + "*" * (len(plate) - 4) + plate[-2:]
