"""Accessibility of every screen (issue 15): axe-core (npm package ``axe-core``, injected by Playwright) on every
route the router holds at the time the test runs (read from the running app), each opened as a role that may
see it, at 375×812. No critical and no serious violation; a failure names the route, the role and the rule.

The whole sweep is written to ``test-artifacts/web/axe-report.json`` (counts per route and rule)."""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.browser_support import ARTIFACTS, PHONE, Phone, new_id_number
from tests.e2e.conftest import ROOT, LocalStack

pytest_plugins = ["tests.e2e.browser_support"]  # the browser, phone fixtures
pytestmark = [pytest.mark.e2e, pytest.mark.browser]

AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious")
#: Whom to sign in as for a route that names roles: the first of these that the route allows.
ROLE_ORDER = (
    "resident",
    "community_head",
    "checkpoint_staff",
    "hotline_operator",
    "department_handler",
    "enterprise_admin",
    "supplies_officer",
    "commander",
    "admin",
)
#: The local stack's demo staff (infra/local/demo.py), for the roles the test does not make itself.
DEMO_STAFF = {
    "checkpoint_staff": "checkpoint1",
    "department_handler": "handler1",
    "enterprise_admin": "enterprise1",
    "supplies_officer": "supplies1",
    "admin": "admin1",
    "lab": "lab1",
}
HEAD_SCOPE = {"community_id": "411202-001", "county_code": "411202"}


def _role_for(route: dict[str, Any]) -> str | None:
    """A role that may open the route: one the screen does not narrow to a scope (``only``) when there is one."""
    if route["public"]:
        return None
    roles = route["roles"] or ["resident"]
    open_to_all = [role for role in roles if role not in route.get("only", {})] or roles
    return next((role for role in ROLE_ORDER if role in open_to_all), open_to_all[0])


def _fill(path: str, ids: dict[str, str]) -> str:
    """A route pattern made concrete: known screens get a real record, any other parameter a placeholder."""
    for prefix, value in ids.items():
        if path.startswith(prefix):
            return re.sub(r":[A-Za-z]+", value, path)
    return re.sub(r":[A-Za-z]+", "unknown", path)


def _world(stack: LocalStack) -> dict[str, Any]:
    """What the screens show: a resident with a code, an article, a key person and a 12345 order."""
    resident = stack.new_user("resident")
    id_number = new_id_number()
    body = {"name": "周明", "id_number": id_number, "phone": "139" + str(random.SystemRandom().randint(10_000_000, 99_999_999))}
    body |= {"county_code": "411202", "community_id": "411202-001", "address": "黄河路1号"}
    registered = stack.call("POST", "/residents", resident, body)
    assert registered.status == 201, registered.body
    applied = stack.call("POST", "/health-codes", resident, {"fever": False, "in_isolation": True, "declaration_accepted": True})
    assert applied.status in (201, 409), applied.body  # 409: the code is there already, which is all the screens need
    head = stack.new_user("community_head", HEAD_SCOPE)
    key_person = stack.call("POST", "/key-persons", head, {"id_number": id_number, "category": "from_hubei", "measure": {"kind": "home_isolation"}})
    assert key_person.status == 201, key_person.body
    article = {"kind": "knowledge", "title": "勤洗手 戴口罩", "summary": "个人防护要点", "body": "出门戴口罩,回家先洗手。", "source": "三门峡市卫健委"}
    created = stack.call("POST", "/portal/articles", "commander1", article)
    assert created.status == 201, created.body
    assert stack.call("POST", f"/portal/articles/{created.json['article_id']}/submit", "commander1").status == 200
    assert stack.call("POST", f"/portal/articles/{created.json['article_id']}/publish", "admin1").status == 200  # a second person reviews
    operator = stack.new_user("hotline_operator")
    call = {"type": "consultation", "summary": "咨询返程隔离政策", "community_id": "411202-001", "department": "community_affairs"}
    order = stack.call("POST", "/hotline/orders", operator, call)
    assert order.status == 201, order.body
    users = {**DEMO_STAFF, "resident": resident, "community_head": head, "hotline_operator": operator, "commander": "commander1"}
    ids = {"/news/": created.json["article_id"], "/staff/key-persons/": key_person.json["kp_id"], "/staff/orders/": order.json["order_id"]}
    # The elder-card screens show a person's cards: the resident's own (as the household) and, to their head, a resident's
    ids |= {"/elder-card/": registered.json["person_id"], "/staff/elder-card/": registered.json["person_id"]}
    return {"users": users, "ids": ids}


