"""Residents function on moto: self-reports for a household, holds, candidates, hardship requests,
community heads' filtered lists and their scope."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from sanmenxia import clock
from sanmenxia.idnumber import make_id_number
from tests.support.stack import Stack, claims_for

COMMUNITY = "411202-001"
HEAD = claims_for("sub-head1", "community_head", username="head1", community_id=COMMUNITY, county_code="411202")
FOREIGN_HEAD = claims_for("sub-head2", "community_head", username="head2", community_id="411202-002", county_code="411202")
COMMANDER_HUBIN = claims_for("sub-cmd", "commander", username="commander_hubin", county_code="411202")
COMMANDER_LINGBAO = claims_for("sub-cmd2", "commander", username="commander_lingbao", county_code="411282")


def register(stack: Stack, sub: str, sequence: int, community: str = COMMUNITY, phone: str | None = None) -> dict[str, Any]:
    body = {
        "name": f"居民{sequence}",
        "id_number": make_id_number(community[:6], date(1980, 1, 1) + timedelta(days=sequence), sequence),
        "phone": phone or f"1380000{sequence:04d}",
        "county_code": community[:6],
        "community_id": community,
        "address": f"幸福路{sequence}号",
    }
    response = stack.request("POST", "/residents", claims=claims_for(sub, "resident"), body=body)
    assert response.status == 201, response.json
    return dict(response.json)


def report(stack: Stack, sub: str, **fields: Any) -> Any:
    body = {"person_type": "permanent", **fields}
    return stack.request("POST", "/residents/me/reports", claims=claims_for(sub, "resident"), body=body)


def queue_messages(stack: Stack, logical_id: str) -> list[dict[str, Any]]:
    sqs = stack.client("sqs")
    url = stack.table(logical_id)
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]


def active_holds(stack: Stack, person_id: str) -> dict[str, str]:
    items = stack.client("dynamodb").query(
        TableName=stack.table("HoldsTable"),
        KeyConditionExpression="person_id = :p",
        ExpressionAttributeValues={":p": {"S": person_id}},
    )["Items"]
    return {item["kind"]["S"]: item["source"]["S"] for item in items if "active" in item}


def test_self_report_for_a_household_member_is_masked_and_listed(stack: Stack) -> None:
    # Given a household head with a child registered under them
    head = register(stack, "sub-a", 1)
    child_id = make_id_number("411202", date(2012, 5, 5), 7)
    child = stack.request(
        "POST", "/residents/me/household", claims=claims_for("sub-a", "resident"), body={"name": "小明", "id_number": child_id, "relation": "child"}
    ).json
    # When the head reports for the child
    response = report(stack, "sub-a", person_id=child["person_id"], person_type="returnee", temperature=36.5)
    # Then the report is stored against the child, masked, and the household view shows both
    assert response.status == 201, response.json
    assert response.json["person_id"] == child["person_id"]
    assert response.json["name"] == "小*"
    mine = stack.request("GET", "/residents/me/reports", claims=claims_for("sub-a", "resident")).json["items"]
    assert {item["person_id"]: item["person_type"] for item in mine} == {head["person_id"]: None, child["person_id"]: "returnee"}


def test_cannot_report_for_someone_outside_the_household(stack: Stack) -> None:
    register(stack, "sub-a", 1)
    other = register(stack, "sub-b", 2)
    response = report(stack, "sub-a", person_id=other["person_id"])
    assert response.status == 403


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"temperature": 47}, "temperature"),
        ({"person_type": "tourist"}, "person_type"),
        ({"isolation": "centralized"}, "body"),
        ({"travel": [{"place": "武汉", "region": "wuhan", "from_date": "2020-01-20", "to_date": "2020-01-10"}]}, "travel.0"),
        ({"symptoms": ["sneezing"]}, "symptoms.0"),
    ],
)
def test_bad_report_names_the_field_and_writes_nothing(stack: Stack, fields: dict[str, Any], field: str) -> None:
    register(stack, "sub-a", 1)
    response = report(stack, "sub-a", **fields)
    assert response.status == 422, response.json
    assert any(item["field"].startswith(field) for item in response.json["fields"]), response.json
    assert stack.client("dynamodb").scan(TableName=stack.table("ResidentsTable"))["Count"] == 0


def test_fever_and_isolation_hold_the_code_until_cleared(stack: Stack) -> None:
    # Given a resident who reports fever at home isolation
    person = register(stack, "sub-a", 1)
    assert report(stack, "sub-a", temperature=38.2, isolation="home").status == 201
    # Then both holds are active, placed by the residents platform
    assert active_holds(stack, person["person_id"]) == {"fever": "residents", "isolation": "residents"}
    # When a later report is normal, the holds are lifted
    assert report(stack, "sub-a", temperature=36.6).status == 201
    assert active_holds(stack, person["person_id"]) == {}


def test_travel_from_wuhan_sends_a_key_person_candidate(stack: Stack) -> None:
    person = register(stack, "sub-a", 1)
    today = clock.today()
    trip = {"place": "武汉市", "region": "wuhan", "from_date": (today - timedelta(days=5)).isoformat(), "to_date": (today - timedelta(days=3)).isoformat()}
    response = report(stack, "sub-a", person_type="returnee", travel=[trip])
    assert response.json["key_person_candidate"] == "from_wuhan"
    [candidate] = queue_messages(stack, "KeyPersonCandidateQueue")
    assert candidate["person_id"] == person["person_id"]
    assert candidate["category"] == "from_wuhan"
    assert candidate["source"] == "self_report"
    assert candidate["community_id"] == COMMUNITY


def test_hardship_request_becomes_a_work_order_and_is_handled_by_the_head(stack: Stack) -> None:
    # Given a resident asking for medicine
    person = register(stack, "sub-a", 1)
    created = stack.request(
        "POST", "/residents/me/hardship-requests", claims=claims_for("sub-a", "resident"), body={"kind": "medicine", "description": "降压药吃完了"}
    )
    assert created.status == 201, created.json
    request_id = created.json["request_id"]
    # Then a work order intake went to the hotline, and the description is sealed at rest
    [intake] = queue_messages(stack, "WorkOrderIntakeQueue")
    assert (intake["source"], intake["source_ref"], intake["requester_person_id"]) == ("hardship", request_id, person["person_id"])
    assert "降压药" not in str(stack.client("dynamodb").scan(TableName=stack.table("ResidentsTable"))["Items"])
    # And the head sees the resident under the hardship filter
    listed = stack.request("GET", f"/communities/{COMMUNITY}/residents", claims=HEAD, query={"hardship": "true"}).json
    assert [item["person_id"] for item in listed["items"]] == [person["person_id"]]
    # When the head resolves it with a note
    path = f"/communities/{COMMUNITY}/hardship-requests/{request_id}"
    handled = stack.request("PATCH", path, claims=HEAD, body={"status": "resolved", "note": "已送药上门"})
    assert handled.status == 200, handled.json
    assert (handled.json["status"], handled.json["handled_by"]) == ("resolved", "head1")
    # And the household hears back in the app's inbox
    [note] = stack.request("GET", "/notifications", claims=claims_for("sub-a", "resident")).json["items"]
    assert (note["kind"], note["body"]) == ("hardship", "买药 medicine: 已送药上门")
    # Then the resident leaves the hardship filter, and closing again is a conflict
    listed = stack.request("GET", f"/communities/{COMMUNITY}/residents", claims=HEAD, query={"hardship": "true"}).json
    assert listed["items"] == []
    assert stack.request("PATCH", path, claims=HEAD, body={"status": "declined", "note": "x"}).status == 409
    # And the head's action is audited
    audit = stack.client("dynamodb").query(
        TableName=stack.table("AuditTable"),
        KeyConditionExpression="target = :t",
        ExpressionAttributeValues={":t": {"S": f"hardship#{request_id}"}},
    )["Items"]
    assert [item["action"]["S"] for item in audit] == ["hardship.handle"]


def test_filters_return_exactly_the_matching_residents(stack: Stack) -> None:
    # Given five residents with different reports
    people = {}
    reports = {
        "fever_home": {"person_type": "returnee", "temperature": 38.0, "isolation": "home"},
        "fever": {"person_type": "permanent", "temperature": 37.5},
        "isolated": {"person_type": "migrant_worker", "isolation": "centralized", "isolation_site": "宾馆"},
        "plain": {"person_type": "permanent", "temperature": 36.5},
        "visitor": {"person_type": "visitor"},
    }
    for index, (name, fields) in enumerate(reports.items(), start=1):
        people[name] = register(stack, f"sub-{name}", index)["person_id"]
        assert report(stack, f"sub-{name}", **fields).status == 201

    def listed(**query: str) -> set[str]:
        response = stack.request("GET", f"/communities/{COMMUNITY}/residents", claims=HEAD, query=query)
        assert response.status == 200, response.json
        return {name for name, pid in people.items() if pid in {item["person_id"] for item in response.json["items"]}}

    # Then each filter, and their combinations, return exactly the matching residents
    assert listed(fever="true") == {"fever_home", "fever"}
    assert listed(fever="false") == {"isolated", "plain", "visitor"}
    assert listed(isolation="true") == {"fever_home", "isolated"}
    assert listed(fever="true", isolation="true") == {"fever_home"}
    assert listed(fever="true", isolation="false") == {"fever"}
    assert listed(person_type="permanent") == {"fever", "plain"}
    assert listed(person_type="permanent", fever="false") == {"plain"}
    assert listed(person_type="returnee", isolation="true") == {"fever_home"}
    assert listed(hardship="true") == set()
    assert listed() == set(reports)


def test_pagination_visits_every_resident_once(stack: Stack) -> None:
    ids = {register(stack, f"sub-{n}", n)["person_id"] for n in range(1, 6)}
    for n in range(1, 6):
        report(stack, f"sub-{n}", temperature=38.0)
    seen: list[str] = []
    token = None
    while True:
        query = {"fever": "true", "limit": "2", **({"cursor": token} if token else {})}
        page = stack.request("GET", f"/communities/{COMMUNITY}/residents", claims=HEAD, query=query).json
        seen.extend(item["person_id"] for item in page["items"])
        assert len(page["items"]) <= 2
        token = page["next_cursor"]
        if not token:
            break
    assert sorted(seen) == sorted(ids)


def test_heads_only_see_their_own_community(stack: Stack) -> None:
    register(stack, "sub-a", 1)
    report(stack, "sub-a", temperature=38.0)
    assert stack.request("GET", f"/communities/{COMMUNITY}/residents", claims=FOREIGN_HEAD).status == 403
    assert stack.request("GET", f"/communities/{COMMUNITY}/hardship-requests", claims=FOREIGN_HEAD).status == 403
    assert stack.request("GET", f"/communities/{COMMUNITY}/residents", claims=COMMANDER_LINGBAO).status == 403
    assert stack.request("GET", f"/communities/{COMMUNITY}/residents", claims=COMMANDER_HUBIN).status == 200


def test_foreign_head_cannot_handle_a_request(stack: Stack) -> None:
    register(stack, "sub-a", 1)
    created = stack.request(
        "POST", "/residents/me/hardship-requests", claims=claims_for("sub-a", "resident"), body={"kind": "daily_necessities", "description": "缺米面"}
    ).json
    path = f"/communities/{COMMUNITY}/hardship-requests/{created['request_id']}"
    assert stack.request("PATCH", path, claims=FOREIGN_HEAD, body={"status": "resolved", "note": "x"}).status == 403
    # a head of another community addressing it through their own community finds nothing
    other = f"/communities/411202-002/hardship-requests/{created['request_id']}"
    assert stack.request("PATCH", other, claims=FOREIGN_HEAD, body={"status": "resolved", "note": "x"}).status == 404


def test_bad_page_token_is_a_400(stack: Stack) -> None:
    response = stack.request("GET", f"/communities/{COMMUNITY}/residents", claims=HEAD, query={"cursor": "!!!"})
    assert response.status == 400
    assert response.json["fields"][0]["field"] == "cursor"


def test_a_cursor_only_continues_the_list_it_came_from(stack: Stack) -> None:
    # Given a first page of fevered residents read by the community head
    for n in range(1, 4):
        register(stack, f"sub-{n}", n)
        report(stack, f"sub-{n}", temperature=38.0)
    path = f"/communities/{COMMUNITY}/residents"
    first = stack.request("GET", path, claims=HEAD, query={"fever": "true", "limit": "1"}).json
    cursor = first["next_cursor"]
    assert cursor and len(first["items"]) == 1
    # Then it continues that list for that caller
    assert stack.request("GET", path, claims=HEAD, query={"fever": "true", "limit": "1", "cursor": cursor}).status == 200
    # But another caller, another filter or an edited cursor get a 400 naming the cursor
    refused = [
        stack.request("GET", path, claims=COMMANDER_HUBIN, query={"fever": "true", "cursor": cursor}),
        stack.request("GET", path, claims=HEAD, query={"fever": "false", "cursor": cursor}),
        stack.request("GET", path, claims=HEAD, query={"cursor": cursor}),
        stack.request("GET", path, claims=HEAD, query={"fever": "true", "cursor": ("B" if cursor[0] == "A" else "A") + cursor[1:]}),
        stack.request("GET", f"/communities/{COMMUNITY}/hardship-requests", claims=HEAD, query={"cursor": cursor}),
    ]
    assert [(response.status, response.json["fields"][0]["field"]) for response in refused] == [(400, "cursor")] * len(refused)
