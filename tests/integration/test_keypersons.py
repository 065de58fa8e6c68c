"""Key persons function on moto: registration and holds, follow-ups, supervision after a day without an
update, candidates from the queue (idempotent), release, and scope."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from infra.local import events
from sanmenxia import clock
from sanmenxia.contracts import KeyPersonCandidate, KeyPersonCategory
from sanmenxia.idnumber import make_id_number
from tests.support.stack import REGION, Stack, claims_for

COMMUNITY = "411202-001"
HEAD = claims_for("sub-head1", "community_head", username="head1", community_id=COMMUNITY, county_code="411202")
FOREIGN_HEAD = claims_for("sub-head2", "community_head", username="head2", community_id="411202-002", county_code="411202")
COMMANDER_HUBIN = claims_for("sub-cmd", "commander", username="commander_hubin", county_code="411202")
COMMANDER_LINGBAO = claims_for("sub-cmd2", "commander", username="commander_lingbao", county_code="411282")
COMMANDER_CITY = claims_for("sub-cmd3", "commander", username="commander1")


@pytest.fixture(autouse=True)
def frozen_day() -> Iterator[None]:
    """Tests move the platform clock; put it back afterwards."""
    saved = clock.offset_seconds()
    yield
    clock.set_offset(saved)


def advance_days(days: int) -> None:
    clock.set_offset(clock.offset_seconds() + days * 86_400)


def register_resident(stack: Stack, sub: str, sequence: int, community: str = COMMUNITY) -> dict[str, Any]:
    body = {
        "name": f"重点{sequence}",
        "id_number": make_id_number(community[:6], date(1975, 3, 1) + timedelta(days=sequence), sequence),
        "phone": f"1390000{sequence:04d}",
        "county_code": community[:6],
        "community_id": community,
        "address": f"和平路{sequence}号",
    }
    response = stack.request("POST", "/residents", claims=claims_for(sub, "resident"), body=body)
    assert response.status == 201, response.json
    return dict(response.json)


def register_key_person(stack: Stack, person_id: str, claims: dict[str, Any] = HEAD, **fields: Any) -> Any:
    body = {"person_id": person_id, "category": "from_hubei", "measure": {"kind": "home_isolation"}, **fields}
    return stack.request("POST", "/key-persons", claims=claims, body=body)


def active_holds(stack: Stack, person_id: str) -> set[str]:
    items = stack.client("dynamodb").query(
        TableName=stack.table("HoldsTable"),
        KeyConditionExpression="person_id = :p",
        ExpressionAttributeValues={":p": {"S": person_id}},
    )["Items"]
    return {item["kind"]["S"] for item in items if "active" in item}


def daily_close(stack: Stack) -> Any:
    event = events.schedule_event("DailySupervisionClose", clock.now(), REGION)
    return stack.invoke("KeyPersonsFunction", event)


def deliver(stack: Stack, candidates: list[KeyPersonCandidate]) -> Any:
    sqs = stack.client("sqs")
    url = stack.table("KeyPersonCandidateQueue")
    for candidate in candidates:
        sqs.send_message(QueueUrl=url, MessageBody=candidate.model_dump_json())
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return stack.invoke("KeyPersonsFunction", events.sqs_event(arn, messages, REGION))


def supervision(stack: Stack, claims: dict[str, Any] = COMMANDER_HUBIN, **query: str) -> Any:
    return stack.request("GET", "/supervision", claims=claims, query=query or None)


def test_registered_key_person_holds_the_code_and_release_lifts_it(stack: Stack) -> None:
    # Given a resident of the head's community
    person = register_resident(stack, "sub-a", 1)
    # When the head registers them under centralized isolation
    created = register_key_person(stack, person["person_id"], measure={"kind": "centralized_isolation", "site": "天鹅湖宾馆"})
    assert created.status == 201, created.json
    kp = created.json
    assert kp["status"] == "active"
    assert kp["name"] == "重**"
    assert kp["planned_release"] == (date.fromisoformat(kp["start_date"]) + timedelta(days=14)).isoformat()
    # Then the code is held as key person and isolation
    assert active_holds(stack, person["person_id"]) == {"key_person", "isolation"}
    # When released, the holds are lifted and the record is closed
    released = stack.request("POST", f"/key-persons/{kp['kp_id']}/release", claims=HEAD, body={"note": "14天期满,核酸阴性"})
    assert released.status == 200, released.json
    assert released.json["status"] == "released"
    assert active_holds(stack, person["person_id"]) == set()
    # And a second release is a conflict
    assert stack.request("POST", f"/key-persons/{kp['kp_id']}/release", claims=HEAD, body={"note": "again"}).status == 409


def test_register_by_id_number_and_reject_a_second_open_record(stack: Stack) -> None:
    person = register_resident(stack, "sub-a", 1)
    id_number = make_id_number("411202", date(1975, 3, 1) + timedelta(days=1), 1)
    body = {"id_number": id_number, "category": "close_contact", "measure": {"kind": "medical_observation"}}
    first = stack.request("POST", "/key-persons", claims=HEAD, body=body)
    assert first.status == 201, first.json
    assert first.json["person_id"] == person["person_id"]
    # The same request again is a retry: the first answer
    repeat = stack.request("POST", "/key-persons", claims=HEAD, body=body)
    assert (repeat.status, repeat.json) == (201, first.json)
    # Another open record for the same person is a conflict
    again = stack.request("POST", "/key-persons", claims=HEAD, body={**body, "category": "fever_without_contact"})
    assert again.status == 409
    assert again.json["fields"][0]["field"] == "person_id"
    # medical observation holds as key person only (no isolation hold)
    assert active_holds(stack, person["person_id"]) == {"key_person"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"measure": {"kind": "centralized_isolation"}}, "measure.site"),
        ({"category": "from_mars"}, "category"),
        ({"start_date": "2099-01-01"}, "start_date"),
    ],
)
def test_bad_registration_names_the_field(stack: Stack, fields: dict[str, Any], field: str) -> None:
    person = register_resident(stack, "sub-a", 1)
    response = register_key_person(stack, person["person_id"], **fields)
    assert response.status in (400, 422), response.json
    assert field in [item["field"] for item in response.json["fields"]]
    assert active_holds(stack, person["person_id"]) == set()


def test_supervision_lists_a_key_person_after_a_day_without_update(stack: Stack) -> None:
    # Given a key person registered today and never followed up
    person = register_resident(stack, "sub-a", 1)
    kp = register_key_person(stack, person["person_id"]).json
    # When the clock advances a day and the daily close runs
    advance_days(1)
    summary = daily_close(stack)
    assert summary["flagged"] == 1
    # Then the county commander sees them on yesterday's supervision list
    listed = supervision(stack).json
    assert [item["kp_id"] for item in listed["items"]] == [kp["kp_id"]]
    assert listed["items"][0]["reason"] == "no_follow_up"
    assert listed["date"] == (clock.today() - timedelta(days=1)).isoformat()
    # And the city commander too; the close is idempotent
    assert [item["kp_id"] for item in supervision(stack, COMMANDER_CITY).json["items"]] == [kp["kp_id"]]
    assert daily_close(stack)["flagged"] == 0


def test_the_supervision_list_pages_across_counties_with_a_cursor_bound_to_the_caller(stack: Stack) -> None:
    # Given three key persons on the list, in two counties
    made = set()
    for n, community in ((1, COMMUNITY), (2, COMMUNITY), (3, "411203-001")):
        person = register_resident(stack, f"sub-p{n}", n, community)
        made.add(register_key_person(stack, person["person_id"], claims=COMMANDER_CITY).json["kp_id"])
    advance_days(1)
    assert daily_close(stack)["flagged"] == 3
    # When the city commander reads it one entry at a time, Then every entry comes once
    seen, cursor = [], None
    for _ in range(6):
        page = supervision(stack, COMMANDER_CITY, limit="1", **({"cursor": cursor} if cursor else {})).json
        seen += [item["kp_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(made)
    # And the first page's cursor is refused to the county commander and when edited
    first = supervision(stack, COMMANDER_CITY, limit="1").json["next_cursor"]
    refused = [supervision(stack, COMMANDER_HUBIN, cursor=first), supervision(stack, COMMANDER_CITY, cursor=first + "x")]
    assert [(response.status, response.json["fields"][0]["field"]) for response in refused] == [(400, "cursor")] * 2


def test_supervision_does_not_list_a_key_person_followed_up_that_day(stack: Stack) -> None:
    # Given a key person followed up on the day of registration
    person = register_resident(stack, "sub-a", 1)
    kp = register_key_person(stack, person["person_id"]).json
    follow = stack.request("POST", f"/key-persons/{kp['kp_id']}/follow-ups", claims=HEAD, body={"temperature": 36.4, "note": "电话随访"})
    assert follow.status == 201, follow.json
    # When the day closes
    advance_days(1)
    daily_close(stack)
    # Then nobody is on the list
    assert supervision(stack).json["items"] == []


def test_an_update_takes_a_listed_key_person_off_the_list(stack: Stack) -> None:
    person = register_resident(stack, "sub-a", 1)
    kp = register_key_person(stack, person["person_id"]).json
    advance_days(1)
    daily_close(stack)
    assert len(supervision(stack).json["items"]) == 1
    # When the head records today's follow-up
    stack.request("POST", f"/key-persons/{kp['kp_id']}/follow-ups", claims=HEAD, body={"temperature": 36.5})
    # Then the entry is resolved (still visible with include_resolved)
    assert supervision(stack).json["items"] == []
    [entry] = supervision(stack, include_resolved="true").json["items"]
    assert entry["resolved_at"] is not None


@pytest.mark.parametrize("gap", [2, 45], ids=["two days", "longer than the follow-up days a record keeps"])
def test_daily_close_catches_up_missed_days_day_by_day(stack: Stack, gap: int) -> None:
    # Given a key person under control, closed once
    person = register_resident(stack, "sub-a", 1)
    register_key_person(stack, person["person_id"])
    advance_days(1)
    daily_close(stack)
    # When days pass with the close missed
    advance_days(gap)
    summary = daily_close(stack)
    # Then every missed day is closed, in order, each listing the record that had no follow-up
    assert len(summary["closed_days"]) == gap
    assert summary["closed_days"] == sorted(summary["closed_days"])
    assert summary["flagged"] == gap
    assert daily_close(stack)["closed_days"] == []


def test_candidates_become_pending_records_once(stack: Stack) -> None:
    # Given a resident found with fever at a checkpoint, the same message delivered twice
    person = register_resident(stack, "sub-a", 1)
    candidate = KeyPersonCandidate(
        person_id=person["person_id"],
        category=KeyPersonCategory.FEVER_WITHOUT_CONTACT,
        source="checkpoint",
        source_ref="scan-123",
        community_id=COMMUNITY,
        reason="检测点测温 37.9",
    )
    result = deliver(stack, [candidate, candidate])
    assert result["batchItemFailures"] == []
    # And a co-travel candidate and a health-code check-in fever for the same person
    co_travel = candidate.model_copy(update={"source": "co_travel", "source_ref": "trip-9", "category": KeyPersonCategory.CLOSE_CONTACT})
    check_in = candidate.model_copy(update={"source": "health_code", "source_ref": "checkin:x:2020-02-01"})
    assert deliver(stack, [co_travel, check_in])["batchItemFailures"] == []
    # Then there is one pending record with both sources, and no key-person hold yet
    listed = stack.request("GET", "/key-persons", claims=HEAD, query={"status": "pending"}).json["items"]
    assert len(listed) == 1
    assert sorted(source["source"] for source in listed[0]["sources"]) == ["checkpoint", "co_travel", "health_code"]
    assert active_holds(stack, person["person_id"]) == set()
    # When the head confirms it under home isolation, the code is held
    confirmed = stack.request("POST", f"/key-persons/{listed[0]['kp_id']}/confirm", claims=HEAD, body={"measure": {"kind": "home_isolation"}})
    assert confirmed.status == 200, confirmed.json
    assert active_holds(stack, person["person_id"]) == {"key_person", "isolation"}


def test_a_bad_candidate_is_reported_as_a_batch_failure(stack: Stack) -> None:
    sqs = stack.client("sqs")
    url = stack.table("KeyPersonCandidateQueue")
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"person_id": "nobody"}))
    messages = sqs.receive_message(QueueUrl=url)["Messages"]
    result = stack.invoke("KeyPersonsFunction", events.sqs_event("arn:aws:sqs:ap-east-1:123456789012:q", messages, REGION))
    assert [failure["itemIdentifier"] for failure in result["batchItemFailures"]] == [messages[0]["MessageId"]]


def test_heads_cannot_read_or_change_another_communitys_key_persons(stack: Stack) -> None:
    person = register_resident(stack, "sub-a", 1)
    kp = register_key_person(stack, person["person_id"]).json
    # a head of another community: read, change, follow up, release, list, register
    assert stack.request("GET", f"/key-persons/{kp['kp_id']}", claims=FOREIGN_HEAD).status == 403
    assert stack.request("PATCH", f"/key-persons/{kp['kp_id']}", claims=FOREIGN_HEAD, body={"problems": "x"}).status == 403
    assert stack.request("POST", f"/key-persons/{kp['kp_id']}/follow-ups", claims=FOREIGN_HEAD, body={}).status == 403
    assert stack.request("POST", f"/key-persons/{kp['kp_id']}/release", claims=FOREIGN_HEAD, body={"note": "x"}).status == 403
    assert stack.request("GET", "/key-persons", claims=FOREIGN_HEAD, query={"community_id": COMMUNITY}).status == 403
    assert register_key_person(stack, person["person_id"], claims=FOREIGN_HEAD).status == 403
    assert supervision(stack, FOREIGN_HEAD, community_id=COMMUNITY).status == 403
    # a commander of another county
    assert stack.request("GET", f"/key-persons/{kp['kp_id']}", claims=COMMANDER_LINGBAO).status == 403
    assert supervision(stack, COMMANDER_LINGBAO, county_code="411202").status == 403
    # the own head and the county commander can
    assert stack.request("GET", f"/key-persons/{kp['kp_id']}", claims=HEAD).status == 200
    assert stack.request("GET", "/key-persons", claims=COMMANDER_HUBIN).json["items"][0]["kp_id"] == kp["kp_id"]


def test_staff_writes_are_audited(stack: Stack) -> None:
    person = register_resident(stack, "sub-a", 1)
    kp = register_key_person(stack, person["person_id"]).json
    stack.request("POST", f"/key-persons/{kp['kp_id']}/follow-ups", claims=HEAD, body={"temperature": 36.5})
    stack.request("PATCH", f"/key-persons/{kp['kp_id']}", claims=HEAD, body={"problems": "独居老人,需送菜"})
    items = stack.client("dynamodb").query(
        TableName=stack.table("AuditTable"),
        KeyConditionExpression="target = :t",
        ExpressionAttributeValues={":t": {"S": f"key_person#{kp['kp_id']}"}},
    )["Items"]
    assert sorted(item["action"]["S"] for item in items) == ["key_person.follow_up", "key_person.register", "key_person.update"]
    assert all(item["actor"]["S"] == "head1" for item in items)


def test_a_record_past_its_planned_release_is_marked_due(stack: Stack) -> None:
    person = register_resident(stack, "sub-a", 1)
    start = (clock.today() - timedelta(days=15)).isoformat()
    kp = register_key_person(stack, person["person_id"], start_date=start).json
    assert kp["release_due"] is True
    other = register_resident(stack, "sub-b", 2)
    assert register_key_person(stack, other["person_id"]).json["release_due"] is False
