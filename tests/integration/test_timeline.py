"""A person's own timeline and break-glass access (issue 18): every fact held about me and my household and
every staff access to my record; staff outside their scope give a reason first, for a short time, audited,
shown to the person and counted on the supervision list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time
from typing import Any

import pytest

from sanmenxia import clock
from sanmenxia.idnumber import make_id_number
from tests.integration.test_healthcode import DAY0, HEAD_OTHER, HEAD_OWN, Resident, applied, set_day
from tests.integration.test_manual_changes import COMMANDER, approve, propose
from tests.support.stack import Stack, claims_for

OTHER_COMMANDER = claims_for("sub-cmd-lb", "commander", username="commander_lingbao", county_code="411282")
JUSTIFICATION = "120急救中心来电,病人昏迷需核实身份 emergency"


@pytest.fixture(autouse=True)
def _day0(stack: Stack) -> Iterator[None]:
    set_day(DAY0)
    yield
    clock.set_offset(0)


def whole_timeline(stack: Stack, path: str, claims: dict[str, Any], limit: int = 3, **query: str) -> list[dict[str, Any]]:
    """Every page of a timeline, following the cursor."""
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(100):
        params = {"limit": str(limit), **query, **({"cursor": cursor} if cursor else {})}
        response = stack.request("GET", path, claims=claims, query=params)
        assert response.status == 200, response.json
        found.extend(response.json["items"])
        cursor = response.json["next_cursor"]
        if cursor is None:
            return found
    raise AssertionError("the timeline did not end")


def kinds(entries: list[dict[str, Any]]) -> set[str]:
    return {entry["kind"] for entry in entries}


def add_member(stack: Stack, head: Resident) -> str:
    body = {"name": "赵老汉", "id_number": make_id_number("411202", date(1941, 2, 3), 977), "relation": "parent"}
    response = stack.request("POST", "/residents/me/household", claims=head.claims, body=body)
    assert response.status == 201, response.json
    return str(response.json["person_id"])


def test_my_timeline_holds_every_fact_and_every_staff_access_paged(stack: Stack) -> None:
    # Given a resident who applied and checked in, whose code a community head read, and whom a manual hold turned red
    who = applied(stack)
    assert stack.request("POST", "/health-codes/me/check-ins", claims=who.claims, body={"temperature": 36.5}).status in (200, 201)
    assert stack.request("GET", f"/health-codes/people/{who.person_id}", claims=HEAD_OWN).status == 200
    proposal = propose(stack, who.person_id).json
    assert approve(stack, proposal["proposal_id"], COMMANDER).status == 200
    # When they read their timeline three entries a page
    entries = whole_timeline(stack, "/people/me/timeline", who.claims)
    # Then every page joins into one list, newest first, without repeats
    assert [entry["at"] for entry in entries] == sorted((entry["at"] for entry in entries), reverse=True)
    assert len({(e["at"], e["kind"], str(e["detail"])) for e in entries}) == len(entries)
    assert {"registered", "applied", "check_in", "hold_placed", "staff_access"} <= kinds(entries)
    # And the staff accesses say who by role and unit, and what
    accesses = [entry["detail"] for entry in entries if entry["kind"] == "staff_access"]
    assert {"action": "person.read", "role": "community_head", "unit": "community:411202-001"}.items() <= accesses[-1].items() or any(
        access["action"] == "person.read" and access["role"] == "community_head" and access["unit"] == "community:411202-001" for access in accesses
    ), accesses
    actions = {access["action"] for access in accesses}
    assert {"health_code.proposal.place", "health_code.proposal.approve"} <= actions, actions
    approved = next(access for access in accesses if access["action"] == "health_code.proposal.approve")
    assert (approved["role"], approved["unit"]) == ("commander", "county:411202")
    # And the manual hold is there with its source and reason code
    hold = next(entry["detail"] for entry in entries if entry["kind"] == "hold_placed")
    assert hold["kind"] == "manual" and hold["source"] and hold["source_ref"] == proposal["proposal_id"]
    # And no clear personal data of the proposal (its reason, its evidence) is in the timeline
    assert "张三丰" not in str(entries) and "13812345678" not in str(entries)


def test_a_household_timeline_covers_the_members_i_act_for_and_no_one_else(stack: Stack) -> None:
    head = applied(stack)
    member = add_member(stack, head)
    stranger = applied(stack)
    mine = whole_timeline(stack, "/people/me/timeline", head.claims, limit=50)
    assert {entry["person_id"] for entry in mine} == {head.person_id, member}
    only_member = whole_timeline(stack, "/people/me/timeline", head.claims, limit=50, person=member)
    assert {entry["person_id"] for entry in only_member} == {member}
    foreign = stack.request("GET", "/people/me/timeline", claims=head.claims, query={"person": stranger.person_id})
    assert foreign.status == 403 and foreign.json["fields"][0]["field"] == "person", foreign.json
    # A cursor of one query is no cursor of another
    first = stack.request("GET", "/people/me/timeline", claims=head.claims, query={"limit": "1"}).json
    other = stack.request("GET", "/people/me/timeline", claims=stranger.claims, query={"limit": "1", "cursor": first["next_cursor"]})
    assert other.status == 400 and other.json["fields"][0]["field"] == "cursor"


def grant(stack: Stack, claims: dict[str, Any], person_id: str, **body: Any) -> Any:
    payload = {"person_id": person_id, "reason_code": "emergency_care", "justification": JUSTIFICATION, **body}
    return stack.request("POST", "/access-grants", claims=claims, body={key: value for key, value in payload.items() if value is not None})


def test_break_glass_needs_a_reason_is_granted_for_a_short_time_audited_and_shown_to_the_person(stack: Stack) -> None:
    who = applied(stack)
    record = f"/residents/{who.person_id}"
    # Given a community head of another community: the record is outside their scope, and they are told how to ask
    refused = stack.request("GET", record, claims=HEAD_OTHER)
    assert refused.status == 403 and refused.json["fields"][0]["field"] == "reason", refused.json
    # A grant without a reason code, or without a justification, is refused naming the field
    for missing in ("reason_code", "justification"):
        response = grant(stack, HEAD_OTHER, who.person_id, **{missing: None})
        assert response.status == 422 and missing in {field["field"] for field in response.json["fields"]}, response.json
    assert stack.request("GET", record, claims=HEAD_OTHER).status == 403
    # When they give a reason
    granted = grant(stack, HEAD_OTHER, who.person_id)
    assert granted.status == 201, granted.json
    assert (granted.json["reason_code"], granted.json["active"], granted.json["unit"]) == ("emergency_care", True, "community:411202-002")
    # Then they may read the record and the code for the configured time (30 minutes), not beyond
    assert stack.request("GET", record, claims=HEAD_OTHER).status == 200
    assert stack.request("GET", f"/health-codes/people/{who.person_id}", claims=HEAD_OTHER).status == 200
    set_day(DAY0, time(12, 29))
    assert stack.request("GET", record, claims=HEAD_OTHER).status == 200
    set_day(DAY0, time(12, 31))
    assert stack.request("GET", record, claims=HEAD_OTHER).status == 403
    # And the person's timeline shows the grant with its justification and each read with the reason code
    entries = whole_timeline(stack, "/people/me/timeline", who.claims, limit=50)
    glass = [entry["detail"] for entry in entries if entry["kind"] == "break_glass"]
    assert glass == [
        {
            "role": "community_head",
            "unit": "community:411202-002",
            "reason_code": "emergency_care",
            "justification": JUSTIFICATION,
            "valid_until": granted.json["valid_until"],
        }
    ]
    reads = [e["detail"] for e in entries if e["kind"] == "staff_access" and e["detail"]["action"] == "person.read.break_glass"]
    assert len(reads) == 3 and {read["reason_code"] for read in reads} == {"emergency_care"}, reads
    # And the grant is on the county's supervision list, for its commander only
    listed = stack.request("GET", "/supervision/access-grants", claims=COMMANDER).json["items"]
    assert [(row["person_id"], row["actor"], row["reason_code"], row["active"]) for row in listed] == [(who.person_id, "sub-head2", "emergency_care", False)]
    foreign = stack.request("GET", "/supervision/access-grants", claims=OTHER_COMMANDER, query={"county_code": "411202"})
    assert foreign.status == 403
    # And the justification is stored sealed, not in clear
    raw = stack.client("dynamodb").scan(TableName=stack.table("AccessGrantsTable"))["Items"]
    assert raw and JUSTIFICATION not in str(raw)
    audits = stack.client("dynamodb").scan(TableName=stack.table("AuditTable"))["Items"]
    assert JUSTIFICATION not in str(audits)


def test_a_full_record_is_read_by_the_community_head_and_by_a_commander_only_with_a_reason(stack: Stack) -> None:
    who = applied(stack)
    path = f"/people/{who.person_id}/timeline"
    assert stack.request("GET", path, claims=HEAD_OWN).status == 200
    # A commander of the person's own county still gives a reason for the full record
    refused = stack.request("GET", path, claims=COMMANDER)
    assert refused.status == 403 and refused.json["fields"][0]["field"] == "reason", refused.json
    assert grant(stack, COMMANDER, who.person_id, reason_code="epidemic_investigation").status == 201
    opened = stack.request("GET", path, claims=COMMANDER)
    assert opened.status == 200 and {"registered", "applied", "break_glass"} <= kinds(opened.json["items"])
    # And the person sees both the head's and the commander's reads of the full record
    entries = whole_timeline(stack, "/people/me/timeline", who.claims, limit=50)
    reads = {(e["detail"]["action"], e["detail"]["role"]) for e in entries if e["kind"] == "staff_access"}
    assert {("person.read", "community_head"), ("person.read.break_glass", "commander")} <= reads, reads
