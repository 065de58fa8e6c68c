"""One entry point for a function with several triggers (API Gateway, a schedule, SQS, a DynamoDB stream, S3).

Each trigger is told apart here, once, by the event's documented shape, and handed to the handler the function
gave for it; an event of a kind the function did not declare is refused, never run through another handler.
The HTTP handler is ``api.handler(app)`` (it logs with the request id); the others get the same logging, tracing
and metrics here, so a function writes none of those decorators itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, cast

from aws_lambda_powertools.utilities.typing import LambdaContext

from sanmenxia.observability import logger, metrics, tracer

Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


class Trigger(StrEnum):
    HTTP = "http"  # API Gateway REST (``httpMethod``)
    SCHEDULE = "schedule"  # EventBridge schedule (``source: aws.events``)
    SQS = "sqs"  # ``Records[*].eventSource: aws:sqs``
    STREAM = "stream"  # DynamoDB stream, ``aws:dynamodb``
    S3 = "s3"  # S3 notification, ``aws:s3``


_RECORD_SOURCES = {"aws:sqs": Trigger.SQS, "aws:dynamodb": Trigger.STREAM, "aws:s3": Trigger.S3}


def trigger_of(event: Mapping[str, Any]) -> Trigger:
    """Which kind of trigger sent ``event``; ``ValueError`` for a shape none of them has."""
    if "httpMethod" in event:
        return Trigger.HTTP
    if event.get("source") == "aws.events" or event.get("detail-type") == "Scheduled Event":
        return Trigger.SCHEDULE
    records = event.get("Records")
    if isinstance(records, list) and records and isinstance(records[0], Mapping):
        found = _RECORD_SOURCES.get(str(records[0].get("eventSource") or ""))
        if found is not None:
            return found
    raise ValueError("not an event of a known trigger (API Gateway, schedule, SQS, DynamoDB stream, S3)")


def observed(handler: Handler) -> Handler:
    """``handler`` with the function's logging (cleared per invocation), tracing and metrics."""
    return cast(Handler, logger.inject_lambda_context(clear_state=True)(tracer.capture_lambda_handler(metrics.log_metrics(handler))))


def entry(
    *,
    http: Handler | None = None,
    schedule: Handler | None = None,
    sqs: Handler | None = None,
    stream: Handler | None = None,
    s3: Handler | None = None,
) -> Handler:
    """The Lambda entry point of a function with several triggers: each event goes to its trigger's handler
    (``http`` as given, the others ``observed``)."""
    handlers = {Trigger.HTTP: http} if http is not None else {}
    for kind, handler in ((Trigger.SCHEDULE, schedule), (Trigger.SQS, sqs), (Trigger.STREAM, stream), (Trigger.S3, s3)):
        if handler is not None:
            handlers[kind] = observed(handler)

    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        kind = trigger_of(event)
        handler = handlers.get(kind)
        if handler is None:
            raise ValueError(f"this function is not triggered by {kind.value} events")
        return handler(event, context)

    return lambda_handler
