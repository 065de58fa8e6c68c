"""The command centre (数据大屏) on a 1920×1080 wall display: one screen of the commanders' dashboard, with
loading states instead of zeros, the time its data is as of, a drill-down the back button steps up, and axe clean."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.browser_support import UI_TIMEOUT_MS, Phone, new_id_number
from tests.e2e.conftest import LocalStack
from tests.e2e.test_web_a11y import AXE, BLOCKING, _axe

pytest_plugins = ["tests.e2e.browser_support"]  # the browser fixture
pytestmark = [pytest.mark.e2e, pytest.mark.browser]

WALL = {"width": 1920, "height": 1080}
MAP_VALUE = (
    "code => { const el = document.querySelector('[data-testid=command-map]'); const chart = el && el.echartsInstance;"
    " const series = chart && chart.getOption().series; const hit = series && series[0].data.find(item => item.id === code); return hit ? hit.value : -1 }"
)
FITS = "() => document.documentElement.scrollWidth <= window.innerWidth + 1 && document.documentElement.scrollHeight <= window.innerHeight + 1"


@pytest.fixture
def wall(browser: Any, local_stack: LocalStack) -> Iterator[Phone]:
    context = browser.new_context(viewport=WALL, device_scale_factor=1, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(UI_TIMEOUT_MS)
    yield Phone(context, local_stack, "command-centre")
    context.close()


def _route(page: Any) -> str:
    return str(
        page.evaluate("() => decodeURIComponent(document.querySelector('#app').__vue_app__.config.globalProperties.$router.currentRoute.value.fullPath)")
    )


def test_the_command_centre_fills_a_wall_display_and_drills_down_across_the_back_button(wall: Phone, local_stack: LocalStack) -> None:
    # Given a key person under home isolation in 湖滨区 / 前进社区
    resident = local_stack.new_user("resident")
    id_number = new_id_number()
    body = {"name": "钱进", "id_number": id_number, "phone": "13900004444", "county_code": "411202", "community_id": "411202-002", "address": "前进路5号"}
    assert local_stack.call("POST", "/residents", resident, body).status == 201
    registered = local_stack.call("POST", "/key-persons", "head2", {"id_number": id_number, "category": "from_hubei", "measure": {"kind": "home_isolation"}})
    assert registered.status == 201, registered.body
    local_stack.drain()
    page = wall.page
    failed: list[str] = []
    # (the app looks for a deployed /config.json first: locally a 404, and then the local stack's config)
    page.on(
        "response",
        lambda response: failed.append(f"{response.status} {response.url}") if response.status >= 400 and not response.url.endswith("/config.json") else None,
    )
    # And the health-code figure held back, so that the screen is seen before it answers
    held: list[Any] = []
    holding = [True]
    page.route(re.compile(r"/dashboard/codes(\?|$)"), lambda route: held.append(route) if holding[0] else route.continue_())
    # When the city commander opens the command centre at 1920×1080
    wall.sign_in("commander1")
    wall.open("/staff/command-centre")
    page.get_by_test_id("page-command-centre").wait_for()
    page.wait_for_function("() => document.querySelector('[data-testid=command-codes] [role=status]') !== null")
    # Then the colour counts say they are loading, never a zero they do not know
    assert page.get_by_test_id("command-colour-count").count() == 0
    assert page.locator("[data-testid=command-kpis] [data-kpi=green] [role=status]").count() == 1
    wall.shot("loading")
    # When the figure answers
    deadline = time.monotonic() + UI_TIMEOUT_MS / 1000
    while not held and time.monotonic() < deadline:  # the request reaches the handler while Playwright is called
        page.wait_for_timeout(50)
    assert held, "the health-code figure was never asked for"
    holding[0] = False
    for route in held:
        route.continue_()
    # Then the three colour counts are numbers, and the screen says when its data was computed (server time)
    page.wait_for_function("() => document.querySelectorAll('[data-testid=command-colour-count]').length === 3")
    assert all(re.fullmatch(r"\d+", text) for text in page.get_by_test_id("command-colour-count").all_inner_texts())
    page.wait_for_function("() => /\\d{4}-\\d{2}-\\d{2}T/.test(document.querySelector('[data-testid=command-as-of]').dataset.asOf)")
    assert re.search(r"数据截至 \d{2}-\d{2} \d{2}:\d{2}", page.get_by_test_id("command-as-of").inner_text())
    # And the map colours 湖滨区 by its key persons (the figure is cached a minute; the screen refreshes itself)
    page.wait_for_function(f"() => ({MAP_VALUE})('411202') >= 1", timeout=150_000)
    page.locator("[data-testid=command-work] [data-testid=command-enterprises]").wait_for()
    page.locator("[data-testid=command-supplies] canvas").wait_for()
    # And everything is on one screen: no scrolling on the wall display
    assert page.evaluate(FITS), page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    wall.shot("city")
    # And axe finds nothing critical or serious
    assert AXE.is_file(), "axe-core is missing: cd web && npm ci"
    blocking = [item for item in _axe(page) if item["impact"] in BLOCKING]
    assert not blocking, blocking

    # When they drill into 湖滨区, then 前进社区
    page.locator("[data-testid=command-areas] [data-area='411202']").click()
    page.get_by_test_id("command-crumbs").filter(has_text="湖滨区").wait_for()
    assert _route(page) == "/staff/command-centre?county=411202"
    page.locator("[data-testid=command-areas] [data-area='411202-002'] .cc-area-total").filter(has_text=re.compile(r"^[1-9]\d*$")).wait_for(timeout=150_000)
    wall.shot("county")
    page.locator("[data-testid=command-areas] [data-area='411202-002']").click()
    # Then the community's live key-person list shows the key person, masked
    page.get_by_test_id("command-keyperson-list").filter(has_text="钱*").wait_for()
    assert id_number not in page.content()
    assert page.evaluate(FITS)
    wall.shot("community")
    # When they press the browser's back button, the screen steps back up to the county, then the city
    page.go_back()
    page.get_by_test_id("command-areas").locator("[data-area='411202-002']").wait_for()
    assert _route(page) == "/staff/command-centre?county=411202"
    page.go_back()
    page.get_by_test_id("command-map").wait_for()
    page.wait_for_function(f"() => ({MAP_VALUE})('411202') >= 1")
    assert _route(page) == "/staff/command-centre"
    # And in the large-font mode (长辈模式) the wall display still holds everything on one screen
    page.evaluate("() => localStorage.setItem('sanmenxia.largeFont', '1')")
    page.reload()
    page.wait_for_function("() => document.documentElement.classList.contains('large-font')")
    page.wait_for_function(f"() => ({MAP_VALUE})('411202') >= 1")
    page.locator("[data-testid=command-work] [data-testid=command-enterprises]").wait_for()
    assert page.evaluate(FITS), page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    wall.shot("large font")
    assert not failed, failed
    assert not [error for error in wall.console_errors if "Failed to load resource" not in error], wall.console_errors


def test_the_command_centre_is_offered_to_commanders_only(wall: Phone, local_stack: LocalStack) -> None:
    # Given a community head (who may see the phone dashboard of their community, but not the city's supplies)
    head = local_stack.new_user("community_head", {"community_id": "411202-001", "county_code": "411202"})
    wall.sign_in(head)
    # Then their home menu has no command-centre tile, and its address sends them home
    wall.page.get_by_test_id("tool-dashboard").wait_for()  # the phone dashboard is theirs
    assert wall.page.get_by_test_id("tool-command-centre").count() == 0
    wall.open("/staff/command-centre")
    wall.page.get_by_test_id("page-home").wait_for()
