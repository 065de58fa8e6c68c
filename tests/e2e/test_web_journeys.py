"""The 线上三门峡 web app in headless Chromium at a 375×812 phone viewport, against the local stack:
the resident journey (sign in → register → apply → check in → a green code whose QR token verifies), a
checkpoint scan (the QR image read by the scanner's QR library, then a typed ID), and a commander's
drill-down city → county → community → key-person list. Screenshots are kept in test-artifacts/web/."""

from __future__ import annotations

import itertools
import json
import random
import re
from typing import Any

import pytest

from tests.e2e.browser_support import (
    ARTIFACTS,
    PHONE,
    UI_TIMEOUT_MS,
    Phone,
    camera_browser,
    camera_feed,
    dismiss_verdict,
    gate_verdict,
    new_id_number,
    pick_community,
)
from tests.e2e.conftest import ROOT, LocalStack

pytest_plugins = ["tests.e2e.browser_support"]  # the browser, phone fixtures
pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def register_and_apply(phone: Phone, name: str, id_number: str) -> None:
    """From the home screen of a new resident to their code screen, through the app's forms."""
    page = phone.page
    page.get_by_test_id("register-notice").click()
    page.get_by_test_id("page-register").wait_for()
    page.locator("input[name=name]").fill(name)
    page.locator("input[name=id_number]").fill(id_number)
    page.locator("input[name=phone]").fill("139" + str(random.SystemRandom().randint(10_000_000, 99_999_999)))
    pick_community(phone, "湖滨区", "湖滨社区")
    page.locator("input[name=address]").fill("湖滨区黄河路1号")
    phone.shot("register-filled")
    page.get_by_test_id("register-submit").click()
    page.get_by_test_id("page-apply").wait_for()
    page.get_by_test_id("apply-accept").click()
    phone.shot("apply")
    page.get_by_test_id("apply-submit").click()
    page.get_by_test_id("page-code").wait_for()


def county_centroid(code: str) -> list[float]:
    """The centroid of a county's largest ring in the map the build extracted (web/src/generated)."""
    shapes = json.loads((ROOT / "web" / "src" / "generated" / "sanmenxia-counties.json").read_text())
    feature = next(item for item in shapes["features"] if item["id"] == code)
    polygons = [feature["geometry"]["coordinates"]] if feature["geometry"]["type"] == "Polygon" else feature["geometry"]["coordinates"]
    ring = max((polygon[0] for polygon in polygons), key=len)
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        cross = x1 * y2 - x2 * y1
        area, cx, cy = area + cross, cx + (x1 + x2) * cross, cy + (y1 + y2) * cross
    return [cx / (3 * area), cy / (3 * area)]


def code_token(phone: Phone) -> str:
    qr = phone.page.get_by_test_id("code-qr")
    qr.wait_for()
    return str(qr.get_attribute("data-token"))


def test_resident_signs_in_applies_checks_in_and_shows_a_green_code_whose_token_verifies(phone: Phone, local_stack: LocalStack) -> None:
    # Given a new resident account
    username = local_stack.new_user("resident")
    page = phone.page
    # When they sign in through the app (Cognito InitiateAuth from the browser), register and apply
    phone.sign_in(username)
    phone.shot("home")
    register_and_apply(phone, "韩梅梅", new_id_number())
    # And check in today from the code screen
    page.get_by_test_id("code-checkin").click()
    page.get_by_test_id("page-checkin").wait_for()
    page.get_by_test_id("checkin-temperature").locator("input").fill("36.4")
    page.get_by_test_id("checkin-submit").click()
    page.get_by_test_id("page-code").wait_for()
    page.get_by_test_id("code-checkin").filter(has_text="今日已打卡").wait_for()
    # Then the code screen is green, with a running clock and a QR image of a token
    color = page.get_by_test_id("code-color")
    assert color.get_attribute("data-color") == "green"
    assert color.inner_text().replace(" ", "") == "绿码"
    clock_before = page.get_by_test_id("running-clock").inner_text()
    token = code_token(phone)
    # (the clock ticks: wait for its text to change rather than for a fixed time)
    page.wait_for_function("before => document.querySelector('[data-testid=running-clock]').innerText !== before", arg=clock_before)
    assert page.get_by_test_id("code-qr").get_attribute("src").startswith("data:image/png;base64,")
    phone.shot("green-code")
    # And the token in the QR verifies at a checkpoint as green, with the masked name
    verdict = local_stack.call("POST", "/health-codes/verify", "checkpoint1", {"token": token})
    assert verdict.status == 200, verdict.body
    assert verdict.json["valid"] is True
    assert verdict.json["color"] == "green"
    assert verdict.json["name"] == "韩**"
    # And the screen fits the phone, with no script errors
    assert phone.no_horizontal_scroll()
    assert not [error for error in phone.console_errors if "Failed to load resource" not in error]


