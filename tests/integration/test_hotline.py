"""12345 hotline on moto: calls, intake from the queue, the lifecycle with audit, scope, overdue sweep,
figures, ratings and bad input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from infra.local import events
from sanmenxia import clock
from sanmenxia.contracts import WorkOrderIntake, WorkOrderSource, WorkOrderType
from tests.support.stack import REGION, Stack, claims_for

OPERATOR = claims_for("sub-op", "hotline_operator", username="operator1")
CIVIL = claims_for("sub-civil", "department_handler", username="civil1", department="civil_affairs")
POLICE = claims_for("sub-police", "department_handler", username="police1", department="public_security")
RESIDENT = claims_for("sub-res", "resident", username="resident1")
OTHER_RESIDENT = claims_for("sub-res2", "resident", username="resident2")
COMMANDER = claims_for("sub-cmd", "commander", username="commander1")


@pytest.fixture(autouse=True)
def reset_clock() -> Iterator[None]:
    yield
    clock.set_offset(0)


def send_intake(stack: Stack, message: WorkOrderIntake) -> None:
    stack.client("sqs").send_message(QueueUrl=stack.table("WorkOrderIntakeQueue"), MessageBody=message.model_dump_json())


def deliver_intake(stack: Stack) -> dict[str, Any]:
    """What Lambda's SQS event source does: receive a batch, invoke, delete what did not fail."""
    sqs = stack.client("sqs")
    url = stack.table("WorkOrderIntakeQueue")
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    result: dict[str, Any] = stack.invoke("HotlineFunction", events.sqs_event(arn, messages, REGION))
    failed = {item["itemIdentifier"] for item in result["batchItemFailures"]}
    for message in messages:
        if message["MessageId"] not in failed:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return result


def sweep(stack: Stack) -> dict[str, Any]:
    return stack.invoke("HotlineFunction", events.schedule_event("overdue-sweep", datetime.now(UTC), REGION))  # type: ignore[no-any-return]


def audit_actions(stack: Stack, order_id: str) -> list[str]:
    items = stack.client("dynamodb").query(
        TableName=stack.table("AuditTable"),
        KeyConditionExpression="target = :t",
        ExpressionAttributeValues={":t": {"S": f"work_order#{order_id}"}},
    )["Items"]
    return sorted(item["action"]["S"] for item in items)


def call(stack: Stack, **overrides: Any) -> dict[str, Any]:
    body = {
        "type": "help_request",
        "summary": "独居老人缺降压药,行动不便",
        "community_id": "411202-001",
        "address": "湖滨区前进路8号",
        "caller_phone": "13912345678",
        "caller_name": "李秀兰",
    }
    body.update(overrides)
    response = stack.request("POST", "/hotline/orders", claims=OPERATOR, body=body)
    assert response.status == 201, response.json
    return response.json  # type: ignore[no-any-return]


def test_call_order_goes_through_its_lifecycle_with_an_audit_record_per_change(stack: Stack) -> None:
    # Given an operator's order from a call, dispatched at once to civil affairs
    order = call(stack, department="civil_affairs")
    oid = order["order_id"]
    assert order["status"] == "dispatched" and order["contact_phone"] == "13912345678"
    # When the unit accepts and replies, the operator revisits and closes
    assert stack.request("POST", f"/hotline/orders/{oid}/accept", claims=CIVIL).json["status"] == "handling"
    replied = stack.request("POST", f"/hotline/orders/{oid}/reply", claims=CIVIL, body={"reply": "社区已送药上门", "resolved": True})
    assert replied.status == 200, replied.json
    assert stack.request("POST", f"/hotline/orders/{oid}/revisit", claims=OPERATOR, body={"satisfaction": 5}).status == 200
    closed = stack.request("POST", f"/hotline/orders/{oid}/close", claims=OPERATOR, body={"note": "已办结"})
    # Then every state change is a step with who and when, and each has its audit record
    assert closed.json["status"] == "closed"
    steps = closed.json["steps"]
    assert [(s["action"], s["actor"]) for s in steps] == [
        ("receive", "operator1"),
        ("dispatch", "routing"),
        ("accept", "civil1"),
        ("reply", "civil1"),
        ("revisit", "operator1"),
        ("close", "operator1"),
    ]
    assert all(s["at"] for s in steps)
    assert audit_actions(stack, oid) == sorted(f"work_order.{s['action']}" for s in steps)


