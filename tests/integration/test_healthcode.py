"""Health code on moto: apply, check-in, holds, tokens and QR, verify, appeals, dependents, scope, bad input."""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from infra.local import events
from sanmenxia import clock
from sanmenxia.clock import SHANGHAI
from sanmenxia.healthcode.store import HealthCodeStore
from sanmenxia.healthcode.tokens import verify_token
from sanmenxia.holds import HoldKind, HoldStore
from sanmenxia.idnumber import make_id_number
from tests.integration.test_healthcode_daily import pause_moto_queue_consumers
from tests.support.stack import Stack, claims_for

DAY0 = date(2020, 2, 10)
CHECKPOINT = claims_for("sub-cp", "checkpoint_staff", checkpoint_id="cp-demo-1")
HEAD_OWN = claims_for("sub-head1", "community_head", community_id="411202-001", county_code="411202")
HEAD_OTHER = claims_for("sub-head2", "community_head", community_id="411202-002", county_code="411202")
DECLARATION = {"fever": False, "in_isolation": False, "declaration_accepted": True}
_serial = itertools.count(1)


def set_day(day: date, at: time = time(12, 0)) -> None:
    """Move the platform clock to ``day`` at ``at`` in Asia/Shanghai."""
    moment = datetime.combine(day, at, tzinfo=SHANGHAI)
    clock.set_offset((moment - datetime.now(UTC)).total_seconds())


@pytest.fixture(autouse=True)
def _day0(stack: Stack) -> Iterator[None]:
    pause_moto_queue_consumers(stack)
    set_day(DAY0)
    yield
    clock.set_offset(0)


@dataclass
class Resident:
    claims: dict[str, Any]
    id_number: str
    person_id: str = ""


def resident(stack: Stack, *, register_too: bool = True, community: str = "411202-001") -> Resident:
    """A fresh signed-in resident (unique account and ID number), registered unless told otherwise."""
    serial = next(_serial)
    who = Resident(claims_for(f"sub-resident-{serial}", "resident"), make_id_number("411202", date(1990, 3, 7), serial))
    if register_too:
        body = {
            "name": "张三丰",
            "id_number": who.id_number,
            "phone": "13812345678",
            "county_code": community[:6],
            "community_id": community,
            "address": "湖滨区前进路1号",
        }
        response = stack.request("POST", "/residents", claims=who.claims, body=body)
        assert response.status == 201, response.json
        who.person_id = str(response.json["person_id"])
    return who


def applied(stack: Stack, **declaration: bool) -> Resident:
    who = resident(stack)
    response = stack.request("POST", "/health-codes", claims=who.claims, body={**DECLARATION, **declaration})
    assert response.status == 201, response.json
    return who


def items_of(stack: Stack, person_id: str) -> int:
    table = stack.table("HealthCodeTable")
    return int(
        stack.client("dynamodb").query(TableName=table, KeyConditionExpression="person_id = :p", ExpressionAttributeValues={":p": {"S": person_id}})["Count"]
    )


def holds_of(stack: Stack, person_id: str) -> int:
    table = stack.table("HoldsTable")
    return int(
        stack.client("dynamodb").query(TableName=table, KeyConditionExpression="person_id = :p", ExpressionAttributeValues={":p": {"S": person_id}})["Count"]
    )


def headers_of(stack: Stack, path: str, claims: dict[str, Any] | None = None) -> dict[str, str]:
    """Response headers of a GET (REST responses carry them in ``multiValueHeaders``, which
    ``Stack.request`` does not read)."""
    raw = stack.invoke("HealthCodeFunction", events.api_event("GET", path, resource=path, claims=claims))
    return {key.lower(): values[0] for key, values in (raw.get("multiValueHeaders") or {}).items()}


def queue_messages(stack: Stack, logical_id: str) -> list[dict[str, Any]]:
    """Every message waiting on a queue (received and deleted)."""
    sqs = stack.client("sqs")
    url = stack.table(logical_id)
    found: list[dict[str, Any]] = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        found += [json.loads(message["Body"]) for message in messages]
        sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])
    return found


