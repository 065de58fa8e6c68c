"""Data access of the health code: ``HealthCodeTable``, the signing secret, and holds in the same transactions.

``HealthCodeTable`` (partition ``person_id``, sort ``sk``):

* ``code`` — the code's rule state (``rules.CodeState``), a ``version`` for optimistic concurrency, the
  holder's community (for statistics; no personal data), and ``due_key`` = ``<close day>#<shard>`` while a close
  can change it. ``due-index`` (a GSI on ``due_key``) is therefore sparse and write-sharded: the daily close
  reads only the codes that lapse that night;
* ``checkin#<day>`` — one check-in per person and day (temperature, symptoms), expiring after the retention;
* ``change#<day>#<colour>`` — the colour history, expiring after the retention;
* ``appeal#<hold key>`` / ``appeal#rule#<day>`` — an appeal against a hold or against the rule colour (a check-in
  day that did not register); statement and decision reason sealed with the PII key;
* ``correction#<day>`` — a check-in day accepted on appeal (who, which appeal): the rule counts it as a check-in;
* partition ``_close`` — the daily close's watermarks: ``watermark`` (last day closed by every shard),
  ``shard#NN`` (last day closed by shard NN) and ``day#<day>`` (shards done and codes turned per colour).

Only this module talks to DynamoDB and Secrets Manager for the health code; it turns ``ClientError`` into
domain errors.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia import clock, dynamo
from sanmenxia.accountability import public
from sanmenxia.contracts import WorkOrderSource
from sanmenxia.errors import Conflict, UpstreamUnavailable
from sanmenxia.healthcode import rules
from sanmenxia.healthcode.rules import CodeState, Transition
from sanmenxia.healthcode.tokens import SigningKey, jwks, signing_key_from_secret
from sanmenxia.holds import CodeColor, Hold, HoldStore
from sanmenxia.hotline.rules import order_id_for
from sanmenxia.vocabulary import canonical_symptoms

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_ssm import SSMClient

CODE_SK = "code"
CONTROL_PK = "_close"
DUE_INDEX = "due-index"
#: Number of write shards of the due index (fixed: a change needs the due keys rewritten).
DUE_SHARDS = 32


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: int | float | Decimal) -> dict[str, str]:
    return {"N": str(value)}


def _day(item: dict[str, Any], name: str) -> date | None:
    value = item.get(name, {}).get("S")
    return date.fromisoformat(value) if value else None


def due_key(day: date, shard: int) -> str:
    """The due-index partition of ``day``'s close for ``shard``."""
    return f"{day.isoformat()}#{shard:02d}"


def shard_of(person_id: str) -> int:
    """The write shard of a code: stable, spread evenly (person ids are random hex)."""
    return int.from_bytes(hashlib.sha256(person_id.encode()).digest()[:4], "big") % DUE_SHARDS


def state_attributes(state: CodeState) -> dict[str, dict[str, str]]:
    """The code item's attributes that hold the rule state."""
    attrs = {
        "color": _s(state.color.value),
        "since": _s(state.since.isoformat()),
        "applied_on": _s(state.applied_on.isoformat()),
        "streak": _n(state.streak),
        "closed_through": _s(state.closed_through.isoformat()),
        "rule_version": _s(state.rule_version),
    }
    if state.last_checkin:
        attrs["last_checkin"] = _s(state.last_checkin.isoformat())
    return attrs


def state_from_item(item: dict[str, Any]) -> CodeState:
    return CodeState(
        color=CodeColor(item["color"]["S"]),
        since=date.fromisoformat(item["since"]["S"]),
        applied_on=date.fromisoformat(item["applied_on"]["S"]),
        last_checkin=_day(item, "last_checkin"),
        streak=int(item["streak"]["N"]),
        closed_through=date.fromisoformat(item["closed_through"]["S"]),
        rule_version=item["rule_version"]["S"],
    )


