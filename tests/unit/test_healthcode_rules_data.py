"""Rules published as data (issue 18): the rule engine's versions are read from ``rules.json``, checked on load."""

from __future__ import annotations

import json
from datetime import date

import pytest

from sanmenxia.healthcode import rules


def test_the_engine_runs_on_the_published_versions() -> None:
    published = json.loads(rules.RULES_FILE.read_text(encoding="utf-8"))["versions"]
    assert [(rule.version, rule.valid_from.isoformat(), rule.red_after_missed_days) for rule in rules.RULES] == [
        (entry["version"], entry["valid_from"], entry["red_after_missed_days"]) for entry in published
    ]


def _versions(*entries: dict[str, object]) -> str:
    base = {"yellow_after_missed_days": 1, "red_after_missed_days": 3, "green_after_checkin_days": 3}
    return json.dumps({"versions": [{**base, **entry} for entry in entries]})


def test_a_new_version_applies_from_its_valid_from() -> None:
    loaded = rules.load_rules(_versions({"version": "a", "valid_from": "2020-01-01"}, {"version": "b", "valid_from": "2020-03-01", "red_after_missed_days": 5}))
    assert rules.rule_for(date(2020, 2, 29), loaded).version == "a"
    assert rules.rule_for(date(2020, 3, 1), loaded).red_after_missed_days == 5


@pytest.mark.parametrize(
    "text",
    [
        _versions(),
        _versions({"version": "a", "valid_from": "2020-01-01"}, {"version": "a", "valid_from": "2020-02-01"}),
        _versions({"version": "a", "valid_from": "2020-02-01"}, {"version": "b", "valid_from": "2020-01-01"}),
        _versions({"version": "a", "valid_from": "2020-01-01", "yellow_after_missed_days": 3}),
    ],
)
def test_bad_published_rules_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        rules.load_rules(text)
