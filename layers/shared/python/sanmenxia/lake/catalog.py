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

import hashlib
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
DENIED_SOURCES = re.compile(r"^(enc_.*|(?!(hold|scan)_key$).*_key|id_number|idn|name|phone|address|plate|vehicle_plate|contact.*|description|note|photo.*)$")


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
    single-table design: ``(attribute, prefix)``, or several such pairs that must all hold. ``date_from`` lists attributes (ISO timestamp or date)
    whose first present value gives the partition day; without one the change's own time does.
    ``personal`` tables mirror records that DynamoDB itself expires (check-ins, scans, reports...): their
    objects expire after ``PERSONAL_RECORD_DAYS`` too. Records DynamoDB keeps (a resident, a health code,
    a hold) are kept in the lake as well: the as-of views need a code's last change, however old.
    ``only_changes`` keeps a version only when an exported column changed (the stream must carry old images):
    a health code is rewritten at every check-in, but the lake needs its colour changes, not 36 million
    copies of the same colour a month.
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    description: str
    source: str | None = None
    selector: tuple[str, str] | tuple[tuple[str, str], ...] | None = None
    date_from: tuple[str, ...] = ()
    personal: bool = True
    only_changes: bool = False

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
        pairs = (self.selector,) if isinstance(self.selector[0], str) else self.selector
        for attribute, prefix in pairs:  # type: ignore[misc]
            value = item.get(attribute)
            if not (isinstance(value, str) and value.startswith(prefix)):
                return False
        return True


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


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _present(attribute: str) -> Derive:
    return lambda item: item.get(attribute) not in (None, "")


S, N, D, B, T = ColumnType.STRING, ColumnType.BIGINT, ColumnType.DOUBLE, ColumnType.BOOLEAN, ColumnType.TIMESTAMP

RESIDENTS = LakeTable(
    name="residents",
    description="Registered residents (居民), one version per change; no personal fields",
    source="PeopleTable",
    selector=("pk", "person#"),
    key=("person_id",),
    personal=False,
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
    personal=False,
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
    description="Health codes (健康码): the rule's colour, one version per change of colour or place",
    source="HealthCodeTable",
    selector=("sk", "code"),
    key=("person_id",),
    date_from=("since",),
    only_changes=True,
    personal=False,
    columns=(
        _c("person_id"),
        _c("county_code"),
        _c("community_id"),
        _c("color", comment="the rule's colour: green, yellow, red (holds may make the shown colour worse)"),
        _c("since", comment="yyyy-MM-dd the colour holds since (the version's day)"),
        _c("applied_on"),
        _c("rule_version"),
        _c("declared_fever", B),
        _c("declared_isolation", B),
        _c("applied_at", T),
    ),
)

CODE_CHANGES = LakeTable(
    name="code_changes",
    description="Colour changes of health codes by the rule (赋码变更), one per code, day and colour",
    source="HealthCodeTable",
    selector=("sk", "change#"),
    key=("person_id", "day", "to_color"),
    date_from=("day",),
    columns=(
        _c("person_id"),
        _c("day"),
        _c("from_color", source="from"),
        _c("to_color", source="to"),
        _c("cause"),
        _c("rule_version"),
        _c("county_code"),
        _c("community_id"),
        _c("changed_at", T, source="at"),
    ),
)

CHECKINS = LakeTable(
    name="checkins",
    description="Daily health check-ins (每日打卡), one per person per day",
    source="HealthCodeTable",
    selector=("sk", "checkin#"),
    key=("person_id", "day"),
    date_from=("day",),
    columns=(
        _c("person_id"),
        _c("day", comment="yyyy-MM-dd, Asia/Shanghai"),
        _c("county_code"),
        _c("community_id"),
        _c("temperature", D),
        _c("fever", B),
        Column("symptom_count", N, derive=lambda item: len(item.get("symptoms") or [])),
        _c("checked_in_at", T, source="at"),
    ),
)

SCANS = LakeTable(
    name="scans",
    description="Checkpoint scans (检测点登记): pass or stop, colour, temperature; no names, no plates",
    source="ScansTable",
    key=("scan_key",),
    date_from=("dt",),
    columns=(
        _c("scan_key", comment="<checkpoint id>#<device scan id>"),
        _c("checkpoint_id"),
        _c("county_code"),
        _c("community_id"),
        _c("home_community_id"),
        _c("person_id"),
        _c("person_ref", comment="person id, or the HMAC of an unregistered ID number (unique counts)"),
        _c("method", comment="qr, id_card, typed"),
        _c("direction", comment="in, out"),
        _c("decision", comment="pass, stop"),
        Column("reason", S, derive=lambda item: (item.get("reasons") or ["ok"])[0]),
        _c("color"),
        _c("temperature", D),
        Column("fever", B, derive=lambda item: "fever" in (item.get("reasons") or [])),
        Column("companion", B, derive=_present("companion_of")),
        _c("day", source="dt"),
        _c("scanned_at", T),
        _c("received_at", T),
    ),
)

