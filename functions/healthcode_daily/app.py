"""Health code daily close (日终结算): the schedule just after midnight Asia/Shanghai, and its fan-out worker.

Two functions share this module (the template names both ``app.lambda_handler``; the event says which job):

* the ``Schedule`` event: read the day that ended from the event's ``time``, plan every day still to close
  after the watermark (missed nights, however many, are caught up day by day, in order), close shards inline while time allows, and
  queue the rest on ``HealthCodeCloseQueue``;
* ``SQS`` records from that queue: close one shard each, and queue a continuation when time runs short.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from sanmenxia import aws, triggers
from sanmenxia.healthcode.store import CloseCounts, HealthCodeStore
from sanmenxia.healthcode_daily import service as daily
from sanmenxia.healthcode_daily.store import CloseQueue
from sanmenxia.observability import logger, metrics
from sanmenxia.services import holds
from sanmenxia.settings import FunctionSettings


class Settings(FunctionSettings):
    health_code_table: str
    holds_table: str
    close_queue_url: str
    #: Seconds the scheduled invocation spends closing shards itself before queueing the rest.
    close_inline_seconds: float = Field(default=60.0, ge=0)
    #: Seconds kept in reserve before Lambda's timeout (a continuation is queued instead).
    close_reserve_seconds: float = Field(default=60.0, ge=0)
    #: How many days the very first close (no watermark yet) looks back. Later runs close every day after
    #: the watermark, however many.
    close_first_run_days: int = Field(default=14, ge=1, le=366)


@functools.cache
def settings() -> Settings:
    return Settings()  # type: ignore[call-arg]


@functools.cache
def store() -> HealthCodeStore:
    return HealthCodeStore(aws.client("dynamodb"), settings().health_code_table, holds(settings().holds_table), retention_days=settings().personal_record_days)


@functools.cache
def close_queue() -> CloseQueue:
    return CloseQueue(aws.client("sqs"), settings().close_queue_url)


def _report(result: daily.ShardResult, shard: int) -> None:
    for day, counts in result.per_day.items():
        for color, count in counts.turned.items():
            if count:
                metrics.add_metric(name=f"CodesTurned{color.capitalize()}", unit="Count", value=count)
        metrics.add_metric(name="CodesClosed", unit="Count", value=counts.closed)
        logger.info(
            "shard closed",
            extra={"day": day.isoformat(), "shard": shard, "closed": counts.closed, "skipped": counts.skipped, "turned": counts.turned},
        )
    for day in result.completed_days:
        logger.info("day closed", extra={"day": day.isoformat(), "summary": store().day_summary(day)})
        metrics.add_metric(name="DaysClosed", unit="Count", value=1)


def _budget(context: LambdaContext, seconds: float) -> Callable[[], bool]:
    """True while the invocation may keep working: within ``seconds`` of now and clear of the reserve."""
    started = context.get_remaining_time_in_millis()
    reserve = settings().close_reserve_seconds * 1000

    def has_time() -> bool:
        left = context.get_remaining_time_in_millis()
        return started - left < seconds * 1000 and left > reserve

    return has_time


def close_days(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The scheduled close: everything after the watermark up to the day that ended at the event's time."""
    target = daily.day_to_close(daily.parse_event_time(event["time"]))
    watermark = store().watermark()
    tasks = daily.plan(watermark, target, settings().close_first_run_days)
    if not tasks:
        logger.info("nothing to close", extra={"target": target.isoformat(), "watermark": watermark.isoformat() if watermark else None})
        return {"target": target.isoformat(), "watermark": watermark.isoformat() if watermark else None, "queued": 0, "closed": 0}
    has_time = _budget(context, settings().close_inline_seconds)
    left: list[dict[str, Any]] = []
    total = CloseCounts()
    for task in tasks:
        if not has_time():
            left.append(task.to_json())
            continue
        result = daily.close_shard(store(), task, has_time)
        _report(result, task.shard)
        for counts in result.per_day.values():
            total.add(counts)
        if result.remaining is not None:
            left.append(result.remaining.to_json())
    queued = close_queue().send(left) if left else 0
    logger.info(
        "close planned",
        extra={"first": tasks[0].first.isoformat(), "target": target.isoformat(), "inline_closed": total.closed, "queued": queued},
    )
    final = store().watermark()
    return {
        "target": target.isoformat(),
        "first": tasks[0].first.isoformat(),
        "watermark": final.isoformat() if final else None,
        "queued": queued,
        "closed": total.closed,
        "turned": total.turned,
    }


def _worker(context: LambdaContext) -> Callable[[SQSRecord], None]:
    def close_one(record: SQSRecord) -> None:
        task = daily.ShardTask.from_json(json.loads(record.body))
        result = daily.close_shard(store(), task, _budget(context, float("inf")))
        _report(result, task.shard)
        if result.remaining is not None:
            close_queue().send([result.remaining.to_json()])

    return close_one


def close_shards(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The shards the schedule left over, from the close queue."""
    processor = BatchProcessor(event_type=EventType.SQS)
    return dict(process_partial_response(event=event, record_handler=_worker(context), processor=processor, context=context))


lambda_handler = triggers.entry(schedule=close_days, sqs=close_shards)
