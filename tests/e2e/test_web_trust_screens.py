"""Trust screens in headless Chromium at 375×812 (issue 12): the supply form offers exactly the tiers the server
allows the requesting unit, commanders revoke tokens and keys, and the appeal unit corrects a rule colour."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from tests.e2e.browser_support import Phone
from tests.e2e.conftest import LocalStack
from tests.e2e.screen_calls import ScreenCalls

pytest_plugins = ["tests.e2e.browser_support"]  # the browser, phone fixtures
pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def offered_tiers(phone: Phone) -> list[str]:
    """The tiers the request form offers, once the server's answer has filled the list."""
    tier = phone.page.locator("select[name=tier]")
    tier.locator("option").first.wait_for(state="attached")
    return [value for value in tier.locator("option").evaluate_all("options => options.map(option => option.value)") if value]


def test_the_supply_form_offers_only_the_tiers_the_server_allows_the_unit(phone: Phone, local_stack: LocalStack) -> None:
    # Given a handler of the police (a department, not a medical unit) on the supply request screen
    handler = local_stack.new_user("department_handler", {"department": "public_security"}, prefix="police")
    calls = ScreenCalls(phone)
    phone.sign_in(handler)
    phone.page.get_by_test_id("tool-supply-requests").click()
    phone.page.get_by_test_id("page-supply-requests").wait_for()
    # Then the form offers frontline prevention only, and the tier it does not offer is one the server refuses
    assert offered_tiers(phone) == ["frontline_prevention"]
    needed = (date.fromisoformat(local_stack.today()) + timedelta(days=3)).isoformat()
    body = {"item": "masks", "quantity": 10, "needed_by": needed, "unit_kind": "department", "unit_id": "public_security", "unit_name": "市公安局"}
    refused = local_stack.call("POST", "/supplies/requests", handler, {**body, "tier": "frontline_medical"})
    assert refused.status in (400, 403, 422) and "tier" in refused.json["message"], refused.json
    phone.shot("police tiers")

    # When a supplies officer picks a hospital (a medical unit) for its request
    officer = local_stack.new_user("supplies_officer", prefix="officer")
    phone.context.clear_cookies()
    phone.page.evaluate("localStorage.removeItem('sanmenxia.session')")
    phone.sign_in(officer)
    phone.page.get_by_test_id("tool-supply-requests").click()
    phone.page.locator("select[name=unit_kind]").select_option("department")
    phone.page.locator("input[name=unit_id]").fill(f"hospital-{uuid.uuid4().hex[:6]}")
    phone.page.get_by_role("button", name="查看").click()
    # Then frontline medical is offered too, most urgent first
    phone.page.locator("select[name=tier] option[value=frontline_medical]").wait_for(state="attached")
    assert offered_tiers(phone) == ["frontline_medical", "frontline_prevention"]
    # And an external unit gets the aid tier only
    phone.page.locator("select[name=unit_kind]").select_option("external")
    phone.page.locator("input[name=unit_id]").fill("hubei-xiaogan")
    phone.page.get_by_role("button", name="查看").click()
    phone.page.locator("select[name=tier] option[value=aid_other_regions]").wait_for(state="attached")
    assert offered_tiers(phone) == ["aid_other_regions"]
    assert calls.undeclared() == []
