"""Portal on moto: public paged reading, publishing by staff with audit, help messages that reach the
community and the hotline and whose answer comes back to the resident."""

from __future__ import annotations

from datetime import date
from typing import Any

from infra.local import events
from sanmenxia.idnumber import make_id_number
from tests.support.stack import REGION, Stack, claims_for

COMMANDER = claims_for("sub-cmd", "commander", username="commander1")
PROPAGANDA = claims_for("sub-prop", "department_handler", username="prop1", department="propaganda")
POLICE = claims_for("sub-police", "department_handler", username="police1", department="public_security")
RESIDENT = claims_for("sub-res", "resident", username="resident1")
HEAD = claims_for("sub-head1", "community_head", username="head1", community_id="411202-001", county_code="411202")
OTHER_HEAD = claims_for("sub-head2", "community_head", username="head2", community_id="411202-002", county_code="411202")


def article(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "rumour_rebuttal",
        "title": "“自来水被污染”系谣言",
        "summary": "经核实,市区供水水质正常。",
        "body": "近日网传……经市水务部门检测,各项指标均符合国家标准。",
        "source": "三门峡市网信办",
        "rebuts": "自来水被病毒污染",
    }
    body.update(overrides)
    return body


ADMIN = claims_for("sub-admin", "admin", username="admin1")


def publish(stack: Stack, claims: dict[str, Any] = COMMANDER, reviewer: dict[str, Any] = ADMIN, **overrides: Any) -> dict[str, Any]:
    """Written and sent to review by ``claims``, published by a second person."""
    draft = stack.request("POST", "/portal/articles", claims=claims, body=article(**overrides))
    assert draft.status == 201, draft.json
    sent = stack.request("POST", f"/portal/articles/{draft.json['article_id']}/submit", claims=claims)
    assert sent.status == 200 and sent.json["state"] == "in_review", sent.json
    published = stack.request("POST", f"/portal/articles/{draft.json['article_id']}/publish", claims=reviewer)
    assert published.status == 200, published.json
    return published.json  # type: ignore[no-any-return]


def deliver_intake(stack: Stack) -> None:
    sqs = stack.client("sqs")
    url = stack.table("WorkOrderIntakeQueue")
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    result = stack.invoke("HotlineFunction", events.sqs_event(arn, messages, REGION))
    assert result["batchItemFailures"] == []
    for message in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def test_drafts_are_hidden_until_published_and_readable_without_signing_in(stack: Stack) -> None:
    # Given a draft, Then the public neither lists nor opens it
    draft = stack.request("POST", "/portal/articles", claims=COMMANDER, body=article()).json
    assert draft["state"] == "draft"
    assert stack.request("GET", "/portal/articles").json["items"] == []
    assert stack.request("GET", f"/portal/articles/{draft['article_id']}").status == 404
    # When it is sent to review and a second person publishes it, Then anyone reads it without a token
    stack.request("POST", f"/portal/articles/{draft['article_id']}/submit", claims=COMMANDER)
    assert stack.request("GET", "/portal/articles").json["items"] == []
    stack.request("POST", f"/portal/articles/{draft['article_id']}/publish", claims=ADMIN)
    listed = stack.request("GET", "/portal/articles").json["items"]
    assert [item["article_id"] for item in listed] == [draft["article_id"]]
    assert stack.request("GET", f"/portal/articles/{draft['article_id']}").json["rebuts"] == "自来水被病毒污染"
    # And withdrawing takes it off the public feed again
    stack.request("POST", f"/portal/articles/{draft['article_id']}/withdraw", claims=COMMANDER)
    assert stack.request("GET", "/portal/articles").json["items"] == []


def test_public_feed_is_paged_newest_first_and_filtered_by_kind(stack: Stack) -> None:
    ids = [publish(stack, title=f"第{n}号通报", kind="announcement")["article_id"] for n in range(3)]
    publish(stack, kind="knowledge", title="如何正确佩戴口罩")
    first = stack.request("GET", "/portal/articles", query={"kind": "announcement", "limit": "2"}).json
    second = stack.request("GET", "/portal/articles", query={"kind": "announcement", "limit": "2", "cursor": first["next_cursor"]}).json
    seen = [item["article_id"] for item in first["items"] + second["items"]]
    assert sorted(seen) == sorted(ids) and len(set(seen)) == 3
    everything = stack.request("GET", "/portal/articles", query={"limit": "10"}).json["items"]
    assert len(everything) == 4
    times = [item["published_at"] for item in everything]
    assert times == sorted(times, reverse=True)
    assert stack.request("GET", "/portal/articles", query={"cursor": "garbage"}).status == 400


