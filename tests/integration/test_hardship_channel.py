"""A hardship request (困难诉求) has one channel and one owner (issue 15): the head of the household's community
handles it on the community screen, sees who needs help and where (masked), and its 12345 order follows the
request instead of being worked on by a second unit or going overdue."""

from __future__ import annotations

from typing import Any

import pytest

from sanmenxia.contracts import WorkOrderProgress, WorkOrderSource
from sanmenxia.hotline.rules import order_id_for
from tests.integration.test_healthcode_daily import pause_moto_queue_consumers
from tests.integration.test_hotline import OPERATOR, deliver_intake
from tests.integration.test_residents import COMMUNITY, HEAD, register
from tests.support.stack import Stack, claims_for

RESIDENT = claims_for("sub-hardship", "resident")


@pytest.fixture(autouse=True)
def _deliver_by_hand(stack: Stack) -> None:
    pause_moto_queue_consumers(stack)


def _order(stack: Stack, request_id: str) -> dict[str, Any]:
    response = stack.request("GET", f"/hotline/orders/{order_id_for('hardship', request_id)}", claims=OPERATOR)
    assert response.status == 200, response.json
    return dict(response.json)


def _handle(stack: Stack, request_id: str, **body: Any) -> None:
    response = stack.request("PATCH", f"/communities/{COMMUNITY}/hardship-requests/{request_id}", claims=HEAD, body=body)
    assert response.status == 200, response.json
    deliver_intake(stack)


def test_the_head_owns_a_hardship_request_and_its_12345_order_follows_it(stack: Stack) -> None:
    # Given a resident asking for medicine, and the intake delivered to the hotline
    register(stack, "sub-hardship", 41)
    created = stack.request("POST", "/residents/me/hardship-requests", claims=RESIDENT, body={"kind": "medicine", "description": "降压药吃完了"})
    assert created.status == 201, created.json
    request_id = created.json["request_id"]
    deliver_intake(stack)
    # Then the order is the community's (the head's), not a second unit's
    order = _order(stack, request_id)
    assert (order["department"], order["community_id"], order["status"]) == ("community_affairs", COMMUNITY, "dispatched")
    # And the head's list says who needs help and where, masked
    [listed] = stack.request("GET", f"/communities/{COMMUNITY}/hardship-requests", claims=HEAD).json["items"]
    assert (listed["requester"], listed["address"], listed["contact_phone"]) == ("居***", "幸福路***", "138****0041")
    # When the head takes it, the order is accepted; when the head resolves it, the order is answered
    _handle(stack, request_id, status="in_progress")
    assert _order(stack, request_id)["status"] == "handling"
    _handle(stack, request_id, status="resolved", note="已送药上门")
    answered = _order(stack, request_id)
    assert (answered["status"], answered["reply"], answered["overdue"]) == ("replied", "已送药上门", False)
    # And a redelivered or late progress (SQS delivers at least once, in any order) changes nothing
    for status in ("resolved", "in_progress"):
        late = WorkOrderProgress(source=WorkOrderSource.HARDSHIP, source_ref=request_id, status=status, note="x", actor="head1", actor_role="community_head")
        stack.client("sqs").send_message(QueueUrl=stack.table("WorkOrderIntakeQueue"), MessageBody=late.model_dump_json())
    assert deliver_intake(stack)["batchItemFailures"] == []
    again = _order(stack, request_id)
    assert (again["status"], again["reply"], len(again["steps"])) == ("replied", "已送药上门", len(answered["steps"]))


def test_a_hardship_order_is_not_moved_from_the_hotline_side(stack: Stack) -> None:
    # Given an open hardship request whose order is dispatched to the community
    register(stack, "sub-hardship", 42)
    created = stack.request("POST", "/residents/me/hardship-requests", claims=RESIDENT, body={"kind": "daily_necessities", "description": "缺米面"})
    deliver_intake(stack)
    order_id = order_id_for("hardship", created.json["request_id"])
    # When the head or an operator tries to accept, reply to or re-dispatch it as a 12345 order
    accepted = stack.request("POST", f"/hotline/orders/{order_id}/accept", claims=HEAD)
    replied = stack.request("POST", f"/hotline/orders/{order_id}/reply", claims=HEAD, body={"reply": "已处理", "resolved": True})
    dispatched = stack.request("POST", f"/hotline/orders/{order_id}/dispatch", claims=OPERATOR, body={"department": "civil_affairs"})
    # Then each is a 409 naming the source, and the order is still waiting for the head
    assert [accepted.status, replied.status, dispatched.status] == [409, 409, 409]
    assert accepted.json["fields"][0]["field"] == "source"
    assert stack.request("GET", f"/hotline/orders/{order_id}", claims=OPERATOR).json["status"] == "dispatched"
