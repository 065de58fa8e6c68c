"""Tip-offs on a map in headless Chromium (375×812): a resident pins the place on the form's map (the six divisions
drawn from the app's own shapes, no tiles), the public map lists the report without personal data, and another
resident says "me too" on it instead of reporting again, counted once."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.e2e.browser_support import Phone, pick_community
from tests.e2e.conftest import LocalStack

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
pytest_plugins = ["tests.e2e.browser_support"]

#: Where the resident taps: central 卢氏县 (the county the demo data leaves alone).
TAP = (111.05, 34.05)


def tap_map(phone: Phone, testid: str, lon: float, lat: float) -> None:
    """Tap the map at a coordinate: the chart says which pixel it is."""
    chart = phone.page.get_by_test_id(testid)
    chart.wait_for()
    chart.scroll_into_view_if_needed()
    x, y = phone.page.evaluate(
        f"([lon, lat]) => document.querySelector('[data-testid={testid}]').echartsInstance.convertToPixel('geo', [lon, lat])", [lon, lat]
    )
    box = chart.bounding_box()
    assert box is not None
    phone.page.mouse.click(box["x"] + x, box["y"] + y)


def test_a_pinned_tipoff_is_on_the_public_map_and_another_resident_says_me_too(browser: Any, phone: Phone, local_stack: LocalStack) -> None:
    # Given a signed-in resident on the tip-off form
    reporter = local_stack.new_user("resident")
    marker = uuid.uuid4().hex[:6]
    page = phone.page
    phone.sign_in(reporter)
    phone.open("/tipoff")
    page.get_by_test_id("tipoff-category").click()
    page.locator(".van-picker-column__item", has_text="售卖野味").click()
    page.locator(".van-picker__confirm").click()
    pick_community(phone, "卢氏县", "城关")
    # When they tap the map to pin the place, and report
    tap_map(phone, "tipoff-pin-map", *TAP)
    pinned = page.get_by_test_id("tipoff-pin-map")
    page.wait_for_function("() => document.querySelector('[data-testid=tipoff-pin-map]').dataset.pin !== ''")
    latitude, longitude = (float(value) for value in str(pinned.get_attribute("data-pin")).split(","))
    assert abs(latitude - TAP[1]) < 0.05 and abs(longitude - TAP[0]) < 0.05
    page.locator("input[name=address]").fill("城关镇集贸市场东门")
    page.locator("textarea[name=description]").fill(f"有人售卖野生果子狸,摊主姓张 {marker}")
    phone.shot("pinned")
    page.get_by_test_id("tipoff-submit").click()
    done = page.locator(".van-dialog", has_text="查询码")
    done.wait_for()
    done.locator(".van-dialog__cancel").click()
    page.get_by_test_id("page-mytipoffs").wait_for()
    # Then the public map (no sign-in needed) lists it, rounded, without the description or the address
    rows = local_stack.request("GET", "/tipoffs/map?category=selling_wild_game&county_code=411224").json["items"]
    mine = [row for row in rows if row["latitude"] == round(latitude, 2) and row["longitude"] == round(longitude, 2)]
    assert mine, rows
    assert marker not in str(rows) and "集贸市场" not in str(rows)
    # When another resident opens the map and says "me too" on it
    other = local_stack.new_user("resident")
    phone.context.clear_cookies()
    phone.page.evaluate("localStorage.clear()")
    phone.sign_in(other)
    phone.open("/tipoffs/map")
    page.get_by_test_id("page-tipoff-map").wait_for()
    page.get_by_test_id("tipoff-map").wait_for()
    row = page.get_by_test_id("tipoff-map-row").filter(has_text=mine[0]["community"]).filter(has_text=mine[0]["day"]).first
    before = int(re.search(r"(\d+) 人也遇到", row.inner_text()).group(1))  # type: ignore[union-attr]
    row.get_by_test_id("tipoff-me-too").click()
    row.filter(has_text=f"{before + 1} 人也遇到").wait_for()
    assert row.get_by_test_id("tipoff-me-too").is_disabled()
    assert phone.no_horizontal_scroll()
    phone.shot("me-too")
    # Then the count is one more, and saying it again through the API does not count twice
    counted = local_stack.call("POST", f"/tipoffs/map/{mine[0]['report_id']}/me-too", other, {}).json
    assert counted == {"report_id": mine[0]["report_id"], "me_too": before + 1, "counted": False}
