"""Lake export (数据湖导出) and compaction: DynamoDB stream batches → Parquet in the lake bucket, partitioned by table and day.

Every platform table with a stream is an event source of this function (``template.yaml``, "Big data").
Only the catalog's declared columns are exported (no sealed fields, no look-up keys, no clear personal
data); object keys are deterministic, so retries overwrite instead of duplicating; the first record that
could not be exported is reported (``ReportBatchItemFailures``) and the shard resumes from it.
``compact_handler`` (a second function with this code, on a daily schedule) merges each past day's small
objects into one per table.
"""

from __future__ import annotations

import functools
import json
from datetime import timedelta
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from sanmenxia import aws, clock
from sanmenxia.lake import catalog
from sanmenxia.lake.catalog import LakeTable
from sanmenxia.lake.store import LakeStore
from sanmenxia.lake_export.compact import compact_day, days_to_compact
from sanmenxia.lake_export.service import export_batch
from sanmenxia.observability import logger, metrics, tracer
from sanmenxia.settings import FunctionSettings


class Settings(FunctionSettings):
    lake_bucket: str
    lake_sources: str  # JSON: {"<physical table name>": "<logical id in template.yaml>"}

    def source_map(self) -> dict[str, str]:
        return {str(key): str(value) for key, value in json.loads(self.lake_sources).items()}


@functools.cache
def settings() -> Settings:
    return Settings()  # type: ignore[call-arg]


@functools.cache
def store() -> LakeStore:
    return LakeStore(aws.client("s3"), settings().lake_bucket)


@functools.cache
def source_map() -> dict[str, str]:
    return settings().source_map()


def specs_for_table(physical_name: str) -> list[LakeTable] | None:
    logical = source_map().get(physical_name)
    return catalog.for_source(logical) if logical else None


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    records = event.get("Records") or []
    if not records:
        return {"batchItemFailures": []}
    report = export_batch(records, specs_for_table, store().put, clock_offset=timedelta(seconds=clock.offset_seconds()))
    for table, rows in report.exported_rows.items():
        metrics.add_metric(name="LakeRowsExported", unit="Count", value=rows)
        logger.info("lake rows exported", extra={"table": table, "rows": rows})
    metrics.add_metric(name="LakeObjectsWritten", unit="Count", value=len(report.objects))
    if report.failed_sequence is not None:
        metrics.add_metric(name="LakeExportFailures", unit="Count", value=1)
    return report.response()


class CompactionSettings(FunctionSettings):
    lake_bucket: str
    compaction_lookback_days: int = 3


@functools.cache
def compaction_settings() -> CompactionSettings:
    return CompactionSettings()  # type: ignore[call-arg]


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def compact_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Daily: merge the small objects of the last days into one object per table and day (idempotent)."""
    config = compaction_settings()
    lake = LakeStore(aws.client("s3"), config.lake_bucket)
    reports = [compact_day(lake, day) for day in days_to_compact(clock.today(), config.compaction_lookback_days)]
    for report in reports:
        merged = sum(report.merged_objects.values())
        metrics.add_metric(name="LakeObjectsCompacted", unit="Count", value=merged)
        logger.info("lake day compacted", extra={"day": report.day, "objects": report.merged_objects, "duplicates": report.duplicates_dropped})
    return {"days": [report.__dict__ for report in reports]}
