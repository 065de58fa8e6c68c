"""Gate scans on moto: decisions, idempotent scan ids, counts and unique persons, refusals, follow-up, scope."""

from __future__ import annotations

import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from moto.core import botocore_stubber

import sanmenxia.healthcode.store as store_module
from sanmenxia import clock
from sanmenxia.healthcode import tokens
from sanmenxia.healthcode.store import HealthCodeStore, PublishedKeySet
from sanmenxia.holds import CodeColor, HoldKind, HoldStore
from sanmenxia.idnumber import make_id_number
from tests.support.paging import assert_cursor_refused, read_all
from tests.support.stack import Stack, claims_for
from tests.support.streams import TableStream

HEAD1 = claims_for("sub-head1", "community_head", username="head1", community_id="411202-001", county_code="411202")
HEAD2 = claims_for("sub-head2", "community_head", username="head2", community_id="411202-002", county_code="411202")
HUBIN_COMMANDER = claims_for("sub-cmd", "commander", username="commander_hubin", county_code="411202")
LINGBAO_COMMANDER = claims_for("sub-cmd-lb", "commander", username="commander_lingbao", county_code="411282")
STAFF_A = claims_for("sub-staff-a", "checkpoint_staff", username="gate_a", checkpoint_id="cp-gate-a", community_id="411202-001")
STAFF_B = claims_for("sub-staff-b", "checkpoint_staff", username="gate_b", checkpoint_id="cp-gate-b", community_id="411202-001")
ALICE = claims_for("sub-alice", "resident")
BOB = claims_for("sub-bob", "resident")
ALICE_ID = make_id_number("411202", date(1990, 3, 7), 123)
BOB_ID = make_id_number("411202", date(1985, 7, 1), 456)
CHILD_ID = make_id_number("411202", date(2015, 6, 1), 124)
STRANGER_ID = make_id_number("411221", date(1970, 1, 1), 777)


@pytest.fixture
def gates(stack: Stack) -> Stack:
    """Two checkpoints of community 411202-001 (A: north gate, B: market), made by its head."""
    for checkpoint_id, name, kind in (("cp-gate-a", "湖滨社区北门", "residential_compound"), ("cp-gate-b", "湖滨农贸市场", "market")):
        body = {
            "checkpoint_id": checkpoint_id,
            "name": name,
            "kind": kind,
            "community_id": "411202-001",
            "entrances": ["北门", "东门"],
            "location": {"latitude": 34.78, "longitude": 111.19, "place": "湖滨区黄河路"},
        }
        assert stack.request("POST", "/checkpoints", claims=HEAD1, body=body).status == 201
    SCAN_STREAMS[id(stack)] = TableStream(stack, "ScansTable", "CheckpointStatsFunction")
    return stack


#: The scans table's stream of each test's stack, delivered to the statistics function before a read.
SCAN_STREAMS: dict[int, TableStream] = {}


def counted(stack: Stack) -> int:
    """Deliver the scans recorded since the last delivery to the statistics function, as the pump would."""
    return SCAN_STREAMS[id(stack)].deliver()


def register(stack: Stack, claims: dict[str, Any], id_number: str, name: str, *, color: CodeColor | None = CodeColor.GREEN) -> str:
    """A registered resident; with ``color`` a health code (red through an isolation hold)."""
    body = {"name": name, "id_number": id_number, "phone": "13812345678", "county_code": "411202", "community_id": "411202-001", "address": "湖滨区前进路1号"}
    person = stack.request("POST", "/residents", claims=claims, body=body)
    assert person.status == 201, person.json
    person_id: str = person.json["person_id"]
    if color is not None:
        db = stack.client("dynamodb")
        holds = HoldStore(db, stack.table("HoldsTable"))
        store = HealthCodeStore(db, stack.table("HealthCodeTable"), holds)
        store.apply(person_id, county_code="411202", community_id="411202-001", applied_by=claims["sub"], declared_fever=False, declared_isolation=False)
        if color is CodeColor.RED:
            holds.place(person_id, HoldKind.ISOLATION, source="key-persons", source_ref="kp-1", reason="centralised isolation")
    return person_id


