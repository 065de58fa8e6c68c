"""Parquet encoding of lake rows, schemas taken from the catalog (pyarrow)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from sanmenxia.lake.catalog import ColumnType, LakeTable

_ARROW: dict[ColumnType, pa.DataType] = {
    ColumnType.STRING: pa.string(),
    ColumnType.BIGINT: pa.int64(),
    ColumnType.DOUBLE: pa.float64(),
    ColumnType.BOOLEAN: pa.bool_(),
    # Hive/Athena timestamps carry no zone: the lake stores UTC instants as naive UTC, millisecond precision.
    ColumnType.TIMESTAMP: pa.timestamp("ms"),
}


def arrow_type(kind: ColumnType) -> pa.DataType:
    return _ARROW[kind]


def schema(spec: LakeTable) -> pa.Schema:
    """The Parquet schema of a lake table's objects (``dt`` lives in the path, not in the file)."""
    return pa.schema([pa.field(column.name, _ARROW[column.type]) for column in spec.all_columns])


def _naive(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def table_of(spec: LakeTable, rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """Rows (dicts with every column of ``spec``) as an Arrow table of the lake schema."""
    target = schema(spec)
    arrays = [pa.array([_naive(row.get(field.name)) for row in rows], type=field.type) for field in target]
    return pa.Table.from_arrays(arrays, schema=target)


def encode(table: pa.Table, *, row_group_size: int = 1_000_000) -> bytes:
    """Snappy-compressed Parquet with statistics (Athena and DuckDB prune row groups with them)."""
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="snappy", row_group_size=row_group_size, write_statistics=True)
    return sink.getvalue()


def parquet_bytes(spec: LakeTable, rows: Sequence[Mapping[str, Any]]) -> bytes:
    """Encode rows of one lake table as one Parquet object."""
    return encode(table_of(spec, rows))
