"""Forms default their dates from the server's today (X-Server-Time on every answer), not from the device's clock,
which may be wrong: a phone whose clock says 2019 still proposes a needed-by day three days after the server's
today (which the local stack's virtual clock may have moved ahead of the machine's)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.browser_support import PHONE, UI_TIMEOUT_MS, Phone
from tests.e2e.conftest import LocalStack

pytest_plugins = ["tests.e2e.browser_support"]  # the browser fixture
pytestmark = [pytest.mark.e2e, pytest.mark.browser]

DEVICE_TIME = datetime(2019, 6, 1, 9, 30)  # a phone whose clock is years off


@pytest.fixture
def wrong_clock_phone(browser: Any, local_stack: LocalStack) -> Iterator[Phone]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(UI_TIMEOUT_MS)
    context.clock.install(time=DEVICE_TIME)  # the device's Date: 2019, and running from there
    yield Phone(context, local_stack, "server-today")
    context.close()


def test_a_supply_requests_needed_by_day_defaults_from_the_servers_today(wrong_clock_phone: Phone, local_stack: LocalStack) -> None:
    # Given a community head whose phone's clock says 2019
    head = local_stack.new_user("community_head", {"community_id": "411202-001", "county_code": "411202"}, prefix="head")
    phone = wrong_clock_phone
    assert phone.page.evaluate("() => new Date().getFullYear()") == 2019
    # When they open the supply request form
    phone.sign_in(head)
    phone.page.get_by_test_id("tool-supply-requests").click()
    needed_by = phone.page.locator("input[name=needed_by]")
    expected = (date.fromisoformat(local_stack.today()) + timedelta(days=3)).isoformat()
    # Then the needed-by day is three days after the server's today
    phone.page.wait_for_function("expected => (document.querySelector('input[name=needed_by]') || {}).value === expected", arg=expected)
    assert needed_by.input_value() == expected
    phone.shot("needed by")