def signing_key(stack: Stack) -> tokens.SigningKey:
    """The health code's signing key, its public half published as the health-code function does before signing."""
    secret = stack.client("secretsmanager").get_secret_value(SecretId=stack.table("HealthCodeSigningSecret"))["SecretString"]
    key = tokens.signing_key_from_secret(secret)
    PublishedKeySet(stack.client("ssm"), stack.table("HealthCodeJwksParameter")).publish([key])
    return key


def token_for(stack: Stack, person_id: str, color: CodeColor = CodeColor.GREEN, *, now: datetime | None = None, key: tokens.SigningKey | None = None) -> str:
    return tokens.issue_token(key or signing_key(stack), person_id, color, now=now or clock.now(), ttl=timedelta(minutes=5))


def scan(stack: Stack, checkpoint: str = "cp-gate-a", claims: dict[str, Any] = STAFF_A, **body: Any) -> Any:
    payload: dict[str, Any] = {"scan_id": f"scan-{uuid.uuid4().hex[:16]}", "temperature": 36.5, "direction": "in"}
    payload.update(body)
    return stack.request("POST", f"/checkpoints/{checkpoint}/scans", claims=claims, body=payload)


def day_totals(stack: Stack, path: str, claims: dict[str, Any] = HEAD1) -> dict[str, int]:
    counted(stack)
    response = stack.request("GET", path, claims=claims)
    assert response.status == 200, response.json
    totals: dict[str, int] = response.json["totals"]
    return totals


def queued_candidates(stack: Stack) -> list[dict[str, Any]]:
    sqs = stack.client("sqs")
    url = stack.table("KeyPersonCandidateQueue")
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]


def test_a_green_qr_code_passes_and_the_gate_sees_only_what_it_needs(gates: Stack) -> None:
    # Given a resident with a green code showing their QR token
    alice = register(gates, ALICE, ALICE_ID, "张三丰")
    # When checkpoint staff scan it
    response = scan(gates, method="qr", token=token_for(gates, alice), scan_id="qr-green-0001", entrance="北门")
    # Then the person passes and the response holds the masked name, colour, decision, reason and time only
    assert response.status == 201, response.json
    body = response.json
    assert (body["name"], body["color"], body["decision"], body["reason"]) == ("张**", "green", "pass", "ok")
    assert set(body) == {
        "scan_id", "name", "color", "decision", "reason", "advice", "decided_by", "token_color", "live_color", "time",
        "checkpoint_id", "direction", "message", "duplicate", "dependents",
    }  # fmt: skip
    assert (body["token_color"], body["live_color"], body["decided_by"], body["advice"]) == ("green", "green", "token", {"code": "pass", "params": {}})


def test_a_qr_issued_before_a_fever_stop_is_decided_on_todays_colour(gates: Stack) -> None:
    # Given a green QR already on the resident's phone, and a fever stop at the gate a minute later
    alice = register(gates, ALICE, ALICE_ID, "张三丰")
    token = token_for(gates, alice)
    assert scan(gates, method="qr", token=token, temperature=38.4, scan_id="fever-stop-01").json["reason"] == "fever"
    # When the same token is shown again with a normal temperature
    response = scan(gates, method="qr", token=token, scan_id="stale-qr-0001")
    # Then the gate stops them on today's colour (the fever hold), says so, and advises about the hold
    assert response.status == 201, response.json
    body = response.json
    assert (body["decision"], body["color"], body["reason"]) == ("stop", "yellow", "yellow_code")
    assert (body["token_color"], body["live_color"], body["decided_by"]) == ("green", "yellow", "live")
    assert body["advice"] == {"code": "hold", "params": {"hold_kind": "fever", "color": "yellow"}}
    assert "check in" not in body["message"]
    # And /health-codes/verify tells the same colour
    verified = gates.request("POST", "/health-codes/verify", claims=STAFF_A, body={"token": token})
    assert verified.json["current_color"] == "yellow", verified.json


