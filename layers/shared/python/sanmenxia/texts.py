"""Texts the server writes for people to read, as stable codes with parameters (never sentences).

A response or a stored message carries ``<field>_code`` and ``<field>_params`` beside the old ``<field>``
sentence (kept for clients outside the app: the audit trail, exports, an operator's console); the app renders
``texts.<code>`` from its locale files with the parameters, so one screen shows one language. Parameters are
numbers, dates, identifiers or codes of the shared vocabularies (a colour, a category, a measure), never
words. ``TextCode`` is exported to ``web/src/vocabulary.json`` and the web build fails when a code has no
message in a locale (``web/scripts/check-i18n.mjs``).
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

Param = str | int | float


class TextCode(StrEnum):
    """Every code a server text can carry (the app's ``texts.<code>`` messages)."""

    # the health-code rule (健康码规则) behind the colour
    RULE_GREEN = "rule_green"  # 每日打卡正常
    RULE_YELLOW = "rule_yellow"  # 未按时打卡 (params: missed, red_after)
    RULE_RED = "rule_red"  # 连续打卡转绿 (params: left)
    # holds (管控标记) and why they were placed
    FEVER_DECLARED = "fever_declared"  # 申领时申报发热
    ISOLATION_DECLARED = "isolation_declared"  # 申领时申报隔离
    CHECK_IN_FEVER = "check_in_fever"  # 打卡体温异常 (params: temperature)
    CHECKPOINT_FEVER = "checkpoint_fever"  # 检测点测温发热 (params: temperature, at)
    CHECKPOINT_RED_CODE = "checkpoint_red_code"  # 红码在检测点被拦截 (params: at)
    KEY_PERSON_HOLD = "key_person_hold"  # 重点人员管控 (params: category)
    ISOLATION_HOLD = "isolation_hold"  # 隔离中 (params: measure)
    SELF_REPORT = "self_report"  # 居民自主填报 (params: category)
    SELF_REPORTED_FEVER = "self_reported_fever"  # 自报发热
    SELF_REPORTED_FEVER_TEMPERATURE = "self_reported_fever_temperature"  # 自报发热 (params: temperature)
    SELF_REPORTED_ISOLATION = "self_reported_isolation"  # 自报隔离 (params: isolation)
    CO_TRAVEL_HOLD = "co_travel_hold"  # 同行查询登记 (params: date, number, risk)
    IMPORTED_LIST_HOLD = "imported_list_hold"  # 三方比对 (params: name, note: the list's own words)
    LAB_POSITIVE_HOLD = "lab_positive_hold"  # 核酸检测阳性 (params: sampled_on)
    # key-person sources (线索来源)
    REGISTERED_BY_COMMUNITY = "registered_by_community"  # 社区登记
    # the inbox (消息通知)
    ORDER_ANSWERED = "order_answered"  # 12345 工单已答复 (params: order_id)
    HARDSHIP_PROGRESS = "hardship_progress"  # 困难诉求处理进展 (params: status, kind)
    HARDSHIP_NOTE = "hardship_note"  # (params: kind, note: the handler's words)
    CONTACT_VIEWED = "contact_viewed"  # 您的联系方式被查看
    CONTACT_VIEWED_DETAIL = "contact_viewed_detail"  # (params: staff, role, fields: comma-separated codes, order_id, note)
    CO_TRAVEL_ALERT = "co_travel_alert"  # 同行提醒 (params: date, number)
    CO_TRAVEL_MATCH = "co_travel_match"  # 行程与确诊病例相同 (params: risk)
    EXPOSURE_ALERT = "exposure_alert"  # 风险提醒:与确诊病例同场所
    EXPOSURE_MATCH = "exposure_match"  # 您经过的检测点有确诊病例同时段到访 (params: checkpoint: its name, at)
    # exposure from checkpoint scans (暴露排查), the candidate's source
    EXPOSURE_FOUND = "exposure_found"  # (params: checkpoint: its name, at, kind: close_contact | same_place)
    # the elder card (长辈码): a holder's colour changed, told to the household head
    ELDER_CARD_ALERT = "elder_card_alert"  # 家人健康码变化
    ELDER_CARD_COLOR = "elder_card_color"  # (params: color, relation: the holder's relation to the head)
    # 12345 work orders (工单)
    ORDER_OVERDUE = "order_overdue"  # 超期: 责任单位负责人督办
    ORDER_ESCALATED = "order_escalated"  # 超期督办 (params: level)
    # contacts registered on a key person (密接登记), the candidate's source
    CONTACT_OF = "contact_of"  # (params: kind: a ContactKind, date)
    # appeals (申诉)
    APPEAL_UPHELD = "appeal_upheld"  # 申诉成立,已解除标记 (params: note, the handler's words)
    APPEAL_KEPT = "appeal_kept"  # 申诉未获支持,标记保留 (params: note)
    # 12345: the reply of an order merged into another without a note of its own
    ORDER_MERGED = "order_merged"  # 并案处理 (params: order_id, the order it was merged into)
    # confirmations of what a resident sent
    TIPOFF_RECEIVED = "tipoff_received"  # 举报已受理
    HELP_MESSAGE_RECEIVED = "help_message_received"  # 留言已收到
    # a comparison list uploaded without a reason (the hold names only the list)
    IMPORTED_LIST_HOLD_NO_REASON = "imported_list_hold_no_reason"  # 三方比对名单 (params: name)


class FieldErrorCode(StrEnum):
    """Why a field of a request was refused by validation (``fields[].code``; the app's
    ``texts.fieldErrors.<code>``). The English ``reason`` stays beside it for other clients."""

    MISSING = "missing"  # 必填
    UNKNOWN_FIELD = "unknown_field"  # 多余的字段
    TOO_SHORT = "too_short"  # (params: min_length)
    TOO_LONG = "too_long"  # (params: max_length)
    PATTERN = "pattern"  # 格式不正确
    NOT_TEXT = "not_text"
    NOT_INTEGER = "not_integer"
    NOT_NUMBER = "not_number"
    NOT_BOOLEAN = "not_boolean"
    AT_LEAST = "at_least"  # (params: limit)
    MORE_THAN = "more_than"  # (params: limit)
    AT_MOST = "at_most"  # (params: limit)
    LESS_THAN = "less_than"  # (params: limit)
    CHOICE = "choice"  # 不在可选范围内
    NOT_DATE = "not_date"
    NOT_DATETIME = "not_datetime"
    NOT_LIST = "not_list"
    NOT_OBJECT = "not_object"
    MALFORMED_JSON = "malformed_json"
    INVALID = "invalid"  # anything else, e.g. a validator of our own (its reason says what)


_PYDANTIC: dict[str, FieldErrorCode] = {
    "missing": FieldErrorCode.MISSING,
    "extra_forbidden": FieldErrorCode.UNKNOWN_FIELD,
    "string_too_short": FieldErrorCode.TOO_SHORT,
    "too_short": FieldErrorCode.TOO_SHORT,
    "string_too_long": FieldErrorCode.TOO_LONG,
    "too_long": FieldErrorCode.TOO_LONG,
    "string_pattern_mismatch": FieldErrorCode.PATTERN,
    "string_type": FieldErrorCode.NOT_TEXT,
    "int_parsing": FieldErrorCode.NOT_INTEGER,
    "int_type": FieldErrorCode.NOT_INTEGER,
    "int_from_float": FieldErrorCode.NOT_INTEGER,
    "float_parsing": FieldErrorCode.NOT_NUMBER,
    "float_type": FieldErrorCode.NOT_NUMBER,
    "decimal_parsing": FieldErrorCode.NOT_NUMBER,
    "finite_number": FieldErrorCode.NOT_NUMBER,
    "bool_parsing": FieldErrorCode.NOT_BOOLEAN,
    "bool_type": FieldErrorCode.NOT_BOOLEAN,
    "greater_than_equal": FieldErrorCode.AT_LEAST,
    "greater_than": FieldErrorCode.MORE_THAN,
    "less_than_equal": FieldErrorCode.AT_MOST,
    "less_than": FieldErrorCode.LESS_THAN,
    "enum": FieldErrorCode.CHOICE,
    "literal_error": FieldErrorCode.CHOICE,
    "date_parsing": FieldErrorCode.NOT_DATE,
    "date_type": FieldErrorCode.NOT_DATE,
    "date_from_datetime_parsing": FieldErrorCode.NOT_DATE,
    "date_from_datetime_inexact": FieldErrorCode.NOT_DATE,
    "datetime_parsing": FieldErrorCode.NOT_DATETIME,
    "datetime_type": FieldErrorCode.NOT_DATETIME,
    "datetime_from_date_parsing": FieldErrorCode.NOT_DATETIME,
    "list_type": FieldErrorCode.NOT_LIST,
    "dict_type": FieldErrorCode.NOT_OBJECT,
    "model_type": FieldErrorCode.NOT_OBJECT,
    "model_attributes_type": FieldErrorCode.NOT_OBJECT,
    "json_invalid": FieldErrorCode.MALFORMED_JSON,
}
_LIMITS = {"ge": "limit", "gt": "limit", "le": "limit", "lt": "limit", "min_length": "min_length", "max_length": "max_length"}


def field_error(kind: str, ctx: dict[str, Any] | None) -> tuple[FieldErrorCode, dict[str, Param]]:
    """A pydantic error ``type`` and ``ctx`` as a field error code with its numbers (never pydantic's words)."""
    code = _PYDANTIC.get(kind, FieldErrorCode.INVALID)
    params: dict[str, Param] = {}
    for name, value in (ctx or {}).items():
        if name in _LIMITS and isinstance(value, int | float) and not isinstance(value, bool):
            params[_LIMITS[name]] = value
        elif name in _LIMITS:
            params[_LIMITS[name]] = str(value)
    return code, params


def text(code: TextCode, **params: Param) -> dict[str, Any]:
    """``{"code": ..., "params": {...}}``: what a text field carries."""
    return {"code": code.value, "params": params}


def fields(name: str, code: TextCode, **params: Param) -> dict[str, Any]:
    """``{"<name>_code": ..., "<name>_params": {...}}`` to merge into a response beside ``<name>``."""
    return {f"{name}_code": code.value, f"{name}_params": params}


def dumps(value: dict[str, Any] | None) -> str | None:
    """A ``text(...)`` as one stored string (a DynamoDB ``S`` attribute), or None."""
    return None if value is None else json.dumps({"code": str(value["code"]), "params": value.get("params") or {}}, ensure_ascii=False, sort_keys=True)


def loads(stored: str | None) -> dict[str, Any] | None:
    """What ``dumps`` wrote; None for records written before texts had codes."""
    return None if not stored else dict(json.loads(stored))


def codes() -> list[str]:
    return [code.value for code in TextCode]


def field_error_codes() -> list[str]:
    return [code.value for code in FieldErrorCode]
