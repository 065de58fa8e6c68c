"""Supplies and return to work over HTTP on the local stack: frontline-first allocation, the public view, an
enterprise admin's roster of colours and masked names (foreign enterprise → 403), statistics that move by
exactly what was added."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from sanmenxia.idnumber import make_id_number
from tests.e2e.conftest import LocalStack


def fresh_id_number(county: str) -> str:
    born = date(1970, 1, 1) + timedelta(days=secrets.randbelow(10_000))
    return make_id_number(county, born, secrets.randbelow(1000))


def test_demo_supplies_are_in_the_public_view_without_signing_in(local_stack: LocalStack) -> None:
    view = local_stack.request("GET", "/supplies/public")
    assert view.status == 200
    masks = next(row for row in view.json["items"] if row["item"] == "masks")
    # The demo filed 9,000 masks of need and 2,500 were signed for by the Hubin community
    assert masks["need"] >= 9000 and masks["delivered"] >= 2500


def test_frontline_first_over_http(local_stack: LocalStack) -> None:
    # Given a warehouse with 100 cases of milk, a community's request for 80 and a hospital's for 50
    officer = "supplies1"
    warehouse = local_stack.call("POST", "/supplies/warehouses", officer, {"name": "卢氏县物资库", "county_code": "411224", "address": "城关镇1号"})
    assert warehouse.status == 201, warehouse.body
    wh = warehouse.json["warehouse_id"]
    inbound = {"warehouse_id": wh, "item": "milk", "quantity": 100, "kind": "donation", "source": "伊利公司"}
    assert local_stack.call("POST", "/supplies/inbound", officer, inbound).status == 201
    head = local_stack.new_user("community_head", {"community_id": "411224-002", "county_code": "411224"})
    needed = (date.fromisoformat(local_stack.today()) + timedelta(days=2)).isoformat()
    base = {"item": "milk", "needed_by": needed}
    community = local_stack.call(
        "POST", "/supplies/requests", head,
        {**base, "tier": "frontline_prevention", "quantity": 80, "unit_kind": "community", "unit_id": "411224-002", "unit_name": "杜关卡口"},
    )  # fmt: skip
    hospital = local_stack.call(
        "POST", "/supplies/requests", officer,
        {**base, "tier": "frontline_medical", "quantity": 50, "unit_kind": "department", "unit_id": "health", "unit_name": "卢氏县医院"},
    )  # fmt: skip
    assert community.status == 201 and hospital.status == 201, (community.body, hospital.body)

    # When the officer runs allocation
    run = local_stack.call("POST", "/supplies/runs", officer, {"item": "milk", "warehouse_id": wh})

    # Then the hospital gets its 50 and the community the remaining 50; another community's head cannot see it
    assert run.status == 201, run.body
    given = {row["request_id"]: row["quantity"] for row in run.json["allocations"]}
    assert given[hospital.json["request_id"]] == 50 and given[community.json["request_id"]] == 50
    other_head = local_stack.new_user("community_head", {"community_id": "411224-003", "county_code": "411224"})
    assert local_stack.call("GET", f"/supplies/requests/{community.json['request_id']}", other_head).status == 403
    assert local_stack.call("GET", f"/supplies/requests/{community.json['request_id']}", head).json["allocated"] == 50


def test_enterprise_admin_roster_and_statistics_over_http(local_stack: LocalStack) -> None:
    # Given a new above-scale enterprise in Lushi with its own admin account
    enterprise_id = f"ent-e2e-{secrets.token_hex(3)}"
    body = {"enterprise_id": enterprise_id, "name": "卢氏e2e企业", "county_code": "411224", "industry": "mining", "above_scale": True}
    assert local_stack.call("POST", "/enterprises", "commander1", body).status == 201
    admin = local_stack.new_user("enterprise_admin", {"enterprise_id": enterprise_id, "county_code": "411224"})
    before = local_stack.call("GET", "/enterprises/statistics?county_code=411224", "commander1").json

    # And three workers: one green, one red (isolation declared), one not registered
    numbers = []
    for isolation in (False, True):
        resident = local_stack.new_user("resident")
        id_number = fresh_id_number("411224")
        person = {"name": "卢氏工人", "id_number": id_number, "phone": f"136{secrets.randbelow(10**8):08d}"}
        person |= {"county_code": "411224", "community_id": "411224-001", "address": "城关镇2号"}
        assert local_stack.call("POST", "/residents", resident, person).status == 201
        declaration = {"fever": False, "in_isolation": isolation, "declaration_accepted": True}
        assert local_stack.call("POST", "/health-codes", resident, declaration).status == 201
        numbers.append(id_number)
    numbers.append(fresh_id_number("411224"))
    roster = {"employees": [{"name": name, "id_number": n} for name, n in zip(("孙悟空", "猪八戒", "沙和尚"), numbers, strict=True)]}

    # When the admin uploads the roster, applies with a plan, and the city commander approves
    assert local_stack.call("POST", f"/enterprises/{enterprise_id}/employees", admin, roster).status == 200
    plan = {"measures": ["temperature_checks", "masks", "disinfection", "health_code_check"], "mask_stock_days": 10, "description": "测温验码消毒"}
    application = {"planned_date": local_stack.today(), "prevention_plan": plan}
    assert local_stack.call("POST", f"/enterprises/{enterprise_id}/resumption", admin, application).status == 201
    decision = local_stack.call("POST", f"/enterprises/{enterprise_id}/resumption/decision", "commander1", {"decision": "approve"})
    assert decision.status == 200, decision.body

    # Then the admin sees the colours and masked names of its own roster only
    view = local_stack.call("GET", f"/enterprises/{enterprise_id}/employees", admin)
    assert view.status == 200
    assert sorted((row["name"], row["colour"]) for row in view.json["employees"]) == [("孙**", "green"), ("沙**", "no_code"), ("猪**", "red")]
    assert local_stack.call("GET", f"/enterprises/{enterprise_id}/employees", "enterprise1").status == 403
    assert local_stack.call("GET", "/enterprises/ent-demo-1/employees", admin).status == 403

    # And the county's statistics moved by exactly this enterprise: one more resumed, three due back, one green
    after = local_stack.call("GET", "/enterprises/statistics?county_code=411224", "commander1").json
    delta = {key: after["workers"][key] - before["workers"][key] for key in ("due_back", "green", "red", "no_code")}
    assert delta == {"due_back": 3, "green": 1, "red": 1, "no_code": 1}
    assert after["enterprises"]["above_scale_resumed"] - before["enterprises"]["above_scale_resumed"] == 1
