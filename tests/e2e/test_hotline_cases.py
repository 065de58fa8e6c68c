"""12345 for real cases over HTTP on the local stack: an urgent call led by one unit with another assisting, an
extension approved by the operator, a photo of the result uploaded with the presigned PUT, and the caller's text
messages in the local SMS outbox (``GET /_local/sms``), the number masked there and nowhere in clear in the logs."""

from __future__ import annotations

import urllib.request
import uuid
from datetime import datetime, timedelta

import pytest

from tests.e2e.conftest import LocalStack

CALLER_PHONE = "13755556666"


@pytest.fixture(scope="module")
def desk(local_stack: LocalStack) -> dict[str, str]:
    return {
        "operator": local_stack.new_user("hotline_operator"),
        "civil": local_stack.new_user("department_handler", {"department": "civil_affairs"}),
        "health": local_stack.new_user("department_handler", {"department": "health_commission"}),
        "police": local_stack.new_user("department_handler", {"department": "public_security"}),
    }


def _ok(response: object, status: int = 200) -> dict:  # type: ignore[type-arg]
    assert response.status == status, (response.status, response.body[:400])  # type: ignore[attr-defined]
    return response.json  # type: ignore[attr-defined, no-any-return]


def test_a_joint_urgent_case_with_an_extension_a_photo_and_text_messages(local_stack: LocalStack, desk: dict[str, str]) -> None:
    # Given an urgent call from a phone, dispatched to civil affairs
    call = {
        "type": "help_request",
        "summary": f"独居老人胰岛素用完 {uuid.uuid4().hex[:6]}",
        "community_id": "411202-003",
        "caller_phone": CALLER_PHONE,
        "department": "civil_affairs",
        "urgent": True,
    }
    order = _ok(local_stack.call("POST", "/hotline/orders", desk["operator"], call), 201)
    oid = order["order_id"]
    assert order["urgent"] is True
    # When civil affairs accepts it and the operator asks the health commission to assist
    _ok(local_stack.call("POST", f"/hotline/orders/{oid}/accept", desk["civil"], {}))
    _ok(local_stack.call("POST", f"/hotline/orders/{oid}/assists", desk["operator"], {"departments": ["health_commission"]}))
    # Then a foreign unit is refused, and the lead cannot reply before the assisting unit answered
    assert local_stack.call("POST", f"/hotline/orders/{oid}/extension", desk["police"], {"hours": 4, "reason": "外单位"}).status == 403
    assert local_stack.call("POST", f"/hotline/orders/{oid}/reply", desk["civil"], {"reply": "已送药", "resolved": True}).status == 409
    # When the lead asks for 6 more hours, the deadline holds until the operator approves
    asked = _ok(local_stack.call("POST", f"/hotline/orders/{oid}/extension", desk["civil"], {"hours": 6, "reason": "药品需从市区调拨"}))
    assert asked["due_at"] == order["due_at"]
    approved = _ok(local_stack.call("POST", f"/hotline/orders/{oid}/extension/decision", desk["operator"], {"approve": True}))
    due = datetime.fromisoformat(order["due_at"].replace("Z", "+00:00"))
    assert datetime.fromisoformat(approved["due_at"].replace("Z", "+00:00")) == due + timedelta(hours=6)
    # And the assisting unit answers; the lead uploads a photo with the presigned PUT and replies with it
    _ok(local_stack.call("POST", f"/hotline/orders/{oid}/assist-reply", desk["health"], {"reply": "社区医生已上门评估"}))
    photo = b"\xff\xd8\xff\xe0" + b"0" * 1020
    upload = _ok(local_stack.call("POST", f"/hotline/orders/{oid}/photos", desk["civil"], {"content_type": "image/jpeg", "size": len(photo)}), 201)
    put = urllib.request.Request(upload["url"], data=photo, method="PUT", headers=upload["headers"])
    with urllib.request.urlopen(put, timeout=60) as response:
        assert response.status == 200
    body = {"reply": "胰岛素已送到老人家中", "resolved": True, "photos": [upload["photo_key"]]}
    replied = _ok(local_stack.call("POST", f"/hotline/orders/{oid}/reply", desk["civil"], body))
    assert replied["status"] == "replied" and [p["key"] for p in replied["reply_photos"]] == [upload["photo_key"]]
    # Then the caller's texts are in the local outbox: accepted, extended, answered, and the satisfaction call-back
    outbox = local_stack.request("GET", "/_local/sms")
    messages = [message for message in _ok(outbox)["messages"] if oid in message["text"]]
    assert [message["kind"] for message in messages] == ["progress", "progress", "progress", "satisfaction"]
    assert {message["to"] for message in messages} == {"137****6666"}
    # And the clear number is in neither the outbox nor the logs
    assert CALLER_PHONE not in outbox.body.decode()
    assert CALLER_PHONE not in local_stack.logs()
