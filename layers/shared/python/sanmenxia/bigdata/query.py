"""The query runner interface: Trino SQL in, rows out — on Athena in AWS, on DuckDB locally.

Both runners take the same SQL (Athena's Trino dialect) and the same positional ``?`` parameters, and report
what the query cost in bytes read: Athena's ``DataScannedInBytes``; for DuckDB the bytes the process read
from the lake files during the query (``/proc/self/io``), the local stand-in for what Athena would bill.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from sanmenxia.bigdata.sql import View, lake_schema, literal, to_duckdb
from sanmenxia.errors import DomainError, UpstreamUnavailable
from sanmenxia.lake.catalog import PARTITION_COLUMN, TABLES, LakeTable

if TYPE_CHECKING:
    from mypy_boto3_athena import AthenaClient
    from mypy_boto3_athena.type_defs import QueryExecutionTypeDef

Parameter = str | int | float | bool | None


class QueryFailed(DomainError):
    """The engine rejected or failed the query (a bug in a view or a query, not the caller's input)."""

    status = 502
    code = "query_failed"


@dataclass(frozen=True)
class QueryResult:
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]
    engine: str
    elapsed_ms: float
    bytes_scanned: int | None = None


class QueryRunner(Protocol):
    """Runs one Trino SQL statement with ``?`` parameters."""

    def run(self, sql: str, parameters: Sequence[Parameter] = ()) -> QueryResult: ...


# -- Athena -------------------------------------------------------------------------------------------------

_INTEGER_TYPES = {"tinyint", "smallint", "integer", "int", "bigint"}
_FLOAT_TYPES = {"double", "float", "real", "decimal"}


def _convert(kind: str, value: str | None) -> Any:
    if value is None:
        return None
    kind = kind.lower()
    if kind in _INTEGER_TYPES:
        return int(value)
    if kind in _FLOAT_TYPES:
        return float(value)
    if kind == "boolean":
        return value.lower() == "true"
    return value


