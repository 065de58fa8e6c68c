"""The authorization matrix, generated from the route table and run on the local stack (DESIGN.md §8).

Rows come from the template's routes and each route's access declaration (``x-roles`` in the stack's OpenAPI
document), so a new route gets its rows without anyone writing them:

* every non-public route without a token: 401;
* every role the route does not declare: 403 (with a body that would not even validate: the role comes first);
* every scoped role the route declares (county commander, community head, checkpoint staff, department
  handler, enterprise admin, resident), addressed at a record of a *foreign* scope — a path id of a record of
  another county, or a scope query naming another county/community/checkpoint/department — for reads and
  writes: 403 or 404;
* no response of any of these cells carries the foreign records' personal data (name, phone, ID number,
  address, free text), and no scoped role's own list does either.

The four defects of issue 12 are rows too (``test_issue_12_defects_are_rows``). The matrix's size is printed
and written to ``authorization-matrix.json`` in the stack's state directory.
"""

from __future__ import annotations

import json
import random
import re
import uuid
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest

from infra.local import template
from sanmenxia.auth import Role
from sanmenxia.enterprises.rules import Industry
from sanmenxia.idnumber import make_id_number
from sanmenxia.scope import SCOPED_BY
from tests.e2e.conftest import LocalStack

HOME_COUNTY, HOME_COMMUNITY = "411203", "411203-002"
FOREIGN_COUNTY, FOREIGN_COMMUNITY = "411224", "411224-003"
FOREIGN_PHONE = "13698765432"
FOREIGN_HELP_PHONE = "13587654321"
FOREIGN_NAME = "司马懿"
FOREIGN_ADDRESS = "卢氏县五里川镇秘密巷17号"
FOREIGN_TEXT = "矩阵测试外县线索描述甲乙丙"
ALL_ROLES = tuple(role.value for role in Role)
#: Values for fields whose pattern a generic generator cannot meet (a new patterned field shows up as a 422 row).
EXAMPLES = {
    "scan_id": "matrix-scan-0001",
    "username": "matrix.user",
    "hold": "fever#matrix-1",
    "merged_into": "WOAAAAAAAAAAAAAAAA",
    "token": "aaaaaaaa.bbbbbbbb.cccccccc",
    "id_number": make_id_number(FOREIGN_COUNTY, date(1960, 1, 1), 123),
    "temporary_password": "Matrix2020pass",
}
#: Optional fields the generator fills from ``EXAMPLES`` too, in a body that must name one of two subjects (the
#: field, when the body also offers the other: an appeal names a hold or a missed check-in day, a contact an ID
#: number or a phone).
OPTIONAL_EXAMPLES = {"hold": "missed_day", "id_number": "phone"}
#: Path parameters whose foreign value depends on the route (the same name means another record there).
ROUTE_PARAMETERS = {("/communities/", "request_id"): "20200101000000-00000000"}
#: Query parameters that name a scope, and the foreign value each takes.
SCOPE_QUERY = ("county_code", "community_id", "checkpoint_id", "department", "enterprise_id", "lab_id")


def _random_id(county: str) -> str:
    return make_id_number(county, date(1960 + random.randint(0, 40), random.randint(1, 12), random.randint(1, 28)), random.randint(0, 999))