# -- application ----------------------------------------------------------------------------------------------
def test_a_registered_resident_with_nothing_against_them_gets_green(stack: Stack) -> None:
    # Given a registered resident, When they apply with the honest declaration
    who = resident(stack)
    response = stack.request("POST", "/health-codes", claims=who.claims, body=DECLARATION)
    # Then the code is green since today, with the rule as the only reason
    assert response.status == 201, response.json
    code = response.json
    assert (code["person_id"], code["color"], code["since"], code["checkins_to_green"]) == (who.person_id, "green", "2020-02-10", 0)
    assert [reason["kind"] for reason in code["reasons"]] == ["rule"]
    # And the reason comes as a code the app puts in words (the sentence stays for other readers)
    assert (code["reasons"][0]["reason_code"], code["reasons"][0]["reason_params"]) == ("rule_green", {})
    assert code["name"] == "张**"


def test_applying_before_registering_is_404(stack: Stack) -> None:
    who = resident(stack, register_too=False)
    response = stack.request("POST", "/health-codes", claims=who.claims, body=DECLARATION)
    assert response.status == 404
    assert "POST /residents" in response.json["message"]


def test_a_second_application_is_409_and_writes_nothing(stack: Stack) -> None:
    # Given a resident with a code
    who = applied(stack)
    before = items_of(stack, who.person_id)
    # When they apply again (declaring a fever this time)
    again = stack.request("POST", "/health-codes", claims=who.claims, body={**DECLARATION, "fever": True})
    # Then 409, and neither a record nor a hold was written
    assert again.status == 409
    assert items_of(stack, who.person_id) == before
    assert holds_of(stack, who.person_id) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**DECLARATION, "declaration_accepted": False}, "declaration_accepted"),
        ({"fever": False, "in_isolation": False}, "declaration_accepted"),
        ({**DECLARATION, "fever": "no"}, "fever"),
        ({**DECLARATION, "extra": 1}, "extra"),
    ],
)
def test_a_bad_application_names_the_field_and_writes_nothing(stack: Stack, body: dict[str, Any], field: str) -> None:
    who = resident(stack)
    response = stack.request("POST", "/health-codes", claims=who.claims, body=body)
    assert response.status == 422, response.json
    assert field in [item["field"] for item in response.json["fields"]]
    assert items_of(stack, who.person_id) == 0


def test_declared_isolation_and_fever_place_holds_and_set_the_colour(stack: Stack) -> None:
    # Given an application declaring isolation and fever
    who = applied(stack, in_isolation=True, fever=True)
    # When the resident reads their code
    code = stack.request("GET", "/health-codes/me", claims=who.claims).json
    # Then it is red (the worst hold) while the rule colour stays green, each hold with its source
    assert (code["color"], code["rule_color"]) == ("red", "green")
    holds = {reason["hold"]: reason for reason in code["reasons"] if reason["kind"] == "hold"}
    assert set(holds) == {"isolation#declaration", "fever#declaration"}
    assert {reason["source"] for reason in holds.values()} == {"health_code"}
    assert {key: reason["reason_code"] for key, reason in holds.items()} == {
        "isolation#declaration": "isolation_declared",
        "fever#declaration": "fever_declared",
    }
    assert code["green_blocked_by_holds"] is True


def test_a_hold_placed_by_another_platform_shows_with_its_source(stack: Stack) -> None:
    # Given a green code and a co-travel hold placed through the holds interface
    who = applied(stack)
    HoldStore(stack.client("dynamodb"), stack.table("HoldsTable")).place(
        who.person_id, HoldKind.CO_TRAVEL, source="co_travel", source_ref="trip-G1234", reason="same carriage as a confirmed case"
    )
    # Then the shown colour is yellow and the reason names co_travel
    code = stack.request("GET", "/health-codes/me", claims=who.claims).json
    assert code["color"] == "yellow"
    assert [r["source"] for r in code["reasons"] if r["kind"] == "hold"] == ["co_travel"]


def test_current_codes_for_other_platforms(stack: Stack) -> None:
    # Given one green code, one held yellow, and a person without a code
    green, held, none = applied(stack), applied(stack, fever=True), resident(stack)
    store = HealthCodeStore(stack.client("dynamodb"), stack.table("HealthCodeTable"), HoldStore(stack.client("dynamodb"), stack.table("HoldsTable")))
    # When another platform asks for their current colours
    current = store.current([green.person_id, held.person_id, none.person_id])
    # Then it gets the shown colours, and nothing for the person without a code
    assert {pid: code.color.value for pid, code in current.items()} == {green.person_id: "green", held.person_id: "yellow"}


