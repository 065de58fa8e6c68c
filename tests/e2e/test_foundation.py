"""The foundation over HTTP, as a new user meets it: config, sign-in through Cognito, 401/403, registration,
the control API, OpenAPI, and no personal data in clear anywhere after the run."""

from __future__ import annotations

import base64
import json
import random
from datetime import date

import boto3
import pytest
from botocore.exceptions import ClientError

from sanmenxia.idnumber import make_id_number
from tests.e2e.conftest import LocalStack


def test_config_has_the_documented_shape(local_stack: LocalStack) -> None:
    config = local_stack.request("GET", "/_local/config").json
    for key in ("api_url", "aws_endpoint_url", "region", "user_pool_id", "user_pool_client_id", "demo_accounts"):
        assert key in config
    roles = {account["role"] for account in config["demo_accounts"]}
    assert {"resident", "checkpoint_staff", "community_head", "hotline_operator", "commander", "admin"} <= roles
    assert all({"username", "password", "role", "scope"} <= set(account) for account in config["demo_accounts"])


def test_a_user_made_locally_signs_in_with_boto3_and_the_token_is_accepted(local_stack: LocalStack) -> None:
    # Given a user created through the control API
    username = local_stack.new_user("community_head", {"community_id": "411221-003"})
    # When they sign in with Cognito's own InitiateAuth against the local endpoint
    config = local_stack.config
    idp = boto3.client("cognito-idp", endpoint_url=config["aws_endpoint_url"], region_name=config["region"], aws_access_key_id="x", aws_secret_access_key="x")
    token = idp.initiate_auth(
        ClientId=config["user_pool_client_id"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": username, "PASSWORD": "Sanmenxia2020"}
    )["AuthenticationResult"]["IdToken"]
    # Then the API accepts the token with and without "Bearer", and sees the role and scope
    me = local_stack.request("GET", "/me", token=token)
    assert me.status == 200
    assert me.json["roles"] == ["community_head"]
    assert me.json["scope"]["community_id"] == "411221-003"
    bare = local_stack.request("GET", "/me", headers={"Authorization": token})
    assert bare.status == 200


def test_no_token_is_401_and_a_forged_token_is_401(local_stack: LocalStack) -> None:
    assert local_stack.request("GET", "/residents/me").status == 401
    assert local_stack.request("GET", "/residents/me", token="eyJhbGciOiJIUzI1NiJ9.e30.x").status == 401


def test_register_read_own_record_and_foreign_scope_is_403(local_stack: LocalStack) -> None:
    # Given a resident of community 411203-004 and two community heads
    resident = local_stack.new_user("resident")
    id_number = make_id_number("411203", date(1985, 5, 20), 321)
    created = local_stack.call(
        "POST",
        "/residents",
        resident,
        {"name": "王五", "id_number": id_number, "phone": "13900001111", "county_code": "411203", "community_id": "411203-004", "address": "大营镇1号"},
    )
    assert created.status == 201, created.body
    # When the resident reads their own record, it is masked
    mine = local_stack.call("GET", "/residents/me", resident).json
    assert mine["id_number"] == "411203********" + id_number[-4:]
    # Then the head of that community may read it, and the head of another community gets 403
    own_head = local_stack.new_user("community_head", {"community_id": "411203-004"})
    other_head = local_stack.new_user("community_head", {"community_id": "411203-005"})
    assert local_stack.call("GET", f"/residents/{mine['person_id']}", own_head).status == 200
    assert local_stack.call("GET", f"/residents/{mine['person_id']}", other_head).status == 403


def test_bad_input_is_a_clear_4xx_and_writes_nothing(local_stack: LocalStack) -> None:
    resident = local_stack.new_user("resident")
    bad = local_stack.request("POST", "/residents", token=local_stack.token(resident), raw=b'{"name": ')
    assert bad.status == 400
    assert bad.json["error"] == "malformed_json"
    wrong = local_stack.call(
        "POST", "/residents", resident, {"name": "x", "id_number": "123", "phone": 5, "county_code": "411202", "community_id": "411202-001", "address": "a"}
    )
    assert wrong.status == 422
    assert {"id_number", "phone"} <= {item["field"] for item in wrong.json["fields"]}
    assert local_stack.call("GET", "/residents/me", resident).status == 404


def test_control_clock_advances_day_by_day(local_stack: LocalStack) -> None:
    before = date.fromisoformat(local_stack.today())
    result = local_stack.advance(2)
    assert date.fromisoformat(result["today"]) == date.fromordinal(before.toordinal() + 2)
    assert isinstance(result["fired"], list)
    assert local_stack.request("POST", "/_local/clock/advance", body={"days": "two"}).status == 422


def test_openapi_document_covers_every_route_with_roles(local_stack: LocalStack) -> None:
    from infra.local import template

    document = local_stack.request("GET", "/openapi.json").json
    for route in template.routes():
        operation = document["paths"][route.path][route.method.lower()]
        assert operation["x-roles"], route
    assert local_stack.request("GET", "/docs").status == 200


def test_no_clear_personal_data_in_tables_objects_or_logs(local_stack: LocalStack) -> None:
    # Given a registration with recognisable personal data
    resident = local_stack.new_user("resident")
    id_number = make_id_number("411282", date(1972, 12, 1), 777)
    body = {
        "name": "欧阳明月",
        "id_number": id_number,
        "phone": "13711112222",
        "county_code": "411282",
        "community_id": "411282-002",
        "address": "函谷关路88号",
    }
    assert local_stack.call("POST", "/residents", resident, body).status == 201
    local_stack.drain()
    # When every DynamoDB item, S3 object and log line is read
    config = local_stack.config
    kwargs = {"endpoint_url": config["aws_endpoint_url"], "region_name": config["region"], "aws_access_key_id": "x", "aws_secret_access_key": "x"}
    dynamodb, s3 = boto3.client("dynamodb", **kwargs), boto3.client("s3", **kwargs)
    dumps = [str(dynamodb.scan(TableName=name)["Items"]) for name in dynamodb.list_tables()["TableNames"]]
    for bucket in s3.list_buckets()["Buckets"]:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket["Name"]):
            for obj in page.get("Contents", []):
                if obj["Size"] < 5_000_000:
                    dumps.append(s3.get_object(Bucket=bucket["Name"], Key=obj["Key"])["Body"].read().decode("utf-8", errors="replace"))
    dumps.append(local_stack.logs())
    everything = "\n".join(dumps)
    # Then none of the clear values appears
    for secret in (id_number, "欧阳明月", "13711112222", "函谷关路88号"):
        assert secret not in everything


