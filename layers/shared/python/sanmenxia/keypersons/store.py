"""Data access for ``KeyPersonsTable``: key-person records, daily follow-ups, and supervision lists.

Items (``pk``, ``sk``):

* ``kp#<id>``, ``record``: the record (masked identity only); index attributes ``community_id``/``county_code``
  with ``status_key`` = ``<status>#<id>`` so that a community or a county lists one status without a scan;
* ``kp#<id>``, ``fu#<time>#<rand>``: a follow-up (随访) record;
* ``open#<person id>``, ``open``: the person's one open record (a second candidate joins it);
* ``src#<source>#<ref>``, ``src``: a source record already taken in (candidates are idempotent on it);
* ``sup#<county>#<date>``, ``<kp id>``: an entry of that day's supervision list (督办);
* ``meta``, ``supervision``: the last day the daily close has processed (watermark).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia import clock, dynamo, paging, texts
from sanmenxia.contracts import KeyPersonCategory
from sanmenxia.errors import Conflict, NotFound, UpstreamUnavailable
from sanmenxia.keypersons.rules import KeyPersonSource, KeyPersonStatus, Measure, MeasureKind, SupervisionReason, SupervisionView
from sanmenxia.residents.rules import Symptom

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def _s(value: str) -> dict[str, str]:
    return {"S": value}


class StaleRecord(Conflict):
    """The record changed between our read and our write (the caller retries)."""


class DuplicateOpenRecord(Conflict):
    """The person already has an open key-person record."""


@dataclass(frozen=True)
class SourceEntry:
    source: KeyPersonSource
    source_ref: str
    reason: str
    at: str
    #: the reason as a code with params (``sanmenxia.texts``); None on older entries
    text: dict[str, Any] | None = field(default=None, hash=False)

    def to_json(self) -> dict[str, Any]:
        said = self.text or {}
        return {
            "source": self.source.value,
            "source_ref": self.source_ref,
            "reason": self.reason,
            "reason_code": said.get("code"),
            "reason_params": said.get("params", {}),
            "at": self.at,
        }

    def to_item(self) -> dict[str, Any]:
        item = {"source": _s(self.source.value), "source_ref": _s(self.source_ref), "reason": _s(self.reason), "at": _s(self.at)}
        stored = texts.dumps(self.text)
        if stored:
            item["reason_text"] = _s(stored)
        return {"M": item}

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> SourceEntry:
        m = item["M"]
        stored = m.get("reason_text", {}).get("S")
        return cls(KeyPersonSource(m["source"]["S"]), m["source_ref"]["S"], m["reason"]["S"], m["at"]["S"], texts.loads(stored))


@dataclass(frozen=True)
class KeyPerson:
    kp_id: str
    person_id: str
    community_id: str
    county_code: str
    category: KeyPersonCategory
    status: KeyPersonStatus
    name_masked: str
    id_masked: str
    opened_on: date
    created_at: str
    created_by: str
    sources: tuple[SourceEntry, ...] = ()
    measure: Measure | None = None
    start_date: date | None = None
    planned_release: date | None = None
    problems: str | None = None
    follow_up_days: frozenset[date] = field(default_factory=frozenset)
    last_follow_up: date | None = None
    open_supervision: frozenset[str] = field(default_factory=frozenset)
    closed_at: str | None = None
    closed_by: str | None = None
    close_note: str | None = None
    version: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "kp_id": self.kp_id,
            "person_id": self.person_id,
            "community_id": self.community_id,
            "county_code": self.county_code,
            "category": self.category.value,
            "status": self.status.value,
            "name": self.name_masked,
            "id_number": self.id_masked,
            "sources": [s.to_json() for s in self.sources],
            "measure": {"kind": self.measure.kind.value, "site": self.measure.site} if self.measure else None,
            "start_date": self.start_date.isoformat() if self.start_date else None,
            "planned_release": self.planned_release.isoformat() if self.planned_release else None,
            "release_due": bool(self.status is KeyPersonStatus.ACTIVE and self.planned_release and self.planned_release <= clock.today()),
            "problems": self.problems,
            "last_follow_up": self.last_follow_up.isoformat() if self.last_follow_up else None,
            "on_supervision": sorted(self.open_supervision),
            "created_at": self.created_at,
            "created_by": self.created_by,
            "closed_at": self.closed_at,
            "closed_by": self.closed_by,
            "close_note": self.close_note,
        }

    def audit_state(self) -> dict[str, Any]:
        state = self.to_json()
        state.pop("release_due")  # derived from today, not part of the record
        return state


@dataclass(frozen=True)
class FollowUp:
    day: date
    at: str
    by: str
    temperature: Decimal | None
    symptoms: tuple[Symptom, ...]
    measure_kept: bool
    note: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "at": self.at,
            "by": self.by,
            "temperature": float(self.temperature) if self.temperature is not None else None,
            "symptoms": [symptom.value for symptom in self.symptoms],
            "measure_kept": self.measure_kept,
            "note": self.note,
        }


@dataclass(frozen=True)
class SupervisionEntry:
    county_code: str
    day: date
    kp_id: str
    community_id: str
    category: KeyPersonCategory
    status: KeyPersonStatus
    reason: SupervisionReason
    name_masked: str
    last_follow_up: date | None
    resolved_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "kp_id": self.kp_id,
            "county_code": self.county_code,
            "community_id": self.community_id,
            "category": self.category.value,
            "status": self.status.value,
            "reason": self.reason.value,
            "name": self.name_masked,
            "last_follow_up": self.last_follow_up.isoformat() if self.last_follow_up else None,
            "resolved_at": self.resolved_at,
        }


def new_kp_id() -> str:
    return "kp" + clock.now().strftime("%y%m%d") + secrets.token_hex(6)


def _record_key(kp_id: str) -> dict[str, Any]:
    return {"pk": _s(f"kp#{kp_id}"), "sk": _s("record")}


class KeyPersonStore:
    """``dynamodb`` is a boto3 client."""

    def __init__(self, dynamodb: DynamoDBClient, table: str, retention_days: int) -> None:
        self._db = dynamodb
        self._table = table
        self._retention = retention_days

    # -- records ----------------------------------------------------------------------------------------
    def _item(self, kp: KeyPerson) -> dict[str, Any]:
        item: dict[str, Any] = {
            **_record_key(kp.kp_id),
            "kp_id": _s(kp.kp_id),
            "person_id": _s(kp.person_id),
            "community_id": _s(kp.community_id),
            "county_code": _s(kp.county_code),
            "status_key": _s(f"{kp.status.value}#{kp.kp_id}"),
            "category": _s(kp.category.value),
            "status": _s(kp.status.value),
            "name_masked": _s(kp.name_masked),
            "id_masked": _s(kp.id_masked),
            "opened_on": _s(kp.opened_on.isoformat()),
            "created_at": _s(kp.created_at),
            "created_by": _s(kp.created_by),
            "sources": {"L": [s.to_item() for s in kp.sources]},
            "version": {"N": str(kp.version)},
        }
        optional = {
            "measure_kind": kp.measure.kind.value if kp.measure else None,
            "measure_site": kp.measure.site if kp.measure else None,
            "start_date": kp.start_date.isoformat() if kp.start_date else None,
            "planned_release": kp.planned_release.isoformat() if kp.planned_release else None,
            "problems": kp.problems,
            "last_follow_up": kp.last_follow_up.isoformat() if kp.last_follow_up else None,
            "closed_at": kp.closed_at,
            "closed_by": kp.closed_by,
            "close_note": kp.close_note,
        }
        item.update({name: _s(value) for name, value in optional.items() if value})
        if kp.follow_up_days:
            item["follow_up_days"] = {"SS": sorted(day.isoformat() for day in kp.follow_up_days)}
        if kp.open_supervision:
            item["open_supervision"] = {"SS": sorted(kp.open_supervision)}
        if not kp.status.is_open:
            item["expires_at"] = {"N": str(clock.epoch_after_days(self._retention))}
        return item

    @staticmethod
    def _record(item: dict[str, Any]) -> KeyPerson:
        def text(name: str) -> str | None:
            return item[name]["S"] if name in item else None

        def day(name: str) -> date | None:
            value = text(name)
            return date.fromisoformat(value) if value else None

        kind = text("measure_kind")
        return KeyPerson(
            kp_id=item["kp_id"]["S"],
            person_id=item["person_id"]["S"],
            community_id=item["community_id"]["S"],
            county_code=item["county_code"]["S"],
            category=KeyPersonCategory(item["category"]["S"]),
            status=KeyPersonStatus(item["status"]["S"]),
            name_masked=item["name_masked"]["S"],
            id_masked=item["id_masked"]["S"],
            opened_on=date.fromisoformat(item["opened_on"]["S"]),
            created_at=item["created_at"]["S"],
            created_by=item["created_by"]["S"],
            sources=tuple(SourceEntry.from_item(m) for m in item.get("sources", {}).get("L", [])),
            measure=Measure(MeasureKind(kind), text("measure_site")) if kind else None,
            start_date=day("start_date"),
            planned_release=day("planned_release"),
            problems=text("problems"),
            follow_up_days=frozenset(date.fromisoformat(value) for value in item.get("follow_up_days", {}).get("SS", [])),
            last_follow_up=day("last_follow_up"),
            open_supervision=frozenset(item.get("open_supervision", {}).get("SS", [])),
            closed_at=text("closed_at"),
            closed_by=text("closed_by"),
            close_note=text("close_note"),
            version=int(item["version"]["N"]),
        )

    def get(self, kp_id: str) -> KeyPerson:
        try:
            item = self._db.get_item(TableName=self._table, Key=_record_key(kp_id), ConsistentRead=True).get("Item")
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the key person") from exc
        if item is None:
            raise NotFound("no such key person", field="kp_id")
        return self._record(item)

    def put_record(self, kp: KeyPerson, expected_version: int) -> dict[str, Any]:
        """The ``Put`` of ``kp`` (version bumped) if the stored record is still at ``expected_version``."""
        put: dict[str, Any] = {"TableName": self._table, "Item": self._item(replace(kp, version=expected_version + 1))}
        if expected_version == 0:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "version = :v"
            put["ExpressionAttributeValues"] = {":v": {"N": str(expected_version)}}
        return {"Put": put}

    def put_open_pointer(self, person_id: str, kp_id: str) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self._table,
                "Item": {"pk": _s(f"open#{person_id}"), "sk": _s("open"), "kp_id": _s(kp_id)},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def delete_open_pointer(self, person_id: str, kp_id: str) -> dict[str, Any]:
        return {
            "Delete": {
                "TableName": self._table,
                "Key": {"pk": _s(f"open#{person_id}"), "sk": _s("open")},
                "ConditionExpression": "kp_id = :k",
                "ExpressionAttributeValues": {":k": _s(kp_id)},
            }
        }

    def put_source(self, source: KeyPersonSource, source_ref: str, kp_id: str) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self._table,
                "Item": {"pk": _s(f"src#{source.value}#{source_ref}"), "sk": _s("src"), "kp_id": _s(kp_id)},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _pointer(self, pk: str, sk: str) -> str | None:
        try:
            item = self._db.get_item(TableName=self._table, Key={"pk": _s(pk), "sk": _s(sk)}, ConsistentRead=True).get("Item")
        except ClientError as exc:
            raise UpstreamUnavailable("could not read key persons") from exc
        return item["kp_id"]["S"] if item else None

    def open_record_of(self, person_id: str) -> str | None:
        return self._pointer(f"open#{person_id}", "open")

    def source_taken(self, source: KeyPersonSource, source_ref: str) -> str | None:
        return self._pointer(f"src#{source.value}#{source_ref}", "src")

    def transact(self, writes: list[dict[str, Any]]) -> None:
        """One transaction; ``DuplicateOpenRecord`` when the open pointer exists, ``StaleRecord`` on other checks."""
        try:
            dynamo.transact(self._db, writes, what="key person")
        except dynamo.ConditionFailed as failed:
            if "Put" in writes[failed.index] and failed.key.get("pk", {}).get("S", "").startswith("open#"):
                raise DuplicateOpenRecord("this person already has an open key-person record", field="person_id") from failed
            raise StaleRecord("the record changed meanwhile; try again") from failed
        except dynamo.Busy as busy:
            raise StaleRecord("the record is busy; try again") from busy

    def page(
        self, *, index: str, partition: str, status: KeyPersonStatus | None, category: KeyPersonCategory | None, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[KeyPerson], dict[str, Any] | None]:
        """Records of a community (``community-index``) or county (``county-index``), by status key."""
        attribute = "community_id" if index == "community-index" else "county_code"
        values: dict[str, Any] = {":p": _s(partition)}
        condition = f"{attribute} = :p"
        if status is not None:
            condition += " AND begins_with(status_key, :st)"
            values[":st"] = _s(f"{status.value}#")
        query: dict[str, Any] = {"TableName": self._table, "IndexName": index, "KeyConditionExpression": condition}
        if category is not None:
            query["FilterExpression"] = "category = :c"
            values[":c"] = _s(category.value)
        query["ExpressionAttributeValues"] = values
        raw = paging.query_page(self._db, query, limit=limit, start=start, key_attributes=("pk", "sk", attribute, "status_key"), what="key persons")
        return [self._record(item) for item in raw.items], raw.last_key

    # -- follow-ups -------------------------------------------------------------------------------------
    def put_follow_up(self, kp_id: str, follow_up: FollowUp) -> dict[str, Any]:
        item: dict[str, Any] = {
            "pk": _s(f"kp#{kp_id}"),
            "sk": _s(f"fu#{follow_up.at}#{secrets.token_hex(3)}"),
            "day": _s(follow_up.day.isoformat()),
            "at": _s(follow_up.at),
            "by": _s(follow_up.by),
            "symptoms": {"L": [_s(symptom.value) for symptom in follow_up.symptoms]},
            "measure_kept": {"BOOL": follow_up.measure_kept},
            "expires_at": {"N": str(clock.epoch_after_days(self._retention))},
        }
        if follow_up.temperature is not None:
            item["temperature"] = {"N": str(follow_up.temperature)}
        if follow_up.note:
            item["note"] = _s(follow_up.note)
        return {"Put": {"TableName": self._table, "Item": item, "ConditionExpression": "attribute_not_exists(sk)"}}

    def follow_ups(self, kp_id: str, limit: int = 30) -> list[FollowUp]:
        try:
            items = self._db.query(
                TableName=self._table,
                KeyConditionExpression="pk = :p AND begins_with(sk, :f)",
                ExpressionAttributeValues={":p": _s(f"kp#{kp_id}"), ":f": _s("fu#")},
                ScanIndexForward=False,
                Limit=limit,
            )["Items"]
        except ClientError as exc:
            raise UpstreamUnavailable("could not read follow-ups") from exc
        return [
            FollowUp(
                day=date.fromisoformat(item["day"]["S"]),
                at=item["at"]["S"],
                by=item["by"]["S"],
                temperature=Decimal(item["temperature"]["N"]) if "temperature" in item else None,
                symptoms=tuple(Symptom(value["S"]) for value in item.get("symptoms", {}).get("L", [])),
                measure_kept=item["measure_kept"]["BOOL"],
                note=item.get("note", {}).get("S"),
            )
            for item in items
        ]

    # -- supervision ------------------------------------------------------------------------------------
    def supervision_views(self, county_code: str, status: KeyPersonStatus) -> Iterator[tuple[SupervisionView, KeyPerson]]:
        """Every record of ``status`` in a county, as the daily close sees it (one query page per 1 MB)."""
        start: dict[str, Any] | None = None
        while True:
            request: dict[str, Any] = {
                "TableName": self._table,
                "IndexName": "county-index",
                "KeyConditionExpression": "county_code = :c AND begins_with(status_key, :st)",
                "ExpressionAttributeValues": {":c": _s(county_code), ":st": _s(f"{status.value}#")},
            }
            if start:
                request["ExclusiveStartKey"] = start
            try:
                response = self._db.query(**request)
            except ClientError as exc:
                raise UpstreamUnavailable("could not read key persons") from exc
            for item in response["Items"]:
                kp = self._record(item)
                yield SupervisionView(kp.kp_id, kp.status, kp.opened_on, kp.follow_up_days), kp
            start = response.get("LastEvaluatedKey")
            if not start:
                return

    def flag(self, entry: SupervisionEntry) -> bool:
        """Put ``entry`` on its day's list and mark the record, once; False when it was already listed."""
        item: dict[str, Any] = {
            "pk": _s(f"sup#{entry.county_code}#{entry.day.isoformat()}"),
            "sk": _s(entry.kp_id),
            "community_id": _s(entry.community_id),
            "category": _s(entry.category.value),
            "status": _s(entry.status.value),
            "reason": _s(entry.reason.value),
            "name_masked": _s(entry.name_masked),
            "flagged_at": _s(clock.iso()),
        }
        if entry.last_follow_up:
            item["last_follow_up"] = _s(entry.last_follow_up.isoformat())
        writes = [
            {"Put": {"TableName": self._table, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}},
            {
                "Update": {
                    "TableName": self._table,
                    "Key": _record_key(entry.kp_id),
                    "UpdateExpression": "ADD open_supervision :d SET version = version + :one",
                    "ConditionExpression": "attribute_exists(pk)",
                    "ExpressionAttributeValues": {":d": {"SS": [entry.day.isoformat()]}, ":one": {"N": "1"}},
                }
            },
        ]
        try:
            dynamo.transact(self._db, writes, what="supervision list")
        except dynamo.ConditionFailed:
            return False
        return True

    def resolve_requests(self, kp: KeyPerson, at: str) -> list[dict[str, Any]]:
        """The updates that mark ``kp``'s open supervision entries resolved (to go with its follow-up)."""
        return [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": {"pk": _s(f"sup#{kp.county_code}#{day}"), "sk": _s(kp.kp_id)},
                    "UpdateExpression": "SET resolved_at = :at",
                    "ConditionExpression": "attribute_exists(pk)",
                    "ExpressionAttributeValues": {":at": _s(at)},
                }
            }
            for day in sorted(kp.open_supervision)
        ]

    def supervision_page(
        self, counties: Sequence[str], day: date, *, community_id: str | None, include_resolved: bool, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[SupervisionEntry], dict[str, Any] | None]:
        """A page of the day's supervision lists of ``counties`` (one partition each, read in turn), kept to one
        community and to unresolved entries unless asked; the continuation key's ``pk`` names the county."""
        queries = []
        for county in counties:
            partition = f"sup#{county}#{day.isoformat()}"
            query: dict[str, Any] = {"TableName": self._table, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": _s(partition)}}
            clauses = [] if include_resolved else ["attribute_not_exists(resolved_at)"]
            if community_id is not None:
                clauses.append("community_id = :c")
                query["ExpressionAttributeValues"][":c"] = _s(community_id)
            if clauses:
                query["FilterExpression"] = " AND ".join(clauses)
            queries.append((partition, query))
        raw = paging.query_in_turn(self._db, queries, partition_key="pk", limit=limit, start=start, key_attributes=("pk", "sk"), what="the supervision list")
        return [_supervision_entry(item["pk"]["S"].split("#")[1], day, item) for item in raw.items], raw.last_key

    def watermark(self) -> date | None:
        try:
            item = self._db.get_item(TableName=self._table, Key={"pk": _s("meta"), "sk": _s("supervision")}, ConsistentRead=True).get("Item")
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the watermark") from exc
        return date.fromisoformat(item["closed_through"]["S"]) if item else None

    def set_watermark(self, day: date) -> None:
        try:
            self._db.put_item(
                TableName=self._table,
                Item={"pk": _s("meta"), "sk": _s("supervision"), "closed_through": _s(day.isoformat()), "at": _s(clock.iso())},
            )
        except ClientError as exc:
            raise UpstreamUnavailable("could not write the watermark") from exc


def _supervision_entry(county_code: str, day: date, item: dict[str, Any]) -> SupervisionEntry:
    return SupervisionEntry(
        county_code=county_code,
        day=day,
        kp_id=item["sk"]["S"],
        community_id=item["community_id"]["S"],
        category=KeyPersonCategory(item["category"]["S"]),
        status=KeyPersonStatus(item["status"]["S"]),
        reason=SupervisionReason(item["reason"]["S"]),
        name_masked=item["name_masked"]["S"],
        last_follow_up=date.fromisoformat(item["last_follow_up"]["S"]) if "last_follow_up" in item else None,
        resolved_at=item.get("resolved_at", {}).get("S"),
    )
