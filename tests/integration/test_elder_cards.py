"""Elder cards (长辈码) on moto: a household head (for a dependent) or the community head issues a printed signed
card; the gate needs the holder's ID number to match the card's HMAC, refuses a revoked card, shows today's colour
(never printed); a holder's colour change leaves a message in the household head's inbox (from the holds' stream)."""

from __future__ import annotations

import itertools
import json
from datetime import date
from typing import Any

from sanmenxia.holds import HoldKind, HoldStore
from sanmenxia.idnumber import make_id_number
from tests.support.stack import Stack, claims_for
from tests.support.streams import TableStream

DECLARATION = {"fever": False, "in_isolation": False, "declaration_accepted": True}
HEAD_OF_COMMUNITY = claims_for("sub-head1", "community_head", username="head1", community_id="411202-001", county_code="411202")
FOREIGN_HEAD = claims_for("sub-head9", "community_head", username="head9", community_id="411203-001", county_code="411203")
GATE = claims_for("sub-gate", "checkpoint_staff", username="gate1", checkpoint_id="cp-demo-1", community_id="411202-001")
_serial = itertools.count(700)


def household(stack: Stack) -> dict[str, Any]:
    """A household head (with an account) and their father without a phone, both with codes."""
    serial = next(_serial)
    head = claims_for(f"sub-elder-head-{serial}", "resident")
    body = {"name": "钱大川", "id_number": make_id_number("411202", date(1972, 6, 6), serial), "phone": f"1370000{serial:04d}", "county_code": "411202"}
    body.update({"community_id": "411202-001", "address": "湖滨区黄河路9号"})
    registered = stack.request("POST", "/residents", claims=head, body=body)
    assert registered.status == 201, registered.json
    father_id = make_id_number("411202", date(1940, 1, 2), next(_serial))
    added = stack.request("POST", "/residents/me/household", claims=head, body={"name": "钱老汉", "id_number": father_id, "relation": "parent"})
    assert added.status == 201, added.json
    father = added.json["person_id"]
    assert stack.request("POST", "/health-codes", claims=head, body=DECLARATION).status == 201
    assert stack.request("POST", "/health-codes", claims=head, query={"person": father}, body=DECLARATION).status == 201
    return {"head": head, "head_id": registered.json["person_id"], "father": father, "father_id_number": father_id, "head_id_number": body["id_number"]}


def issue(stack: Stack, claims: dict[str, Any], person_id: str) -> Any:
    return stack.request("POST", "/elder-cards", claims=claims, body={"person_id": person_id})


def check(stack: Stack, token: str, id_number: str) -> dict[str, Any]:
    response = stack.request("POST", "/elder-cards/verify", claims=GATE, body={"token": token, "id_number": id_number})
    assert response.status == 200, response.json
    return dict(response.json)


def test_the_gate_needs_the_holders_id_card_and_shows_todays_colour(stack: Stack) -> None:
    home = household(stack)
    card = issue(stack, home["head"], home["father"])
    assert card.status == 201, card.json
    # the card carries no colour and no personal data: the token's payload is ids, the binding and times
    payload = json.loads(__import__("base64").urlsafe_b64decode(card.json["token"].split(".")[1] + "=="))
    assert set(payload) == {"iss", "sub", "card", "bnd", "iat", "exp"} and "color" not in card.json
    assert home["father_id_number"] not in json.dumps(card.json) and card.json["name"].endswith("*")
    # with the holder's ID card: valid, today's colour
    verdict = check(stack, card.json["token"], home["father_id_number"])
    assert (verdict["valid"], verdict["color"], verdict["person_id"]) == (True, "green", home["father"])
    # with someone else's ID card (the head's own): refused
    wrong = check(stack, card.json["token"], home["head_id_number"])
    assert (wrong["valid"], wrong["reason"], wrong["color"]) == (False, "id_mismatch", None)
    # today's colour, not the issuing day's: a hold placed after printing shows at the gate
    HoldStore(stack.client("dynamodb"), stack.table("HoldsTable")).place(home["father"], HoldKind.MANUAL, source="test", source_ref="t1", reason="测试")
    assert check(stack, card.json["token"], home["father_id_number"])["color"] == "yellow"
    # a forged or altered token is refused as such
    header, body, signature = card.json["token"].split(".")
    forged = check(stack, f"{header}.{body}.{signature[:-4]}AAAA", home["father_id_number"])
    assert (forged["valid"], forged["reason"]) == (False, "bad signature")
    assert stack.request("POST", "/elder-cards/verify", claims=GATE, body={"token": "x" * 30, "id_number": home["father_id_number"]}).status == 400


