"""sanmenxia.triggers: one entry point for functions with several triggers, over the events the local stack sends."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import pytest
from aws_lambda_powertools.utilities.typing import LambdaContext

from infra.local import events
from sanmenxia.triggers import Handler, Trigger, entry, trigger_of
from tests.support.stack import FakeContext

REGION = "cn-north-1"
SAMPLES = {
    Trigger.HTTP: events.api_event("GET", "/health-codes/me"),
    Trigger.SCHEDULE: events.schedule_event("Nightly", datetime(2026, 12, 1, tzinfo=UTC), REGION),
    Trigger.SQS: events.sqs_event("arn:aws:sqs:cn-north-1:1:q", [{"MessageId": "m1", "ReceiptHandle": "r1", "Body": "{}"}], REGION),
    Trigger.STREAM: events.dynamodb_stream_event(
        "arn:aws:dynamodb:cn-north-1:1:table/t/stream/s", [{"eventID": "e1", "eventName": "INSERT", "dynamodb": {}}], REGION
    ),
    Trigger.S3: events.s3_event("bucket", "uploads/a.csv", 10, "etag", REGION),
}


@pytest.mark.parametrize("kind", list(Trigger))
def test_each_trigger_is_told_apart_by_its_event(kind: Trigger) -> None:
    # Given the event the local stack builds for this trigger / When its kind is asked / Then it is that kind
    assert trigger_of(SAMPLES[kind]) is kind


@pytest.mark.parametrize("event", [{}, {"Records": []}, {"Records": [{"eventSource": "aws:kinesis"}]}, {"source": "aws.s3"}])
def test_an_unknown_shape_is_refused(event: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="not an event of a known trigger"):
        trigger_of(event)


def test_entry_hands_each_event_to_its_handler_and_refuses_an_undeclared_trigger() -> None:
    # Given a function with an HTTP door and a schedule
    seen: list[str] = []

    def door(name: str) -> Handler:
        def handle(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
            seen.append(name)
            return {"door": name}

        return handle

    handler = entry(http=door("http"), schedule=door("schedule"))
    context = cast(LambdaContext, FakeContext(function_name="Demo"))
    # When each is invoked, then it reaches its own handler
    assert handler(SAMPLES[Trigger.HTTP], context) == {"door": "http"}
    assert handler(SAMPLES[Trigger.SCHEDULE], context) == {"door": "schedule"}
    # And an SQS batch, which it did not declare, runs nothing
    with pytest.raises(ValueError, match="not triggered by sqs events"):
        handler(SAMPLES[Trigger.SQS], context)
    assert seen == ["http", "schedule"]
