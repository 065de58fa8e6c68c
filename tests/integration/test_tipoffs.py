"""Tip-offs on moto: routing to the right unit's queue, anonymity, photos by presigned POST, likely
duplicates, following the status."""

from __future__ import annotations

import base64
import json
from typing import Any

import requests

from infra.local import events
from tests.support.stack import REGION, Stack, claims_for

REPORTER = claims_for("sub-reporter-7f3a", "resident", username="resident1")
OTHER = claims_for("sub-other", "resident", username="resident2")
PROPAGANDA = claims_for("sub-prop", "department_handler", username="prop1", department="propaganda")
POLICE = claims_for("sub-police", "department_handler", username="police1", department="public_security")


def deliver_intake(stack: Stack) -> dict[str, Any]:
    sqs = stack.client("sqs")
    url = stack.table("WorkOrderIntakeQueue")
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    result: dict[str, Any] = stack.invoke("HotlineFunction", events.sqs_event(arn, messages, REGION))
    for message in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return result


def tipoff(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "rumour",
        "county_code": "411202",
        "community_id": "411202-001",
        "address": "湖滨区车站路微信群",
        "description": "有人在群里散布'自来水被污染'的谣言",
    }
    body.update(overrides)
    return body


def report(stack: Stack, claims: dict[str, Any] = REPORTER, **overrides: Any) -> dict[str, Any]:
    response = stack.request("POST", "/tipoffs", claims=claims, body=tipoff(**overrides))
    assert response.status == 201, response.json
    return response.json  # type: ignore[no-any-return]


def test_rumour_tipoff_lands_in_the_propaganda_queue_and_nowhere_else(stack: Stack) -> None:
    # Given a rumour tip-off, When the hotline consumes the intake queue
    created = report(stack)
    assert created["department"] == "propaganda" and created["status"] == "submitted"
    assert (created["message_code"], created["message_params"]) == ("tipoff_received", {})
    assert deliver_intake(stack)["batchItemFailures"] == []
    # Then the order is in the propaganda unit's queue, dispatched by the routing table
    queue = stack.request("GET", "/hotline/orders", claims=PROPAGANDA).json["items"]
    assert [(row["order_id"], row["status"], row["category"]) for row in queue] == [(created["order_id"], "dispatched", "rumour")]
    # And public security neither sees it in its queue nor opens it
    assert stack.request("GET", "/hotline/orders", claims=POLICE).json["items"] == []
    assert stack.request("GET", f"/hotline/orders/{created['order_id']}", claims=POLICE).status == 403
    assert stack.request("GET", f"/tipoffs/{created['tipoff_id']}", claims=POLICE).status == 403
    assert stack.request("GET", f"/tipoffs/{created['tipoff_id']}", claims=PROPAGANDA).status == 200


def test_anonymous_tipoff_stores_no_identity(stack: Stack) -> None:
    # Given a resident who reports anonymously
    created = report(stack, anonymous=True, category="price_gouging")
    sent = stack.client("sqs").receive_message(QueueUrl=stack.table("WorkOrderIntakeQueue"), VisibilityTimeout=0)["Messages"][0]
    assert json.loads(sent["Body"])["requester_sub"] is None
    deliver_intake(stack)
    # Then no table holds the reporter's account id or name, and the intake carried none
    db = stack.client("dynamodb")
    for table in ("TipoffsTable", "WorkOrdersTable", "AuditTable", "HotlineFiguresTable"):
        dump = str(db.scan(TableName=stack.table(table))["Items"])
        assert "sub-reporter-7f3a" not in dump and "resident1" not in dump, table
    # And the reporter's own list cannot find it, but the tracking code can
    assert stack.request("GET", "/tipoffs/mine", claims=REPORTER).json == {"items": [], "next_cursor": None}
    tracked = stack.request("POST", "/tipoffs/track", claims=OTHER, body={"code": created["tracking_code"]})
    assert tracked.status == 200 and tracked.json["status"] == "dispatched" and tracked.json["department"] == "market_regulation"
    assert stack.request("POST", "/tipoffs/track", claims=OTHER, body={"code": "x" * 20}).status == 404