# -- check-in ----------------------------------------------------------------------------------------------------
def test_check_in_is_once_per_day_and_a_repeat_returns_the_first(stack: Stack) -> None:
    who = applied(stack)
    first = stack.request("POST", "/health-codes/me/check-ins", claims=who.claims, body={"temperature": 36.6, "symptoms": []})
    assert first.status == 201, first.json
    count = items_of(stack, who.person_id)
    again = stack.request("POST", "/health-codes/me/check-ins", claims=who.claims, body={"temperature": 36.9, "symptoms": ["cough"]})
    assert again.status == 200
    assert (again.json["repeat"], again.json["temperature"], again.json["symptoms"]) == (True, 36.6, [])
    assert items_of(stack, who.person_id) == count


def test_a_fever_check_in_places_a_fever_hold_and_asks_for_a_key_person_record(stack: Stack) -> None:
    who = applied(stack)
    # When the resident checks in with 37.3 °C (the threshold)
    response = stack.request("POST", "/health-codes/me/check-ins", claims=who.claims, body={"temperature": 37.3, "symptoms": ["cough"]})
    # Then the check-in is a fever, the code is yellow by a fever hold from the health code
    assert response.status == 201, response.json
    assert response.json["fever"] is True
    code = response.json["code"]
    assert code["color"] == "yellow" and code["rule_color"] == "green"
    assert [(r["hold_kind"], r["source"]) for r in code["reasons"] if r["kind"] == "hold"] == [("fever", "health_code")]
    [hold] = [r for r in code["reasons"] if r["kind"] == "hold"]
    assert (hold["reason_code"], hold["reason_params"]) == ("check_in_fever", {"temperature": "37.3"})
    # And a key-person candidate (fever without contact) is on its queue, its reason a code too
    candidates = [m for m in queue_messages(stack, "KeyPersonCandidateQueue") if m["person_id"] == who.person_id]
    assert [(m["category"], m["source"]) for m in candidates] == [("fever_without_contact", "health_code")]
    assert candidates[0]["reason_text"] == {"code": "check_in_fever", "params": {"temperature": "37.3"}}


@pytest.mark.parametrize(
    "body",
    [
        {"temperature": 33.9},
        {"temperature": 43.1},
        {"temperature": "36.6"},
        {"temperature": "abc"},
        {"temperature": None},
        {},
        {"temperature": 36.6, "symptoms": ["sneezing"]},
        {"temperature": 36.6, "symptoms": ["cough", "cough"]},
        {"temperature": 36.6, "mood": "good"},
    ],
)
def test_a_bad_check_in_is_4xx_naming_the_field_and_writes_nothing(stack: Stack, body: dict[str, Any]) -> None:
    who = applied(stack)
    before = items_of(stack, who.person_id)
    response = stack.request("POST", "/health-codes/me/check-ins", claims=who.claims, body=body)
    assert response.status == 422, response.json
    assert response.json["fields"][0]["field"].split(".")[0] in {"temperature", "symptoms", "mood"}
    assert items_of(stack, who.person_id) == before


def test_check_in_without_a_code_is_404(stack: Stack) -> None:
    who = resident(stack)
    response = stack.request("POST", "/health-codes/me/check-ins", claims=who.claims, body={"temperature": 36.6})
    assert response.status == 404


def test_a_check_in_for_someone_outside_the_household_is_403_and_writes_nothing(stack: Stack) -> None:
    alice, bob = applied(stack), applied(stack)
    before = items_of(stack, bob.person_id)
    response = stack.request("POST", "/health-codes/me/check-ins", claims=alice.claims, query={"person": bob.person_id}, body={"temperature": 36.6})
    assert response.status == 403
    assert items_of(stack, bob.person_id) == before


def test_a_household_head_applies_and_checks_in_for_a_dependent(stack: Stack) -> None:
    # Given a head with a registered child
    head = resident(stack)
    child_id = make_id_number("411202", date(2015, 6, 1), next(_serial))
    child = stack.request("POST", "/residents/me/household", claims=head.claims, body={"name": "张小", "id_number": child_id, "relation": "child"})
    member = child.json["person_id"]
    # When the head applies and checks in with ?person=
    assert stack.request("POST", "/health-codes", claims=head.claims, query={"person": member}, body=DECLARATION).status == 201
    checked = stack.request("POST", "/health-codes/me/check-ins", claims=head.claims, query={"person": member}, body={"temperature": 36.5})
    # Then the dependent's code exists and is checked in, while the head has none
    assert checked.status == 201
    assert stack.request("GET", "/health-codes/me", claims=head.claims, query={"person": member}).json["checked_in_today"] is True
    assert stack.request("GET", "/health-codes/me", claims=head.claims).status == 404