def test_a_hold_lifted_after_issue_never_makes_a_token_better(gates: Stack) -> None:
    # Given a yellow token issued while a hold was on, and the hold lifted since
    alice = register(gates, ALICE, ALICE_ID, "张三丰")
    response = scan(gates, method="qr", token=token_for(gates, alice, CodeColor.YELLOW), scan_id="yellow-lift-1")
    # Then the token's colour still decides
    assert (response.json["decision"], response.json["decided_by"], response.json["token_color"]) == ("stop", "token", "yellow")
    assert response.json["advice"]["code"] == "check_in_today"


def test_scans_hold_no_clear_personal_data_and_expire(gates: Stack) -> None:
    alice = register(gates, ALICE, ALICE_ID, "张三丰")
    scan(gates, method="typed", id_number=ALICE_ID, scan_id="typed-0001", vehicle_plate="鄂A12345")
    items = gates.client("dynamodb").scan(TableName=gates.table("ScansTable"))["Items"]
    dump = str(items)
    for secret in (ALICE_ID, "张三丰", "鄂A12345"):
        assert secret not in dump
    assert items[0]["person_id"]["S"] == alice
    assert items[0]["plate_masked"]["S"] == "鄂A***45"
    assert int(items[0]["expires_at"]["N"]) > int(clock.now().timestamp()) + 50 * 86400


def test_same_person_twice_here_and_once_elsewhere_counts_three_scans_and_one_person(gates: Stack) -> None:
    # Given a resident scanned in and out at gate A, and in at gate B, the same day
    register(gates, ALICE, ALICE_ID, "张三丰")
    assert scan(gates, method="id_card", id_number=ALICE_ID, scan_id="visit-0001").status == 201
    assert scan(gates, method="id_card", id_number=ALICE_ID, scan_id="visit-0002", direction="out").status == 201
    assert scan(gates, "cp-gate-b", STAFF_B, method="typed", id_number=ALICE_ID, scan_id="visit-0003").status == 201
    # Then gate A has two scans of one person and a balanced in/out, gate B one scan of one person
    gate_a = day_totals(gates, "/checkpoints/cp-gate-a/stats")
    assert (gate_a["scans"], gate_a["unique_persons"], gate_a["ins"], gate_a["outs"], gate_a["balance"]) == (2, 1, 1, 1, 0)
    gate_b = day_totals(gates, "/checkpoints/cp-gate-b/stats")
    assert (gate_b["scans"], gate_b["unique_persons"]) == (1, 1)
    # And the community and the county count three scans of one person
    community = day_totals(gates, "/communities/411202-001/checkpoint-stats")
    county = day_totals(gates, "/counties/411202/checkpoint-stats", HUBIN_COMMANDER)
    assert (community["scans"], community["unique_persons"], community["passes"]) == (3, 1, 3)
    assert (county["scans"], county["unique_persons"]) == (3, 1)


