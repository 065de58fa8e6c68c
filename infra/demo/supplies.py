"""Demo data for emergency supplies (应急物资) and return to work (复工复产), seeded through the API.

Supplies: two warehouses, donated and procured masks, protective suits below their threshold, requests in all
four tiers, one allocation run (frontline first), one line dispatched and signed for.

Return to work: five enterprises, their applications and decisions, and rosters whose workers are residents
with codes of every colour. The statistics these give, counted by hand (``HAND_COUNT``), are checked by
``tests/integration/test_enterprises.py`` after running this very seed:

================  ===========  =========  ===============  ==============================================
enterprise        county       scale      resumption       roster (colour of each worker)
================  ===========  =========  ===============  ==============================================
ent-demo-1        411202       above      approved         green, green, yellow, red, no code, no code*
ent-demo-2        411203       above      approved         green, no code*
ent-demo-3        411221       above      pending          green
ent-demo-4        411202       below      approved         green
ent-demo-5        411282       above      rejected         (none)
================  ===========  =========  ===============  ==============================================

(* not registered as a resident; the other "no code" is registered but never applied.) So: 5 registered,
3 resumed, 4 above scale of which 2 resumed (50%); 9 workers due back (rosters of resumed enterprises), 4 of
them green (44.44%), 1 yellow, 1 red, 3 without a code.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from infra.local.demo import DemoClient
from sanmenxia import clock
from sanmenxia.idnumber import make_id_number

ORDER = 60

HAND_COUNT: dict[str, dict[str, Any]] = {
    "enterprises": {
        "registered": 5,
        "resumed": 3,
        "pending": 1,
        "above_scale": 4,
        "above_scale_resumed": 2,
        "above_scale_resumed_share": 0.5,
    },
    "workers": {"due_back": 9, "green": 4, "green_share": 0.4444, "yellow": 1, "red": 1, "no_code": 3},
}

ENTERPRISES = [
    # enterprise id, name, county, industry, above scale, who applies, decision (None: pending), who decides
    ("ent-demo-1", "三门峡示范制造有限公司", "411202", "manufacturing", True, "enterprise1", "approve", "commander_hubin"),
    ("ent-demo-2", "陕州矿业有限公司", "411203", "mining", True, "admin1", "approve", "commander1"),
    ("ent-demo-3", "渑池食品加工厂", "411221", "food_processing", True, "admin1", None, None),
    ("ent-demo-4", "湖滨便民服务中心", "411202", "services", False, "admin1", "approve", "commander_hubin"),
    ("ent-demo-5", "灵宝热电有限公司", "411282", "energy", True, "admin1", "reject", "commander1"),
]

# Workers: (number, name, county, enterprise, code) with code "green", "yellow" (fever declared), "red"
# (isolation declared), "none" (registered, never applied) or None (not registered at all).
WORKERS = [
    (1, "王建国", "411202", "ent-demo-1", "green"),
    (2, "李秀英", "411202", "ent-demo-1", "green"),
    (3, "张伟", "411202", "ent-demo-1", "yellow"),
    (4, "刘洋", "411202", "ent-demo-1", "red"),
    (5, "陈静", "411202", "ent-demo-1", "none"),
    (6, "杨磊", "411202", "ent-demo-1", None),
    (7, "赵敏", "411203", "ent-demo-2", "green"),
    (8, "黄强", "411203", "ent-demo-2", None),
    (9, "周杰", "411221", "ent-demo-3", "green"),
    (10, "吴芳", "411202", "ent-demo-4", "green"),
]

PLAN = {
    "measures": ["temperature_checks", "masks", "disinfection", "health_code_check", "staggered_shifts", "isolation_room"],
    "isolation_room_beds": 2,
    "mask_stock_days": 14,
    "description": "每日两次测温、上岗验码、车间每日消毒两次、食堂分餐,设临时隔离观察室",
}


def _expect(result: tuple[int, Any], *statuses: int) -> Any:
    status, body = result
    if status not in statuses:
        raise RuntimeError(f"demo seed (supplies): expected {statuses}, got {status}: {body}")
    return body


def worker_id_number(number: int, county: str) -> str:
    return make_id_number(county, date(1980 + number, (number % 12) + 1, 10 + number), 100 + 2 * number)


def seed_enterprises(demo: DemoClient) -> None:
    for enterprise_id, name, county, industry, above, _, _, _ in ENTERPRISES:
        body = {"enterprise_id": enterprise_id, "name": name, "county_code": county, "industry": industry, "above_scale": above}
        _expect(demo.call("commander1", "POST", "/enterprises", body), 201, 409)
    for number, name, county, _, code in WORKERS:
        if code is None:
            continue
        username = f"worker{number}"
        demo.create_user(username, "resident")
        resident = {
            "name": name,
            "id_number": worker_id_number(number, county),
            "phone": f"139{number:08d}",
            "county_code": county,
            "community_id": f"{county}-001",
            "address": f"{name[0]}家属院{number}号",
        }
        _expect(demo.call(username, "POST", "/residents", resident), 201, 409)
        if code != "none":
            declaration = {"fever": code == "yellow", "in_isolation": code == "red", "declaration_accepted": True}
            _expect(demo.call(username, "POST", "/health-codes", declaration), 200, 201, 409)
    planned = (clock.today() + timedelta(days=1)).isoformat()
    for enterprise_id, _, _, _, _, applicant, decision, decider in ENTERPRISES:
        roster = [{"name": name, "id_number": worker_id_number(n, county)} for n, name, county, ent, _ in WORKERS if ent == enterprise_id]
        if roster:
            _expect(demo.call(applicant, "POST", f"/enterprises/{enterprise_id}/employees", {"employees": roster}), 200)
        application = {"planned_date": planned, "prevention_plan": PLAN}
        _expect(demo.call(applicant, "POST", f"/enterprises/{enterprise_id}/resumption", application), 201, 409)
        if decision and decider:
            note = "防控方案完备,同意复工" if decision == "approve" else "未设隔离观察室,请整改后重新申请"
            _expect(demo.call(decider, "POST", f"/enterprises/{enterprise_id}/resumption/decision", {"decision": decision, "note": note}), 200, 409)


def seed_supplies(demo: DemoClient) -> None:
    officer = "supplies1"
    city = _expect(demo.call(officer, "POST", "/supplies/warehouses", {"name": "市应急物资储备库", "county_code": "411202", "address": "湖滨区黄河路1号"}), 201)
    lingbao = _expect(
        demo.call(officer, "POST", "/supplies/warehouses", {"name": "灵宝市物资中转站", "county_code": "411282", "address": "灵宝市函谷路8号"}), 201
    )
    inbound = [
        (city, "masks", 4000, "donation", "河南省红十字会"),
        (city, "masks", 2000, "procurement", "三门峡医药公司"),
        (city, "protective_suits", 300, "donation", "灵宝爱心企业联合会"),
        (lingbao, "vegetables", 8000, "donation", "灵宝市蔬菜种植合作社"),
        (lingbao, "eggs", 1500, "procurement", "陕州蛋品公司"),
    ]
    for warehouse, item, quantity, kind, source in inbound:
        body = {"warehouse_id": warehouse["warehouse_id"], "item": item, "quantity": quantity, "kind": kind, "source": source}
        _expect(demo.call(officer, "POST", "/supplies/inbound", body), 201)
    needed = (clock.today() + timedelta(days=3)).isoformat()
    requests = [
        (officer, "frontline_medical", "department", "health", "市中心医院发热门诊", 3000),
        ("head1", "frontline_prevention", "community", "411202-001", "湖滨社区卡口", 2500),
        ("enterprise1", "return_to_work", "enterprise", "ent-demo-1", "三门峡示范制造有限公司", 1500),
        (officer, "aid_other_regions", "external", "hubei-xiaogan", "湖北孝感", 2000),
    ]
    filed = {}
    for who, tier, kind, unit_id, unit_name, quantity in requests:
        body = {"item": "masks", "tier": tier, "quantity": quantity, "needed_by": needed, "unit_kind": kind, "unit_id": unit_id}
        body |= {"unit_name": unit_name}
        filed[tier] = _expect(demo.call(who, "POST", "/supplies/requests", body), 201)
    run = _expect(demo.call(officer, "POST", "/supplies/runs", {"item": "masks", "warehouse_id": city["warehouse_id"]}), 201)
    line = f"/supplies/requests/{filed['frontline_prevention']['request_id']}/lines/{run['run_id']}"
    _expect(demo.call(officer, "POST", f"{line}/dispatch", {"carrier": "豫M·A1234"}), 200)
    _expect(demo.call("head1", "POST", f"{line}/receipt", {"received_quantity": 2500, "note": "已清点入库"}), 200)


def seed(demo: DemoClient) -> None:
    """Supplies first (they need no residents), then enterprises with their workers."""
    seed_supplies(demo)
    seed_enterprises(demo)
