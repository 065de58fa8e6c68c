"""Checkpoints over HTTP on the local stack: the acceptance criteria of the checkpoint platform, and the demo data."""

from __future__ import annotations

import base64
import json
import random
import uuid
from datetime import date, datetime
from typing import Any

import pytest

from sanmenxia.clock import SHANGHAI
from sanmenxia.idnumber import make_id_number
from tests.e2e.conftest import LocalStack

COMMUNITY = "411281-006"  # a community the demo data leaves alone


@pytest.fixture(scope="module")
def site(local_stack: LocalStack) -> dict[str, Any]:
    """Two checkpoints of one community, a staff member at each, and a resident with a green code."""
    head = local_stack.new_user("community_head", {"community_id": COMMUNITY, "county_code": "411281"})
    suffix = uuid.uuid4().hex[:6]
    ids = {"a": f"cp-e2e-a-{suffix}", "b": f"cp-e2e-b-{suffix}"}
    for key, kind in (("a", "enterprise"), ("b", "station")):
        body = {
            "checkpoint_id": ids[key],
            "name": f"义马检测点{key.upper()}",
            "kind": kind,
            "community_id": COMMUNITY,
            "entrances": ["正门"],
            "location": {"latitude": 34.74, "longitude": 111.87, "place": "义马市千秋路"},
        }
        created = local_stack.call("POST", "/checkpoints", head, body)
        assert created.status == 201, created.body
    staff = {key: local_stack.new_user("checkpoint_staff", {"checkpoint_id": ids[key], "community_id": COMMUNITY}) for key in ids}
    resident = local_stack.new_user("resident")
    id_number = make_id_number("411281", date(1975 + random.randint(0, 30), random.randint(1, 12), random.randint(1, 28)), random.randint(0, 999))
    registered = local_stack.call(
        "POST",
        "/residents",
        resident,
        {"name": "欧阳明", "id_number": id_number, "phone": "13700002222", "county_code": "411281", "community_id": COMMUNITY, "address": "千秋路8号"},
    )
    assert registered.status == 201, registered.body
    applied = local_stack.call("POST", "/health-codes", resident, {"fever": False, "in_isolation": False, "declaration_accepted": True})
    assert applied.status in (200, 201), applied.body
    return {"head": head, "ids": ids, "staff": staff, "resident": resident, "id_number": id_number}


def scan(local_stack: LocalStack, site: dict[str, Any], gate: str, **body: Any) -> Any:
    payload = {"scan_id": uuid.uuid4().hex, "temperature": 36.5, "direction": "in", **body}
    return local_stack.call("POST", f"/checkpoints/{site['ids'][gate]}/scans", site["staff"][gate], payload)


def token(local_stack: LocalStack, site: dict[str, Any]) -> str:
    response = local_stack.call("GET", "/health-codes/me/token", site["resident"])
    assert response.status == 200, response.body
    return str(response.json["token"])


def totals(local_stack: LocalStack, path: str, username: str) -> dict[str, int]:
    local_stack.drain()  # the counters follow the scans' stream (CheckpointStatsFunction)
    response = local_stack.call("GET", f"{path}?date={local_stack.today()}", username)
    assert response.status == 200, response.body
    return dict(response.json["totals"])


def test_counts_and_unique_persons_over_two_checkpoints_with_a_repeated_scan_id(local_stack: LocalStack, site: dict[str, Any]) -> None:
    # Given the resident scanned twice at A (QR in, ID card out) and once at B, with one scan sent twice
    first = scan(local_stack, site, "a", method="qr", token=token(local_stack, site), scan_id=f"e2e-{uuid.uuid4().hex}")
    assert first.status == 201, first.body
    assert (first.json["color"], first.json["decision"]) == ("green", "pass")
    repeated = {"method": "id_card", "id_number": site["id_number"], "direction": "out", "scan_id": f"e2e-{uuid.uuid4().hex}"}
    assert scan(local_stack, site, "a", **repeated).json["duplicate"] is False
    assert scan(local_stack, site, "a", **repeated).json["duplicate"] is True
    assert scan(local_stack, site, "b", method="typed", id_number=site["id_number"]).status == 201
    # Then A counts two scans of one person, B one, and the community three scans of one person
    gate_a = totals(local_stack, f"/checkpoints/{site['ids']['a']}/stats", site["staff"]["a"])
    assert (gate_a["scans"], gate_a["unique_persons"], gate_a["balance"]) == (2, 1, 0)
    gate_b = totals(local_stack, f"/checkpoints/{site['ids']['b']}/stats", site["staff"]["b"])
    assert (gate_b["scans"], gate_b["unique_persons"]) == (1, 1)
    community = totals(local_stack, f"/communities/{COMMUNITY}/checkpoint-stats", site["head"])
    assert (community["scans"], community["unique_persons"]) == (3, 1)
    # And the resident sees their own three scans
    mine = local_stack.call("GET", "/scans/me", site["resident"]).json["items"]
    assert len(mine) == 3