@pytest.fixture(scope="module")
def world(local_stack: LocalStack) -> dict[str, Any]:
    """One world for both sweeps (a second identical article would be the first one again: creates are idempotent)."""
    return _world(local_stack)


def _axe(page: Any) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations")
    return [
        {
            "rule": item["id"],
            "impact": item["impact"],
            "nodes": len(item["nodes"]),
            "target": item["nodes"][0]["target"] if item["nodes"] else [],
            "help": item["help"],
            "html": [node["html"][:200] for node in item["nodes"][:3]],
            "why": [node.get("failureSummary", "")[:300] for node in item["nodes"][:2]],
        }
        for item in result
    ]


def _sweep(phone: Phone, routes: list[str], report: dict[str, Any], role: str | None, look: Callable[[Any], Any] | None = None) -> None:
    """Open each route, let it settle, run axe (and ``look`` at the page, when given)."""
    page = phone.page
    for path in routes:
        phone.open(path)
        page.wait_for_load_state("networkidle")
        page.wait_for_function("() => !document.querySelector('.van-loading, .van-list__loading')")
        # transitions (a dialog fading out) settle first; spinners and other endless animations do not count
        page.wait_for_function("() => document.getAnimations().every((a) => a.playState !== 'running' || a.effect.getTiming().iterations === Infinity)")
        landed = page.evaluate("() => location.hash.slice(1).split('?')[0]")
        messages = page.locator(".van-toast, .van-dialog").filter(visible=True).all_inner_texts()
        report[path] = {"role": role, "landed": landed, "messages": messages, "violations": _axe(page)}
        if look is not None:
            report[path]["english"] = look(page)


