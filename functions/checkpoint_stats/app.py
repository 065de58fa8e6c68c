"""Checkpoint statistics (检测点实时统计): the scans table's stream, counted a batch at a time.

A gate scan writes only its own record; this function, an event source of ``ScansTable``'s stream, turns each
batch into one marker update per person and day and one update per counter item (``checkpoints.stats``), so
a county's counters take one write per batch instead of one per scan. A batch that fails is delivered again
whole (no bisecting: the deltas of the same records are recognised by their receipts and applied once).
"""

from __future__ import annotations

import functools
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from sanmenxia import aws, clock
from sanmenxia.checkpoints import stats
from sanmenxia.checkpoints.records import ScanRecord
from sanmenxia.checkpoints.store import ScanCounter
from sanmenxia.observability import logger, metrics, tracer
from sanmenxia.settings import FunctionSettings


class Settings(FunctionSettings):
    checkpoint_stats_table: str


@functools.cache
def settings() -> Settings:
    return Settings()  # type: ignore[call-arg]


@functools.cache
def counter() -> ScanCounter:
    return ScanCounter(aws.client("dynamodb"), settings().checkpoint_stats_table)


def scans_of(event: dict[str, Any]) -> list[stats.ScanFacts]:
    """The new scans of a stream batch, in stream order (TTL expiries and other removals count nothing)."""
    found = []
    for record in event.get("Records") or []:
        image = (record.get("dynamodb") or {}).get("NewImage")
        if record.get("eventName") == "INSERT" and image:
            found.append(ScanRecord.from_item(image).facts())
    return found


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    scans = scans_of(event)
    written = counter().count(scans, clock.now())
    metrics.add_metric(name="ScansCounted", unit="Count", value=len(scans))
    logger.info("scans counted", extra={"records": len(event.get("Records") or []), "scans": len(scans), "counters": written})
    return {"scans": len(scans), "counters": written}
