"""A commander's lists in the app: a carrier list compared with residents (upload, progress, summary, withdraw),
and confirmed cases' trips published one by one and by CSV, a wrong CSV answered with its problems by line."""

from __future__ import annotations

import random
from typing import Any

import pytest

from tests.e2e.browser_support import Phone, new_id_number
from tests.e2e.conftest import LocalStack

pytest_plugins = ["tests.e2e.browser_support"]  # the browser, phone fixtures
pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def _csv(name: str, text: str) -> dict[str, Any]:
    return {"name": name, "mimeType": "text/csv", "buffer": text.encode()}


def test_a_commander_compares_a_carrier_list_and_withdraws_it(phone: Phone, local_stack: LocalStack) -> None:
    # Given a resident registered in 湖滨区 / 湖滨社区 (411202-001)
    resident = local_stack.new_user("resident")
    id_number = new_id_number()
    mobile = "139" + str(random.SystemRandom().randint(10_000_000, 99_999_999))
    body = {"name": "孙立", "id_number": id_number, "phone": mobile, "county_code": "411202", "community_id": "411202-001", "address": "湖滨路8号"}
    assert local_stack.call("POST", "/residents", resident, body).status == 201
    local_stack.drain()  # the look-up index has the new resident
    page = phone.page
    # When the city commander uploads a carrier's list naming them, and an unknown number
    phone.sign_in("commander1")
    page.get_by_test_id("tool-comparison").click()
    page.locator("input[name=name]").fill("运营商 武汉来三")
    page.locator("input[name=reason]").fill("近14天到过武汉")
    page.locator("select[name=category]").select_option("from_wuhan")
    page.set_input_files("input[name=file]", files=[_csv("list.csv", f"id_number,phone\n{id_number},\n,13000000000\n")])
    page.get_by_test_id("comparison-submit").click()
    # Then the job runs to its end and its summary counts one resident of 湖滨社区 (no personal data shown)
    job = page.locator("[data-testid=comparison-job][data-status=done]")
    job.wait_for()
    assert page.get_by_test_id("comparison-hits").locator(".van-cell__value").inner_text() == "1"
    job.locator("[data-community='411202-001']").wait_for()
    assert id_number not in page.content() and mobile not in page.content()
    phone.shot("compared")
    # When they withdraw it (confirming)
    page.get_by_test_id("comparison-withdraw").click()
    page.locator(".van-dialog__confirm").click()
    # Then the job is withdrawn and its hold lifted
    page.locator("[data-testid=comparison-job][data-status=withdrawn]").wait_for()
    assert "1" in page.get_by_test_id("comparison-job").inner_text()
    phone.shot("withdrawn")
    assert phone.no_horizontal_scroll()


def test_a_commander_publishes_case_trips_one_by_one_and_by_csv_with_errors_by_line(phone: Phone, local_stack: LocalStack) -> None:
    today = local_stack.today()
    number = f"G{random.SystemRandom().randint(1000, 9999)}"
    page = phone.page
    phone.sign_in("commander1")
    page.get_by_test_id("tool-case-trips").click()
    # When the commander publishes one trip (the date defaults to the server's today)
    page.wait_for_function("today => (document.querySelector('input[name=date]') || {}).value === today", arg=today)
    page.locator("select[name=mode]").select_option("train")
    page.locator("input[name=number]").fill(number)
    page.locator("input[name=carriage]").fill("5")
    page.locator("input[name=from]").fill("武汉")
    page.locator("input[name=to]").fill("三门峡南")
    page.locator("input[name=source_url]").fill("https://www.smx.gov.cn/notice/1")
    page.get_by_test_id("trip-submit").click()
    page.get_by_test_id("trip-published").wait_for()
    # Then it is listed among the day's case trips
    page.get_by_role("tab", name="按日查看").click()
    page.get_by_test_id("trips-of-day").filter(has_text=number).wait_for()
    phone.shot("published")
    # When they upload a CSV whose third line names an unknown mode and has no notice link
    csv = f"date,mode,number,from,to,source_url\n{today},train,{number}X,武汉,三门峡,https://www.smx.gov.cn/notice/2\n{today},rocket,K1,武汉,三门峡,\n"
    page.get_by_role("tab", name="CSV 导入").click()
    page.set_input_files("input[name=file]", files=[_csv("trips.csv", csv)])
    page.get_by_test_id("trips-upload").click()
    # Then the file is rejected, nothing imported, and each problem is shown by line and field
    page.locator("[data-testid=trips-report][data-status=rejected]").wait_for()
    errors = page.get_by_test_id("trips-errors")
    assert errors.locator("tr[data-line='3']").count() >= 2, errors.inner_text()
    assert "mode" in errors.inner_text() and "source_url" in errors.inner_text()
    phone.shot("rejected")
    assert phone.no_horizontal_scroll()
