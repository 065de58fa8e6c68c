"""Every answer of an HTTP function carries the server's time (X-Server-Time), so that the app defaults its forms'
dates from the server's today rather than from a device clock (and follows the local stack's virtual clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sanmenxia import clock
from sanmenxia.api import SERVER_TIME_HEADER
from tests.support.stack import Stack, claims_for

RESIDENT = claims_for("sub-time", "resident", username="resident-time")


def _stamp(headers: dict[str, str]) -> datetime:
    return datetime.strptime(headers[SERVER_TIME_HEADER.lower()], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def test_an_answer_carries_the_servers_time_as_the_clock_has_it(stack: Stack) -> None:
    # Given the platform's clock forty days ahead of the machine's
    clock.set_offset(40 * 86_400)
    # When a visitor reads the news (public) and a resident asks for a code they do not have (a 404)
    public = stack.request("GET", "/portal/articles")
    missing = stack.request("GET", "/health-codes/me", claims=RESIDENT)
    # Then both answers carry the platform's time, not the machine's
    assert public.status == 200
    assert missing.status == 404
    for response in (public, missing):
        assert abs(_stamp(response.headers) - clock.now()) < timedelta(minutes=5)
        assert _stamp(response.headers) - datetime.now(UTC) > timedelta(days=39)
