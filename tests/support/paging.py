"""Reading a paged list to its end and checking that its cursor is sealed to the list and the caller."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.support.stack import Stack


def read_all(
    stack: Stack, method: str, path: str, claims: Mapping[str, Any], query: Mapping[str, str] | None = None, limit: int = 1
) -> tuple[list[dict[str, Any]], str]:
    """Every item of a list, ``limit`` at a time, and the first page's cursor."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    first_cursor = ""
    for _ in range(50):
        page = stack.request(method, path, claims=claims, query={**(query or {}), "limit": str(limit), **({"cursor": cursor} if cursor else {})})
        assert page.status == 200, page.json
        assert set(page.json) == {"items", "next_cursor"}
        assert len(page.json["items"]) <= limit
        items.extend(page.json["items"])
        cursor = page.json["next_cursor"]
        first_cursor = first_cursor or cursor or ""
        if not cursor:
            return items, first_cursor
    raise AssertionError("the list never ended")


def assert_cursor_refused(
    stack: Stack, path: str, claims: Mapping[str, Any], cursor: str, *, foreign: Mapping[str, Any] | None = None, other_path: str | None = None
) -> None:
    """An edited, forged or foreign cursor is a 400 naming ``cursor``."""
    edited = ("B" if cursor[0] == "A" else "A") + cursor[1:]
    refused = [
        stack.request("GET", path, claims=claims, query={"cursor": edited}),
        stack.request("GET", path, claims=claims, query={"cursor": "eyJwayI6eyJTIjoieCJ9fQ.forged"}),
        stack.request("GET", path, claims=claims, query={"cursor": cursor + "x"}),
    ]
    if foreign is not None:
        refused.append(stack.request("GET", path, claims=foreign, query={"cursor": cursor}))
    if other_path is not None:
        refused.append(stack.request("GET", other_path, claims=claims, query={"cursor": cursor}))
    assert [(response.status, response.json["fields"][0]["field"]) for response in refused] == [(400, "cursor")] * len(refused)
