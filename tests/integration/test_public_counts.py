"""Public counts (issue 18): manual colour changes per day by unit and county (proposed, approved, refused) and
appeals per day by county (received, resolved within the time limit or late), open without sign-in, with no
personal data and no small cells (a count from 1 to the threshold minus one is published as null)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from sanmenxia import clock
from tests.integration.test_appeals import APPEAL_UNIT, fever_hold_appealed
from tests.integration.test_healthcode import DAY0, applied, set_day
from tests.integration.test_manual_changes import COMMANDER, approve, propose
from tests.support.stack import Stack


@pytest.fixture(autouse=True)
def _day0(stack: Stack) -> Iterator[None]:
    set_day(DAY0)
    yield
    clock.set_offset(0)


def test_public_counts_count_each_decision_once_and_suppress_small_cells(stack: Stack) -> None:
    # Given a community head who proposed six manual changes today; the commander approved five and refused one
    people = [applied(stack) for _ in range(6)]
    made = [propose(stack, who.person_id) for who in people]
    assert all(response.status == 201 for response in made), [response.json for response in made]
    proposals = [response.json["proposal_id"] for response in made]
    for proposal_id in proposals[:5]:
        assert approve(stack, proposal_id, COMMANDER).status == 200
    refused = stack.request("POST", f"/health-codes/hold-proposals/{proposals[5]}/refuse", claims=COMMANDER, body={"note": "证据不足"})
    assert refused.status == 200, refused.json
    # And one appeal received today, decided four days later (past its 72-hour limit)
    who, hold, _ = fever_hold_appealed(stack)
    set_day(DAY0 + timedelta(days=4))
    kept = stack.request(
        "POST", f"/health-codes/people/{who.person_id}/appeals/decision", claims=APPEAL_UNIT, body={"hold": hold, "decision": "keep", "reason": "复核属实"}
    )
    assert kept.status == 200, kept.json
    # When anyone reads the public counts, without signing in
    response = stack.request("GET", "/public/counts", query={"since": DAY0.isoformat(), "until": (DAY0 + timedelta(days=4)).isoformat()})
    assert response.status == 200, response.json
    counts = response.json
    # Then the unit's day shows five approvals of six proposals, and the single refusal is suppressed
    assert counts["threshold"] == 5
    assert counts["manual_changes"] == [
        {"day": DAY0.isoformat(), "county_code": "411202", "unit": "community:411202-001", "proposed": 6, "approved": 5, "refused": None}
    ]
    # And the appeal counts are small cells: suppressed, while a zero is shown
    by_day = {row["day"]: row for row in counts["appeals"]}
    assert by_day[DAY0.isoformat()] == {"day": DAY0.isoformat(), "county_code": "411202", "received": None, "resolved_in_time": 0, "resolved_late": 0}
    late = by_day[(DAY0 + timedelta(days=4)).isoformat()]
    assert (late["received"], late["resolved_in_time"], late["resolved_late"]) == (0, 0, None)
    # And no person id is in the published counts
    assert not any(who.person_id in response.body.decode() for who in people)
    # And a reversed or too long range is refused naming the field
    reversed_range = stack.request("GET", "/public/counts", query={"since": "2020-02-10", "until": "2020-02-01"})
    assert reversed_range.status == 400 and reversed_range.json["fields"][0]["field"] == "since"
    too_long = stack.request("GET", "/public/counts", query={"since": "2020-01-01", "until": "2020-12-31"})
    assert too_long.status == 400 and too_long.json["fields"][0]["field"] == "since"
