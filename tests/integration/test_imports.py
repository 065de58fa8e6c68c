"""Imports function on moto: the look-up index fed by the people registry's stream, comparison lists
uploaded to S3 (whole-file validation, hits become holds with reasons, progress and summary), withdrawal."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from infra.local import events
from sanmenxia.idnumber import make_id_number
from tests.support.stack import REGION, Stack, claims_for
from tests.support.streams import TableStream

COMMANDER = claims_for("sub-cmd", "commander", username="commander1")
COUNTY_COMMANDER = claims_for("sub-cmd2", "commander", username="commander_hubin", county_code="411202")
HEAD = claims_for("sub-head1", "community_head", username="head1", community_id="411202-001", county_code="411202")


class PeopleStream(TableStream):
    """The people table's stream from "now", delivered to the imports function as the pump does."""

    def __init__(self, stack: Stack) -> None:
        super().__init__(stack, "PeopleTable", "ImportsFunction")


@pytest.fixture
def people_stream(stack: Stack) -> PeopleStream:
    return PeopleStream(stack)


def register(stack: Stack, sub: str, sequence: int, phone: str, community: str = "411202-001") -> dict[str, Any]:
    body = {
        "name": "李四",
        "id_number": make_id_number(community[:6], date(1991, 2, 2), sequence),
        "phone": phone,
        "county_code": community[:6],
        "community_id": community,
        "address": "崤山路2号",
    }
    response = stack.request("POST", "/residents", claims=claims_for(sub, "resident"), body=body)
    assert response.status == 201, response.json
    return dict(response.json)


def upload(stack: Stack, key: str, data: bytes, metadata: dict[str, str] | None = None) -> Any:
    s3 = stack.client("s3")
    bucket = stack.table("ImportsBucket")
    etag = s3.put_object(Bucket=bucket, Key=key, Body=data, Metadata=metadata or {})["ETag"]
    return stack.invoke("ImportsFunction", events.s3_event(bucket, key, len(data), etag, REGION))


def active_holds(stack: Stack, person_id: str) -> list[tuple[str, str, str]]:
    items = stack.client("dynamodb").query(
        TableName=stack.table("HoldsTable"),
        KeyConditionExpression="person_id = :p",
        ExpressionAttributeValues={":p": {"S": person_id}},
    )["Items"]
    return [(item["kind"]["S"], item["source"]["S"], item["reason"]["S"]) for item in items if "active" in item]


def create_job(stack: Stack, **fields: Any) -> Any:
    body = {"name": "移动公司涉鄂号码", "reason": "1月以来到过湖北", **fields}
    return stack.request("POST", "/imports", claims=COMMANDER, body=body)


def test_phone_list_hits_become_holds_with_reasons_and_a_summary(stack: Stack, people_stream: PeopleStream) -> None:
    # Given three residents in two communities, indexed from the registry's stream
    alice = register(stack, "sub-a", 1, "13900000001")
    bob = register(stack, "sub-b", 2, "13900000002", community="411203-001")
    carol = register(stack, "sub-c", 3, "13900000003")
    assert people_stream.deliver() >= 3
    # When a commander starts a job and the carrier's list is uploaded to its key
    job = create_job(stack, category="from_hubei")
    assert job.status == 201, job.json
    assert job.json["upload"]["url"].startswith("http")
    csv = "手机号,日期\n139 0000 0001,2020-01-20\n13900000002,\n13811112222,2020-01-21\n".encode()
    [result] = upload(stack, job.json["upload"]["key"], csv)["jobs"]
    # Then the two residents on the list (and only they) are held, with the list's reason
    assert (result["status"], result["rows_total"], result["hits"]) == ("done", 3, 2)
    assert active_holds(stack, alice["person_id"]) == [("imported_list", "imports", "三方比对 Comparison list “移动公司涉鄂号码”: 1月以来到过湖北")]
    assert len(active_holds(stack, bob["person_id"])) == 1
    assert active_holds(stack, carol["person_id"]) == []
    # And the summary counts by county and community (no personal data), readable through the API
    read = stack.request("GET", f"/imports/{job.json['import_id']}", claims=COMMANDER).json
    assert read["summary"] == {"by_county": {"411202": 1, "411203": 1}, "by_community": {"411202-001": 1, "411203-001": 1}}
    assert read["rows_processed"] == 3
    assert "13900000001" not in json.dumps(read)
    # And the uploaded list (clear phones) is gone from the bucket
    assert stack.client("s3").list_objects_v2(Bucket=stack.table("ImportsBucket"), Prefix="comparison/").get("KeyCount") == 0
    # And each hit is a key-person candidate of the list's category
    messages = stack.client("sqs").receive_message(QueueUrl=stack.table("KeyPersonCandidateQueue"), MaxNumberOfMessages=10)["Messages"]
    candidates = sorted((json.loads(m["Body"])["person_id"], json.loads(m["Body"])["category"]) for m in messages)
    assert candidates == sorted([(alice["person_id"], "from_hubei"), (bob["person_id"], "from_hubei")])