def test_handler_sees_only_own_department(stack: Stack) -> None:
    # Given an order for civil affairs
    oid = call(stack, department="civil_affairs")["order_id"]
    # Then its handler sees it in the unit's queue and can open it
    queue = stack.request("GET", "/hotline/orders", claims=CIVIL).json["items"]
    assert [row["order_id"] for row in queue] == [oid]
    assert stack.request("GET", f"/hotline/orders/{oid}", claims=CIVIL).status == 200
    # But a public-security handler gets 403 for the order, the other queue and its actions
    assert stack.request("GET", f"/hotline/orders/{oid}", claims=POLICE).status == 403
    assert stack.request("GET", "/hotline/orders", claims=POLICE, query={"department": "civil_affairs"}).status == 403
    assert stack.request("POST", f"/hotline/orders/{oid}/accept", claims=POLICE).status == 403
    assert stack.request("GET", "/hotline/orders", claims=POLICE).json["items"] == []


def test_residents_cannot_use_staff_routes(stack: Stack) -> None:
    oid = call(stack)["order_id"]
    assert stack.request("GET", "/hotline/orders", claims=RESIDENT).status == 403
    assert stack.request("GET", f"/hotline/orders/{oid}", claims=RESIDENT).status == 403
    assert stack.request("POST", f"/hotline/orders/{oid}/dispatch", claims=RESIDENT, body={"department": "transport"}).status == 403


def test_order_past_its_limit_is_overdue_after_the_clock_advances_and_escalates(stack: Stack) -> None:
    # Given a help request (12 h limit) dispatched to civil affairs
    oid = call(stack, department="civil_affairs")["order_id"]
    assert sweep(stack)["escalated"] == 0
    assert stack.request("GET", f"/hotline/orders/{oid}", claims=CIVIL).json["overdue"] is False
    # When the clock moves 13 hours on and the hourly sweep runs
    clock.set_offset(13 * 3600)
    assert sweep(stack) == {"checked": 1, "escalated": 1, "skipped": 0}
    # Then the order shows as overdue, escalated, with an audit record of the escalation
    order = stack.request("GET", f"/hotline/orders/{oid}", claims=CIVIL).json
    assert order["overdue"] is True and order["escalation_level"] == 1
    assert order["steps"][-1]["action"] == "escalate"
    assert "work_order.escalate" in audit_actions(stack, oid)
    overdue = stack.request("GET", "/hotline/orders/overdue", claims=COMMANDER).json
    assert [row["order_id"] for row in overdue["items"]] == [oid] and overdue["next_cursor"] is None
    # And a second sweep in the same hour changes nothing; a day later headquarters supervises it
    assert sweep(stack)["escalated"] == 0
    clock.set_offset(38 * 3600)
    sweep(stack)
    assert stack.request("GET", f"/hotline/orders/{oid}", claims=CIVIL).json["escalation_level"] == 2


