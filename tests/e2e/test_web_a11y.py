"""Accessibility of every screen (issue 15): axe-core (npm package ``axe-core``, injected by Playwright) on every
route the router holds at the time the test runs (read from the running app), each opened as a role that may
see it, at 375×812. No critical and no serious violation; a failure names the route, the role and the rule.

The whole sweep is written to ``test-artifacts/web/axe-report.json`` (counts per route and rule)."""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
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
    assert stack.call("POST", "/residents", resident, body).status == 201
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
    return {"users": users, "ids": ids}


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


def _sweep(phone: Phone, routes: list[str], report: dict[str, Any], role: str | None) -> None:
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


def test_every_route_has_no_critical_or_serious_axe_violation(browser: Any, local_stack: LocalStack) -> None:
    assert AXE.is_file(), "axe-core is missing: cd web && npm ci"
    world = _world(local_stack)
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
