"""Bad input on every route that takes a body: malformed JSON, unknown fields, wrong types and oversized bodies
get a 4xx JSON error that names the field, never a 500, and nothing is written.

The routes, their roles and their body schemas come from the template and the handlers' own OpenAPI
documents, so a new route is covered without editing this test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from infra.local import template
from sanmenxia import services
from tests.support.functions import declared_module
from tests.support.stack import Stack, claims_for, reset_data

SCOPE = {
    "county_code": "411202",
    "community_id": "411202-001",
    "checkpoint_id": "cp-demo-1",
    "department": "public_security",
    "enterprise_id": "ent-demo-1",
}
WRONG_TYPE = {"string": 12345, "integer": "not a number", "number": "not a number", "boolean": "maybe", "array": "not a list", "object": "not an object"}


def _openapi(function: str) -> dict[str, Any]:
    return declared_module(function).app.openapi_document()  # type: ignore[no-any-return]


def _body_routes() -> Iterator[Any]:
    documents: dict[str, dict[str, Any]] = {}
    for route in template.routes():
        if route.method not in {"POST", "PUT", "PATCH"}:
            continue
        document = documents.setdefault(route.function, _openapi(route.function))
        operation = document["paths"].get(route.path, {}).get(route.method.lower(), {})
        content = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if not content:
            continue
        schema = content["schema"]
        if "$ref" in schema:
            schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        roles = operation.get("x-roles", "public")
        yield pytest.param(route, schema, roles, id=f"{route.method} {route.path}")


BODY_ROUTES = list(_body_routes())


@pytest.fixture(scope="module")
def shared_stack(_deployment: Stack) -> Stack:
    """The session's deployment, emptied once for the module: bad requests must not change it (each test checks)."""
    reset_data(_deployment.session, _deployment.deployment)
    services.reset()
    return Stack(_deployment.deployment, _deployment.session)


def _claims(roles: Any) -> dict[str, Any] | None:
    if roles == "public":
        return None
    return claims_for("bad-input-caller", roles[0], **SCOPE)


def _path(route: template.Route) -> str:
    return re.sub(r"\{[^}]+\}", "a" * 24, route.path)


def _total_items(stack: Stack) -> int:
    dynamodb = stack.client("dynamodb")
    return sum(dynamodb.scan(TableName=name, Select="COUNT")["Count"] for name in dynamodb.list_tables()["TableNames"])


def _assert_clear_4xx(response: Any, route: template.Route) -> None:
    assert 400 <= response.status < 500, f"{route.method} {route.path}: {response.status} {response.body[:300]!r}"
    body = response.json
    assert isinstance(body, dict) and (body.get("message") or body.get("error")), body


@pytest.mark.parametrize(("route", "schema", "roles"), BODY_ROUTES)
def test_bad_bodies_are_refused_clearly_and_write_nothing(shared_stack: Stack, route: template.Route, schema: dict[str, Any], roles: Any) -> None:
    stack = shared_stack
    claims = _claims(roles)
    path = _path(route)
    before = _total_items(stack)
    # Malformed JSON
    _assert_clear_4xx(stack.request(route.method, path, claims=claims, body="{not json"), route)
    # An unknown field
    _assert_clear_4xx(stack.request(route.method, path, claims=claims, body={"__unknown_field__": 1}), route)
    # A body in another content type than JSON: 415 naming Content-Type
    for content_type in ("text/plain", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded"):
        response = stack.request(route.method, path, claims=claims, body="a=1", headers={"Content-Type": content_type})
        _assert_clear_4xx(response, route)
        assert response.status == 415 and response.json["fields"][0]["field"] == "Content-Type", (content_type, response.status, response.json)
    # JSON nested 1,000 deep (2 KB): malformed, not a recursion error
    response = stack.request(route.method, path, claims=claims, body="[" * 1000 + "]" * 1000)
    assert response.status == 400 and response.json["error"] == "malformed_json", (route.path, response.status, response.json)
    # An oversized body
    _assert_clear_4xx(stack.request(route.method, path, claims=claims, body={"x": "y" * 70_000}), route)
    # Each property with a value of the wrong type: the field is named in the error
    for name, spec in (schema.get("properties") or {}).items():
        kind = spec.get("type") or next((item.get("type") for item in spec.get("anyOf", []) if item.get("type") != "null"), None)
        if kind not in WRONG_TYPE or spec.get("format") or any(item.get("format") for item in spec.get("anyOf", [])):
            continue  # pydantic's lax mode rightly reads a number as a Unix time for date-time fields
        response = stack.request(route.method, path, claims=claims, body={name: WRONG_TYPE[kind]})
        _assert_clear_4xx(response, route)
        if response.status == 422:
            assert name in [field["field"].split(".")[0] for field in response.json.get("fields", [])], response.json
    assert _total_items(stack) == before, f"{route.method} {route.path} wrote something for a bad request"


def test_there_are_body_routes_to_check() -> None:
    assert len(BODY_ROUTES) >= 3


STAFF_BODY_ROUTES = [param for param in BODY_ROUTES if param.values[2] != "public" and "resident" not in param.values[2]]


@pytest.mark.parametrize(("route", "schema", "roles"), STAFF_BODY_ROUTES)
def test_the_role_check_comes_before_body_validation(shared_stack: Stack, route: template.Route, schema: dict[str, Any], roles: Any) -> None:
    # Given a resident sending a bad body to a staff route
    resident = claims_for("bad-input-resident", "resident")
    for body in ("{not json", {"__unknown_field__": 1}):
        response = shared_stack.request(route.method, _path(route), claims=resident, body=body)
        # Then the answer is 403 (the role), not 4xx advice on the body
        assert response.status == 403, f"{route.method} {route.path}: {response.status} {response.body[:200]!r}"
        assert response.json["error"] == "forbidden"
    # And without a token it is 401
    assert shared_stack.request(route.method, _path(route), claims=None, body={"__unknown_field__": 1}).status == 401