@dataclass(frozen=True)
class CodeRecord:
    """A stored code: its rule state as of its last write, and where its holder lives (for statistics)."""

    person_id: str
    state: CodeState
    version: int
    county_code: str
    community_id: str
    due_key: str | None
    declared_fever: bool = False
    declared_isolation: bool = False
    applied_at: str = ""


@dataclass(frozen=True)
class CheckIn:
    """One day's check-in (每日打卡)."""

    person_id: str
    day: date
    temperature: Decimal
    symptoms: tuple[str, ...]
    fever: bool
    at: str

    def to_json(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "temperature": float(self.temperature),
            "symptoms": list(self.symptoms),
            "fever": self.fever,
            "at": self.at,
        }


#: The key of an appeal against the rule colour: ``rule#<day>``, the day whose check-in did not register.
RULE_APPEAL_PREFIX = "rule#"


@dataclass(frozen=True)
class Appeal:
    """An appeal against a hold (``hold_key`` is the hold's key) or against the rule colour (``rule#<day>``)."""

    appeal_id: str
    hold_key: str
    status: str
    at: str

    @property
    def kind(self) -> str:
        return "rule" if self.hold_key.startswith(RULE_APPEAL_PREFIX) else "hold"

    @property
    def day(self) -> date | None:
        """The missed check-in day a rule appeal is about."""
        return date.fromisoformat(self.hold_key.removeprefix(RULE_APPEAL_PREFIX)) if self.kind == "rule" else None

    @property
    def order_id(self) -> str:
        """The 12345 work order the appeal became (its id follows from the appeal's: the resident's one number)."""
        return order_id_for(WorkOrderSource.APPEAL, self.appeal_id)

    def to_json(self) -> dict[str, Any]:
        day = self.day
        return {
            "appeal_id": self.appeal_id,
            "kind": self.kind,
            "hold": self.hold_key if self.kind == "hold" else None,
            "missed_day": day.isoformat() if day else None,
            "status": self.status,
            "at": self.at,
            "order_id": self.order_id,
        }


@dataclass
class Partition:
    """Everything stored for one person, read with one query."""

    code: CodeRecord | None = None
    checkins: list[CheckIn] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    appeals: list[Appeal] = field(default_factory=list)
    corrections: list[date] = field(default_factory=list)  # check-in days accepted on appeal


@dataclass(frozen=True)
class CurrentCode:
    """A person's code as other platforms see it today: shown colour, the rule part, the holds."""

    person_id: str
    color: CodeColor
    rule_color: CodeColor
    since: date
    holds: tuple[Hold, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "color": self.color.value,
            "rule_color": self.rule_color.value,
            "since": self.since.isoformat(),
            "holds": [hold.to_json() for hold in self.holds],
        }


@dataclass(frozen=True)
class DueCode:
    """A code read from the due index for a close."""

    person_id: str
    state: CodeState
    version: int
    due_key: str
    county_code: str
    community_id: str


@dataclass
class CloseCounts:
    """Codes turned to each colour by a close (for metrics and the day's control item)."""

    closed: int = 0
    skipped: int = 0
    turned: dict[str, int] = field(default_factory=lambda: {"yellow": 0, "red": 0, "green": 0})

    def add(self, other: CloseCounts) -> None:
        self.closed += other.closed
        self.skipped += other.skipped
        for color, count in other.turned.items():
            self.turned[color] = self.turned.get(color, 0) + count


class StaleCode(Exception):
    """The code changed since it was read (another request or the close); read it again."""