def test_reporter_follows_status_and_others_cannot(stack: Stack) -> None:
    created = report(stack)
    deliver_intake(stack)
    oid = created["order_id"]
    assert stack.request("POST", f"/hotline/orders/{oid}/accept", claims=PROPAGANDA).status == 200
    reply = {"reply": "经核实为谣言,已发布辟谣", "resolved": True}
    assert stack.request("POST", f"/hotline/orders/{oid}/reply", claims=PROPAGANDA, body=reply).status == 200
    mine = stack.request("GET", "/tipoffs/mine", claims=REPORTER).json["items"]
    assert [(row["tipoff_id"], row["status"]) for row in mine] == [(created["tipoff_id"], "replied")]
    detail = stack.request("GET", f"/tipoffs/{created['tipoff_id']}", claims=REPORTER).json
    assert detail["order"]["reply"] == "经核实为谣言,已发布辟谣"
    assert [step["action"] for step in detail["order"]["progress"]] == ["receive", "dispatch", "accept", "reply"]
    assert stack.request("GET", f"/tipoffs/{created['tipoff_id']}", claims=OTHER).status == 403


def test_likely_duplicates_are_suggested_and_linkable(stack: Stack) -> None:
    # Given a rumour tip-off in community 001
    first = report(stack)
    # When a second resident looks before reporting the same kind of lead there, Then the first is suggested
    similar = stack.request("GET", "/tipoffs/similar", claims=OTHER, query={"category": "rumour", "community_id": "411202-001"}).json
    assert [row["tipoff_id"] for row in similar] == [first["tipoff_id"]]
    elsewhere = stack.request("GET", "/tipoffs/similar", claims=OTHER, query={"category": "rumour", "community_id": "411202-002"}).json
    assert elsewhere == []
    # And reporting it (linked) suggests it again and carries the link to the hotline
    second = report(stack, claims=OTHER, duplicate_of=first["tipoff_id"])
    assert [row["tipoff_id"] for row in second["likely_duplicates"]] == [first["tipoff_id"]]
    deliver_intake(stack)
    linked = stack.request("GET", f"/hotline/orders/{second['order_id']}", claims=PROPAGANDA).json
    assert linked["related_order_id"] == first["order_id"]
    # And the handler merges the duplicate into the first order
    merged = stack.request("POST", f"/hotline/orders/{second['order_id']}/merge", claims=PROPAGANDA, body={"merged_into": first["order_id"]})
    assert merged.status == 200 and merged.json["status"] == "closed"
    # But a link to a tip-off of another category is refused
    wrong = stack.request("POST", "/tipoffs", claims=OTHER, body=tipoff(category="gathering", duplicate_of=first["tipoff_id"]))
    assert wrong.status == 400 and wrong.json["fields"][0]["field"] == "duplicate_of"


def test_photo_of_a_wrong_type_or_too_large_is_refused_before_signing(stack: Stack) -> None:
    wrong = stack.request("POST", "/tipoffs/photos", claims=REPORTER, body={"content_type": "application/pdf", "size": 1000})
    assert wrong.status == 400
    assert wrong.json["fields"][0]["field"] == "content_type" and "image/jpeg" in wrong.json["message"]
    large = stack.request("POST", "/tipoffs/photos", claims=REPORTER, body={"content_type": "image/jpeg", "size": 6 * 1024 * 1024})
    assert large.status == 413
    assert large.json["fields"][0]["field"] == "size" and "at most 5 MB" in large.json["message"]


def test_photo_upload_is_signed_with_conditions_and_checked_on_submission(stack: Stack) -> None:
    # Given a signed upload for a 2 kB JPEG
    signed = stack.request("POST", "/tipoffs/photos", claims=REPORTER, body={"content_type": "image/jpeg", "size": 2048})
    assert signed.status == 201, signed.json
    policy = json.loads(base64.b64decode(signed.json["fields"]["policy"]))
    assert ["content-length-range", 1, 2048] in policy["conditions"]
    assert {"Content-Type": "image/jpeg"} in policy["conditions"]
    # When the app posts the photo to S3 with the signed fields
    key = signed.json["photo_key"]
    upload = requests.post(signed.json["url"], data=signed.json["fields"], files={"file": ("p.jpg", b"\xff\xd8" + b"0" * 2000)}, timeout=10)
    assert upload.status_code in (200, 204), upload.text
    # Then a tip-off can carry it, and staff get a link to it
    created = report(stack, photos=[key])
    assert created["photos"] == 1
    deliver_intake(stack)
    order = stack.request("GET", f"/hotline/orders/{created['order_id']}", claims=PROPAGANDA).json
    assert [item["key"] for item in order["attachments"]] == [key] and order["attachments"][0]["url"].startswith("http")


