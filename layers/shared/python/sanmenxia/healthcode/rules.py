"""The health-code rule (健康码规则): versioned thresholds and one pure evaluation of a check-in history.

The seed rule — "一天不打卡,绿码变黄码;黄码一打卡,黄码变绿码。两天黄码不打卡,黄码就会变红码;红码打卡要三天,
才能红码变绿码" — read as (docs/health-code-rule.md has worked examples):

* green, a day ends with no check-in → yellow (``yellow_after_missed_days`` = 1);
* yellow, a check-in → green at once;
* three missed days in a row counted from the last check-in → red (``red_after_missed_days`` = 3);
* red → green only on the third of three consecutive check-in days (``green_after_checkin_days`` = 3);
  a missed day restarts the count.

The application day counts as the first day's declaration: missed days are counted from the later of the
application day and the last check-in (the *baseline*).

A code's state records dates, not counters that tick every night, so any later state follows from it without
per-day writes: ``advance`` closes any number of days at once (in steps of changes only), ``close_day`` and
``check_in`` are the day-by-day primitives, and ``evaluate`` folds a whole history. Colours only get worse
at a close and only get better at a check-in. Everything here is pure.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from itertools import pairwise
from pathlib import Path
from typing import Any

from sanmenxia import texts
from sanmenxia.holds import CodeColor, Hold, worst
from sanmenxia.texts import TextCode

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class HealthCodeRule:
    """One version of the rule's thresholds, in force from ``valid_from`` (a calendar day, Asia/Shanghai)."""

    version: str
    valid_from: date
    yellow_after_missed_days: int = 1
    red_after_missed_days: int = 3
    green_after_checkin_days: int = 3

    def __post_init__(self) -> None:
        if not 1 <= self.yellow_after_missed_days < self.red_after_missed_days:
            raise ValueError("thresholds must satisfy 1 <= yellow_after_missed_days < red_after_missed_days")
        if self.green_after_checkin_days < 1:
            raise ValueError("green_after_checkin_days must be at least 1")


#: The published rule versions, as data (``rules.json`` beside this module, served at ``GET /health-codes/rules``).
RULES_FILE = Path(__file__).with_name("rules.json")


def load_rules(text: str) -> tuple[HealthCodeRule, ...]:
    """Rule versions from their published form (``{"versions": [...]}``), checked: thresholds valid, versions
    unique, ``valid_from`` strictly increasing (a new version is appended; history is never rewritten)."""
    versions = json.loads(text)["versions"]
    loaded = tuple(
        HealthCodeRule(
            version=str(entry["version"]),
            valid_from=date.fromisoformat(entry["valid_from"]),
            yellow_after_missed_days=int(entry["yellow_after_missed_days"]),
            red_after_missed_days=int(entry["red_after_missed_days"]),
            green_after_checkin_days=int(entry["green_after_checkin_days"]),
        )
        for entry in versions
    )
    if not loaded:
        raise ValueError("at least one rule version")
    if len({rule.version for rule in loaded}) != len(loaded):
        raise ValueError("rule versions must be unique")
    if any(later.valid_from <= earlier.valid_from for earlier, later in pairwise(loaded)):
        raise ValueError("valid_from must increase from one version to the next")
    return loaded


#: The rule set, oldest first, read from the published data.
RULES: tuple[HealthCodeRule, ...] = load_rules(RULES_FILE.read_text(encoding="utf-8"))


def rule_for(day: date, rules: Sequence[HealthCodeRule] = RULES) -> HealthCodeRule:
    """The rule version in force on ``day`` (the earliest version also covers days before it)."""
    chosen = rules[0]
    for rule in rules:
        if rule.valid_from <= day:
            chosen = rule
    return chosen


def _next_boundary(day: date, rules: Sequence[HealthCodeRule]) -> date | None:
    later = [rule.valid_from for rule in rules if rule.valid_from > day]
    return min(later) if later else None


class Cause(StrEnum):
    APPLIED = "applied"  # 申领
    CLOSE = "close"  # 日终未打卡
    CHECK_IN = "check_in"  # 打卡


@dataclass(frozen=True)
class Transition:
    """A change of rule colour, effective from ``day`` (a close's change takes effect the next morning)."""

    day: date
    from_color: CodeColor | None
    to_color: CodeColor
    cause: Cause
    rule_version: str

    def to_json(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "from": self.from_color.value if self.from_color else None,
            "to": self.to_color.value,
            "cause": self.cause.value,
            "rule_version": self.rule_version,
        }


