"""Retention (保存期限, issue 18): how long each kind of record is kept, and the daily deletion with its report.

Every personal table declares a TTL attribute in ``template.yaml`` and its writers set it:

* check-ins, scans, exposures, notifications, lifted holds, comparison jobs and their hits: ``PERSONAL_RECORD_DAYS``
  (60 by default) after they were made (a hold after it was lifted; an active hold never expires);
* tip-offs and 12345 work orders (case files): ``RECORD_RETENTION_DAYS`` (365) after they were received;
* the people registry (a person and their pointers): ``PEOPLE_RETENTION_DAYS`` (730) after registration.

DynamoDB deletes an expired item within about two days; the daily retention job (``RetentionFunction``, just
after midnight) deletes what has expired in the tables it is given exactly on the day and writes the deletion
report: how many records each table lost that day (``_public#<day>``, sort ``deletions#<table>`` in the
health-code table), numbers only, shown on the public page. TTL stays the backstop. The job reads each table
with a filtered scan of its keys and TTL attribute only: proportional to the table, run once a day (a
per-day expiry index would make it proportional to the expired records: left for city scale).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from botocore.exceptions import ClientError
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from sanmenxia import clock, dynamo
from sanmenxia.accountability import public
from sanmenxia.errors import UpstreamUnavailable

DELETIONS = public.DELETIONS


class RetentionSettings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    personal_record_days: int = Field(default=60, ge=1)
    record_retention_days: int = Field(default=365, ge=1)
    people_retention_days: int = Field(default=730, ge=1)


@functools.cache
def settings() -> RetentionSettings:
    return RetentionSettings()


def expires_after(made_at: str | datetime | None, days: int) -> int:
    """The TTL (Unix seconds) of a record made at ``made_at`` (ISO time; now when absent) kept ``days`` days."""
    moment = made_at if isinstance(made_at, datetime) else datetime.fromisoformat(made_at) if made_at else clock.now()
    return clock.epoch_after_days(days, moment)


@dataclass(frozen=True)
class RetainedTable:
    """A table the retention job sweeps: its logical id (the report's name), its name, its TTL attribute."""

    logical_id: str
    name: str
    attribute: str


def parse_tables(spec: str) -> list[RetainedTable]:
    """``Logical=name:attribute;...`` (the job's ``RETENTION_TABLES``, built in the template)."""
    tables = []
    for part in filter(None, (chunk.strip() for chunk in spec.split(";"))):
        logical, _, rest = part.partition("=")
        name, _, attribute = rest.rpartition(":")
        tables.append(RetainedTable(logical, name, attribute or "expires_at"))
    return tables


class Sweeper:
    """Deletes a table's expired items and counts them. ``dynamodb`` is a boto3 client."""

    def __init__(self, dynamodb: Any) -> None:
        self._db = dynamodb

    def _keys(self, table: str) -> list[str]:
        try:
            schema = self._db.describe_table(TableName=table)["Table"]["KeySchema"]
        except ClientError as exc:
            raise UpstreamUnavailable(f"could not describe {table}") from exc
        return [key["AttributeName"] for key in schema]

    def _expired(self, table: RetainedTable, keys: list[str], now: int) -> Iterator[dict[str, Any]]:
        names = {f"#k{n}": key for n, key in enumerate(keys)} | {"#t": table.attribute}
        request: dict[str, Any] = {
            "TableName": table.name,
            "FilterExpression": "#t < :now",
            "ProjectionExpression": ", ".join(names),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": {":now": {"N": str(now)}},
        }
        try:
            while True:
                page = self._db.scan(**request)
                for item in page.get("Items", []):
                    yield {key: item[key] for key in keys}
                if not page.get("LastEvaluatedKey"):
                    return
                request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except ClientError as exc:
            raise UpstreamUnavailable(f"could not read {table.logical_id}") from exc

    def sweep(self, table: RetainedTable, now: int) -> int:
        """Delete every item of ``table`` whose TTL is before ``now``; the number deleted."""
        keys = self._keys(table.name)
        expired = list(self._expired(table, keys, now))
        dynamo.batch_write(self._db, table.name, [{"DeleteRequest": {"Key": key}} for key in expired], what=f"the expired {table.logical_id}")
        return len(expired)


def report_write(report_table: str, day: date, logical_id: str, deleted: int) -> dict[str, Any]:
    """The deletion report's counter of one table and day (numbers only, no record)."""
    return {
        "TableName": report_table,
        "Key": {"person_id": {"S": public.PARTITION + day.isoformat()}, "sk": {"S": DELETIONS + logical_id}},
        "UpdateExpression": "ADD deleted :n SET #t = :t, #d = :d",
        "ExpressionAttributeNames": {"#t": "table", "#d": "day"},
        "ExpressionAttributeValues": {":n": {"N": str(deleted)}, ":t": {"S": logical_id}, ":d": {"S": day.isoformat()}},
    }


def run(dynamodb: Any, tables: list[RetainedTable], report_table: str) -> dict[str, int]:
    """One daily run: sweep every table, then add each table's count to today's deletion report."""
    now = int(clock.now().timestamp())
    sweeper = Sweeper(dynamodb)
    counts = {table.logical_id: sweeper.sweep(table, now) for table in tables}
    today = clock.today()
    for logical_id, deleted in counts.items():
        try:
            dynamodb.update_item(**report_write(report_table, today, logical_id, deleted))
        except ClientError as exc:
            raise UpstreamUnavailable("could not write the deletion report") from exc
    return counts
