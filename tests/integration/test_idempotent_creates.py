"""Idempotent creates: a create repeated with the same ``Idempotency-Key`` — or, without one, the identical request
from the same person shortly after — makes one record and answers the first result; the same key with another
body is refused. Every POST that answers 201 is such a create and documents the header.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from infra.openapi import declared_module, http_functions
from sanmenxia import clock
from tests.integration.test_cotravel import COMMANDER, case_trip
from tests.integration.test_enterprises import ENTERPRISE1, PLAN
from tests.integration.test_enterprises import register as register_enterprise
from tests.integration.test_hotline import OPERATOR
from tests.integration.test_residents import register as register_resident
from tests.integration.test_supplies import OFFICER
from tests.integration.test_tipoffs import REPORTER, tipoff
from tests.support.stack import Stack, claims_for

RESIDENT = claims_for("sub-idem-resident", "resident")


@dataclass(frozen=True)
class Create:
    path: str
    claims: dict[str, Any]
    body: Callable[[str], dict[str, Any]]  # a body, varied by its argument
    setup: Callable[[Stack], None] = lambda stack: None


def _call(variant: str) -> dict[str, Any]:
    return {
        "type": "help_request",
        "summary": f"独居老人缺降压药{variant}",
        "community_id": "411202-001",
        "address": "湖滨区前进路8号",
        "caller_phone": "13912345678",
    }


def _supply(variant: str) -> dict[str, Any]:
    needed_by = (clock.today() + timedelta(days=3)).isoformat()
    return {
        "item": "masks",
        "tier": "frontline_prevention",
        "quantity": 10 + len(variant),
        "needed_by": needed_by,
        "unit_kind": "community",
        "unit_id": "411202-001",
        "unit_name": "湖滨社区",
    }


def _application(variant: str) -> dict[str, Any]:
    return {"planned_date": (clock.today() + timedelta(days=3 + len(variant))).isoformat(), "prevention_plan": PLAN}


CREATES = {
    "tip-off": Create("/tipoffs", REPORTER, lambda v: tipoff(description=f"有人在群里散布谣言{v}")),
    "help message": Create("/portal/help-messages", RESIDENT, lambda v: {"kind": "food", "message": f"需要蔬菜{v}", "community_id": "411202-001"}),
    "hardship request": Create(
        "/residents/me/hardship-requests",
        RESIDENT,
        lambda v: {"kind": "medicine", "description": f"降压药吃完了{v}"},
        setup=lambda stack: register_resident(stack, "sub-idem-resident", 1) and None,
    ),
    "call": Create("/hotline/orders", OPERATOR, _call),
    "case trips": Create("/co-travel/case-trips", COMMANDER, lambda v: {"trips": [case_trip(number=f"G{1234 + len(v)}")]}),
    "supply request": Create("/supplies/requests", OFFICER, _supply),
    "enterprise application": Create("/enterprises/ent-demo-1/resumption", ENTERPRISE1, _application, setup=lambda stack: register_enterprise(stack)),
}


def _footprint(stack: Stack) -> dict[str, int]:
    """Items per table (the idempotency records aside) and messages per queue: what a create leaves behind."""
    dynamodb, sqs = stack.client("dynamodb"), stack.client("sqs")
    skip = stack.table("IdempotencyTable")
    counts = {name: dynamodb.scan(TableName=name, Select="COUNT")["Count"] for name in dynamodb.list_tables()["TableNames"] if name != skip}
    for url in sqs.list_queues().get("QueueUrls", []):
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])[
            "Attributes"
        ]
        counts[url] = int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])
    return counts


@pytest.mark.parametrize("name", sorted(CREATES))
def test_a_repeat_with_the_same_key_makes_one_record_and_answers_the_first_result(stack: Stack, name: str) -> None:
    create = CREATES[name]
    create.setup(stack)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    # Given a create sent with a key
    first = stack.request("POST", create.path, claims=create.claims, body=create.body("a"), headers=key)
    assert first.status == 201, first.json
    after_first = _footprint(stack)
    # When it is sent again (a client retry after a lost answer)
    again = stack.request("POST", create.path, claims=create.claims, body=create.body("a"), headers=key)
    # Then the answer is the first one and nothing more was written or queued
    assert (again.status, again.json) == (201, first.json)
    assert _footprint(stack) == after_first
    # And the same key with another body is refused, naming the header
    other = stack.request("POST", create.path, claims=create.claims, body=create.body("bb"), headers=key)
    assert other.status == 422 and other.json["fields"][0]["field"] == "Idempotency-Key", other.json
    assert _footprint(stack) == after_first


@pytest.mark.parametrize("name", sorted(CREATES))
def test_an_identical_request_without_a_key_returns_the_record_already_made(stack: Stack, name: str) -> None:
    create = CREATES[name]
    create.setup(stack)
    first = stack.request("POST", create.path, claims=create.claims, body=create.body("a"))
    assert first.status == 201, first.json
    after_first = _footprint(stack)
    again = stack.request("POST", create.path, claims=create.claims, body=create.body("a"))
    assert (again.status, again.json) == (201, first.json)
    assert _footprint(stack) == after_first


def test_a_different_request_without_a_key_is_a_new_record(stack: Stack) -> None:
    first = stack.request("POST", "/tipoffs", claims=REPORTER, body=tipoff(description="第一条线索"))
    second = stack.request("POST", "/tipoffs", claims=REPORTER, body=tipoff(description="第二条线索"))
    assert (first.status, second.status) == (201, 201)
    assert first.json["tipoff_id"] != second.json["tipoff_id"]


def test_a_bad_key_is_a_400_naming_the_header(stack: Stack) -> None:
    response = stack.request("POST", "/tipoffs", claims=REPORTER, body=tipoff(), headers={"Idempotency-Key": "no spaces allowed here"})
    assert response.status == 400 and response.json["fields"][0]["field"] == "Idempotency-Key"


def test_every_create_documents_the_idempotency_key() -> None:
    # Given every POST route that answers 201 (a create), in every function
    missing = []
    for function in http_functions():
        app = declared_module(function).app
        document = app.openapi_document()
        for path, operations in document["paths"].items():
            post = operations.get("post")
            if post and "201" in post["responses"]:
                names = [parameter["name"] for parameter in post.get("parameters", []) if parameter["in"] == "header"]
                if "Idempotency-Key" not in names:
                    missing.append(f"POST {path}")
    # Then each documents the header it honours
    assert not missing, missing


def test_the_remembered_result_holds_no_personal_data_in_clear(stack: Stack) -> None:
    # Given an operator's call record, whose answer carries the caller's phone for the operator
    create = CREATES["call"]
    first = stack.request("POST", create.path, claims=create.claims, body=create.body("a"))
    assert first.status == 201 and "13912345678" in first.body.decode(), first.json
    # Then the idempotency record that replays it does not hold the phone in clear
    items = stack.client("dynamodb").scan(TableName=stack.table("IdempotencyTable"))["Items"]
    assert items and "13912345678" not in str(items)
    # And a repeat still answers the first result
    again = stack.request("POST", create.path, claims=create.claims, body=create.body("a"))
    assert (again.status, again.json) == (201, first.json)
