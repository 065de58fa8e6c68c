"""Trust screens in headless Chromium at 375×812 (issue 12): the supply form offers exactly the tiers the server
allows the requesting unit, commanders revoke tokens and keys, and the appeal unit corrects a rule colour."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from tests.e2e.browser_support import Phone, new_id_number, submit_appeal
from tests.e2e.conftest import LocalStack
from tests.e2e.screen_calls import ScreenCalls
from tests.e2e.test_web_screens import second_phone

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


def test_a_rule_colour_is_appealed_and_the_handler_accepts_the_missed_check_in_day(browser: Any, phone: Phone, local_stack: LocalStack) -> None:
    # Given a resident who applied, then two days passed with no check-in registered: yellow by the rule
    resident = local_stack.new_user("resident")
    body = {"name": "诸葛亮", "id_number": new_id_number(), "phone": "13900008888", "county_code": "411202", "community_id": "411202-004"}
    assert local_stack.call("POST", "/residents", resident, {**body, "address": "涧河路9号"}).status == 201
    assert local_stack.call("POST", "/health-codes", resident, {"fever": False, "in_isolation": False, "declaration_accepted": True}).status == 201
    local_stack.advance(2)
    code = local_stack.call("GET", "/health-codes/me", resident).json
    assert code["rule_color"] == "yellow", code
    missed = (date.fromisoformat(code["today"]) - timedelta(days=1)).isoformat()
    # When they appeal against the rule colour in the app, naming the day whose check-in did not register
    page = phone.page
    phone.sign_in(resident)
    phone.open("/code")
    page.get_by_test_id("code-appeal").click()
    page.get_by_test_id("page-appeal").wait_for()
    page.get_by_role("radio", name=re.compile("打卡规则赋码")).click()
    page.locator(f"select[name=missed_day] option[value='{missed}']").wait_for(state="attached")
    page.locator("select[name=missed_day]").select_option(missed)
    # Then the dialog gives the 12345 order number
    order_id = submit_appeal(phone, "当天上午已打卡,页面显示成功但未记录", "rule-appeal-order-number")
    local_stack.drain()
    # When a handler of the appeal unit opens the case: the code, the missed day and the days that did register
    handler = second_phone(browser, local_stack, "rule-appeal-handler")
    try:
        calls = ScreenCalls(handler)
        handler.sign_in(local_stack.new_user("department_handler", {"department": "big_data"}))
        handler.open(f"/staff/orders/{order_id}")
        handler.page.get_by_test_id("order-appeal-case").click()
        handler.page.get_by_test_id("page-appeal-case").wait_for()
        handler.page.locator("[data-testid=appeal-code-color][data-color=yellow]").wait_for()
        handler.page.locator(f"[data-testid=appeal-missed-day][data-day='{missed}']").wait_for()
        assert handler.page.get_by_test_id("appeal-lift").count() == 0  # a rule appeal has no hold to lift
        handler.shot("rule-appeal-case")
        # And accepts the day with a reason
        handler.page.get_by_test_id("appeal-note").locator("textarea").fill("服务端日志有当日打卡请求,予以补记")
        handler.page.get_by_test_id("appeal-accept").click()
        # Then the rule recomputes the colour: green, the day listed as accepted on appeal, the appeal decided
        handler.page.locator("[data-testid=appeal-code-color][data-color=green]").wait_for()
        handler.page.locator("[data-testid=appeal-state][data-state=accepted]").wait_for()
        handler.page.locator(f"[data-checkin='{missed}']", has_text="申诉补记").wait_for()
        handler.shot("rule-appeal-accepted")
        assert calls.undeclared() == []
    finally:
        handler.context.close()
    # And the resident reads the result in their inbox, with the same order number in their 12345 list
    local_stack.drain()
    phone.open("/notifications")
    page.get_by_text("予以补记").first.wait_for()
    phone.open("/my-tipoffs")
    page.get_by_text(order_id).first.wait_for()
    mine = local_stack.call("GET", "/health-codes/me", resident).json
    assert mine["color"] == "green" and mine["history"][0]["cause"] == "correction"


def test_a_commander_revokes_a_persons_tokens_from_the_app(phone: Phone, local_stack: LocalStack) -> None:
    # Given a resident holding a token, and a city commander
    resident = local_stack.new_user("resident")
    body = {"name": "公孙瓒", "id_number": new_id_number(), "phone": "13900006666", "county_code": "411202", "community_id": "411202-003"}
    person_id = local_stack.call("POST", "/residents", resident, {**body, "address": "崤山路3号"}).json["person_id"]
    assert local_stack.call("POST", "/health-codes", resident, {"fever": False, "in_isolation": False, "declaration_accepted": True}).status == 201
    token = local_stack.call("GET", "/health-codes/me/token", resident).json["token"]
    commander = local_stack.new_user("commander", prefix="commander")
    calls = ScreenCalls(phone)
    phone.sign_in(commander)
    page = phone.page
    # When they open the revocation screen from the home menu: the list, and both kinds offered city-wide
    page.get_by_test_id("tool-revocations").click()
    page.get_by_test_id("page-revocations").wait_for()
    page.get_by_test_id("revoke-kind-key").wait_for()
    before = int(page.get_by_test_id("revocation-list").get_attribute("data-tokens") or 0)
    # And revoke the person's tokens with a reason, confirming
    page.locator("input[name=person_id]").fill(person_id)
    page.locator("input[name=reason]").fill("手机遗失,旧码作废")
    page.get_by_test_id("revoke-submit").click()
    page.locator(".van-dialog").get_by_role("button", name="确认").click()
    # Then the list names the person by hash only, and the token already issued is refused online at once
    person_hash = hashlib.sha256(person_id.encode()).hexdigest()
    page.locator(f"[data-person-hash='{person_hash}']").wait_for()
    assert int(page.get_by_test_id("revocation-list").get_attribute("data-tokens") or 0) == before + 1
    assert person_id not in page.get_by_test_id("revocation-list").inner_text()
    phone.shot("revoked")
    checker = local_stack.new_user("checkpoint_staff", {"checkpoint_id": "cp-demo-1", "community_id": "411202-001", "county_code": "411202"})
    verdict = local_stack.call("POST", "/health-codes/verify", checker, {"token": token}).json
    assert (verdict["valid"], verdict["reason"]) == (False, "revoked"), verdict
    assert calls.undeclared() == []
    # And a county commander is offered the person's tokens only (a key is city-wide), a resident no menu item
    county = local_stack.new_user("commander", {"county_code": "411202"}, prefix="commander")
    page.evaluate("localStorage.removeItem('sanmenxia.session')")
    phone.sign_in(county)
    page.get_by_test_id("tool-revocations").click()
    page.get_by_test_id("revoke-kind-person").wait_for()
    assert page.get_by_test_id("revoke-kind-key").count() == 0
    page.evaluate("localStorage.removeItem('sanmenxia.session')")
    phone.sign_in(resident)
    assert page.get_by_test_id("tool-revocations").count() == 0
