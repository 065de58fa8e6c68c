"""Issue 12 on moto: revoked tokens refused at once online (gate and verify), the published revocation list, and
typed ID numbers sealed on the gate device and opened only by the checkpoints function."""

from __future__ import annotations

import base64
import os
import uuid
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from sanmenxia import clock
from sanmenxia.healthcode.revocations import person_hash
from tests.integration.test_checkpoint_scans import ALICE, ALICE_ID, BOB, BOB_ID, HEAD1, STAFF_A, gates, register, scan, signing_key, token_for
from tests.support.stack import Stack, claims_for

__all__ = ["gates"]  # the fixture, imported for these tests

CITY_COMMANDER = claims_for("sub-city", "commander", username="commander_city")
HUBIN_COMMANDER = claims_for("sub-cmd", "commander", username="commander_hubin", county_code="411202")
LINGBAO_COMMANDER = claims_for("sub-cmd-lb", "commander", username="commander_lingbao", county_code="411282")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seal(jwk: dict[str, str], id_number: str, scan_id: str) -> str:
    """What the gate device does with WebCrypto: ECDH-ES with an ephemeral P-256 key, HKDF-SHA256, AES-256-GCM."""
    server = ec.EllipticCurvePublicNumbers(int.from_bytes(_unb64(jwk["x"]), "big"), int.from_bytes(_unb64(jwk["y"]), "big"), ec.SECP256R1()).public_key()
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    shared = ephemeral.exchange(ec.ECDH(), server)
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"", info=b"sanmenxia scan id v1").derive(shared)
    iv = os.urandom(12)
    sealed = AESGCM(key).encrypt(iv, id_number.encode(), scan_id.encode())
    point = ephemeral.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return ".".join([jwk["kid"], _b64(point), _b64(iv), _b64(sealed)])


def sealing_jwk(stack: Stack) -> dict[str, str]:
    response = stack.request("GET", "/checkpoints/sealing-key", claims=STAFF_A)
    assert response.status == 200, response.json
    key: dict[str, str] = response.json["keys"][0]
    return key


def revoke(stack: Stack, claims: dict[str, Any], **body: Any) -> Any:
    return stack.request("POST", "/health-codes/revocations", claims=claims, body={"reason": "token screenshot shared 令牌截图外传", **body})


# -- sealed typed ID numbers -----------------------------------------------------------------------------
def test_a_sealed_typed_id_number_is_opened_by_the_gate_and_stored_nowhere_in_clear(gates: Stack) -> None:
    # Given a registered resident and the checkpoints' published sealing key (public half only)
    alice = register(gates, ALICE, ALICE_ID, "张三丰")
    jwk = sealing_jwk(gates)
    assert set(jwk) == {"kty", "crv", "x", "y", "kid", "alg", "use"} and "d" not in jwk
    # When the device sends a typed scan whose ID number it sealed while offline
    scan_id = f"sealed-{uuid.uuid4().hex[:12]}"
    response = scan(gates, method="typed", sealed_id_number=seal(jwk, ALICE_ID, scan_id), scan_id=scan_id, scanned_at=clock.iso())
    # Then the gate found the person, and the number is in no table in clear
    assert response.status == 201, response.json
    assert (response.json["name"], response.json["decision"]) == ("张**", "pass")
    items = gates.client("dynamodb").scan(TableName=gates.table("ScansTable"))["Items"]
    assert items[0]["person_id"]["S"] == alice
    assert ALICE_ID not in str(items)


def test_a_sealed_id_number_replayed_under_another_scan_id_is_refused_naming_the_field(gates: Stack) -> None:
    register(gates, ALICE, ALICE_ID, "张三丰")
    sealed = seal(sealing_jwk(gates), ALICE_ID, "first-scan-0001")
    response = scan(gates, method="typed", sealed_id_number=sealed, scan_id="other-scan-0002")
    assert response.status == 400
    assert response.json["fields"][0]["field"] == "sealed_id_number"
    assert ALICE_ID not in str(response.json)


