"""A community head's screen without dead ends (Chromium, 375×812, issue 15): the filter dropdowns open inside the
tabs (they were 0 px tall inside swipeable ones), a hardship request says who needs help and where (masked) and can be taken and resolved, its
12345 order follows it, a resident's row opens what the head may see of them, and the requester's "我的诉求" row
opens the timeline."""

from __future__ import annotations

import random
import time

import pytest

from tests.e2e.browser_support import Phone, new_id_number
from tests.e2e.conftest import LocalStack

pytest_plugins = ["tests.e2e.browser_support"]  # the browser, phone fixtures
pytestmark = [pytest.mark.e2e, pytest.mark.browser]

COMMUNITY = "411202-002"


def _order_status(stack: LocalStack, operator: str, order_id: str, want: str, timeout: float = 30.0) -> str:
    """The order's status once the event pump has delivered the request's progress (or the last one seen)."""
    deadline = time.monotonic() + timeout
    status = ""
    while time.monotonic() < deadline:
        response = stack.call("GET", f"/hotline/orders/{order_id}", operator)
        status = response.json.get("status", "") if response.status == 200 else ""
        if status == want:
            break
        time.sleep(0.3)  # polling a condition with a deadline, not a fixed wait
    return status


def test_a_head_takes_and_resolves_a_hardship_request_and_opens_a_residents_row(phone: Phone, local_stack: LocalStack) -> None:
    # Given a resident of the community who asked for medicine
    resident = local_stack.new_user("resident")
    body = {"name": "孙秀英", "id_number": new_id_number(), "phone": "139" + str(random.SystemRandom().randint(10_000_000, 99_999_999))}
    body |= {"county_code": "411202", "community_id": COMMUNITY, "address": "湖滨区和平路88号"}
    assert local_stack.call("POST", "/residents", resident, body).status == 201
    asked = local_stack.call("POST", "/residents/me/hardship-requests", resident, {"kind": "medicine", "description": "降压药吃完了"})
    assert asked.status == 201, asked.body
    head = local_stack.new_user("community_head", {"community_id": COMMUNITY, "county_code": "411202"})
    operator = local_stack.new_user("hotline_operator")
    page = phone.page
    phone.sign_in(head)
    phone.open("/staff/community")
    # When the head opens the hardship tab, the request says who and where, masked
    page.get_by_role("tab", name="困难诉求").click()
    row = page.get_by_test_id("hardship-row").filter(has_text="降压药吃完了")
    row.wait_for()
    assert "孙**" in row.inner_text() and "湖滨区和平" in row.inner_text() and "88号" not in row.inner_text()
    # And takes it; it leaves the 待处理 list
    row.get_by_role("button", name="受理").click()
    row.wait_for(state="detached")
    # When the head opens the status filter inside the tabs, its options have a height and 处理中 is reachable
    page.get_by_test_id("hardship-filter").locator(".van-dropdown-menu__item").click()
    option = page.locator(".van-dropdown-item__option", has_text="处理中").filter(visible=True)
    option.wait_for()
    box = option.bounding_box()
    assert box is not None and box["height"] > 20, box
    option.click()
    row = page.get_by_test_id("hardship-row").filter(has_text="降压药吃完了")
    row.wait_for()
    # And resolves it
    row.get_by_role("button", name="已解决").click()
    page.locator(".van-dialog__confirm").click()
    row.wait_for(state="detached")
    phone.shot("resolved")
    # Then its 12345 order, the community's, is answered rather than left to go overdue
    order_id = next(order["order_id"] for order in local_stack.call("GET", "/hotline/orders/mine", resident).json["items"] if order["source"] == "hardship")
    assert _order_status(local_stack, operator, order_id, "replied") == "replied"
    # And a resident's row opens their (masked) record
    page.get_by_role("tab", name="居民").click()
    page.get_by_test_id("resident-row").filter(has_text="孙**").first.click()
    detail = page.get_by_test_id("resident-detail")
    detail.wait_for()
    assert "孙**" in detail.inner_text()
    phone.shot("resident-detail")
    # And the resident's "我的诉求" row opens the request's timeline, answered
    phone.sign_in(resident)
    phone.open("/my-tipoffs")
    page.get_by_test_id("my-order-row").filter(has_text=order_id).click()
    timeline = page.get_by_test_id("my-order-timeline")
    timeline.locator(".van-step", has_text="已答复").wait_for()
    phone.shot("my-request-timeline")
