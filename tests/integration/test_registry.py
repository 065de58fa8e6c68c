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


def _make_head(stack: Stack, username: str, community: str = "411202-003") -> None:
    body = {"username": username, "temporary_password": "Temp2020pass", "role": "community_head", "scope": {"community_id": community}}
    assert stack.request("POST", "/staff", claims=ADMIN, body=body).status == 201


def _audit_actions(stack: Stack, username: str) -> list[str]:
    items = stack.client("dynamodb").query(
        TableName=stack.table("AuditTable"), KeyConditionExpression="target = :t", ExpressionAttributeValues={":t": {"S": f"account#{username}"}}
    )["Items"]
    return sorted(item["action"]["S"] for item in items)


def test_admin_moves_a_head_to_commander_of_a_county_and_the_old_scope_goes(stack: Stack) -> None:
    # Given a community head
    _make_head(stack, "head-move-1")
    # When the admin makes them a county commander
    changed = stack.request("PUT", "/staff/head-move-1", claims=ADMIN, body={"role": "commander", "scope": {"county_code": "411203"}})
    # Then they are in the commander group only, with the county and without the old community
    assert changed.status == 200, changed.json
    assert changed.json["role"] == "commander" and changed.json["scope"] == {"county_code": "411203"}
    idp, pool = stack.client("cognito-idp"), stack.deployment.user_pool_id
    assert [g["GroupName"] for g in idp.admin_list_groups_for_user(UserPoolId=pool, Username="head-move-1")["Groups"]] == ["commander"]
    attributes = {a["Name"]: a["Value"] for a in idp.admin_get_user(UserPoolId=pool, Username="head-move-1")["UserAttributes"]}
    assert "custom:community_id" not in attributes and attributes["custom:county_code"] == "411203"
    # And each list shows them where they are now
    commanders = stack.request("GET", "/staff", claims=ADMIN, query={"role": "commander"}).json["items"]
    heads = stack.request("GET", "/staff", claims=ADMIN, query={"role": "community_head"}).json["items"]
    assert "head-move-1" in [item["username"] for item in commanders]
    assert "head-move-1" not in [item["username"] for item in heads]
    assert _audit_actions(stack, "head-move-1") == ["staff.change", "staff.create"]


def test_a_disabled_account_is_listed_as_disabled_and_enabled_again_all_audited(stack: Stack) -> None:
    _make_head(stack, "head-off-1")
    off = stack.request("POST", "/staff/head-off-1/disable", claims=ADMIN)
    assert off.status == 200, off.json
    assert off.json["enabled"] is False
    listed = {item["username"]: item for item in stack.request("GET", "/staff", claims=ADMIN, query={"role": "community_head"}).json["items"]}
    assert listed["head-off-1"]["enabled"] is False and listed["head-off-1"]["status"] == "FORCE_CHANGE_PASSWORD"
    idp, pool = stack.client("cognito-idp"), stack.deployment.user_pool_id
    assert idp.admin_get_user(UserPoolId=pool, Username="head-off-1")["Enabled"] is False
    on = stack.request("POST", "/staff/head-off-1/enable", claims=ADMIN)
    assert on.status == 200 and on.json["enabled"] is True
    assert _audit_actions(stack, "head-off-1") == ["staff.create", "staff.disable", "staff.enable"]


def test_the_staff_list_pages_with_its_cursor(stack: Stack) -> None:
    for number in range(3):
        _make_head(stack, f"head-page-{number}")
    first = stack.request("GET", "/staff", claims=ADMIN, query={"role": "community_head", "limit": "2"}).json
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = stack.request("GET", "/staff", claims=ADMIN, query={"role": "community_head", "limit": "2", "cursor": first["next_cursor"]}).json
    names = [item["username"] for item in first["items"] + rest["items"]]
    assert {"head-page-0", "head-page-1", "head-page-2"} <= set(names) and len(names) == len(set(names))
    # a cursor of another role's list is refused, naming the cursor
    other = stack.request("GET", "/staff", claims=ADMIN, query={"role": "commander", "limit": "2", "cursor": first["next_cursor"]})
    assert other.status == 400 and other.json["fields"][0]["field"] == "cursor"


@pytest.mark.parametrize(
    "claims",
    [
        claims_for("sub-cc", "commander", county_code="411202"),
        claims_for("sub-city", "commander"),
        claims_for("sub-h", "community_head", community_id="411202-003"),
        claims_for("sub-r", "resident"),
    ],
)
def test_only_an_admin_lists_changes_or_disables_staff_accounts(stack: Stack, claims: dict[str, object]) -> None:
    # Given a head of 411202-003: neither their county's commander nor a head of their own community may change it
    _make_head(stack, "head-guard-1")
    assert stack.request("GET", "/staff", claims=claims, query={"role": "community_head"}).status == 403
    assert stack.request("PUT", "/staff/head-guard-1", claims=claims, body={"role": "admin", "scope": {}}).status == 403
    assert stack.request("POST", "/staff/head-guard-1/disable", claims=claims).status == 403
    assert stack.client("cognito-idp").admin_get_user(UserPoolId=stack.deployment.user_pool_id, Username="head-guard-1")["Enabled"] is True
    assert _audit_actions(stack, "head-guard-1") == ["staff.create"]


def test_staff_changes_refuse_bad_input_residents_and_the_admins_own_account(stack: Stack) -> None:
    _make_head(stack, "head-bad-1")
    # a role that needs a scope attribute it is not given: 400 naming it, nothing changed
    missing = stack.request("PUT", "/staff/head-bad-1", claims=ADMIN, body={"role": "department_handler", "scope": {}})
    assert missing.status == 400 and missing.json["fields"][0]["field"] == "scope.department"
    groups = stack.client("cognito-idp").admin_list_groups_for_user(UserPoolId=stack.deployment.user_pool_id, Username="head-bad-1")["Groups"]
    assert [g["GroupName"] for g in groups] == ["community_head"]
    assert stack.request("PUT", "/staff/head-bad-1", claims=ADMIN, body={"role": "resident", "scope": {}}).json["fields"][0]["field"] == "role"
    assert stack.request("GET", "/staff", claims=ADMIN, query={"role": "resident"}).status == 400
    assert stack.request("PUT", "/staff/nobody-here", claims=ADMIN, body={"role": "admin", "scope": {}}).status == 404
    assert stack.request("POST", "/staff/x/disable", claims=ADMIN).status == 422  # shorter than a user name
    # an admin never disables or demotes themselves
    stack.request("POST", "/staff", claims=ADMIN, body={"username": "admin1", "temporary_password": "Temp2020pass", "role": "admin", "scope": {}})
    own = stack.request("POST", "/staff/admin1/disable", claims=ADMIN)
    assert own.status == 409 and own.json["fields"][0]["field"] == "username"
    assert _audit_actions(stack, "head-bad-1") == ["staff.create"]