def test_only_publishing_roles_write_and_every_write_is_audited(stack: Stack) -> None:
    # A resident and a public-security handler are refused; the propaganda unit may publish
    assert stack.request("POST", "/portal/articles", claims=RESIDENT, body=article()).status == 403
    assert stack.request("POST", "/portal/articles", claims=POLICE, body=article()).status == 403
    published = publish(stack, claims=PROPAGANDA, reviewer=COMMANDER)
    # Every write left an audit record with the actor
    items = stack.client("dynamodb").query(
        TableName=stack.table("AuditTable"),
        KeyConditionExpression="target = :t",
        ExpressionAttributeValues={":t": {"S": f"article#{published['article_id']}"}},
    )["Items"]
    assert sorted((item["action"]["S"], item["actor"]["S"]) for item in items) == [
        ("article.create", "prop1"),
        ("article.publish", "commander1"),
        ("article.submit", "prop1"),
    ]
    # And publishing twice is a conflict
    again = stack.request("POST", f"/portal/articles/{published['article_id']}/publish", claims=ADMIN)
    assert again.status == 409


def test_edit_keeps_the_article_whole_and_names_bad_fields(stack: Stack) -> None:
    draft = stack.request("POST", "/portal/articles", claims=COMMANDER, body=article()).json
    edited = stack.request("PUT", f"/portal/articles/{draft['article_id']}", claims=COMMANDER, body=article(title="更正后的标题"))
    assert edited.status == 200 and edited.json["title"] == "更正后的标题" and edited.json["version"] == 2
    bad = stack.request("PUT", f"/portal/articles/{draft['article_id']}", claims=COMMANDER, body=article(kind="gossip"))
    assert bad.status == 422 and bad.json["fields"][0]["field"] == "kind"
    drafts = stack.request("GET", "/portal/manage/articles", claims=COMMANDER).json["items"]
    assert [item["title"] for item in drafts] == ["更正后的标题"]


def test_an_edit_of_a_published_article_goes_through_review_and_the_public_reads_the_approved_text(stack: Stack) -> None:
    # Given a published article, When the propaganda unit edits it
    published = publish(stack, claims=PROPAGANDA, reviewer=COMMANDER)
    path = f"/portal/articles/{published['article_id']}"
    edited = stack.request("PUT", path, claims=PROPAGANDA, body=article(title="更正:供水水质检测结果"))
    assert edited.status == 200 and edited.json["revision"]["title"] == "更正:供水水质检测结果"
    # Then the public still reads the approved text, and the edit waits in the review queue
    assert stack.request("GET", path).json["title"] == "“自来水被污染”系谣言"
    queue = stack.request("GET", "/portal/manage/articles", claims=COMMANDER, query={"state": "in_review"}).json["items"]
    assert [item["article_id"] for item in queue] == [published["article_id"]]
    # The editor may not approve their own edit, nor edit again meanwhile
    assert stack.request("POST", f"{path}/publish", claims=PROPAGANDA).status == 403
    assert stack.request("PUT", path, claims=PROPAGANDA, body=article(title="再改")).status == 409
    # A reviewer returns it with the reason: the public text stays; then a second edit is approved
    returned = stack.request("POST", f"{path}/return", claims=COMMANDER, body={"note": "标题请注明检测机构"})
    assert returned.status == 200 and returned.json["revision"] is None and returned.json["review_note"] == "标题请注明检测机构"
    assert stack.request("POST", f"{path}/return", claims=COMMANDER, body={}).status == 422
    stack.request("PUT", path, claims=PROPAGANDA, body=article(title="市水务局:供水水质检测正常"))
    approved = stack.request("POST", f"{path}/publish", claims=COMMANDER)
    assert approved.status == 200 and approved.json["state"] == "published" and approved.json["revision"] is None
    assert stack.request("GET", path).json["title"] == "市水务局:供水水质检测正常"
    assert stack.request("GET", "/portal/manage/articles", claims=COMMANDER, query={"state": "in_review"}).json["items"] == []


