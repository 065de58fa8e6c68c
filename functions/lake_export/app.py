"""Lake export (数据湖导出): DynamoDB stream batches → Parquet in the lake bucket, partitioned by table and day.

Every platform table with a stream is an event source of this function (``template.yaml``, "Big data").
Only the catalog's declared columns are exported (no sealed fields, no look-up keys, no clear personal
data); object keys are deterministic, so retries overwrite instead of duplicating; the first record that
could not be exported is reported (``ReportBatchItemFailures``) and the shard resumes from it.
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
from sanmenxia.lake.export import export_batch
from sanmenxia.lake.store import LakeStore
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


def specs_for_table(physical_name: str) -> list[LakeTable] | None:
    logical = settings().source_map().get(physical_name)
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
