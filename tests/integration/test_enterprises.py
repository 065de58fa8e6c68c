"""Enterprises function on moto: registry, resumption approval, rosters by look-up key, colours, statistics."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from infra.demo import supplies as demo_seed
from infra.local import events
from infra.local.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DemoAccount
from sanmenxia import clock
from sanmenxia.holds import HoldKind, HoldStore
from sanmenxia.idnumber import make_id_number
from tests.support.stack import REGION, Stack, claims_for

COMMANDER = claims_for("sub-commander1", "commander", username="commander1")
HUBIN_COMMANDER = claims_for("sub-commander-hubin", "commander", username="commander_hubin", county_code="411202")
ENTERPRISE1 = claims_for("sub-enterprise1", "enterprise_admin", username="enterprise1", enterprise_id="ent-demo-1")
ENTERPRISE2 = claims_for("sub-enterprise2", "enterprise_admin", username="enterprise2", enterprise_id="ent-demo-2")

PLAN = {
    "measures": ["temperature_checks", "masks", "disinfection", "health_code_check"],
    "mask_stock_days": 7,
    "description": "测温、验码、消毒",
}


class StackDemo:
    """The ``DemoClient`` interface over the in-process stack: seed modules run unchanged in integration tests."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.accounts: dict[str, DemoAccount] = {account.username: account for account in DEMO_ACCOUNTS}

    def create_user(self, username: str, role: str, scope: dict[str, str] | None = None, password: str = DEMO_PASSWORD) -> DemoAccount:
        self.accounts[username] = DemoAccount(username, password, role, scope or {})
        return self.accounts[username]

    def call(self, username: str | None, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        claims = None
        if username:
            account = self.accounts[username]
            claims = claims_for(f"sub-{username}", account.role, username=username, **account.scope)
        response = self.stack.request(method, path, claims=claims, body=body)
        return response.status, response.json if response.body else None


def ok(response: Any, status: int = 200) -> Any:
    assert response.status == status, response.json
    return response.json


def register(stack: Stack, enterprise_id: str = "ent-demo-1", county: str = "411202", above: bool = True) -> None:
    body = {"enterprise_id": enterprise_id, "name": "示范企业", "county_code": county, "industry": "manufacturing", "above_scale": above}
    ok(stack.request("POST", "/enterprises", claims=COMMANDER, body=body), 201)


def resident_with_code(stack: Stack, number: int, *, fever: bool = False, apply: bool = True) -> str:
    """Register a resident (and apply for a code); returns the ID number."""
    claims = claims_for(f"sub-res-{number}", "resident")
    id_number = make_id_number("411202", date(1985, 1, number), 300 + number)
    body = {
        "name": "测试员工",
        "id_number": id_number,
        "phone": f"137{number:08d}",
        "county_code": "411202",
        "community_id": "411202-001",
        "address": "湖滨区某路1号",
    }
    ok(stack.request("POST", "/residents", claims=claims, body=body), 201)
    if apply:
        declaration = {"fever": fever, "in_isolation": False, "declaration_accepted": True}
        ok(stack.request("POST", "/health-codes", claims=claims, body=declaration), 201)
    return id_number


def test_statistics_equal_the_hand_count_of_the_demo_seed(stack: Stack) -> None:
    # Given the demo seed (enterprises, applications, decisions, rosters, workers with codes of every colour)
    demo_seed.seed(StackDemo(stack))  # type: ignore[arg-type]
    # When the city commander reads the statistics
    stats = ok(stack.request("GET", "/enterprises/statistics", claims=COMMANDER))
    # Then they equal the hand count written down beside the seed, from the stored roll-ups and read live
    assert {"enterprises": stats["enterprises"], "workers": stats["workers"]} == demo_seed.HAND_COUNT
    assert stats["without_roll_up"] == []
    live = ok(stack.request("GET", "/enterprises/statistics", query={"live": "true"}, claims=COMMANDER))
    assert {"enterprises": live["enterprises"], "workers": live["workers"]} == demo_seed.HAND_COUNT
    # And a county commander's view counts only that county (Hubin: ent-demo-1 and ent-demo-4, 7 workers, 3 green)
    hubin = ok(stack.request("GET", "/enterprises/statistics", query={"county_code": "411202"}, claims=HUBIN_COMMANDER))
    assert (hubin["enterprises"]["resumed"], hubin["workers"]["due_back"], hubin["workers"]["green"]) == (2, 7, 3)
    # And the registry lists the seed's enterprises, with their stored roll-ups, and each one's applications
    listed = ok(stack.request("GET", "/enterprises", claims=COMMANDER))
    assert listed["next_cursor"] is None and len(listed["items"]) == stats["enterprises"]["registered"]
    for row in listed["items"]:
        assert ok(stack.request("GET", f"/enterprises/{row['enterprise_id']}", claims=COMMANDER))["enterprise_id"] == row["enterprise_id"]


def test_the_hourly_refresh_brings_stored_roll_ups_up_to_date(stack: Stack) -> None:
    # Given the demo seed, and then a green worker of a resumed enterprise put in isolation (a red hold)
    demo = StackDemo(stack)
    demo_seed.seed(demo)  # type: ignore[arg-type]
    person_id = demo.call("worker1", "GET", "/residents/me")[1]["person_id"]
    HoldStore(stack.client("dynamodb"), stack.table("HoldsTable")).place(
        person_id, HoldKind.ISOLATION, source="key-persons", source_ref="kp-test", reason="centralised isolation"
    )
    stored = ok(stack.request("GET", "/enterprises/statistics", claims=COMMANDER))["workers"]
    assert (stored["green"], stored["red"]) == (4, 1)
    # When the hourly schedule fires
    result = stack.invoke("EnterprisesFunction", events.schedule_event("refresh", clock.now(), REGION))
    # Then every resumed enterprise was refreshed and the statistics show the change
    assert result == {"enterprises": 3, "workers": 9}
    refreshed = ok(stack.request("GET", "/enterprises/statistics", claims=COMMANDER))["workers"]
    assert (refreshed["green"], refreshed["red"], refreshed["due_back"]) == (3, 2, 9)


def test_the_statistics_are_as_of_their_oldest_counted_roll_up_not_of_an_enterprise_that_has_not_resumed(stack: Stack) -> None:
    # Given the demo seed, and an enterprise that has not resumed whose roster was uploaded on the first day
    demo = StackDemo(stack)
    demo_seed.seed(demo)  # type: ignore[arg-type]
    register(stack, "ent-waiting-1")
    worker = resident_with_code(stack, 27)
    waiting_admin = claims_for("sub-waiting-admin", "enterprise_admin", enterprise_id="ent-waiting-1")
    body = {"employees": [{"name": "赵云", "id_number": worker}]}
    ok(stack.request("POST", "/enterprises/ent-waiting-1/employees", claims=waiting_admin, body=body))
    first_day = ok(stack.request("GET", "/enterprises/ent-waiting-1", claims=COMMANDER))["roster"]["as_of"]
    # When two days pass and the hourly schedule refreshes the resumed enterprises
    try:
        clock.set_offset(2 * 86_400)
        refresh_started = clock.iso()
        stack.invoke("EnterprisesFunction", events.schedule_event("refresh", clock.now(), REGION))
        stats = ok(stack.request("GET", "/enterprises/statistics", claims=COMMANDER))
        # Then the figures are as of that refresh, not of the waiting enterprise's first-day roll-up
        assert first_day < refresh_started <= stats["as_of"]
        assert stats["workers"]["due_back"] == 9  # the waiting enterprise's worker is not due back yet
    finally:
        clock.set_offset(0)


def test_enterprise_admin_sees_only_own_roster_colours_and_masked_names(stack: Stack) -> None:
    # Given two enterprises; ent-demo-1's roster: a green worker, a yellow (fever) worker, an unregistered one
    register(stack, "ent-demo-1")
    register(stack, "ent-demo-2", county="411203")
    green, yellow = resident_with_code(stack, 1), resident_with_code(stack, 2, fever=True)
    stranger = make_id_number("411203", date(1990, 5, 5), 555)
    roster = {"employees": [{"name": "王建国", "id_number": green}, {"name": "李秀英", "id_number": yellow}, {"name": "赵四", "id_number": stranger}]}
    uploaded = ok(stack.request("POST", "/enterprises/ent-demo-1/employees", claims=ENTERPRISE1, body=roster))
    assert (uploaded["added"], [e["registered"] for e in uploaded["employees"]]) == (3, [True, True, False])

    # When its admin reads the roster
    view = ok(stack.request("GET", "/enterprises/ent-demo-1/employees", claims=ENTERPRISE1))

    # Then it sees colours and masked names only, with the live roll-up
    assert sorted((e["name"], e["colour"]) for e in view["employees"]) == [("李**", "yellow"), ("王**", "green"), ("赵*", "no_code")]
    assert all(set(e) == {"employee_id", "name", "colour"} for e in view["employees"])
    assert view["summary"] == {"employees": 3, "green": 1, "yellow": 1, "red": 0, "no_code": 1, "green_share": 0.3333}
    # And another enterprise's admin is refused, as are commanders of another county
    assert stack.request("GET", "/enterprises/ent-demo-1/employees", claims=ENTERPRISE2).status == 403
    assert stack.request("POST", "/enterprises/ent-demo-1/employees", claims=ENTERPRISE2, body=roster).status == 403
    assert stack.request("GET", "/enterprises/ent-demo-1", claims=ENTERPRISE2).status == 403
    shanzhou = claims_for("sub-c2", "commander", county_code="411203")
    assert stack.request("GET", "/enterprises/ent-demo-1/employees", claims=shanzhou).status == 403
    assert stack.request("GET", "/enterprises/statistics", claims=ENTERPRISE1).status == 403


def test_roster_stores_no_clear_id_number_or_name(stack: Stack) -> None:
    register(stack)
    id_number = make_id_number("411202", date(1979, 9, 9), 777)
    body = {"employees": [{"name": "欧阳娜娜", "id_number": id_number}]}
    ok(stack.request("POST", "/enterprises/ent-demo-1/employees", claims=ENTERPRISE1, body=body))
    dump = str(stack.client("dynamodb").scan(TableName=stack.table("EnterprisesTable"))["Items"])
    dump += str(stack.client("dynamodb").scan(TableName=stack.table("AuditTable"))["Items"])
    assert id_number not in dump and "欧阳娜娜" not in dump and id_number[-8:] not in dump
    assert "欧***" in dump


def test_a_worker_who_registers_later_is_picked_up_and_upload_is_idempotent(stack: Stack) -> None:
    # Given a roster uploaded before the worker registered
    register(stack)
    id_number = make_id_number("411202", date(1985, 1, 4), 304)
    roster = {"employees": [{"name": "张伟", "id_number": id_number}]}
    ok(stack.request("POST", "/enterprises/ent-demo-1/employees", claims=ENTERPRISE1, body=roster))
    before = ok(stack.request("GET", "/enterprises/ent-demo-1/employees", claims=ENTERPRISE1))["employees"]
    assert before[0]["colour"] == "no_code"
    # When the worker registers and applies, and the roster is uploaded again
    assert resident_with_code(stack, 4) == id_number
    again = ok(stack.request("POST", "/enterprises/ent-demo-1/employees", claims=ENTERPRISE1, body=roster))
    # Then the entry is the same one, now green
    assert (again["added"], again["already_listed"]) == (0, 1)
    after = ok(stack.request("GET", "/enterprises/ent-demo-1/employees", claims=ENTERPRISE1))["employees"]
    assert after == [{**before[0], "colour": "green"}]
    # And it can be taken off the roster, once
    path = f"/enterprises/ent-demo-1/employees/{after[0]['employee_id']}"
    ok(stack.request("DELETE", path, claims=ENTERPRISE1))
    assert stack.request("DELETE", path, claims=ENTERPRISE1).status == 404


def test_resumption_needs_a_plan_and_a_commander_of_the_county(stack: Stack) -> None:
    register(stack)
    planned = (clock.today() + timedelta(days=2)).isoformat()
    # A plan without the required measures, or dated in the past, is refused naming the field
    thin = {"planned_date": planned, "prevention_plan": {**PLAN, "measures": ["masks"]}}
    refused = stack.request("POST", "/enterprises/ent-demo-1/resumption", claims=ENTERPRISE1, body=thin)
    assert refused.status == 400 and refused.json["fields"][0]["field"] == "prevention_plan.measures"
    past = stack.request("POST", "/enterprises/ent-demo-1/resumption", claims=ENTERPRISE1, body={"planned_date": "2020-01-01", "prevention_plan": PLAN})
    assert past.status == 400 and past.json["fields"][0]["field"] == "planned_date"
    # A complete plan is pending; the same application again is a retry (the first answer), another one a conflict
    application = {"planned_date": planned, "prevention_plan": PLAN}
    first = ok(stack.request("POST", "/enterprises/ent-demo-1/resumption", claims=ENTERPRISE1, body=application), 201)
    assert first["status"] == "pending"
    assert ok(stack.request("POST", "/enterprises/ent-demo-1/resumption", claims=ENTERPRISE1, body=application), 201) == first
    later = {"planned_date": (clock.today() + timedelta(days=5)).isoformat(), "prevention_plan": PLAN}
    assert stack.request("POST", "/enterprises/ent-demo-1/resumption", claims=ENTERPRISE1, body=later).status == 409
    # Another county's commander may not decide; the enterprise admin may not decide; Hubin's commander may
    shanzhou = claims_for("sub-c2", "commander", county_code="411203")
    approve = {"decision": "approve", "note": "同意"}
    assert stack.request("POST", "/enterprises/ent-demo-1/resumption/decision", claims=shanzhou, body=approve).status == 403
    assert stack.request("POST", "/enterprises/ent-demo-1/resumption/decision", claims=ENTERPRISE1, body=approve).status == 403
    decided = ok(stack.request("POST", "/enterprises/ent-demo-1/resumption/decision", claims=HUBIN_COMMANDER, body=approve))
    assert (decided["resumption_status"], decided["resumed_on"]) == ("approved", clock.today().isoformat())
    assert stack.request("POST", "/enterprises/ent-demo-1/resumption/decision", claims=HUBIN_COMMANDER, body=approve).status == 409
    # And the decision is audited
    actions = sorted(item["action"]["S"] for item in stack.client("dynamodb").scan(TableName=stack.table("AuditTable"))["Items"])
    assert actions == ["enterprise.register", "enterprise.resumption.apply", "enterprise.resumption.approve"]


def test_registry_input_and_scope(stack: Stack) -> None:
    register(stack)
    duplicate = {"enterprise_id": "ent-demo-1", "name": "x", "county_code": "411202", "industry": "mining", "above_scale": True}
    assert stack.request("POST", "/enterprises", claims=COMMANDER, body=duplicate).status == 409
    bad = {**duplicate, "enterprise_id": "ent-9", "above_scale": "yes"}
    response = stack.request("POST", "/enterprises", claims=COMMANDER, body=bad)
    assert response.status == 422 and response.json["fields"][0]["field"] == "above_scale"
    other_county = {**duplicate, "enterprise_id": "ent-9", "county_code": "411203"}
    assert stack.request("POST", "/enterprises", claims=HUBIN_COMMANDER, body=other_county).status == 403
    # A county commander lists their county, but not the city
    assert len(ok(stack.request("GET", "/enterprises", query={"county_code": "411202"}, claims=HUBIN_COMMANDER))["items"]) == 1
    assert stack.request("GET", "/enterprises", claims=HUBIN_COMMANDER).status == 403
    bad_roster = {"employees": [{"name": "某", "id_number": "411202198501010000"}]}
    refused = stack.request("POST", "/enterprises/ent-demo-1/employees", claims=ENTERPRISE1, body=bad_roster)
    assert refused.status == 422 and refused.json["fields"][0]["field"] == "employees.0.id_number"
