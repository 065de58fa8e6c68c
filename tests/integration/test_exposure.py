"""Exposure from checkpoint scans on moto: a confirmed case's windows → notified candidates in their own
communities, once; the windows from the case's own scans; scope, bad input, nothing in clear."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from infra.local import events
from sanmenxia import clock
from sanmenxia.idnumber import make_id_number
from tests.integration.test_checkpoint_scans import HEAD1, HEAD2, HUBIN_COMMANDER, LINGBAO_COMMANDER, STAFF_A, STAFF_B
from tests.support.stack import REGION, Stack, claims_for

CASE_ID = make_id_number("411202", date(1990, 3, 7), 123)
PEOPLE = {  # name, community, ID number
    "case": ("张三丰", "411202-001", CASE_ID),
    "bob": ("李四海", "411202-002", make_id_number("411202", date(1985, 7, 1), 456)),
    "carol": ("王五岳", "411202-001", make_id_number("411202", date(1979, 2, 2), 222)),
    "dave": ("赵六合", "411202-001", make_id_number("411202", date(1991, 4, 4), 333)),
    "eve": ("钱七星", "411202-002", make_id_number("411202", date(1993, 5, 5), 444)),
}


@pytest.fixture
def town(stack: Stack) -> dict[str, str]:
    """Two checkpoints of 411202-001 and five residents (person ids by short name)."""
    for checkpoint_id, name in (("cp-gate-a", "湖滨农贸市场"), ("cp-gate-b", "湖滨社区北门")):
        body = {
            "checkpoint_id": checkpoint_id,
            "name": name,
            "kind": "market",
            "community_id": "411202-001",
            "entrances": ["北门"],
            "location": {"latitude": 34.78, "longitude": 111.19, "place": "湖滨区黄河路"},
        }
        assert stack.request("POST", "/checkpoints", claims=HEAD1, body=body).status == 201
    ids = {}
    for short, (name, community, id_number) in PEOPLE.items():
        claims = claims_for(f"sub-{short}", "resident")
        body = {"name": name, "id_number": id_number, "phone": "13812345678", "county_code": "411202", "community_id": community, "address": "湖滨区前进路1号"}
        response = stack.request("POST", "/residents", claims=claims, body=body)
        assert response.status == 201, response.json
        ids[short] = response.json["person_id"]
    return ids


def scan(stack: Stack, who: str, at: datetime, checkpoint: str = "cp-gate-a") -> None:
    claims = STAFF_A if checkpoint == "cp-gate-a" else STAFF_B
    body = {
        "scan_id": f"s-{uuid.uuid4().hex[:16]}",
        "method": "typed",
        "id_number": PEOPLE[who][2],
        "temperature": 36.5,
        "direction": "in",
        "scanned_at": at.isoformat(),
    }
    response = stack.request("POST", f"/checkpoints/{checkpoint}/scans", claims=claims, body=body)
    assert response.status == 201, response.json


def taken_candidates(stack: Stack) -> list[dict[str, Any]]:
    """Deliver every waiting candidate to the key-persons function; the candidates delivered."""
    sqs = stack.client("sqs")
    url = stack.table("KeyPersonCandidateQueue")
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    found: list[dict[str, Any]] = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        result = stack.invoke("KeyPersonsFunction", events.sqs_event(arn, messages, REGION))
        assert result == {"batchItemFailures": []}
        found += [json.loads(message["Body"]) for message in messages]
        sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])
    return found


@pytest.fixture
def visits(stack: Stack, town: dict[str, str]) -> datetime:
    """The case at the market at T; bob there at T+5 min, carol at T-20 min, eve at T+3 h, dave at the north gate."""
    t = (clock.now() - timedelta(hours=4)).replace(microsecond=0)
    scan(stack, "case", t)
    scan(stack, "bob", t + timedelta(minutes=5))
    scan(stack, "carol", t - timedelta(minutes=20))
    scan(stack, "eve", t + timedelta(hours=3))
    scan(stack, "dave", t + timedelta(minutes=2), "cp-gate-b")
    taken_candidates(stack)  # nothing from ordinary scans should remain in the way
    return t


def window(t: datetime, minutes: int = 10, checkpoint: str = "cp-gate-a") -> dict[str, str]:
    return {"checkpoint_id": checkpoint, "start": t.isoformat(), "end": (t + timedelta(minutes=minutes)).isoformat()}


def test_everyone_scanned_near_the_case_is_notified_and_becomes_a_candidate_in_their_own_community(
    stack: Stack, town: dict[str, str], visits: datetime
) -> None:
    # Given the case's window at the market
    # When the county commander runs the exposure
    response = stack.request("POST", "/exposures", claims=HUBIN_COMMANDER, body={"id_number": CASE_ID, "windows": [window(visits)]})
    # Then bob (inside the window) is a close contact and carol (within the margin) same place; dave and eve are not found
    assert response.status == 201, response.json
    run = response.json
    assert (run["found"], run["added"], run["close_contacts"], run["same_place"]) == (2, 2, 1, 1)
    # one query per Shanghai day the widened window touches (two when it crosses midnight); eve is outside it
    assert run["index_reads"] in (1, 2) and run["scans_read"] == 3
    assert run["case"]["id_number"].startswith("411202") and "*" in run["case"]["id_number"]
    # And each becomes a pending candidate of their own community, with the source shown to its head
    candidates = {c["person_id"]: c for c in taken_candidates(stack)}
    assert {candidates[town["bob"]]["category"], candidates[town["carol"]]["category"]} == {"close_contact", "same_place"}
    listed = stack.request("GET", "/key-persons", claims=HEAD2).json["items"]
    bob = next(item for item in listed if item["person_id"] == town["bob"])
    assert bob["status"] == "pending" and bob["sources"][0]["source"] == "exposure"
    assert "湖滨农贸市场" in bob["sources"][0]["reason"]
    assert all(item["person_id"] != town["carol"] for item in listed)  # carol lives in 411202-001
    # And both find a message in their inbox that does not name the case
    inbox = stack.request("GET", "/notifications", claims=claims_for("sub-bob", "resident")).json["items"]
    notes = inbox["items"] if isinstance(inbox, dict) else inbox
    exposure_notes = [n for n in notes if n["kind"] == "exposure"]
    assert len(exposure_notes) == 1 and "张" not in exposure_notes[0]["body"]


def test_running_again_adds_nobody_twice(stack: Stack, town: dict[str, str], visits: datetime) -> None:
    body = {"id_number": CASE_ID, "windows": [window(visits)]}
    first = stack.request("POST", "/exposures", claims=HUBIN_COMMANDER, body=body, headers={"Idempotency-Key": "exposure-run-1"}).json
    taken_candidates(stack)
    # When the same case is run again (a new run, wider window)
    again = stack.request(
        "POST",
        "/exposures",
        claims=HUBIN_COMMANDER,
        body={"id_number": CASE_ID, "windows": [window(visits, 20)]},
        headers={"Idempotency-Key": "exposure-run-2"},
    )
    # Then nobody is added, the messages are not repeated, and each person has one record
    assert again.status == 201, again.json
    assert (again.json["found"], again.json["added"], again.json["already_found"]) == (2, 0, 2)
    assert again.json["run_id"] != first["run_id"]
    taken_candidates(stack)
    listed = stack.request("GET", "/key-persons", claims=HEAD2).json["items"]
    assert [item["person_id"] for item in listed].count(town["bob"]) == 1
    notes = stack.request("GET", "/notifications", claims=claims_for("sub-bob", "resident")).json["items"]
    assert sum(n["kind"] == "exposure" for n in (notes["items"] if isinstance(notes, dict) else notes)) == 1
    # And the run's detail lists both persons, found by the first run
    detail = stack.request("GET", f"/exposures/{again.json['run_id']}", claims=HUBIN_COMMANDER).json
    assert {p["run_id"] for p in detail["persons"]} == {first["run_id"]}


def test_without_windows_the_case_scans_give_them(stack: Stack, town: dict[str, str], visits: datetime) -> None:
    response = stack.request("POST", "/exposures", claims=HUBIN_COMMANDER, body={"person_id": town["case"]})
    assert response.status == 201, response.json
    run = response.json
    assert run["from_case_scans"] is True and [w["checkpoint_id"] for w in run["windows"]] == ["cp-gate-a"]
    assert run["found"] == 2  # bob within ±15 min of the case's scan, carol within the margin
    runs = stack.request("GET", "/exposures", claims=HUBIN_COMMANDER).json
    assert [item["run_id"] for item in runs["items"]] == [run["run_id"]]


def test_another_county_s_commander_can_neither_run_nor_read(stack: Stack, town: dict[str, str], visits: datetime) -> None:
    refused = stack.request("POST", "/exposures", claims=LINGBAO_COMMANDER, body={"id_number": CASE_ID, "windows": [window(visits)]})
    assert refused.status == 403, refused.json
    derived = stack.request("POST", "/exposures", claims=LINGBAO_COMMANDER, body={"id_number": CASE_ID})
    assert derived.status == 400 and derived.json["fields"][0]["field"] == "windows"  # none of the case's scans is theirs
    run = stack.request("POST", "/exposures", claims=HUBIN_COMMANDER, body={"id_number": CASE_ID, "windows": [window(visits)]}).json
    assert stack.request("GET", f"/exposures/{run['run_id']}", claims=LINGBAO_COMMANDER).status == 403
    assert stack.request("GET", "/exposures", claims=LINGBAO_COMMANDER, query={"county_code": "411202"}).status == 403
    assert stack.request("POST", "/exposures", claims=HEAD1, body={"id_number": CASE_ID}).status == 403


def test_a_bad_window_is_a_400_naming_it_and_nothing_is_written(stack: Stack, town: dict[str, str], visits: datetime) -> None:
    backwards = {"checkpoint_id": "cp-gate-a", "start": visits.isoformat(), "end": (visits - timedelta(minutes=1)).isoformat()}
    response = stack.request("POST", "/exposures", claims=HUBIN_COMMANDER, body={"id_number": CASE_ID, "windows": [backwards]})
    assert response.status == 400 and response.json["fields"][0]["field"] == "windows.0.end"
    assert taken_candidates(stack) == []
    assert stack.request("GET", "/exposures", claims=HUBIN_COMMANDER).json["items"] == []


def test_nothing_personal_is_stored_in_clear(stack: Stack, town: dict[str, str], visits: datetime) -> None:
    stack.request("POST", "/exposures", claims=HUBIN_COMMANDER, body={"id_number": CASE_ID, "windows": [window(visits)]})
    items = stack.client("dynamodb").scan(TableName=stack.table("ExposuresTable"))["Items"]
    dumped = json.dumps(items, ensure_ascii=False)
    assert items and all(secret not in dumped for name, _, id_number in PEOPLE.values() for secret in (name, id_number, "13812345678"))
