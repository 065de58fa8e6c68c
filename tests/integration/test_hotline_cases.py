"""12345 for real cases on moto: deadline extensions (延期), joint handling (协办), urgent orders (加急), text
messages to callers without the app, photos of the result on replies, and the knowledge base of standard answers."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from infra.local import events
from sanmenxia import clock
from tests.support.stack import REGION, Stack, claims_for

OPERATOR = claims_for("sub-op", "hotline_operator", username="operator1")
CIVIL = claims_for("sub-civil", "department_handler", username="civil1", department="civil_affairs")
POLICE = claims_for("sub-police", "department_handler", username="police1", department="public_security")
HEALTH = claims_for("sub-health", "department_handler", username="health1", department="health_commission")
ADMIN = claims_for("sub-admin", "admin", username="admin1")
CALLER_PHONE = "13912345678"


def at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def call(stack: Stack, **overrides: Any) -> dict[str, Any]:
    body = {"type": "help_request", "summary": "独居老人缺降压药", "community_id": "411202-001", "caller_phone": CALLER_PHONE, "department": "civil_affairs"}
    body.update(overrides)
    response = stack.request("POST", "/hotline/orders", claims=OPERATOR, body=body)
    assert response.status == 201, response.json
    return response.json  # type: ignore[no-any-return]


def act(stack: Stack, claims: dict[str, Any], order_id: str, action: str, body: Any = None, status: int = 200) -> dict[str, Any]:
    response = stack.request("POST", f"/hotline/orders/{order_id}/{action}", claims=claims, body=body if body is not None else {})
    assert response.status == status, (action, response.status, response.json)
    return response.json  # type: ignore[no-any-return]


def sweep(stack: Stack) -> dict[str, Any]:
    return stack.invoke("HotlineFunction", events.schedule_event("overdue-sweep", datetime.now(UTC), REGION))  # type: ignore[no-any-return]


def sms_outbox(stack: Stack) -> str:
    """A queue subscribed to the caller SMS topic, as the carrier's gateway (or the local outbox) is."""
    sqs, sns = stack.client("sqs"), stack.client("sns")
    url = sqs.create_queue(QueueName=f"sms-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=stack.table("CallerSmsTopic"), Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    return url


def texts_in(stack: Stack, url: str) -> list[dict[str, Any]]:
    found = []
    while True:
        messages = stack.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return found
        for message in messages:
            found.append(json.loads(message["Body"]))
            stack.client("sqs").delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


# -- extensions ------------------------------------------------------------------------------------------
def test_an_extension_moves_the_deadline_only_when_the_operator_approves(stack: Stack) -> None:
    # Given an order dispatched to civil affairs and accepted there
    order = call(stack)
    oid, due = order["order_id"], order["due_at"]
    act(stack, CIVIL, oid, "accept")
    # When the unit asks for 24 more hours with a reason
    asked = act(stack, CIVIL, oid, "extension", {"hours": 24, "reason": "需协调药店配送"})
    # Then the request waits and the deadline has not moved
    assert asked["due_at"] == due and asked["extension"]["hours"] == 24 and asked["extension"]["reason"] == "需协调药店配送"
    # And a second request while one waits is refused
    act(stack, CIVIL, oid, "extension", {"hours": 12, "reason": "再次申请"}, status=409)
    # When the operator refuses it (a refusal needs a reason), the deadline still has not moved
    act(stack, OPERATOR, oid, "extension/decision", {"approve": False}, status=400)
    refused = act(stack, OPERATOR, oid, "extension/decision", {"approve": False, "note": "时限内可办结"})
    assert refused["due_at"] == due and refused["extension"] is None
    # When the unit asks again and the operator approves
    act(stack, CIVIL, oid, "extension", {"hours": 24, "reason": "药品需外地调货"})
    approved = act(stack, OPERATOR, oid, "extension/decision", {"approve": True})
    # Then the deadline is 24 hours later, and the steps say who asked and who decided
    assert at(approved["due_at"]) == at(due) + timedelta(hours=24)
    assert approved["extensions_granted"] == 1
    actions = [step["action"] for step in approved["steps"]]
    assert actions.count("request_extension") == 2 and actions.count("decide_extension") == 2


def test_an_approved_extension_lifts_the_overdue_mark_and_the_sweep_follows_the_new_deadline(stack: Stack) -> None:
    # Given an accepted help request (12 h) that fell overdue and was escalated by the sweep
    oid = call(stack)["order_id"]
    act(stack, CIVIL, oid, "accept")
    clock.set_offset(13 * 3600)
    assert sweep(stack)["escalated"] == 1
    act(stack, CIVIL, oid, "extension", {"hours": 48, "reason": "等待检测结果"})
    # While the request waits, the order is still overdue
    assert stack.request("GET", f"/hotline/orders/{oid}", claims=CIVIL).json["overdue"] is True
    # When the operator approves 48 hours
    approved = act(stack, OPERATOR, oid, "extension/decision", {"approve": True})
    # Then the order is no longer overdue and starts again from escalation level 0
    assert approved["overdue"] is False and approved["escalation_level"] == 0
    # And the sweep leaves it alone until the new deadline has passed
    clock.set_offset(30 * 3600)
    assert sweep(stack)["escalated"] == 0
    clock.set_offset(61 * 3600)
    assert sweep(stack)["escalated"] == 1
    assert stack.request("GET", f"/hotline/orders/{oid}", claims=CIVIL).json["overdue"] is True


def test_only_the_lead_unit_asks_for_more_time_and_only_the_operator_decides(stack: Stack) -> None:
    # Given an order of civil affairs
    oid = call(stack)["order_id"]
    act(stack, CIVIL, oid, "accept")
    # Then a foreign unit cannot ask for an extension, nor can the unit approve its own
    act(stack, POLICE, oid, "extension", {"hours": 24, "reason": "不是我们的单子"}, status=403)
    act(stack, CIVIL, oid, "extension", {"hours": 24, "reason": "需要更多时间"})
    act(stack, CIVIL, oid, "extension/decision", {"approve": True}, status=403)
    # And more hours than the policy allows name the field
    act(stack, CIVIL, oid, "extension/decision", {"approve": True}, status=403)
    act(stack, OPERATOR, oid, "extension/decision", {"approve": True})
    too_many = act(stack, CIVIL, oid, "extension", {"hours": 100, "reason": "太久了"}, status=400)
    assert too_many["fields"][0]["field"] == "hours"


# -- joint handling --------------------------------------------------------------------------------------
def test_joint_handling_the_lead_replies_only_after_every_assisting_unit_answered(stack: Stack) -> None:
    # Given an order led by civil affairs with health and public security assisting
    oid = call(stack)["order_id"]
    act(stack, CIVIL, oid, "accept")
    joint = act(stack, OPERATOR, oid, "assists", {"departments": ["health_commission", "public_security"]})
    assert joint["waiting_for"] == ["health_commission", "public_security"]
    # Then the assisting units see the order and find it in their own list
    assert stack.request("GET", f"/hotline/orders/{oid}", claims=HEALTH).status == 200
    listed = stack.request("GET", "/hotline/assists", claims=HEALTH).json["items"]
    assert [(row["order_id"], row["answered"]) for row in listed] == [(oid, False)]
    # And the lead cannot reply to the citizen yet
    waiting = act(stack, CIVIL, oid, "reply", {"reply": "药已送到", "resolved": True}, status=409)
    assert "health_commission" in waiting["message"]
    # And an assisting unit cannot reply to the citizen, return the order or ask for time: only the lead does
    act(stack, HEALTH, oid, "reply", {"reply": "我们来答复", "resolved": True}, status=403)
    act(stack, HEALTH, oid, "extension", {"hours": 5, "reason": "协办单位申请"}, status=403)
    # When each assisting unit answers the lead (once)
    act(stack, HEALTH, oid, "assist-reply", {"reply": "已安排社区医生上门"})
    act(stack, HEALTH, oid, "assist-reply", {"reply": "再答一次"}, status=409)
    act(stack, POLICE, oid, "assist-reply", {"reply": "已协助送药车辆通行"})
    assert stack.request("GET", "/hotline/assists", claims=HEALTH).json["items"][0]["answered"] is True
    # Then the lead replies and the order moves on
    replied = act(stack, CIVIL, oid, "reply", {"reply": "药已送到", "resolved": True})
    assert replied["status"] == "replied" and replied["waiting_for"] == []


def test_a_unit_that_does_not_assist_is_refused(stack: Stack) -> None:
    # Given an order led by civil affairs with health assisting
    oid = call(stack)["order_id"]
    act(stack, OPERATOR, oid, "assists", {"departments": ["health_commission"]})
    # Then public security (not assisting) cannot read it or answer for it
    assert stack.request("GET", f"/hotline/orders/{oid}", claims=POLICE).status == 403
    act(stack, POLICE, oid, "assist-reply", {"reply": "冒充协办"}, status=403)
    # And the lead unit cannot be an assisting unit too, nor a unit twice
    same = act(stack, OPERATOR, oid, "assists", {"departments": ["civil_affairs"]}, status=400)
    assert same["fields"][0]["field"] == "departments"
    act(stack, OPERATOR, oid, "assists", {"departments": ["health_commission"]}, status=400)
    # And a unit handler cannot add assisting units (the operator coordinates)
    act(stack, CIVIL, oid, "assists", {"departments": ["public_security"]}, status=403)


# -- urgent ----------------------------------------------------------------------------------------------
def test_an_urgent_order_has_the_urgent_time_limit(stack: Stack) -> None:
    # Given an urgent call and an ordinary one
    urgent = call(stack, urgent=True)
    plain = call(stack, summary="普通来电")
    # Then the urgent one is due 4 hours after receipt (the template's urgent limit), the other 12
    assert at(urgent["due_at"]) - at(urgent["created_at"]) == timedelta(hours=4)
    assert at(plain["due_at"]) - at(plain["created_at"]) == timedelta(hours=12)
    # When the operator flags the ordinary one urgent
    flagged = act(stack, OPERATOR, plain["order_id"], "urgent", {"note": "老人病情加重"})
    # Then its limit is pulled in, never pushed out, and flagging twice is refused
    assert flagged["urgent"] is True and at(flagged["due_at"]) <= at(plain["created_at"]) + timedelta(hours=4, seconds=5)
    act(stack, OPERATOR, plain["order_id"], "urgent", {}, status=409)
    act(stack, CIVIL, plain["order_id"], "urgent", {}, status=403)


# -- text messages ---------------------------------------------------------------------------------------
def test_a_caller_without_the_app_gets_progress_and_satisfaction_by_text(stack: Stack) -> None:
    # Given the SMS topic's subscriber and a call from a phone (no app account)
    outbox = sms_outbox(stack)
    oid = call(stack)["order_id"]
    # When the unit accepts, is granted more time and replies
    act(stack, CIVIL, oid, "accept")
    act(stack, CIVIL, oid, "extension", {"hours": 24, "reason": "调药"})
    act(stack, OPERATOR, oid, "extension/decision", {"approve": True})
    act(stack, CIVIL, oid, "reply", {"reply": "药已送到家中", "resolved": True})
    # Then the caller's phone got acceptance, the new limit, the reply and the satisfaction call-back, in order
    sent = texts_in(stack, outbox)
    assert [message["kind"] for message in sent] == ["progress", "progress", "progress", "satisfaction"]
    assert {message["phone"] for message in sent} == {CALLER_PHONE}
    assert all(oid in message["text"] for message in sent)
    assert "药已送到家中" in sent[2]["text"] and "延长" in sent[1]["text"]
    assert len({message["ref"] for message in sent}) == 4


def test_a_refused_extension_and_a_caller_with_the_app_send_no_text(stack: Stack) -> None:
    # Given the SMS subscriber and an order from a call without a phone
    outbox = sms_outbox(stack)
    oid = call(stack, caller_phone=None)["order_id"]
    act(stack, CIVIL, oid, "accept")
    act(stack, CIVIL, oid, "reply", {"reply": "已处理", "resolved": True})
    # And an order with a phone whose extension is refused
    other = call(stack, summary="另一通来电")["order_id"]
    act(stack, CIVIL, other, "extension", {"hours": 5, "reason": "慢一点"})
    act(stack, OPERATOR, other, "extension/decision", {"approve": False, "note": "不同意"})
    # Then nothing was sent for either
    assert texts_in(stack, outbox) == []


# -- photos ----------------------------------------------------------------------------------------------
def test_a_reply_carries_photos_of_the_result_checked_on_arrival(stack: Stack) -> None:
    # Given an accepted order
    oid = call(stack)["order_id"]
    act(stack, CIVIL, oid, "accept")
    # When the unit prepares a photo upload: a presigned PUT for this order's key
    prepared = act(stack, CIVIL, oid, "photos", {"content_type": "image/jpeg", "size": 2048}, status=201)
    assert prepared["method"] == "PUT" and prepared["photo_key"].startswith(f"replies/{oid}/")
    assert prepared["headers"] == {"Content-Type": "image/jpeg"}
    # Then a bad type or size is refused before anything is signed, naming the field
    assert act(stack, CIVIL, oid, "photos", {"content_type": "application/pdf", "size": 10}, status=400)["fields"][0]["field"] == "content_type"
    assert act(stack, CIVIL, oid, "photos", {"content_type": "image/png", "size": 50 * 1024 * 1024}, status=413)["fields"][0]["field"] == "size"
    # And a foreign unit cannot prepare one
    act(stack, POLICE, oid, "photos", {"content_type": "image/jpeg", "size": 10}, status=403)
    # And a reply naming a photo not uploaded yet is refused
    act(stack, CIVIL, oid, "reply", {"reply": "已送达", "resolved": True, "photos": [prepared["photo_key"]]}, status=400)
    # When the photo is uploaded (as the browser does with the signed URL) and the reply names it
    bucket = stack.table("UploadsBucket")
    stack.client("s3").put_object(Bucket=bucket, Key=prepared["photo_key"], Body=b"\xff\xd8" + b"0" * 2000, ContentType="image/jpeg")
    replied = act(stack, CIVIL, oid, "reply", {"reply": "已送达", "resolved": True, "photos": [prepared["photo_key"]]})
    # Then staff see the photo through a short-lived link
    assert [photo["key"] for photo in replied["reply_photos"]] == [prepared["photo_key"]]
    assert replied["reply_photos"][0]["url"].startswith("http")


def test_a_photo_of_another_order_or_of_the_wrong_type_is_refused(stack: Stack) -> None:
    # Given two accepted orders and a photo prepared for the first
    first, second = call(stack)["order_id"], call(stack, summary="另一位老人缺药")["order_id"]
    act(stack, CIVIL, second, "accept")
    prepared = act(stack, CIVIL, first, "photos", {"content_type": "image/png", "size": 100}, status=201)
    bucket = stack.table("UploadsBucket")
    stack.client("s3").put_object(Bucket=bucket, Key=prepared["photo_key"], Body=b"x" * 100, ContentType="image/png")
    # Then the second order's reply cannot use it
    act(stack, CIVIL, second, "reply", {"reply": "借用照片", "resolved": True, "photos": [prepared["photo_key"]]}, status=400)
    # And an object stored with another type is refused and deleted
    key = act(stack, CIVIL, second, "photos", {"content_type": "image/png", "size": 100}, status=201)["photo_key"]
    stack.client("s3").put_object(Bucket=bucket, Key=key, Body=b"%PDF", ContentType="application/pdf")
    act(stack, CIVIL, second, "reply", {"reply": "坏照片", "resolved": True, "photos": [key]}, status=400)
    assert "Contents" not in stack.client("s3").list_objects_v2(Bucket=bucket, Prefix=key)


# -- the knowledge base ----------------------------------------------------------------------------------
def test_operators_keep_standard_answers_that_units_search_when_replying(stack: Stack) -> None:
    # Given two standard answers written by an operator
    answer = {"title": "居家隔离期间买药", "body": "可联系社区网格员代购,药费自理,配送免费。", "category": "help_request", "tags": ["买药", "隔离"]}
    created = stack.request("POST", "/hotline/answers", claims=OPERATOR, body=answer)
    assert created.status == 201, created.json
    other = {"title": "健康码变黄怎么办", "body": "连续打卡即可恢复绿码。", "tags": ["健康码"]}
    assert stack.request("POST", "/hotline/answers", claims=OPERATOR, body=other).status == 201
    # Then a unit handler finds the first by a word, and not the second
    found = stack.request("GET", "/hotline/answers", claims=CIVIL, query={"q": "买药"}).json
    assert [item["title"] for item in found["items"]] == ["居家隔离期间买药"] and found["next_cursor"] is None
    assert {item["title"] for item in stack.request("GET", "/hotline/answers", claims=CIVIL).json["items"]} == {answer["title"], other["title"]}
    # But a handler cannot write answers
    assert stack.request("POST", "/hotline/answers", claims=CIVIL, body=answer).status == 403
    # When the operator edits it with the version read, and again with a stale version
    answer_id = created.json["answer_id"]
    edited = stack.request("PUT", f"/hotline/answers/{answer_id}", claims=OPERATOR, body={**answer, "body": "联系网格员代购。", "version": 1})
    assert edited.status == 200 and edited.json["version"] == 2
    stale = stack.request("PUT", f"/hotline/answers/{answer_id}", claims=OPERATOR, body={**answer, "version": 1})
    assert stale.status == 409
    # And a reply names the answer it started from (an unknown one is 404)
    oid = call(stack)["order_id"]
    act(stack, CIVIL, oid, "accept")
    act(stack, CIVIL, oid, "reply", {"reply": "联系网格员代购。", "resolved": True, "answer_id": "KB0000000000000000"}, status=404)
    act(stack, CIVIL, oid, "reply", {"reply": "联系网格员代购。", "resolved": True, "answer_id": answer_id})
    # When the operator deletes it, it is gone, with audit records of every write
    assert stack.request("DELETE", f"/hotline/answers/{answer_id}", claims=OPERATOR).status == 200
    assert stack.request("GET", f"/hotline/answers/{answer_id}", claims=CIVIL).status == 404
    audits = stack.client("dynamodb").query(
        TableName=stack.table("AuditTable"),
        KeyConditionExpression="target = :t",
        ExpressionAttributeValues={":t": {"S": f"standard_answer#{answer_id}"}},
    )["Items"]
    assert sorted(item["action"]["S"] for item in audits) == ["standard_answer.create", "standard_answer.delete", "standard_answer.edit"]
