"""Tip-offs, the 12345 hotline and the portal over HTTP on the local stack: the issue's acceptance criteria
and the demo data."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.e2e.conftest import LocalStack

COMMUNITY = {"county_code": "411224", "community_id": "411224-007"}  # a community the demo data leaves alone


def tipoff(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "rumour",
        **COMMUNITY,
        "address": "卢氏县汤河村村委会",
        "description": f"有人散布“喝白酒能防病毒”的说法 {uuid.uuid4().hex[:6]}",
    }
    body.update(overrides)
    return body


@pytest.fixture(scope="module")
def people(local_stack: LocalStack) -> dict[str, str]:
    return {
        "reporter": local_stack.new_user("resident"),
        "propaganda": local_stack.new_user("department_handler", {"department": "propaganda"}),
        "police": local_stack.new_user("department_handler", {"department": "public_security"}),
        "civil": local_stack.new_user("department_handler", {"department": "civil_affairs"}),
        "operator": local_stack.new_user("hotline_operator"),
    }


def test_demo_portal_is_public_and_demo_orders_reached_their_units(local_stack: LocalStack) -> None:
    local_stack.drain()
    articles = local_stack.call("GET", "/portal/articles?limit=10")
    assert articles.status == 200
    kinds = {item["kind"] for item in articles.json["items"]}
    assert {"announcement", "measure", "knowledge", "rumour_rebuttal"} <= kinds
    queue = local_stack.call("GET", "/hotline/orders?department=propaganda", "operator1").json["items"]
    assert any(row["category"] == "rumour" for row in queue)


def test_rumour_tipoff_lands_in_the_propaganda_queue_only(local_stack: LocalStack, people: dict[str, str]) -> None:
    # Given a resident's rumour tip-off, When the event pump has delivered the intake queue
    created = local_stack.call("POST", "/tipoffs", people["reporter"], tipoff())
    assert created.status == 201, created.body
    local_stack.drain()
    order_id = created.json["order_id"]
    # Then the propaganda unit has it in its queue; public security gets 403
    queue = local_stack.call("GET", "/hotline/orders", people["propaganda"]).json["items"]
    assert order_id in [row["order_id"] for row in queue]
    assert local_stack.call("GET", f"/hotline/orders/{order_id}", people["police"]).status == 403
    assert local_stack.call("GET", "/hotline/orders?department=propaganda", people["police"]).status == 403
    # And the reporter follows it
    mine = local_stack.call("GET", "/tipoffs/mine", people["reporter"]).json["items"]
    assert [row["status"] for row in mine if row["order_id"] == order_id] == ["dispatched"]


def test_anonymous_tipoff_is_followed_by_code_only(local_stack: LocalStack, people: dict[str, str]) -> None:
    reporter = local_stack.new_user("resident")
    created = local_stack.call("POST", "/tipoffs", reporter, tipoff(category="selling_wild_game", anonymous=True))
    assert created.status == 201, created.body
    local_stack.drain()
    assert local_stack.call("GET", "/tipoffs/mine", reporter).json["items"] == []
    assert local_stack.call("GET", "/hotline/orders/mine", reporter).json["items"] == []
    tracked = local_stack.call("POST", "/tipoffs/track", reporter, {"code": created.json["tracking_code"]})
    assert tracked.status == 200 and tracked.json["department"] == "market_regulation"
    order = local_stack.call("GET", f"/hotline/orders/{created.json['order_id']}", people["operator"]).json
    assert order["anonymous"] is True


def test_wrong_photo_type_or_size_is_refused_with_a_clear_message(local_stack: LocalStack, people: dict[str, str]) -> None:
    wrong = local_stack.call("POST", "/tipoffs/photos", people["reporter"], {"content_type": "video/mp4", "size": 1000})
    assert wrong.status == 400 and wrong.json["fields"][0]["field"] == "content_type"
    large = local_stack.call("POST", "/tipoffs/photos", people["reporter"], {"content_type": "image/png", "size": 50_000_000})
    assert large.status == 413 and "at most 5 MB" in large.json["message"]
    fine = local_stack.call("POST", "/tipoffs/photos", people["reporter"], {"content_type": "image/png", "size": 50_000})
    assert fine.status == 201 and fine.json["photo_key"].endswith(".png")


def test_order_not_handled_in_time_is_overdue_after_the_clock_advances(local_stack: LocalStack, people: dict[str, str]) -> None:
    # Given a help request (12 h) dispatched to civil affairs and not handled
    body = {"type": "help_request", "summary": "独居老人缺药", **COMMUNITY, "department": "civil_affairs"}
    created = local_stack.call("POST", "/hotline/orders", people["operator"], body)
    assert created.status == 201, created.body
    order_id = created.json["order_id"]
    assert created.json["overdue"] is False
    # When a day passes on the local clock (the hourly sweep fires)
    local_stack.advance(1)
    # Then the unit sees it overdue and escalated, and headquarters' supervision list has it
    seen = local_stack.call("GET", f"/hotline/orders/{order_id}", people["civil"]).json
    assert seen["overdue"] is True and seen["escalation_level"] >= 1
    assert seen["steps"][-1]["action"] == "escalate"
    supervised, page = [], local_stack.call("GET", "/hotline/orders/overdue?limit=100", "commander1").json
    while True:
        supervised += [row["order_id"] for row in page["items"]]
        if order_id in supervised or not page["next_cursor"]:
            break
        page = local_stack.call("GET", f"/hotline/orders/overdue?limit=100&cursor={page['next_cursor']}", "commander1").json
    assert order_id in supervised