def test_a_sealed_value_for_an_unknown_key_and_a_clear_plus_sealed_body_are_refused(gates: Stack) -> None:
    jwk = {**sealing_jwk(gates), "kid": "unknownkid000000"}
    unknown = scan(gates, method="typed", sealed_id_number=seal(jwk, ALICE_ID, "scan-unknown-kid"), scan_id="scan-unknown-kid")
    assert unknown.status == 400 and unknown.json["fields"][0]["field"] == "sealed_id_number"
    both = scan(gates, method="typed", id_number=ALICE_ID, sealed_id_number=seal(sealing_jwk(gates), ALICE_ID, "scan-both-0001"), scan_id="scan-both-0001")
    assert both.status == 422


def test_only_gate_staff_read_the_sealing_key(gates: Stack) -> None:
    assert gates.request("GET", "/checkpoints/sealing-key", claims=ALICE).status == 403
    assert gates.request("GET", "/checkpoints/sealing-key", claims=HEAD1).status == 200


# -- revocation ------------------------------------------------------------------------------------------
def test_a_revoked_persons_token_is_refused_at_once_and_their_next_token_passes(gates: Stack) -> None:
    # Given a resident whose QR token passes the gate
    alice = register(gates, ALICE, ALICE_ID, "张三丰")
    old_token = token_for(gates, alice)
    assert scan(gates, method="qr", token=old_token).status == 201
    # When their county's commander revokes their tokens
    revoked = revoke(gates, HUBIN_COMMANDER, kind="person", person_id=alice)
    assert revoked.status == 201, revoked.json
    assert revoked.json["person_hash"] == person_hash(alice) and alice not in str(revoked.json)
    # And its free-text reason is stored sealed, in every copy (the caller who wrote it reads it back once)
    assert revoked.json["reason"].startswith("token screenshot")
    stored = gates.client("dynamodb").scan(TableName=gates.table("HealthCodeTable"))["Items"]
    copies = [item for item in stored if item.get("sk", {}).get("S") == f"person#{alice}"]
    assert len(copies) >= 2 and all("reason_sealed" in item and "reason" not in item for item in copies)
    assert "令牌截图外传" not in str(stored) and "screenshot" not in str(stored)
    # Then the old token is refused at the gate and by the verifier, at once
    refused = scan(gates, method="qr", token=old_token)
    assert refused.status == 422 and "revoked" in refused.json["message"]
    verdict = gates.request("POST", "/health-codes/verify", claims=STAFF_A, body={"token": old_token})
    assert (verdict.json["valid"], verdict.json["reason"]) == (False, "revoked")
    # And a token issued after the revocation passes
    clock.set_offset(2)
    assert scan(gates, method="qr", token=token_for(gates, alice)).status == 201


def test_a_scan_made_offline_before_the_revocation_still_counts_when_it_arrives(gates: Stack) -> None:
    alice = register(gates, ALICE, ALICE_ID, "张三丰")
    token = token_for(gates, alice)
    scanned_at = clock.iso()
    clock.set_offset(5)
    assert revoke(gates, HUBIN_COMMANDER, kind="person", person_id=alice).status == 201
    assert scan(gates, method="qr", token=token, scanned_at=scanned_at).status == 201


def test_a_revoked_signing_key_refuses_every_token_it_signed(gates: Stack) -> None:
    alice = register(gates, ALICE, ALICE_ID, "张三丰")
    bob = register(gates, BOB, BOB_ID, "李四")
    key = signing_key(gates)
    tokens = [token_for(gates, alice, key=key), token_for(gates, bob, key=key)]
    # A county commander may not revoke a city-wide key; the city commander may
    assert revoke(gates, HUBIN_COMMANDER, kind="key", key_id=key.kid).status == 403
    assert revoke(gates, CITY_COMMANDER, kind="key", key_id=key.kid).status == 201
    for token in tokens:
        refused = scan(gates, method="qr", token=token)
        assert refused.status == 422 and "revoked" in refused.json["message"]


def test_the_published_list_names_keys_and_hashed_persons_for_scanners_only(gates: Stack) -> None:
    alice = register(gates, ALICE, ALICE_ID, "张三丰")
    key = signing_key(gates)
    assert revoke(gates, HUBIN_COMMANDER, kind="person", person_id=alice).status == 201
    assert revoke(gates, CITY_COMMANDER, kind="key", key_id=key.kid).status == 201
    listed = gates.request("GET", "/health-codes/revocations", claims=STAFF_A)
    assert listed.status == 200
    assert [entry["kid"] for entry in listed.json["keys"]] == [key.kid]
    assert [entry["person_hash"] for entry in listed.json["tokens"]] == [person_hash(alice)]
    assert alice not in str(listed.json)
    assert gates.request("GET", "/health-codes/revocations", claims=ALICE).status == 403