def test_every_route_has_no_critical_or_serious_axe_violation(browser: Any, local_stack: LocalStack, world: dict[str, Any]) -> None:
    assert AXE.is_file(), "axe-core is missing: cd web && npm ci"
    users: dict[str, str] = world["users"]
    # Given every route of the router, as the running app holds it
    probe = Phone(browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai"), local_stack, "a11y")
    probe.context.set_default_timeout(60_000)
    probe.open("/")
    probe.page.get_by_test_id("page-home").wait_for()
    routes = [route for route in probe.page.evaluate("() => window.smxRoutes()") if "pathMatch" not in route["path"]]
    by_role: dict[str | None, list[str]] = defaultdict(list)
    for route in routes:
        by_role[_role_for(route)].append(_fill(route["path"], world["ids"]))
    report: dict[str, Any] = {}
    # When each is opened as a role that may see it and axe looks at it
    _sweep(probe, by_role.pop(None, []), report, None)
    probe.context.close()
    for role, paths in by_role.items():
        username = users.get(role) or local_stack.new_user(role)
        phone = Phone(browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai"), local_stack, f"a11y-{role}")
        phone.context.set_default_timeout(60_000)
        phone.sign_in(username)
        _sweep(phone, paths, report, role)
        phone.context.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe-report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    # Then every route was reached, and none has a critical or serious violation
    impacts = [item["impact"] for entry in report.values() for item in entry["violations"]]
    counts = {impact: impacts.count(impact) for impact in ("critical", "serious", "moderate", "minor")}
    nodes = sum(item["nodes"] for entry in report.values() for item in entry["violations"] if item["impact"] in BLOCKING)
    print(f"axe over {len(report)} routes: {counts} rule violations; {nodes} nodes critical/serious")
    unreached = {path: entry["landed"] for path, entry in report.items() if entry["landed"] != path}
    assert not unreached, f"routes not reached as their role (route → where it landed): {unreached}"
    failures = [
        f"{path} as {entry['role'] or 'visitor'}: {item['impact']} {item['rule']} ×{item['nodes']} at {item['target']} ({item['help']})"
        for path, entry in report.items()
        for item in entry["violations"]
        if item["impact"] in BLOCKING
    ]
    assert not failures, "\n".join(failures)


# -- one language: the app in English shows no Chinese server text, no raw code, no raw UTC time ---------------
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
#: A snake_case token (a code the app should have put in words), e.g. ``daily_necessities``.
RAW_CODE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
RAW_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
#: Fields in which the server writes its own words (the old sentences beside the codes, labels): these must not
#: reach an English screen. Every other Chinese string in an API answer is what people wrote (names, addresses,
#: descriptions, titles, notes) and is shown as written.
SERVER_WORDS = {"reason", "message", "label", "category_label", "department_label", "unit_label", "source_label"}
#: Reference data the app must translate itself (community names have their English names beside them).
REFERENCE = ("/regions",)
#: Fields naming an account (user names such as ``hotline_operator-9f6986ab`` look like codes but are names).
ACCOUNTS = {"username", "actor", "created_by", "decided_by", "replied_by", "assigned_by", "reviewed_by", "published_by"}


def _people_words(value: Any, into: set[str], key: str = "", parent: dict[str, Any] | None = None) -> None:
    """The Chinese strings people wrote, from an API answer (everything but the server's own words)."""
    if isinstance(value, dict):
        for name, item in value.items():
            _people_words(item, into, name, value)
    elif isinstance(value, list):
        for item in value:
            _people_words(item, into, key, parent)
    elif isinstance(value, str) and key in ACCOUNTS:
        into.add(value)
    elif isinstance(value, str) and CJK.search(value):
        coded = parent is not None and f"{key}_code" in parent and parent.get(f"{key}_code")
        if key not in SERVER_WORDS and not coded:
            into.add(value)


def _english_findings(page: Any, words: set[str]) -> dict[str, list[str]]:
    text = page.evaluate("() => document.body.innerText")
    # a part marked as another language (the language switch names Chinese in Chinese) is that language's
    marked = page.evaluate("() => [...document.body.querySelectorAll('[lang]:not([lang^=en])')].map((el) => el.innerText)")
    for word in sorted({*words, *marked}, key=len, reverse=True):  # people's words as written, longest first
        text = text.replace(word, " ")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return {
        "chinese": [line for line in lines if CJK.search(line)],
        "codes": [f"{match} in “{line}”" for line in lines for match in RAW_CODE.findall(line)],
        "utc_times": [line for line in lines if RAW_TIME.search(line)],
    }


def test_in_english_no_screen_shows_chinese_server_text_a_raw_code_or_a_utc_time(browser: Any, local_stack: LocalStack, world: dict[str, Any]) -> None:
    users: dict[str, str] = world["users"]
    probe = Phone(browser.new_context(viewport=PHONE, locale="en-GB", timezone_id="Europe/London"), local_stack, "english")
    probe.open("/")
    probe.page.get_by_test_id("page-home").wait_for()
    routes = [route for route in probe.page.evaluate("() => window.smxRoutes()") if "pathMatch" not in route["path"]]
    probe.context.close()
    by_role: dict[str | None, list[str]] = defaultdict(list)
    for route in routes:
        by_role[_role_for(route)].append(_fill(route["path"], world["ids"]))
    report: dict[str, Any] = {}
    # Given the app switched to English (a phone set to London time: every time must still be Shanghai's)
    for role, paths in by_role.items():
        context = browser.new_context(viewport=PHONE, locale="en-GB", timezone_id="Europe/London")
        context.add_init_script("localStorage.setItem('sanmenxia.locale', 'en')")
        phone = Phone(context, local_stack, f"english-{role or 'visitor'}")
        phone.context.set_default_timeout(60_000)
        words: set[str] = set()

        def collect(response: Any, into: set[str] = words) -> None:
            if "json" not in (response.headers.get("content-type") or "") or any(part in response.url for part in REFERENCE):
                return
            try:
                _people_words(response.json(), into)
            except Exception:  # a body already gone or not JSON: nothing people wrote to learn from it
                return

        phone.page.on("response", collect)
        words.update(account["username"] for account in local_stack.config.get("demo_accounts") or [])  # the local sign-in list
        if role is not None:
            phone.sign_in(users.get(role) or local_stack.new_user(role))
        # When every screen the role may open is visited
        _sweep(phone, paths, report, role, lambda page, seen=words: _english_findings(page, seen))
        phone.context.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "english-report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    # Then no screen shows Chinese the server wrote (or the app left untranslated), a raw code or a raw UTC time,
    # and axe still finds nothing critical or serious in English
    found = {
        f"{path} as {entry['role'] or 'visitor'}": {kind: lines[:5] for kind, lines in entry["english"].items() if lines}
        for path, entry in report.items()
        if any(entry["english"].values())
    }
    blocking = [f"{path}: {item['impact']} {item['rule']}" for path, entry in report.items() for item in entry["violations"] if item["impact"] in BLOCKING]
    counts = {kind: sum(len(entry["english"][kind]) for entry in report.values()) for kind in ("chinese", "codes", "utc_times")}
    print(f"english sweep over {len(report)} routes: {counts}; axe critical/serious: {len(blocking)}")
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
    assert not blocking, "\n".join(blocking)
