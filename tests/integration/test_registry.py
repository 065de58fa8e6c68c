"""Registry function on moto: registration, masking, households, scope, bad input."""

from __future__ import annotations

from datetime import date

import pytest

from sanmenxia.idnumber import make_id_number
from tests.support.stack import Stack, claims_for

ALICE_ID = make_id_number("411202", date(1990, 3, 7), 123)
RESIDENT = claims_for("sub-alice", "resident")


def resident_body(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "name": "张三丰",
        "id_number": ALICE_ID,
        "phone": "13812345678",
        "county_code": "411202",
        "community_id": "411202-001",
        "address": "湖滨区前进路1号",
    }
    body.update(overrides)
    return body


def test_register_and_read_back_masked(stack: Stack) -> None:
    # Given a signed-in resident, When they register
    created = stack.request("POST", "/residents", claims=RESIDENT, body=resident_body())
    # Then the record comes back masked
    assert created.status == 201, created.json
    assert created.json["name"] == "张**"
    assert created.json["id_number"] == ALICE_ID[:6] + "********" + ALICE_ID[-4:]
    assert created.json["phone"] == "138****5678"
    mine = stack.request("GET", "/residents/me", claims=RESIDENT)
    assert mine.status == 200
    assert mine.json["person_id"] == created.json["person_id"]


def test_same_id_number_twice_is_a_conflict(stack: Stack) -> None:
    assert stack.request("POST", "/residents", claims=RESIDENT, body=resident_body()).status == 201
    again = stack.request("POST", "/residents", claims=claims_for("sub-bob", "resident"), body=resident_body())
    assert again.status == 409
    assert again.json["fields"][0]["field"] == "id_number"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (resident_body(id_number=ALICE_ID[:-1] + ("0" if ALICE_ID[-1] != "0" else "1")), "id_number"),
        (resident_body(id_number="991202199003071230"), "id_number"),
        (resident_body(id_number="411202199002301230"), "id_number"),
        (resident_body(phone="12345"), "phone"),
        (resident_body(county_code="999999"), "county_code"),
        (resident_body(favourite_colour="red"), "favourite_colour"),
        (resident_body(name=7), "name"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(stack: Stack, body: dict[str, object], field: str) -> None:
    response = stack.request("POST", "/residents", claims=RESIDENT, body=body)
    assert response.status == 422, response.json
    assert field in [item["field"] for item in response.json["fields"]]
    assert stack.client("dynamodb").scan(TableName=stack.table("PeopleTable"))["Count"] == 0


def test_malformed_json_is_400(stack: Stack) -> None:
    response = stack.request("POST", "/residents", claims=RESIDENT, body="{not json")
    assert response.status == 400
    assert response.json["error"] == "malformed_json"


def test_oversized_body_is_413(stack: Stack) -> None:
    response = stack.request("POST", "/residents", claims=RESIDENT, body=resident_body(address="x" * 70_000))
    assert response.status == 413


def test_community_head_reads_own_community_but_not_another(stack: Stack) -> None:
    person = stack.request("POST", "/residents", claims=RESIDENT, body=resident_body()).json
    own = claims_for("sub-head1", "community_head", community_id="411202-001", county_code="411202")
    foreign = claims_for("sub-head2", "community_head", community_id="411202-002", county_code="411202")
    assert stack.request("GET", f"/residents/{person['person_id']}", claims=own).status == 200
    assert stack.request("GET", f"/residents/{person['person_id']}", claims=foreign).status == 403


def test_resident_cannot_use_staff_route(stack: Stack) -> None:
    response = stack.request("GET", "/residents/" + "a" * 24, claims=RESIDENT)
    assert response.status == 403


def test_household_member_is_registered_under_the_head(stack: Stack) -> None:
    stack.request("POST", "/residents", claims=RESIDENT, body=resident_body())
    child = make_id_number("411202", date(2015, 6, 1), 124)
    member = stack.request("POST", "/residents/me/household", claims=RESIDENT, body={"name": "张小", "id_number": child, "relation": "child"})
    assert member.status == 201, member.json
    household = stack.request("GET", "/residents/me/household", claims=RESIDENT).json["items"]
    assert sorted(item["relation"] for item in household) == ["child", "self"]


def test_no_clear_personal_data_in_storage(stack: Stack) -> None:
    stack.request("POST", "/residents", claims=RESIDENT, body=resident_body())
    dump = str(stack.client("dynamodb").scan(TableName=stack.table("PeopleTable"))["Items"])
    for secret in (ALICE_ID, "张三丰", "13812345678", "前进路"):
        assert secret not in dump


def test_public_regions_need_no_token(stack: Stack) -> None:
    response = stack.request("GET", "/regions")
    assert response.status == 200
    assert [county["county_code"] for county in response.json] == ["411202", "411203", "411221", "411224", "411281", "411282"]


ADMIN = claims_for("sub-admin", "admin", username="admin1")


def test_admin_creates_a_scoped_staff_account_and_the_write_is_audited(stack: Stack) -> None:
    # Given an admin, When they create a community head for one community
    response = stack.request(
        "POST",
        "/staff",
        claims=ADMIN,
        body={"username": "head-hubin-3", "temporary_password": "Temp2020pass", "role": "community_head", "scope": {"community_id": "411202-003"}},
    )
    # Then the account exists in the role's group with its scope (county derived from the community)
    assert response.status == 201, response.json
    assert response.json["scope"] == {"community_id": "411202-003", "county_code": "411202"}
    idp = stack.client("cognito-idp")
    pool = stack.deployment.user_pool_id
    groups = idp.admin_list_groups_for_user(UserPoolId=pool, Username="head-hubin-3")["Groups"]
    assert [group["GroupName"] for group in groups] == ["community_head"]
    attributes = {a["Name"]: a["Value"] for a in idp.admin_get_user(UserPoolId=pool, Username="head-hubin-3")["UserAttributes"]}
    assert attributes["custom:community_id"] == "411202-003"
    # And an audit record names who did it
    audit = stack.client("dynamodb").query(
        TableName=stack.table("AuditTable"), KeyConditionExpression="target = :t", ExpressionAttributeValues={":t": {"S": "account#head-hubin-3"}}
    )["Items"]
    assert [(item["actor"]["S"], item["role"]["S"], item["action"]["S"]) for item in audit] == [("admin1", "admin", "staff.create")]


def test_staff_accounts_need_the_admin_role_and_a_valid_scope(stack: Stack) -> None:
    body = {"username": "cp-staff-9", "temporary_password": "Temp2020pass", "role": "checkpoint_staff", "scope": {}}
    assert stack.request("POST", "/staff", claims=claims_for("sub-c", "commander"), body=body).status == 403
    missing = stack.request("POST", "/staff", claims=ADMIN, body=body)
    assert missing.status == 400
    assert missing.json["fields"][0]["field"] == "scope.checkpoint_id"
    unknown = stack.request("POST", "/staff", claims=ADMIN, body={**body, "scope": {"checkpoint_id": "cp-1", "planet": "mars"}})
    assert unknown.status == 400
    assert stack.request("POST", "/staff", claims=ADMIN, body={**body, "role": "emperor"}).status == 422
