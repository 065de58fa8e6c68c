"""Personal data staff see (issue 12, defect 3): no clear phone, ID number or address in a field a role does not
need; a handler who must call gets an audited reveal, and the resident lists every reveal of their data."""

from __future__ import annotations

from datetime import date
from typing import Any

from sanmenxia.idnumber import make_id_number
from tests.integration.test_portal import deliver_intake
from tests.support.stack import Stack, claims_for

RESIDENT = claims_for("sub-res", "resident", username="resident1")
OTHER_RESIDENT = claims_for("sub-res2", "resident", username="resident2")
HEAD = claims_for("sub-head1", "community_head", username="head1", community_id="411202-001", county_code="411202")
OTHER_HEAD = claims_for("sub-head2", "community_head", username="head2", community_id="411202-002", county_code="411202")
OPERATOR = claims_for("sub-op", "hotline_operator", username="op1")
PHONE = "13712345678"
TYPED_ID = make_id_number("411202", date(1950, 5, 5), 321)


def help_order(stack: Stack) -> str:
    resident = {
        "name": "王大爷",
        "id_number": make_id_number("411202", date(1948, 2, 3), 111),
        "phone": "13800000000",
        "county_code": "411202",
        "community_id": "411202-001",
        "address": "湖滨区前进路8号",
    }
    assert stack.request("POST", "/residents", claims=RESIDENT, body=resident).status == 201
    body: dict[str, Any] = {
        "kind": "medicine",
        "message": f"降压药吃完了,请打 {PHONE},身份证 {TYPED_ID}",
        "phone": PHONE,
        "address": "湖滨区前进路8号3单元",
    }
    left = stack.request("POST", "/portal/help-messages", claims=RESIDENT, body=body)
    assert left.status == 201, left.json
    deliver_intake(stack)
    return str(left.json["order_id"])


def test_a_help_message_phone_is_never_in_clear_for_a_community_head(stack: Stack) -> None:
    oid = help_order(stack)
    # When the community head reads the order
    order = stack.request("GET", f"/hotline/orders/{oid}", claims=HEAD)
    assert order.status == 200, order.json
    # Then no field holds the phone, the ID number or the address in clear
    text = order.body.decode() if isinstance(order.body, bytes) else order.body
    assert PHONE not in text and TYPED_ID not in text and "前进路8号3单元" not in text
    assert order.json["contact_phone"] == "137****5678"
    assert "137****5678" in order.json["summary"]
    # And the operator, who calls back, sees the contact phone
    assert stack.request("GET", f"/hotline/orders/{oid}", claims=OPERATOR).json["contact_phone"] == PHONE


def test_a_reveal_is_audited_and_the_resident_sees_every_reveal(stack: Stack) -> None:
    oid = help_order(stack)
    # A reveal needs a reason, and a head of another community gets 403
    assert stack.request("POST", f"/hotline/orders/{oid}/reveal", claims=HEAD, body={"fields": ["phone"]}).status == 422
    assert stack.request("POST", f"/hotline/orders/{oid}/reveal", claims=OTHER_HEAD, body={"fields": ["phone"], "reason": "送药上门"}).status == 403
    assert stack.request("POST", f"/hotline/orders/{oid}/reveal", claims=RESIDENT, body={"fields": ["phone"], "reason": "送药上门"}).status == 403
    # When the community head reveals the phone and address to deliver the medicine
    revealed = stack.request("POST", f"/hotline/orders/{oid}/reveal", claims=HEAD, body={"fields": ["phone", "address"], "reason": "送药上门前电话联系"})
    # Then they get them in clear
    assert revealed.status == 200, revealed.json
    assert (revealed.json["phone"], revealed.json["address"]) == (PHONE, "湖滨区前进路8号3单元")
    # And the audit log holds who, what and when
    audits = stack.client("dynamodb").scan(TableName=stack.table("AuditTable"))["Items"]
    reveal = [item for item in audits if item["action"]["S"] == "work_order.contact.reveal"]
    assert len(reveal) == 1 and reveal[0]["actor"]["S"] == "head1" and reveal[0]["target"]["S"] == f"work_order#{oid}"
    assert PHONE not in str(audits)
    # And the resident lists the reveal with who, why and which fields; another resident sees none
    mine = stack.request("GET", "/notifications/reveals", claims=RESIDENT)
    assert mine.status == 200, mine.json
    [entry] = mine.json["items"]
    assert "head1" in entry["body"] and "送药上门前电话联系" in entry["body"] and "phone" in entry["body"] and entry["at"]
    assert stack.request("GET", "/notifications/reveals", claims=OTHER_RESIDENT).status in (200, 404)
    other = stack.request("GET", "/notifications/reveals", claims=OTHER_RESIDENT)
    assert other.status == 404 or other.json["items"] == []
