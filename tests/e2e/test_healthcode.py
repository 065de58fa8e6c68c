"""The health code over HTTP on the local stack: the seed rule driven by ``/_local/clock/advance`` (the daily close
fires from the template's schedule), the QR image, and verification by a checkpoint."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from sanmenxia.healthcode.tokens import verify_token
from sanmenxia.idnumber import make_id_number
from tests.e2e.conftest import LocalStack

DECLARATION = {"fever": False, "in_isolation": False, "declaration_accepted": True}
_serial = itertools.count(801)


def _resident_with_code(local_stack: LocalStack) -> str:
    username = local_stack.new_user("resident", prefix="hc")
    serial = next(_serial)
    body = {
        "name": "赵六",
        "id_number": make_id_number("411281", date(1979, 9, 9), serial),
        "phone": f"1370000{serial:04d}",
        "county_code": "411281",
        "community_id": "411281-001",
        "address": "义马市千秋路8号",
    }
    assert local_stack.call("POST", "/residents", username, body).status == 201
    applied = local_stack.call("POST", "/health-codes", username, DECLARATION)
    assert applied.status == 201, applied.body
    assert applied.json["color"] == "green"
    return username


def _advance(local_stack: LocalStack, days: int) -> None:
    """Move the virtual clock; the template's daily-close schedule must have fired once a day, successfully."""
    fired = [entry for entry in local_stack.advance(days)["fired"] if entry["function"] == "HealthCodeDailyCloseFunction"]
    assert len(fired) == days and all(entry["ok"] for entry in fired), fired


def _color(local_stack: LocalStack, username: str) -> str:
    return str(local_stack.call("GET", "/health-codes/me", username).json["color"])


def _check_in(local_stack: LocalStack, username: str) -> dict[str, object]:
    response = local_stack.call("POST", "/health-codes/me/check-ins", username, {"temperature": 36.4, "symptoms": []})
    assert response.status == 201, response.body
    return dict(response.json["code"])


def test_the_seed_rule_with_the_virtual_clock(local_stack: LocalStack) -> None:
    # Given two residents who apply today
    p, q = _resident_with_code(local_stack), _resident_with_code(local_stack)
    # When today ends (the application day counts) and then a day passes without a check-in
    _advance(local_stack, 1)
    assert _color(local_stack, p) == "green"
    _advance(local_stack, 1)
    # Then green → yellow; and yellow + check-in → green at once
    assert _color(local_stack, p) == "yellow"
    assert _check_in(local_stack, p)["color"] == "green"
    assert _check_in(local_stack, q)["color"] == "green"
    # When three days pass without a check-in, Then yellow after two, red after three
    _advance(local_stack, 2)
    assert _color(local_stack, p) == "yellow"
    _advance(local_stack, 2)
    assert (_color(local_stack, p), _color(local_stack, q)) == ("red", "red")
    # When P checks in on three consecutive days, Then green on the third
    assert _check_in(local_stack, p)["color"] == "red"
    _check_in(local_stack, q)
    _advance(local_stack, 1)
    assert _check_in(local_stack, p)["color"] == "red"
    _advance(local_stack, 1)
    assert _check_in(local_stack, p)["color"] == "green"
    # And Q (check-in, a missed day, check-in) is still red
    code = _check_in(local_stack, q)
    assert (code["color"], code["checkins_to_green"]) == ("red", 2)


def test_qr_png_and_a_checkpoint_verification(local_stack: LocalStack) -> None:
    # Given a resident with a code
    username = _resident_with_code(local_stack)
    # When they fetch the QR image, Then it is a PNG (binary through the gateway)
    png = local_stack.call("GET", "/health-codes/me/qr.png", username)
    assert png.status == 200 and png.body.startswith(b"\x89PNG\r\n\x1a\n")
    # And the token verifies offline with the published JWKS, and at the checkpoint with the masked name
    token = local_stack.call("GET", "/health-codes/me/token", username).json["token"]
    jwks = local_stack.request("GET", "/.well-known/jwks.json").json
    now = datetime.fromisoformat(local_stack.request("GET", "/_local/clock").json["now"]).astimezone(UTC)
    assert verify_token(token, jwks, now).color.value == "green"
    verdict = local_stack.call("POST", "/health-codes/verify", "checkpoint1", {"token": token})
    assert verdict.status == 200, verdict.body
    assert (verdict.json["valid"], verdict.json["color"], verdict.json["name"]) == (True, "green", "赵*")


def test_bad_input_over_http(local_stack: LocalStack) -> None:
    username = _resident_with_code(local_stack)
    assert local_stack.call("POST", "/health-codes/me/check-ins", username, {"temperature": 45}).status == 422
    assert local_stack.call("POST", "/health-codes/me/check-ins", username, {"temperature": "hot"}).status == 422
    # An identical repeat (a retry) answers the first result; a different second application is a conflict
    assert local_stack.call("POST", "/health-codes", username, DECLARATION).status == 201
    assert local_stack.call("POST", "/health-codes", username, {**DECLARATION, "fever": True}).status == 409
    malformed = local_stack.call("POST", "/health-codes/verify", "checkpoint1", {"token": "garbage"})
    assert malformed.status == 400 and malformed.json["fields"][0]["field"] == "token"
