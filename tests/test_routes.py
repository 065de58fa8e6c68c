"""The template is the only list of routes: every ``Api`` event resolves to a handler route with an access
declaration, every handler route is in the template, and public routes agree on both sides."""

from __future__ import annotations

from types import ModuleType

import pytest

from infra.local import template
from sanmenxia.api import PlatformResolver
from tests.support.functions import declared_module

HTTP_FUNCTIONS = sorted({route.function for route in template.routes()})


def _load(function: str) -> ModuleType:
    return declared_module(function)


@pytest.mark.parametrize("function", HTTP_FUNCTIONS)
def test_template_routes_and_handler_routes_are_the_same(function: str) -> None:
    module = _load(function)
    app = module.app
    assert isinstance(app, PlatformResolver), f"{function}: app must be a PlatformResolver"
    declared = {(method, rule) for method, rule in app.access}
    in_template = {(route.method, route.powertools_rule) for route in template.routes() if route.function == function}
    assert declared == in_template, f"only in handler: {declared - in_template}; only in template: {in_template - declared}"


@pytest.mark.parametrize("function", HTTP_FUNCTIONS)
def test_public_routes_agree(function: str) -> None:
    app = _load(function).app
    for route in template.routes():
        if route.function == function:
            access = app.access[(route.method, route.powertools_rule)]
            assert access.public == route.public, f"{route.method} {route.path}: template public={route.public}, handler public={access.public}"


def test_every_route_is_served_by_exactly_one_function() -> None:
    seen: dict[tuple[str, str], str] = {}
    for route in template.routes():
        key = (route.method, route.path)
        assert key not in seen, f"{key} in {seen.get(key)} and {route.function}"
        seen[key] = route.function
