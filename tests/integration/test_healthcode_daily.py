"""The daily close on moto: the seed rule over nights (scheduled events), idempotence, catch-up, fan-out."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from infra.local import events
from sanmenxia import clock
from sanmenxia.clock import SHANGHAI
from sanmenxia.idnumber import make_id_number
from tests.support.stack import REGION, Stack, claims_for

DAY0 = date(2020, 2, 10)
DECLARATION = {"fever": False, "in_isolation": False, "declaration_accepted": True}
CLOSE = "HealthCodeDailyCloseFunction"
WORKER = "HealthCodeCloseWorkerFunction"
_serial = itertools.count(500)


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def set_clock(moment: datetime) -> None:
    clock.set_offset((moment - datetime.now(UTC)).total_seconds())


def set_day(on: date, at: time = time(12, 0)) -> None:
    set_clock(datetime.combine(on, at, tzinfo=SHANGHAI))


def pause_moto_queue_consumers(stack: Stack) -> None:
    """moto's SQS hands new messages to mapped functions itself (through Docker, absent here) and may delete
    them; the tests deliver SQS events themselves, as the local event pump does, so moto's mappings are paused."""
    lam = stack.client("lambda")
    for mapping in lam.list_event_source_mappings()["EventSourceMappings"]:
        if ":sqs:" in mapping["EventSourceArn"]:
            lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)