def test_intake_is_idempotent_on_source_and_ref(stack: Stack) -> None:
    # Given the same hardship request delivered twice (an SQS redelivery)
    message = WorkOrderIntake(
        source=WorkOrderSource.HARDSHIP,
        source_ref="hs-1",
        type=WorkOrderType.HELP_REQUEST,
        category="medicine",
        summary="需要代购胰岛素",
        community_id="411202-002",
        county_code="411202",
        requester_sub="sub-res",
    )
    send_intake(stack, message)
    send_intake(stack, message)
    result = deliver_intake(stack)
    # Then one order exists, routed to the community (the one owner of hardship requests), counted once
    assert result["batchItemFailures"] == []
    scanned = stack.client("dynamodb").scan(TableName=stack.table("WorkOrdersTable"))["Items"]
    assert len(scanned) == 1 and scanned[0]["department"]["S"] == "community_affairs"
    figures = stack.request("GET", "/hotline/figures", claims=COMMANDER, query={"department": "community_affairs"}).json
    assert figures[0]["assigned"] == 1
    mine = stack.request("GET", "/hotline/orders/mine", claims=RESIDENT).json["items"]
    assert [order["status"] for order in mine] == ["dispatched"]


def test_a_bad_intake_message_fails_alone(stack: Stack) -> None:
    stack.client("sqs").send_message(QueueUrl=stack.table("WorkOrderIntakeQueue"), MessageBody=json.dumps({"source": "tipoff"}))
    send_intake(stack, WorkOrderIntake(source=WorkOrderSource.APPEAL, source_ref="ap-1", type=WorkOrderType.COMPLAINT, summary="健康码误判"))
    result = deliver_intake(stack)
    assert len(result["batchItemFailures"]) == 1
    rows = stack.request("GET", "/hotline/orders", claims=COMMANDER, query={"department": "big_data"}).json["items"]
    assert len(rows) == 1


def test_citizen_rates_own_order_only_and_figures_show_it(stack: Stack) -> None:
    # Given a resident's appeal, handled and replied by the big-data bureau
    send_intake(
        stack,
        WorkOrderIntake(source=WorkOrderSource.APPEAL, source_ref="ap-2", type=WorkOrderType.COMPLAINT, summary="健康码误判", requester_sub="sub-res"),
    )
    deliver_intake(stack)
    oid = stack.request("GET", "/hotline/orders/mine", claims=RESIDENT).json["items"][0]["order_id"]
    handler = claims_for("sub-bd", "department_handler", department="big_data")
    assert stack.request("POST", f"/hotline/orders/{oid}/accept", claims=handler).status == 200
    assert stack.request("POST", f"/hotline/orders/{oid}/reply", claims=handler, body={"reply": "已核实并更正", "resolved": True}).status == 200
    # When another resident tries to rate it, Then 403; when the requester rates, Then it is revisited
    assert stack.request("POST", f"/hotline/orders/{oid}/rating", claims=OTHER_RESIDENT, body={"satisfaction": 1}).status == 403
    rated = stack.request("POST", f"/hotline/orders/{oid}/rating", claims=RESIDENT, body={"satisfaction": 4})
    assert rated.status == 200 and rated.json["status"] == "revisited" and rated.json["can_rate"] is False
    assert stack.request("POST", f"/hotline/orders/{oid}/rating", claims=RESIDENT, body={"satisfaction": 5}).status == 409
    # And the unit's figures count the reply, on time, resolved and satisfied
    row = stack.request("GET", "/hotline/figures", claims=handler).json
    assert len(row) == 1 and row[0]["department"] == "big_data"
    assert (row[0]["response_rate"], row[0]["on_time_rate"], row[0]["resolution_rate"], row[0]["satisfaction_rate"]) == (1.0, 1.0, 1.0, 1.0)


def test_bad_commands_name_the_field_or_the_state(stack: Stack) -> None:
    oid = call(stack)["order_id"]
    unknown = stack.request("POST", f"/hotline/orders/{oid}/dispatch", claims=OPERATOR, body={"department": "ministry_of_magic"})
    assert unknown.status == 422 and unknown.json["fields"][0]["field"] == "department"
    not_yet = stack.request("POST", f"/hotline/orders/{oid}/close", claims=OPERATOR, body={})
    assert not_yet.status == 409 and not_yet.json["error"] == "invalid_transition"
    missing = stack.request("POST", "/hotline/orders", claims=OPERATOR, body={"type": "complaint"})
    assert missing.status == 422 and missing.json["fields"][0]["field"] == "summary"
    cursor = stack.request("GET", "/hotline/orders", claims=OPERATOR, query={"cursor": "!!not-a-cursor"})
    assert cursor.status == 400 and cursor.json["fields"][0]["field"] == "cursor"


