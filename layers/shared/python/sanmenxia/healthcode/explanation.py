"""Every colour explained (issue 18): the facts a code's colour follows from, and the colour recomputed from them.

The facts are what the platform records for a person: the application day, the check-in days, the rule version
in force on each day, and the holds (active and lifted) with their source and reason. ``explain`` lists them and
recomputes the colour from them alone with the one rule evaluation (``rules.evaluate``), next to the stored
state advanced to today (``rules.advance``): ``recomputed.matches`` says whether the two agree. Pure: the caller
reads the partition and the holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sanmenxia.errors import NotFound
from sanmenxia.healthcode import rules
from sanmenxia.healthcode.store import Partition
from sanmenxia.holds import CodeColor, Hold


def rule_json(rule: rules.HealthCodeRule) -> dict[str, Any]:
    return {
        "version": rule.version,
        "valid_from": rule.valid_from.isoformat(),
        "yellow_after_missed_days": rule.yellow_after_missed_days,
        "red_after_missed_days": rule.red_after_missed_days,
        "green_after_checkin_days": rule.green_after_checkin_days,
    }


def explain(partition: Partition, holds: Sequence[Hold], today: date, rule_set: Sequence[rules.HealthCodeRule] = rules.RULES) -> dict[str, Any]:
    """The facts behind today's colour, and the colour recomputed from them."""
    code = partition.code
    if code is None:
        raise NotFound("no health code yet: apply first (POST /health-codes)", field="person")
    checkin_days = sorted({checkin.day for checkin in partition.checkins})
    stored, _ = rules.advance(code.state, today - rules.ONE_DAY, rule_set)
    recomputed, transitions = rules.evaluate(code.state.applied_on, checkin_days, today, rule_set)
    active = [hold for hold in holds if hold.active]
    shown = rules.shown_color(stored.color, active)
    recomputed_shown = rules.shown_color(recomputed.color, active)
    versions = sorted({transition.rule_version for transition in transitions} | {stored.rule_version})
    return {
        "today": today.isoformat(),
        "color": shown.value,
        "rule_color": stored.color.value,
        "since": stored.since.isoformat(),
        "rule_version": stored.rule_version,
        "rule": rule_json(rules.rule_for(today, rule_set)),
        "rules_applied": [rule_json(rule) for rule in rule_set if rule.version in versions],
        "facts": {
            "applied_on": code.state.applied_on.isoformat(),
            "checkin_days": [day.isoformat() for day in checkin_days],
            "holds": [{**hold.to_json(), "hold": hold.key, "hold_kind": hold.kind.value, "active": hold.active} for hold in holds],
        },
        "missed_days": rules.missed_days(stored, today) if stored.color is not CodeColor.RED else None,
        "checkins_to_green": rules.checkins_to_green(stored, today, rule_set),
        "transitions": [transition.to_json() for transition in transitions],
        "recomputed": {
            "rule_color": recomputed.color.value,
            "color": recomputed_shown.value,
            "matches": recomputed.color is stored.color and recomputed_shown is shown,
        },
    }
