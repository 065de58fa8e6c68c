"""Checkpoint registry on moto: who may register, list, edit and staff checkpoints, and bad input."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.stack import Stack, claims_for

HEAD1 = claims_for("sub-head1", "community_head", username="head1", community_id="411202-001", county_code="411202")
HEAD2 = claims_for("sub-head2", "community_head", username="head2", community_id="411202-002", county_code="411202")
HUBIN_COMMANDER = claims_for("sub-cmd", "commander", username="commander_hubin", county_code="411202")
LINGBAO_COMMANDER = claims_for("sub-cmd-lb", "commander", username="commander_lingbao", county_code="411282")
STAFF1 = claims_for("sub-staff1", "checkpoint_staff", username="checkpoint1", checkpoint_id="cp-gate-1", community_id="411202-001")
RESIDENT = claims_for("sub-res", "resident")


def checkpoint_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "checkpoint_id": "cp-gate-1",
        "name": "湖滨社区北门",
        "kind": "residential_compound",
        "community_id": "411202-001",
        "entrances": ["北门", "东门"],
        "location": {"latitude": 34.78, "longitude": 111.19, "place": "湖滨区黄河路北侧"},
    }
    body.update(overrides)
    return body


def audit_actions(stack: Stack) -> list[str]:
    items = stack.client("dynamodb").scan(TableName=stack.table("AuditTable"))["Items"]
    return sorted(item["action"]["S"] for item in items)


def test_a_community_head_registers_a_checkpoint_in_their_community(stack: Stack) -> None:
    # Given a community head, When they register a checkpoint in their own community
    created = stack.request("POST", "/checkpoints", claims=HEAD1, body=checkpoint_body())
    # Then it is stored with its county derived from the community, and the write is audited
    assert created.status == 201, created.json
    assert created.json["county_code"] == "411202"
    assert created.json["entrances"] == ["北门", "东门"]
    assert audit_actions(stack) == ["checkpoint.create"]


def test_a_head_cannot_register_a_checkpoint_in_another_community(stack: Stack) -> None:
    response = stack.request("POST", "/checkpoints", claims=HEAD2, body=checkpoint_body())
    assert response.status == 403
    assert stack.client("dynamodb").scan(TableName=stack.table("CheckpointsTable"))["Count"] == 0


def test_a_county_commander_registers_in_their_county_only(stack: Stack) -> None:
    assert stack.request("POST", "/checkpoints", claims=HUBIN_COMMANDER, body=checkpoint_body()).status == 201
    foreign = stack.request("POST", "/checkpoints", claims=LINGBAO_COMMANDER, body=checkpoint_body(checkpoint_id="cp-gate-2"))
    assert foreign.status == 403


def test_residents_and_staff_cannot_register_checkpoints(stack: Stack) -> None:
    assert stack.request("POST", "/checkpoints", claims=RESIDENT, body=checkpoint_body()).status == 403
    assert stack.request("POST", "/checkpoints", claims=STAFF1, body=checkpoint_body()).status == 403


def test_an_id_is_generated_when_none_is_chosen_and_a_taken_id_is_a_conflict(stack: Stack) -> None:
    generated = stack.request("POST", "/checkpoints", claims=HEAD1, body=checkpoint_body(checkpoint_id=None))
    assert generated.status == 201
    assert generated.json["checkpoint_id"].startswith("cp-")
    first = stack.request("POST", "/checkpoints", claims=HEAD1, body=checkpoint_body())
    assert first.status == 201
    # The identical request again is a retry: the first result, not a conflict (idempotent creates)
    repeat = stack.request("POST", "/checkpoints", claims=HEAD1, body=checkpoint_body())
    assert (repeat.status, repeat.json) == (201, first.json)
    # Another checkpoint under the taken id is a conflict naming the id
    again = stack.request("POST", "/checkpoints", claims=HEAD1, body=checkpoint_body(name="湖滨社区南门"))
    assert again.status == 409
    assert again.json["fields"][0]["field"] == "checkpoint_id"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "airport_lounge"}, "kind"),
        ({"community_id": "411202-099"}, "community_id"),
        ({"location": {"latitude": 39.9, "longitude": 116.4, "place": "北京"}}, "location.latitude"),
        ({"entrances": ["北门", "北门"]}, "entrances"),
        ({"checkpoint_id": "CP GATE"}, "checkpoint_id"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_checkpoint_input_names_the_field_and_writes_nothing(stack: Stack, overrides: dict[str, Any], field: str) -> None:
    response = stack.request("POST", "/checkpoints", claims=HEAD1, body=checkpoint_body(**overrides))
    assert response.status in (400, 422), response.json
    assert field in [item["field"] for item in response.json["fields"]]
    assert stack.client("dynamodb").scan(TableName=stack.table("CheckpointsTable"))["Count"] == 0


def test_listing_follows_scope(stack: Stack) -> None:
    # Given checkpoints in two communities of Hubin
    stack.request("POST", "/checkpoints", claims=HEAD1, body=checkpoint_body())
    stack.request("POST", "/checkpoints", claims=HEAD2, body=checkpoint_body(checkpoint_id="cp-gate-2", community_id="411202-002"))
    # Then each head sees their own community, the county commander sees both, a staff member their own checkpoint
    assert [c["checkpoint_id"] for c in stack.request("GET", "/checkpoints", claims=HEAD1).json] == ["cp-gate-1"]
    assert [c["checkpoint_id"] for c in stack.request("GET", "/checkpoints", claims=HEAD2).json] == ["cp-gate-2"]
    assert sorted(c["checkpoint_id"] for c in stack.request("GET", "/checkpoints", claims=HUBIN_COMMANDER).json) == ["cp-gate-1", "cp-gate-2"]
    assert [c["checkpoint_id"] for c in stack.request("GET", "/checkpoints", claims=STAFF1).json] == ["cp-gate-1"]
    # And asking for another community is refused
    assert stack.request("GET", "/checkpoints", claims=HEAD1, query={"community_id": "411202-002"}).status == 403


def test_staff_read_their_own_checkpoint_but_not_another(stack: Stack) -> None:
    stack.request("POST", "/checkpoints", claims=HEAD1, body=checkpoint_body())
    stack.request("POST", "/checkpoints", claims=HEAD1, body=checkpoint_body(checkpoint_id="cp-gate-2"))
    assert stack.request("GET", "/checkpoints/cp-gate-1", claims=STAFF1).status == 200
    assert stack.request("GET", "/checkpoints/cp-gate-2", claims=STAFF1).status == 403


def test_editing_is_audited_with_before_and_after(stack: Stack) -> None:
    stack.request("POST", "/checkpoints", claims=HEAD1, body=checkpoint_body())
    edited = stack.request("PATCH", "/checkpoints/cp-gate-1", claims=HEAD1, body={"entrances": ["北门"], "active": False})
    assert edited.status == 200, edited.json
    assert edited.json["entrances"] == ["北门"]
    assert edited.json["active"] is False
    items = stack.client("dynamodb").scan(TableName=stack.table("AuditTable"))["Items"]
    edit = next(item for item in items if item["action"]["S"] == "checkpoint.edit")
    assert edit["before"]["S"] != edit["after"]["S"]
    assert stack.request("PATCH", "/checkpoints/cp-gate-1", claims=HEAD2, body={"active": True}).status == 403


def test_assigning_staff_creates_a_scoped_account_and_records_it(stack: Stack) -> None:
    # Given a checkpoint, When its community head assigns a new staff account
    stack.request("POST", "/checkpoints", claims=HEAD1, body=checkpoint_body())
    assigned = stack.request("POST", "/checkpoints/cp-gate-1/staff", claims=HEAD1, body={"username": "gate1.wang", "temporary_password": "Temp2020pass"})
    # Then a Cognito user in the checkpoint_staff group carries the checkpoint as its scope
    assert assigned.status == 201, assigned.json
    idp = stack.client("cognito-idp")
    user = idp.admin_get_user(UserPoolId=stack.deployment.user_pool_id, Username="gate1.wang")
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["custom:checkpoint_id"] == "cp-gate-1"
    groups = idp.admin_list_groups_for_user(UserPoolId=stack.deployment.user_pool_id, Username="gate1.wang")["Groups"]
    assert [g["GroupName"] for g in groups] == ["checkpoint_staff"]
    # And the assignment is listed and audited
    assert [s["username"] for s in stack.request("GET", "/checkpoints/cp-gate-1/staff", claims=HEAD1).json["items"]] == ["gate1.wang"]
    assert "checkpoint.staff.assign" in audit_actions(stack)


def test_another_community_head_cannot_staff_my_checkpoint(stack: Stack) -> None:
    stack.request("POST", "/checkpoints", claims=HEAD1, body=checkpoint_body())
    response = stack.request("POST", "/checkpoints/cp-gate-1/staff", claims=HEAD2, body={"username": "gate1.li", "temporary_password": "Temp2020pass"})
    assert response.status == 403


def test_a_taken_username_leaves_no_assignment_behind(stack: Stack) -> None:
    # Given a staff account that exists already
    stack.request("POST", "/checkpoints", claims=HEAD1, body=checkpoint_body())
    stack.request("POST", "/checkpoints", claims=HEAD1, body=checkpoint_body(checkpoint_id="cp-gate-2"))
    body = {"username": "gate1.zhao", "temporary_password": "Temp2020pass"}
    assert stack.request("POST", "/checkpoints/cp-gate-1/staff", claims=HEAD1, body=body).status == 201
    # When the same username is assigned to another checkpoint, Then Cognito refuses and nothing is recorded
    again = stack.request("POST", "/checkpoints/cp-gate-2/staff", claims=HEAD1, body=body)
    assert again.status == 409
    assert stack.request("GET", "/checkpoints/cp-gate-2/staff", claims=HEAD1).json["items"] == []
