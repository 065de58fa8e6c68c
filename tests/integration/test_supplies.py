"""Supplies function on moto: stock, requests, allocation runs, dispatch and receipt, alerts, scope."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from sanmenxia import clock
from sanmenxia.audit import AuditLog, AuditRecord
from sanmenxia.errors import Conflict
from sanmenxia.supplies.catalogue import Item
from sanmenxia.supplies.store import RunResult, SuppliesStore
from tests.support.stack import Stack, claims_for

OFFICER = claims_for("sub-supplies1", "supplies_officer", username="supplies1")
HEALTH = claims_for("sub-handler-health", "department_handler", department="health")
HEAD1 = claims_for("sub-head1", "community_head", community_id="411202-001", county_code="411202")
HEAD2 = claims_for("sub-head2", "community_head", community_id="411202-002", county_code="411202")
ENTERPRISE = claims_for("sub-ent1", "enterprise_admin", enterprise_id="ent-demo-1")
OTHER_ENTERPRISE = claims_for("sub-ent2", "enterprise_admin", enterprise_id="ent-demo-2")
RESIDENT = claims_for("sub-res", "resident")


def soon(days: int = 3) -> str:
    return (clock.today() + timedelta(days=days)).isoformat()


def ok(response: Any, status: int = 200) -> Any:
    assert response.status == status, response.json
    return response.json


def warehouse(stack: Stack, county: str = "411202") -> str:
    body = {"name": "市应急物资储备库", "county_code": county, "address": "湖滨区黄河路1号"}
    return str(ok(stack.request("POST", "/supplies/warehouses", claims=OFFICER, body=body), 201)["warehouse_id"])


def inbound(stack: Stack, warehouse_id: str, quantity: int, item: str = "masks", kind: str = "donation") -> dict[str, Any]:
    body = {"warehouse_id": warehouse_id, "item": item, "quantity": quantity, "kind": kind, "source": "河南省红十字会", "reference": "JZ-2020-001"}
    return ok(stack.request("POST", "/supplies/inbound", claims=OFFICER, body=body), 201)  # type: ignore[no-any-return]


def file(stack: Stack, claims: dict[str, Any], tier: str, kind: str, unit_id: str, quantity: int, item: str = "masks") -> dict[str, Any]:
    body = {
        "item": item,
        "tier": tier,
        "quantity": quantity,
        "needed_by": soon(),
        "unit_kind": kind,
        "unit_id": unit_id,
        "unit_name": f"{kind}:{unit_id}",
    }
    return ok(stack.request("POST", "/supplies/requests", claims=claims, body=body), 201)  # type: ignore[no-any-return]


def table_items(stack: Stack, logical: str) -> list[dict[str, Any]]:
    return stack.client("dynamodb").scan(TableName=stack.table(logical))["Items"]  # type: ignore[no-any-return]


def test_frontline_first_from_request_to_signed_receipt(stack: Stack) -> None:
    # Given 1,000 donated masks and requests from a hospital (medical), a community (prevention) and an enterprise
    wh = warehouse(stack)
    inbound(stack, wh, 1000)
    hospital = file(stack, HEALTH, "frontline_medical", "department", "health", 600)
    community = file(stack, HEAD1, "frontline_prevention", "community", "411202-001", 800)
    enterprise = file(stack, ENTERPRISE, "return_to_work", "enterprise", "ent-demo-1", 300)

    # When the officer runs allocation for the warehouse
    run = ok(stack.request("POST", "/supplies/runs", claims=OFFICER, body={"item": "masks", "warehouse_id": wh}), 201)

    # Then the hospital is served in full, the community gets the rest, the enterprise waits
    given = {a["request_id"]: a["quantity"] for a in run["allocations"]}
    assert given == {hospital["request_id"]: 600, community["request_id"]: 400, enterprise["request_id"]: 0}
    stock = ok(stack.request("GET", f"/supplies/warehouses/{wh}", claims=OFFICER))["stock"]
    assert stock == [{"item": "masks", "available": 0, "reserved": 1000}]

    # When the line is dispatched and the hospital signs for 590 (10 damaged)
    path = f"/supplies/requests/{hospital['request_id']}/lines/{run['run_id']}"
    ok(stack.request("POST", f"{path}/dispatch", claims=OFFICER, body={"carrier": "豫M·12345"}))
    receipt = ok(stack.request("POST", f"{path}/receipt", claims=HEALTH, body={"received_quantity": 590, "note": "10只破损"}))

    # Then the ledger shows the whole path and the shortfall, and the public view counts need against delivered
    assert receipt["status"] == "received" and receipt["shortfall"] == 10 and len(receipt["receipt_digest"]) == 32
    ledger = ok(stack.request("GET", f"/supplies/requests/{hospital['request_id']}", claims=HEALTH))
    assert (ledger["status"], ledger["allocated"], ledger["dispatched"], ledger["received"]) == ("received", 600, 600, 590)
    masks = next(row for row in ok(stack.request("GET", "/supplies/public"))["items"] if row["item"] == "masks")
    assert (masks["need"], masks["allocated"], masks["dispatched"], masks["delivered"], masks["donated"]) == (1700, 1000, 600, 590, 1000)
    assert masks["in_stock"] == 0
    assert ok(stack.request("GET", f"/supplies/warehouses/{wh}", claims=OFFICER))["stock"][0] == {
        "item": "masks",
        "available": 0,
        "reserved": 400,
    }


def test_a_preview_shows_the_frontline_first_plan_and_writes_nothing(stack: Stack) -> None:
    # Given 500 masks and a community (prevention) and a hospital (medical) asking for 400 each
    wh = warehouse(stack)
    inbound(stack, wh, 500)
    community = file(stack, HEAD1, "frontline_prevention", "community", "411202-001", 400)
    hospital = file(stack, HEALTH, "frontline_medical", "department", "health", 400)
    before = table_items(stack, "SuppliesTable")

    # When the officer previews the run
    preview = ok(stack.request("POST", "/supplies/runs/preview", claims=OFFICER, body={"item": "masks", "warehouse_id": wh}))

    # Then the plan serves the hospital first, nothing is written, and committing the run gives the same plan
    given = {a["request_id"]: a["quantity"] for a in preview["allocations"]}
    assert given == {hospital["request_id"]: 400, community["request_id"]: 100}
    assert preview["run_id"] is None and preview["preview"] is True and preview["left_in_stock"] == 0
    assert sorted(map(str, table_items(stack, "SuppliesTable"))) == sorted(map(str, before))
    run = ok(stack.request("POST", "/supplies/runs", claims=OFFICER, body={"item": "masks", "warehouse_id": wh}), 201)
    assert {a["request_id"]: a["quantity"] for a in run["allocations"]} == given
    # and a unit may not preview, nor preview beyond the stock
    assert stack.request("POST", "/supplies/runs/preview", claims=HEAD1, body={"item": "masks", "warehouse_id": wh}).status == 403
    empty = stack.request("POST", "/supplies/runs/preview", claims=OFFICER, body={"item": "masks", "warehouse_id": wh, "release": 1})
    assert empty.status == 400 and empty.json["fields"][0]["field"] == "release"


def test_every_staff_write_leaves_an_audit_record(stack: Stack) -> None:
    wh = warehouse(stack)
    inbound(stack, wh, 10)
    request = file(stack, HEAD1, "frontline_prevention", "community", "411202-001", 5)
    run = ok(stack.request("POST", "/supplies/runs", claims=OFFICER, body={"item": "masks", "warehouse_id": wh}), 201)
    path = f"/supplies/requests/{request['request_id']}/lines/{run['run_id']}"
    ok(stack.request("POST", f"{path}/dispatch", claims=OFFICER, body={}))
    ok(stack.request("POST", f"{path}/receipt", claims=HEAD1, body={"received_quantity": 5}))
    actions = sorted(item["action"]["S"] for item in table_items(stack, "AuditTable"))
    assert actions == sorted(
        ["supplies.warehouse.create", "supplies.inbound", "supplies.request.create", "supplies.run", "supplies.dispatch", "supplies.receipt"]
    )


def test_a_stale_run_is_refused_and_never_drives_stock_negative(stack: Stack) -> None:
    # Given 100 masks and one open request for 100
    wh = warehouse(stack)
    inbound(stack, wh, 100)
    file(stack, HEAD1, "frontline_prevention", "community", "411202-001", 100)
    db = stack.client("dynamodb")
    store = SuppliesStore(db, stack.table("SuppliesTable"), AuditLog(db, stack.table("AuditTable")))
    requests = store.open_requests(Item.MASKS)
    stale_stock = store.stock(wh, Item.MASKS)
    # And a second request and a run that take the stock after the first officer read it
    file(stack, HEALTH, "frontline_medical", "department", "health", 100)
    ok(stack.request("POST", "/supplies/runs", claims=OFFICER, body={"item": "masks", "warehouse_id": wh}), 201)

    # When the first officer's run (planned on the stale read) commits
    from sanmenxia.supplies.allocation import allocate

    plan = allocate(stale_stock.available, [request.demand() for request in requests])
    stale = RunResult("run-00000000aa", Item.MASKS, wh, stale_stock.available, plan, stale_stock.available, len(requests), clock.iso())
    entry = AuditRecord("sub-x", "x", "supplies_officer", "supplies.run", "run#run-00000000aa", clock.iso(), None, None)

    # Then it is refused and nothing moved: stock is zero, not negative, and the community got nothing
    with pytest.raises(Conflict):
        store.commit_run(stale, requests, entry)
    assert store.stock(wh, Item.MASKS).available == 0
    assert store.request(requests[0].request_id).allocated == 0


def test_a_run_with_nothing_to_give_is_a_conflict(stack: Stack) -> None:
    wh = warehouse(stack)
    empty = stack.request("POST", "/supplies/runs", claims=OFFICER, body={"item": "masks", "warehouse_id": wh})
    assert empty.status == 409 and empty.json["fields"][0]["field"] == "warehouse_id"
    inbound(stack, wh, 10)
    nobody = stack.request("POST", "/supplies/runs", claims=OFFICER, body={"item": "masks", "warehouse_id": wh})
    assert nobody.status == 409 and nobody.json["fields"][0]["field"] == "item"


def test_release_limits_a_run_to_part_of_the_stock(stack: Stack) -> None:
    wh = warehouse(stack)
    inbound(stack, wh, 100)
    file(stack, HEAD1, "frontline_prevention", "community", "411202-001", 80)
    run = ok(stack.request("POST", "/supplies/runs", claims=OFFICER, body={"item": "masks", "warehouse_id": wh, "release": 30}), 201)
    assert run["allocated"] == 30 and run["left_in_stock"] == 70
    too_much = stack.request("POST", "/supplies/runs", claims=OFFICER, body={"item": "masks", "warehouse_id": wh, "release": 71})
    assert too_much.status == 400 and too_much.json["fields"][0]["field"] == "release"


BAD_REQUESTS: list[tuple[dict[str, Any], int, str]] = [
    ({"item": "caviar"}, 422, "item"),
    ({"quantity": 0}, 422, "quantity"),
    ({"quantity": "5"}, 422, "quantity"),
    ({"needed_by": "2020-02-30"}, 422, "needed_by"),
    ({"needed_by": "2000-01-01"}, 400, "needed_by"),
    ({"tier": "frontline_medical"}, 400, "tier"),
    ({"unit_id": "411299-001"}, 400, "unit_id"),
    ({"county_code": "411203"}, 400, "county_code"),
    ({"colour": "red"}, 422, "colour"),
]


def test_bad_requests_name_the_field_and_write_nothing(stack: Stack) -> None:
    # Given a valid community request, When one field at a time is spoiled, Then the answer names that field
    valid = {
        "item": "masks",
        "tier": "frontline_prevention",
        "quantity": 10,
        "needed_by": soon(),
        "unit_kind": "community",
        "unit_id": "411202-001",
        "unit_name": "湖滨社区",
    }
    for overrides, status, field in BAD_REQUESTS:
        response = stack.request("POST", "/supplies/requests", claims=OFFICER, body={**valid, **overrides})
        assert response.status == status, (overrides, response.json)
        assert field in [item["field"] for item in response.json["fields"]], (overrides, response.json)
    # And nothing was written
    assert table_items(stack, "SuppliesTable") == []


def test_receipt_rules(stack: Stack) -> None:
    wh = warehouse(stack)
    inbound(stack, wh, 50)
    request = file(stack, HEAD1, "frontline_prevention", "community", "411202-001", 50)
    run = ok(stack.request("POST", "/supplies/runs", claims=OFFICER, body={"item": "masks", "warehouse_id": wh}), 201)
    path = f"/supplies/requests/{request['request_id']}/lines/{run['run_id']}"
    # Signing before dispatch is refused; dispatching twice is refused; signing for more than was sent is refused
    assert stack.request("POST", f"{path}/receipt", claims=HEAD1, body={"received_quantity": 50}).status == 409
    ok(stack.request("POST", f"{path}/dispatch", claims=OFFICER, body={}))
    assert stack.request("POST", f"{path}/dispatch", claims=OFFICER, body={}).status == 409
    too_many = stack.request("POST", f"{path}/receipt", claims=HEAD1, body={"received_quantity": 51})
    assert too_many.status == 400 and too_many.json["fields"][0]["field"] == "received_quantity"
    missing = stack.request("POST", f"/supplies/requests/{request['request_id']}/lines/run-ffffffffff/dispatch", claims=OFFICER, body={})
    assert missing.status == 404


def test_units_only_reach_their_own_requests(stack: Stack) -> None:
    # Given a community head's request and an enterprise's request
    own = file(stack, HEAD1, "frontline_prevention", "community", "411202-001", 10)
    ent = file(stack, ENTERPRISE, "return_to_work", "enterprise", "ent-demo-1", 10)
    # Then a head cannot file for, or read, another community; an enterprise admin not another enterprise
    body = {"item": "masks", "tier": "frontline_prevention", "quantity": 1, "needed_by": soon(), "unit_kind": "community"}
    body |= {"unit_id": "411202-001", "unit_name": "x"}
    assert stack.request("POST", "/supplies/requests", claims=HEAD2, body=body).status == 403
    assert stack.request("GET", f"/supplies/requests/{own['request_id']}", claims=HEAD2).status == 403
    assert stack.request("GET", f"/supplies/requests/{ent['request_id']}", claims=OTHER_ENTERPRISE).status == 403
    assert stack.request("GET", "/supplies/units/enterprise/ent-demo-1/requests", claims=OTHER_ENTERPRISE).status == 403
    mine = ok(stack.request("GET", "/supplies/units/enterprise/ent-demo-1/requests", claims=ENTERPRISE))
    assert [item["request_id"] for item in mine] == [ent["request_id"]]
    # And units and residents cannot manage stock or run allocation
    assert stack.request("POST", "/supplies/runs", claims=ENTERPRISE, body={"item": "masks", "warehouse_id": "wh-0000000000"}).status == 403
    assert stack.request("GET", "/supplies/stock", claims=RESIDENT).status == 403
    assert stack.request("GET", "/supplies/public").status == 200


def test_low_stock_alert_after_a_run(stack: Stack) -> None:
    # Given a threshold of 100 goggles and 150 in stock
    wh = warehouse(stack)
    ok(stack.request("PUT", "/supplies/items/goggles/threshold", claims=OFFICER, body={"threshold": 100}))
    inbound(stack, wh, 150, item="goggles", kind="procurement")
    assert ok(stack.request("GET", "/supplies/alerts", claims=OFFICER)) == []
    # When a run gives out 60
    file(stack, HEALTH, "frontline_medical", "department", "health", 60, item="goggles")
    ok(stack.request("POST", "/supplies/runs", claims=OFFICER, body={"item": "goggles", "warehouse_id": wh}), 201)
    # Then the warehouse's goggles are flagged with the shortfall
    alerts = ok(stack.request("GET", "/supplies/alerts", claims=OFFICER))
    assert alerts == [{"warehouse_id": wh, "warehouse_name": "市应急物资储备库", "item": "goggles", "available": 90, "threshold": 100, "shortfall": 10}]
    overview = {row["item"]: row for row in ok(stack.request("GET", "/supplies/stock", claims=OFFICER))}
    assert overview["goggles"]["warehouses"][0]["low"] is True


POLICE = claims_for("sub-handler-police", "department_handler", department="public_security")


def test_the_tier_follows_from_the_requesting_unit_not_from_the_body(stack: Stack) -> None:
    # Given a department that is not medical, claiming the frontline medical tier for itself
    body = {
        "item": "masks",
        "tier": "frontline_medical",
        "quantity": 100,
        "needed_by": soon(),
        "unit_kind": "department",
        "unit_id": "public_security",
        "unit_name": "公安局",
    }
    refused = stack.request("POST", "/supplies/requests", claims=POLICE, body=body)
    # Then the request is refused, naming the tier field, and nothing is filed
    assert refused.status == 400, refused.json
    assert refused.json["fields"][0]["field"] == "tier"
    assert "frontline_prevention" in refused.json["message"]
    # And a supplies officer filing for that department cannot claim it either (the tier follows the unit)
    assert stack.request("POST", "/supplies/requests", claims=OFFICER, body=body).status == 400
    # While the same department under frontline prevention, and the health department under frontline medical, are filed
    assert stack.request("POST", "/supplies/requests", claims=POLICE, body={**body, "tier": "frontline_prevention"}).status == 201
    assert file(stack, HEALTH, "frontline_medical", "department", "health", 50)["tier"] == "frontline_medical"


def test_a_unit_is_told_the_tiers_it_may_request_under(stack: Stack) -> None:
    # Given the configured tiers (catalogue.allowed_tiers), served so that the request form offers exactly these
    def tiers(claims: dict[str, Any], kind: str, unit: str) -> Any:
        return stack.request("GET", f"/supplies/units/{kind}/{unit}/tiers", claims=claims)

    # Then a non-medical department, a medical one (to an officer), an enterprise and a community get their own
    assert tiers(POLICE, "department", "public_security").json["tiers"] == ["frontline_prevention"]
    assert tiers(OFFICER, "department", "hospital-xinan").json["tiers"] == ["frontline_medical", "frontline_prevention"]
    assert tiers(ENTERPRISE, "enterprise", "ent-demo-1").json["tiers"] == ["return_to_work"]
    assert tiers(HEAD1, "community", "411202-001").json["tiers"] == ["frontline_prevention"]
    # And another unit's tiers are out of scope, naming it
    foreign = tiers(HEAD1, "community", "411202-002")
    assert foreign.status == 403 and "scope" in foreign.json["message"], foreign.json
    assert tiers(POLICE, "department", "health").status == 403


def test_a_county_commander_reaches_only_warehouses_and_runs_of_their_county(stack: Stack) -> None:
    # Given a warehouse of 卢氏 (411224) with stock, run out to a community's request of that county
    county_commander = claims_for("sub-cmd-hubin", "commander", county_code="411202")
    foreign = warehouse(stack, "411224")
    inbound(stack, foreign, 40, item="milk")
    request = file(stack, OFFICER, "frontline_prevention", "community", "411224-001", 10, item="milk")
    run = ok(stack.request("POST", "/supplies/runs", claims=OFFICER, body={"item": "milk", "warehouse_id": foreign}), 201)
    # Then a 湖滨 commander is refused the warehouse, its inbound, a run on it, the run and the line's dispatch, naming the county
    refused = [
        stack.request("GET", f"/supplies/warehouses/{foreign}", claims=county_commander),
        stack.request(
            "POST",
            "/supplies/inbound",
            claims=county_commander,
            body={"warehouse_id": foreign, "item": "milk", "quantity": 5, "kind": "donation", "source": "某单位"},
        ),
        stack.request("POST", "/supplies/runs", claims=county_commander, body={"item": "milk", "warehouse_id": foreign}),
        stack.request("POST", "/supplies/runs/preview", claims=county_commander, body={"item": "milk", "warehouse_id": foreign}),
        stack.request("GET", f"/supplies/runs/{run['run_id']}", claims=county_commander),
        stack.request("POST", f"/supplies/requests/{request['request_id']}/lines/{run['run_id']}/dispatch", claims=county_commander, body={}),
        stack.request("POST", "/supplies/warehouses", claims=county_commander, body={"name": "外县库", "county_code": "411224", "address": "卢氏县1号"}),
    ]
    assert [response.status for response in refused] == [403] * len(refused), [response.json for response in refused]
    assert all("county" in response.json["message"] for response in refused)
    # While the city's supplies officer reads the run
    assert stack.request("GET", f"/supplies/runs/{run['run_id']}", claims=OFFICER).status == 200


def test_a_county_commanders_supply_lists_hold_nothing_of_another_county(stack: Stack) -> None:
    # Given stock, an inbound booking, a request and a run in 卢氏 (411224) and a warehouse with stock in 湖滨 (411202)
    county_commander = claims_for("sub-cmd-hubin", "commander", county_code="411202")
    foreign = warehouse(stack, "411224")
    own = warehouse(stack, "411202")
    inbound(stack, foreign, 40, item="milk")
    inbound(stack, own, 30, item="milk")
    request = file(stack, OFFICER, "frontline_prevention", "community", "411224-001", 10, item="milk")
    run = ok(stack.request("POST", "/supplies/runs", claims=OFFICER, body={"item": "milk", "warehouse_id": foreign}), 201)

    def read(path: str, claims: dict[str, Any]) -> Any:
        route, _, query = path.partition("?")
        return ok(stack.request("GET", route, claims=claims, query=query or None))

    # Then every list the 湖滨 commander reads shows their county's warehouse and nothing of 卢氏
    lists = {
        path: read(path, county_commander)
        for path in (
            "/supplies/warehouses",
            "/supplies/inbound?item=milk",
            "/supplies/stock",
            "/supplies/alerts",
            "/supplies/requests?item=milk",
            "/supplies/runs?item=milk",
        )
    }
    text = json.dumps(lists, ensure_ascii=False)
    assert foreign not in text and request["request_id"] not in text and run["run_id"] not in text, text
    hubin = {row["warehouse_id"] for row in lists["/supplies/warehouses"]}
    assert own in hubin and {row["county_code"] for row in lists["/supplies/warehouses"]} == {"411202"}
    assert own in {row["warehouse_id"] for row in lists["/supplies/inbound?item=milk"]} <= hubin
    milk = next(row for row in lists["/supplies/stock"] if row["item"] == "milk")
    assert own in {line["warehouse_id"] for line in milk["warehouses"]} <= hubin
    assert milk["available"] == sum(line["available"] for line in milk["warehouses"])
    # While the city's supplies officer sees both counties
    city = json.dumps([read(path, OFFICER) for path in lists], ensure_ascii=False)
    assert foreign in city and own in city and request["request_id"] in city and run["run_id"] in city


def test_a_county_commander_opens_a_department_request_of_their_county_and_no_other(stack: Stack) -> None:
    # Given two requests of the health department, one for 湖滨 (411202) and one for 卢氏 (411224)
    county_commander = claims_for("sub-cmd-hubin", "commander", county_code="411202")
    body = {"item": "masks", "tier": "frontline_medical", "quantity": 5, "needed_by": soon(), "unit_kind": "department", "unit_id": "health"}
    own = ok(stack.request("POST", "/supplies/requests", claims=HEALTH, body={**body, "unit_name": "湖滨卫健", "county_code": "411202"}), 201)
    other = ok(stack.request("POST", "/supplies/requests", claims=HEALTH, body={**body, "unit_name": "卢氏卫健", "county_code": "411224"}), 201)
    # Then the 湖滨 commander opens the 湖滨 request and is refused the 卢氏 one
    opened = stack.request("GET", f"/supplies/requests/{own['request_id']}", claims=county_commander)
    assert opened.status == 200, opened.json
    assert opened.json["county_code"] == "411202"
    assert stack.request("GET", f"/supplies/requests/{other['request_id']}", claims=county_commander).status == 403
    # And the department's own handler still opens both
    assert stack.request("GET", f"/supplies/requests/{other['request_id']}", claims=HEALTH).status == 200