class HealthCodeStore:
    """Reads and writes codes, check-ins, history, appeals and the close's watermarks."""

    def __init__(self, dynamodb: DynamoDBClient, table: str, holds: HoldStore, *, retention_days: int = 60) -> None:
        self._db = dynamodb
        self._table = table
        self._holds = holds
        self._retention = retention_days

    @property
    def holds(self) -> HoldStore:
        return self._holds

    # -- items --------------------------------------------------------------------------------------------
    def _expires(self) -> dict[str, str]:
        return _n(clock.epoch_after_days(self._retention))

    def _code_update(self, record: CodeRecord, state: CodeState) -> dict[str, Any]:
        """Conditional update of a code to ``state`` (version check, due key moved), for a transaction."""
        values: dict[str, Any] = {f":{name}": value for name, value in state_attributes(state).items()}
        names = {f"#{name}": name for name in state_attributes(state)}
        sets = [f"#{name} = :{name}" for name in state_attributes(state)]
        removes = [] if state.last_checkin else ["last_checkin"]
        due = rules.due_day(state)
        if due is None:
            removes.append("due_key")
        else:
            sets.append("due_key = :due")
            values[":due"] = _s(due_key(due, shard_of(record.person_id)))
        sets += ["version = :next", "updated_at = :now"]
        values.update({":next": _n(record.version + 1), ":v": _n(record.version), ":now": _s(clock.iso())})
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        return {
            "Update": {
                "TableName": self._table,
                "Key": {"person_id": _s(record.person_id), "sk": _s(CODE_SK)},
                "UpdateExpression": expression,
                "ConditionExpression": "version = :v",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }

    def _change_put(self, person_id: str, transition: Transition, community_id: str, county_code: str) -> dict[str, Any]:
        item = {
            "person_id": _s(person_id),
            "sk": _s(f"change#{transition.day.isoformat()}#{transition.to_color.value}"),
            "day": _s(transition.day.isoformat()),
            "to": _s(transition.to_color.value),
            "cause": _s(transition.cause.value),
            "rule_version": _s(transition.rule_version),
            "community_id": _s(community_id),
            "county_code": _s(county_code),
            "at": _s(clock.iso()),
            "expires_at": self._expires(),
        }
        if transition.from_color:
            item["from"] = _s(transition.from_color.value)
        return {"Put": {"TableName": self._table, "Item": item}}

    def _transact(self, items: list[dict[str, Any]], what: str, refusals: dict[int, Exception] | None = None) -> None:
        dynamo.transact(self._db, items, what=what, refusals=refusals)

    def _record(self, item: dict[str, Any]) -> CodeRecord:
        return CodeRecord(
            person_id=item["person_id"]["S"],
            state=state_from_item(item),
            version=int(item["version"]["N"]),
            county_code=item.get("county_code", {}).get("S", ""),
            community_id=item.get("community_id", {}).get("S", ""),
            due_key=item.get("due_key", {}).get("S"),
            declared_fever=bool(item.get("declared_fever", {}).get("BOOL", False)),
            declared_isolation=bool(item.get("declared_isolation", {}).get("BOOL", False)),
            applied_at=item.get("applied_at", {}).get("S", ""),
        )

    # -- application ----------------------------------------------------------------------------------------
    def apply(
        self,
        person_id: str,
        *,
        county_code: str,
        community_id: str,
        applied_by: str,
        declared_fever: bool,
        declared_isolation: bool,
        holds: Sequence[dict[str, Any]] = (),
    ) -> CodeRecord:
        """Create a person's code (green from today by the rule), with the holds its declaration places,
        in one transaction; a second application is a ``Conflict`` and writes nothing."""
        state, transition = rules.start(clock.today())
        record = CodeRecord(person_id, state, 1, county_code, community_id, None, declared_fever, declared_isolation, clock.iso())
        due = rules.due_day(state)
        item: dict[str, Any] = {
            "person_id": _s(person_id),
            "sk": _s(CODE_SK),
            **state_attributes(state),
            "version": _n(1),
            "county_code": _s(county_code),
            "community_id": _s(community_id),
            "declared_fever": {"BOOL": declared_fever},
            "declared_isolation": {"BOOL": declared_isolation},
            "applied_at": _s(record.applied_at),
            "applied_by": _s(applied_by),
            "updated_at": _s(record.applied_at),
        }
        if due is not None:
            item["due_key"] = _s(due_key(due, shard_of(person_id)))
        writes = [
            {"Put": {"TableName": self._table, "Item": item, "ConditionExpression": "attribute_not_exists(person_id)"}},
            self._change_put(person_id, transition, community_id, county_code),
            *holds,
        ]
        self._transact(writes, "application", {0: Conflict("a health code has already been applied for this person", field="person")})
        return CodeRecord(**{**record.__dict__, "due_key": item.get("due_key", {}).get("S")})

    # -- reads ------------------------------------------------------------------------------------------------
    def get(self, person_id: str) -> CodeRecord | None:
        try:
            item = self._db.get_item(TableName=self._table, Key={"person_id": _s(person_id), "sk": _s(CODE_SK)}, ConsistentRead=True).get("Item")
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the health code") from exc
        return self._record(item) if item else None

    def partition(self, person_id: str) -> Partition:
        """The code, check-ins, history and appeals of a person (one query, newest history first)."""
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "person_id = :p",
            "ExpressionAttributeValues": {":p": _s(person_id)},
            "ConsistentRead": True,
        }
        try:
            while True:
                page = self._db.query(**kwargs)
                items.extend(page["Items"])
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the health code") from exc
        found = Partition()
        for item in items:
            sk = item["sk"]["S"]
            if sk == CODE_SK:
                found.code = self._record(item)
            elif sk.startswith("checkin#"):
                found.checkins.append(self._checkin(item))
            elif sk.startswith("change#"):
                found.changes.append(
                    {
                        "day": item["day"]["S"],
                        "from": item.get("from", {}).get("S"),
                        "to": item["to"]["S"],
                        "cause": item["cause"]["S"],
                        "rule_version": item["rule_version"]["S"],
                    }
                )
            elif sk.startswith("appeal#"):
                found.appeals.append(Appeal(item["appeal_id"]["S"], item["hold_key"]["S"], item["status"]["S"], item["at"]["S"]))
            elif sk.startswith("correction#"):
                found.corrections.append(date.fromisoformat(item["day"]["S"]))
        found.checkins.sort(key=lambda checkin: checkin.day, reverse=True)
        found.corrections.sort(reverse=True)
        found.changes.sort(key=lambda change: (change["day"], change["cause"] != "close"), reverse=True)
        return found

    @staticmethod
    def _checkin(item: dict[str, Any]) -> CheckIn:
        return CheckIn(
            person_id=item["person_id"]["S"],
            day=date.fromisoformat(item["day"]["S"]),
            temperature=Decimal(item["temperature"]["N"]),
            symptoms=canonical_symptoms([value["S"] for value in item.get("symptoms", {}).get("L", [])]),
            fever=bool(item["fever"]["BOOL"]),
            at=item["at"]["S"],
        )

    def get_checkin(self, person_id: str, day: date) -> CheckIn | None:
        try:
            item = self._db.get_item(TableName=self._table, Key={"person_id": _s(person_id), "sk": _s(f"checkin#{day.isoformat()}")}, ConsistentRead=True).get(
                "Item"
            )
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the check-in") from exc
        return self._checkin(item) if item else None

    def current(self, person_ids: Iterable[str], today: date | None = None, *, strong_holds: bool = True) -> dict[str, CurrentCode]:
        """Today's codes of ``person_ids`` (shown colour = worst of rule and active holds), for other platforms
        (e.g. an enterprise's employees). People without a code are absent from the result. ``strong_holds``
        False reads the holds eventually consistent (see ``HoldStore.for_person``)."""
        wanted = list(dict.fromkeys(person_ids))
        day = today or clock.today()
        keys = [{"person_id": _s(pid), "sk": _s(CODE_SK)} for pid in wanted]
        records = {record.person_id: record for record in map(self._record, dynamo.batch_get(self._db, self._table, keys, what="health codes"))}
        result: dict[str, CurrentCode] = {}
        for person_id, record in records.items():
            state, _ = rules.advance(record.state, day - rules.ONE_DAY)
            holds = tuple(self._holds.for_person(person_id, consistent=strong_holds))
            result[person_id] = CurrentCode(person_id, rules.shown_color(state.color, holds), state.color, state.since, holds)
        return result

    # -- check-in ---------------------------------------------------------------------------------------------
    def record_checkin(
        self,
        record: CodeRecord,
        checkin: CheckIn,
        state: CodeState,
        transitions: Sequence[Transition],
        holds: Sequence[dict[str, Any]] = (),
    ) -> None:
        """Write a check-in with the code's new state, its history and holds, atomically.

        Raises ``Conflict`` when today's check-in already exists and ``StaleCode`` when the code changed."""
        item: dict[str, Any] = {
            "person_id": _s(checkin.person_id),
            "sk": _s(f"checkin#{checkin.day.isoformat()}"),
            "day": _s(checkin.day.isoformat()),
            "temperature": _n(checkin.temperature),
            "symptoms": {"L": [_s(symptom) for symptom in checkin.symptoms]},
            "fever": {"BOOL": checkin.fever},
            "at": _s(checkin.at),
            "community_id": _s(record.community_id),
            "county_code": _s(record.county_code),
            "expires_at": self._expires(),
        }
        writes = [
            {"Put": {"TableName": self._table, "Item": item, "ConditionExpression": "attribute_not_exists(sk)"}},
            self._code_update(record, state),
            *(self._change_put(record.person_id, t, record.community_id, record.county_code) for t in transitions),
            *holds,
        ]
        self._transact(writes, "check-in", {0: Conflict("already checked in today", field="day"), 1: StaleCode(record.person_id)})

    # -- appeals ----------------------------------------------------------------------------------------------
    def get_appeal(self, person_id: str, hold_key: str) -> Appeal | None:
        try:
            item = self._db.get_item(TableName=self._table, Key={"person_id": _s(person_id), "sk": _s(f"appeal#{hold_key}")}, ConsistentRead=True).get("Item")
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the appeal") from exc
        return Appeal(item["appeal_id"]["S"], item["hold_key"]["S"], item["status"]["S"], item["at"]["S"]) if item else None

    def put_appeal(self, person_id: str, appeal: Appeal, sealed_statement: str, community_id: str) -> None:
        """Record an appeal (one per hold); a second appeal against the same hold is a ``Conflict``."""
        item = {
            "person_id": _s(person_id),
            "sk": _s(f"appeal#{appeal.hold_key}"),
            "appeal_id": _s(appeal.appeal_id),
            "hold_key": _s(appeal.hold_key),
            "status": _s(appeal.status),
            "statement": _s(sealed_statement),
            "community_id": _s(community_id),
            "at": _s(appeal.at),
            "expires_at": self._expires(),
        }
        put = {"Put": {"TableName": self._table, "Item": item, "ConditionExpression": "attribute_not_exists(sk)"}}
        county = community_id.split("-")[0]
        received = self.count_request(county, public.APPEALS, public.Metric.RECEIVED)
        dynamo.transact(self._db, [put, received], what="appeal", refusals={0: Conflict("this hold has already been appealed", field="hold")})

    def count_request(self, county_code: str, unit: str, metric: public.Metric) -> dict[str, Any]:
        """Today's public counter (``sanmenxia.accountability.public``), for the counted fact's transaction."""
        return public.count_write(self._table, clock.today().isoformat(), county_code, unit, metric)

    def appeal_decision_write(self, person_id: str, hold_key: str, status: str, decided_by: str, sealed_reason: str) -> dict[str, Any]:
        """The ``Update`` (for a transaction) that closes a submitted appeal with the decision (``lifted``, ``kept``,
        ``accepted``) and its reason, sealed: a free-text reason is kept out of clear storage."""
        return {
            "Update": {
                "TableName": self._table,
                "Key": {"person_id": _s(person_id), "sk": _s(f"appeal#{hold_key}")},
                "UpdateExpression": "SET #st = :s, decided_by = :by, decision_reason = :why, decided_at = :at",
                "ConditionExpression": "#st = :submitted",
                "ExpressionAttributeNames": {"#st": "status"},
                "ExpressionAttributeValues": {
                    ":s": _s(status),
                    ":by": _s(decided_by),
                    ":why": _s(sealed_reason),
                    ":at": _s(clock.iso()),
                    ":submitted": _s("submitted"),
                },
            }
        }

    def correction_writes(self, record: CodeRecord, day: date, appeal_id: str, decided_by: str, state: CodeState, before: CodeColor) -> list[dict[str, Any]]:
        """The writes (for a transaction) of an accepted check-in day: the correction fact ``correction#<day>``, the
        code's recomputed state (version-checked) and, when the rule colour changed, a ``correction`` change."""
        fact = {
            "person_id": _s(record.person_id),
            "sk": _s(f"correction#{day.isoformat()}"),
            "day": _s(day.isoformat()),
            "appeal_id": _s(appeal_id),
            "accepted_by": _s(decided_by),
            "community_id": _s(record.community_id),
            "county_code": _s(record.county_code),
            "at": _s(clock.iso()),
            "expires_at": self._expires(),
        }
        writes = [{"Put": {"TableName": self._table, "Item": fact, "ConditionExpression": "attribute_not_exists(sk)"}}, self._code_update(record, state)]
        if state.color is not before:
            change = Transition(clock.today(), before, state.color, rules.Cause.CORRECTION, state.rule_version)
            writes.append(self._change_put(record.person_id, change, record.community_id, record.county_code))
        return writes

    def write(self, writes: Sequence[dict[str, Any]], what: str, refusals: dict[int, Exception] | None = None) -> None:
        """Run ``writes`` (this store's and others', e.g. a hold and the audit record) as one transaction."""
        self._transact(list(writes), what, refusals)

    @property
    def retention_days(self) -> int:
        return self._retention

    # -- the daily close ----------------------------------------------------------------------------------------
    def due_page(self, day: date, shard: int, start_key: dict[str, Any] | None = None, limit: int = 200) -> tuple[list[DueCode], dict[str, Any] | None]:
        """One page of codes due at ``day``'s close in ``shard`` (from the sparse due index)."""
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": DUE_INDEX,
            "KeyConditionExpression": "due_key = :d",
            "ExpressionAttributeValues": {":d": _s(due_key(day, shard))},
            "Limit": limit,
        }
        if start_key:
            kwargs["ExclusiveStartKey"] = start_key
        try:
            page = self._db.query(**kwargs)
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the due index") from exc
        codes = [
            DueCode(
                person_id=item["person_id"]["S"],
                state=state_from_item(item),
                version=int(item["version"]["N"]),
                due_key=item["due_key"]["S"],
                county_code=item.get("county_code", {}).get("S", ""),
                community_id=item.get("community_id", {}).get("S", ""),
            )
            for item in page["Items"]
        ]
        return codes, page.get("LastEvaluatedKey")

    def close_code(self, due: DueCode, state: CodeState, transitions: Sequence[Transition]) -> bool:
        """Write a closed code and its history, only if it is still due where it was read (else False:
        it checked in, or another run closed it)."""
        record = CodeRecord(due.person_id, due.state, due.version, due.county_code, due.community_id, due.due_key)
        update = self._code_update(record, state)
        update["Update"]["ConditionExpression"] = "version = :v AND due_key = :old"
        update["Update"]["ExpressionAttributeValues"][":old"] = _s(due.due_key)
        writes = [update, *(self._change_put(due.person_id, t, due.community_id, due.county_code) for t in transitions)]
        try:
            self._transact(writes, "daily close")
        except dynamo.ConditionFailed:
            return False
        return True

    def _control(self, sk: str) -> dict[str, Any] | None:
        try:
            return self._db.get_item(TableName=self._table, Key={"person_id": _s(CONTROL_PK), "sk": _s(sk)}, ConsistentRead=True).get("Item")  # type: ignore[no-any-return]
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the close watermark") from exc

    def watermark(self) -> date | None:
        """The last day closed by every shard."""
        item = self._control("watermark")
        return _day(item, "day") if item else None

    def shard_watermark(self, shard: int) -> date | None:
        item = self._control(f"shard#{shard:02d}")
        return _day(item, "day") if item else None

    def _raise_day(self, sk: str, day: date) -> bool:
        try:
            dynamo.update(
                self._db,
                what="close watermark",
                TableName=self._table,
                Key={"person_id": _s(CONTROL_PK), "sk": _s(sk)},
                UpdateExpression="SET #d = :day, updated_at = :now",
                ConditionExpression="attribute_not_exists(#d) OR #d < :day",
                ExpressionAttributeNames={"#d": "day"},
                ExpressionAttributeValues={":day": _s(day.isoformat()), ":now": _s(clock.iso())},
            )
        except dynamo.ConditionFailed:
            return False
        return True

    def finish_shard_day(self, day: date, shard: int, counts: CloseCounts, shards: int = DUE_SHARDS) -> bool:
        """Record that ``shard`` closed ``day`` (the day's tallies, then its watermark); returns True when this made
        the whole day closed (and moved the global watermark).

        The tallies are added only if the day does not list the shard yet, so a retried write (an SDK retry of a
        slow success, or the shard's close run again after a failure) recognises its own earlier success instead
        of counting the shard twice; the watermark moves after the tallies, so a failure between them re-closes
        the day rather than leaving it without the shard's figures."""
        try:
            answer = dynamo.update(
                self._db,
                what="day's close tallies",
                TableName=self._table,
                Key={"person_id": _s(CONTROL_PK), "sk": _s(f"day#{day.isoformat()}")},
                UpdateExpression="ADD shards_done :s, closed :c, turned_yellow :y, turned_red :r, turned_green :g SET updated_at = :now",
                ConditionExpression="attribute_not_exists(shards_done) OR NOT contains(shards_done, :shard)",
                ExpressionAttributeValues={
                    ":s": {"NS": [str(shard)]},
                    ":shard": _n(shard),
                    ":c": _n(counts.closed),
                    ":y": _n(counts.turned.get("yellow", 0)),
                    ":r": _n(counts.turned.get("red", 0)),
                    ":g": _n(counts.turned.get("green", 0)),
                    ":now": _s(clock.iso()),
                },
                ReturnValues="ALL_NEW",
            )
            item = answer.get("Attributes")
        except dynamo.ConditionFailed:
            item = None  # this shard's tallies were added by an earlier attempt
        if item is None:
            item = self._control(f"day#{day.isoformat()}") or {}
        self._raise_day(f"shard#{shard:02d}", day)
        if len(item.get("shards_done", {}).get("NS", [])) < shards:
            return False
        return self._raise_day("watermark", day)

    def day_summary(self, day: date) -> dict[str, Any] | None:
        """The tallies of a day's close (codes closed and turned per colour, shards done)."""
        item = self._control(f"day#{day.isoformat()}")
        if item is None:
            return None
        return {
            "day": day.isoformat(),
            "shards_done": len(item.get("shards_done", {}).get("NS", [])),
            "closed": int(item.get("closed", {}).get("N", "0")),
            "turned": {color: int(item.get(f"turned_{color}", {}).get("N", "0")) for color in ("yellow", "red", "green")},
        }