def test_a_concurrent_burst_at_two_gates_is_counted_exactly(gates: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    # moto in process is not thread-safe: each AWS call is made atomic (as DynamoDB makes each request), while the
    # scans and the statistics batches interleave freely, which is where concurrent batches race for markers.
    serial = threading.Lock()
    original = botocore_stubber.BotocoreStubber.__call__

    def one_call_at_a_time(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        with serial:
            return original(self, event_name, request, **kwargs)

    monkeypatch.setattr(botocore_stubber.BotocoreStubber, "__call__", one_call_at_a_time)
    # Given three residents and a warm gate (settings and caches read once, as in a warm container)
    people = [(ALICE, ALICE_ID, "张三丰"), (BOB, BOB_ID, "李四"), (claims_for("sub-carol", "resident"), CHILD_ID, "王五")]
    for claims, id_number, name in people:
        register(gates, claims, id_number, name)
    assert scan(gates, method="typed", id_number=ALICE_ID, scan_id="burst-warm").status == 201
    assert counted(gates) == 1
    # When 24 scans arrive at once from four devices at two gates, each device resending a scan until it is
    # recorded (a busy answer asks for the same scan id again)
    burst = [(f"burst-{i:03d}", ("cp-gate-a", STAFF_A) if i % 2 else ("cp-gate-b", STAFF_B), people[i % 3][1]) for i in range(24)]

    def send(scan_id: str, gate: tuple[str, dict[str, Any]], id_number: str) -> int:
        for _ in range(8):
            status = scan(gates, gate[0], gate[1], method="typed", id_number=id_number, scan_id=scan_id).status
            if status != 503:
                return status
        return status

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(lambda one: send(*one), burst))
    assert set(statuses) <= {200, 201}  # 200: a resent scan the first attempt had recorded after all
    # And the stream's records counted as concurrent batches of four stream shards would be, one of them
    # delivered twice (Lambda delivers a failed batch again whole)
    stream = SCAN_STREAMS[id(gates)]
    records = stream.read()
    batches = [records[index::4] for index in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(stream.invoke, [*batches, batches[1]]))
    # Then every level counts every scan once and each person once, as a count of the stored scans says
    stored = gates.client("dynamodb").scan(TableName=gates.table("ScansTable"))["Items"]
    assert len(stored) == 25
    assert sum(len(batch) for batch in batches) == 24  # the warm-up scan was counted before
    gate_a = day_totals(gates, "/checkpoints/cp-gate-a/stats")
    gate_b = day_totals(gates, "/checkpoints/cp-gate-b/stats")
    assert (gate_a["scans"], gate_a["unique_persons"]) == (13, 3)
    assert (gate_b["scans"], gate_b["unique_persons"]) == (12, 3)
    community = day_totals(gates, "/communities/411202-001/checkpoint-stats")
    county = day_totals(gates, "/counties/411202/checkpoint-stats", HUBIN_COMMANDER)
    assert (community["scans"], community["unique_persons"]) == (25, 3)
    assert (county["scans"], county["unique_persons"], county["ins"]) == (25, 3, 25)


def test_the_same_scan_id_sent_twice_is_counted_once(gates: Stack) -> None:
    # Given a device that lost the response and sends the same scan again
    register(gates, ALICE, ALICE_ID, "张三丰")
    first = scan(gates, method="typed", id_number=ALICE_ID, scan_id="retry-0001")
    again = scan(gates, method="typed", id_number=ALICE_ID, scan_id="retry-0001")
    # Then the second answer is the first one, marked duplicate, and the counters moved once
    assert first.status == again.status == 201
    assert (first.json["duplicate"], again.json["duplicate"]) == (False, True)
    assert again.json["time"] == first.json["time"]
    assert day_totals(gates, "/checkpoints/cp-gate-a/stats")["scans"] == 1
    assert gates.client("dynamodb").scan(TableName=gates.table("ScansTable"))["Count"] == 1


def test_a_late_sync_keeps_the_original_time_and_hour(gates: Stack) -> None:
    # Given a scan taken offline yesterday at 08:15 Sanmenxia time and synced now
    register(gates, ALICE, ALICE_ID, "张三丰")
    yesterday = (clock.now_shanghai() - timedelta(days=1)).replace(hour=8, minute=15, second=0, microsecond=0)
    response = scan(gates, method="typed", id_number=ALICE_ID, scan_id="offline-0001", scanned_at=yesterday.isoformat())
    assert response.status == 201, response.json
    assert response.json["time"] == clock.iso(yesterday)
    # Then yesterday's 08:00 hour has it, today has nothing
    day = yesterday.date().isoformat()
    counted(gates)
    stats = gates.request("GET", "/checkpoints/cp-gate-a/stats", claims=HEAD1, query={"date": day}).json
    assert [(hour["hour"], hour["scans"]) for hour in stats["hours"]] == [("08", 1)]
    assert day_totals(gates, "/checkpoints/cp-gate-a/stats")["scans"] == 0
    listed = gates.request("GET", "/checkpoints/cp-gate-a/scans", claims=STAFF_A, query={"date": day}).json["items"]
    assert listed[0]["late"] is True


def tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(tokens._b64decode(payload))
    claims["col"] = "green"
    return f"{header}.{tokens._b64encode(json.dumps(claims, separators=(',', ':')).encode())}.{signature}"


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda s, p: tampered(token_for(s, p, CodeColor.RED)), "bad signature"),
        (lambda s, p: token_for(s, p, now=clock.now() - timedelta(hours=1)), "expired"),
        (lambda s, p: token_for(s, p, key=tokens.signing_key_from_secret("x" * 64)), "unknown key"),
        (lambda s, p: "not.a.token", "malformed"),
    ],
    ids=["forged", "expired", "unknown-key", "malformed"],
)
def test_bad_tokens_are_refused_with_the_reason_and_nothing_is_counted(gates: Stack, make: Any, reason: str) -> None:
    alice = register(gates, ALICE, ALICE_ID, "张三丰")
    response = scan(gates, method="qr", token=make(gates, alice), scan_id="bad-token-01")
    assert response.status == 422, response.json
    assert response.json["error"] == "token_rejected"
    assert response.json["fields"] == [{"field": "token", "reason": f"token rejected: {reason}"}]
    assert gates.client("dynamodb").scan(TableName=gates.table("ScansTable"))["Count"] == 0