class Matrix:
    """The stack, the callers of each role, the foreign world and the route table."""

    def __init__(self, local_stack: LocalStack) -> None:
        self.stack = local_stack
        self.openapi: dict[str, Any] = local_stack.request("GET", "/openapi.json").json
        self.routes = template.routes()
        self.cells: Counter[str] = Counter()
        self.failures: list[str] = []
        self.admin = local_stack.new_user("admin")
        self.today = (date.fromisoformat(local_stack.today()) + timedelta(days=1)).isoformat()
        self.foreign: dict[str, str] = {}
        self.foreign_by_role: dict[str, dict[str, str]] = {}
        self.role_cells: Counter[str] = Counter()
        self.route_cells: Counter[tuple[str, str, str]] = Counter()  # (method, path, role) of foreign cells
        self.markers: list[str] = []
        self._build_foreign_world()
        self._build_foreign_units()
        self._build_home_callers()

    # -- the world ---------------------------------------------------------------------------------
    def _ok(self, response: Any, what: str) -> Any:
        assert 200 <= response.status < 300, f"{what}: {response.status} {response.body[:300]!r}"
        return response.json

    def _build_foreign_world(self) -> None:
        """Records of county 411224 (卢氏) holding marker values: a resident with a code, a help message (a
        work order with a phone), a tip-off, a checkpoint, an enterprise, a proposed manual colour change."""
        stack = self.stack
        foreign_id = _random_id(FOREIGN_COUNTY)
        resident = stack.new_user("resident", prefix="foreign")
        person = self._ok(
            stack.call(
                "POST",
                "/residents",
                resident,
                {
                    "name": FOREIGN_NAME,
                    "id_number": foreign_id,
                    "phone": FOREIGN_PHONE,
                    "county_code": FOREIGN_COUNTY,
                    "community_id": FOREIGN_COMMUNITY,
                    "address": FOREIGN_ADDRESS,
                },
            ),
            "foreign resident",
        )
        stack.call("POST", "/health-codes", resident, {"fever": False, "in_isolation": False, "declaration_accepted": True})
        help_message = self._ok(
            stack.call(
                "POST",
                "/portal/help-messages",
                resident,
                {"kind": "medicine", "message": f"{FOREIGN_TEXT} 请打 {FOREIGN_HELP_PHONE}", "phone": FOREIGN_HELP_PHONE, "address": FOREIGN_ADDRESS},
            ),
            "foreign help message",
        )
        tipoff = self._ok(
            stack.call(
                "POST",
                "/tipoffs",
                resident,
                {
                    "category": "gathering",
                    "county_code": FOREIGN_COUNTY,
                    "community_id": FOREIGN_COMMUNITY,
                    "address": FOREIGN_ADDRESS,
                    "description": FOREIGN_TEXT,
                },
            ),
            "foreign tip-off",
        )
        checkpoint_id = f"cp-foreign-{uuid.uuid4().hex[:6]}"
        checkpoint = {
            "checkpoint_id": checkpoint_id,
            "name": "卢氏五里川检测点",
            "kind": "village_entrance",
            "community_id": FOREIGN_COMMUNITY,
            "entrances": ["正门"],
            "location": {"latitude": 34.05, "longitude": 111.05, "place": "五里川"},
        }
        self._ok(stack.call("POST", "/checkpoints", self.admin, checkpoint), "foreign checkpoint")
        proposal = self._ok(
            stack.call(
                "POST",
                f"/health-codes/people/{person['person_id']}/hold-proposals",
                self.admin,
                {"action": "place", "color": "yellow", "reason": FOREIGN_TEXT, "evidence": FOREIGN_TEXT},
            ),
            "foreign manual colour change",
        )
        # an exposure run for the foreign person at the foreign checkpoint (a window in the past of any clock)
        window = {"checkpoint_id": checkpoint_id, "start": "2020-02-01T08:00:00+08:00", "end": "2020-02-01T09:00:00+08:00"}
        exposure = self._ok(stack.call("POST", "/exposures", self.admin, {"person_id": person["person_id"], "windows": [window]}), "foreign exposure run")
        # a key person, a comparison list, a saved trip and an article of the foreign side
        key_person = {"person_id": person["person_id"], "category": "from_hubei", "measure": {"kind": "home_isolation"}, "problems": FOREIGN_TEXT}
        kp = self._ok(stack.call("POST", "/key-persons", self.admin, key_person), "foreign key person")
        comparison = self._ok(stack.call("POST", "/imports", self.admin, {"name": "卢氏矩阵名单", "reason": FOREIGN_TEXT}), "foreign comparison list")
        trip = {"date": stack.today(), "mode": "train", "number": "G1234", "carriage": "5", "seat": "12C"}
        saved = self._ok(stack.call("POST", "/co-travel/saved-trips", resident, trip), "foreign saved trip")
        article = {"kind": "announcement", "title": "卢氏矩阵通报", "summary": FOREIGN_TEXT, "body": FOREIGN_TEXT, "source": "卢氏县指挥部"}
        self.foreign_article = str(self._ok(stack.call("POST", "/portal/articles", self.admin, article), "foreign article")["article_id"])
        stack.drain()
        order_id = str(help_message["order_id"])
        tip_order = self._ok(stack.call("GET", f"/tipoffs/{tipoff['tipoff_id']}", resident), "foreign tip-off read back")
        self.foreign = {
            "person_id": str(person["person_id"]),
            "order_id": order_id,
            "tipoff_order_id": str(tip_order.get("order_id") or order_id),
            "tipoff_id": str(tipoff["tipoff_id"]),
            "tipoff_department": str(tip_order.get("department") or "public_security"),
            "checkpoint_id": checkpoint_id,
            "proposal_id": str(proposal["proposal_id"]),
            "exposure_id": str(exposure["run_id"]),
            "kp_id": str(kp["kp_id"]),
            "import_id": str(comparison["import_id"]),
            "saved_id": str(saved["saved_id"]),
            "community_id": FOREIGN_COMMUNITY,
            "county_code": FOREIGN_COUNTY,
            "unit_kind": "community",
            "unit_id": FOREIGN_COMMUNITY,
            "resident": resident,
        }
        self.foreign_id_number = foreign_id
        self.markers = [FOREIGN_NAME, FOREIGN_PHONE, FOREIGN_HELP_PHONE, foreign_id, FOREIGN_ADDRESS, FOREIGN_TEXT]

    def _build_foreign_units(self) -> None:
        """Units of the foreign county and their records: an enterprise, and supply requests of a community, a
        department and that enterprise (purpose holding the marker text) with an allocation run that serves them,
        so enterprise-scoped and supply-unit-scoped routes get foreign rows for the role each unit belongs to."""
        stack, admin = self.stack, self.admin
        enterprise_id = f"ent-foreign-{uuid.uuid4().hex[:6]}"
        enterprise = {
            "enterprise_id": enterprise_id,
            "name": "卢氏矩阵外县企业",
            "county_code": FOREIGN_COUNTY,
            "industry": Industry.MINING.value,
            "above_scale": True,
        }
        self._ok(stack.call("POST", "/enterprises", admin, enterprise), "foreign enterprise")
        roster = {"employees": [{"name": FOREIGN_NAME, "id_number": self.foreign_id_number}]}
        uploaded = self._ok(stack.call("POST", f"/enterprises/{enterprise_id}/employees", admin, roster), "foreign roster")
        needed = (date.fromisoformat(stack.today()) + timedelta(days=5)).isoformat()
        department = self.foreign["tipoff_department"]
        units = {
            "community": ("community", FOREIGN_COMMUNITY, "frontline_prevention"),
            "department": ("department", department, "frontline_prevention"),
            "enterprise": ("enterprise", enterprise_id, "return_to_work"),
        }
        requests = {}
        for name, (kind, unit, tier) in units.items():
            body = {"item": "eggs", "tier": tier, "quantity": 5, "needed_by": needed, "unit_kind": kind, "unit_id": unit, "unit_name": "卢氏矩阵单位"}
            body.update({"county_code": FOREIGN_COUNTY, "purpose": FOREIGN_TEXT})
            requests[name] = str(self._ok(stack.call("POST", "/supplies/requests", admin, body), f"foreign {name} supply request")["request_id"])
        warehouse = self._ok(
            stack.call("POST", "/supplies/warehouses", admin, {"name": "卢氏矩阵仓库", "county_code": FOREIGN_COUNTY, "address": "五里川"}), "warehouse"
        )
        inbound = {"warehouse_id": warehouse["warehouse_id"], "item": "eggs", "quantity": 15, "kind": "donation", "source": "矩阵捐赠单位"}
        self._ok(stack.call("POST", "/supplies/inbound", admin, inbound), "foreign inbound")
        run = self._ok(stack.call("POST", "/supplies/runs", admin, {"item": "eggs", "warehouse_id": warehouse["warehouse_id"], "release": 15}), "foreign run")
        employee_id = str(uploaded["employees"][0]["employee_id"])
        self.foreign.update({"enterprise_id": enterprise_id, "employee_id": employee_id, "request_id": requests["community"], "run_id": str(run["run_id"])})
        # A foreign lab: an upload of it and a result of the foreign resident (lab-scoped routes get foreign rows)
        lab_id = f"lab-foreign-{uuid.uuid4().hex[:6]}"
        lab_upload = self._ok(stack.call("POST", "/lab/uploads", admin, {"lab_id": lab_id, "file_name": "卢氏矩阵结果.csv"}), "foreign lab upload")
        sampled = f"{date.fromisoformat(stack.today()) - timedelta(days=1)}T08:00:00+08:00"
        result = {"lab_id": lab_id, "sample_id": "MATRIX-1", "id_number": self.foreign_id_number, "result": "negative", "sampled_at": sampled}
        self._ok(stack.call("POST", "/lab/results", admin, result), "foreign lab result")
        self.foreign.update({"lab_id": lab_id, "upload_id": str(lab_upload["upload_id"])})
        # An elder card (长辈码) of the foreign resident
        card = self._ok(stack.call("POST", "/elder-cards", admin, {"person_id": self.foreign["person_id"]}), "foreign elder card")
        self.foreign["card_id"] = str(card["card_id"])
        # What is foreign to each scoped role: the unit of its own kind in the foreign county
        self.foreign_by_role = {
            "community_head": {"unit_kind": "community", "unit_id": FOREIGN_COMMUNITY, "request_id": requests["community"]},
            # an article is the propaganda unit's: foreign to a handler of any other department
            "department_handler": {
                "unit_kind": "department",
                "unit_id": department,
                "request_id": requests["department"],
                "department": department,
                "article_id": self.foreign_article,
            },
            "enterprise_admin": {"unit_kind": "enterprise", "unit_id": enterprise_id, "request_id": requests["enterprise"]},
        }

    def foreign_for(self, role: str) -> dict[str, str]:
        return {**self.foreign, **self.foreign_by_role.get(role, {})}

    def _build_home_callers(self) -> None:
        """One caller per role; the scoped ones scoped to county 411203 (陕州), never to the foreign county."""
        stack = self.stack
        departments = [row["department"] for row in stack.request("GET", "/hotline/departments", token=stack.token(self.admin)).json]
        own_department = next(d for d in departments if d not in {self.foreign["tipoff_department"], "community_affairs", "hotline_center"})
        home_checkpoint = f"cp-home-{uuid.uuid4().hex[:6]}"
        scopes: dict[str, dict[str, str]] = {
            "resident": {},
            "checkpoint_staff": {"checkpoint_id": home_checkpoint, "community_id": HOME_COMMUNITY, "county_code": HOME_COUNTY},
            "community_head": {"community_id": HOME_COMMUNITY, "county_code": HOME_COUNTY},
            "hotline_operator": {},
            "department_handler": {"department": own_department},
            "enterprise_admin": {"enterprise_id": f"ent-home-{uuid.uuid4().hex[:6]}"},
            "lab": {"lab_id": f"lab-home-{uuid.uuid4().hex[:6]}"},
            "supplies_officer": {},
            "commander": {"county_code": HOME_COUNTY},
            "admin": {},
        }
        self.callers = {role: (self.admin if role == "admin" else stack.new_user(role, scopes[role])) for role in ALL_ROLES}
        self.own_department = own_department
        self.tokens = {role: stack.token(user) for role, user in self.callers.items()}
        registered = stack.call(
            "POST",
            "/residents",
            self.callers["resident"],
            {
                "name": "陕州居民",
                "id_number": _random_id(HOME_COUNTY),
                "phone": "13611112222",
                "county_code": HOME_COUNTY,
                "community_id": HOME_COMMUNITY,
                "address": "陕州区大营镇1号",
            },
        )
        self._ok(registered, "home resident")

    # -- the route table ----------------------------------------------------------------------------
    def operation(self, route: template.Route) -> dict[str, Any]:
        return self.openapi["paths"].get(route.path, {}).get(route.method.lower(), {})  # type: ignore[no-any-return]

    def roles(self, route: template.Route) -> set[str] | None:
        roles = self.operation(route).get("x-roles", "public")
        return None if roles == "public" else set(roles)

    def request(self, role: str | None, route: template.Route, path: str, query: dict[str, str] | None = None, body: Any = None) -> Any:
        url = path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
        payload = body if body is not None else ({} if route.method in {"POST", "PUT", "PATCH"} else None)
        return self.stack.request(route.method, url, token=self.tokens[role] if role else None, body=payload)

    def leaked(self, response: Any) -> list[str]:
        text = response.body.decode(errors="replace")
        return [marker for marker in self.markers if marker in text]

    def record(self, kind: str, ok: bool, detail: str, role: str | None = None, route: template.Route | None = None) -> None:
        self.cells[kind] += 1
        if role and kind.startswith("foreign"):
            self.role_cells[role] += 1
            if route is not None:
                self.route_cells[(route.method, route.path, role)] += 1
        if not ok:
            self.failures.append(f"{kind}: {detail}")