def test_operator_answers_a_consultation_directly_but_not_a_units_order(stack: Stack) -> None:
    consultation = call(stack, type="consultation", summary="外地车辆能否进城?")["order_id"]
    direct = stack.request("POST", f"/hotline/orders/{consultation}/reply", claims=OPERATOR, body={"reply": "凭健康绿码可通行", "resolved": True})
    assert direct.status == 200 and direct.json["replied_by"] == "hotline_center"
    dispatched = call(stack, department="civil_affairs")["order_id"]
    blocked = stack.request("POST", f"/hotline/orders/{dispatched}/reply", claims=OPERATOR, body={"reply": "x", "resolved": True})
    assert blocked.status == 403


def test_contact_details_are_sealed_at_rest_and_masked_for_units(stack: Stack) -> None:
    oid = call(stack, department="civil_affairs")["order_id"]
    dump = str(stack.client("dynamodb").scan(TableName=stack.table("WorkOrdersTable"))["Items"])
    for secret in ("13912345678", "李秀兰", "前进路8号", "降压药"):
        assert secret not in dump
    seen = stack.request("GET", f"/hotline/orders/{oid}", claims=CIVIL).json
    assert seen["contact_phone"] == "139****5678" and seen["contact_name"] == "李**"
    assert seen["summary"] == "独居老人缺降压药,行动不便"


def test_the_overdue_list_pages_across_shards_with_a_cursor_bound_to_the_caller(stack: Stack) -> None:
    # Given five orders gone overdue (spread over the due index's shards)
    made = {call(stack, department="civil_affairs", summary=f"独居老人缺降压药 第{n}户")["order_id"] for n in range(5)}
    assert len(made) == 5
    clock.set_offset(13 * 3600)
    sweep(stack)
    # When the commander reads the overdue list two at a time
    pages, cursor = [], None
    for _ in range(10):
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = stack.request("GET", "/hotline/orders/overdue", claims=COMMANDER, query=query).json
        pages.append(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    # Then every overdue order comes once, no page is longer than asked
    seen = [row["order_id"] for items in pages for row in items]
    assert sorted(seen) == sorted(made) and all(len(items) <= 2 for items in pages)
    # And a cursor of the first page is refused to another caller and when edited
    first = stack.request("GET", "/hotline/orders/overdue", claims=COMMANDER, query={"limit": "2"}).json["next_cursor"]
    refused = [
        stack.request("GET", "/hotline/orders/overdue", claims=OPERATOR, query={"cursor": first}),
        stack.request("GET", "/hotline/orders/overdue", claims=COMMANDER, query={"cursor": first[::-1]}),
    ]
    assert [(response.status, response.json["fields"][0]["field"]) for response in refused] == [(400, "cursor")] * len(refused)


def test_a_merge_without_a_note_answers_with_a_code_naming_the_other_order(stack: Stack) -> None:
    # Given two orders about the same matter, When the operator merges the second into the first without a note
    first, second = call(stack), call(stack, summary="同一位老人,邻居代为来电")
    merged = stack.request("POST", f"/hotline/orders/{second['order_id']}/merge", claims=OPERATOR, body={"merged_into": first["order_id"]})
    assert merged.status == 200, merged.json
    # Then the stored order reads back with the reply as a code and the other order's number as its parameter
    read = stack.request("GET", f"/hotline/orders/{second['order_id']}", claims=OPERATOR).json
    assert (read["reply_code"], read["reply_params"]) == ("order_merged", {"order_id": first["order_id"]})