def test_help_message_reaches_community_and_hotline_and_the_answer_comes_back(stack: Stack) -> None:
    # Given a registered resident of community 411202-001
    resident = {
        "name": "王秀英",
        "id_number": make_id_number("411202", date(1941, 5, 2), 224),
        "phone": "13812340000",
        "county_code": "411202",
        "community_id": "411202-001",
        "address": "湖滨区湖滨路3号",
    }
    assert stack.request("POST", "/residents", claims=RESIDENT, body=resident).status == 201
    # When they leave a help message
    left = stack.request("POST", "/portal/help-messages", claims=RESIDENT, body={"kind": "medicine", "message": "家中降压药吃完了,腿脚不便"})
    assert left.status == 201, left.json
    assert left.json["message_code"] == "help_message_received"
    deliver_intake(stack)
    oid = left.json["order_id"]
    # Then the community head sees it, another community's head does not
    queue = stack.request("GET", "/hotline/orders", claims=HEAD).json["items"]
    assert [row["order_id"] for row in queue] == [oid]
    assert stack.request("GET", f"/hotline/orders/{oid}", claims=OTHER_HEAD).status == 403
    assert stack.request("POST", f"/hotline/orders/{oid}/accept", claims=OTHER_HEAD).status == 403
    # And the hotline sees it in community affairs' queue
    operators = stack.request("GET", "/hotline/orders", claims=claims_for("op", "hotline_operator"), query={"department": "community_affairs"})
    assert [row["order_id"] for row in operators.json["items"]] == [oid]
    # When the community head accepts and replies, Then the answer is in the resident's inbox and list
    assert stack.request("POST", f"/hotline/orders/{oid}/accept", claims=HEAD).status == 200
    answer = {"reply": "网格员已代购降压药并送到家中", "resolved": True}
    assert stack.request("POST", f"/hotline/orders/{oid}/reply", claims=HEAD, body=answer).status == 200
    inbox = stack.request("GET", "/notifications", claims=RESIDENT).json["items"]
    assert [note["body"] for note in inbox] == ["网格员已代购降压药并送到家中"]
    mine = stack.request("GET", "/portal/help-messages/mine", claims=RESIDENT).json["items"]
    assert [(row["status"], row["reply"]) for row in mine] == [("replied", "网格员已代购降压药并送到家中")]
    # And nothing personal is in clear in the portal table
    dump = str(stack.client("dynamodb").scan(TableName=stack.table("PortalTable"))["Items"])
    assert "降压药" not in dump


def test_unregistered_resident_must_say_where(stack: Stack) -> None:
    response = stack.request("POST", "/portal/help-messages", claims=RESIDENT, body={"kind": "food", "message": "需要蔬菜"})
    assert response.status == 400 and response.json["fields"][0]["field"] == "community_id"
    assert stack.client("dynamodb").scan(TableName=stack.table("PortalTable"))["Count"] == 0


def test_my_help_messages_page_with_a_cursor_only_i_can_use(stack: Stack) -> None:
    # Given three help messages of one resident
    made = []
    for n in range(3):
        left = stack.request("POST", "/portal/help-messages", claims=RESIDENT, body={"kind": "food", "message": f"需要蔬菜 {n}", "community_id": "411202-001"})
        assert left.status == 201, left.json
        made.append(left.json["help_id"])
    # When they read them two at a time, Then the pages hold all three once each, in their own words
    path = "/portal/help-messages/mine"
    first = stack.request("GET", path, claims=RESIDENT, query={"limit": "2"}).json
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = stack.request("GET", path, claims=RESIDENT, query={"limit": "2", "cursor": first["next_cursor"]}).json
    assert sorted(row["help_id"] for row in first["items"] + second["items"]) == sorted(made) and second["next_cursor"] is None
    assert {row["message"] for row in first["items"] + second["items"]} == {f"需要蔬菜 {n}" for n in range(3)}
    # And another resident, or a forged or edited cursor, get a 400 naming the cursor
    cursor = first["next_cursor"]
    refused = [
        stack.request("GET", path, claims=claims_for("sub-other-resident", "resident"), query={"cursor": cursor}),
        stack.request("GET", path, claims=RESIDENT, query={"cursor": "x" + cursor}),
        stack.request("GET", path, claims=RESIDENT, query={"cursor": "e30.AAAAAAAAAAAAAAAAAAAAAAAA"}),
    ]
    assert [(response.status, response.json["fields"][0]["field"]) for response in refused] == [(400, "cursor")] * len(refused)
