"""Two-person rule on every manual change of a colour (issue 18): a hold placed or lifted by hand is a proposal
that takes effect only when a second staff member in scope, not the proposer, approves it; proposals expire; bulk
changes need a commander; proposer and approver are audited; reason and evidence are stored sealed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from sanmenxia import clock
from sanmenxia.holds import HoldKind, HoldStore
from tests.integration.test_appeals import APPEAL_UNIT, OTHER_COUNTY, fever_hold_appealed, to_hotline
from tests.integration.test_healthcode import DAY0, HEAD_OTHER, HEAD_OWN, applied, queue_messages, set_day
from tests.support.stack import Stack, claims_for

COMMANDER = claims_for("sub-cmd-hb", "commander", username="commander_hubin", county_code="411202")
CITY_COMMANDER = claims_for("sub-cmd-city", "commander", username="commander_city")
SECOND_UNIT_MEMBER = claims_for("sub-bigdata-2", "department_handler", username="bigdata2", department="big_data")
RESIDENT_REASON = "张三丰在前进路聚集,电话13812345678"
EVIDENCE = "监控截图编号 2020-0211-07,网格员王五现场核实"


@pytest.fixture(autouse=True)
def _day0(stack: Stack) -> Iterator[None]:
    set_day(DAY0)
    yield
    clock.set_offset(0)


def propose(stack: Stack, person_id: str, claims: dict[str, Any] = HEAD_OWN, **body: Any) -> Any:
    payload = {"action": "place", "color": "red", "reason": RESIDENT_REASON, "evidence": EVIDENCE, **body}
    return stack.request("POST", f"/health-codes/people/{person_id}/hold-proposals", claims=claims, body=payload)


def approve(stack: Stack, proposal_id: str, claims: dict[str, Any]) -> Any:
    return stack.request("POST", f"/health-codes/hold-proposals/{proposal_id}/approve", claims=claims, body={"note": "已复核"})


def color(stack: Stack, who: Any) -> str:
    return str(stack.request("GET", "/health-codes/me", claims=who.claims).json["color"])


def audit_of(stack: Stack, proposal_id: str) -> list[tuple[str, str]]:
    items = stack.client("dynamodb").query(
        TableName=stack.table("AuditTable"), KeyConditionExpression="target = :t", ExpressionAttributeValues={":t": {"S": f"proposal#{proposal_id}"}}
    )["Items"]
    return sorted((item["action"]["S"], item["actor"]["S"]) for item in items)


def test_one_staff_member_cannot_change_a_colour_and_a_second_approval_applies_it(stack: Stack) -> None:
    who = applied(stack)
    # Given a community head proposes turning a resident's code red by hand
    proposed = propose(stack, who.person_id)
    assert proposed.status == 201, proposed.json
    proposal = proposed.json
    assert (proposal["status"], proposal["proposer"], proposal["reason"], proposal["evidence"]) == ("pending", "sub-head1", RESIDENT_REASON, EVIDENCE)
    # Then nothing has changed yet, and the proposer cannot approve their own proposal
    assert color(stack, who) == "green"
    own = approve(stack, proposal["proposal_id"], HEAD_OWN)
    assert own.status == 403 and "proposer" in own.json["message"], own.json
    assert color(stack, who) == "green"
    # When the county's commander approves it
    approved = approve(stack, proposal["proposal_id"], COMMANDER)
    assert approved.status == 200, approved.json
    # Then the code is red from a manual hold naming the proposal, both people are audited
    assert approved.json["proposal"]["status"] == "approved" and approved.json["proposal"]["decided_by"] == "commander_hubin"
    assert approved.json["code"]["color"] == "red"
    mine = stack.request("GET", "/health-codes/me", claims=who.claims).json
    manual = [reason for reason in mine["reasons"] if proposal["proposal_id"] in str(reason)]
    assert mine["color"] == "red" and manual, mine["reasons"]
    assert audit_of(stack, proposal["proposal_id"]) == [("health_code.proposal.approve", "commander_hubin"), ("health_code.proposal.place", "sub-head1")]
    # And a second decision of the same proposal is a conflict
    assert approve(stack, proposal["proposal_id"], CITY_COMMANDER).status == 409


def test_lifting_a_manual_hold_is_a_second_proposal_under_the_same_rule(stack: Stack) -> None:
    who = applied(stack)
    placed = propose(stack, who.person_id).json
    assert approve(stack, placed["proposal_id"], COMMANDER).status == 200
    lift = propose(stack, who.person_id, claims=COMMANDER, action="lift", color=None, hold=placed["hold"], reason="核实有误,解除")
    assert lift.status == 201, lift.json
    assert color(stack, who) == "red"
    assert approve(stack, lift.json["proposal_id"], COMMANDER).status == 403
    assert approve(stack, lift.json["proposal_id"], HEAD_OWN).status == 200
    assert color(stack, who) == "green"
    # A lift of a hold that is no longer active cannot be proposed
    assert propose(stack, who.person_id, action="lift", color=None, hold=placed["hold"], reason="again").status == 404


def test_an_approver_out_of_the_persons_scope_is_refused(stack: Stack) -> None:
    who = applied(stack)
    proposal = propose(stack, who.person_id).json
    for outsider in (OTHER_COUNTY, HEAD_OTHER, claims_for("sub-police", "department_handler", department="public_security")):
        refused = approve(stack, proposal["proposal_id"], outsider)
        assert refused.status == 403 and "scope" in refused.json["message"], refused.json
    # Nor may they propose, list or refuse there
    assert propose(stack, who.person_id, claims=HEAD_OTHER).status == 403
    assert propose(stack, who.person_id, claims=OTHER_COUNTY).status == 403
    listed = stack.request("GET", "/health-codes/hold-proposals", claims=OTHER_COUNTY, query={"county_code": "411202"})
    assert listed.status == 403, listed.json
    assert stack.request("GET", "/health-codes/hold-proposals", claims=HEAD_OTHER).json["items"] == []
    refuse = stack.request("POST", f"/health-codes/hold-proposals/{proposal['proposal_id']}/refuse", claims=OTHER_COUNTY, body={"note": "不同意"})
    assert refuse.status == 403
    # Residents may not call the routes at all
    assert approve(stack, proposal["proposal_id"], who.claims).status == 403
    assert color(stack, who) == "green"
    # While the person's own community head and commander see it pending
    mine = stack.request("GET", "/health-codes/hold-proposals", claims=HEAD_OWN).json["items"]
    assert [row["proposal_id"] for row in mine] == [proposal["proposal_id"]]
    city = stack.request("GET", "/health-codes/hold-proposals", claims=CITY_COMMANDER, query={"county_code": "411202"}).json["items"]
    assert [row["proposal_id"] for row in city] == [proposal["proposal_id"]]


def test_an_expired_proposal_cannot_be_approved(stack: Stack) -> None:
    who = applied(stack)
    proposal = propose(stack, who.person_id).json
    set_day(DAY0 + timedelta(days=4))  # the template's 72 hours have passed
    late = approve(stack, proposal["proposal_id"], COMMANDER)
    assert late.status == 409 and "expired" in late.json["message"], late.json
    assert HoldStore(stack.client("dynamodb"), stack.table("HoldsTable")).for_person(who.person_id) == []
    assert stack.request("GET", "/health-codes/hold-proposals", claims=COMMANDER).json["items"] == []
    expired = stack.request("GET", "/health-codes/hold-proposals", claims=COMMANDER, query={"status": "expired"}).json["items"]
    assert [row["status"] for row in expired] == ["expired"]


def test_a_refused_proposal_changes_nothing_and_stays_refused(stack: Stack) -> None:
    who = applied(stack)
    proposal = propose(stack, who.person_id).json
    refused = stack.request("POST", f"/health-codes/hold-proposals/{proposal['proposal_id']}/refuse", claims=COMMANDER, body={"note": "证据不足"})
    assert refused.status == 200 and refused.json["proposal"]["status"] == "refused" and refused.json["proposal"]["note"] == "证据不足"
    assert approve(stack, proposal["proposal_id"], CITY_COMMANDER).status == 409
    assert color(stack, who) == "green"


def test_bulk_manual_changes_by_one_unit_need_a_commander(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(stack.deployment.functions["HealthCodeFunction"]["env"], "MANUAL_BULK_LIMIT", "2")
    people = [applied(stack) for _ in range(3)]
    proposals = [propose(stack, who.person_id).json for who in people]
    assert [p["needs_commander"] for p in proposals] == [False, False, True]
    # A second community head's approval is not enough for the third person of the day; a commander's is
    second_head = claims_for("sub-head1b", "community_head", community_id="411202-001", county_code="411202")
    assert approve(stack, proposals[0]["proposal_id"], second_head).status == 200
    refused = approve(stack, proposals[2]["proposal_id"], second_head)
    assert refused.status == 403 and "commander" in refused.json["message"], refused.json
    assert approve(stack, proposals[2]["proposal_id"], COMMANDER).status == 200
    assert [color(stack, who) for who in people] == ["red", "green", "red"]


def test_the_lift_route_and_the_appeal_unit_lift_through_proposals(stack: Stack) -> None:
    # The health code's own holds: a community head's lift is a proposal
    who = applied(stack, fever=True)
    body = {"hold": "fever#declaration", "note": "复测体温正常"}
    lifted = stack.request("POST", f"/health-codes/people/{who.person_id}/holds/lift", claims=HEAD_OWN, body=body)
    assert lifted.status == 202 and lifted.json["code"]["color"] == "yellow", lifted.json
    assert approve(stack, lifted.json["proposal"]["proposal_id"], COMMANDER).status == 200
    assert color(stack, who) == "green"
    # An appeal the appeal unit upholds: the lift waits for a second member, whose approval closes the appeal
    appellant, hold, appeal = fever_hold_appealed(stack)
    to_hotline(stack, queue_messages(stack, "WorkOrderIntakeQueue"))
    path = f"/health-codes/people/{appellant.person_id}/appeals/decision"
    decided = stack.request("POST", path, claims=APPEAL_UNIT, body={"hold": hold, "decision": "lift", "reason": "复测正常,解除发热标记"})
    assert decided.status == 202 and decided.json["code"]["color"] == "yellow", decided.json
    assert [a["status"] for a in decided.json["code"]["appeals"]] == ["submitted"]
    proposal_id = decided.json["proposal"]["proposal_id"]
    assert approve(stack, proposal_id, APPEAL_UNIT).status == 403
    approved = approve(stack, proposal_id, SECOND_UNIT_MEMBER)
    assert approved.status == 200, approved.json
    assert approved.json["code"]["color"] == "green"
    assert [a["status"] for a in approved.json["code"]["appeals"]] == ["lifted"]
    to_hotline(stack, queue_messages(stack, "WorkOrderIntakeQueue"))
    followed = stack.request("GET", f"/hotline/orders/{appeal['order_id']}", claims=appellant.claims).json
    assert followed["status"] == "replied" and followed["resolved"] is True, followed


def test_the_service_cannot_close_an_appeal_as_lifted_while_the_hold_is_active(stack: Stack) -> None:
    appellant, hold, _ = fever_hold_appealed(stack)
    module = stack.module("HealthCodeFunction")
    with stack.function_env("HealthCodeFunction"):
        holder = module.people(module.settings()).get(appellant.person_id)
        with pytest.raises(Exception, match="approves its proposal"):
            module.service.decide_appeal(module.store(), holder, hold_key=hold, lift=True, reason="x", decided_by="a", send_progress=lambda _m: None)
    assert HoldStore(stack.client("dynamodb"), stack.table("HoldsTable")).for_person(appellant.person_id)[0].kind is HoldKind.FEVER


def test_bad_proposals_name_the_field(stack: Stack) -> None:
    who = applied(stack)
    for body, field in (
        ({"hold": "fever#declaration"}, "hold"),
        ({"action": "lift", "color": None}, "hold"),
        ({"color": "green"}, "color"),
        ({"reason": "x"}, "reason"),
        ({"evidence": ""}, "evidence"),
    ):
        response = propose(stack, who.person_id, **body)
        assert response.status in (400, 422), (body, response.json)
        assert field in str(response.json), (body, response.json)
    assert approve(stack, "411202-20200210120000-deadbeef", COMMANDER).status == 404


def test_reasons_and_evidence_are_not_stored_in_clear(stack: Stack) -> None:
    who = applied(stack)
    proposal = propose(stack, who.person_id).json
    approve(stack, proposal["proposal_id"], COMMANDER)
    client = stack.client("dynamodb")
    dump = "".join(str(client.scan(TableName=stack.table(table))["Items"]) for table in ("HealthCodeTable", "HoldsTable", "AuditTable"))
    for secret in ("张三丰", "13812345678", "前进路", "王五", EVIDENCE):
        assert secret not in dump