CHECKPOINTS = LakeTable(
    name="checkpoints",
    description="Checkpoints (检测点): kind and place, one version per change",
    source="CheckpointsTable",
    selector=("sk", "meta"),
    key=("checkpoint_id",),
    date_from=("updated_at",),
    personal=False,
    columns=(
        _c("checkpoint_id"),
        _c("kind"),
        _c("county_code"),
        _c("community_id"),
        _c("active", B),
        _c("created_at", T),
        _c("updated_at", T),
    ),
)

KEY_PERSONS = LakeTable(
    name="key_persons",
    description="Key persons (重点人员) of the five categories, one version per change; masked fields left out",
    source="KeyPersonsTable",
    selector=("sk", "record"),
    key=("key_person_id",),
    columns=(
        _c("key_person_id", source="kp_id"),
        _c("person_id"),
        _c("county_code"),
        _c("community_id"),
        _c("category"),
        _c("status", comment="pending, active, released, dismissed"),
        Column("source", S, derive=lambda item: ((item.get("sources") or [{}])[0] or {}).get("source")),
        _c("measure", source="measure_kind"),
        _c("opened_on"),
        _c("start_date"),
        _c("planned_release"),
        _c("last_follow_up"),
        Column("on_supervision", B, derive=_present("open_supervision")),
        _c("created_at", T),
        _c("closed_at", T),
        _c("version", N),
    ),
)

TIPOFFS = LakeTable(
    name="tipoffs",
    description="Tip-offs (我要上报疫情) by category and place; no reporter, no text",
    source="TipoffsTable",
    selector=("pk", "tipoff#"),
    key=("tipoff_id",),
    date_from=("created_at",),
    personal=False,
    columns=(
        _c("tipoff_id"),
        _c("category"),
        _c("county_code"),
        _c("community_id"),
        _c("department"),
        _c("anonymous", B),
        Column("has_photo", B, derive=_present("photos")),
        Column("duplicate", B, derive=_present("duplicate_of")),
        _c("order_id"),
        _c("created_at", T),
    ),
)

WORK_ORDERS = LakeTable(
    name="work_orders",
    description="12345 work orders (工单): one version per state change; no requester, no text",
    source="WorkOrdersTable",
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
        _c("status", comment="received, dispatched, handling, replied, revisited, closed"),
        _c("overdue", B),
        _c("escalation_level", N),
        _c("resolved", B),
        _c("satisfaction", N),
        _c("created_at", T),
        _c("due_at", T),
        _c("updated_at", T),
        _c("version", N),
    ),
)

RESIDENT_REPORTS = LakeTable(
    name="resident_reports",
    description="Residents' self-reports (居民信息填报): person type, fever, isolation, open hardship requests",
    source="ResidentsTable",
    selector=("sk", "p#"),
    key=("person_id",),
    date_from=("updated_at",),
    columns=(
        _c("person_id"),
        Column("county_code", S, derive=_county_of("community_id")),
        _c("community_id"),
        _c("person_type", comment="permanent, migrant_worker, returnee, visitor"),
        _c("fever", B),
        _c("isolation"),
        _c("temperature", D),
        Column("travel_entries", N, derive=lambda item: len(item.get("travel") or [])),
        Column("open_requests", N, derive=lambda item: len(item.get("open_requests") or ())),
        _c("reported_on"),
        _c("updated_at", T),
        _c("version", N),
    ),
)

HARDSHIP_REQUESTS = LakeTable(
    name="hardship_requests",
    description="Hardship requests (困难诉求) by need and status; the description stays sealed in DynamoDB",
    source="ResidentsTable",
    selector=("sk", "h#"),
    key=("request_id",),
    columns=(
        _c("request_id"),
        _c("person_id"),
        Column("county_code", S, derive=_county_of("community_id")),
        _c("community_id"),
        _c("need", comment="medicine, necessities, medical_visit, other"),
        _c("status"),
        _c("created_at", T),
        _c("version", N),
    ),
)

