"""Lab results (核酸) on moto: files validated whole and rejected by line and field, nothing half written, a
re-upload writes nothing twice, a positive holds the code and opens a confirmed-case record, two negatives 24 h apart
release it, and a lab (or another role) is refused another lab's uploads and results."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from infra.local import events
from sanmenxia import clock
from sanmenxia.idnumber import make_id_number
from tests.support.stack import REGION, Stack, claims_for

LAB = claims_for("sub-lab1", "lab", username="lab1", lab_id="lab-hubin-1")
OTHER_LAB = claims_for("sub-lab2", "lab", username="lab2", lab_id="lab-other-2")
HEAD = claims_for("sub-head1", "community_head", username="head1", community_id="411202-001", county_code="411202")
ADMIN = claims_for("sub-admin", "admin", username="admin1")


def id_number(sequence: int, community: str = "411202-001") -> str:
    return make_id_number(community[:6], date(1980, 3, 3), sequence)


def register(stack: Stack, sub: str, sequence: int, community: str = "411202-001") -> dict[str, Any]:
    body = {"name": "王五", "id_number": id_number(sequence, community), "phone": f"1390000{sequence:04d}", "county_code": community[:6]}
    body.update({"community_id": community, "address": "黄河路1号"})
    response = stack.request("POST", "/residents", claims=claims_for(sub, "resident"), body=body)
    assert response.status == 201, response.json
    applied = stack.request(
        "POST", "/health-codes", claims=claims_for(sub, "resident"), body={"fever": False, "in_isolation": False, "declaration_accepted": True}
    )
    assert applied.status == 201, applied.json
    return dict(response.json)


def at(hours_ago: float) -> str:
    return (clock.now_shanghai() - timedelta(hours=hours_ago)).strftime("%Y-%m-%d %H:%M")


def upload(stack: Stack, data: bytes, claims: dict[str, Any] = LAB) -> dict[str, Any]:
    started = stack.request("POST", "/lab/uploads", claims=claims, body={"file_name": "results.csv"})
    assert started.status == 201, started.json
    key = started.json["upload"]["key"]
    bucket = stack.table("ImportsBucket")
    etag = stack.client("s3").put_object(Bucket=bucket, Key=key, Body=data)["ETag"]
    [result] = stack.invoke("LabFunction", events.s3_event(bucket, key, len(data), etag, REGION))["uploads"]
    return dict(result)


def reupload(stack: Stack, key: str, data: bytes) -> dict[str, Any]:
    bucket = stack.table("ImportsBucket")
    etag = stack.client("s3").put_object(Bucket=bucket, Key=key, Body=data)["ETag"]
    [result] = stack.invoke("LabFunction", events.s3_event(bucket, key, len(data), etag, REGION))["uploads"]
    return dict(result)


def items(stack: Stack) -> list[dict[str, Any]]:
    return list(stack.client("dynamodb").scan(TableName=stack.table("LabResultsTable"))["Items"])


def holds(stack: Stack, person_id: str, *, active: bool = True) -> list[dict[str, Any]]:
    found = stack.client("dynamodb").query(
        TableName=stack.table("HoldsTable"), KeyConditionExpression="person_id = :p", ExpressionAttributeValues={":p": {"S": person_id}}
    )["Items"]
    return [item for item in found if item["kind"]["S"] == "lab_positive" and (("active" in item) == active)]


def candidates(stack: Stack) -> list[dict[str, Any]]:
    url = stack.table("KeyPersonCandidateQueue")
    messages = stack.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) | {"_message": message} for message in messages]


def deliver(stack: Stack, found: list[dict[str, Any]]) -> None:
    url = stack.table("KeyPersonCandidateQueue")
    arn = stack.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    result = stack.invoke("KeyPersonsFunction", events.sqs_event(arn, [c["_message"] for c in found], REGION))
    assert not result.get("batchItemFailures"), result


def test_a_file_with_errors_is_rejected_by_line_and_field_and_nothing_is_written(stack: Stack) -> None:
    alice = register(stack, "sub-a", 1)
    bad_id = id_number(2)[:-1] + ("0" if id_number(2)[-1] != "0" else "1")
    csv = (
        "样本编号,身份证号,检测结果,采样时间\n"
        f"S-001,{id_number(1)},阳性,{at(5)}\n"  # good, and positive: must not be held
        f"S-002,{bad_id},阴性,{at(5)}\n"  # bad check digit
        f"S-003,{id_number(1)},weakly,{at(5)}\n"  # unknown result
        f"S-004,{id_number(1)},阴性,2020-13-40 08:00\n"  # not a time
        f"S-005,{id_number(9)},阴性,{at(5)}\n"  # valid number, nobody registered
        f",{id_number(1)},阴性,{at(5)}\n"  # no sample id
    ).encode()
    result = upload(stack, csv)
    assert result["status"] == "rejected"
    problems = [(error["line"], error["field"]) for error in result["errors"]]
    assert problems == [(3, "id_number"), (4, "result"), (5, "sampled_at"), (7, "sample_id")], result["errors"]
    assert result["new"] == 0
    # nothing half written: no result, no hold, no candidate; the clear file is gone from the bucket
    assert [item for item in items(stack) if item["sk"]["S"].startswith("sample#")] == []
    assert holds(stack, alice["person_id"]) == []
    assert candidates(stack) == []
    assert stack.client("s3").list_objects_v2(Bucket=stack.table("ImportsBucket"), Prefix="lab-results/").get("KeyCount") == 0
    # the unknown person is named only once the rows themselves are valid: fix them, and it is the line left
    fixed = f"sample_id,id_number,result,sampled_at\nS-001,{id_number(1)},positive,{at(5)}\nS-005,{id_number(9)},negative,{at(5)}\n".encode()
    again = upload(stack, fixed)
    assert (again["status"], [(e["line"], e["field"]) for e in again["errors"]]) == ("rejected", [(3, "id_number")])
    assert holds(stack, alice["person_id"]) == []
    # and the upload's errors are readable through the API, by the lab only
    read = stack.request("GET", f"/lab/uploads/{again['upload_id']}", claims=LAB)
    assert read.status == 200 and read.json["errors"][0]["reason"] == "no resident is registered with this ID number"
    assert id_number(9) not in json.dumps(read.json)


def test_a_positive_holds_the_code_opens_a_case_and_two_negatives_a_day_apart_release_it(stack: Stack) -> None:
    alice = register(stack, "sub-a", 1)
    bob = register(stack, "sub-b", 2)
    csv = f"sample_id,id_number,result,sampled_at,tested_at\nP-1,{id_number(1)},positive,{at(80)},{at(79)}\nN-1,{id_number(2)},negative,{at(80)},\n"
    result = upload(stack, csv.encode())
    assert (result["status"], result["new"], result["positives"], result["negatives"]) == ("imported", 2, 1, 1), result
    # the positive holds Alice's code red, as the lab's fact; Bob is not held
    [hold] = holds(stack, alice["person_id"])
    assert (hold["color"]["S"], hold["source"]["S"], hold["source_ref"]["S"]) == ("red", "lab", "lab-hubin-1:P-1")
    assert holds(stack, bob["person_id"]) == []
    code = stack.request("GET", "/health-codes/me", claims=claims_for("sub-a", "resident"))
    assert code.json["color"] == "red", code.json
    # and a confirmed-case candidate goes to Alice's community; taken in, it is a pending confirmed-case record there
    [candidate] = candidates(stack)
    assert (candidate["person_id"], candidate["category"], candidate["source"], candidate["community_id"]) == (
        alice["person_id"],
        "confirmed_case",
        "lab",
        "411202-001",
    )
    deliver(stack, [candidate])
    listed = stack.request("GET", "/key-persons", claims=HEAD, query={"community_id": "411202-001"}).json["items"]
    assert [(kp["person_id"], kp["category"], kp["status"]) for kp in listed] == [(alice["person_id"], "confirmed_case", "pending")]
    # re-uploading the same file to the same key writes nothing twice
    again = reupload(stack, f"lab-results/lab-hubin-1/{result['upload_id']}.csv", csv.encode())
    assert again["status"] == "imported" and again["new"] == 2
    twice = upload(stack, csv.encode())
    assert (twice["new"], twice["already_recorded"]) == (0, 2)
    assert len([item for item in items(stack) if item["pk"]["S"].startswith("lab#") and item["sk"]["S"].startswith("sample#")]) == 2
    # one negative is not enough, nor a second one only 12 hours later
    first = stack.request("POST", "/lab/results", claims=LAB, body={"sample_id": "N-2", "id_number": id_number(1), "result": "negative", "sampled_at": iso(50)})
    assert first.status == 201, first.json
    assert first.json["release"] == {
        "positive_ref": "lab-hubin-1:P-1",
        "negatives_counted": 1,
        "negatives_required": 2,
        "met": False,
        "criteria_version": "2020-02-two-negatives",
    }
    negative = {"id_number": id_number(1), "result": "negative"}
    second = stack.request("POST", "/lab/results", claims=LAB, body={**negative, "sample_id": "N-3", "sampled_at": iso(38)})
    assert second.json["release"]["negatives_counted"] == 1 and len(holds(stack, alice["person_id"])) == 1
    # a negative 24 h or more after the first counted one releases the hold
    third = stack.request("POST", "/lab/results", claims=LAB, body={**negative, "sample_id": "N-4", "sampled_at": iso(20)})
    assert third.json["release"]["met"] is True
    assert holds(stack, alice["person_id"]) == [] and len(holds(stack, alice["person_id"], active=False)) == 1
    assert stack.request("GET", "/health-codes/me", claims=claims_for("sub-a", "resident")).json["color"] != "red"
    # and the results list is the lab's, masked, newest sampling first
    listed_results = stack.request("GET", "/lab/results", claims=LAB, query={"limit": "3"}).json
    assert [r["sample_id"] for r in listed_results["items"]] == ["N-4", "N-3", "N-2"] and listed_results["next_cursor"]
    assert id_number(1) not in json.dumps(listed_results) and listed_results["items"][0]["id_number"].startswith("411202****")
    nothing_clear = json.dumps(items(stack), ensure_ascii=False)
    assert id_number(1) not in nothing_clear and "王五" not in nothing_clear


def iso(hours_ago: float) -> str:
    return (clock.now_shanghai() - timedelta(hours=hours_ago)).isoformat(timespec="seconds")


def test_one_result_by_the_api_names_the_field_at_fault(stack: Stack) -> None:
    register(stack, "sub-a", 1)
    ok = {"sample_id": "A-1", "id_number": id_number(1), "result": "negative", "sampled_at": iso(3)}
    assert stack.request("POST", "/lab/results", claims=LAB, body=ok).status == 201
    contradicted = stack.request("POST", "/lab/results", claims=LAB, body={**ok, "result": "positive"})
    assert contradicted.status == 409 and contradicted.json["fields"][0]["field"] == "sample_id"
    nobody = stack.request("POST", "/lab/results", claims=LAB, body={**ok, "sample_id": "A-2", "id_number": id_number(7)})
    assert nobody.status == 400 and nobody.json["fields"][0]["field"] == "id_number"
    future = stack.request("POST", "/lab/results", claims=LAB, body={**ok, "sample_id": "A-3", "sampled_at": iso(-48)})
    assert future.status == 400 and future.json["fields"][0]["field"] == "sampled_at"
    naive = stack.request("POST", "/lab/results", claims=LAB, body={**ok, "sample_id": "A-4", "sampled_at": "2020-02-10T08:00:00"})
    assert naive.status in (400, 422)


def test_a_lab_is_refused_another_labs_records_and_other_roles_are_refused_the_lab_routes(stack: Stack) -> None:
    register(stack, "sub-a", 1)
    started = stack.request("POST", "/lab/uploads", claims=LAB, body={}).json
    # another lab: not by naming the lab, not by the upload's id
    assert stack.request("GET", "/lab/uploads", claims=OTHER_LAB, query={"lab_id": "lab-hubin-1"}).status == 403
    assert stack.request("GET", "/lab/results", claims=OTHER_LAB, query={"lab_id": "lab-hubin-1"}).status == 403
    assert stack.request("GET", f"/lab/uploads/{started['upload_id']}", claims=OTHER_LAB).status == 404
    assert stack.request("POST", "/lab/uploads", claims=OTHER_LAB, body={"lab_id": "lab-hubin-1"}).status == 403
    body = {"lab_id": "lab-hubin-1", "sample_id": "X-1", "id_number": id_number(1), "result": "positive", "sampled_at": iso(2)}
    assert stack.request("POST", "/lab/results", claims=OTHER_LAB, body=body).status == 403
    assert stack.request("GET", "/lab/uploads", claims=OTHER_LAB).json["items"] == []
    # other roles may not call the lab routes at all
    for claims in (HEAD, claims_for("sub-a", "resident"), claims_for("sub-c", "commander", username="commander1")):
        assert stack.request("POST", "/lab/results", claims=claims, body=body).status == 403
    # an admin names the lab
    assert stack.request("GET", "/lab/uploads", claims=ADMIN).status == 400
    assert [u["upload_id"] for u in stack.request("GET", "/lab/uploads", claims=ADMIN, query={"lab_id": "lab-hubin-1"}).json["items"]] == [started["upload_id"]]
    # a file put under a lab's prefix without an upload started through the API is deleted, not imported
    bucket = stack.table("ImportsBucket")
    data = f"sample_id,id_number,result,sampled_at\nZ-1,{id_number(1)},positive,{at(2)}\n".encode()
    etag = stack.client("s3").put_object(Bucket=bucket, Key="lab-results/lab-hubin-1/stray.csv", Body=data)["ETag"]
    assert stack.invoke("LabFunction", events.s3_event(bucket, "lab-results/lab-hubin-1/stray.csv", len(data), etag, REGION))["uploads"] == [
        {"status": "ignored"}
    ]
    assert [item for item in items(stack) if item["sk"]["S"].startswith("sample#")] == []


def test_release_criteria_are_data_validated_on_load() -> None:
    import pytest

    from sanmenxia.lab.rules import CRITERIA, LabResult, Sample, criteria_for, load_criteria, release_state

    assert criteria_for(date(2020, 2, 1)).negatives_required == 2
    with pytest.raises(ValueError, match="negatives_required"):
        load_criteria('{"versions": [{"version": "x", "valid_from": "2020-01-01", "negatives_required": 0, "min_hours_apart": 24, "text": "t"}]}')
    with pytest.raises(ValueError):
        load_criteria('{"versions": [{"version": "x", "valid_from": "2020-01-01", "negatives_required": 2, "min_hours_apart": 24, "text": "t", "extra": 1}]}')
    day = datetime(2020, 2, 1, 8, tzinfo=clock.SHANGHAI)
    samples = [Sample("l:p", LabResult.POSITIVE, day), Sample("l:n1", LabResult.NEGATIVE, day + timedelta(hours=30))]
    assert not release_state(samples, CRITERIA[0]).met
    samples.append(Sample("l:n2", LabResult.NEGATIVE, day + timedelta(hours=54)))
    assert release_state(samples, CRITERIA[0]).met
    # a new positive after the negatives starts over
    samples.append(Sample("l:p2", LabResult.POSITIVE, day + timedelta(hours=60)))
    assert not release_state(samples, CRITERIA[0]).met