def test_id_number_lists_match_too(stack: Stack, people_stream: PeopleStream) -> None:
    alice = register(stack, "sub-a", 1, "13900000001")
    people_stream.deliver()
    csv = f"身份证号\n{make_id_number('411202', date(1991, 2, 2), 1)}\n".encode()
    [result] = upload(stack, "comparison/direct.csv", csv, metadata={"reason": "%E9%93%81%E8%B7%AF%E5%90%8D%E5%8D%95"})["jobs"]
    assert result["hits"] == 1
    assert "铁路名单" in active_holds(stack, alice["person_id"])[0][2]


def test_a_list_uploaded_without_a_reason_holds_with_the_lists_name_as_a_code(stack: Stack, people_stream: PeopleStream) -> None:
    # Given a resident, When a list is dropped in the bucket without a reason in its metadata
    alice = register(stack, "sub-a", 1, "13900000001")
    people_stream.deliver()
    [result] = upload(stack, "comparison/railway.csv", "手机号\n13900000001\n".encode())["jobs"]
    assert result["hits"] == 1
    # Then the hold's reason is a code naming the list, with no sentence of the server's in its parameters
    items = stack.client("dynamodb").query(
        TableName=stack.table("HoldsTable"), KeyConditionExpression="person_id = :p", ExpressionAttributeValues={":p": {"S": alice["person_id"]}}
    )["Items"]
    assert [json.loads(item["reason_text"]["S"]) for item in items] == [{"code": "imported_list_hold_no_reason", "params": {"name": "railway.csv"}}]


def test_malformed_list_is_rejected_with_line_numbers_and_holds_nobody(stack: Stack, people_stream: PeopleStream) -> None:
    # Given a registered resident whose phone is on line 2 of a list with errors further down
    alice = register(stack, "sub-a", 1, "13900000001")
    people_stream.deliver()
    bad_id = make_id_number("411202", date(1990, 1, 1), 5)[:-1] + "0"
    if bad_id == make_id_number("411202", date(1990, 1, 1), 5):
        bad_id = bad_id[:-1] + "1"
    csv = f"phone,id_number,seen_on\n13900000001,,2020-01-20\n12345,,\n,{bad_id},\n13900000009,,2020-13-01\n".encode()
    job = create_job(stack).json
    [result] = upload(stack, job["upload"]["key"], csv)["jobs"]
    # Then nothing is held and every problem is named by line and column
    assert result["status"] == "rejected"
    assert [(error["line"], error["field"]) for error in result["errors"]] == [(3, "phone"), (4, "id_number"), (5, "seen_on")]
    assert active_holds(stack, alice["person_id"]) == []
    assert stack.request("GET", f"/imports/{job['import_id']}", claims=COMMANDER).json["status"] == "rejected"


def test_a_list_without_phone_or_id_column_is_rejected_on_line_1(stack: Stack) -> None:
    [result] = upload(stack, "comparison/nocolumn.csv", "name\n张三\n".encode())["jobs"]
    assert result["status"] == "rejected"
    assert result["errors"][0]["line"] == 1


def test_withdrawing_a_list_lifts_its_holds(stack: Stack, people_stream: PeopleStream) -> None:
    alice = register(stack, "sub-a", 1, "13900000001")
    people_stream.deliver()
    job = create_job(stack).json
    upload(stack, job["upload"]["key"], b"phone\n13900000001\n")
    assert len(active_holds(stack, alice["person_id"])) == 1
    withdrawn = stack.request("POST", f"/imports/{job['import_id']}/withdraw", claims=COMMANDER)
    assert withdrawn.status == 200, withdrawn.json
    assert withdrawn.json["holds_lifted"] == 1
    assert active_holds(stack, alice["person_id"]) == []


