"""Issue 18 in headless Chromium: a resident's own timeline shows a staff access to their record, and a commander
who opens a resident's full record is asked for a reason first (break-glass), then reads it; the grant is on the
supervision list and in the resident's timeline."""

from __future__ import annotations

import pytest

from tests.e2e.browser_support import Phone
from tests.e2e.conftest import LocalStack
from tests.e2e.screen_calls import ScreenCalls
from tests.e2e.test_web_screens import registered_resident

pytest_plugins = ["tests.e2e.browser_support"]  # the browser, phone fixtures
pytestmark = [pytest.mark.e2e, pytest.mark.browser]

JUSTIFICATION = "急救中心来电核实身份,病人昏迷"


def test_break_glass_from_the_record_screen_and_the_residents_own_timeline(phone: Phone, local_stack: LocalStack) -> None:
    # Given a resident with a code, and a county commander of their county
    username, _ = registered_resident(local_stack, "范仲淹")
    person_id = local_stack.call("GET", "/residents/me", username).json["person_id"]
    commander = local_stack.new_user("commander", {"county_code": "411202"}, prefix="commander")
    calls = ScreenCalls(phone)
    page = phone.page
    phone.sign_in(commander)
    # When the commander opens the resident's full record from the home menu
    page.get_by_test_id("tool-person-record").click()
    page.get_by_test_id("page-person-record").wait_for()
    page.locator("input[name=person]").fill(person_id)
    page.get_by_test_id("record-open").click()
    # Then they are asked for a reason first, and after giving one they read the record
    page.get_by_test_id("record-need-reason").wait_for()
    page.get_by_test_id("record-reason-code").select_option("epidemic_investigation")
    page.locator("textarea[name=justification]").fill(JUSTIFICATION)
    page.get_by_test_id("record-request").click()
    page.get_by_test_id("record-granted").wait_for()
    page.locator("[data-testid=timeline-entry][data-kind=break_glass]").first.wait_for()
    page.locator("[data-testid=timeline-entry][data-kind=applied]").wait_for()
    phone.shot("person-record")
    # And the grant is on the county's supervision list
    phone.open("/staff/access-grants")
    page.locator(f"[data-testid=grant][data-person='{person_id}']").wait_for()
    assert calls.undeclared() == []
    # And the resident sees the grant with its justification and the commander's read in their own timeline
    page.evaluate("localStorage.removeItem('sanmenxia.session')")
    phone.sign_in(username)
    phone.open("/code")
    page.get_by_test_id("code-timeline").click()
    page.get_by_test_id("page-timeline").wait_for()
    glass = page.locator("[data-testid=timeline-entry][data-kind=break_glass]")
    glass.wait_for()
    assert JUSTIFICATION in glass.inner_text()
    page.locator("[data-testid=timeline-entry][data-action='person.read.break_glass']").first.wait_for()
    phone.shot("my-timeline")
