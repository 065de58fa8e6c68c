"""Co-travel function on moto: staff load case trips (API and CSV on S3), anyone queries by proximity,
saved trips are re-checked and their owners notified, "register me" holds the code and sends a candidate."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from infra.local import events
from sanmenxia import clock
from sanmenxia.idnumber import make_id_number
from tests.support.stack import REGION, Stack, claims_for

COMMANDER = claims_for("sub-cmd", "commander", username="commander1")
HEAD = claims_for("sub-head1", "community_head", username="head1", community_id="411202-001", county_code="411202")
RESIDENT = claims_for("sub-alice", "resident")
SOURCE = "https://www.smx.gov.cn/notice/2020-01-30.html"


def day(offset: int = 3) -> str:
    return (clock.today() - timedelta(days=offset)).isoformat()


def case_trip(**fields: Any) -> dict[str, Any]:
    trip = {"date": day(), "mode": "train", "number": "G1234", "carriage": "5", "from": "武汉", "to": "三门峡南", "source_url": SOURCE}
    trip.update(fields)
    return trip


def load(stack: Stack, *trips: dict[str, Any], claims: dict[str, Any] = COMMANDER) -> Any:
    return stack.request("POST", "/co-travel/case-trips", claims=claims, body={"trips": list(trips)})


def query(stack: Stack, **params: str) -> Any:
    return stack.request("GET", "/co-travel/trips", query={"date": day(), **params})


def register_resident(stack: Stack, sub: str = "sub-alice", sequence: int = 1) -> dict[str, Any]:
    body = {
        "name": "张三",
        "id_number": make_id_number("411202", date(1988, 8, 8), sequence),
        "phone": f"1370000{sequence:04d}",
        "county_code": "411202",
        "community_id": "411202-001",
        "address": "黄河路1号",
    }
    response = stack.request("POST", "/residents", claims=claims_for(sub, "resident"), body=body)
    assert response.status == 201, response.json
    return dict(response.json)


def upload(stack: Stack, key: str, data: bytes) -> Any:
    s3 = stack.client("s3")
    bucket = stack.table("ImportsBucket")
    etag = s3.put_object(Bucket=bucket, Key=key, Body=data)["ETag"]
    return stack.invoke("CoTravelFunction", events.s3_event(bucket, key, len(data), etag, REGION))


def test_query_answers_by_proximity_without_signing_in(stack: Stack) -> None:
    # Given a case in carriage 5 of G1234 and one in row 12 of flight CA1234
    assert load(stack, case_trip(), case_trip(mode="flight", number="CA1234", carriage=None, seat="12C")).status == 201
    # Then anyone (no token) gets the risk by the mode's rule
    assert query(stack, number="G1234", carriage="05车").json["risk"] == "close"
    assert query(stack, number="g 1234", carriage="7").json["risk"] == "same_trip"
    assert query(stack, number="G1234").json["risk"] == "possible"
    assert query(stack, number="CA1234", seat="15A").json["risk"] == "close"
    assert query(stack, number="CA1234", seat="16A").json["risk"] == "same_trip"
    assert query(stack, number="D88").json["risk"] == "none"
    answer = query(stack, number="G1234", carriage="5").json
    assert answer["matches"][0]["source_url"] == SOURCE
    assert answer["can_register"] is True


def test_bad_query_names_the_parameter(stack: Stack) -> None:
    response = stack.request("GET", "/co-travel/trips", query={"date": day(), "number": "1234", "mode": "flight"})
    assert response.status in (400, 422)
    assert response.json["fields"][0]["field"] == "number"
    future = stack.request("GET", "/co-travel/trips", query={"date": (clock.today() + timedelta(days=2)).isoformat(), "number": "G1"})
    assert future.status in (400, 422)
    assert future.json["fields"][0]["field"] == "date"


def test_only_commanders_and_admins_load_case_trips(stack: Stack) -> None:
    assert load(stack, case_trip(), claims=RESIDENT).status == 403
    assert load(stack, case_trip(), claims=HEAD).status == 403
    assert query(stack, number="G1234").json["risk"] == "none"


def test_loading_is_audited_and_idempotent(stack: Stack) -> None:
    first = load(stack, case_trip()).json
    # The identical load again is a retry: the first answer, nothing written
    assert load(stack, case_trip()).json == first
    # A load that repeats the trip among others keeps the trip once
    again = load(stack, case_trip(), case_trip(number="G4321")).json
    assert first["trip_ids"][0] in again["trip_ids"]
    assert len(stack.request("GET", "/co-travel/case-trips", claims=HEAD, query={"date": day()}).json["items"]) == 2
    audit = stack.client("dynamodb").scan(TableName=stack.table("AuditTable"))["Items"]
    assert [item["action"]["S"] for item in audit] == ["case_trips.load", "case_trips.load"]


def test_saved_trip_owner_is_notified_when_a_matching_case_trip_arrives_later(stack: Stack) -> None:
    # Given a resident who saved their trip before any case was published
    register_resident(stack)
    saved = stack.request("POST", "/co-travel/saved-trips", claims=RESIDENT, body={"date": day(), "number": "G1234", "carriage": "5"})
    assert saved.status == 201, saved.json
    assert saved.json["risk"] == "none"
    assert stack.request("GET", "/notifications", claims=RESIDENT).json["items"] == []
    # When a case on that carriage is published
    loaded = load(stack, case_trip()).json
    assert loaded["notified"] == 1
    # Then the owner finds a notification linking the source, once even if the notice is loaded again
    load(stack, case_trip())
    notes = stack.request("GET", "/notifications", claims=RESIDENT).json["items"]
    assert len(notes) == 1
    assert notes[0]["kind"] == "co_travel"
    assert notes[0]["link"] == SOURCE
    # And its title and body come as codes with parameters the app puts in words
    assert (notes[0]["title_code"], notes[0]["title_params"]) == ("co_travel_alert", {"date": day(), "number": "G1234"})
    assert (notes[0]["body_code"], notes[0]["body_params"]) == ("co_travel_match", {"risk": "close"})
    # And the saved trip now shows the risk
    assert stack.request("GET", "/co-travel/saved-trips", claims=RESIDENT).json["items"][0]["risk"] == "close"


def test_a_case_on_another_carriage_far_away_does_not_alarm_but_still_informs(stack: Stack) -> None:
    register_resident(stack)
    stack.request("POST", "/co-travel/saved-trips", claims=RESIDENT, body={"date": day(), "number": "G1234", "carriage": "9"})
    stack.request("POST", "/co-travel/saved-trips", claims=RESIDENT, body={"date": day(), "number": "G999", "carriage": "5"})
    assert load(stack, case_trip()).json["notified"] == 1
    [note] = stack.request("GET", "/notifications", claims=RESIDENT).json["items"]
    assert "same_trip" in note["body"]


def test_register_me_holds_the_code_and_sends_a_close_contact_candidate(stack: Stack) -> None:
    person = register_resident(stack)
    load(stack, case_trip())
    response = stack.request("POST", "/co-travel/registrations", claims=RESIDENT, body={"date": day(), "number": "G1234", "carriage": "5"})
    assert response.status == 201, response.json
    holds = stack.client("dynamodb").query(
        TableName=stack.table("HoldsTable"),
        KeyConditionExpression="person_id = :p",
        ExpressionAttributeValues={":p": {"S": person["person_id"]}},
    )["Items"]
    assert [(item["kind"]["S"], item["source"]["S"]) for item in holds] == [("co_travel", "co_travel")]
    messages = stack.client("sqs").receive_message(QueueUrl=stack.table("KeyPersonCandidateQueue"), MaxNumberOfMessages=10)["Messages"]
    [candidate] = [json.loads(message["Body"]) for message in messages]
    assert (candidate["category"], candidate["source"], candidate["person_id"]) == ("close_contact", "co_travel", person["person_id"])


def test_register_me_without_a_case_on_the_trip_is_404(stack: Stack) -> None:
    register_resident(stack)
    response = stack.request("POST", "/co-travel/registrations", claims=RESIDENT, body={"date": day(), "number": "G1234"})
    assert response.status == 404
    assert response.json["fields"][0]["field"] == "number"


def test_csv_upload_imports_every_trip_and_reports(stack: Stack) -> None:
    csv = (
        "日期,交通方式,车次/航班号,车厢,排,座位,出发地,目的地,来源\n"
        f"{day()},火车,G1234,05,,,武汉,三门峡南,{SOURCE}\n"
        f"{day(4)},flight,CA1234,,12,12C,武汉,郑州,{SOURCE}\n"
    ).encode("gb18030")
    result = upload(stack, "case-trips/2020-01-30.csv", csv)
    [report] = result["imports"]
    assert (report["status"], report["rows_written"]) == ("imported", 2)
    assert query(stack, number="G1234", carriage="5").json["risk"] == "close"
    listed = stack.request("GET", f"/co-travel/imports/{report['import_id']}", claims=COMMANDER)
    assert listed.status == 200
    assert listed.json["status"] == "imported"


def test_malformed_csv_is_rejected_with_line_numbers_and_nothing_imported(stack: Stack) -> None:
    # Given a file with a good row, a bad date, a bad train number and a missing value
    csv = (
        "date,mode,number,carriage,row,seat,from,to,source_url\n"
        f"{day()},train,G1234,5,,,武汉,三门峡,{SOURCE}\n"
        f"2020-02-30,train,G1235,5,,,武汉,三门峡,{SOURCE}\n"
        f"{day()},train,X-Y-Z-1,5,,,武汉,三门峡,{SOURCE}\n"
        f"{day()},bus,豫M12345,,,,,三门峡,{SOURCE}\n"
    ).encode()
    [report] = upload(stack, "case-trips/bad.csv", csv)["imports"]
    # Then it is rejected, each problem named by line and column, and not one trip was written
    assert report["status"] == "rejected"
    assert [(error["line"], error["field"]) for error in report["errors"]] == [(3, "date"), (4, "number"), (5, "from")]
    assert query(stack, number="G1234", carriage="5").json["risk"] == "none"
    assert (
        stack.client("dynamodb").scan(
            TableName=stack.table("CoTravelTable"), FilterExpression="begins_with(pk, :t)", ExpressionAttributeValues={":t": {"S": "t#"}}
        )["Count"]
        == 0
    )
    # And the report is readable through the API and next to the upload
    via_api = stack.request("GET", f"/co-travel/imports/{report['import_id']}", claims=COMMANDER).json
    assert via_api["error_count"] == 3
    body = stack.client("s3").get_object(Bucket=stack.table("ImportsBucket"), Key="reports/case-trips/bad.csv.json")["Body"].read()
    assert json.loads(body)["status"] == "rejected"


def test_csv_with_a_missing_column_is_rejected_on_line_1(stack: Stack) -> None:
    csv = f"date,mode,number,from,to\n{day()},train,G1,武汉,三门峡\n".encode()
    [report] = upload(stack, "case-trips/nocol.csv", csv)["imports"]
    assert report["status"] == "rejected"
    assert report["errors"] == [{"line": 1, "field": "source_url", "reason": "missing column"}]


def test_saved_trips_are_private_to_their_owner(stack: Stack) -> None:
    register_resident(stack)
    register_resident(stack, "sub-bob", 2)
    saved = stack.request("POST", "/co-travel/saved-trips", claims=RESIDENT, body={"date": day(), "number": "G1234"}).json
    bob = claims_for("sub-bob", "resident")
    assert stack.request("GET", "/co-travel/saved-trips", claims=bob).json["items"] == []
    assert stack.request("DELETE", f"/co-travel/saved-trips/{saved['saved_id']}", claims=bob).status == 404
    assert stack.request("DELETE", f"/co-travel/saved-trips/{saved['saved_id']}", claims=RESIDENT).status == 200