class SigningKeys:
    """The health-code signing key, derived from a Secrets Manager secret; re-read every ``refresh_seconds``
    so a rotation (new ``AWSCURRENT``, old key kept as ``AWSPREVIOUS``) reaches warm containers."""

    def __init__(self, secretsmanager: SecretsManagerClient, secret_arn: str, refresh_seconds: float = 600.0) -> None:
        self._sm = secretsmanager
        self._arn = secret_arn
        self._refresh = refresh_seconds
        self._loaded_at = -1e18
        self._current: SigningKey | None = None
        self._previous: SigningKey | None = None

    def _load(self) -> None:
        if self._current is not None and time.monotonic() - self._loaded_at < self._refresh:
            return
        try:
            current = self._sm.get_secret_value(SecretId=self._arn, VersionStage="AWSCURRENT")["SecretString"]
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the signing key") from exc
        try:
            previous = self._sm.get_secret_value(SecretId=self._arn, VersionStage="AWSPREVIOUS")["SecretString"]
        except ClientError:
            previous = None
        self._current = signing_key_from_secret(current)
        self._previous = signing_key_from_secret(previous) if previous else None
        self._loaded_at = time.monotonic()

    def current(self) -> SigningKey:
        self._load()
        assert self._current is not None
        return self._current

    def published(self) -> list[SigningKey]:
        """The keys whose tokens verify: the current one and, after a rotation, the previous one."""
        self._load()
        assert self._current is not None
        return [self._current, *([self._previous] if self._previous else [])]