def test_checkpoint_scans_the_residents_code_with_the_camera_then_a_typed_id_and_the_verdict_clears_itself(
    playwright_instance: Any,
    phone: Phone,
    local_stack: LocalStack,
) -> None:
    # Given a resident with a green code on their phone, and that phone's QR as the gate's camera sees it
    resident = local_stack.new_user("resident")
    phone.sign_in(resident)
    register_and_apply(phone, "李雷", new_id_number())
    code_token(phone)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    qr_image = ARTIFACTS / f"qr-{resident}.png"
    phone.page.get_by_test_id("code-qr").screenshot(path=str(qr_image))
    feed = camera_feed(qr_image, ARTIFACTS / f"camera-{resident}.y4m")
    # And a stop case: a second registered resident identified by a typed ID number, with a fever
    typed_id = new_id_number()
    other = local_stack.new_user("resident")
    registered = local_stack.call(
        "POST",
        "/residents",
        other,
        {"name": "王芳", "id_number": typed_id, "phone": "13900002222", "county_code": "411202", "community_id": "411202-001", "address": "车站路2号"},
    )
    assert registered.status == 201, registered.body
    assert local_stack.call("POST", "/health-codes", other, {"fever": False, "in_isolation": False, "declaration_accepted": True}).status == 201
    # And a checkpoint of 湖滨社区 with its own officer
    checkpoint_id = f"cp-web-{random.SystemRandom().randint(100000, 999999)}"
    created = local_stack.call(
        "POST",
        "/checkpoints",
        "head1",
        {
            "checkpoint_id": checkpoint_id,
            "name": "黄河路小区东门",
            "kind": "residential_compound",
            "community_id": "411202-001",
            "entrances": ["东门"],
            "location": {"latitude": 34.77, "longitude": 111.19, "place": "黄河路1号"},
        },
    )
    assert created.status == 201, created.body
    officer = local_stack.new_user("checkpoint_staff", {"checkpoint_id": checkpoint_id, "community_id": "411202-001"})
    camera = camera_browser(playwright_instance, feed)
    try:
        gate = Phone(camera.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN"), local_stack, "checkpoint-scan")
        gate.context.set_default_timeout(UI_TIMEOUT_MS)
        gate.context.grant_permissions(["camera"])
        gate.sign_in(officer)
        gate.open("/staff/scan")
        gate.page.get_by_test_id("page-scan").wait_for()
        gate.page.get_by_test_id("scan-stats").wait_for()
        assert "黄河路小区东门" in gate.page.get_by_test_id("page-scan").inner_text()
        before = _stat(gate, "scans")
        # When the officer measures the resident, opens the camera and holds it to the resident's phone
        gate.page.get_by_test_id("scan-temperature").locator("input").fill("36.4")
        gate.page.get_by_test_id("camera-start").click()
        # Then the QR library reads the code, the gate shows PASS with the masked name, and the screen clears itself
        verdict = gate_verdict(gate)
        assert (verdict["decision"], verdict["name"]) == ("pass", "李*")
        gate.shot("pass")
        gate.page.get_by_test_id("scan-result").wait_for(state="hidden")  # it clears itself after a few seconds
        # When a typed ID number comes with a temperature of 38.1 °C
        gate.page.get_by_role("tab", name="身份证").click()
        gate.page.get_by_test_id("scan-id-number").locator("input").fill(typed_id)
        gate.page.get_by_test_id("scan-temperature").locator("input").fill("38.1")
        gate.page.get_by_test_id("scan-submit").click()
        # Then the gate says STOP with the reason, and today's counters include both scans
        verdict = gate_verdict(gate)
        assert verdict["decision"] == "stop"
        assert "体温异常" in verdict["text"]
        gate.shot("stop-fever")
        dismiss_verdict(gate)
        gate.page.wait_for_function(
            "expected => Number(document.querySelector('[data-testid=scan-stats] [data-stat=scans]').textContent) >= expected", arg=before + 2
        )
        assert _stat(gate, "stops") >= 1
        assert gate.no_horizontal_scroll()
        gate.shot("stats")
    finally:
        camera.close()


def _stat(device: Phone, name: str) -> int:
    return int(device.page.locator(f"[data-testid=scan-stats] [data-stat={name}]").inner_text())


def test_commander_drills_down_from_the_city_map_to_a_communitys_key_person_list(phone: Phone, local_stack: LocalStack) -> None:
    # Given a key person under home isolation in 湖滨区 / 前进社区, registered by the community head
    resident = local_stack.new_user("resident")
    id_number = new_id_number()
    body = {"name": "赵强", "id_number": id_number, "phone": "13900003333", "county_code": "411202", "community_id": "411202-002", "address": "前进路3号"}
    assert local_stack.call("POST", "/residents", resident, body).status == 201
    registered = local_stack.call("POST", "/key-persons", "head2", {"id_number": id_number, "category": "from_hubei", "measure": {"kind": "home_isolation"}})
    assert registered.status == 201, registered.body
    local_stack.drain()  # the key-persons table's stream has reached the lake
    page = phone.page
    # When the city commander opens the dashboard
    phone.sign_in("commander1")
    phone.open("/staff/dashboard")
    page.get_by_test_id("dashboard-map").wait_for()
    page.wait_for_function("document.querySelector('[data-testid=dashboard-map] canvas') !== null")
    # Then the map colours 湖滨区 by its open key persons (from the lake), and the ranking says so too
    map_value = "el => el.echartsInstance.getOption().series[0].data.find(item => item.id === '411202').value"
    # (the big-data API caches a figure for a minute, and the dashboard reads it again every minute)
    page.wait_for_function(f"() => ({map_value})(document.querySelector('[data-testid=dashboard-map]')) >= 1", timeout=150_000)
    assert int(page.locator("[data-testid=dashboard-areas] [data-area='411202'] .van-cell__value").inner_text()) >= 1
    phone.shot("city")
    # And taps 湖滨区 on the map of the six county-level divisions (at its shape's centroid)
    to_pixel = "(el, point) => el.echartsInstance.convertToPixel({ seriesIndex: 0 }, point)"
    x, y = page.get_by_test_id("dashboard-map").evaluate(to_pixel, county_centroid("411202"))
    box = page.get_by_test_id("dashboard-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + x, box["y"] + y)
    # Then the dashboard is at the county, listing its communities
    page.get_by_test_id("dashboard-crumbs").filter(has_text="湖滨区").wait_for()
    page.locator("[data-testid=dashboard-areas] [data-area='411202-002'] .van-cell__value").filter(has_text=re.compile(r"^[1-9]\d*$")).wait_for(timeout=150_000)
    phone.shot("county")
    # When they tap 前进社区
    page.locator("[data-testid=dashboard-areas] [data-area='411202-002']").click()
    # Then the live key-person list of that community shows the key person, masked
    listing = page.get_by_test_id("dashboard-keyperson-list")
    listing.filter(has_text="赵*").wait_for()
    assert "湖北返回" in listing.inner_text()
    assert page.get_by_test_id("dashboard-crumbs").inner_text().replace(" ", "").endswith("前进社区")
    phone.shot("community")
    assert phone.no_horizontal_scroll()


def test_every_screen_fits_the_phone_and_switches_to_english_and_large_text(phone: Phone, local_stack: LocalStack) -> None:
    # Given a signed-in resident
    username = local_stack.new_user("resident")
    phone.sign_in(username)
    # When they switch to English and the large-font mode on the "me" screen
    phone.open("/me")
    phone.page.get_by_test_id("lang-switch").click()
    phone.page.get_by_test_id("large-font").click()
    # Then the app speaks English in large text, and the screens fit 375 px
    assert phone.page.evaluate("document.documentElement.classList.contains('large-font')")
    phone.page.get_by_text("Sign out").wait_for()
    for route in ("/", "/news", "/cotravel", "/tipoff", "/household", "/self-report", "/help", "/notifications", "/my-tipoffs"):
        phone.open_settled(route)
        assert phone.no_horizontal_scroll(), route
    phone.shot("english-large")


def test_an_api_error_is_shown_in_words(phone: Phone, local_stack: LocalStack) -> None:
    # Given a resident who already holds a code
    username = local_stack.new_user("resident")
    body = {"name": "周杰", "id_number": new_id_number(), "phone": "13900004444", "county_code": "411202", "community_id": "411202-003", "address": "车站路4号"}
    assert local_stack.call("POST", "/residents", username, body).status == 201
    # (declared with a fever, so the app's second application differs and is not taken for a retry of the first)
    assert local_stack.call("POST", "/health-codes", username, {"fever": True, "in_isolation": False, "declaration_accepted": True}).status == 201
    phone.sign_in(username)
    # When they apply a second time through the app (the API refuses: 409)
    phone.open("/code/apply")
    page = phone.page
    page.get_by_test_id("apply-accept").click()
    page.get_by_test_id("apply-submit").click()
    # Then the refusal is on screen in words, not swallowed, and they stay on the form
    message = page.locator(".error-toast, .error-dialog")
    message.first.wait_for()
    assert "冲突" in message.first.inner_text()
    assert page.get_by_test_id("page-apply").is_visible()
    phone.shot("error")
