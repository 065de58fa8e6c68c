"""Appeals close (issue 12, defect 4): the appeal unit sees the code, its reasons and holds and lifts or keeps the
hold with a reason; the resident follows one order number; the appeal's state follows the hold and the order."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from infra.local import events
from sanmenxia import clock
from sanmenxia.holds import HoldKind, HoldStore
from tests.integration.test_healthcode import DAY0, HEAD_OTHER, applied, queue_messages, set_day
from tests.support.stack import REGION, Stack, claims_for

APPEAL_UNIT = claims_for("sub-bigdata", "department_handler", username="bigdata1", department="big_data")
SECOND_MEMBER = claims_for("sub-bigdata-2", "department_handler", username="bigdata2", department="big_data")
OTHER_UNIT = claims_for("sub-police", "department_handler", username="police1", department="public_security")
OTHER_COUNTY = claims_for("sub-cmd-lb", "commander", username="commander_lingbao", county_code="411282")


def to_hotline(stack: Stack, messages: list[dict[str, Any]]) -> None:
    arn = f"arn:aws:sqs:{REGION}:123456789012:WorkOrderIntakeQueue"
    sqs_messages = [
        {"MessageId": f"m{i}", "ReceiptHandle": f"r{i}", "Body": json.dumps(m), "Attributes": {}, "MessageAttributes": {}} for i, m in enumerate(messages)
    ]
    result = stack.invoke("HotlineFunction", events.sqs_event(arn, sqs_messages, REGION))
    assert result["batchItemFailures"] == [], result


def fever_hold_appealed(stack: Stack) -> tuple[Any, str, dict[str, Any]]:
    who = applied(stack)
    HoldStore(stack.client("dynamodb"), stack.table("HoldsTable")).place(
        who.person_id, HoldKind.FEVER, source="checkpoints", source_ref="cp-1#scan-1", reason="fever at a checkpoint"
    )
    body = {"hold": "fever#cp-1#scan-1", "statement": "复测体温正常,误判,请核实"}
    appeal = stack.request("POST", "/health-codes/me/appeals", claims=who.claims, body=body)
    assert appeal.status == 201, appeal.json
    return who, "fever#cp-1#scan-1", appeal.json


def test_the_appeal_unit_sees_the_code_and_lifts_the_hold_and_the_order_follows(stack: Stack) -> None:
    who, hold, appeal = fever_hold_appealed(stack)
    # The resident gets one order number, the 12345 order's
    order_id = appeal["order_id"]
    to_hotline(stack, queue_messages(stack, "WorkOrderIntakeQueue"))
    mine = stack.request("GET", "/hotline/orders/mine", claims=who.claims).json["items"]
    assert [row["order_id"] for row in mine] == [order_id]
    # The appeal unit (big data) reads the order, and from it the person's code, reasons and holds
    order = stack.request("GET", f"/hotline/orders/{order_id}", claims=APPEAL_UNIT)
    assert order.status == 200 and order.json["person_id"] == who.person_id, order.json
    code = stack.request("GET", f"/health-codes/people/{who.person_id}", claims=APPEAL_UNIT)
    assert code.status == 200, code.json
    assert code.json["color"] == "yellow" and [a["status"] for a in code.json["appeals"]] == ["submitted"]
    # Other units, other counties' commanders and other communities' heads are refused, naming the scope
    path = f"/health-codes/people/{who.person_id}/appeals/decision"
    decision = {"hold": hold, "decision": "lift", "reason": "复测正常,解除发热标记"}
    for outsider in (OTHER_UNIT, OTHER_COUNTY, HEAD_OTHER):
        refused = stack.request("POST", path, claims=outsider, body=decision)
        assert refused.status == 403, refused.json
        assert "scope" in refused.json["message"]
    # When the appeal unit lifts the hold with a reason (a manual change: a second member approves the proposal)
    proposed = stack.request("POST", path, claims=APPEAL_UNIT, body=decision)
    assert proposed.status == 202 and proposed.json["code"]["color"] == "yellow", proposed.json
    approve = f"/health-codes/hold-proposals/{proposed.json['proposal']['proposal_id']}/approve"
    assert stack.request("POST", approve, claims=SECOND_MEMBER, body={}).status == 200
    decided = stack.request("POST", path, claims=APPEAL_UNIT, body=decision)
    assert decided.status == 200, decided.json
    # Then the code is green, the appeal says lifted; the same decision again (a retry) answers the same, and a
    # different decision on the decided appeal is a conflict
    assert decided.json["code"]["color"] == "green"
    assert decided.json["appeal"]["status"] == "lifted" and decided.json["appeal"]["order_id"] == order_id
    again = stack.request("POST", path, claims=APPEAL_UNIT, body=decision)
    assert (again.status, again.json["appeal"]["status"]) == (200, "lifted"), again.json
    assert stack.request("POST", path, claims=APPEAL_UNIT, body={**decision, "decision": "keep"}).status == 409
    mine_code = stack.request("GET", "/health-codes/me", claims=who.claims).json
    assert [(a["status"], a["order_id"]) for a in mine_code["appeals"]] == [("lifted", order_id)]
    # And the order follows (replied, resolved) with the result in the resident's inbox
    to_hotline(stack, queue_messages(stack, "WorkOrderIntakeQueue"))
    followed = stack.request("GET", f"/hotline/orders/{order_id}", claims=who.claims).json
    assert followed["status"] == "replied" and followed["resolved"] is True, followed
    assert any("复测正常" in note["body"] for note in stack.request("GET", "/notifications", claims=who.claims).json["items"])
    # the outcome as a code the app puts in words, the handler's own words as its parameter
    [answer] = [note for note in stack.request("GET", "/notifications", claims=who.claims).json["items"] if note["kind"] == "work_order_reply"]
    assert answer["body_code"] == "appeal_upheld" and "复测正常" in answer["body_params"]["note"]


def test_an_approved_lift_closes_its_appeal_in_the_same_transaction_or_changes_nothing(stack: Stack) -> None:
    # Given an appealed hold and a lift proposed for it
    who, hold, _ = fever_hold_appealed(stack)
    path = f"/health-codes/people/{who.person_id}/appeals/decision"
    proposed = stack.request("POST", path, claims=APPEAL_UNIT, body={"hold": hold, "decision": "lift", "reason": "复测正常"})
    assert proposed.status == 202, proposed.json
    approve = f"/health-codes/hold-proposals/{proposed.json['proposal']['proposal_id']}/approve"
    # When the appeal is kept meanwhile, the approval of the lift is refused and lifts nothing
    assert stack.request("POST", path, claims=APPEAL_UNIT, body={"hold": hold, "decision": "keep", "reason": "仍需观察"}).status == 200
    refused = stack.request("POST", approve, claims=SECOND_MEMBER, body={})
    assert refused.status == 409, refused.json
    code = stack.request("GET", "/health-codes/me", claims=who.claims).json
    assert code["color"] == "yellow" and [a["status"] for a in code["appeals"]] == ["kept"]
    active = HoldStore(stack.client("dynamodb"), stack.table("HoldsTable")).for_person(who.person_id)
    assert [item.key for item in active] == [hold]
    pending = stack.request("GET", "/health-codes/hold-proposals", claims=SECOND_MEMBER, query={"county_code": "411202"}).json["items"]
    assert proposed.json["proposal"]["proposal_id"] in [row["proposal_id"] for row in pending]


def test_a_kept_hold_closes_the_appeal_unresolved(stack: Stack) -> None:
    who, hold, appeal = fever_hold_appealed(stack)
    to_hotline(stack, queue_messages(stack, "WorkOrderIntakeQueue"))
    path = f"/health-codes/people/{who.person_id}/appeals/decision"
    kept = stack.request("POST", path, claims=APPEAL_UNIT, body={"hold": hold, "decision": "keep", "reason": "体温仍偏高,保留"})
    assert kept.status == 200 and kept.json["appeal"]["status"] == "kept" and kept.json["code"]["color"] == "yellow"
    to_hotline(stack, queue_messages(stack, "WorkOrderIntakeQueue"))
    order = stack.request("GET", f"/hotline/orders/{appeal['order_id']}", claims=who.claims).json
    assert order["status"] == "replied" and order["resolved"] is False


def test_the_appeal_state_follows_a_hold_lifted_where_it_was_placed(stack: Stack) -> None:
    who, _, _ = fever_hold_appealed(stack)
    HoldStore(stack.client("dynamodb"), stack.table("HoldsTable")).lift(who.person_id, HoldKind.FEVER, "cp-1#scan-1")
    appeals = stack.request("GET", "/health-codes/me", claims=who.claims).json["appeals"]
    assert [a["status"] for a in appeals] == ["hold_lifted"]


def rule_yellow_appealed(stack: Stack) -> tuple[Any, str, dict[str, Any]]:
    """A resident who applied on DAY0, checked in on day 1, whose day-2 check-in did not register (yellow on
    day 3 by the rule), appeals against the rule colour for day 2."""
    set_day(DAY0)
    who = applied(stack)
    set_day(DAY0 + timedelta(days=1))
    assert stack.request("POST", "/health-codes/me/check-ins", claims=who.claims, body={"temperature": 36.5}).status == 201
    set_day(DAY0 + timedelta(days=3))
    code = stack.request("GET", "/health-codes/me", claims=who.claims).json
    assert (code["color"], code["rule_color"]) == ("yellow", "yellow"), code
    missed = (DAY0 + timedelta(days=2)).isoformat()
    appeal = stack.request("POST", "/health-codes/me/appeals", claims=who.claims, body={"missed_day": missed, "statement": "2月12日已打卡,系统未记录"})
    assert appeal.status == 201, appeal.json
    return who, missed, appeal.json


def test_a_rule_colour_is_appealed_and_an_accepted_check_in_day_turns_it_green_by_the_rule(stack: Stack) -> None:
    try:
        who, missed, appeal = rule_yellow_appealed(stack)
        # The appeal is about the rule colour, with the one order number
        assert (appeal["kind"], appeal["missed_day"], appeal["hold"]) == ("rule", missed, None)
        to_hotline(stack, queue_messages(stack, "WorkOrderIntakeQueue"))
        order = stack.request("GET", f"/hotline/orders/{appeal['order_id']}", claims=APPEAL_UNIT)
        assert order.status == 200 and "系统未记录" in order.json["summary"], order.json
        # The appeal unit sees the code, its check-in days and the appeal
        code = stack.request("GET", f"/health-codes/people/{who.person_id}", claims=APPEAL_UNIT).json
        assert [c["day"] for c in code["checkins"]] == [(DAY0 + timedelta(days=1)).isoformat()]
        assert [(a["kind"], a["status"]) for a in code["appeals"]] == [("rule", "submitted")]
        # A hold's decision does not decide a rule appeal; other units are refused, naming the scope
        path = f"/health-codes/people/{who.person_id}/appeals/decision"
        decision = {"missed_day": missed, "decision": "accept", "reason": "后台日志可见当日打卡请求,予以补记"}
        assert stack.request("POST", path, claims=APPEAL_UNIT, body={**decision, "decision": "lift"}).status == 400
        refused = stack.request("POST", path, claims=OTHER_UNIT, body=decision)
        assert refused.status == 403 and "scope" in refused.json["message"]
        # When the appeal unit accepts the day, then the rule recomputes the colour: green, with a correction change
        decided = stack.request("POST", path, claims=APPEAL_UNIT, body=decision)
        assert decided.status == 200, decided.json
        assert (decided.json["code"]["color"], decided.json["code"]["rule_color"]) == ("green", "green")
        assert decided.json["code"]["accepted_days"] == [missed]
        assert decided.json["code"]["history"][0]["cause"] == "correction"
        assert decided.json["appeal"]["status"] == "accepted"
        # The same decision again answers the same; a different one is a conflict
        assert stack.request("POST", path, claims=APPEAL_UNIT, body=decision).status == 200
        assert stack.request("POST", path, claims=APPEAL_UNIT, body={**decision, "decision": "keep"}).status == 409
        # The decision's audit record landed (digests only); the reason is sealed, nowhere in clear in the code's table
        audit = stack.client("dynamodb").query(
            TableName=stack.table("AuditTable"), KeyConditionExpression="target = :t", ExpressionAttributeValues={":t": {"S": f"person#{who.person_id}"}}
        )["Items"]
        # (the unit's reads of the code are audited too, as reads: the resident's timeline lists them)
        assert [item["action"]["S"] for item in audit if item["action"]["S"] != "person.read"] == ["health_code.appeal.decide"]
        stored = json.dumps(
            stack.client("dynamodb").query(
                TableName=stack.table("HealthCodeTable"), KeyConditionExpression="person_id = :p", ExpressionAttributeValues={":p": {"S": who.person_id}}
            )["Items"],
            ensure_ascii=False,
        )
        assert "予以补记" not in stored and "系统未记录" not in stored and "予以补记" not in json.dumps(audit, ensure_ascii=False)
        # And the order follows, the result in the resident's inbox
        to_hotline(stack, queue_messages(stack, "WorkOrderIntakeQueue"))
        followed = stack.request("GET", f"/hotline/orders/{appeal['order_id']}", claims=who.claims).json
        assert followed["status"] == "replied" and followed["resolved"] is True, followed
        assert any("予以补记" in note["body"] for note in stack.request("GET", "/notifications", claims=who.claims).json["items"])
        # The resident's own code shows the appeal accepted and the code green
        mine = stack.request("GET", "/health-codes/me", claims=who.claims).json
        assert mine["color"] == "green" and [(a["status"], a["order_id"]) for a in mine["appeals"]] == [("accepted", appeal["order_id"])]
    finally:
        clock.set_offset(0)


def test_a_rule_appeal_needs_a_missed_day_and_a_kept_one_leaves_the_colour_to_the_rule(stack: Stack) -> None:
    try:
        who, missed, appeal = rule_yellow_appealed(stack)
        # A day that did register, today, the application day, or both subjects at once are refused, naming the field
        checked = (DAY0 + timedelta(days=1)).isoformat()
        for bad in ({"missed_day": checked}, {"missed_day": (DAY0 + timedelta(days=3)).isoformat()}, {"missed_day": DAY0.isoformat()}):
            refused = stack.request("POST", "/health-codes/me/appeals", claims=who.claims, body={**bad, "statement": "我已经打过卡了"})
            assert refused.status in (400, 409) and refused.json["fields"][0]["field"] == "missed_day", refused.json
        both_subjects = {"missed_day": missed, "hold": "fever#x", "statement": "我已经打过卡了"}
        both = stack.request("POST", "/health-codes/me/appeals", claims=who.claims, body=both_subjects)
        assert both.status == 422 and "missed_day" in both.json["message"], both.json
        assert stack.request("POST", "/health-codes/me/appeals", claims=who.claims, body={"missed_day": missed, "statement": "再次申诉一次"}).status == 409
        # When the unit keeps the code as it is, then the colour stays the rule's and the order is declined
        to_hotline(stack, queue_messages(stack, "WorkOrderIntakeQueue"))
        path = f"/health-codes/people/{who.person_id}/appeals/decision"
        kept = stack.request("POST", path, claims=APPEAL_UNIT, body={"missed_day": missed, "decision": "keep", "reason": "无打卡记录,维持"})
        assert kept.status == 200 and kept.json["appeal"]["status"] == "kept" and kept.json["code"]["color"] == "yellow", kept.json
        to_hotline(stack, queue_messages(stack, "WorkOrderIntakeQueue"))
        order = stack.request("GET", f"/hotline/orders/{appeal['order_id']}", claims=who.claims).json
        assert order["status"] == "replied" and order["resolved"] is False
    finally:
        clock.set_offset(0)