class PublishedKeySet:
    """The public half of the signing keys (a JWKS document) in an SSM parameter.

    The health-code function publishes it before it signs with a key, so every token in circulation verifies
    against it; ``publish`` writes only when the parameter lacks a key id (a cold container reads it once,
    Parameter Store's writes are few a second per account). Verifiers in other functions (the checkpoints)
    read it and are never granted the signing seed. Reads are cached for ``refresh_seconds`` (keys change only
    at a rotation); a token signed by a key the cache does not know asks for ``refresh``, at most once every
    ``retry_seconds``, so a rotation is seen at once without every scan reading Parameter Store.
    """

    def __init__(self, ssm: SSMClient, parameter: str, refresh_seconds: float = 600.0, retry_seconds: float = 5.0) -> None:
        self._ssm = ssm
        self._name = parameter
        self._refresh = refresh_seconds
        self._retry = retry_seconds
        self._published: tuple[str, ...] | None = None
        self._document: dict[str, Any] | None = None
        self._read_at = -1e18

    @staticmethod
    def _kids(document: dict[str, Any]) -> tuple[str, ...]:
        return tuple(sorted(str(key["kid"]) for key in document.get("keys", [])))

    def publish(self, keys: Sequence[SigningKey]) -> None:
        document = jwks(keys)
        kids = self._kids(document)
        if kids == self._published:
            return
        if set(kids) <= set(self._kids(self._read(missing_ok=True))):
            self._published = kids
            return
        try:
            self._ssm.put_parameter(Name=self._name, Value=json.dumps(document), Type="String", Overwrite=True)
        except ClientError as exc:
            raise UpstreamUnavailable("could not publish the code verification keys") from exc
        self._published = kids
        self._document, self._read_at = document, time.monotonic()

    def _read(self, *, missing_ok: bool = False) -> dict[str, Any]:
        try:
            value = self._ssm.get_parameter(Name=self._name)["Parameter"]["Value"]
        except ClientError as exc:
            if missing_ok and exc.response["Error"]["Code"] == "ParameterNotFound":
                return {"keys": []}
            raise UpstreamUnavailable("could not read the code verification keys") from exc
        document: dict[str, Any] = json.loads(value)
        self._document, self._read_at = document, time.monotonic()
        return document

    def get(self) -> dict[str, Any]:
        if self._document is None or time.monotonic() - self._read_at > self._refresh:
            return self._read()
        return self._document

    def refresh(self) -> dict[str, Any]:
        """The key set read again (a token named a key id the cache does not hold), unless read just now."""
        if self._document is not None and time.monotonic() - self._read_at < self._retry:
            return self._document
        return self._read()