SUPPLY_STOCK = LakeTable(
    name="supply_stock",
    description="Emergency supplies stock (应急物资库存) per warehouse and item, one version per change",
    source="SuppliesTable",
    selector=("sk", "stock#"),
    key=("warehouse_id", "item"),
    personal=False,
    columns=(_c("warehouse_id"), _c("item"), _c("available", N), _c("reserved", N)),
)

SUPPLY_REQUESTS = LakeTable(
    name="supply_requests",
    description="Supply requests (物资需求) by tier: asked, allocated, dispatched, received",
    source="SuppliesTable",
    selector=("pk", "req#"),
    key=("request_id",),
    personal=False,
    columns=(
        _c("request_id"),
        _c("item"),
        _c("tier"),
        _c("county_code"),
        _c("unit_kind"),
        _c("quantity", N),
        _c("allocated", N),
        _c("dispatched", N),
        _c("received", N),
        _c("needed_by"),
        _c("created_at", T),
    ),
)

AUDIT_ACTIONS = LakeTable(
    name="audit_actions",
    description="Staff actions (操作留痕) by role and action; who acted, and on whom, stays in the audit table",
    source="AuditTable",
    key=("record_id",),
    date_from=("at",),
    personal=False,
    columns=(
        Column("record_id", S, derive=lambda item: _digest(f"{item.get('target')}|{item.get('sk')}")),
        Column("target_kind", S, derive=lambda item: str(item.get("target") or "").split("#", 1)[0] or None),
        _c("role"),
        _c("action"),
        _c("acted_at", T, source="at"),
    ),
)


ENTERPRISES = LakeTable(
    name="enterprises",
    description="Enterprises (企业) and their return to work (复工复产): county, industry, above-scale flag, status",
    source="EnterprisesTable",
    selector=(("pk", "ent#"), ("sk", "meta")),
    key=("enterprise_id",),
    personal=False,
    columns=(
        _c("enterprise_id"),
        _c("county_code"),
        _c("industry"),
        _c("above_scale", B),
        _c("resumption_status", comment="not_applied, pending, approved, rejected"),
        _c("resumed_on"),
        _c("created_at", T),
    ),
)

ENTERPRISE_EMPLOYEES = LakeTable(
    name="enterprise_employees",
    description="Enterprise rosters (复工人员): employee to person link only; masked names and look-up keys left out",
    source="EnterprisesTable",
    selector=(("pk", "ent#"), ("sk", "emp#")),
    key=("enterprise_id", "employee_id"),
    columns=(
        Column("enterprise_id", S, derive=lambda item: str(item.get("pk") or "").removeprefix("ent#") or None),
        _c("employee_id"),
        _c("person_id"),
        _c("added_at", T),
    ),
)

LAB_TESTS = LakeTable(
    name="lab_tests",
    description="Lab results (核酸检测): one row per sample, its lab, result and the person's place; no ID number",
    source="LabResultsTable",
    selector=(("pk", "lab#"), ("sk", "sample#")),
    key=("lab_id", "sample_id"),
    date_from=("sampled_at",),
    columns=(
        _c("lab_id"),
        _c("sample_id"),
        _c("person_id"),
        _c("county_code"),
        _c("community_id"),
        _c("result", comment="positive, negative"),
        _c("sampled_at", T),
        _c("tested_at", T),
        _c("recorded_at", T),
    ),
)

#: Every lake table, by name.
TABLES: dict[str, LakeTable] = {
    table.name: table
    for table in (
        RESIDENTS,
        HOLDS,
        HEALTH_CODES,
        CODE_CHANGES,
        CHECKINS,
        SCANS,
        CHECKPOINTS,
        KEY_PERSONS,
        RESIDENT_REPORTS,
        HARDSHIP_REQUESTS,
        TIPOFFS,
        WORK_ORDERS,
        SUPPLY_STOCK,
        SUPPLY_REQUESTS,
        ENTERPRISES,
        ENTERPRISE_EMPLOYEES,
        AUDIT_ACTIONS,
        LAB_TESTS,
    )
}


def table(name: str) -> LakeTable:
    return TABLES[name]


def for_source(logical_id: str) -> list[LakeTable]:
    """The lake tables fed by the DynamoDB table ``logical_id`` (several for a single-table design)."""
    return [spec for spec in TABLES.values() if spec.source == logical_id]


def sources() -> list[str]:
    """Logical ids of every DynamoDB table that feeds the lake."""
    return sorted({spec.source for spec in TABLES.values() if spec.source})
