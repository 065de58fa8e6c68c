"""From DynamoDB stream records to lake rows, partitions and deterministic object keys (pure functions).

A stream batch (one shard of one table's stream, in sequence order) becomes *segments*: maximal runs of
consecutive exported records that go to the same lake table and day. Each segment is one Parquet object
whose key is fixed by the segment's first record::

    <table>/dt=<yyyy-MM-dd>/<sequence number, 40 digits>-<event id>.parquet

so writing a segment again (Lambda retries a batch, or retries from a failed record that
``ReportBatchItemFailures`` named) overwrites the same object with the same or more records: the lake never
holds a record twice. Segments are written in order and the first failure stops the batch, so every record
before the reported one is already in an object that a retry will not rewrite.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sanmenxia.clock import SHANGHAI
from sanmenxia.lake.catalog import ColumnType, LakeTable

_SEALED = re.compile(r"^v\d+:[A-Za-z0-9_=-]{16,}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SEQ_DIGITS = 40


_SCALARS: dict[str, Any] = {
    "S": lambda raw: raw,
    "N": Decimal,
    "BOOL": bool,
    "NULL": lambda raw: None,
    "SS": set,
    "NS": lambda raw: {Decimal(item) for item in raw},
    "B": lambda raw: raw if isinstance(raw, bytes) else base64.b64decode(raw),
    "BS": lambda raw: {item if isinstance(item, bytes) else base64.b64decode(item) for item in raw},
}


def deserialize(value: Mapping[str, Any]) -> Any:
    """One DynamoDB ``AttributeValue`` (``{"S": "x"}``, ``{"N": "1"}``, ...) as a plain Python value."""
    (kind, raw), *_ = value.items()
    if kind == "M":
        return {key: deserialize(item) for key, item in raw.items()}
    if kind == "L":
        return [deserialize(item) for item in raw]
    if kind not in _SCALARS:
        raise ValueError(f"unknown attribute type {kind}")
    return _SCALARS[kind](raw)


def image(raw: Mapping[str, Mapping[str, Any]] | None) -> dict[str, Any]:
    """A stream record's ``NewImage``/``OldImage`` as a plain dict."""
    return {name: deserialize(value) for name, value in (raw or {}).items()}


def parse_instant(value: Any) -> datetime | None:
    """An ISO 8601 timestamp, a ``yyyy-MM-dd`` date (midnight Asia/Shanghai) or epoch seconds, as UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), UTC)
    if isinstance(value, str):
        text = value.strip()
        try:
            if _DATE.match(text):
                return datetime.combine(date.fromisoformat(text), datetime.min.time(), SHANGHAI).astimezone(UTC)
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def _coerce(kind: ColumnType, value: Any) -> Any:
    if value is None or value == "":
        return None
    try:
        if kind is ColumnType.STRING:
            text = value if isinstance(value, str) else str(value)
            # Defence in depth: a sealed value never leaves DynamoDB, even under a declared name.
            return None if _SEALED.match(text) else text
        if kind is ColumnType.BIGINT:
            return int(Decimal(str(value)))
        if kind is ColumnType.DOUBLE:
            return float(Decimal(str(value)))
        if kind is ColumnType.BOOLEAN:
            if isinstance(value, str):
                return value.strip().lower() in {"1", "true", "yes", "y"}
            return bool(value)
        return parse_instant(value)
    except (InvalidOperation, ValueError, TypeError):
        return None


def to_row(spec: LakeTable, item: Mapping[str, Any]) -> dict[str, Any]:
    """The declared columns of ``spec`` read from a deserialized item, typed; nothing else."""
    row: dict[str, Any] = {}
    for column in spec.columns:
        raw = column.derive(item) if column.derive is not None else item.get(column.attribute)
        row[column.name] = _coerce(column.type, raw)
    return row


def partition_day(spec: LakeTable, item: Mapping[str, Any], changed_at: datetime) -> str:
    """The ``dt`` partition (Asia/Shanghai day) of a row: its business date if it has one, else the change's."""
    for attribute in spec.date_from:
        value = item.get(attribute)
        if isinstance(value, str) and _DATE.match(value):
            return value
        moment = parse_instant(value)
        if moment is not None:
            return moment.astimezone(SHANGHAI).date().isoformat()
    return changed_at.astimezone(SHANGHAI).date().isoformat()


def padded_sequence(sequence_number: str) -> str:
    if not sequence_number.isdigit():
        raise ValueError("a stream sequence number is digits only")
    return sequence_number.zfill(SEQ_DIGITS)