@pytest.fixture(autouse=True)
def _clock(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    pause_moto_queue_consumers(stack)
    # The integration harness's context always reports 15 s left: keep a 1 s reserve so the close works inline.
    for function in (CLOSE, WORKER):
        monkeypatch.setitem(stack.deployment.functions[function]["env"], "CLOSE_RESERVE_SECONDS", "1")
    set_day(DAY0)
    yield
    clock.set_offset(0)


def night(stack: Stack, closed: date) -> dict[str, Any]:
    """The schedule fires at 00:05 Asia/Shanghai after ``closed``; the clock then moves to that day's noon."""
    fire_at = datetime.combine(closed + timedelta(days=1), time(0, 5), tzinfo=SHANGHAI)
    set_clock(fire_at + timedelta(seconds=1))
    result = stack.invoke(CLOSE, events.schedule_event("HealthCodeDailyClose", fire_at, REGION))
    set_day(closed + timedelta(days=1))
    return dict(result)


def resident_with_code(stack: Stack) -> dict[str, Any]:
    serial = next(_serial)
    claims = claims_for(f"sub-daily-{serial}", "resident")
    body = {
        "name": "李四",
        "id_number": make_id_number("411203", date(1980, 1, 2), serial),
        "phone": "13712345678",
        "county_code": "411203",
        "community_id": "411203-001",
        "address": "陕州区大营镇1号",
    }
    assert stack.request("POST", "/residents", claims=claims, body=body).status == 201
    assert stack.request("POST", "/health-codes", claims=claims, body=DECLARATION).status == 201
    return claims


def color(stack: Stack, claims: dict[str, Any]) -> str:
    return str(stack.request("GET", "/health-codes/me", claims=claims).json["color"])


def check_in(stack: Stack, claims: dict[str, Any]) -> dict[str, Any]:
    response = stack.request("POST", "/health-codes/me/check-ins", claims=claims, body={"temperature": 36.5, "symptoms": []})
    assert response.status == 201, response.json
    return dict(response.json["code"])


def stored_color(stack: Stack, claims: dict[str, Any]) -> str:
    """The colour written in the code item (what the close materialised), not the computed view."""
    person_id = stack.request("GET", "/health-codes/me", claims=claims).json["person_id"]
    item = stack.client("dynamodb").get_item(
        TableName=stack.table("HealthCodeTable"), Key={"person_id": {"S": person_id}, "sk": {"S": "code"}}, ConsistentRead=True
    )["Item"]
    return str(item["color"]["S"])


def test_the_seed_rule_over_nights(stack: Stack) -> None:
    # Given two residents who apply on day 0
    p, q = resident_with_code(stack), resident_with_code(stack)
    night(stack, day(0))
    assert color(stack, p) == "green"  # the application day counts
    # When day 1 passes without a check-in, Then green → yellow
    night(stack, day(1))
    assert (color(stack, p), stored_color(stack, p)) == ("yellow", "yellow")
    # When they check in on day 2, Then yellow → green at once
    assert check_in(stack, p)["color"] == "green"
    assert check_in(stack, q)["color"] == "green"
    # When days 3, 4 and 5 pass without a check-in, Then yellow after one, red after three
    night(stack, day(2))
    night(stack, day(3))
    assert color(stack, p) == "yellow"
    night(stack, day(4))
    assert color(stack, p) == "yellow"
    night(stack, day(5))
    assert (color(stack, p), stored_color(stack, p), color(stack, q)) == ("red", "red", "red")
    # When P checks in on days 6, 7 and 8, Then red, red, and green on the third
    code = check_in(stack, p)
    assert (code["color"], code["checkins_to_green"]) == ("red", 2)
    q_code = check_in(stack, q)
    night(stack, day(6))
    assert check_in(stack, p)["color"] == "red"
    night(stack, day(7))
    assert check_in(stack, p)["color"] == "green"
    # And Q, who checked in on day 6, missed day 7 and checks in on day 8, is still red
    q_code = check_in(stack, q)
    assert (q_code["color"], q_code["checkins_to_green"]) == ("red", 2)


def test_closing_the_same_night_twice_changes_nothing(stack: Stack) -> None:
    # Given a code that lapses on day 1, closed once
    claims = resident_with_code(stack)
    night(stack, day(0))
    first = night(stack, day(1))
    assert (first["closed"], first["turned"]["yellow"], first["watermark"]) == (1, 1, day(1).isoformat())
    items = stack.client("dynamodb").scan(TableName=stack.table("HealthCodeTable"))["Items"]
    # When the same scheduled night fires again
    again = night(stack, day(1))
    # Then nothing is closed and no item changed
    assert (again["closed"], again["queued"]) == (0, 0)
    assert stack.client("dynamodb").scan(TableName=stack.table("HealthCodeTable"))["Items"] == items
    assert color(stack, claims) == "yellow"


def test_missed_nights_are_caught_up_in_order(stack: Stack) -> None:
    # Given a code checked in on day 0 and a first close that ran on day 0's night
    claims = resident_with_code(stack)
    check_in(stack, claims)
    night(stack, day(0))
    # When the schedule does not run for days 1..3 and then fires after day 4
    result = night(stack, day(4))
    # Then days 1..4 are closed in order: yellow took effect on day 2, red on day 4
    assert (result["first"], result["watermark"]) == (day(1).isoformat(), day(4).isoformat())
    history = stack.request("GET", "/health-codes/me", claims=claims).json["history"]
    assert [(h["day"], h["to"]) for h in history if h["cause"] == "close"] == [(day(4).isoformat(), "red"), (day(2).isoformat(), "yellow")]
    assert stored_color(stack, claims) == "red"


def test_a_gap_longer_than_the_first_run_window_is_closed_day_by_day(stack: Stack) -> None:
    # Given a code checked in on day 0 and a close that ran that night
    claims = resident_with_code(stack)
    check_in(stack, claims)
    night(stack, day(0))
    # When the schedule does not run again until after day 20 (more than the 14-day first-run window)
    result = night(stack, day(20))
    # Then every day from day 1 was closed: the code due on day 1 turned yellow on day 2 and red on day 4,
    # stored as shown (before, days 1..6 were skipped and the code stayed stored green)
    assert (result["first"], result["watermark"]) == (day(1).isoformat(), day(20).isoformat())
    assert (stored_color(stack, claims), color(stack, claims)) == ("red", "red")
    history = stack.request("GET", "/health-codes/me", claims=claims).json["history"]
    assert [(h["day"], h["to"]) for h in history if h["cause"] == "close"] == [(day(4).isoformat(), "red"), (day(2).isoformat(), "yellow")]


def test_a_code_read_before_its_close_shows_the_colour_it_will_have(stack: Stack) -> None:
    # Given a code applied on day 0 and no close run yet
    claims = resident_with_code(stack)
    set_day(day(2))
    # When it is read on day 2, Then the view applies the missed day 1 (yellow) before any close
    assert color(stack, claims) == "yellow"
    # When the holder checks in, Then green, and the late close of days 0..1 leaves the code alone
    assert check_in(stack, claims)["color"] == "green"
    late = night(stack, day(1))
    assert late["closed"] == 0
    assert color(stack, claims) == "green"


def test_the_close_reads_only_the_codes_that_lapse(stack: Stack) -> None:
    # Given three codes of which two check in on day 1
    lapsing, *diligent = (resident_with_code(stack) for _ in range(3))
    night(stack, day(0))
    for claims in diligent:
        check_in(stack, claims)
    # When day 1 closes, Then exactly one code was closed (and turned yellow)
    result = night(stack, day(1))
    assert (result["closed"], result["turned"]) == (1, {"yellow": 1, "red": 0, "green": 0})
    assert [color(stack, claims) for claims in (lapsing, *diligent)] == ["yellow", "green", "green"]


def test_a_large_close_fans_out_to_the_workers(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a scheduled close with no time to work inline
    monkeypatch.setitem(stack.deployment.functions[CLOSE]["env"], "CLOSE_INLINE_SECONDS", "0")
    claims = resident_with_code(stack)
    set_day(day(1))
    # When day 1 closes (the first close: it covers day 0 too), Then every shard is queued, nothing closed yet
    queued = night(stack, day(1))
    assert (queued["queued"], queued["closed"], queued["watermark"]) == (32, 0, None)
    assert stored_color(stack, claims) == "green"
    # When the workers take the queue (as the SQS event source mapping would deliver it)
    sqs = stack.client("sqs")
    url = stack.table("HealthCodeCloseQueue")
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    delivered = 0
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            response = stack.invoke(WORKER, events.sqs_event(arn, [message], REGION))
            assert response["batchItemFailures"] == []
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            delivered += 1
    # Then days 0 and 1 are closed by every shard, and the lapsed code is yellow
    assert delivered == 32
    assert stored_color(stack, claims) == "yellow"
    mark = stack.client("dynamodb").get_item(
        TableName=stack.table("HealthCodeTable"), Key={"person_id": {"S": "_close"}, "sk": {"S": "watermark"}}, ConsistentRead=True
    )["Item"]
    assert mark["day"]["S"] == day(1).isoformat()


def test_a_shard_finishing_a_day_again_does_not_count_its_codes_twice(stack: Stack) -> None:
    # Given a store on the platform's table and a shard that finished day 5 with 3 codes closed, 2 turned yellow
    from sanmenxia.healthcode.store import DUE_SHARDS, CloseCounts, HealthCodeStore
    from sanmenxia.holds import HoldStore

    store = HealthCodeStore(stack.client("dynamodb"), stack.table("HealthCodeTable"), HoldStore(stack.client("dynamodb"), stack.table("HoldsTable")))
    counts = CloseCounts(closed=3, turned={"yellow": 2, "red": 0, "green": 0})
    assert store.finish_shard_day(day(5), 0, counts) is (DUE_SHARDS == 1)
    # When the same write is made again (an SDK retry of a slow success, or the shard's close run again)
    store.finish_shard_day(day(5), 0, counts)
    # Then the day counts the shard once
    summary = store.day_summary(day(5))
    assert summary is not None
    assert (summary["shards_done"], summary["closed"], summary["turned"]["yellow"]) == (1, 3, 2)
