"""Acting for a family member on moto: an application, a check-in, a self-report and a hardship request filed by
a household head for a dependent land on the dependent, never on the head, and never on someone outside the
household (issue 15)."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest

from sanmenxia.idnumber import make_id_number
from tests.integration.test_healthcode import queue_messages
from tests.integration.test_healthcode_daily import pause_moto_queue_consumers
from tests.support.stack import Stack, claims_for

DECLARATION = {"fever": False, "in_isolation": False, "declaration_accepted": True}
_serial = itertools.count(500)


def _register_head(stack: Stack) -> tuple[dict[str, Any], str]:
    serial = next(_serial)
    claims = claims_for(f"sub-proxy-head-{serial}", "resident")
    body = {
        "name": "赵大山",
        "id_number": make_id_number("411202", date(1970, 5, 4), serial),
        "phone": f"1390000{serial:04d}",
        "county_code": "411202",
        "community_id": "411202-001",
        "address": "湖滨区前进路8号",
    }
    response = stack.request("POST", "/residents", claims=claims, body=body)
    assert response.status == 201, response.json
    return claims, str(response.json["person_id"])


def _add_father(stack: Stack, claims: dict[str, Any]) -> str:
    body = {"name": "赵老汉", "id_number": make_id_number("411202", date(1941, 2, 3), next(_serial)), "relation": "parent"}
    response = stack.request("POST", "/residents/me/household", claims=claims, body=body)
    assert response.status == 201, response.json
    return str(response.json["person_id"])


def _items(stack: Stack, logical_id: str, person_id: str) -> list[dict[str, Any]]:
    found = stack.client("dynamodb").query(
        TableName=stack.table(logical_id), KeyConditionExpression="person_id = :p", ExpressionAttributeValues={":p": {"S": person_id}}
    )
    return list(found["Items"])


@pytest.fixture(autouse=True)
def _quiet_queues(stack: Stack) -> None:
    pause_moto_queue_consumers(stack)


def test_everything_filed_for_a_dependent_lands_on_the_dependent_and_never_on_the_head(stack: Stack) -> None:
    # Given a household head who has NOT applied for a code yet, and their father without a phone
    head, head_id = _register_head(stack)
    father = _add_father(stack, head)
    queue_messages(stack, "KeyPersonCandidateQueue")
    queue_messages(stack, "WorkOrderIntakeQueue")
    for_father = {"person": father}
    # When the head applies, checks in with a fever, files a self-report and asks for help, all for the father
    applied = stack.request("POST", "/health-codes", claims=head, query=for_father, body=DECLARATION)
    checked = stack.request("POST", "/health-codes/me/check-ins", claims=head, query=for_father, body={"temperature": 38.4, "symptoms": ["cough"]})
    reported = stack.request(
        "POST",
        "/residents/me/reports",
        claims=head,
        body={"person_id": father, "person_type": "permanent", "temperature": 38.4, "symptoms": ["fever"], "isolation": "none"},
    )
    helped = stack.request("POST", "/residents/me/hardship-requests", claims=head, body={"person_id": father, "kind": "medicine", "description": "需要降压药"})
    # Then every write succeeded and names the father
    assert [applied.status, checked.status, reported.status, helped.status] == [201, 201, 201, 201], [applied.json, checked.json, reported.json, helped.json]
    assert reported.json["person_id"] == father
    assert helped.json["person_id"] == father
    # And the head still has no code, no check-in, no hold and no self-report of their own
    assert stack.request("GET", "/health-codes/me", claims=head).status == 404
    assert _items(stack, "HealthCodeTable", head_id) == []
    assert _items(stack, "HoldsTable", head_id) == []
    father_code = stack.request("GET", "/health-codes/me", claims=head, query=for_father).json
    assert father_code["checked_in_today"] is True
    assert father_code["color"] != "green"  # the fever hold is the father's
    household = {row["person_id"]: row for row in stack.request("GET", "/residents/me/reports", claims=head).json["items"]}
    assert household[father]["reported_on"] is not None
    assert household[head_id]["reported_on"] is None
    assert household[head_id]["fever"] is False
    # And what left for other platforms (key-person candidates, the 12345 intake) carries the father's id only
    candidates = queue_messages(stack, "KeyPersonCandidateQueue")
    intakes = queue_messages(stack, "WorkOrderIntakeQueue")
    assert candidates and {message["person_id"] for message in candidates} == {father}
    assert [message["requester_person_id"] for message in intakes if message.get("source") == "hardship"] == [father]


def test_a_dependent_of_another_household_is_refused_everywhere_and_nothing_is_written(stack: Stack) -> None:
    # Given two households; the second head's father is not a member of the first household
    first, first_id = _register_head(stack)
    second, _ = _register_head(stack)
    stranger = _add_father(stack, second)
    # When the first head tries to act for him on every route that takes a person
    calls = [
        stack.request("POST", "/health-codes", claims=first, query={"person": stranger}, body=DECLARATION),
        stack.request("POST", "/health-codes/me/check-ins", claims=first, query={"person": stranger}, body={"temperature": 36.5}),
        stack.request("GET", "/health-codes/me/token", claims=first, query={"person": stranger}),
        stack.request("POST", "/residents/me/reports", claims=first, body={"person_id": stranger, "person_type": "permanent"}),
        stack.request("POST", "/residents/me/hardship-requests", claims=first, body={"person_id": stranger, "kind": "medicine", "description": "买药"}),
    ]
    # Then every call is 403 naming the person, and nothing lands on either of them
    assert [call.status for call in calls] == [403] * len(calls), [call.json for call in calls]
    assert _items(stack, "HealthCodeTable", stranger) == []
    assert _items(stack, "HealthCodeTable", first_id) == []
