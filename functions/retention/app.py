"""Retention function (issue 18): the daily deletion of expired personal records and its report.

Just after midnight Asia/Shanghai it deletes, in every table ``RETENTION_TABLES`` names, the items whose TTL has
passed (DynamoDB's own TTL, which deletes within about two days, stays the backstop) and adds the day's counts by
table to the deletion report (``sanmenxia.retention``), which the public page shows. Numbers only: no record.
"""

from __future__ import annotations

import functools
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from sanmenxia import aws, retention, triggers
from sanmenxia.observability import logger, metrics
from sanmenxia.settings import FunctionSettings


class Settings(FunctionSettings):
    retention_tables: str
    report_table: str


@functools.cache
def settings() -> Settings:
    return Settings()  # type: ignore[call-arg]


def sweep(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    tables = retention.parse_tables(settings().retention_tables)
    counts = retention.run(aws.client("dynamodb"), tables, settings().report_table)
    metrics.add_metric(name="RecordsExpired", unit="Count", value=sum(counts.values()))
    logger.info("retention sweep", extra={"deleted": counts})
    return {"deleted": counts}


lambda_handler = triggers.entry(schedule=sweep)