@pytest.fixture(scope="module")
def matrix(local_stack: LocalStack) -> Matrix:
    return Matrix(local_stack)


def _dummy_path(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "zzzz0000", path)


def _foreign_path(matrix: Matrix, route: template.Route, role: str) -> str | None:
    """The path with every parameter a foreign record's id (the role's own kind of unit where that differs), or
    None when a parameter has no foreign record."""
    names = re.findall(r"\{([^}]+)\}", route.path)
    if not names:
        return None
    foreign = matrix.foreign_for(role)
    foreign.update({name: value for (prefix, name), value in ROUTE_PARAMETERS.items() if route.path.startswith(prefix)})
    values = {}
    for name in names:
        if name not in foreign:
            return None
        values[name] = foreign[name]
    return re.sub(r"\{([^}]+)\}", lambda m: values[m.group(1)], route.path)


def _foreign_query(matrix: Matrix, route: template.Route, role: str) -> dict[str, str]:
    """Scope query parameters of the route that the role is scoped by, set to foreign values."""
    query: dict[str, str] = {}
    required = {}
    for parameter in matrix.operation(route).get("parameters", []):
        name = parameter.get("name")
        if parameter.get("in") == "query" and parameter.get("required") and name not in SCOPE_QUERY:
            required[name] = str(_generated_body(matrix, parameter.get("schema", {})))
        if parameter.get("in") != "query" or name not in SCOPE_QUERY:
            continue
        if name == "department":
            if role == "department_handler":
                query[name] = matrix.foreign["tipoff_department"]
            continue
        query[name] = matrix.foreign[name]
    return {**required, **query} if query else {}