def test_revocation_is_scoped_audited_and_validated(gates: Stack) -> None:
    alice = register(gates, ALICE, ALICE_ID, "张三丰")
    # A commander of another county, a community head and a resident are refused
    assert revoke(gates, LINGBAO_COMMANDER, kind="person", person_id=alice).status == 403
    assert revoke(gates, HEAD1, kind="person", person_id=alice).status == 403
    assert revoke(gates, ALICE, kind="person", person_id=alice).status == 403
    # A body naming the wrong subject is a 422 naming the field; an unknown person a 404
    wrong = revoke(gates, HUBIN_COMMANDER, kind="person", key_id="abcdefgh12345678")
    assert wrong.status == 422 and "person_id" in str(wrong.json)
    assert revoke(gates, HUBIN_COMMANDER, kind="person", person_id="0" * 24).status == 404
    # The one accepted revocation left an audit record naming the actor
    assert revoke(gates, HUBIN_COMMANDER, kind="person", person_id=alice).status == 201
    audit = gates.client("dynamodb").scan(TableName=gates.table("AuditTable"))["Items"]
    actions = [(item["action"]["S"], item["actor"]["S"]) for item in audit if item["action"]["S"].startswith("health_code.revoke")]
    assert actions == [("health_code.revoke.person", "commander_hubin")]


@pytest.mark.parametrize("body", [{"kind": "person"}, {"kind": "key", "key_id": "x"}, {"kind": "everything", "person_id": "0" * 24}])
def test_bad_revocation_bodies_are_refused_with_a_field(gates: Stack, body: dict[str, Any]) -> None:
    response = revoke(gates, CITY_COMMANDER, **body)
    assert response.status == 422
    assert response.json.get("fields")


# -- the code screen's cheap status ----------------------------------------------------------------------
def test_my_code_status_changes_version_and_colour_when_a_gate_places_a_fever_hold(gates: Stack) -> None:
    # Given a resident with a green code polling its status
    register(gates, ALICE, ALICE_ID, "张三丰")
    before = gates.request("GET", "/health-codes/me/status", claims=ALICE)
    assert before.status == 200 and before.json["color"] == "green"
    assert gates.request("GET", "/health-codes/me/status", claims=ALICE).json == before.json
    # When a gate stops them with a fever
    assert scan(gates, method="typed", id_number=ALICE_ID, temperature=38.4).json["decision"] == "stop"
    # Then the status shows another colour and version
    after = gates.request("GET", "/health-codes/me/status", claims=ALICE)
    assert after.json["color"] != "green" and after.json["version"] != before.json["version"]
    assert gates.request("GET", "/health-codes/me/status", claims=BOB).status == 404


# -- appeals: one number from the dialog to the 12345 list -----------------------------------------------
def test_an_appeal_answers_the_order_number_the_hotline_gives_it_and_the_order_names_the_person(stack: Stack) -> None:
    from tests.integration.test_healthcode import applied
    from tests.integration.test_hotline import OPERATOR, deliver_intake

    # Given a resident who declared isolation and appeals against that hold
    who = applied(stack, in_isolation=True)
    body = {"hold": "isolation#declaration", "statement": "我已于2月8日解除隔离,请核实。"}
    appeal = stack.request("POST", "/health-codes/me/appeals", claims=who.claims, body=body)
    assert appeal.status == 201, appeal.json
    # When the hotline takes the appeal in
    assert deliver_intake(stack)["batchItemFailures"] == []
    # Then the order number of the appeal is the order in the resident's 12345 list and on the code
    mine = stack.request("GET", "/hotline/orders/mine", claims=who.claims).json
    listed = mine["items"] if isinstance(mine, dict) else mine
    assert [order["order_id"] for order in listed] == [appeal.json["order_id"]]
    assert stack.request("GET", "/health-codes/me", claims=who.claims).json["appeals"][0]["order_id"] == appeal.json["order_id"]
    # And the staff view of the order names the person by opaque id, for the appeal's handler to open the code
    order = stack.request("GET", f"/hotline/orders/{appeal.json['order_id']}", claims=OPERATOR)
    assert order.status == 200 and order.json["person_id"] == who.person_id