def test_photo_never_uploaded_or_of_the_wrong_type_in_s3_is_refused(stack: Stack) -> None:
    missing = stack.request("POST", "/tipoffs", claims=REPORTER, body=tipoff(photos=["tipoffs/" + "0" * 32 + ".jpg"]))
    assert missing.status == 400 and missing.json["fields"][0]["field"] == "photos"
    # Given an object that bypassed the signed conditions (wrong type)
    s3 = stack.client("s3")
    s3.put_object(Bucket=stack.table("UploadsBucket"), Key="tipoffs/" + "1" * 32 + ".jpg", Body=b"%PDF", ContentType="application/pdf")
    sneaky = stack.request("POST", "/tipoffs", claims=REPORTER, body=tipoff(photos=["tipoffs/" + "1" * 32 + ".jpg"]))
    assert sneaky.status == 400 and sneaky.json["fields"][0]["field"] == "content_type"
    # Then nothing was written
    assert stack.client("dynamodb").scan(TableName=stack.table("TipoffsTable"))["Count"] == 0
    escape = stack.request("POST", "/tipoffs", claims=REPORTER, body=tipoff(photos=["../people/x.jpg"]))
    assert escape.status == 400


def test_bad_place_and_category_are_named(stack: Stack) -> None:
    mismatch = stack.request("POST", "/tipoffs", claims=REPORTER, body=tipoff(county_code="411203"))
    assert mismatch.status == 400 and mismatch.json["fields"][0]["field"] == "community_id"
    unknown = stack.request("POST", "/tipoffs", claims=REPORTER, body=tipoff(category="ufo"))
    assert unknown.status == 422 and unknown.json["fields"][0]["field"] == "category"
    assert stack.request("POST", "/tipoffs", body=tipoff()).status == 401


def test_categories_are_public(stack: Stack) -> None:
    response = stack.request("GET", "/tipoffs/categories")
    assert response.status == 200
    assert len(response.json) == 10
    assert {row["category"]: row["department"] for row in response.json}["rumour"] == "propaganda"


def test_description_and_address_are_sealed_at_rest(stack: Stack) -> None:
    report(stack)
    deliver_intake(stack)
    db = stack.client("dynamodb")
    for table in ("TipoffsTable", "WorkOrdersTable"):
        dump = str(db.scan(TableName=stack.table(table))["Items"])
        assert "车站路" not in dump and "自来水" not in dump


