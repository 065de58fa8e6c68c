"""Compaction (合并小文件): the stream writes one small object per batch segment; once a day is over, its
objects are merged into one per table and day, so Athena opens a handful of files instead of thousands.

Merging keeps every distinct record once (a record is its ``_seq`` and key columns; the same record written
twice by a retried batch is kept once) and writes ``<table>/dt=<day>/compacted.parquet`` before deleting the
objects it merged. A crash in between leaves duplicates that every view tolerates (they count distinct keys
or take the latest version), and the next run removes them; a record that arrives after the compaction lands
in a new small object that the next run merges. Running it twice changes nothing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sanmenxia.lake.catalog import PARTITION_COLUMN, TABLES, LakeTable
from sanmenxia.lake.parquet import encode, schema
from sanmenxia.lake.store import LakeObject

COMPACTED = "compacted.parquet"


class Store(Protocol):
    """What compaction needs of the lake bucket (``LakeStore``)."""

    def objects(self, prefix: str = "") -> list[LakeObject]: ...
    def get(self, key: str) -> bytes: ...
    def put(self, key: str, body: bytes) -> None: ...
    def delete(self, keys: list[str]) -> None: ...


@dataclass
class CompactionReport:
    day: str
    merged_objects: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    duplicates_dropped: dict[str, int] = field(default_factory=dict)


def _conform(table: pa.Table, target: pa.Schema) -> pa.Table:
    """An object in today's schema: columns added since it was written are null, dropped ones are left out."""
    columns = [table.column(f.name).cast(f.type) if f.name in table.column_names else pa.nulls(table.num_rows, f.type) for f in target]
    return pa.Table.from_arrays(columns, schema=target)


def _distinct(spec: LakeTable, table: pa.Table) -> pa.Table:
    """One row per (``_seq``, key columns), the first seen."""
    identity = ["_seq", *spec.key]
    indexed = table.append_column("__row", pa.array(range(table.num_rows), pa.int64()))
    keep = indexed.group_by(identity, use_threads=False).aggregate([("__row", "min")]).column("__row_min")
    return table.take(pc.take(keep, pc.sort_indices(keep)))


def compact_partition(store: Store, spec: LakeTable, day: str) -> tuple[int, int, int]:
    """Merge one table's objects of ``day``; returns (objects merged, rows kept, duplicates dropped)."""
    prefix = f"{spec.name}/{PARTITION_COLUMN}={day}/"
    objects = [obj for obj in store.objects(prefix) if obj.key.endswith(".parquet")]
    if not objects or (len(objects) == 1 and objects[0].key.endswith(COMPACTED)):
        return 0, 0, 0
    target = schema(spec)
    tables = [_conform(pq.read_table(io.BytesIO(store.get(obj.key))), target) for obj in objects]
    merged = pa.concat_tables(tables)
    kept = _distinct(spec, merged)
    store.put(prefix + COMPACTED, encode(kept))
    store.delete([obj.key for obj in objects if not obj.key.endswith(COMPACTED)])
    return len(objects), kept.num_rows, merged.num_rows - kept.num_rows


def compact_day(store: Store, day: date) -> CompactionReport:
    """Compact every lake table's partition of ``day``."""
    report = CompactionReport(day.isoformat())
    for spec in TABLES.values():
        merged, rows, dropped = compact_partition(store, spec, day.isoformat())
        if merged:
            report.merged_objects[spec.name] = merged
            report.rows[spec.name] = rows
            report.duplicates_dropped[spec.name] = dropped
    return report


def days_to_compact(today: date, lookback_days: int) -> list[date]:
    """Yesterday and the days before it (late records of a past day are merged on the next runs)."""
    return [today - timedelta(days=offset) for offset in range(lookback_days, 0, -1)]