def test_a_key_published_after_the_gate_read_the_key_set_is_seen_at_once(gates: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a gate container that read (and caches) the key set for its first scan
    alice = register(gates, ALICE, ALICE_ID, "张三丰")
    old = signing_key(gates)
    assert scan(gates, method="qr", token=token_for(gates, alice, key=old)).status == 201
    # When the health code rotates its key (published before use) and a token of the new key is scanned
    rotated = tokens.signing_key_from_secret("rotated-" + "r" * 56)
    PublishedKeySet(gates.client("ssm"), gates.table("HealthCodeJwksParameter")).publish([rotated, old])
    later = store_module.time.monotonic() + 30  # past the refresh's minimum interval, well inside the cache's age
    monkeypatch.setattr(store_module.time, "monotonic", lambda: later)
    # Then the unknown key id makes the gate read the set again, and the token is accepted
    assert scan(gates, method="qr", token=token_for(gates, alice, key=rotated)).status == 201
    # And a key nobody published is still refused
    assert scan(gates, method="qr", token=token_for(gates, alice, key=tokens.signing_key_from_secret("x" * 64))).status == 422


def test_a_typed_id_with_a_bad_check_digit_is_refused(gates: Stack) -> None:
    wrong = ALICE_ID[:-1] + ("0" if ALICE_ID[-1] != "0" else "1")
    response = scan(gates, method="typed", id_number=wrong)
    assert response.status == 422
    assert response.json["fields"][0]["field"] == "id_number"
    assert "check digit" in response.json["fields"][0]["reason"]


@pytest.mark.parametrize("reading", [29.9, 45.1])
def test_temperatures_outside_30_to_45_are_refused(gates: Stack, reading: float) -> None:
    response = scan(gates, method="typed", id_number=ALICE_ID, temperature=reading)
    assert response.status == 422
    assert [item["field"] for item in response.json["fields"]] == ["temperature"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"method": "qr"}, "token"),
        ({"method": "typed"}, "id_number"),
        ({"method": "typed", "id_number": ALICE_ID, "scan_id": "x"}, "scan_id"),
        ({"method": "typed", "id_number": ALICE_ID, "direction": "sideways"}, "direction"),
        ({"method": "typed", "id_number": ALICE_ID, "vehicle_plate": "12345"}, "vehicle_plate"),
        ({"method": "typed", "id_number": ALICE_ID, "scanned_at": "2020-02-25T08:00:00"}, "scanned_at"),
    ],
)
def test_other_bad_scan_input_names_the_field(gates: Stack, body: dict[str, Any], field: str) -> None:
    response = scan(gates, **body)
    assert response.status == 422, response.json
    assert any(field in item["field"] or field in item["reason"] for item in response.json["fields"])


