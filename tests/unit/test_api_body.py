"""How the resolver reads a request body: JSON only, nesting bounded (strings do not count)."""

from __future__ import annotations

import pytest

from sanmenxia.api import MAX_JSON_DEPTH, is_json_media_type, json_depth


@pytest.mark.parametrize(
    ("text", "depth"),
    [("{}", 1), ('{"a": [1, {"b": []}]}', 4), ('{"a": "[[[[{{{{"}', 1), (r'{"a": "\"[[[["}', 1), ("[" * 1000 + "]" * 1000, 1000), ("", 0)],
)
def test_json_depth_counts_nesting_outside_strings(text: str, depth: int) -> None:
    assert json_depth(text) == depth


def test_the_limit_leaves_room_for_real_bodies() -> None:
    assert MAX_JSON_DEPTH >= 8


@pytest.mark.parametrize(
    ("content_type", "json"),
    [
        ("application/json", True),
        ("application/json; charset=utf-8", True),
        ("Application/JSON", True),
        ("application/merge-patch+json", True),
        ("text/plain", False),
        ("multipart/form-data; boundary=x", False),
        ("application/x-www-form-urlencoded", False),
        ("application/jsonx", False),
    ],
)
def test_json_media_types(content_type: str, json: bool) -> None:
    assert is_json_media_type(content_type) is json
