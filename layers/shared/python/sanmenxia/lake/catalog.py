"""The lake's catalog (数据湖目录): which DynamoDB items become which lake table, with which columns.

One list serves every side of the lake: the stream consumer flattens items with it, the Parquet writer
takes its schemas from it, ``template.yaml``'s Glue tables must match it (a unit test compares them), the
city-scale generator writes files in its shape and the local DuckDB runner registers its tables.

Only declared columns leave DynamoDB: a column names the attribute it is read from, so sealed fields
(``enc_*``), HMAC look-up keys (``*_key``) and anything not declared never reach the lake. The catalog
refuses, at definition time, a column whose source looks like personal data (``DENIED_SOURCES``).

Every lake row also carries the change's metadata: ``_op`` (INSERT, MODIFY, REMOVE), ``_seq`` (the stream
sequence number, zero-padded so that it sorts as text) and ``_at`` (when the change happened). Mutable
records (a health code, a key person, a work order) therefore appear once per version; views take the
latest version per ``key`` (as of a day when they need history).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class ColumnType(StrEnum):
    """Lake column types, named as Glue/Athena name them."""

    STRING = "string"
    BIGINT = "bigint"
    DOUBLE = "double"
    BOOLEAN = "boolean"
    TIMESTAMP = "timestamp"


#: Attribute names that never become lake columns, whatever a spec says: sealed values, look-up keys and
#: clear personal fields (DESIGN.md §3).
DENIED_SOURCES = re.compile(r"^(enc_.*|(?!hold_key$).*_key|id_number|idn|name|phone|address|plate|vehicle_plate|contact.*|description|note|photo.*)$")


Derive = Callable[[Mapping[str, Any]], Any]


@dataclass(frozen=True)
class Column:
    """One lake column: read from DynamoDB attribute ``source`` (default: the same name) or ``derive``d."""

    name: str
    type: ColumnType
    source: str | None = None
    derive: Derive | None = field(default=None, compare=False)
    comment: str = ""

    @property
    def attribute(self) -> str:
        return self.source or self.name


META_COLUMNS: tuple[Column, ...] = (
    Column("_op", ColumnType.STRING, comment="stream event: INSERT, MODIFY or REMOVE"),
    Column("_seq", ColumnType.STRING, comment="stream sequence number, zero-padded to 40 digits"),
    Column("_at", ColumnType.TIMESTAMP, comment="when the change happened (UTC)"),
)
PARTITION_COLUMN = "dt"  # yyyy-MM-dd, Asia/Shanghai


@dataclass(frozen=True)
class LakeTable:
    """A lake table: its columns, its identity, where its rows come from, how long they are kept.

    ``source`` is the logical id of the DynamoDB table in ``template.yaml`` (``None`` while the platform
    that owns it has not landed; the generator still writes it). ``selector`` picks the items of a
    single-table design: ``(attribute, prefix)``. ``date_from`` lists attributes (ISO timestamp or date)
    whose first present value gives the partition day; without one the change's own time does.
    ``personal`` tables hold one row per person and event and expire after ``PERSONAL_RECORD_DAYS``.
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    description: str
    source: str | None = None
    selector: tuple[str, str] | None = None
    date_from: tuple[str, ...] = ()
    personal: bool = True

    def __post_init__(self) -> None:
        names = [column.name for column in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: duplicate column names")
        for column in self.columns:
            if column.derive is None and DENIED_SOURCES.match(column.attribute):
                raise ValueError(f"{self.name}.{column.name}: attribute {column.attribute!r} may hold personal data")
            if column.name.startswith("_") or column.name == PARTITION_COLUMN:
                raise ValueError(f"{self.name}.{column.name}: reserved column name")
        missing = set(self.key) - set(names)
        if missing:
            raise ValueError(f"{self.name}: key columns {sorted(missing)} are not columns")

    @property
    def all_columns(self) -> tuple[Column, ...]:
        """Data columns followed by the change metadata (the Parquet file's schema, without ``dt``)."""
        return self.columns + META_COLUMNS

    def selects(self, item: Mapping[str, Any]) -> bool:
        """Whether a (deserialized) DynamoDB item belongs to this table."""
        if self.selector is None:
            return True
        attribute, prefix = self.selector
        value = item.get(attribute)
        return isinstance(value, str) and value.startswith(prefix)


def _c(name: str, kind: ColumnType = ColumnType.STRING, source: str | None = None, comment: str = "") -> Column:
    return Column(name, kind, source, comment=comment)


def _county_of(attribute: str) -> Derive:
    def derive(item: Mapping[str, Any]) -> Any:
        value = item.get("county_code")
        if isinstance(value, str) and value:
            return value
        community = item.get(attribute)
        return community.split("-")[0] if isinstance(community, str) and community else None

    return derive


def _present(attribute: str) -> Derive:
    return lambda item: item.get(attribute) not in (None, "")


S, N, D, B, T = ColumnType.STRING, ColumnType.BIGINT, ColumnType.DOUBLE, ColumnType.BOOLEAN, ColumnType.TIMESTAMP

RESIDENTS = LakeTable(
    name="residents",
    description="Registered residents (居民), one version per change; no personal fields",
    source="PeopleTable",
    selector=("pk", "person#"),
    key=("person_id",),
    columns=(
        _c("person_id"),
        Column("county_code", S, derive=_county_of("community_id")),
        _c("community_id"),
        _c("household_id"),
        _c("relation"),
        _c("birth_year", N),
        Column("has_account", B, derive=_present("account_sub")),
        _c("created_at", T),
    ),
)

HOLDS = LakeTable(
    name="holds",
    description="Holds on health codes (管控标记): kind, colour, source, placed and lifted",
    source="HoldsTable",
    key=("person_id", "hold_key"),
    columns=(
        _c("person_id"),
        _c("hold_key", comment="<kind>#<source record>"),
        _c("kind"),
        _c("color"),
        _c("source"),
        Column("active", B, derive=_present("active")),
        _c("since", T),
        _c("lifted_at", T),
    ),
)

HEALTH_CODES = LakeTable(
    name="health_codes",
    description="Health codes (健康码): one version per colour change",
    key=("person_id",),
    date_from=("updated_at",),
    columns=(
        _c("person_id"),
        _c("county_code"),
        _c("community_id"),
        _c("color", comment="shown colour: green, yellow, red"),
        _c("rule_color"),
        _c("color_since"),
        _c("updated_at", T),
    ),
)

CHECKINS = LakeTable(
    name="checkins",
    description="Daily health check-ins (每日打卡), one per person per day",
    key=("person_id", "day"),
    date_from=("day",),
    columns=(
        _c("person_id"),
        _c("day", comment="yyyy-MM-dd, Asia/Shanghai"),
        _c("county_code"),
        _c("community_id"),
        _c("temperature", D),
        _c("fever", B),
        _c("checked_in_at", T),
    ),
)

SCANS = LakeTable(
    name="scans",
    description="Checkpoint scans (检测点登记): pass or stop, colour, temperature",
    key=("scan_id",),
    date_from=("scanned_at",),
    columns=(
        _c("scan_id"),
        _c("checkpoint_id"),
        _c("county_code"),
        _c("community_id"),
        _c("person_id"),
        _c("method", comment="qr, id_card, typed"),
        _c("direction", comment="in, out"),
        _c("decision", comment="pass, stop"),
        _c("color"),
        _c("temperature", D),
        _c("fever", B),
        _c("scanned_at", T),
    ),
)

KEY_PERSONS = LakeTable(
    name="key_persons",
    description="Key persons (重点人员) of the five categories, one version per change",
    key=("key_person_id",),
    date_from=("updated_at",),
    columns=(
        _c("key_person_id"),
        _c("person_id"),
        _c("county_code"),
        _c("community_id"),
        _c("category"),
        _c("source"),
        _c("measure"),
        _c("status", comment="active, released"),
        _c("started_at", T),
        _c("released_at", T),
        _c("last_update_day"),
        _c("updated_at", T),
    ),
)

TIPOFFS = LakeTable(
    name="tipoffs",
    description="Tip-offs (我要上报疫情) by category and place; no reporter identity",
    key=("tipoff_id",),
    date_from=("created_at",),
    personal=False,
    columns=(
        _c("tipoff_id"),
        _c("category"),
        _c("county_code"),
        _c("community_id"),
        _c("department"),
        _c("status"),
        _c("anonymous", B),
        _c("created_at", T),
    ),
)

WORK_ORDERS = LakeTable(
    name="work_orders",
    description="12345 work orders (工单): one version per state change",
    key=("order_id",),
    date_from=("updated_at",),
    personal=False,
    columns=(
        _c("order_id"),
        _c("type"),
        _c("source"),
        _c("category"),
        _c("department"),
        _c("county_code"),
        _c("community_id"),
        _c("status"),
        _c("overdue", B),
        _c("created_at", T),
        _c("due_at", T),
        _c("closed_at", T),
        _c("updated_at", T),
    ),
)

#: Every lake table, by name.
TABLES: dict[str, LakeTable] = {table.name: table for table in (RESIDENTS, HOLDS, HEALTH_CODES, CHECKINS, SCANS, KEY_PERSONS, TIPOFFS, WORK_ORDERS)}


def table(name: str) -> LakeTable:
    return TABLES[name]


def for_source(logical_id: str) -> list[LakeTable]:
    """The lake tables fed by the DynamoDB table ``logical_id`` (several for a single-table design)."""
    return [spec for spec in TABLES.values() if spec.source == logical_id]


def sources() -> list[str]:
    """Logical ids of every DynamoDB table that feeds the lake."""
    return sorted({spec.source for spec in TABLES.values() if spec.source})