class AthenaRunner:
    """Athena in a workgroup (results bucket, bytes-scanned cut-off) and a Glue database.

    ``athena`` is a boto3 Athena client; ``sleep`` is injectable for tests.
    """

    def __init__(
        self,
        athena: AthenaClient,
        workgroup: str,
        database: str,
        *,
        timeout_seconds: float = 25.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._athena = athena
        self._workgroup = workgroup
        self._database = database
        self._timeout = timeout_seconds
        self._sleep = sleep

    def run(self, sql: str, parameters: Sequence[Parameter] = ()) -> QueryResult:
        started = time.monotonic()
        request: dict[str, Any] = {
            "QueryString": sql,
            "WorkGroup": self._workgroup,
            "QueryExecutionContext": {"Database": self._database},
        }
        if parameters:
            request["ExecutionParameters"] = [literal(value) for value in parameters]
        try:
            query_id = self._athena.start_query_execution(**request)["QueryExecutionId"]
            execution = self._wait(query_id, started)
            columns, rows = self._results(query_id)
        except (ClientError, BotoCoreError) as exc:
            raise UpstreamUnavailable("the query service is unavailable") from exc
        scanned = execution.get("Statistics", {}).get("DataScannedInBytes")
        return QueryResult(columns, rows, "athena", (time.monotonic() - started) * 1000, int(scanned) if scanned is not None else None)

    def _wait(self, query_id: str, started: float) -> QueryExecutionTypeDef:
        delay = 0.1
        while True:
            execution = self._athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
            state = execution["Status"]["State"]
            if state == "SUCCEEDED":
                return execution
            if state in {"FAILED", "CANCELLED"}:
                raise QueryFailed(f"query {state.lower()}: {execution['Status'].get('StateChangeReason', 'no reason given')}")
            if time.monotonic() - started > self._timeout:
                self._athena.stop_query_execution(QueryExecutionId=query_id)
                raise UpstreamUnavailable("the query took too long; try again in a minute")
            self._sleep(delay)
            delay = min(delay * 2, 1.0)

    def _results(self, query_id: str) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
        columns: tuple[str, ...] = ()
        types: list[str] = []
        rows: list[dict[str, Any]] = []
        first = True
        for page in self._athena.get_paginator("get_query_results").paginate(QueryExecutionId=query_id):
            if not columns:
                info = page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
                columns = tuple(column["Name"] for column in info)
                types = [column["Type"] for column in info]
            for raw in page["ResultSet"]["Rows"]:
                values = [cell.get("VarCharValue") for cell in raw["Data"]]
                if first:
                    first = False
                    if values == list(columns):  # a SELECT's first row repeats the header
                        continue
                rows.append({name: _convert(kind, value) for name, kind, value in zip(columns, types, values, strict=False)})
        return columns, rows


# -- DuckDB --------------------------------------------------------------------------------------------------


def _bytes_read() -> int | None:
    try:
        with open("/proc/self/io") as stats:
            for line in stats:
                if line.startswith("rchar:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _names(columns: Mapping[str, str], *, typed: bool = False) -> str:
    """Quoted column names (``at`` and friends are keywords in DuckDB), with their types for a CREATE TABLE."""
    return ", ".join(f'"{name}" {kind}' if typed else f'"{name}"' for name, kind in columns.items())


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


@dataclass
class DuckDBRunner:
    """DuckDB over a folder laid out like the lake bucket (``<table>/dt=<day>/*.parquet``), with the views.

    ``refresh`` runs before each query (the local stack mirrors moto's lake bucket into the folder with it).
    Tables without files yet are empty tables of the catalog's schema, so every view always binds.
    """

    directory: Path
    views: Sequence[View]
    tables: Iterable[LakeTable] = field(default_factory=lambda: list(TABLES.values()))
    refresh: Callable[[], object] | None = None
    threads: int = 2
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _connection: Any = field(default=None, init=False, repr=False)
    _present: frozenset[str] = field(default=frozenset(), init=False, repr=False)
    _schema: dict[str, dict[str, str]] = field(default_factory=dict, init=False, repr=False)

    def _tables_with_files(self) -> frozenset[str]:
        return frozenset(spec.name for spec in self.tables if any((self.directory / spec.name).glob(f"{PARTITION_COLUMN}=*/*.parquet")))

    def _connect(self, present: frozenset[str]) -> None:
        import duckdb

        connection = duckdb.connect(config={"threads": self.threads})
        schema = lake_schema(self.tables)
        for spec in self.tables:
            columns = schema[spec.name]
            if spec.name in present:
                source = _quote(self.directory / spec.name / f"{PARTITION_COLUMN}=*" / "*.parquet")
                connection.execute(
                    f"CREATE VIEW {spec.name} AS SELECT {_names(columns)} FROM read_parquet({source}, "  # noqa: S608 - names from the catalog
                    f"hive_partitioning = true, hive_types = {{'{PARTITION_COLUMN}': VARCHAR}}, union_by_name = true)"
                )
            else:
                connection.execute(f"CREATE TABLE {spec.name} ({_names(columns, typed=True)})")
        for view in self.views:
            statement = to_duckdb(view.sql, schema)
            try:
                connection.execute(statement)
            except Exception as exc:  # duckdb.Error and its subclasses
                raise QueryFailed(f"view {view.name} does not run on DuckDB: {exc}") from exc
            described = connection.execute(f"DESCRIBE {view.name}").fetchall()
            schema[view.name] = {str(row[0]): str(row[1]) for row in described}
        if self._connection is not None:
            self._connection.close()
        self._connection, self._present, self._schema = connection, present, schema

    def run(self, sql: str, parameters: Sequence[Parameter] = ()) -> QueryResult:
        with self._lock:
            if self.refresh is not None:
                self.refresh()
            present = self._tables_with_files()
            if self._connection is None or present != self._present:
                self._connect(present)
            statement = to_duckdb(sql, self._schema)
            before = _bytes_read()
            started = time.monotonic()
            try:
                cursor = self._connection.execute(statement, list(parameters))
                columns = tuple(item[0] for item in cursor.description)
                records = cursor.fetchall()
            except Exception as exc:  # duckdb.Error
                raise QueryFailed(f"query failed on DuckDB: {exc}") from exc
            elapsed = (time.monotonic() - started) * 1000
            after = _bytes_read()
        rows = [dict(zip(columns, (_plain(value) for value in record), strict=True)) for record in records]
        scanned = after - before if before is not None and after is not None else None
        return QueryResult(columns, rows, "duckdb", elapsed, scanned)

    @property
    def schema(self) -> Mapping[str, Mapping[str, str]]:
        return self._schema


def _plain(value: Any) -> Any:
    """DuckDB values as Athena returns them through ``_convert``: dates and timestamps as ISO text."""
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    if type(value).__name__ == "Decimal":
        return float(value)
    return value
