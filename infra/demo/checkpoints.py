"""Demo data for checkpoints (检测点管理), seeded through the API as the demo users.

* ``cp-demo-1`` 湖滨社区北门 (community 411202-001, where the demo account ``checkpoint1`` works), registered by
  ``head1``; a market checkpoint in the same community; a village entrance in 411202-002 by ``head2``; a
  highway exit registered by the Hubin commander.
* Three visitors registered in 411202-001 with health codes (green; yellow from a declared fever; red from a
  declared isolation), scanned at ``cp-demo-1`` by ``checkpoint1``: a green QR pass, the same person out
  again, a yellow stop, a red stop read from the ID card, a fever, a typed ID number with no code, and one
  scan sent twice (counted once). The dashboards then show live counters without a scan of any table.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from infra.local.demo import DemoClient
from sanmenxia.idnumber import make_id_number

ORDER = 30

CHECKPOINTS = [
    # (who registers it, body)
    (
        "head1",
        {
            "checkpoint_id": "cp-demo-1",
            "name": "湖滨社区北门",
            "kind": "residential_compound",
            "community_id": "411202-001",
            "entrances": ["北门", "北门车行道"],
            "location": {"latitude": 34.7786, "longitude": 111.1943, "place": "湖滨区黄河路湖滨社区北门"},
        },
    ),
    (
        "head1",
        {
            "checkpoint_id": "cp-demo-market",
            "name": "湖滨农贸市场",
            "kind": "market",
            "community_id": "411202-001",
            "entrances": ["正门", "侧门"],
            "location": {"latitude": 34.7768, "longitude": 111.1981, "place": "湖滨区六峰路农贸市场"},
        },
    ),
    (
        "head2",
        {
            "checkpoint_id": "cp-demo-village",
            "name": "前进社区东口",
            "kind": "village_entrance",
            "community_id": "411202-002",
            "entrances": ["东口"],
            "location": {"latitude": 34.7712, "longitude": 111.2105, "place": "湖滨区前进路东口"},
        },
    ),
    (
        "commander_hubin",
        {
            "checkpoint_id": "cp-demo-highway",
            "name": "连霍高速三门峡东出口",
            "kind": "highway_exit",
            "community_id": "411202-003",
            "entrances": ["收费站出口"],
            "location": {"latitude": 34.7602, "longitude": 111.2398, "place": "G30连霍高速三门峡东收费站"},
        },
    ),
]

# Visitors: (username, name, birth date, sequence, declaration)
VISITORS = [
    ("gate_visitor1", "孙立新", date(1978, 4, 12), 301, {"fever": False, "in_isolation": False}),
    ("gate_visitor2", "周慧敏", date(1991, 9, 3), 302, {"fever": True, "in_isolation": False}),
    ("gate_visitor3", "郑国强", date(1965, 1, 28), 303, {"fever": False, "in_isolation": True}),
]
NO_CODE_ID = make_id_number("411203", date(1988, 8, 8), 305)


def _expect(result: tuple[int, Any], *statuses: int) -> Any:
    status, body = result
    if status not in statuses:
        raise RuntimeError(f"demo seed (checkpoints): expected {statuses}, got {status}: {body}")
    return body


def visitor_id(birth: date, sequence: int) -> str:
    return make_id_number("411202", birth, sequence)


def _visitors(demo: DemoClient) -> dict[str, str]:
    """Register the visitors with codes; returns username → ID number."""
    numbers = {}
    for username, name, birth, sequence, declaration in VISITORS:
        demo.create_user(username, "resident")
        id_number = visitor_id(birth, sequence)
        resident = {
            "name": name,
            "id_number": id_number,
            "phone": f"1380000{sequence:04d}",
            "county_code": "411202",
            "community_id": "411202-001",
            "address": f"湖滨社区{sequence}号楼",
        }
        _expect(demo.call(username, "POST", "/residents", resident), 201, 409)
        _expect(demo.call(username, "POST", "/health-codes", {**declaration, "declaration_accepted": True}), 200, 201, 409)
        numbers[username] = id_number
    return numbers


def seed(demo: DemoClient) -> None:
    for who, body in CHECKPOINTS:
        _expect(demo.call(who, "POST", "/checkpoints", body), 201, 409)
    numbers = _visitors(demo)
    token = _expect(demo.call("gate_visitor1", "GET", "/health-codes/me/token"), 200)["token"]
    scans: list[dict[str, Any]] = [
        {"scan_id": "demo-scan-0001", "method": "qr", "token": token, "temperature": 36.4, "direction": "in", "entrance": "北门"},
        {"scan_id": "demo-scan-0002", "method": "typed", "id_number": numbers["gate_visitor1"], "temperature": 36.5, "direction": "out"},
        {"scan_id": "demo-scan-0003", "method": "id_card", "id_number": numbers["gate_visitor2"], "temperature": 36.9, "direction": "in"},
        {"scan_id": "demo-scan-0004", "method": "id_card", "id_number": numbers["gate_visitor3"], "temperature": 36.6, "direction": "in"},
        {
            "scan_id": "demo-scan-0005",
            "method": "typed",
            "id_number": numbers["gate_visitor1"],
            "temperature": 38.1,
            "direction": "in",
            "entrance": "北门车行道",
            "vehicle_plate": "豫M12345",
        },
        {"scan_id": "demo-scan-0006", "method": "typed", "id_number": NO_CODE_ID, "temperature": 36.3, "direction": "in"},
    ]
    for body in scans:
        _expect(demo.call("checkpoint1", "POST", "/checkpoints/cp-demo-1/scans", body), 201)
    # A device that lost the answer sends the first scan again: counted once.
    _expect(demo.call("checkpoint1", "POST", "/checkpoints/cp-demo-1/scans", scans[0]), 201)