def test_a_citizen_signs_up_confirms_and_is_a_resident(local_stack: LocalStack) -> None:
    # Given a citizen who signs up with their phone number and confirms the SMS code
    idp = local_stack.cognito()
    client_id = local_stack.config["user_pool_client_id"]
    username = "1380000" + str(abs(hash(local_stack.base_url)) % 10000).zfill(4)
    idp.sign_up(ClientId=client_id, Username=username, Password="Sanmenxia2020", UserAttributes=[{"Name": "phone_number", "Value": "+86" + username}])
    idp.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode="123456")
    local_stack.drain()
    # When they sign in, Then they are in the resident group (the PostConfirmation trigger ran)
    me = local_stack.request("GET", "/me", token=local_stack.sign_in(username)).json
    assert me["roles"] == ["resident"]
    groups = idp.admin_list_groups_for_user(UserPoolId=local_stack.config["user_pool_id"], Username=username)["Groups"]
    assert [group["GroupName"] for group in groups] == ["resident"]


def _signed_up(local_stack: LocalStack, *, confirm: bool = True) -> tuple[str, str]:
    """A citizen who signed up with a user name and a mobile number (confirmed: the SMS code verified the phone)."""
    idp = local_stack.cognito()
    client_id = local_stack.config["user_pool_client_id"]
    number = "+86139" + str(random.SystemRandom().randint(10_000_000, 99_999_999))
    username = f"mobile{number[-8:]}"
    idp.sign_up(ClientId=client_id, Username=username, Password="Sanmenxia2020", UserAttributes=[{"Name": "phone_number", "Value": number}])
    if confirm:
        idp.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode="123456")
    return username, number


def _refusal(local_stack: LocalStack, username: str, password: str) -> tuple[str, str]:
    idp = local_stack.cognito()
    with pytest.raises(ClientError) as refused:
        idp.initiate_auth(
            ClientId=local_stack.config["user_pool_client_id"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": username, "PASSWORD": password}
        )
    error = refused.value.response["Error"]
    return error["Code"], error["Message"]


def test_a_citizen_signs_in_with_the_verified_mobile_number_as_their_own_account(local_stack: LocalStack) -> None:
    # Given a citizen who signed up as a user name with a mobile number and confirmed it
    username, number = _signed_up(local_stack)
    # When they sign in with the number instead of the name (the pool's phone_number alias)
    token = local_stack.sign_in(number, "Sanmenxia2020")
    # Then the token is their own account's: the user name, not the number, and the API knows them
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "==="))
    assert claims["cognito:username"] == username
    account = local_stack.cognito().admin_get_user(UserPoolId=local_stack.config["user_pool_id"], Username=username)
    assert claims["sub"] == {attr["Name"]: attr["Value"] for attr in account["UserAttributes"]}["sub"]
    assert local_stack.sign_in(username, "Sanmenxia2020")  # and the user name still works


def test_a_wrong_password_and_an_unknown_account_get_the_same_answer(local_stack: LocalStack) -> None:
    # Given one citizen, and another whose number was never verified (sign-up not confirmed)
    _, number = _signed_up(local_stack)
    _, unverified = _signed_up(local_stack, confirm=False)
    # When someone signs in with a wrong password, an unknown number, an unknown name, or an unverified number
    answers = {
        _refusal(local_stack, number, "Wrong2020x"),
        _refusal(local_stack, "+8613000000000", "Sanmenxia2020"),
        _refusal(local_stack, "nobody-" + number[-8:], "Sanmenxia2020"),
        _refusal(local_stack, unverified, "Sanmenxia2020"),
    }
    # Then every answer is the same refusal: nothing tells whether the account exists
    assert answers == {("NotAuthorizedException", "Incorrect username or password.")}
