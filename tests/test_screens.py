"""Menus equal what a person may do: the app's staff screens (``web/src/screens.json``, which the router and the
home menu are built from) against the route table (``template.yaml`` and each handler's access declaration).

* every API operation a screen offers is allowed by the route to every role the screen offers it to;
* every staff route that a person would use by hand is offered by some screen to a role that may call it, and
  that screen is reachable from a menu (a home tile, or a screen reachable from one);
* the routes without a screen are listed below with the reason, and the list holds no route that has one.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from infra.local import template
from sanmenxia.auth import SCOPE_ATTRIBUTES, Access, Role
from tests.support.functions import declared_module

ROOT = Path(__file__).resolve().parents[1]
SCREENS = json.loads((ROOT / "web" / "src" / "screens.json").read_text())["screens"]
ROUTER = (ROOT / "web" / "src" / "router.js").read_text()

#: Staff routes no screen calls, and why. A route leaves this list when a screen offers it.
WITHOUT_SCREEN: dict[str, str] = {
    # machine or cross-cutting use
    "POST /health-codes/verify": "a gate device or a partner system verifies a token; the scanner posts the scan, which verifies on the server",
    "GET /checkpoints/{checkpoint_id}": "read by devices; the scanner and the dashboard take checkpoints from the list",
    "GET /checkpoints/{checkpoint_id}/scans": "the precise scan records are an export for investigators, not a screen",
    "POST /hotline/orders/{order_id}/reveal": "the audited reveal of a citizen's contact (another issue) has no button in the work-order screen yet",
    "POST /hotline/orders/{order_id}/merge": "merging duplicate orders is not offered yet: it needs a picker of the candidate duplicates",
    "POST /health-codes/people/{person_id}/holds/lift": "appeals: decided on the appeal case screen; other lifts need the resident record screen",
    "GET /health-codes/people/{person_id}/explanation": "issue 18: no facts panel on the appeal case screen yet (the resident has one)",
    "GET /residents/{person_id}": "the resident record screen is not built yet; the community list shows masked rows",
    "PATCH /key-persons/{kp_id}": "changing a key person's category, measure or dates is not offered yet; the daily follow-up records the measure",
    "GET /co-travel/imports/{trips_import_id}": "the case-trips screen finds its report in the list by the uploaded file's key (the list has it all)",
    "GET /dashboard/residents": "not yet a dashboard panel",
    "GET /dashboard/checkpoints": "not yet a dashboard panel (the live counters are shown instead)",
    "GET /dashboard/return-to-work": "not yet a dashboard panel (the enterprises' statistics are shown instead)",
}


@cache
def access() -> dict[str, Access]:
    apps = {}
    table = {}
    for route in template.routes():
        if route.function not in apps:
            apps[route.function] = declared_module(route.function).app
        table[f"{route.method} {route.path}"] = apps[route.function].access[(route.method, route.powertools_rule)]
    return table


def staff_routes() -> list[str]:
    """Routes for staff: signed-in, and not the residents' own (a route open to residents is used from their screens)."""
    return sorted(op for op, rule in access().items() if not rule.public and Role.RESIDENT not in rule.roles)


def offered(screen: dict, op: str) -> set[str]:
    who = screen["calls"][op]
    return set(screen["roles"]) if who == "*" else set(who)


def reachable() -> set[str]:
    seen = {name for name, screen in SCREENS.items() if screen["menu"] == "home"}
    grew = True
    while grew:
        more = {name for name, screen in SCREENS.items() if screen["menu"] in seen} - seen
        seen |= more
        grew = bool(more)
    return seen


def test_no_screen_offers_an_action_its_viewer_is_refused() -> None:
    refused = []
    for name, screen in SCREENS.items():
        for op in screen["calls"]:
            assert op in access(), f"{name}: {op} is not a route of the template"
            who = offered(screen, op)
            assert who <= set(screen["roles"]), f"{name}: {op} offered to {who - set(screen['roles'])}, who cannot open the screen"
            allowed = {role.value for role in access()[op].roles} if not access()[op].public else who
            if who - allowed:
                refused.append(f"{name}: {op} offered to {sorted(who - allowed)}")
    assert not refused, "\n".join(refused)


def test_every_staff_route_is_reachable_from_a_screen_of_a_role_that_may_call_it() -> None:
    open_screens = reachable()
    missing = []
    for op in staff_routes():
        if op in WITHOUT_SCREEN:
            continue
        allowed = {role.value for role in access()[op].roles}
        if not any(op in screen["calls"] and offered(screen, op) & allowed for name, screen in SCREENS.items() if name in open_screens):
            missing.append(op)
    assert not missing, "staff routes no screen offers (build one, or list it in WITHOUT_SCREEN with the reason):\n" + "\n".join(missing)


def test_the_list_of_routes_without_a_screen_is_true() -> None:
    routes = set(access())
    stale = [op for op in WITHOUT_SCREEN if op in routes and any(op in screen["calls"] for screen in SCREENS.values())]
    assert not stale, f"these routes have a screen now; drop them from WITHOUT_SCREEN: {stale}"
    unknown = [op for op in WITHOUT_SCREEN if op not in routes]
    assert not unknown, f"not routes of the template: {unknown}"


def test_every_screen_is_in_the_router_and_every_staff_route_of_the_router_is_a_screen() -> None:
    for name, screen in SCREENS.items():
        assert re.search(rf"screen\('{re.escape(name)}'", ROUTER), f"{name} is not routed through screen() in web/src/router.js"
        assert screen["menu"] == "home" or screen["menu"] in SCREENS, f"{name}: menu {screen['menu']} is no screen"
        if screen["menu"] == "home":
            assert screen.get("icon") and screen.get("label"), f"{name}: a home tile needs an icon and a label"
        for role, scope in screen.get("only", {}).items():
            assert role in screen["roles"] and set(scope) <= set(SCOPE_ATTRIBUTES), f"{name}: only {role} {scope}"
    staff_paths = set(re.findall(r"path: '(/staff/[^']*)'", ROUTER))
    assert not staff_paths, f"staff routes must be declared in screens.json: {staff_paths}"
