"""Contacts and chains on moto: a key person's contact becomes a candidate in their own community, once; the
commander's chain (case → contacts → their contacts) with counts and the share followed up; scope."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sanmenxia import clock
from sanmenxia.idnumber import make_id_number
from tests.integration.test_keypersons import COMMANDER_HUBIN, COMMANDER_LINGBAO, FOREIGN_HEAD, HEAD, register_key_person, register_resident
from tests.support.stack import Stack

HOME = "411202-002"  # the contacts' own community (FOREIGN_HEAD is its head)


def contact(stack: Stack, kp_id: str, id_number: str, claims: dict[str, Any] = HEAD, days_ago: int = 2, kind: str = "household") -> Any:
    body = {"id_number": id_number, "kind": kind, "contact_date": (clock.today() - timedelta(days=days_ago)).isoformat()}
    return stack.request("POST", f"/key-persons/{kp_id}/contacts", claims=claims, body=body)


def id_number_of(sequence: int, community: str) -> str:
    return make_id_number(community[:6], date(1975, 3, 1) + timedelta(days=sequence), sequence)


def test_a_contact_becomes_a_candidate_of_their_own_community_once(stack: Stack) -> None:
    # Given an active key person of 411202-001 and a resident of 411202-002
    case = register_resident(stack, "sub-case", 1)
    kp = register_key_person(stack, case["person_id"]).json
    bob = register_resident(stack, "sub-bob", 2, HOME)
    # When the head registers bob as a household contact
    first = contact(stack, kp["kp_id"], id_number_of(2, HOME))
    # Then bob is a pending close-contact candidate in his own community, with the source shown to its head
    assert first.status == 201, first.json
    assert first.json["new"] is True and first.json["community_id"] == HOME and "*" in first.json["name"]
    listed = stack.request("GET", "/key-persons", claims=FOREIGN_HEAD, query={"status": "pending"}).json["items"]
    mine = [item for item in listed if item["person_id"] == bob["person_id"]]
    assert len(mine) == 1 and mine[0]["kp_id"] == first.json["contact_kp"]
    assert (mine[0]["category"], mine[0]["sources"][0]["source"], mine[0]["sources"][0]["reason_code"]) == ("close_contact", "contact", "contact_of")
    # And registering him again (another day remembered) adds nothing; the same request twice is answered the same
    assert contact(stack, kp["kp_id"], id_number_of(2, HOME)).json == first.json
    again = contact(stack, kp["kp_id"], id_number_of(2, HOME), days_ago=3)
    assert again.status == 201 and again.json["new"] is False and again.json["contact_kp"] == first.json["contact_kp"]
    assert len(stack.request("GET", f"/key-persons/{kp['kp_id']}/contacts", claims=HEAD).json["items"]) == 1


def test_the_commander_sees_the_chain_with_counts_and_the_share_followed_up(stack: Stack) -> None:
    # Given case → bob → carol, bob confirmed and followed up today, carol still a candidate
    case = register_resident(stack, "sub-case", 11)
    kp = register_key_person(stack, case["person_id"]).json
    register_resident(stack, "sub-bob", 12, HOME)
    register_resident(stack, "sub-carol", 13, HOME)
    bob_kp = contact(stack, kp["kp_id"], id_number_of(12, HOME)).json["contact_kp"]
    assert contact(stack, bob_kp, id_number_of(13, HOME), claims=FOREIGN_HEAD, days_ago=1, kind="gathering").status == 201
    assert stack.request("POST", f"/key-persons/{bob_kp}/confirm", claims=FOREIGN_HEAD, body={"measure": {"kind": "home_isolation"}}).status == 200
    assert stack.request("POST", f"/key-persons/{bob_kp}/follow-ups", claims=FOREIGN_HEAD, body={"temperature": 36.5}).status == 201
    # When the county commander opens the chain two levels deep
    chain = stack.request("GET", f"/key-persons/{kp['kp_id']}/chain", claims=COMMANDER_HUBIN, query={"depth": "2"})
    # Then it has the three records, two links, the contacts per record, and today's share followed up (1 of 2)
    assert chain.status == 200, chain.json
    nodes = {node["kp_id"]: node for node in chain.json["nodes"]}
    assert len(nodes) == 3 and nodes[kp["kp_id"]]["depth"] == 0 and nodes[bob_kp]["depth"] == 1
    assert (nodes[kp["kp_id"]]["contacts"], nodes[bob_kp]["contacts"]) == (1, 1)
    assert {(edge["source_kp"], edge["kind"]) for edge in chain.json["edges"]} == {(kp["kp_id"], "household"), (bob_kp, "gathering")}
    today = chain.json["follow_up"][-1]
    assert (today["date"], today["due"], today["followed"], today["share"]) == (clock.today().isoformat(), 2, 1, 0.5)
    # And one level deep stops at bob
    assert len(stack.request("GET", f"/key-persons/{kp['kp_id']}/chain", claims=COMMANDER_HUBIN, query={"depth": "1"}).json["nodes"]) == 2


def test_foreign_scope_and_bad_input_are_refused(stack: Stack) -> None:
    case = register_resident(stack, "sub-case", 21)
    kp = register_key_person(stack, case["person_id"]).json
    register_resident(stack, "sub-bob", 22, HOME)
    # another community's head cannot add contacts to this record, another county's commander cannot see its chain
    assert contact(stack, kp["kp_id"], id_number_of(22, HOME), claims=FOREIGN_HEAD).status == 403
    assert stack.request("GET", f"/key-persons/{kp['kp_id']}/chain", claims=COMMANDER_LINGBAO).status == 403
    assert stack.request("GET", f"/key-persons/{kp['kp_id']}/chain", claims=HEAD).status == 403  # heads see records, commanders chains
    # a future date, an unknown resident, the case itself, and both ways of finding at once are refused naming the field
    future = contact(stack, kp["kp_id"], id_number_of(22, HOME), days_ago=-1)
    assert future.status == 400 and future.json["fields"][0]["field"] == "contact_date"
    unknown = contact(stack, kp["kp_id"], id_number_of(99, HOME))
    assert unknown.status == 400 and unknown.json["fields"][0]["field"] == "id_number"
    assert contact(stack, kp["kp_id"], id_number_of(21, "411202-001")).status == 400
    both = {"id_number": id_number_of(22, HOME), "phone": "13900000022", "kind": "work", "contact_date": clock.today().isoformat()}
    assert stack.request("POST", f"/key-persons/{kp['kp_id']}/contacts", claims=HEAD, body=both).status in (400, 422)
    assert stack.request("GET", f"/key-persons/{kp['kp_id']}/contacts", claims=HEAD).json["items"] == []


def test_contacts_page_with_a_cursor_bound_to_the_record_and_the_caller(stack: Stack) -> None:
    # Given a key person with three registered contacts
    case = register_resident(stack, "sub-case", 31)
    kp = register_key_person(stack, case["person_id"]).json
    other = register_key_person(stack, register_resident(stack, "sub-other-case", 35)["person_id"]).json
    for n in (32, 33, 34):
        register_resident(stack, f"sub-c{n}", n, HOME)
        assert contact(stack, kp["kp_id"], id_number_of(n, HOME)).status == 201
    # When the head reads them two at a time, Then the pages hold each contact once
    path = f"/key-persons/{kp['kp_id']}/contacts"
    first = stack.request("GET", path, claims=HEAD, query={"limit": "2"}).json
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = stack.request("GET", path, claims=HEAD, query={"limit": "2", "cursor": first["next_cursor"]}).json
    assert len({row["contact_kp"] for row in first["items"] + second["items"]}) == 3 and second["next_cursor"] is None
    # And the cursor is refused for another record, another caller, or edited
    cursor = first["next_cursor"]
    refused = [
        stack.request("GET", f"/key-persons/{other['kp_id']}/contacts", claims=HEAD, query={"cursor": cursor}),
        stack.request("GET", path, claims=COMMANDER_HUBIN, query={"cursor": cursor}),
        stack.request("GET", path, claims=HEAD, query={"cursor": cursor + "A"}),
    ]
    assert [(response.status, response.json["fields"][0]["field"]) for response in refused] == [(400, "cursor")] * len(refused)