@dataclass(frozen=True)
class CodeState:
    """A code's rule state. ``closed_through`` is the last day whose close is reflected here."""

    color: CodeColor
    since: date
    applied_on: date
    last_checkin: date | None
    streak: int  # consecutive check-in days ending at ``last_checkin`` while red (0 otherwise)
    closed_through: date
    rule_version: str

    @property
    def baseline(self) -> date:
        """The day missed days are counted from: the last check-in, or the application day."""
        return max(self.last_checkin, self.applied_on) if self.last_checkin else self.applied_on


def start(applied_on: date, rules: Sequence[HealthCodeRule] = RULES) -> tuple[CodeState, Transition]:
    """A new code: green from the application day."""
    rule = rule_for(applied_on, rules)
    state = CodeState(CodeColor.GREEN, applied_on, applied_on, None, 0, applied_on - ONE_DAY, rule.version)
    return state, Transition(applied_on, None, CodeColor.GREEN, Cause.APPLIED, rule.version)


def _color_after_close(rule: HealthCodeRule, state: CodeState, day: date) -> CodeColor:
    if state.color is CodeColor.RED:
        return CodeColor.RED
    missed = (day - state.baseline).days
    if missed >= rule.red_after_missed_days:
        return CodeColor.RED
    if missed >= rule.yellow_after_missed_days:
        return CodeColor.YELLOW
    return state.color


def close_day(state: CodeState, day: date, rules: Sequence[HealthCodeRule] = RULES) -> tuple[CodeState, Transition | None]:
    """Apply the end of ``day`` (the next unclosed day). Closing a day already closed changes nothing."""
    if day <= state.closed_through:
        return state, None
    if day != state.closed_through + ONE_DAY:
        raise ValueError(f"close the days in order: next is {state.closed_through + ONE_DAY}, not {day}")
    rule = rule_for(day, rules)
    color = _color_after_close(rule, state, day)
    if color is state.color:
        return replace(state, closed_through=day), None
    changed = replace(state, color=color, since=day + ONE_DAY, streak=0, closed_through=day, rule_version=rule.version)
    return changed, Transition(day + ONE_DAY, state.color, color, Cause.CLOSE, rule.version)


def _change_day(rule: HealthCodeRule, state: CodeState) -> date | None:
    """The first close at which the colour changes under ``rule`` if nobody checks in (None: never)."""
    if state.color is CodeColor.RED:
        return None
    if state.color is CodeColor.GREEN:
        return state.baseline + timedelta(days=rule.yellow_after_missed_days)
    return state.baseline + timedelta(days=rule.red_after_missed_days)


def advance(state: CodeState, through: date, rules: Sequence[HealthCodeRule] = RULES) -> tuple[CodeState, list[Transition]]:
    """Close every day up to ``through`` with the check-ins already applied; work in steps of changes."""
    transitions: list[Transition] = []
    while state.closed_through < through:
        first = state.closed_through + ONE_DAY
        boundary = _next_boundary(first, rules)
        segment_end = min(through, boundary - ONE_DAY) if boundary else through
        change = _change_day(rule_for(first, rules), state)
        if change is None or change > segment_end:
            state = replace(state, closed_through=segment_end)
            continue
        state = replace(state, closed_through=max(change, first) - ONE_DAY)
        state, transition = close_day(state, max(change, first), rules)
        if transition is not None:
            transitions.append(transition)
    return state, transitions


def check_in(state: CodeState, day: date, rules: Sequence[HealthCodeRule] = RULES) -> tuple[CodeState, list[Transition]]:
    """Apply a check-in on ``day`` (today); days before it are closed first. A repeat changes nothing."""
    if day <= state.closed_through:
        raise ValueError(f"{day} is already closed")
    if day < state.applied_on:
        raise ValueError("a check-in before the application")
    state, transitions = advance(state, day - ONE_DAY, rules)
    if state.last_checkin == day:
        return state, transitions
    rule = rule_for(day, rules)
    if state.color is CodeColor.RED:
        streak = state.streak + 1 if state.last_checkin == day - ONE_DAY else 1
        if streak >= rule.green_after_checkin_days:
            transitions.append(Transition(day, CodeColor.RED, CodeColor.GREEN, Cause.CHECK_IN, rule.version))
            return replace(state, color=CodeColor.GREEN, since=day, last_checkin=day, streak=0, rule_version=rule.version), transitions
        return replace(state, last_checkin=day, streak=streak), transitions
    if state.color is CodeColor.YELLOW:
        transitions.append(Transition(day, CodeColor.YELLOW, CodeColor.GREEN, Cause.CHECK_IN, rule.version))
        return replace(state, color=CodeColor.GREEN, since=day, last_checkin=day, streak=0, rule_version=rule.version), transitions
    return replace(state, last_checkin=day), transitions