# -- tokens, QR, JWKS, verify ---------------------------------------------------------------------------------------
def test_the_token_verifies_offline_against_the_public_jwks(stack: Stack) -> None:
    who = applied(stack)
    issued = stack.request("GET", "/health-codes/me/token", claims=who.claims).json
    published = stack.request("GET", "/.well-known/jwks.json")
    assert published.status == 200
    assert headers_of(stack, "/.well-known/jwks.json")["cache-control"].startswith("public")
    verified = verify_token(issued["token"], published.json, clock.now())
    assert (verified.person_id, verified.color.value) == (who.person_id, "green")
    assert verified.expires_at - verified.issued_at == timedelta(minutes=5)


def test_qr_images_are_png_and_svg(stack: Stack) -> None:
    who = applied(stack)
    png = stack.request("GET", "/health-codes/me/qr.png", claims=who.claims)
    assert png.status == 200 and png.body.startswith(b"\x89PNG\r\n\x1a\n")
    png_headers = headers_of(stack, "/health-codes/me/qr.png", who.claims)
    assert (png_headers["content-type"], png_headers["x-code-color"]) == ("image/png", "green")
    svg = stack.request("GET", "/health-codes/me/qr.svg", claims=who.claims)
    assert svg.status == 200 and b"<svg" in svg.body[:200]
    assert headers_of(stack, "/health-codes/me/qr.svg", who.claims)["content-type"] == "image/svg+xml"


def test_checkpoint_staff_verify_a_token_and_see_colour_and_masked_name(stack: Stack) -> None:
    who = applied(stack, fever=True)
    token = stack.request("GET", "/health-codes/me/token", claims=who.claims).json["token"]
    verdict = stack.request("POST", "/health-codes/verify", claims=CHECKPOINT, body={"token": token})
    assert verdict.status == 200, verdict.json
    assert (verdict.json["valid"], verdict.json["color"], verdict.json["name"], verdict.json["reason"]) == (True, "yellow", "张**", None)


def test_a_tampered_token_is_rejected_as_bad_signature(stack: Stack) -> None:
    who = applied(stack, in_isolation=True)
    token = stack.request("GET", "/health-codes/me/token", claims=who.claims).json["token"]
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged = base64.urlsafe_b64encode(json.dumps({**claims, "col": "green"}).encode()).decode().rstrip("=")
    verdict = stack.request("POST", "/health-codes/verify", claims=CHECKPOINT, body={"token": f"{header}.{forged}.{signature}"})
    assert (verdict.status, verdict.json["valid"], verdict.json["reason"]) == (200, False, "bad signature")


def test_an_expired_token_is_rejected_as_expired(stack: Stack) -> None:
    who = applied(stack)
    token = stack.request("GET", "/health-codes/me/token", claims=who.claims).json["token"]
    set_day(DAY0, time(12, 10))
    verdict = stack.request("POST", "/health-codes/verify", claims=CHECKPOINT, body={"token": token})
    assert (verdict.json["valid"], verdict.json["reason"]) == (False, "expired")


def test_a_malformed_token_is_400_naming_the_token(stack: Stack) -> None:
    response = stack.request("POST", "/health-codes/verify", claims=CHECKPOINT, body={"token": "not-a-token"})
    assert response.status == 400
    assert response.json["fields"][0]["field"] == "token"


def test_residents_cannot_verify_tokens(stack: Stack) -> None:
    who = resident(stack)
    assert stack.request("POST", "/health-codes/verify", claims=who.claims, body={"token": "a.b.c"}).status == 403


