"""Demo health codes (健康绿码) for ``make run``, seeded through the API.

After the community seed has registered ``resident1`` (with a child) and ``resident2``:

* ``resident1`` applies and checks in today (green); they apply and check in for the child (``?person=``);
* ``resident2`` applies; holds placed by other platforms (co-travel match, carrier list) show as reasons, and
  ``resident2`` appeals the first of them (→ a 12345 work order);
* a third demo resident, ``resident3`` (created here, 411202-002), applies declaring a fever (yellow by a fever
  hold) so ``head2`` has a self-declared hold to lift.

Move the clock (``POST /_local/clock/advance``) to watch the daily close turn codes yellow and red.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from infra.local.demo import DemoClient
from sanmenxia.idnumber import make_id_number

ORDER = 45
DECLARATION = {"fever": False, "in_isolation": False, "declaration_accepted": True}


def _expect(result: tuple[int, Any], *statuses: int) -> Any:
    status, body = result
    if status not in statuses:
        raise RuntimeError(f"demo health-code seed: unexpected {status}: {body}")
    return body


def _registered(demo: DemoClient, username: str) -> bool:
    status, _ = demo.call(username, "GET", "/residents/me")
    return status == 200


def seed(demo: DemoClient) -> None:
    if _registered(demo, "resident1"):
        _expect(demo.call("resident1", "POST", "/health-codes", DECLARATION), 201, 409)
        _expect(demo.call("resident1", "POST", "/health-codes/me/check-ins", {"temperature": 36.5, "symptoms": []}), 200, 201)
        household = _expect(demo.call("resident1", "GET", "/residents/me/household"), 200)
        for member in household:
            if member["relation"] != "self":
                query = f"?person={member['person_id']}"
                _expect(demo.call("resident1", "POST", f"/health-codes{query}", DECLARATION), 201, 409)
                _expect(demo.call("resident1", "POST", f"/health-codes/me/check-ins{query}", {"temperature": 36.4}), 200, 201)
    if _registered(demo, "resident2"):
        _expect(demo.call("resident2", "POST", "/health-codes", DECLARATION), 201, 409)
        code = _expect(demo.call("resident2", "GET", "/health-codes/me"), 200)
        holds = [reason for reason in code["reasons"] if reason["kind"] == "hold"]
        if holds:
            statement = "我在该车次的另一节车厢,已在社区登记,请核实。"
            _expect(demo.call("resident2", "POST", "/health-codes/me/appeals", {"hold": holds[0]["hold"], "statement": statement}), 201, 409)
    if "resident3" not in demo.accounts:
        demo.create_user("resident3", "resident")
    body = {
        "name": "示例居民3",
        "id_number": make_id_number("411202", date(1975, 8, 3), 703),
        "phone": "13700001003",
        "county_code": "411202",
        "community_id": "411202-002",
        "address": "湖滨区示范路3号",
    }
    _expect(demo.call("resident3", "POST", "/residents", body), 201, 409)
    _expect(demo.call("resident3", "POST", "/health-codes", {**DECLARATION, "fever": True}), 201, 409)
