"""The generated city-scale return-to-work data set reproduces the seed's figures through the platform's own
roll-up and statistics rules (332 enterprises, 90 % of the above-scale ones; 64,221 workers, 64.7 %)."""

from __future__ import annotations

from typing import Any

import pytest

from infra.lake.return_to_work import city_data_set

AT = "2020-02-25T02:00:00Z"


@pytest.fixture(scope="module")
def figures() -> dict[str, Any]:
    return city_data_set().statistics(AT)


def test_the_enterprises_are_the_seeds(figures: dict[str, Any]) -> None:
    enterprises = figures["enterprises"]
    assert enterprises["resumed"] == 332
    assert enterprises["above_scale_resumed"] == 332
    assert f"{enterprises['above_scale_resumed_share']:.1%}" == "90.0%"


def test_the_workers_are_the_seeds(figures: dict[str, Any]) -> None:
    workers = figures["workers"]
    assert workers["green"] == 64_221
    assert f"{workers['green_share']:.1%}" == "64.7%"
    assert workers["green"] + workers["yellow"] + workers["red"] + workers["no_code"] == workers["due_back"]
    assert figures["without_roll_up"] == []


def test_every_resumed_enterprise_has_a_roster_and_the_set_is_reproducible() -> None:
    first, again = city_data_set(), city_data_set()
    assert all(len(roster) >= 5 for roster in first.rosters.values())
    assert {e.county_code for e in first.enterprises} == {"411202", "411203", "411221", "411224", "411281", "411282"}
    assert first.roll_ups(AT) == again.roll_ups(AT)
    assert city_data_set(seed=7).roll_ups(AT) != first.roll_ups(AT)
