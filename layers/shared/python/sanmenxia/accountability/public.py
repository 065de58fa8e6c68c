"""Public counts (公开统计, issue 18): manual colour changes per day by unit and county (proposed, approved,
refused) and appeals per day by county (received, resolved within their time limit, resolved late).

The counters are written in the same transaction as the fact they count (a proposal, its decision, an appeal,
its decision), so a count never runs ahead of or behind its facts, and a retried transaction (same client
token) counts once. Storage: ``HealthCodeTable`` partition ``_public#<day>`` (Asia/Shanghai), sort
``<county>#<unit>`` (manual changes, by the proposing unit) or ``<county>#appeals``; numbers only, no person.

Small cells are suppressed when published: a count from 1 to ``threshold - 1`` (default 5) is answered as
``null`` (``suppressed``), never as its value, so a published cell never points at one or two people. Zero is
shown (it identifies no one). The threshold is ``PUBLIC_COUNT_THRESHOLD``; docs/accountability.md explains it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia.contracts import WorkOrderType
from sanmenxia.errors import UpstreamUnavailable
from sanmenxia.hotline.sla import SlaPolicy

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

PARTITION = "_public#"
APPEALS = "appeals"
DELETIONS = "deletions#"  # the retention job's deletion report (sanmenxia.retention): sort deletions#<table>
DEFAULT_THRESHOLD = 5
#: An appeal's time limit: the reply limit of the 12345 complaint order it travels as (72 h by default).
APPEAL_TIME_LIMIT = timedelta(hours=SlaPolicy().rules[WorkOrderType.COMPLAINT].reply_hours)


class Metric(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REFUSED = "refused"
    RECEIVED = "received"
    RESOLVED_IN_TIME = "resolved_in_time"
    RESOLVED_LATE = "resolved_late"
    DELETED = "deleted"


MANUAL_METRICS = (Metric.PROPOSED, Metric.APPROVED, Metric.REFUSED)
APPEAL_METRICS = (Metric.RECEIVED, Metric.RESOLVED_IN_TIME, Metric.RESOLVED_LATE)


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def count_write(table: str, day: str, county_code: str, unit: str, metric: Metric) -> dict[str, Any]:
    """The ``Update`` (for the fact's own transaction) that adds one to a public counter."""
    return {
        "Update": {
            "TableName": table,
            "Key": {"person_id": _s(PARTITION + day), "sk": _s(f"{county_code}#{unit}")},
            "UpdateExpression": "ADD #m :one SET #c = :c, #u = :u, #d = :d",
            "ExpressionAttributeNames": {"#m": metric.value, "#c": "county_code", "#u": "unit", "#d": "day"},
            "ExpressionAttributeValues": {":one": {"N": "1"}, ":c": _s(county_code), ":u": _s(unit), ":d": _s(day)},
        }
    }


def appeal_resolution(received_at: datetime, resolved_at: datetime) -> Metric:
    """Whether an appeal was resolved within its time limit."""
    return Metric.RESOLVED_IN_TIME if resolved_at - received_at <= APPEAL_TIME_LIMIT else Metric.RESOLVED_LATE


def suppress(count: int, threshold: int) -> int | None:
    """A published count: ``None`` for a small cell (1 to ``threshold - 1``), else the count."""
    return None if 0 < count < threshold else count


@dataclass(frozen=True)
class Cell:
    day: str
    county_code: str
    unit: str
    counts: Mapping[Metric, int]

    def published(self, metrics: Sequence[Metric], threshold: int) -> dict[str, Any]:
        row: dict[str, Any] = {"day": self.day, "county_code": self.county_code}
        if self.unit != APPEALS:
            row["unit"] = self.unit
        for metric in metrics:
            row[metric.value] = suppress(self.counts.get(metric, 0), threshold)
        return row


class PublicCounts:
    """Reads the public counters. ``dynamodb`` is a boto3 client; ``table`` the health code table."""

    def __init__(self, dynamodb: DynamoDBClient, table: str) -> None:
        self._db = dynamodb
        self._table = table

    def day(self, day: date) -> list[Cell]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "person_id = :p",
            "ExpressionAttributeValues": {":p": _s(PARTITION + day.isoformat())},
        }
        cells: list[Cell] = []
        try:
            while True:
                response = self._db.query(**request)
                for item in response.get("Items", []):
                    if item["sk"]["S"].startswith(DELETIONS):
                        cells.append(Cell(day.isoformat(), "", item["sk"]["S"], {Metric.DELETED: int(item.get("deleted", {"N": "0"})["N"])}))
                        continue
                    counts = {metric: int(item[metric.value]["N"]) for metric in Metric if metric.value in item}
                    cells.append(Cell(day.isoformat(), item["county_code"]["S"], item["unit"]["S"], counts))
                if not response.get("LastEvaluatedKey"):
                    return cells
                request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the public counts") from exc

    def between(self, first: date, last: date) -> list[Cell]:
        """Every cell from ``first`` to ``last`` (inclusive), newest day first."""
        days = [last - timedelta(days=n) for n in range((last - first).days + 1)]
        return [cell for day in days for cell in sorted(self.day(day), key=lambda cell: (cell.county_code, cell.unit))]


def published(cells: Sequence[Cell], threshold: int) -> dict[str, list[dict[str, Any]]]:
    """The cells as published: manual changes by unit, appeals by county (small cells suppressed), and the
    deletion report by table (counts of deleted records, which point at no one: never suppressed)."""
    deletions = [cell for cell in cells if cell.unit.startswith(DELETIONS)]
    counted = [cell for cell in cells if not cell.unit.startswith(DELETIONS)]
    return {
        "manual_changes": [cell.published(MANUAL_METRICS, threshold) for cell in counted if cell.unit != APPEALS],
        "appeals": [cell.published(APPEAL_METRICS, threshold) for cell in counted if cell.unit == APPEALS],
        "deletions": [{"day": cell.day, "table": cell.unit.removeprefix(DELETIONS), "deleted": cell.counts[Metric.DELETED]} for cell in deletions],
    }
