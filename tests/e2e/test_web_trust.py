"""Issue 18 in headless Chromium: the resident's code screen links to the explanation of its colour, which lists
the facts (rule version and thresholds, check-in days, holds with source and reason) and says the colour
recomputed from them matches."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.browser_support import Phone
from tests.e2e.conftest import LocalStack
from tests.e2e.test_web_screens import registered_resident

pytest_plugins = ["tests.e2e.browser_support"]  # the browser, phone fixtures
pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_the_code_screen_links_to_the_facts_its_colour_follows_from(phone: Phone, local_stack: LocalStack) -> None:
    # Given a resident with a code who checked in today and has a fever hold from a gate
    username, _ = registered_resident(local_stack, "欧阳修")
    assert local_stack.call("POST", "/health-codes/me/check-ins", username, {"temperature": 38.4, "symptoms": []}).status == 201
    explained: Any = local_stack.call("GET", "/health-codes/me/explanation", username).json
    page = phone.page
    phone.sign_in(username)
    # When they open the explanation from the code screen
    phone.open("/code")
    page.get_by_test_id("code-explanation").click()
    page.get_by_test_id("page-explanation").wait_for()
    # Then it shows the colour, the rule version with its thresholds, today's check-in, the hold with its reason,
    # and that the colour recomputed from those facts matches
    page.locator(f"[data-testid=explanation-color][data-color={explained['color']}]").wait_for()
    assert explained["rule"]["version"] in page.get_by_test_id("explanation-rule").inner_text()
    assert explained["facts"]["checkin_days"][0] in page.get_by_test_id("explanation-checkins").inner_text()
    hold = page.locator("[data-testid=explanation-hold][data-active=true]")
    assert "38.4" in hold.inner_text()
    page.locator("[data-testid=explanation-recomputed][data-matches=true]").wait_for()
    phone.shot("code-explanation")
