"""Daily close planning: which day a schedule closes, which days are still to close, shard tasks, QR images."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanmenxia.healthcode.qr import qr_png, qr_svg
from sanmenxia.healthcode.store import DUE_SHARDS, CloseCounts, due_key, shard_of
from sanmenxia.healthcode_daily import service as daily
from sanmenxia.holds import CodeColor

D = date(2020, 2, 20)


def test_the_schedule_at_0005_shanghai_closes_the_day_that_ended() -> None:
    # Given the EventBridge time of cron(5 16 * * ? *), i.e. 00:05 on the 21st in Asia/Shanghai
    fired = daily.parse_event_time("2020-02-20T16:05:00Z")
    # Then the day to close is the 20th
    assert daily.day_to_close(fired) == D


def test_a_late_schedule_still_closes_the_previous_shanghai_day() -> None:
    assert daily.day_to_close(datetime(2020, 2, 21, 3, 0, tzinfo=UTC)) == D  # 11:00 in Shanghai on the 21st


def test_days_to_close_follow_the_watermark_in_order() -> None:
    assert daily.days_to_close(D - timedelta(days=3), D, 14) == [D - timedelta(days=2), D - timedelta(days=1), D]


def test_a_closed_day_plans_nothing() -> None:
    assert daily.days_to_close(D, D, 14) == []
    assert daily.plan(D, D, 14) == []


def test_a_gap_of_any_length_is_caught_up_day_by_day() -> None:
    # Given a watermark 40 days back (far more than the first run's window)
    days = daily.days_to_close(D - timedelta(days=40), D, 14)
    # Then every day after it is closed, oldest first, none skipped
    assert days == [D - timedelta(days=39) + timedelta(days=offset) for offset in range(40)]


def test_a_first_run_looks_back_its_window() -> None:
    assert daily.days_to_close(None, D, 3) == [D - timedelta(days=2), D - timedelta(days=1), D]


def test_plan_makes_one_task_per_shard_covering_every_day() -> None:
    tasks = daily.plan(D - timedelta(days=2), D, 14)
    assert [task.shard for task in tasks] == list(range(DUE_SHARDS))
    assert {(task.first, task.through) for task in tasks} == {(D - timedelta(days=1), D)}


def test_a_continuation_task_round_trips_through_json() -> None:
    counts = CloseCounts(closed=5, turned={"yellow": 4, "red": 1, "green": 0})
    task = daily.ShardTask(7, D - timedelta(days=1), D, D, {"person_id": {"S": "x"}}, counts)
    again = daily.ShardTask.from_json(task.to_json())
    assert (again.shard, again.first, again.through, again.day, again.start_key) == (7, task.first, D, D, task.start_key)
    assert (again.counts.closed, again.counts.turned) == (5, counts.turned)


def test_a_task_for_an_unknown_shard_is_refused() -> None:
    with pytest.raises(ValueError, match="shard"):
        daily.ShardTask.from_json({"shard": DUE_SHARDS, "first": "2020-02-20", "through": "2020-02-20"})


@given(person_id=st.text(alphabet="0123456789abcdef", min_size=24, max_size=24))
def test_shards_are_stable_and_in_range(person_id: str) -> None:
    shard = shard_of(person_id)
    assert 0 <= shard < DUE_SHARDS and shard == shard_of(person_id)
    assert due_key(D, shard) == f"2020-02-20#{shard:02d}"


def test_shards_spread_evenly() -> None:
    counts = [0] * DUE_SHARDS
    for index in range(32_000):
        counts[shard_of(f"{index:024x}")] += 1
    assert max(counts) < 1.1 * 1000 and min(counts) > 0.9 * 1000


def test_qr_images_are_drawn_in_the_code_colour() -> None:
    assert qr_png("token", CodeColor.RED).startswith(b"\x89PNG")
    assert "#c62828" in qr_svg("token", CodeColor.RED)
