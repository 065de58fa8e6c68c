"""Athena's Trino SQL, and the same SQL translated for DuckDB (sqlglot, read ``trino``, write ``duckdb``).

Views are written once, in Trino SQL (``infra/athena/*.sql``: ``CREATE OR REPLACE VIEW <name> AS ...``).
sqlglot's translation is right for most of it; three differences need the types of the expressions, which
``to_duckdb`` infers from a schema (the lake's tables and the views registered before), and one does not:

* integer division: Trino's ``7 / 2`` is 3, DuckDB's is 3.5 — integer ÷ integer becomes a truncating division;
* ``format_datetime(ts, 'yyyy-MM-dd')`` takes a Joda pattern and has no DuckDB twin — it becomes ``strftime``;
* ``sequence(date, date, interval)`` yields dates in Trino, timestamps in DuckDB — the array is cast back;
* ``count_if(x)`` over rows where ``x`` is only ever NULL is 0 in Trino and NULL in DuckDB — it becomes
  ``coalesce(count_if(x), 0)``, so a count is never null locally either (a declared ``int`` refused it: a 500).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

from sanmenxia.lake.catalog import PARTITION_COLUMN, TABLES, ColumnType, LakeTable

Schema = dict[str, dict[str, str]]

_SQL_TYPES: dict[ColumnType, str] = {
    ColumnType.STRING: "varchar",
    ColumnType.BIGINT: "bigint",
    ColumnType.DOUBLE: "double",
    ColumnType.BOOLEAN: "boolean",
    ColumnType.TIMESTAMP: "timestamp",
}
_INTEGERS = {exp.DataType.Type.TINYINT, exp.DataType.Type.SMALLINT, exp.DataType.Type.INT, exp.DataType.Type.BIGINT}
_JODA = (("yyyy", "%Y"), ("yy", "%y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("mm", "%M"), ("ss", "%S"), ("SSS", "%g"))


class SqlError(ValueError):
    """A view or query that is not valid Trino SQL, or that cannot be translated."""


def lake_schema(tables: Iterable[LakeTable] = TABLES.values()) -> Schema:
    """Column types of the lake tables (with ``dt``), as sqlglot's schema mapping wants them."""
    schema: Schema = {}
    for spec in tables:
        columns = {column.name: _SQL_TYPES[column.type] for column in spec.all_columns}
        columns[PARTITION_COLUMN] = "varchar"
        schema[spec.name] = columns
    return schema


def parse_trino(sql: str) -> exp.Expr:
    """Parse one Trino statement (raises ``SqlError`` with sqlglot's reason)."""
    try:
        statements = [statement for statement in sqlglot.parse(sql, read="trino") if statement is not None]
    except SqlglotError as exc:
        raise SqlError(f"not valid Trino SQL: {exc}") from exc
    if len(statements) != 1:
        raise SqlError(f"expected one statement, found {len(statements)}")
    statement: exp.Expr = statements[0]
    return statement


def _joda_to_strftime(pattern: str) -> str:
    out = []
    index = 0
    while index < len(pattern):
        for joda, strf in _JODA:
            if pattern.startswith(joda, index):
                out.append(strf)
                index += len(joda)
                break
        else:
            out.append(pattern[index])
            index += 1
    return "".join(out)


def _integer(node: exp.Expr) -> bool:
    return node.type is not None and node.type.this in _INTEGERS


def _rewrite(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.Div) and _integer(node.left) and _integer(node.right):
        return exp.IntDiv(this=node.left, expression=node.right)
    if isinstance(node, exp.Anonymous) and str(node.this).lower() == "format_datetime" and len(node.expressions) == 2:
        value, pattern = node.expressions
        if isinstance(pattern, exp.Literal) and pattern.is_string:
            strftime: exp.Expr = exp.func("strftime", value, exp.Literal.string(_joda_to_strftime(pattern.this)))
            return strftime
    if isinstance(node, exp.CountIf):
        node.set("this", node.this.transform(_rewrite))  # the wrapped call is not visited again
        return exp.Coalesce(this=node, expressions=[exp.Literal.number(0)])
    if isinstance(node, exp.GenerateSeries) and node.args.get("start") is not None:
        start = node.args["start"]
        if start.type is not None and start.type.this is exp.DataType.Type.DATE:
            return exp.cast(node, exp.DataType.build("DATE[]", dialect="duckdb"))
    return node


def to_duckdb(sql: str | exp.Expr, schema: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """Translate a Trino statement to DuckDB, fixing integer division, ``format_datetime`` and ``sequence``."""
    tree = parse_trino(sql) if isinstance(sql, str) else sql.copy()
    body = tree.expression if isinstance(tree, exp.Create) else tree
    try:
        typed = annotate_types(qualify(body.copy(), schema=dict(schema or {}), dialect="trino", quote_identifiers=False), schema=dict(schema or {}))
    except SqlglotError:
        # Unknown tables or columns: translate without types (no integer division fix-up possible).
        typed = annotate_types(body.copy())
    rewritten = typed.transform(_rewrite)
    if isinstance(tree, exp.Create):
        tree.set("expression", rewritten)
        return str(tree.sql(dialect="duckdb"))
    return str(rewritten.sql(dialect="duckdb"))


@dataclass(frozen=True)
class View:
    """A view from ``infra/athena``: its name, its Trino ``CREATE OR REPLACE VIEW`` text, what it reads."""

    name: str
    sql: str
    reads: frozenset[str]

    @property
    def select(self) -> str:
        """The view's query alone (what a dashboard query inlines or DuckDB registers)."""
        tree = parse_trino(self.sql)
        assert isinstance(tree, exp.Create)
        return str(tree.expression.sql(dialect="trino"))


_VIEW = re.compile(r"^\s*CREATE\s+OR\s+REPLACE\s+VIEW\s", re.IGNORECASE)


def parse_view(sql: str) -> View:
    """Parse a view file; it must be exactly one ``CREATE OR REPLACE VIEW name AS SELECT ...``."""
    if not _VIEW.match(re.sub(r"--[^\n]*\n", "\n", sql).strip() + " "):
        raise SqlError("a view file holds one CREATE OR REPLACE VIEW statement")
    tree = parse_trino(sql)
    if not isinstance(tree, exp.Create) or str(tree.args.get("kind", "")).upper() != "VIEW":
        raise SqlError("a view file holds one CREATE OR REPLACE VIEW statement")
    name = tree.this.name
    ctes = {cte.alias for cte in tree.find_all(exp.CTE)}
    reads = frozenset(table.name for table in tree.expression.find_all(exp.Table) if table.name and table.name not in ctes)
    return View(name=name, sql=sql, reads=reads)


def load_views(directory: Path) -> list[View]:
    """Every ``*.sql`` view in ``directory``, ordered so that a view comes after the views it reads."""
    views = {view.name: view for view in (parse_view(path.read_text()) for path in sorted(directory.glob("*.sql")))}
    ordered: list[View] = []
    placed: set[str] = set()

    def place(view: View, trail: tuple[str, ...]) -> None:
        if view.name in placed:
            return
        if view.name in trail:
            raise SqlError(f"views read each other in a cycle: {' -> '.join((*trail, view.name))}")
        for dependency in sorted(view.reads & views.keys()):
            place(views[dependency], (*trail, view.name))
        placed.add(view.name)
        ordered.append(view)

    for view in views.values():
        place(view, ())
    return ordered


def literal(value: object) -> str:
    """A Trino literal for Athena's ``ExecutionParameters`` (strings quoted, quotes doubled)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"