@dataclass(frozen=True)
class StreamChange:
    """One stream record, reduced to what the lake needs."""

    event_id: str
    op: str  # INSERT | MODIFY | REMOVE
    sequence: str  # as the stream gives it
    changed_at: datetime
    item: dict[str, Any]  # NewImage, or OldImage for REMOVE
    expired: bool = False  # a TTL deletion: the lake keeps the fact (its own lifecycle expires it)
    old: dict[str, Any] | None = None  # OldImage of a MODIFY (streams with NEW_AND_OLD_IMAGES)

    @classmethod
    def from_record(cls, record: Mapping[str, Any], clock_offset: timedelta = timedelta(0)) -> StreamChange:
        """Parse a Lambda DynamoDB stream record. ``clock_offset`` shifts the change time (local virtual clock)."""
        stream = record["dynamodb"]
        op = record["eventName"]
        raw = stream.get("OldImage") if op == "REMOVE" else stream.get("NewImage")
        if raw is None and op == "REMOVE":
            raw = stream.get("Keys")
        if raw is None:
            raise ValueError("the stream has no new image (StreamViewType must include NEW_IMAGE)")
        seconds = stream.get("ApproximateCreationDateTime")
        if isinstance(seconds, datetime):  # boto3's GetRecords parses it; Lambda events carry epoch seconds
            changed = seconds.astimezone(UTC)
        else:
            changed = datetime.fromtimestamp(float(seconds), UTC) if seconds is not None else datetime.fromtimestamp(0, UTC)
        identity = record.get("userIdentity") or {}
        expired = op == "REMOVE" and identity.get("type") == "Service" and identity.get("principalId") == "dynamodb.amazonaws.com"
        old = image(stream["OldImage"]) if op == "MODIFY" and stream.get("OldImage") else None
        return cls(record["eventID"], op, str(stream["SequenceNumber"]), changed + clock_offset, image(raw), expired, old)

    def changes(self, spec: LakeTable) -> bool:
        """Whether this record changes ``spec``'s row (a MODIFY that leaves every exported column alone does not)."""
        if not spec.only_changes or self.op != "MODIFY" or self.old is None or not spec.selects(self.old):
            return True
        return to_row(spec, self.item) != to_row(spec, self.old)


@dataclass
class Segment:
    """Consecutive records of one batch bound for one lake object."""

    table: LakeTable
    dt: str
    first_sequence: str
    first_event_id: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    sequences: list[str] = field(default_factory=list)

    @property
    def object_key(self) -> str:
        return object_key(self.table.name, self.dt, self.first_sequence, self.first_event_id)


def object_key(table: str, dt: str, first_sequence: str, first_event_id: str) -> str:
    """``<table>/dt=<day>/<padded sequence>-<event id>.parquet`` (safe characters only)."""
    safe_id = re.sub(r"[^A-Za-z0-9_-]", "_", first_event_id)[:64]
    return f"{table}/dt={dt}/{padded_sequence(first_sequence)}-{safe_id}.parquet"


def lake_row(spec: LakeTable, change: StreamChange) -> dict[str, Any]:
    """A full lake row: the declared columns plus ``_op``, ``_seq`` and ``_at``."""
    row = to_row(spec, change.item)
    row.update({"_op": change.op, "_seq": padded_sequence(change.sequence), "_at": change.changed_at})
    return row


def segments(changes: Sequence[StreamChange], specs: Iterable[LakeTable]) -> list[Segment]:
    """Group a batch (in sequence order) into segments.

    A segment is a maximal run of consecutive exported records with the same targets (lake table and day);
    records that no lake table selects (pointer items, TTL expiries, modifications of columns a table does not
    export when it keeps ``only_changes``) neither join nor cut a run. So segments
    never interleave: each covers a sequence range that no other segment of the batch overlaps.
    """
    specs = list(specs)
    found: list[Segment] = []
    current: list[Segment] = []
    current_targets: tuple[tuple[str, str], ...] = ()
    for change in changes:
        if change.expired:
            continue
        chosen = [(spec, partition_day(spec, change.item, change.changed_at)) for spec in specs if spec.selects(change.item) and change.changes(spec)]
        if not chosen:
            continue
        targets = tuple((spec.name, dt) for spec, dt in chosen)
        if targets != current_targets:
            current = [Segment(spec, dt, change.sequence, change.event_id) for spec, dt in chosen]
            current_targets = targets
            found.extend(current)
        for segment in current:
            segment.rows.append(lake_row(segment.table, change))
            segment.sequences.append(change.sequence)
    return found
