"""Acting for a family member in the app (Chromium, 375×812): the person chosen on the code screen travels through
the application, the check-in and the self-report, each confirmed with the person's name, and nothing lands on
the household head (issue 15)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from tests.e2e.browser_support import Phone, new_id_number
from tests.e2e.conftest import LocalStack

pytest_plugins = ["tests.e2e.browser_support"]  # the browser, phone fixtures
pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def _head_without_a_code(stack: LocalStack) -> tuple[str, str]:
    username = stack.new_user("resident")
    body = {"name": "钱大江", "id_number": new_id_number(), "phone": "139" + str(random.SystemRandom().randint(10_000_000, 99_999_999))}
    body |= {"county_code": "411202", "community_id": "411202-001", "address": "黄河路12号"}
    response = stack.call("POST", "/residents", username, body)
    assert response.status == 201, response.body
    return username, str(response.json["person_id"])


def _confirm_for(page: Any, name: str) -> None:
    """The confirmation names the person; say yes."""
    dialog = page.locator(".person-confirm")
    dialog.wait_for()
    assert name in dialog.inner_text()
    dialog.locator(".van-dialog__confirm").click()
    dialog.wait_for(state="hidden")


def test_a_head_files_an_application_a_check_in_and_a_self_report_for_a_dependent(phone: Phone, local_stack: LocalStack) -> None:
    # Given a household head without a code of their own, and their father without a phone
    username, head_id = _head_without_a_code(local_stack)
    added = local_stack.call("POST", "/residents/me/household", username, {"name": "钱老汉", "id_number": new_id_number(), "relation": "parent"})
    assert added.status == 201, added.body
    father = added.json["person_id"]
    page = phone.page
    phone.sign_in(username)
    # When the head chooses the father on the code screen and taps 立即申领
    phone.open("/code")
    page.get_by_test_id("code-missing").wait_for()
    page.get_by_test_id("person-switcher").click()
    page.locator(".van-action-sheet__item", has_text="钱**").click()
    page.wait_for_function("p => location.hash.includes('person=' + p)", arg=father)
    page.get_by_test_id("code-missing").locator("button").click()
    # Then the application is for the father, and says so before it is sent
    page.get_by_test_id("page-apply").wait_for()
    assert "钱**" in page.get_by_test_id("person-switcher").inner_text()
    page.get_by_test_id("apply-accept").click()
    page.get_by_test_id("apply-submit").click()
    _confirm_for(page, "钱**")
    page.locator("[data-testid=page-code] .holder", has_text="钱**").wait_for()
    # When the head checks in for him from his code screen with a fever
    page.get_by_test_id("code-checkin").click()
    page.get_by_test_id("page-checkin").wait_for()
    assert "钱**" in page.get_by_test_id("person-switcher").inner_text()
    page.get_by_test_id("checkin-temperature").locator("input").fill("38.3")
    page.get_by_test_id("checkin-submit").click()
    _confirm_for(page, "钱**")
    page.locator("[data-testid=page-code] .holder", has_text="钱**").wait_for()
    # And files his self-report
    phone.open(f"/self-report?person={father}")
    page.get_by_test_id("page-selfreport").wait_for()
    page.locator("[data-testid=person-switcher]", has_text="钱**").wait_for()
    page.get_by_test_id("selfreport-submit").click()
    _confirm_for(page, "钱**")
    page.locator(".van-toast", has_text="钱**").wait_for()
    phone.shot("self-report-for-father")
    # Then all three are the father's, and the head has no code, no check-in and no report of their own
    token = local_stack.token(username)
    assert local_stack.request("GET", "/health-codes/me", token=token).status == 404
    father_code = local_stack.request("GET", f"/health-codes/me?person={father}", token=token).json
    assert father_code["checked_in_today"] is True
    assert [entry["temperature"] for entry in father_code["checkins"]] == [38.3]
    reports = {row["person_id"]: row for row in local_stack.call("GET", "/residents/me/reports", username).json["items"]}
    assert reports[father]["reported_on"] is not None
    assert reports[head_id]["reported_on"] is None
    # (the 404 of the father's code before he applied is an expected failed resource, not a script error)
    script_errors = [error for error in phone.console_errors if not error.startswith("Failed to load resource")]
    assert not script_errors, script_errors