def test_my_tipoffs_page_with_a_cursor_only_i_can_use(stack: Stack) -> None:
    # Given three tip-offs of one reporter
    made = [report(stack, description=f"第{n}条线索 lead {n}")["tipoff_id"] for n in range(3)]
    # When they read their list two at a time, Then the pages hold all three, once each
    first = stack.request("GET", "/tipoffs/mine", claims=REPORTER, query={"limit": "2"}).json
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = stack.request("GET", "/tipoffs/mine", claims=REPORTER, query={"limit": "2", "cursor": first["next_cursor"]}).json
    assert sorted(row["tipoff_id"] for row in first["items"] + second["items"]) == sorted(made)
    assert second["next_cursor"] is None
    # And another caller, or an edited cursor, get a 400 naming the cursor
    cursor = first["next_cursor"]
    refused = [
        stack.request("GET", "/tipoffs/mine", claims=OTHER, query={"cursor": cursor}),
        stack.request("GET", "/tipoffs/mine", claims=REPORTER, query={"cursor": cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BB")}),
        stack.request("GET", "/tipoffs/mine", claims=REPORTER, query={"cursor": "forged.cursor"}),
    ]
    assert [(response.status, response.json["fields"][0]["field"]) for response in refused] == [(400, "cursor")] * len(refused)


# -- the public map, "me too" and the rate limit (issue 17) -----------------------------------------------
def public_map(stack: Stack, **query: str) -> dict[str, Any]:
    response = stack.request("GET", "/tipoffs/map", query=query or None)
    assert response.status == 200, response.json
    return response.json  # type: ignore[no-any-return]


def test_a_pinned_tipoff_is_on_the_public_map_without_personal_data(stack: Stack) -> None:
    # Given a tip-off pinned precisely, with an address and a description naming a person and a phone
    created = report(stack, location={"latitude": 34.773456, "longitude": 111.181234}, description="王建国在家聚会,电话13912345678")
    # Then anyone (no sign-in) sees it on the map: category, community, day, the pin rounded to 0.01°
    rows = public_map(stack)["items"]
    assert len(rows) == 1
    row = rows[0]
    assert (row["category"], row["community_id"], row["latitude"], row["longitude"]) == ("rumour", "411202-001", 34.77, 111.18)
    assert row["status"] == "submitted" and row["status_group"] == "open" and row["me_too"] == 0
    # And nothing personal: no reporter, address, description, exact pin, tip-off id or time of day
    text = json.dumps(rows, ensure_ascii=False)
    for secret in ("王建国", "13912345678", "车站路", "34.773456", "sub-reporter", created["tipoff_id"], "T0"):
        assert secret not in text
    assert set(row) == {
        "report_id",
        "category",
        "category_label",
        "county_code",
        "community_id",
        "community",
        "day",
        "latitude",
        "longitude",
        "status",
        "status_group",
        "me_too",
    }
    # And the exact pin is kept sealed for staff: not in clear in the table
    stored = json.dumps(stack.client("dynamodb").scan(TableName=stack.table("TipoffsTable"))["Items"])
    assert "34.773456" not in stored and "111.181234" not in stored
    # And staff of the unit see the exact pin
    staff = stack.request("GET", f"/tipoffs/{created['tipoff_id']}", claims=PROPAGANDA).json
    assert staff["location"] == {"latitude": 34.773456, "longitude": 111.181234}


def test_a_pin_outside_the_city_is_refused_naming_the_field(stack: Stack) -> None:
    # Given a pin in Zhengzhou (outside Sanmenxia), Then it is refused before anything is saved
    response = stack.request("POST", "/tipoffs", claims=REPORTER, body=tipoff(location={"latitude": 34.75, "longitude": 113.62}))
    assert response.status == 400 and response.json["fields"][0]["field"] == "location.longitude"
    response = stack.request("POST", "/tipoffs", claims=REPORTER, body=tipoff(location={"latitude": 30.5, "longitude": 111.2}))
    assert response.status == 400 and response.json["fields"][0]["field"] == "location.latitude"
    assert public_map(stack)["items"] == []
    assert stack.client("dynamodb").scan(TableName=stack.table("TipoffsTable"))["Items"] == []


def test_the_map_lists_by_status_once_the_hotline_answers(stack: Stack) -> None:
    # Given two tip-offs, one answered by the propaganda unit
    first = report(stack)
    report(stack, category="gathering", description="小区广场有人聚集打牌")
    deliver_intake(stack)
    order_id = first["order_id"]
    assert stack.request("POST", f"/hotline/orders/{order_id}/accept", claims=PROPAGANDA, body={}).status == 200
    assert stack.request("POST", f"/hotline/orders/{order_id}/reply", claims=PROPAGANDA, body={"reply": "已辟谣", "resolved": True}).status == 200
    # Then the map splits them by status, and filters by category
    assert [row["category"] for row in public_map(stack, status="answered")["items"]] == ["rumour"]
    assert [row["category"] for row in public_map(stack, status="open")["items"]] == ["gathering"]
    assert [row["status"] for row in public_map(stack, category="rumour")["items"]] == ["replied"]


def test_me_too_is_counted_once_per_person(stack: Stack) -> None:
    # Given a report on the map
    report(stack)
    report_id = public_map(stack)["items"][0]["report_id"]
    # When another resident says "me too" twice, and the reporter once
    first = stack.request("POST", f"/tipoffs/map/{report_id}/me-too", claims=OTHER, body={})
    again = stack.request("POST", f"/tipoffs/map/{report_id}/me-too", claims=OTHER, body={})
    mine = stack.request("POST", f"/tipoffs/map/{report_id}/me-too", claims=REPORTER, body={})
    # Then each person counts once
    assert (first.json["counted"], first.json["me_too"]) == (True, 1)
    assert (again.json["counted"], again.json["me_too"]) == (False, 1)
    assert (mine.json["counted"], mine.json["me_too"]) == (True, 2)
    assert public_map(stack)["items"][0]["me_too"] == 2
    # And an unknown report is 404; signing in is required
    assert stack.request("POST", "/tipoffs/map/R0000000000000000/me-too", claims=OTHER, body={}).status == 404
    assert stack.request("POST", f"/tipoffs/map/{report_id}/me-too", body={}).status == 401


def test_the_per_person_limit_answers_429_with_retry_after(stack: Stack) -> None:
    # Given the template's limit of 10 tip-offs per person per hour, used up by one resident
    for number in range(10):
        report(stack, description=f"第{number}条线索,小区有人聚集")
    # When the same resident reports an eleventh
    refused = stack.request("POST", "/tipoffs", claims=REPORTER, body=tipoff(description="第十一条"))
    # Then it is refused with 429, a Retry-After within the hour, and the limit named
    assert refused.status == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 3600
    assert "10 tip-offs per person per hour" in refused.json["message"]
    assert len(public_map(stack)["items"]) == 10
    # And another resident is not limited by it
    report(stack, claims=OTHER)
