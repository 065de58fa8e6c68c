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
    notes = local_stack.call("GET", "/notifications", near["username"]).json["items"]
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


@pytest.fixture(scope="module")
def chain(local_stack: LocalStack, market: dict[str, Any]) -> dict[str, Any]:
    """The market community's head registers the case as a key person and a resident of another community as its contact."""
    head = local_stack.new_user("community_head", {"community_id": MARKET_COMMUNITY, "county_code": COUNTY})
    case = market["people"]["case"]
    kp = local_stack.call("POST", "/key-persons", head, {"person_id": case["person_id"], "category": "close_contact", "measure": {"kind": "home_isolation"}})
    assert kp.status in (201, 409), kp.body
    kp_id = kp.json["kp_id"] if kp.status == 201 else None
    assert kp_id, kp.body
    later = market["people"]["later"]
    body = {"id_number": later["id_number"], "kind": "work", "contact_date": local_stack.today()}
    made = local_stack.call("POST", f"/key-persons/{kp_id}/contacts", head, body)
    assert made.status == 201, made.body
    local_stack.drain()
    return {"head": head, "kp_id": kp_id, "contact_kp": made.json["contact_kp"], "contact": later}


def test_a_registered_contact_is_a_candidate_of_their_own_community_and_on_the_chain(
    local_stack: LocalStack, market: dict[str, Any], chain: dict[str, Any]
) -> None:
    # Then the contact's own head sees them pending, from the contact registration
    listed = local_stack.call("GET", "/key-persons?status=pending", market["home_head"]).json["items"]
    mine = [item for item in listed if item["kp_id"] == chain["contact_kp"]]
    assert mine and any(source["source"] == "contact" for source in mine[0]["sources"])
    # And the county commander's chain links the two; another county's commander is refused
    found = local_stack.call("GET", f"/key-persons/{chain['kp_id']}/chain?depth=2", market["commander"])
    assert found.status == 200, found.body
    assert {node["kp_id"] for node in found.json["nodes"]} == {chain["kp_id"], chain["contact_kp"]}
    stranger = local_stack.new_user("commander", {"county_code": "411202"})
    assert local_stack.call("GET", f"/key-persons/{chain['kp_id']}/chain", stranger).status == 403


@pytest.mark.e2e
@pytest.mark.browser
def test_the_commander_sees_the_chain_as_a_graph_and_a_table(phone: Phone, local_stack: LocalStack, market: dict[str, Any], chain: dict[str, Any]) -> None:
    calls = ScreenCalls(phone)
    phone.sign_in(market["commander"])
    phone.open(f"/staff/key-persons/{chain['kp_id']}/contacts")
    page = phone.page
    page.get_by_test_id("page-contacts").wait_for()
    page.get_by_test_id("contact-row").first.wait_for(timeout=UI_TIMEOUT_MS)
    page.get_by_test_id("chain-graph").locator("canvas").wait_for(timeout=UI_TIMEOUT_MS)
    rows = page.get_by_test_id("chain-row")
    rows.nth(1).wait_for(timeout=UI_TIMEOUT_MS)
    assert rows.count() == 2 and "*" in rows.nth(1).inner_text()
    phone.shot("chain")
    assert calls.undeclared() == [] and "contacts" in calls.screens_seen()
