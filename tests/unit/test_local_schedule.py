"""The local stack's schedule evaluation matches EventBridge's cron and rate semantics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from infra.local.schedule import parse


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_daily_cron_just_after_midnight_shanghai_fires_once_a_day() -> None:
    # Given 00:05 Asia/Shanghai expressed in UTC
    rule = parse("cron(5 16 * * ? *)")
    # When three days pass
    fires = list(rule.between(utc(2020, 2, 1, 12), utc(2020, 2, 4, 12)))
    # Then it fires at 16:05 UTC on each of the three days, in order
    assert fires == [utc(2020, 2, 1, 16, 5), utc(2020, 2, 2, 16, 5), utc(2020, 2, 3, 16, 5)]


def test_interval_is_open_at_start_and_closed_at_end() -> None:
    rule = parse("cron(0 0 * * ? *)")
    assert list(rule.between(utc(2020, 2, 1), utc(2020, 2, 2))) == [utc(2020, 2, 2)]


def test_lists_ranges_steps_and_day_names() -> None:
    rule = parse("cron(0/30 8-9 ? * MON-FRI *)")
    fires = list(rule.between(utc(2020, 2, 7), utc(2020, 2, 10, 23)))  # Fri 7th .. Mon 10th
    expected = [f"{day} {time}" for day in ("Fri", "Mon") for time in ("08:00", "08:30", "09:00", "09:30")]
    assert [f.strftime("%a %H:%M") for f in fires] == expected


def test_rate_counts_from_its_origin() -> None:
    rule = parse("rate(6 hours)", origin=utc(2020, 2, 1))
    assert list(rule.between(utc(2020, 2, 1, 1), utc(2020, 2, 2))) == [utc(2020, 2, 1, 6), utc(2020, 2, 1, 12), utc(2020, 2, 1, 18), utc(2020, 2, 2)]
    assert len(list(parse("rate(1 minute)", origin=utc(2020, 1, 1)).between(utc(2020, 1, 1), utc(2020, 1, 1) + timedelta(hours=1)))) == 60


@pytest.mark.parametrize("expression", ["cron(0 0 L * ? *)", "cron(0 0 * *)", "every day"])
def test_unsupported_expressions_are_refused(expression: str) -> None:
    with pytest.raises(ValueError):
        parse(expression)