def evaluate(applied_on: date, checkins: Iterable[date], today: date, rules: Sequence[HealthCodeRule] = RULES) -> tuple[CodeState, list[Transition]]:
    """The one evaluation of a whole history: the state on ``today`` (days before it closed, today open)."""
    state, first = start(applied_on, rules)
    transitions = [first]
    for day in sorted({day for day in checkins if applied_on <= day <= today}):
        state, happened = check_in(state, day, rules)
        transitions.extend(happened)
    state, happened = advance(state, today - ONE_DAY, rules)
    return state, transitions + happened


def due_day(state: CodeState, rules: Sequence[HealthCodeRule] = RULES) -> date | None:
    """The close at which this code changes colour unless its holder checks in (None: no close changes it).

    This is the key of the sparse "due" index the daily close reads.
    """
    first = state.closed_through + ONE_DAY
    change = _change_day(rule_for(first, rules), state)
    return None if change is None else max(change, first)


# -- what the holder sees -------------------------------------------------------------------------------
def missed_days(state: CodeState, today: date) -> int:
    """Consecutive closed days without a check-in before ``today``."""
    return max(0, (today - ONE_DAY - state.baseline).days)


def checkins_to_green(state: CodeState, today: date, rules: Sequence[HealthCodeRule] = RULES) -> int:
    """How many more daily check-ins (today included when not yet done) bring the rule colour to green."""
    if state.color is not CodeColor.RED:
        return 0 if state.color is CodeColor.GREEN else 1
    live = state.last_checkin is not None and state.last_checkin >= today - ONE_DAY
    return rule_for(today, rules).green_after_checkin_days - (state.streak if live else 0)


def rule_reason(state: CodeState, today: date, rules: Sequence[HealthCodeRule] = RULES) -> str:
    """A sentence the holder can read about the rule colour (English, with the Chinese term)."""
    missed = missed_days(state, today)
    if state.color is CodeColor.GREEN:
        return "green: daily check-ins are up to date 每日打卡正常"
    if state.color is CodeColor.YELLOW:
        rule = rule_for(today, rules)
        return f"yellow: {missed} day(s) without a check-in; check in today to turn green 未按时打卡 (red after {rule.red_after_missed_days} missed days)"
    left = checkins_to_green(state, today, rules)
    return f"red: missed check-ins; {left} more daily check-in(s) on consecutive days to turn green 连续打卡转绿"


def rule_text(state: CodeState, today: date, rules: Sequence[HealthCodeRule] = RULES) -> dict[str, Any]:
    """The same reason as a code with parameters (``reason_code``/``reason_params``): the app has the words."""
    if state.color is CodeColor.GREEN:
        return texts.fields("reason", TextCode.RULE_GREEN)
    if state.color is CodeColor.YELLOW:
        rule = rule_for(today, rules)
        return texts.fields("reason", TextCode.RULE_YELLOW, missed=missed_days(state, today), red_after=rule.red_after_missed_days)
    return texts.fields("reason", TextCode.RULE_RED, left=checkins_to_green(state, today, rules))


def shown_color(rule_color: CodeColor, holds: Iterable[Hold]) -> CodeColor:
    """The colour shown and signed: the worst of the rule colour and the active holds."""
    return worst(rule_color, *(hold.color for hold in holds if hold.active))


def reasons(state: CodeState, holds: Iterable[Hold], today: date, rules: Sequence[HealthCodeRule] = RULES) -> list[dict[str, Any]]:
    """The reasons behind the shown colour: the rule first, then each active hold with its source."""
    listed: list[dict[str, Any]] = [
        {
            "kind": "rule",
            "color": state.color.value,
            "source": "health_code",
            "rule_version": state.rule_version,
            "reason": rule_reason(state, today, rules),
            **rule_text(state, today, rules),
            "since": state.since.isoformat(),
        }
    ]
    for hold in holds:
        if hold.active:
            listed.append({**hold.to_json(), "kind": "hold", "hold_kind": hold.kind.value, "hold": hold.key})
    return listed
