"""Holds (管控标记): facts held by other platforms that keep a health code from being green.

A hold has a kind, the colour it imposes, a source (which platform and record placed it) and a reason the
holder can read. The shown colour of a code is the worst of the rule colour and the active holds. Platforms
place and lift holds only through this module; the health code reads them only through it.

Table layout (``HoldsTable``): partition ``person_id``, sort ``hold_key`` = ``<kind>#<source_ref>``, so a
source places at most one hold of a kind per record and placing again is idempotent. Lifting keeps the
item with ``lifted_at`` (the holder's history shows it); ``active`` is only present on active holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia import clock, dynamo, retention, texts
from sanmenxia.errors import UpstreamUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class CodeColor(StrEnum):
    """Health code colours, ordered by severity."""

    GREEN = "green"  # 绿码
    YELLOW = "yellow"  # 黄码
    RED = "red"  # 红码

    @property
    def severity(self) -> int:
        return {"green": 0, "yellow": 1, "red": 2}[self.value]


def worst(*colors: CodeColor) -> CodeColor:
    return max(colors, key=lambda color: color.severity, default=CodeColor.GREEN)


class HoldKind(StrEnum):
    ISOLATION = "isolation"  # 隔离
    FEVER = "fever"  # 发热
    KEY_PERSON = "key_person"  # 重点人员
    CO_TRAVEL = "co_travel"  # 同行密接
    IMPORTED_LIST = "imported_list"  # 三方比对名单
    MANUAL = "manual"  # 人工研判
    LAB_POSITIVE = "lab_positive"  # 核酸检测阳性


#: The colour a hold of each kind imposes unless the placing platform says otherwise.
DEFAULT_COLOR: dict[HoldKind, CodeColor] = {
    HoldKind.ISOLATION: CodeColor.RED,
    HoldKind.KEY_PERSON: CodeColor.RED,
    HoldKind.LAB_POSITIVE: CodeColor.RED,
    HoldKind.FEVER: CodeColor.YELLOW,
    HoldKind.CO_TRAVEL: CodeColor.YELLOW,
    HoldKind.IMPORTED_LIST: CodeColor.YELLOW,
    HoldKind.MANUAL: CodeColor.YELLOW,
}


@dataclass(frozen=True)
class Hold:
    person_id: str
    kind: HoldKind
    source: str  # platform that placed it, e.g. "checkpoints", "key-persons", "health-code"
    source_ref: str  # the record there, e.g. a scan id or key-person id
    reason: str
    color: CodeColor
    since: str
    lifted_at: str | None = None
    #: the reason as a code with parameters (``sanmenxia.texts``), the app's words; None on older holds
    text: dict[str, Any] | None = field(default=None, hash=False)

    @property
    def active(self) -> bool:
        return self.lifted_at is None

    @property
    def key(self) -> str:
        return f"{self.kind.value}#{self.source_ref}"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "color": self.color.value,
            "source": self.source,
            "source_ref": self.source_ref,
            "reason": self.reason,
            "reason_code": self.text["code"] if self.text else None,
            "reason_params": self.text["params"] if self.text else {},
            "since": self.since,
            "lifted_at": self.lifted_at,
        }


def _lifted_ttl() -> dict[str, str]:
    """A lifted hold is kept ``PERSONAL_RECORD_DAYS`` after the lift (an active hold never expires)."""
    return {"N": str(clock.epoch_after_days(retention.settings().personal_record_days))}


class HoldStore:
    """Places, lifts and reads holds. ``dynamodb`` is a boto3 client."""

    def __init__(self, dynamodb: DynamoDBClient, table: str) -> None:
        self._db = dynamodb
        self._table = table

    def place(
        self,
        person_id: str,
        kind: HoldKind,
        *,
        source: str,
        source_ref: str,
        reason: str,
        color: CodeColor | None = None,
        text: dict[str, Any] | None = None,
    ) -> Hold:
        """Place (or re-activate) a hold; placing the same kind from the same record again is a no-op.

        ``text`` is the reason as ``sanmenxia.texts.text(code, **params)``; ``reason`` the sentence kept for
        the audit trail and staff tools."""
        hold, write = self.place_request(person_id, kind, source=source, source_ref=source_ref, reason=reason, color=color, text=text)
        try:
            self._db.update_item(**write["Update"])
        except ClientError as exc:
            raise UpstreamUnavailable("could not record the hold") from exc
        return hold

    def place_request(
        self,
        person_id: str,
        kind: HoldKind,
        *,
        source: str,
        source_ref: str,
        reason: str,
        color: CodeColor | None = None,
        text: dict[str, Any] | None = None,
    ) -> tuple[Hold, dict[str, Any]]:
        """The hold ``place`` would write, as the ``Update`` of a ``TransactWriteItems`` call, so a platform
        can place a hold in the same transaction as the record that causes it."""
        hold = Hold(person_id, kind, source, source_ref, reason, color or DEFAULT_COLOR[kind], clock.iso(), text=text)
        values = {
            ":k": {"S": kind.value},
            ":s": {"S": source},
            ":r": {"S": source_ref},
            ":why": {"S": reason},
            ":c": {"S": hold.color.value},
            ":now": {"S": hold.since},
            ":a": {"S": "1"},
        }
        stored_text = texts.dumps(text)
        if stored_text:
            values[":t"] = {"S": stored_text}
        update = {
            "TableName": self._table,
            "Key": {"person_id": {"S": person_id}, "hold_key": {"S": hold.key}},
            "UpdateExpression": (
                "SET kind = :k, #src = :s, source_ref = :r, reason = :why, color = :c, since = if_not_exists(since, :now), active = :a"
                + (", reason_text = :t REMOVE lifted_at" if stored_text else " REMOVE lifted_at, reason_text")
            ),
            "ExpressionAttributeNames": {"#src": "source"},
            "ExpressionAttributeValues": values,
        }
        return hold, {"Update": update}

    def lift(self, person_id: str, kind: HoldKind, source_ref: str) -> bool:
        """Lift a hold; returns False when there was no active hold to lift."""
        try:
            dynamo.update(
                self._db,
                what="hold",
                TableName=self._table,
                Key={"person_id": {"S": person_id}, "hold_key": {"S": f"{kind.value}#{source_ref}"}},
                UpdateExpression="SET lifted_at = :now, expires_at = :ttl REMOVE active",
                ConditionExpression="attribute_exists(active)",
                ExpressionAttributeValues={":now": {"S": clock.iso()}, ":ttl": _lifted_ttl()},
            )
        except dynamo.ConditionFailed:
            return False
        return True

    def lift_request(self, person_id: str, hold_key: str) -> dict[str, Any]:
        """The lift ``lift`` would write, as the ``Update`` of a ``TransactWriteItems`` call (conditional on the hold
        being active), so a lift lands with the decision that causes it."""
        return {
            "Update": {
                "TableName": self._table,
                "Key": {"person_id": {"S": person_id}, "hold_key": {"S": hold_key}},
                "UpdateExpression": "SET lifted_at = :now, expires_at = :ttl REMOVE active",
                "ConditionExpression": "attribute_exists(active)",
                "ExpressionAttributeValues": {":now": {"S": clock.iso()}, ":ttl": _lifted_ttl()},
            }
        }

    def for_person(self, person_id: str, *, include_lifted: bool = False, consistent: bool = True) -> list[Hold]:
        """The person's holds, read strongly unless ``consistent`` is False: only a reader whose answer is checked
        again by a strong read before anyone relies on it (the phone's token and code screen: the gate reads the
        holds again) may read them eventually consistent (``docs/decisions/0006-gate-reads-at-the-rush.md``)."""
        try:
            items = self._db.query(
                TableName=self._table,
                KeyConditionExpression="person_id = :p",
                ExpressionAttributeValues={":p": {"S": person_id}},
                ConsistentRead=consistent,
            )["Items"]
        except ClientError as exc:
            raise UpstreamUnavailable("could not read holds") from exc
        holds = [
            Hold(
                person_id=person_id,
                kind=HoldKind(item["kind"]["S"]),
                source=item["source"]["S"],
                source_ref=item["source_ref"]["S"],
                reason=item["reason"]["S"],
                color=CodeColor(item["color"]["S"]),
                since=item["since"]["S"],
                lifted_at=item.get("lifted_at", {}).get("S"),
                text=texts.loads(item.get("reason_text", {}).get("S")),
            )
            for item in items
        ]
        return holds if include_lifted else [hold for hold in holds if hold.active]