def test_a_changed_phone_leaves_the_index(stack: Stack, people_stream: PeopleStream) -> None:
    # Given a person indexed by phone, then removed from the registry
    alice = register(stack, "sub-a", 1, "13900000001")
    people_stream.deliver()
    stack.client("dynamodb").delete_item(TableName=stack.table("PeopleTable"), Key={"pk": {"S": f"person#{alice['person_id']}"}})
    people_stream.deliver()
    # Then a list with the old phone finds nobody
    [result] = upload(stack, "comparison/after.csv", b"phone\n13900000001\n")["jobs"]
    assert result["hits"] == 0


def test_comparison_is_for_city_wide_staff_only(stack: Stack) -> None:
    assert stack.request("POST", "/imports", claims=HEAD, body={"name": "x", "reason": "y"}).status == 403
    assert stack.request("POST", "/imports", claims=COUNTY_COMMANDER, body={"name": "x", "reason": "y"}).status == 403
    assert stack.request("GET", "/imports", claims=COUNTY_COMMANDER).status == 403
    created = create_job(stack)
    audit = stack.client("dynamodb").scan(TableName=stack.table("AuditTable"))["Items"]
    assert [item["action"]["S"] for item in audit] == ["comparison.create"]
    assert stack.request("GET", f"/imports/{created.json['import_id']}", claims=COUNTY_COMMANDER).status == 403


def test_jobs_page_with_a_cursor_bound_to_the_list(stack: Stack) -> None:
    # Given three comparison jobs
    made = [create_job(stack, name=f"名单{n}").json["import_id"] for n in range(3)]
    # When a commander reads them two at a time, Then the pages hold each job once
    first = stack.request("GET", "/imports", claims=COMMANDER, query={"limit": "2"}).json
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = stack.request("GET", "/imports", claims=COMMANDER, query={"limit": "2", "cursor": first["next_cursor"]}).json
    assert sorted(job["import_id"] for job in first["items"] + second["items"]) == sorted(made) and second["next_cursor"] is None
    # And another commander, or a forged cursor, get a 400 naming the cursor
    other = claims_for("sub-cmd3", "commander", username="commander2")
    cursor = first["next_cursor"]
    refused = [
        stack.request("GET", "/imports", claims=other, query={"cursor": cursor}),
        stack.request("GET", "/imports", claims=COMMANDER, query={"cursor": cursor.replace(".", "x.", 1)}),
    ]
    assert [(response.status, response.json["fields"][0]["field"]) for response in refused] == [(400, "cursor")] * len(refused)


def test_registered_people_join_their_community_list_before_reporting(stack: Stack, people_stream: PeopleStream) -> None:
    # Given one resident who registered only, and one who also reported before the stream was delivered
    quiet = register(stack, "sub-a", 1, "13900000001")
    reported = register(stack, "sub-b", 2, "13900000002")
    assert stack.request("POST", "/residents/me/reports", claims=claims_for("sub-b", "resident"), body={"person_type": "visitor"}).status == 201
    # When the registry's stream is delivered
    people_stream.deliver()
    # Then the head lists both, masked, and the earlier report is kept
    listed = stack.request("GET", "/communities/411202-001/residents", claims=HEAD).json["items"]
    by_id = {item["person_id"]: item for item in listed}
    assert set(by_id) == {quiet["person_id"], reported["person_id"]}
    assert by_id[quiet["person_id"]]["person_type"] is None
    assert by_id[quiet["person_id"]]["name"] == "李*"
    assert by_id[reported["person_id"]]["person_type"] == "visitor"
    # And a report after the seeding updates the listed resident
    assert stack.request("POST", "/residents/me/reports", claims=claims_for("sub-a", "resident"), body={"person_type": "permanent"}).status == 201
    listed = stack.request("GET", "/communities/411202-001/residents", claims=HEAD, query={"person_type": "permanent"}).json["items"]
    assert [item["person_id"] for item in listed] == [quiet["person_id"]]
