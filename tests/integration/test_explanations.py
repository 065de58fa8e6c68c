"""Every colour explained (issue 18): over a generated population and a generated fortnight of check-ins, fevers,
holds and nightly closes on moto, every code's colour recomputed from its recorded facts alone (the explanation's
application day, check-in days, rule versions and holds, through the one rule evaluation) equals the stored
colour the holder sees; the explanation is scoped like the code."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from sanmenxia.healthcode import rules
from sanmenxia.holds import CodeColor, Hold, HoldKind, HoldStore
from tests.integration.test_healthcode import HEAD_OTHER, HEAD_OWN, applied
from tests.integration.test_healthcode_daily import _clock, day, night, resident_with_code  # noqa: F401  (the clock fixture)
from tests.support.stack import Stack, claims_for

POPULATION = 10
DAYS = 8


def recompute(explained: dict[str, Any]) -> tuple[str, str]:
    """The rule colour and the shown colour from the explanation's facts alone (not its own answer)."""
    facts = explained["facts"]
    published = tuple(
        rules.HealthCodeRule(
            version=rule["version"],
            valid_from=date.fromisoformat(rule["valid_from"]),
            yellow_after_missed_days=rule["yellow_after_missed_days"],
            red_after_missed_days=rule["red_after_missed_days"],
            green_after_checkin_days=rule["green_after_checkin_days"],
        )
        for rule in explained["rules_applied"]
    )
    today = date.fromisoformat(explained["today"])
    state, _ = rules.evaluate(date.fromisoformat(facts["applied_on"]), [date.fromisoformat(d) for d in facts["checkin_days"]], today, published)
    holds = [
        Hold("x", HoldKind(h["hold_kind"]), h["source"], h["source_ref"], h["reason"], CodeColor(h["color"]), h["since"], h["lifted_at"])
        for h in facts["holds"]
    ]
    return state.color.value, rules.shown_color(state.color, holds).value


def test_every_code_of_a_generated_population_is_recomputed_from_its_facts(stack: Stack) -> None:
    chance = random.Random(18)
    people = [resident_with_code(stack) for _ in range(POPULATION)]
    habits = [chance.choice((0.95, 0.7, 0.4, 0.1)) for _ in people]
    holds = HoldStore(stack.client("dynamodb"), stack.table("HoldsTable"))
    for n in range(DAYS):
        for claims, habit in zip(people, habits, strict=True):
            if chance.random() < habit:
                temperature = 38.1 if chance.random() < 0.05 else 36.5
                response = stack.request("POST", "/health-codes/me/check-ins", claims=claims, body={"temperature": temperature, "symptoms": []})
                assert response.status == 201, response.json
        if n == 4:  # platform facts: a gate's fever stop on some, lifted again on a few
            for index, claims in enumerate(people[:6]):
                person_id = stack.request("GET", "/health-codes/me", claims=claims).json["person_id"]
                holds.place(person_id, HoldKind.FEVER, source="checkpoints", source_ref=f"cp-1#scan-{index}", reason="fever at a gate")
                if index % 2:
                    holds.lift(person_id, HoldKind.FEVER, f"cp-1#scan-{index}")
        night(stack, day(n))
    colours: dict[str, int] = {}
    for claims in people:
        shown = stack.request("GET", "/health-codes/me", claims=claims).json
        explained = stack.request("GET", "/health-codes/me/explanation", claims=claims)
        assert explained.status == 200, explained.json
        body = explained.json
        assert (body["color"], body["rule_color"], body["rule_version"]) == (shown["color"], shown["rule_color"], shown["rule_version"])
        assert recompute(body) == (shown["rule_color"], shown["color"]), body
        assert body["recomputed"]["matches"] is True
        colours[shown["color"]] = colours.get(shown["color"], 0) + 1
    # The generated population is not trivial: every colour occurs
    assert set(colours) == {"green", "yellow", "red"}, colours


def test_the_explanation_lists_holds_with_source_and_reason_and_is_scoped(stack: Stack) -> None:
    who = applied(stack, fever=True)
    explained = stack.request("GET", "/health-codes/me/explanation", claims=who.claims).json
    assert explained["color"] == "yellow" and explained["rule_color"] == "green"
    assert [(h["hold"], h["source"], h["active"]) for h in explained["facts"]["holds"]] == [("fever#declaration", "health_code", True)]
    assert "fever declared" in explained["facts"]["holds"][0]["reason"]
    assert explained["rule"]["version"] == rules.RULES[-1].version and explained["rule"]["red_after_missed_days"] == 3
    path = f"/health-codes/people/{who.person_id}/explanation"
    assert stack.request("GET", path, claims=HEAD_OWN).json["facts"] == explained["facts"]
    for outsider in (HEAD_OTHER, claims_for("sub-cmd-lb", "commander", county_code="411282"), who.claims):
        refused = stack.request("GET", path, claims=outsider)
        assert refused.status == 403, refused.json


def test_the_rules_are_published_as_data_and_are_the_ones_explanations_use(stack: Stack) -> None:
    published = stack.request("GET", "/health-codes/rules")  # public: no token
    assert published.status == 200, published.json
    assert published.json["current"] == rules.RULES[-1].version
    assert [row["version"] for row in published.json["versions"]] == [rule.version for rule in rules.RULES]
    who = applied(stack)
    explained = stack.request("GET", "/health-codes/me/explanation", claims=who.claims).json
    assert explained["rule"] in published.json["versions"]
