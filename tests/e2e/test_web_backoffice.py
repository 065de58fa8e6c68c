"""Back-office journeys in headless Chromium at 375×812 (issue 14): each staff role does its job in the app, and
every API call a screen makes is one that screen declares in ``web/src/screens.json``."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from tests.e2e.browser_support import PHONE, Phone
from tests.e2e.conftest import LocalStack
from tests.e2e.screen_calls import ScreenCalls

pytest_plugins = ["tests.e2e.browser_support"]  # the browser, phone fixtures
pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def other_phone(browser: Any, stack: LocalStack, name: str) -> Phone:
    device = Phone(
        browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai"), stack, name
    )
    device.context.set_default_timeout(60_000)
    return device


def page_errors(phone: Phone) -> list[str]:
    """Script errors (a failed load such as the absent /config.json of the local stack is not one)."""
    return [error for error in phone.console_errors if "Failed to load resource" not in error]


def tab(phone: Phone, title: str) -> None:
    phone.page.get_by_role("tab", name=title).click()


def test_supplies_from_a_community_request_to_a_signed_receipt(phone: Phone, browser: Any, local_stack: LocalStack) -> None:
    """A community head files a request; the supplies officer sees the low stock, adds a warehouse, books a
    donation in, previews the frontline-first plan (the hospital before the community), commits and dispatches;
    the head signs for what arrived."""
    head = local_stack.new_user("community_head", {"community_id": "411202-001", "county_code": "411202"}, prefix="head")
    officer = local_stack.new_user("supplies_officer", prefix="officer")
    needed = (date.fromisoformat(local_stack.today()) + timedelta(days=3)).isoformat()
    unit = f"h{uuid.uuid4().hex[:8]}"
    hospital = local_stack.call(
        "POST",
        "/supplies/requests",
        officer,
        {
            "item": "goggles",
            "tier": "frontline_medical",
            "quantity": 150,
            "needed_by": needed,
            "unit_kind": "department",
            "unit_id": unit,
            "unit_name": "市中心医院",
        },
    )
    assert hospital.status == 201, hospital.body

    # The community head files a request for goggles from the app
    head_phone = other_phone(browser, local_stack, "backoffice-supplies-head")
    head_calls = ScreenCalls(head_phone)
    head_phone.sign_in(head)
    head_phone.page.get_by_test_id("tool-supply-requests").click()
    page = head_phone.page
    page.get_by_test_id("own-unit").filter(has_text="湖滨社区").wait_for()  # named from the region list
    page.locator("select[name=item]").select_option("goggles")
    page.locator("input[name=quantity]").fill("100")
    page.locator("input[name=needed_by]").fill(needed)
    page.locator("textarea[name=purpose]").fill("卡口值守人员防护")
    page.get_by_test_id("request-submit").click()
    mine = page.locator("[data-request]").first
    mine.locator("[data-status=open]").wait_for()
    community_request = mine.get_attribute("data-request")
    head_phone.shot("request filed")
    assert head_phone.no_horizontal_scroll()

    # The officer: goggles below the threshold, a new warehouse, a donation booked in
    calls = ScreenCalls(phone)
    phone.sign_in(officer)
    page = phone.page
    assert page.get_by_test_id("tool-supply-requests").is_visible() and page.get_by_test_id("tool-supplies-office").is_visible()
    page.get_by_test_id("tool-supplies-office").click()
    page.locator("[data-testid=supply-stock] [data-item=goggles]").wait_for()
    page.locator("[data-testid=supply-alerts] [data-alert=goggles]").wait_for()  # held in no warehouse yet: 0 against 300
    phone.shot("stock and alerts")
    tab(phone, "仓库")
    name = f"陕州区物资库{uuid.uuid4().hex[:4]}"
    page.locator("input[name=warehouse_name]").fill(name)
    page.locator("select[name=county_code]").select_option("411203")
    page.locator("input[name=address]").fill("陕州区大营镇1号")
    page.get_by_test_id("warehouse-submit").click()
    page.locator(".van-cell", has_text=name).first.wait_for()
    tab(phone, "入库")
    warehouse = page.locator("select[name=warehouse_id] option", has_text=name).get_attribute("value")
    page.locator("select[name=warehouse_id]").select_option(warehouse)
    page.locator("select[name=item]").select_option("goggles")
    page.locator("input[name=quantity]").fill("200")
    page.locator("input[name=source]").fill("三门峡市慈善总会")
    page.locator("input[name=reference]").fill("JZ-2020-0211")
    page.get_by_test_id("inbound-submit").click()
    page.locator("[data-testid=inbound-list] .van-cell", has_text="三门峡市慈善总会").first.wait_for()
    phone.shot("inbound booked")
    tab(phone, "库存")
    alert = page.locator("[data-testid=supply-alerts] .van-cell", has_text=name)
    alert.wait_for()
    assert "200" in alert.inner_text() and "300" in alert.inner_text()  # 200 available against the default 300

    # Preview: the hospital (medical) is served in full before the community (prevention); then commit
    tab(phone, "调配")
    page.locator("select[name=run_item]").select_option("goggles")
    page.locator("select[name=run_warehouse]").select_option(warehouse)
    page.get_by_test_id("run-preview").click()
    plan = page.get_by_test_id("run-plan")
    plan.wait_for()
    quantities = {row.get_attribute("data-request"): row.get_attribute("data-quantity") for row in plan.locator("[data-request]").all()}
    assert quantities[hospital.json["request_id"]] == "150" and quantities[community_request] == "50"
    assert local_stack.call("GET", f"/supplies/requests/{community_request}", officer).json["allocated"] == 0  # a preview writes nothing
    phone.shot("allocation preview")
    page.get_by_test_id("run-commit").click()
    page.get_by_test_id("page-supplies-run").wait_for()
    page.locator(f"[data-request='{community_request}'] input").fill("豫M·20211")
    page.get_by_test_id(f"dispatch-{community_request}").click()
    page.locator(f"[data-request='{community_request}'] .van-cell", has_text="已发运").first.wait_for()
    phone.shot("dispatched")
    assert phone.no_horizontal_scroll()

    # The head signs for 48 of the 50 (two broken)
    head_phone.page.reload()
    row = head_phone.page.locator(f"[data-request='{community_request}']")
    row.locator("input").fill("48")
    head_phone.page.get_by_test_id(f"sign-{community_request}").click()
    row.locator("[data-status=partly_allocated]").wait_for()
    row.locator(".van-cell", has_text="短少 2").wait_for()
    head_phone.shot("receipt signed")
    ledger = local_stack.call("GET", f"/supplies/requests/{community_request}", head).json
    assert (ledger["allocated"], ledger["dispatched"], ledger["received"]) == (50, 50, 48)

    assert calls.undeclared() == [] and head_calls.undeclared() == []
    assert {"supplies-office", "supplies-run"} <= calls.screens_seen() and "supply-requests" in head_calls.screens_seen()
    assert not page_errors(phone) and not page_errors(head_phone), page_errors(phone) + page_errors(head_phone)
    head_phone.context.close()