def test_an_unknown_entrance_and_a_future_time_are_refused(gates: Stack) -> None:
    register(gates, ALICE, ALICE_ID, "张三丰")
    assert scan(gates, method="typed", id_number=ALICE_ID, entrance="西门").json["fields"][0]["field"] == "entrance"
    future = (clock.now() + timedelta(hours=1)).isoformat()
    assert scan(gates, method="typed", id_number=ALICE_ID, scanned_at=future).json["fields"][0]["field"] == "scanned_at"


def test_staff_cannot_scan_at_another_teams_checkpoint(gates: Stack) -> None:
    register(gates, ALICE, ALICE_ID, "张三丰")
    response = scan(gates, "cp-gate-b", STAFF_A, method="typed", id_number=ALICE_ID)
    assert response.status == 403
    assert scan(gates, "cp-gate-a", HEAD2, method="typed", id_number=ALICE_ID).status == 403
    assert scan(gates, "cp-gate-a", ALICE, method="typed", id_number=ALICE_ID).status == 403


def test_a_fever_stops_places_a_fever_hold_and_sends_a_key_person_candidate(gates: Stack) -> None:
    # Given a green-code resident with 38.2 °C at the gate
    alice = register(gates, ALICE, ALICE_ID, "张三丰")
    response = scan(gates, method="qr", token=token_for(gates, alice), temperature=38.2, scan_id="fever-0001")
    # Then the gate stops them for fever
    assert (response.json["decision"], response.json["reason"]) == ("stop", "fever")
    # And a fever hold from this scan is on their code
    holds = HoldStore(gates.client("dynamodb"), gates.table("HoldsTable")).for_person(alice)
    assert [(h.kind, h.source, h.source_ref) for h in holds] == [(HoldKind.FEVER, "checkpoints", "cp-gate-a#fever-0001")]
    # And a key-person candidate is queued for their community
    [candidate] = queued_candidates(gates)
    assert candidate["person_id"] == alice
    assert (candidate["category"], candidate["source"], candidate["source_ref"]) == ("fever_without_contact", "checkpoint", "cp-gate-a#fever-0001")
    assert candidate["community_id"] == "411202-001"
    assert day_totals(gates, "/checkpoints/cp-gate-a/stats")["fevers"] == 1


def test_a_red_code_read_from_the_id_card_stops_and_is_followed_up(gates: Stack) -> None:
    # Given a resident under isolation (red code), reading their ID card
    bob = register(gates, BOB, BOB_ID, "李四", color=CodeColor.RED)
    response = scan(gates, method="id_card", id_number=BOB_ID, scan_id="red-0001")
    # Then they are stopped for the red code and followed up
    assert (response.json["color"], response.json["decision"], response.json["reason"]) == ("red", "stop", "red_code")
    assert [c["source_ref"] for c in queued_candidates(gates)] == ["cp-gate-a#red-0001"]
    assert bob


def test_a_yellow_code_stops_without_follow_up(gates: Stack) -> None:
    alice = register(gates, ALICE, ALICE_ID, "张三丰")
    response = scan(gates, method="qr", token=token_for(gates, alice, CodeColor.YELLOW), scan_id="yellow-001")
    assert (response.json["decision"], response.json["reason"]) == ("stop", "yellow_code")
    assert queued_candidates(gates) == []


def test_an_unregistered_id_number_has_no_code_and_is_stopped_and_counted(gates: Stack) -> None:
    response = scan(gates, method="typed", id_number=STRANGER_ID, scan_id="stranger-01")
    assert response.status == 201
    assert (response.json["name"], response.json["color"], response.json["reason"]) == (None, None, "no_health_code")
    assert STRANGER_ID not in str(gates.client("dynamodb").scan(TableName=gates.table("ScansTable"))["Items"])
    totals = day_totals(gates, "/checkpoints/cp-gate-a/stats")
    assert (totals["stops"], totals["unique_persons"]) == (1, 1)


