"""A code for everyone (长辈码, issue 17) on the local stack: a household head prints a card for their father without a
phone; the gate needs the father's ID card with it (a wrong ID is refused), a revoked card is refused, the colour is
today's; a positive lab result for the father tells the head in the inbox. And the screens in headless Chromium: the
printable card from the household list, and the gate's elder-card check on the scanner."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.browser_support import UI_TIMEOUT_MS, Phone, new_id_number
from tests.e2e.conftest import LocalStack
from tests.e2e.screen_calls import ScreenCalls

pytest_plugins = ["tests.e2e.browser_support"]

COUNTY, COMMUNITY = "411281", "411281-010"  # 义马市 石河村: left alone by the demo data and other tests
DECLARATION = {"fever": False, "in_isolation": False, "declaration_accepted": True}


def family(local_stack: LocalStack) -> dict[str, Any]:
    head = local_stack.new_user("resident")
    head_id = new_id_number(COUNTY)
    body = {"name": "义马户主", "id_number": head_id, "phone": f"135{uuid.uuid4().int % 10**8:08d}", "county_code": COUNTY}
    body.update({"community_id": COMMUNITY, "address": "义马市石河村1号"})
    assert local_stack.call("POST", "/residents", head, body).status == 201
    father_id = new_id_number(COUNTY)
    added = local_stack.call("POST", "/residents/me/household", head, {"name": "石老汉", "id_number": father_id, "relation": "parent"})
    assert added.status == 201, added.body
    father = added.json["person_id"]
    assert local_stack.call("POST", "/health-codes", head, DECLARATION).status == 201
    assert local_stack.call("POST", f"/health-codes?person={father}", head, DECLARATION).status == 201
    return {"head": head, "head_id": head_id, "father": father, "father_id": father_id}


def gate_user(local_stack: LocalStack) -> str:
    return local_stack.new_user("checkpoint_staff", {"checkpoint_id": "cp-demo-1", "community_id": "411202-001"})


def elder_notes(local_stack: LocalStack, username: str) -> list[dict[str, Any]]:
    notes = local_stack.call("GET", "/notifications", username).json
    return [note for note in (notes["items"] if isinstance(notes, dict) else notes) if note["kind"] == "elder_card"]


def test_the_gate_checks_the_card_with_the_id_card_refuses_a_revoked_one_and_the_head_hears_of_a_change(local_stack: LocalStack) -> None:
    home = family(local_stack)
    gate = gate_user(local_stack)
    card = local_stack.call("POST", "/elder-cards", home["head"], {"person_id": home["father"]})
    assert card.status == 201, card.body
    token = card.json["token"]
    verdict = local_stack.call("POST", "/elder-cards/verify", gate, {"token": token, "id_number": home["father_id"]}).json
    assert (verdict["valid"], verdict["color"]) == (True, "green"), verdict
    wrong = local_stack.call("POST", "/elder-cards/verify", gate, {"token": token, "id_number": home["head_id"]}).json
    assert (wrong["valid"], wrong["reason"]) == (False, "id_mismatch")
    # a positive lab result turns the father's code red: the head is told (the holds' stream, through the pump)
    lab = local_stack.new_user("lab", {"lab_id": f"lab-elder-{uuid.uuid4().hex[:6]}"})
    now = datetime.fromisoformat(local_stack.request("GET", "/_local/clock").json["now"]).astimezone(UTC)
    result = {"sample_id": "EC-1", "id_number": home["father_id"], "result": "positive", "sampled_at": (now - timedelta(hours=2)).isoformat()}
    assert local_stack.call("POST", "/lab/results", lab, result).status == 201
    local_stack.drain()
    deadline = time.monotonic() + 60
    while not elder_notes(local_stack, home["head"]):
        assert time.monotonic() < deadline, "the head was not told"
        local_stack.drain()
    [note] = elder_notes(local_stack, home["head"])
    assert note["body_params"]["color"] == "red"
    assert local_stack.call("POST", "/elder-cards/verify", gate, {"token": token, "id_number": home["father_id"]}).json["color"] == "red"
    # revoked: refused at the gate
    assert local_stack.call("POST", f"/elder-cards/{card.json['card_id']}/revoke", home["head"], {"reason": "遗失"}).status == 200
    revoked = local_stack.call("POST", "/elder-cards/verify", gate, {"token": token, "id_number": home["father_id"]}).json
    assert (revoked["valid"], revoked["reason"]) == (False, "revoked")


@pytest.mark.e2e
@pytest.mark.browser
def test_the_household_head_prints_a_card_and_the_gate_checks_it_with_the_id_card(phone: Phone, local_stack: LocalStack) -> None:
    home = family(local_stack)
    phone.sign_in(home["head"])
    page = phone.page
    phone.open("/household")
    page.get_by_test_id("household-elder-card").first.click()
    page.get_by_test_id("page-elder-card").wait_for()
    page.locator("[data-testid=elder-cards] .van-cell").first.wait_for(timeout=UI_TIMEOUT_MS)  # the card list has loaded
    page.get_by_test_id("elder-card-issue").click()
    card = page.get_by_test_id("elder-card-print")
    card.wait_for(timeout=UI_TIMEOUT_MS)
    token = page.get_by_test_id("elder-card-qr").get_attribute("data-token")
    assert token and token.count(".") == 2
    shown = card.inner_text()
    assert "*" in page.get_by_test_id("elder-card-name").inner_text() and home["father_id"] not in page.content()
    assert "绿" not in shown and "green" not in shown.lower()  # never a colour on the card
    page.locator("[data-testid=elder-cards] [data-status=active]").first.wait_for(timeout=UI_TIMEOUT_MS)
    phone.shot("elder card printable")
    # At the gate: the card with the wrong ID card is refused, with the holder's it shows today's colour
    gate = gate_user(local_stack)
    page.evaluate("() => localStorage.removeItem('sanmenxia.session')")
    phone.sign_in(gate)
    calls = ScreenCalls(phone)
    phone.open("/staff/scan")
    page.get_by_test_id("page-scan").wait_for()
    page.get_by_role("tab", name="长辈码").click()
    page.get_by_test_id("elder-check-token").locator("textarea").fill(token)
    page.get_by_test_id("elder-check-id").locator("input").fill(home["head_id"])
    page.get_by_test_id("elder-check-submit").click()
    page.locator("[data-testid=elder-verdict][data-valid=false][data-reason=id_mismatch]").wait_for(timeout=UI_TIMEOUT_MS)
    page.get_by_test_id("elder-check-id").locator("input").fill(home["father_id"])
    page.get_by_test_id("elder-check-submit").click()
    page.locator("[data-testid=elder-verdict][data-valid=true]").wait_for(timeout=UI_TIMEOUT_MS)
    assert page.get_by_test_id("elder-verdict").get_attribute("data-color") == "green"
    phone.shot("elder card at the gate")
    assert calls.undeclared() == []


@pytest.mark.e2e
@pytest.mark.browser
def test_the_community_head_prints_a_card_from_the_residents_list(phone: Phone, local_stack: LocalStack) -> None:
    home = family(local_stack)
    head = local_stack.new_user("community_head", {"community_id": COMMUNITY, "county_code": COUNTY})
    calls = ScreenCalls(phone)
    phone.sign_in(head)
    page = phone.page
    phone.open("/staff/community")
    page.get_by_test_id("page-community").wait_for()
    page.get_by_test_id("resident-row").filter(has_text="石**").first.click(timeout=UI_TIMEOUT_MS)
    page.get_by_test_id("resident-elder-card").click()
    page.get_by_test_id("page-elder-card").wait_for()
    page.get_by_test_id("resident-detail").wait_for(state="hidden")  # the popup is gone before anything is tapped
    page.locator("[data-testid=elder-cards] .van-cell").first.wait_for(timeout=UI_TIMEOUT_MS)  # the card list has loaded
    page.get_by_test_id("elder-card-issue").click()
    page.get_by_test_id("elder-card-print").wait_for(timeout=UI_TIMEOUT_MS)
    assert home["father_id"] not in page.content()
    phone.shot("elder card by the community head")
    assert calls.undeclared() == [] and "elder-card" in calls.screens_seen()