# -- appeals, staff --------------------------------------------------------------------------------------------------
def test_an_appeal_is_recorded_and_sent_to_the_hotline_once(stack: Stack) -> None:
    who = applied(stack, in_isolation=True)
    body = {"hold": "isolation#declaration", "statement": "我已于2月8日解除隔离,请核实。"}
    response = stack.request("POST", "/health-codes/me/appeals", claims=who.claims, body=body)
    assert response.status == 201, response.json
    orders = [m for m in queue_messages(stack, "WorkOrderIntakeQueue") if m.get("requester_person_id") == who.person_id]
    assert [(m["source"], m["source_ref"], m["community_id"]) for m in orders] == [("appeal", response.json["appeal_id"], "411202-001")]
    assert stack.request("GET", "/health-codes/me", claims=who.claims).json["appeals"][0]["status"] == "submitted"
    # And the same appeal again is a retry (the first answer, no second order); another appeal against the same
    # hold is a conflict; an unknown hold is 404
    repeat = stack.request("POST", "/health-codes/me/appeals", claims=who.claims, body=body)
    assert (repeat.status, repeat.json) == (201, response.json)
    assert [m for m in queue_messages(stack, "WorkOrderIntakeQueue") if m.get("requester_person_id") == who.person_id] == []
    other = {**body, "statement": "我已于2月9日解除隔离,请再核实。"}
    assert stack.request("POST", "/health-codes/me/appeals", claims=who.claims, body=other).status == 409
    unknown = {"hold": "key_person#kp-1", "statement": "not me at all"}
    assert stack.request("POST", "/health-codes/me/appeals", claims=who.claims, body=unknown).status == 404


def test_community_heads_see_codes_in_their_community_only(stack: Stack) -> None:
    who = applied(stack)
    path = f"/health-codes/people/{who.person_id}"
    assert stack.request("GET", path, claims=HEAD_OWN).status == 200
    assert stack.request("GET", path, claims=HEAD_OTHER).status == 403
    assert stack.request("GET", path, claims=who.claims).status == 403


def test_a_community_heads_lift_of_a_self_declared_hold_needs_a_second_approval_both_audited(stack: Stack) -> None:
    who = applied(stack, fever=True)
    path = f"/health-codes/people/{who.person_id}/holds/lift"
    body = {"hold": "fever#declaration", "note": "复测体温正常"}
    assert stack.request("POST", path, claims=HEAD_OTHER, body=body).status == 403
    proposed = stack.request("POST", path, claims=HEAD_OWN, body=body)
    assert proposed.status == 202 and proposed.json["code"]["color"] == "yellow", proposed.json
    # A manual lift takes effect when a second staff member approves it (tests/integration/test_manual_changes.py)
    proposal_id = proposed.json["proposal"]["proposal_id"]
    commander = claims_for("sub-cmd", "commander", county_code="411202")
    lifted = stack.request("POST", f"/health-codes/hold-proposals/{proposal_id}/approve", claims=commander, body={"note": "同意"})
    assert lifted.status == 200, lifted.json
    assert lifted.json["code"]["color"] == "green"
    audits = stack.client("dynamodb").query(
        TableName=stack.table("AuditTable"), KeyConditionExpression="target = :t", ExpressionAttributeValues={":t": {"S": f"proposal#{proposal_id}"}}
    )["Items"]
    actions = sorted((item["action"]["S"], item["actor"]["S"]) for item in audits)
    assert actions == [("health_code.proposal.approve", "sub-cmd"), ("health_code.proposal.lift", "sub-head1")]


def test_holds_of_other_platforms_are_lifted_there_not_here(stack: Stack) -> None:
    who = applied(stack)
    HoldStore(stack.client("dynamodb"), stack.table("HoldsTable")).place(
        who.person_id, HoldKind.KEY_PERSON, source="key_persons", source_ref="kp-9", reason="close contact"
    )
    response = stack.request("POST", f"/health-codes/people/{who.person_id}/holds/lift", claims=HEAD_OWN, body={"hold": "key_person#kp-9", "note": "x"})
    assert response.status == 409
    assert "key_persons" in response.json["message"]


def test_no_clear_personal_data_in_the_health_code_table(stack: Stack) -> None:
    who = applied(stack, in_isolation=True)
    stack.request("POST", "/health-codes/me/check-ins", claims=who.claims, body={"temperature": 36.6})
    statement = "我是张三丰,电话13812345678"
    stack.request("POST", "/health-codes/me/appeals", claims=who.claims, body={"hold": "isolation#declaration", "statement": statement})
    dump = str(stack.client("dynamodb").scan(TableName=stack.table("HealthCodeTable"))["Items"])
    for secret in (who.id_number, "张三丰", "13812345678", "前进路", statement):
        assert secret not in dump
