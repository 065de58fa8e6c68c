"""Tracing on the local stack (issue 17): exposure from checkpoint scans over HTTP with real sign-in and the event
pump, and the commander's exposure screen in headless Chromium."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.browser_support import UI_TIMEOUT_MS, Phone, new_id_number
from tests.e2e.conftest import LocalStack
from tests.e2e.screen_calls import ScreenCalls

pytest_plugins = ["tests.e2e.browser_support"]

COUNTY = "411221"  # 渑池县: communities the demo data and other tests leave alone
MARKET_COMMUNITY = "411221-007"
HOME_COMMUNITY = "411221-008"


def server_now(local_stack: LocalStack) -> datetime:
    """The stack's virtual now (it may run days ahead of the machine after earlier tests)."""
    return datetime.fromisoformat(local_stack.request("GET", "/_local/clock").json["now"]).astimezone(UTC)


@pytest.fixture(scope="module")
def market(local_stack: LocalStack) -> dict[str, Any]:
    """A market checkpoint with its staff, a county commander, and a case and two others scanned there."""
    head = local_stack.new_user("community_head", {"community_id": MARKET_COMMUNITY, "county_code": COUNTY})
    home_head = local_stack.new_user("community_head", {"community_id": HOME_COMMUNITY, "county_code": COUNTY})
    commander = local_stack.new_user("commander", {"county_code": COUNTY})
    checkpoint_id = f"cp-e2e-{uuid.uuid4().hex[:8]}"
    body = {
        "checkpoint_id": checkpoint_id,
        "name": "渑池农贸市场",
        "kind": "market",
        "community_id": MARKET_COMMUNITY,
        "entrances": ["正门"],
        "location": {"latitude": 34.76, "longitude": 111.76, "place": "渑池县韶州路"},
    }
    assert local_stack.call("POST", "/checkpoints", head, body).status == 201
    staff = local_stack.new_user("checkpoint_staff", {"checkpoint_id": checkpoint_id, "community_id": MARKET_COMMUNITY})
    people: dict[str, dict[str, Any]] = {}
    for short, community in (("case", MARKET_COMMUNITY), ("near", HOME_COMMUNITY), ("later", HOME_COMMUNITY)):
        username = local_stack.new_user("resident")
        id_number = new_id_number(COUNTY)
        resident = {
            "name": "渑池居民",
            "id_number": id_number,
            "phone": f"136{uuid.uuid4().int % 10**8:08d}",
            "county_code": COUNTY,
            "community_id": community,
            "address": "渑池县测试路2号",
        }
        response = local_stack.call("POST", "/residents", username, resident)
        assert response.status == 201, response.body
        people[short] = {"username": username, "id_number": id_number, "person_id": response.json["person_id"]}
    t = (server_now(local_stack) - timedelta(hours=3)).replace(microsecond=0)
    for short, at in (("case", t), ("near", t + timedelta(minutes=4)), ("later", t + timedelta(hours=2))):
        scan = {
            "scan_id": f"e2e-{uuid.uuid4().hex[:12]}",
            "method": "typed",
            "id_number": people[short]["id_number"],
            "temperature": 36.4,
            "direction": "in",
            "scanned_at": at.isoformat(),
        }
        assert local_stack.call("POST", f"/checkpoints/{checkpoint_id}/scans", staff, scan).status == 201
    local_stack.drain()
    return {"checkpoint_id": checkpoint_id, "commander": commander, "home_head": home_head, "people": people, "t": t}


def test_a_case_s_window_notifies_the_person_scanned_with_it_and_their_head_sees_the_candidate(local_stack: LocalStack, market: dict[str, Any]) -> None:
    # Given the case's 10 minutes at the market
    t = market["t"]
    window = {"checkpoint_id": market["checkpoint_id"], "start": t.isoformat(), "end": (t + timedelta(minutes=10)).isoformat()}
    # When the county commander runs the exposure
    response = local_stack.call("POST", "/exposures", market["commander"], {"id_number": market["people"]["case"]["id_number"], "windows": [window]})
    # Then the person scanned 4 minutes after the case is found, the one two hours later is not
    assert response.status == 201, response.body
    assert (response.json["found"], response.json["added"], response.json["close_contacts"]) == (1, 1, 1)
    local_stack.drain()
    near = market["people"]["near"]
    # And their own community's head sees them as a pending close-contact candidate from the exposure
    listed = local_stack.call("GET", "/key-persons?status=pending", market["home_head"]).json["items"]
    mine = [item for item in listed if item["person_id"] == near["person_id"]]
    assert len(mine) == 1 and mine[0]["category"] == "close_contact" and mine[0]["sources"][0]["source"] == "exposure"
    # And they have the message in their inbox
    notes = local_stack.call("GET", "/notifications", near["username"]).json
    assert [note["kind"] for note in (notes["items"] if isinstance(notes, dict) else notes)].count("exposure") == 1
    # When the commander runs the case again from its own scans, nobody is added
    again = local_stack.call("POST", "/exposures", market["commander"], {"person_id": market["people"]["case"]["person_id"]})
    assert again.status == 201, again.body
    assert (again.json["found"], again.json["added"]) == (1, 0)
    local_stack.drain()
    listed = local_stack.call("GET", "/key-persons?status=pending", market["home_head"]).json["items"]
    assert [item["person_id"] for item in listed].count(near["person_id"]) == 1
    # And a commander of another county cannot read the run
    stranger = local_stack.new_user("commander", {"county_code": "411202"})
    assert local_stack.call("GET", f"/exposures/{again.json['run_id']}", stranger).status == 403


@pytest.mark.e2e
@pytest.mark.browser
def test_the_commander_runs_an_exposure_from_the_case_s_scans_in_the_app(phone: Phone, local_stack: LocalStack, market: dict[str, Any]) -> None:
    calls = ScreenCalls(phone)
    phone.sign_in(market["commander"])
    page = phone.page
    page.get_by_test_id("tool-exposure").click()
    page.get_by_test_id("page-exposure").wait_for()
    page.locator("input[name=case_id_number]").fill(market["people"]["case"]["id_number"])
    page.get_by_test_id("exposure-from-scans").click()
    page.get_by_test_id("exposure-run").click()
    result = page.get_by_test_id("exposure-result")
    result.wait_for(timeout=UI_TIMEOUT_MS)
    result.get_by_test_id("exposure-person").first.wait_for(timeout=UI_TIMEOUT_MS)
    assert "渑池农贸市场" in result.inner_text()
    assert "*" in result.get_by_test_id("exposure-person").first.inner_text()  # masked names only
    page.get_by_test_id("exposure-run-row").first.wait_for(timeout=UI_TIMEOUT_MS)
    phone.shot("exposure run")
    assert calls.undeclared() == [] and "exposure" in calls.screens_seen()