def test_dependents_are_recorded_and_counted_with_the_scan(gates: Stack) -> None:
    # Given a resident with a child passing together
    alice = register(gates, ALICE, ALICE_ID, "张三丰")
    child = gates.request("POST", "/residents/me/household", claims=ALICE, body={"name": "张小", "id_number": CHILD_ID, "relation": "child"})
    assert child.status == 201
    response = scan(gates, method="qr", token=token_for(gates, alice), scan_id="family-001", dependents=[{"id_number": CHILD_ID, "temperature": 36.8}])
    # Then the child is a scan of its own (no code of their own here: stopped), and two persons are counted
    assert [d["reason"] for d in response.json["dependents"]] == ["no_health_code"]
    totals = day_totals(gates, "/checkpoints/cp-gate-a/stats")
    assert (totals["scans"], totals["unique_persons"], totals["passes"], totals["stops"]) == (2, 2, 1, 1)
    # And the parent sees the child's history through the household
    history = gates.request("GET", "/scans/me", claims=ALICE, query={"person_id": child.json["person_id"]})
    assert [record["companion_of"] for record in history.json["items"]] == ["family-001"]


def test_the_same_person_twice_in_one_scan_is_refused(gates: Stack) -> None:
    register(gates, ALICE, ALICE_ID, "张三丰")
    response = scan(gates, method="typed", id_number=ALICE_ID, dependents=[{"id_number": ALICE_ID, "temperature": 36.8}])
    assert response.status == 400
    assert response.json["fields"][0]["field"] == "dependents"


def test_a_resident_sees_their_own_scan_history_only(gates: Stack) -> None:
    register(gates, ALICE, ALICE_ID, "张三丰")
    bob = register(gates, BOB, BOB_ID, "李四")
    scan(gates, method="typed", id_number=ALICE_ID, scan_id="hist-0001")
    scan(gates, method="typed", id_number=BOB_ID, scan_id="hist-0002")
    mine = gates.request("GET", "/scans/me", claims=ALICE)
    assert [record["scan_id"] for record in mine.json["items"]] == ["hist-0001"]
    assert mine.json["items"][0]["checkpoint_name"] == "湖滨社区北门"
    assert gates.request("GET", "/scans/me", claims=ALICE, query={"person_id": bob}).status == 403


def test_statistics_follow_scope(gates: Stack) -> None:
    assert gates.request("GET", "/communities/411202-001/checkpoint-stats", claims=HEAD1).status == 200
    assert gates.request("GET", "/communities/411202-001/checkpoint-stats", claims=HEAD2).status == 403
    assert gates.request("GET", "/checkpoints/cp-gate-a/stats", claims=STAFF_B).status == 403
    assert gates.request("GET", "/checkpoints/cp-gate-a/scans", claims=STAFF_B).status == 403
    assert gates.request("GET", "/counties/411202/checkpoint-stats", claims=HUBIN_COMMANDER).status == 200
    assert gates.request("GET", "/counties/411202/checkpoint-stats", claims=LINGBAO_COMMANDER).status == 403
    assert gates.request("GET", "/checkpoint-stats", claims=HUBIN_COMMANDER).status == 403


def test_the_city_view_sums_counties_and_lists_each(gates: Stack) -> None:
    register(gates, ALICE, ALICE_ID, "张三丰")
    scan(gates, method="typed", id_number=ALICE_ID, scan_id="city-00001")
    counted(gates)
    city = gates.request("GET", "/checkpoint-stats", claims=claims_for("sub-city", "commander")).json
    assert city["totals"]["scans"] == 1
    assert "unique_persons" not in city["totals"]
    assert [c["totals"]["scans"] for c in city["counties"] if c["county_code"] == "411202"] == [1]