def _generated_body(matrix: Matrix, schema: dict[str, Any], depth: int = 0) -> Any:
    """A body that passes validation where it can: required fields from the schema, foreign scope values."""
    if "$ref" in schema:
        schema = matrix.openapi["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in schema:
        options = [item for item in schema["anyOf"] if item.get("type") != "null"]
        return _generated_body(matrix, options[0], depth) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 3:
            return {}
        body = {}
        offered = schema.get("properties", {})
        wanted = [*schema.get("required", []), *(name for name, other in OPTIONAL_EXAMPLES.items() if name in offered and other in offered)]
        for name in dict.fromkeys(wanted):
            spec = schema["properties"][name]
            if name in {"county_code", "community_id"}:
                body[name] = matrix.foreign[name]
            else:
                body[name] = EXAMPLES[name] if name in EXAMPLES else _generated_body(matrix, spec, depth + 1)
        if body.get("method") == "qr":
            body["token"] = EXAMPLES["token"]
        return body
    if kind == "array":
        return [_generated_body(matrix, schema.get("items", {}), depth + 1) for _ in range(schema.get("minItems", 0))]
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return 36.5
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return matrix.today
    if schema.get("format") == "date-time":
        return f"{matrix.today}T08:00:00+08:00"
    return "矩阵测试说明文字"[: max(schema.get("maxLength", 8), 4)].ljust(schema.get("minLength", 0), "字")


def _body_for(matrix: Matrix, route: template.Route) -> Any:
    content = matrix.operation(route).get("requestBody", {}).get("content", {}).get("application/json")
    return _generated_body(matrix, content["schema"]) if content else {}


ROUTES = template.routes()
#: Every role the scope model bounds to part of the city (sanmenxia.scope.SCOPED_BY): each gets foreign rows.
SCOPED_ROLES = tuple(role.value for role in SCOPED_BY)


def test_every_route_without_a_token_is_401_and_every_undeclared_role_is_403(matrix: Matrix) -> None:
    matrix.failures.clear()
    for route in ROUTES:
        roles = matrix.roles(route)
        if roles is None:
            continue
        path = _dummy_path(route.path)
        response = matrix.request(None, route, path, body={"__not_a_field__": 1})
        matrix.record("no_token", response.status == 401, f"{route.method} {route.path}: {response.status}")
        for role in ALL_ROLES:
            if role in roles:
                continue
            response = matrix.request(role, route, path, body={"__not_a_field__": 1})
            ok = response.status == 403 and not matrix.leaked(response)
            matrix.record("role_not_allowed", ok, f"{route.method} {route.path} as {role}: {response.status} {response.body[:160]!r}")
    assert not matrix.failures, "\n".join(matrix.failures)


def test_every_scoped_role_is_refused_a_foreign_scope_and_sees_no_foreign_data(matrix: Matrix) -> None:
    matrix.failures.clear()
    for route in ROUTES:
        roles = matrix.roles(route)
        if roles is None:
            continue
        for role in SCOPED_ROLES:
            if role not in roles:
                continue
            foreign_path = _foreign_path(matrix, route, role)
            query = {} if role == "resident" else _foreign_query(matrix, route, role)
            body = _body_for(matrix, route) if route.method in {"POST", "PUT", "PATCH"} else None
            kind = "foreign_write" if route.method != "GET" else "foreign_read"
            if foreign_path is not None or query:
                response = matrix.request(role, route, foreign_path or _dummy_path(route.path), query, body)
                ok = response.status in (403, 404) and not matrix.leaked(response)
                matrix.record(kind, ok, f"{route.method} {route.path} {query or ''} as {role}: {response.status} {response.body[:200]!r}", role, route)
            elif route.method == "GET" and "{" not in route.path:
                # The role's own list: nothing of the foreign county in it
                response = matrix.request(role, route, route.path)
                matrix.record("own_list_no_foreign_data", not matrix.leaked(response), f"{route.path} as {role}: {matrix.leaked(response)}")
    assert not matrix.failures, "\n".join(matrix.failures)


def test_issue_12_defects_are_rows(matrix: Matrix, local_stack: LocalStack) -> None:
    stack, foreign = local_stack, matrix.foreign
    commander = matrix.tokens["commander"]
    # 2. A county commander reaches no other county: order (read, dispatch), tip-off, similar tip-offs
    order = stack.request("GET", f"/hotline/orders/{foreign['order_id']}", token=commander)
    assert order.status == 403 and not matrix.leaked(order), order.body
    dispatched = stack.request("POST", f"/hotline/orders/{foreign['order_id']}/dispatch", token=commander, body={"department": "public_security"})
    assert dispatched.status == 403, dispatched.body
    tip = stack.request("GET", f"/tipoffs/{foreign['tipoff_id']}", token=commander)
    assert tip.status == 403 and not matrix.leaked(tip), tip.body
    similar = stack.request("GET", f"/tipoffs/similar?category=gathering&community_id={FOREIGN_COMMUNITY}", token=commander)
    assert similar.status == 403, similar.body
    assert "county" in similar.json["message"]
    # 3. The help message's phone is in clear for no community head (the foreign county's own head reads it)
    head = stack.new_user("community_head", {"community_id": FOREIGN_COMMUNITY, "county_code": FOREIGN_COUNTY})
    seen = stack.call("GET", f"/hotline/orders/{foreign['order_id']}", head)
    assert seen.status == 200, seen.body
    assert FOREIGN_HELP_PHONE not in seen.body.decode() and FOREIGN_ADDRESS not in seen.body.decode()
    # 4. The appeal unit (the big-data bureau, where 12345 routes appeals) sees a person's code and decides
    appeal_unit = stack.new_user("department_handler", {"department": "big_data"})
    code = stack.call("GET", f"/health-codes/people/{foreign['person_id']}", appeal_unit)
    assert code.status == 200 and "appeals" in code.json, code.body
    no_appeal = stack.call(
        "POST", f"/health-codes/people/{foreign['person_id']}/appeals/decision", appeal_unit, {"hold": "fever#none", "decision": "lift", "reason": "核实无误"}
    )
    assert no_appeal.status == 404, no_appeal.body
    # 1. A stopped person does not pass on the QR already on their phone
    _stale_qr_row(matrix, local_stack)
    matrix.cells["issue_12_rows"] += 4


def _stale_qr_row(matrix: Matrix, stack: LocalStack) -> None:
    head = stack.new_user("community_head", {"community_id": HOME_COMMUNITY, "county_code": HOME_COUNTY})
    checkpoint_id = f"cp-stale-{uuid.uuid4().hex[:6]}"
    body = {
        "checkpoint_id": checkpoint_id,
        "name": "陕州矩阵检测点",
        "kind": "station",
        "community_id": HOME_COMMUNITY,
        "entrances": ["正门"],
        "location": {"latitude": 34.72, "longitude": 111.1, "place": "大营"},
    }
    assert stack.call("POST", "/checkpoints", head, body).status == 201
    staff = stack.new_user("checkpoint_staff", {"checkpoint_id": checkpoint_id, "community_id": HOME_COMMUNITY, "county_code": HOME_COUNTY})
    resident = stack.new_user("resident")
    registered = stack.call(
        "POST",
        "/residents",
        resident,
        {
            "name": "杨过",
            "id_number": _random_id(HOME_COUNTY),
            "phone": "13622223333",
            "county_code": HOME_COUNTY,
            "community_id": HOME_COMMUNITY,
            "address": "大营2号",
        },
    )
    assert registered.status == 201, registered.body
    assert stack.call("POST", "/health-codes", resident, {"fever": False, "in_isolation": False, "declaration_accepted": True}).status in (200, 201)
    token = stack.call("GET", "/health-codes/me/token", resident).json["token"]
    fever = stack.call(
        "POST",
        f"/checkpoints/{checkpoint_id}/scans",
        staff,
        {"scan_id": uuid.uuid4().hex, "temperature": 38.6, "direction": "in", "method": "qr", "token": token},
    )
    assert fever.status == 201 and fever.json["reason"] == "fever", fever.body
    again = stack.call(
        "POST",
        f"/checkpoints/{checkpoint_id}/scans",
        staff,
        {"scan_id": uuid.uuid4().hex, "temperature": 36.6, "direction": "in", "method": "qr", "token": token},
    )
    assert again.status == 201, again.body
    assert (again.json["decision"], again.json["decided_by"], again.json["live_color"]) == ("stop", "live", "yellow"), again.json
    assert again.json["advice"]["code"] == "hold"


def test_zz_the_matrix_size_is_recorded(matrix: Matrix, local_stack: LocalStack) -> None:
    routes = sum(1 for route in ROUTES if matrix.roles(route) is not None)
    size = {
        "routes": routes,
        "all_routes": len(ROUTES),
        "roles": len(ALL_ROLES),
        "scoped_roles": len(SCOPED_ROLES),
        "cells": dict(matrix.cells),
        "foreign_cells_by_role": dict(matrix.role_cells),
    }
    size["total_cells"] = sum(matrix.cells.values())
    print("authorization matrix:", json.dumps(size))
    (local_stack.state_dir / "authorization-matrix.json").write_text(json.dumps(size, indent=2))
    assert matrix.cells["no_token"] == routes
    # Every scoped role kind of the scope model had foreign rows, for reads and writes alike
    assert set(SCOPED_ROLES) <= {role for role, count in matrix.role_cells.items() if count}, matrix.role_cells
    # Enterprise-scoped and supply-unit-scoped routes have foreign rows for the role of that unit's kind
    unit_routes = [
        route for route in ROUTES if re.search(r"\{(enterprise_id|unit_id|request_id)\}", route.path) and route.path.startswith(("/enterprises", "/supplies"))
    ]
    for route in unit_routes:
        for role in ("enterprise_admin", "community_head", "department_handler", "commander"):
            roles = matrix.roles(route) or set()
            if role in roles:
                assert matrix.route_cells[(route.method, route.path, role)], f"no foreign row for {route.method} {route.path} as {role}"
    # Routes of a key person, a comparison list, a saved trip and an article have foreign rows for a scoped role
    for parameter in ("kp_id", "import_id", "saved_id", "article_id"):
        rows = [key for key, count in matrix.route_cells.items() if count and "{" + parameter + "}" in key[1]]
        assert rows, f"no foreign row for a route with {{{parameter}}}"
    assert matrix.cells["foreign_read"] > 0 and matrix.cells["foreign_write"] > 0
