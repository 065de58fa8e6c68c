"""Exporting one DynamoDB stream batch to the lake: parse, segment, encode, write in order, report failures.

The result names at most one failed record, the first that is not in the lake: Lambda retries the shard
from there (``ReportBatchItemFailures``), and because segments are written in sequence order, everything
before it is already exported exactly once (``rules`` explains the object keys).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sanmenxia.errors import DomainError
from sanmenxia.lake.catalog import LakeTable
from sanmenxia.lake.parquet import parquet_bytes
from sanmenxia.lake_export.rules import StreamChange, segments
from sanmenxia.observability import logger

_TABLE_IN_ARN = re.compile(r":table/([^/]+)/stream/")


def table_of_stream(stream_arn: str) -> str:
    """The physical table name in a DynamoDB stream ARN."""
    found = _TABLE_IN_ARN.search(stream_arn)
    if not found:
        raise ValueError(f"not a DynamoDB stream ARN: {stream_arn}")
    return found.group(1)


@dataclass
class ExportReport:
    records: int = 0
    exported_rows: dict[str, int] = field(default_factory=dict)
    objects: list[str] = field(default_factory=list)
    skipped: int = 0
    failed_sequence: str | None = None
    failure: str | None = None

    def response(self) -> dict[str, Any]:
        """Lambda's partial batch response."""
        failures = [] if self.failed_sequence is None else [{"itemIdentifier": self.failed_sequence}]
        return {"batchItemFailures": failures}


def export_batch(
    records: Sequence[Mapping[str, Any]],
    specs_for_table: Callable[[str], list[LakeTable] | None],
    put: Callable[[str, bytes], None],
    *,
    clock_offset: timedelta = timedelta(0),
) -> ExportReport:
    """Export a batch of Lambda DynamoDB stream records (one shard, sequence order).

    ``specs_for_table`` maps a physical table name to its lake tables (``None``: the table is not a lake
    source, a configuration error that fails the batch so that it ends in the on-failure destination).
    """
    report = ExportReport(records=len(records))
    changes: list[StreamChange] = []
    for record in records:
        try:
            specs = specs_for_table(table_of_stream(str(record.get("eventSourceARN", ""))))
            if specs is None:
                raise ValueError("this table is not a lake source (LAKE_SOURCES)")
            changes.append(StreamChange.from_record(record, clock_offset))
        except (KeyError, ValueError, TypeError) as exc:
            report.failed_sequence = str(record.get("dynamodb", {}).get("SequenceNumber", "")) or None
            report.failure = f"unreadable record {record.get('eventID')}: {exc}"
            logger.error("stream record not exported", extra={"event_id": record.get("eventID"), "reason": str(exc)})
            break
    table_specs = specs_for_table(table_of_stream(str(records[0]["eventSourceARN"]))) if changes else []
    batch = segments(changes, table_specs or [])
    report.skipped = len(changes) - len({sequence for segment in batch for sequence in segment.sequences})
    for segment in batch:
        try:
            put(segment.object_key, parquet_bytes(segment.table, segment.rows))
        except DomainError as exc:
            report.failed_sequence = segment.first_sequence
            report.failure = exc.message
            logger.warning("lake segment not written; the shard retries from it", extra={"key": segment.object_key, "reason": exc.message})
            break
        report.objects.append(segment.object_key)
        report.exported_rows[segment.table.name] = report.exported_rows.get(segment.table.name, 0) + len(segment.rows)
    return report