def test_a_closed_checkpoint_takes_no_scans(gates: Stack) -> None:
    register(gates, ALICE, ALICE_ID, "张三丰")
    gates.request("PATCH", "/checkpoints/cp-gate-b", claims=HEAD1, body={"active": False})
    response = scan(gates, "cp-gate-b", STAFF_B, method="typed", id_number=ALICE_ID)
    assert response.status == 409


def test_each_scan_leaves_an_audit_record_without_personal_data(gates: Stack) -> None:
    register(gates, ALICE, ALICE_ID, "张三丰")
    scan(gates, method="typed", id_number=ALICE_ID, scan_id="audit-0001")
    items = gates.client("dynamodb").scan(TableName=gates.table("AuditTable"))["Items"]
    scans = [item for item in items if item["action"]["S"] == "checkpoint.scan"]
    assert [item["target"]["S"] for item in scans] == ["scan#cp-gate-a#audit-0001"]
    assert scans[0]["actor_sub"]["S"] == "sub-staff-a"
    assert ALICE_ID not in str(items)


def test_time_comes_from_the_platform_clock(gates: Stack) -> None:
    # Given the platform clock moved to 2020-02-25 09:30 in Sanmenxia
    register(gates, ALICE, ALICE_ID, "张三丰")
    clock.set_offset((datetime(2020, 2, 25, 1, 30, tzinfo=UTC) - datetime.now(UTC)).total_seconds())
    try:
        response = scan(gates, method="typed", id_number=ALICE_ID, scan_id="clock-0001")
    finally:
        clock.set_offset(0)
    assert response.json["time"].startswith("2020-02-25T01:30")


def test_scan_lists_and_staff_page_with_sealed_cursors(gates: Stack) -> None:
    # Given three scans of Alice and one of Bob at gate A today, and three staff accounts at gate A
    register(gates, ALICE, ALICE_ID, "张三丰")
    register(gates, BOB, BOB_ID, "李四")
    for n, id_number in enumerate((ALICE_ID, BOB_ID, ALICE_ID, ALICE_ID)):
        clock.set_offset(n)
        assert scan(gates, method="typed", id_number=id_number, scan_id=f"page-{n:04d}").status == 201
    for n in range(3):
        assigned = gates.request("POST", "/checkpoints/cp-gate-a/staff", claims=HEAD1, body={"username": f"gate.page{n}", "temporary_password": "Temp2020pass"})
        assert assigned.status == 201, assigned.json
    day = clock.today().isoformat()
    # When each list is read one item at a time
    at_gate, gate_cursor = read_all(gates, "GET", "/checkpoints/cp-gate-a/scans", STAFF_A, {"date": day})
    mine, mine_cursor = read_all(gates, "GET", "/scans/me", ALICE)
    staff, staff_cursor = read_all(gates, "GET", "/checkpoints/cp-gate-a/staff", HEAD1)
    # Then each comes once, newest scan first, and Alice sees only her own
    assert [record["scan_id"] for record in at_gate] == ["page-0003", "page-0002", "page-0001", "page-0000"]
    assert [record["scan_id"] for record in mine] == ["page-0003", "page-0002", "page-0000"]
    assert sorted(row["username"] for row in staff) == ["gate.page0", "gate.page1", "gate.page2"]
    # And a cursor is refused edited, forged, for another checkpoint, day or person, or for another caller
    assert_cursor_refused(gates, "/scans/me", ALICE, mine_cursor, foreign=BOB)
    assert_cursor_refused(gates, "/checkpoints/cp-gate-a/scans", STAFF_A, gate_cursor, foreign=HEAD1)
    assert_cursor_refused(gates, "/checkpoints/cp-gate-a/staff", HEAD1, staff_cursor, other_path="/checkpoints/cp-gate-b/staff")
    other_day = gates.request("GET", "/checkpoints/cp-gate-a/scans", claims=STAFF_A, query={"date": "2020-01-01", "cursor": gate_cursor})
    assert (other_day.status, other_day.json["fields"][0]["field"]) == (400, "cursor")
