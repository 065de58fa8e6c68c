"""The 12345 work-order screen for real cases in headless Chromium (375×812): the lead unit asks for more time, the
operator approves it and adds an assisting unit; once that unit has answered, the lead uploads a photo of the
result, fills the reply from a standard answer of the knowledge base and replies."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.browser_support import PHONE, UI_TIMEOUT_MS, Phone
from tests.e2e.conftest import LocalStack

pytest_plugins = ["tests.e2e.browser_support"]  # the browser, phone fixtures
pytestmark = [pytest.mark.e2e, pytest.mark.browser]

#: A 1×1 PNG.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status == status, (response.status, response.body[:300])
    return response.json


def test_the_lead_unit_works_a_joint_case_on_the_order_screen(browser: Any, phone: Phone, local_stack: LocalStack, tmp_path: Path) -> None:
    # Given a call dispatched to civil affairs, a handler there and one at the health commission, and a standard answer
    civil = local_stack.new_user("department_handler", {"department": "civil_affairs"})
    health = local_stack.new_user("department_handler", {"department": "health_commission"})
    marker = uuid.uuid4().hex[:6]
    call = {"type": "help_request", "summary": f"独居老人缺降压药 {marker}", "community_id": "411202-002", "department": "civil_affairs"}
    call["caller_phone"] = "13612344321"
    oid = _ok(local_stack.call("POST", "/hotline/orders", "operator1", call), 201)["order_id"]
    answer = {"title": f"居家老人代购药品 {marker}", "body": f"已由社区网格员代购药品送至家中,药费按票据结算。{marker}", "tags": [f"代购{marker}"]}
    _ok(local_stack.call("POST", "/hotline/answers", "operator1", answer), 201)
    page = phone.page
    # When the lead unit's handler accepts the order and asks for 24 more hours with a reason
    phone.sign_in(civil)
    phone.open(f"/staff/orders/{oid}")
    page.get_by_test_id("order-accept").click()
    page.get_by_test_id("order-status").filter(has_text="办理中").wait_for()
    page.get_by_test_id("case-reason").locator("input").fill("药品需从市区药房调拨")
    page.get_by_test_id("case-ask-extension").click()
    # Then the request waits on the screen
    page.get_by_test_id("order-extension").filter(has_text="药品需从市区药房调拨").wait_for()
    phone.shot("extension-asked")
    # When the operator approves it and adds the health commission as an assisting unit
    operator = Phone(browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN"), local_stack, "hotline-case-operator")
    operator.context.set_default_timeout(UI_TIMEOUT_MS)
    try:
        operator.sign_in("operator1")
        operator.open(f"/staff/orders/{oid}")
        operator.page.get_by_test_id("case-approve").click()
        operator.page.get_by_test_id("order-extension").wait_for(state="detached")
        operator.page.get_by_test_id("case-assist-unit").click()
        operator.page.locator(".van-picker-column__item", has_text="卫生健康委员会").click()
        operator.page.locator(".van-picker__confirm").click()
        operator.page.get_by_test_id("case-add-assist").click()
        operator.page.get_by_test_id("order-assist").filter(has_text="待答复").wait_for()
        operator.shot("assist-added")
    finally:
        operator.context.close()
    stored = _ok(local_stack.call("GET", f"/hotline/orders/{oid}", civil))
    assert stored["extensions_granted"] == 1 and stored["waiting_for"] == ["health_commission"]
    # Then the lead sees (after reloading the order) that it must wait for the assisting unit
    page.reload()
    page.get_by_test_id("order-waiting").wait_for()
    # When the assisting unit has answered, and the lead uploads a photo and picks the standard answer
    _ok(local_stack.call("POST", f"/hotline/orders/{oid}/assist-reply", health, {"reply": "社区医生已上门测量血压"}))
    page.reload()
    page.get_by_test_id("order-assist").filter(has_text="已答复").wait_for()
    photo = tmp_path / "result.png"
    photo.write_bytes(PNG)
    page.get_by_test_id("case-photo").locator("input[type=file]").set_input_files(str(photo))
    page.get_by_test_id("case-photo-count").filter(has_text="1/3").wait_for()
    search = page.get_by_test_id("case-answer-search").locator("input")
    search.fill(f"代购{marker}")
    search.press("Enter")
    page.get_by_test_id("case-answer").filter(has_text=answer["title"]).click()
    assert marker in page.get_by_test_id("order-note").locator("textarea").input_value()
    page.get_by_test_id("order-reply").click()
    # Then the order is answered with the photo of the result, and each step is in the timeline
    page.get_by_test_id("order-status").filter(has_text="已答复").wait_for()
    page.get_by_test_id("order-reply-photo").wait_for()
    timeline = page.get_by_test_id("page-order").inner_text()
    for step in ("申请延期", "延期审批", "协办", "协办答复", "答复"):
        assert step in timeline
    assert phone.no_horizontal_scroll()
    phone.shot("replied")
    replied = _ok(local_stack.call("GET", f"/hotline/orders/{oid}", "operator1"))
    assert replied["status"] == "replied" and len(replied["reply_photos"]) == 1 and marker in replied["reply"]