def test_a_revoked_card_is_refused_and_a_new_one_works(stack: Stack) -> None:
    home = household(stack)
    first = issue(stack, HEAD_OF_COMMUNITY, home["father"]).json
    second = issue(stack, home["head"], home["father"]).json
    revoked = stack.request("POST", f"/elder-cards/{first['card_id']}/revoke", claims=home["head"], body={"reason": "卡片遗失"})
    assert revoked.status == 200 and revoked.json["status"] == "revoked"
    assert (check(stack, first["token"], home["father_id_number"])["reason"]) == "revoked"
    assert check(stack, second["token"], home["father_id_number"])["valid"] is True
    listed = stack.request("GET", "/elder-cards", claims=home["head"], query={"person_id": home["father"]}).json["items"]
    assert sorted(card["status"] for card in listed) == ["active", "revoked"]


def test_only_the_community_head_or_the_household_head_for_a_dependent_issues_and_revokes(stack: Stack) -> None:
    home = household(stack)
    other = household(stack)
    assert issue(stack, FOREIGN_HEAD, home["father"]).status == 403
    assert issue(stack, other["head"], home["father"]).status == 403  # another household's head
    assert issue(stack, home["head"], home["head_id"]).status == 403  # a head with an account holds no card for themselves
    assert issue(stack, GATE, home["father"]).status == 403  # gate staff only check cards
    card = issue(stack, HEAD_OF_COMMUNITY, home["father"]).json
    assert stack.request("POST", f"/elder-cards/{card['card_id']}/revoke", claims=other["head"], body={"reason": "x"}).status == 403
    assert stack.request("POST", f"/elder-cards/{card['card_id']}/revoke", claims=FOREIGN_HEAD, body={"reason": "x"}).status == 403
    assert stack.request("GET", "/elder-cards", claims=FOREIGN_HEAD, query={"person_id": home["father"]}).status == 403
    assert check(stack, card["token"], home["father_id_number"])["valid"] is True


def test_a_holders_colour_change_is_told_to_the_household_head_once(stack: Stack) -> None:
    home = household(stack)
    assert issue(stack, home["head"], home["father"]).status == 201
    holds_stream = TableStream(stack, "HoldsTable", "ElderCardsFunction")
    # When a hold turns the father's code red (a key-person hold, say)
    store = HoldStore(stack.client("dynamodb"), stack.table("HoldsTable"))
    store.place(home["father"], HoldKind.KEY_PERSON, source="test", source_ref="kp1", reason="测试")
    assert holds_stream.deliver() >= 1
    # Then the household head has one message saying so (in codes the app renders), the father none
    notes = stack.request("GET", "/notifications", claims=home["head"]).json
    items = notes["items"] if isinstance(notes, dict) else notes
    mine = [note for note in items if note["kind"] == "elder_card"]
    assert len(mine) == 1, items
    assert mine[0]["body_code"] == "elder_card_color" and mine[0]["body_params"]["color"] == "red"
    # A change that leaves the colour as it was tells nobody again (another red hold)
    store.place(home["father"], HoldKind.ISOLATION, source="test", source_ref="iso1", reason="测试")
    holds_stream.deliver()
    items = stack.request("GET", "/notifications", claims=home["head"]).json
    items = items["items"] if isinstance(items, dict) else items
    assert len([note for note in items if note["kind"] == "elder_card"]) == 1
    # A person without a card costs the watch one read and tells nobody
    other = household(stack)
    store.place(other["father"], HoldKind.KEY_PERSON, source="test", source_ref="kp2", reason="测试")
    holds_stream.deliver()
    others = stack.request("GET", "/notifications", claims=other["head"]).json
    others = others["items"] if isinstance(others, dict) else others
    assert [note for note in others if note["kind"] == "elder_card"] == []
