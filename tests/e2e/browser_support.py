"""Headless Chromium for the web-app journeys (Playwright driving Debian's chromium, 375×812 phone viewport).

Fixtures here are imported by ``tests/e2e/test_web*.py``; they need the ``local_stack`` fixture of
``tests/e2e/conftest.py`` and ``web/dist`` (``make web``). Screenshots go to ``test-artifacts/web/``.
"""

from __future__ import annotations

import os
import random
import re
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sanmenxia.idnumber import make_id_number
from tests.e2e.conftest import PASSWORD, ROOT, LocalStack

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "web"
PHONE = {"width": 375, "height": 812}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--headless",
]


def new_id_number(county: str = "411202") -> str:
    """A valid, random resident ID number of ``county`` (unique enough for one test session)."""
    rng = random.SystemRandom()
    return make_id_number(county, date(rng.randint(1950, 2000), rng.randint(1, 12), rng.randint(1, 28)), rng.randint(0, 999))


def chromium_args(*extra: str) -> list[str]:
    return [*CHROMIUM_ARGS, *extra]


def camera_feed(image: Path, target: Path, width: int = 300, height: int = 300, frames: int = 30) -> Path:
    """A Y4M video of ``image`` centred on white, for Chromium's fake camera (--use-file-for-fake-video-capture)."""
    from PIL import Image

    picture = Image.open(image).convert("L")
    picture.thumbnail((height * 4 // 5, height * 4 // 5))  # the code fills the scanner's square, as when held up to it
    canvas = Image.new("L", (width, height), 255)
    canvas.paste(picture, ((width - picture.width) // 2, (height - picture.height) // 2))
    luma = canvas.tobytes()
    chroma = bytes([128]) * (width // 2) * (height // 2)
    with target.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + luma + chroma + chroma)
    return target


def camera_browser(playwright: Any, feed: Path) -> Any:
    """A Chromium whose camera shows ``feed`` (a Y4M file), with the permission prompt answered yes."""
    args = chromium_args("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={feed}")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)


def _require_browser_and_build() -> None:
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium (or set CHROMIUM)")
    if not (ROOT / "web" / "dist" / "index.html").is_file():
        pytest.fail("web/dist is missing: run `make web` first")
    index = (ROOT / "web" / "dist" / "index.html").read_text()
    if "/assets/" not in index:
        pytest.fail("web/dist/index.html is not a Vite build: run `make web`")


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    _require_browser_and_build()
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Any) -> Iterator[Any]:
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=chromium_args(), headless=True)
    yield browser
    browser.close()


#: Ceiling of every wait on the app: generous, because a loaded 2-core machine is slow; waits end as soon as
#: their condition holds, so the ceiling costs nothing when things go well.
UI_TIMEOUT_MS = 120_000

#: The Vue router has arrived at the route (or redirected with ``next=<route>``) and, since then, nothing in the
#: DOM has changed for 300 ms (the view is mounted and its data rendered).
SETTLED = """route => {
  const quiet = window.__settle || (window.__settle = (() => {
    const state = { last: performance.now() }
    new MutationObserver(() => { state.last = performance.now() })
      .observe(document, { subtree: true, childList: true, attributes: true, characterData: true })
    return state
  })())
  const router = document.querySelector('#app')?.__vue_app__?.config.globalProperties.$router
  const here = router ? decodeURIComponent(router.currentRoute.value.fullPath) : ''
  const arrived = here === route || here.startsWith(route + '?') || here.includes('next=' + route)
  if (!arrived) { quiet.last = performance.now(); return false }
  return performance.now() - quiet.last > 300
}"""


class Phone:
    """One browser context at phone size, with its console errors and failed API calls collected."""

    def __init__(self, context: Any, stack: LocalStack, name: str) -> None:
        self.context = context
        self.stack = stack
        self.name = name
        self.page = context.new_page()
        self.console_errors: list[str] = []
        self.console_warnings: list[str] = []  # what a screen reports but does not fail on (e.g. an unread picture)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        self.shots = 0

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)
        elif message.type == "warning":
            self.console_warnings.append(message.text)

    def open(self, route: str = "/") -> None:
        self.page.goto(f"{self.stack.base_url}/#{route}")

    def open_settled(self, route: str) -> None:
        """Open ``route`` and wait until the app is on it (or on the screen it sends you to first, which names the
        route in ``next=``) and its DOM has been quiet for a moment: rendered, data shown. No fixed wait."""
        self.open(route)
        self.page.wait_for_function(SETTLED, arg=route, timeout=UI_TIMEOUT_MS)

    def shot(self, label: str) -> Path:
        """Save a screenshot under test-artifacts/web/<test>-<n>-<label>.png."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.shots += 1
        path = ARTIFACTS / f"{self.name}-{self.shots:02d}-{re.sub(r'[^a-z0-9]+', '-', label.lower())}.png"
        self.page.screenshot(path=str(path), full_page=False)
        return path

    def sign_in(self, username: str, password: str = PASSWORD) -> None:
        """Sign in through the app's own form (Cognito InitiateAuth from the browser)."""
        self.open("/login")
        self.page.get_by_test_id("page-login").wait_for()
        self.page.locator("input[name=username]").fill(username)
        self.page.locator("input[name=password]").fill(password)
        self.page.get_by_test_id("login-submit").click()
        self.page.get_by_test_id("page-home").wait_for()

    def no_horizontal_scroll(self) -> bool:
        """The screen fits the phone: nothing wider than the 375 px viewport."""
        return bool(self.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


# The gate's verdict clears itself after a few seconds for the next person, sooner than a loaded machine may take
# to read it field by field: it is read in one step when it appears. An error shown instead fails at once.
VERDICT_OR_ERROR = """() => {
  const verdict = document.querySelector('[data-testid=scan-result]')
  if (verdict) {
    const name = verdict.querySelector('[data-testid=scan-result-name]')
    return { decision: verdict.dataset.decision, offline: verdict.dataset.offline === 'true', text: verdict.innerText, name: name ? name.innerText : '' }
  }
  const error = [...document.querySelectorAll('.error-toast, .error-dialog')].find((node) => getComputedStyle(node).display !== 'none')
  return error ? { error: error.innerText } : null
}"""


def gate_verdict(phone: Phone) -> dict[str, Any]:
    """The verdict on the scanner screen as shown: {decision, offline, text, name}."""
    shown: dict[str, Any] = phone.page.wait_for_function(VERDICT_OR_ERROR, timeout=UI_TIMEOUT_MS).json_value()
    assert "error" not in shown, f"the gate showed an error, not a verdict: {shown['error']!r}; console: {phone.console_warnings + phone.console_errors}"
    return shown


def dismiss_verdict(phone: Phone) -> None:
    """Tap the verdict away (a click on the element itself: never one that lands on the screen beneath after the
    verdict cleared itself), or let it have cleared already."""
    phone.page.evaluate("() => { const verdict = document.querySelector('[data-testid=scan-result]'); if (verdict) verdict.click() }")
    phone.page.get_by_test_id("scan-result").wait_for(state="hidden")


def submit_appeal(phone: Phone, statement: str, shot: str) -> str:
    """On the appeal screen: write the statement, submit, and read the 12345 order number the dialog gives (the
    resident's one number for the appeal); the dialog is closed after a screenshot."""
    page = phone.page
    page.locator("textarea").fill(statement)
    page.get_by_role("button", name="提交申诉").click()
    dialog = page.locator(".van-dialog", has_text="申诉已提交")
    dialog.wait_for()
    found = re.search(r"WO[A-Z2-7]{16}", dialog.inner_text())
    assert found, dialog.inner_text()
    phone.shot(shot)
    dialog.get_by_role("button").click()
    return found.group(0)


def pick_community(phone: Phone, county: str, community: str) -> None:
    """Vant's cascader: tap the field, then the county, then the community."""
    page = phone.page
    page.locator("input[name=community_id]").click()
    page.locator(".van-cascader__option", has_text=county).first.click()
    page.locator(".van-cascader__option", has_text=community).first.click()
    page.locator(".van-cascader").wait_for(state="hidden")


@pytest.fixture
def phone(browser: Any, local_stack: LocalStack, request: pytest.FixtureRequest) -> Iterator[Phone]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(UI_TIMEOUT_MS)
    device = Phone(context, local_stack, request.node.name.removeprefix("test_"))
    yield device
    context.close()