def forged(jwt: str) -> str:
    header, payload, signature = jwt.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["col"] = "green" if claims["col"] != "green" else "yellow"
    body = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode()).decode().rstrip("=")
    return f"{header}.{body}.{signature}"


def test_refusals_name_the_reason(local_stack: LocalStack, site: dict[str, Any]) -> None:
    good = token(local_stack, site)
    header = json.loads(base64.urlsafe_b64decode(good.split(".")[0] + "=="))
    unknown_key = base64.urlsafe_b64encode(json.dumps({**header, "kid": "not-a-published-key"}).encode()).decode().rstrip("=")
    cases = [
        ({"method": "qr", "token": forged(good)}, "token", "bad signature"),
        ({"method": "qr", "token": f"{unknown_key}.{good.split('.', 1)[1]}"}, "token", "unknown key"),
        ({"method": "typed", "id_number": site["id_number"][:-1] + ("1" if site["id_number"][-1] == "0" else "0")}, "id_number", "check digit"),
        ({"method": "typed", "id_number": site["id_number"], "temperature": 46}, "temperature", ""),
    ]
    for body, field, reason in cases:
        response = scan(local_stack, site, "a", **body)
        assert response.status == 422, (body, response.body)
        [problem] = response.json["fields"]
        assert problem["field"] == field
        assert reason in problem["reason"]


def test_staff_of_another_checkpoint_get_403(local_stack: LocalStack, site: dict[str, Any]) -> None:
    payload = {"scan_id": uuid.uuid4().hex, "method": "typed", "id_number": site["id_number"], "temperature": 36.5, "direction": "in"}
    response = local_stack.call("POST", f"/checkpoints/{site['ids']['b']}/scans", site["staff"]["a"], payload)
    assert response.status == 403
    assert local_stack.call("GET", "/checkpoints/cp-demo-1/stats", site["staff"]["a"]).status == 403


def test_the_demo_checkpoint_has_live_counts(local_stack: LocalStack) -> None:
    # Given the demo data (seven scans sent at cp-demo-1, one of them twice)
    history = local_stack.call("GET", "/scans/me", "gate_visitor1")
    assert history.status == 200, history.body
    assert {record["checkpoint_id"] for record in history.json["items"]} == {"cp-demo-1"}
    day = datetime.fromisoformat(history.json["items"][0]["time"]).astimezone(SHANGHAI).date().isoformat()
    # Then checkpoint1 reads six scans of four people, one fever, from the counters (once the stream is counted)
    local_stack.drain()
    stats = local_stack.call("GET", f"/checkpoints/cp-demo-1/stats?date={day}", "checkpoint1")
    assert stats.status == 200
    counts = stats.json["totals"]
    assert (counts["scans"], counts["unique_persons"], counts["fevers"], counts["passes"], counts["stops"]) == (6, 4, 1, 2, 4)
    # And head1 sees the community's checkpoints, head2 does not
    assert local_stack.call("GET", f"/communities/411202-001/checkpoint-stats?date={day}", "head1").status == 200
    assert local_stack.call("GET", "/communities/411202-001/checkpoint-stats", "head2").status == 403


def test_no_id_number_in_the_logs(local_stack: LocalStack, site: dict[str, Any]) -> None:
    assert site["id_number"] not in local_stack.logs()
