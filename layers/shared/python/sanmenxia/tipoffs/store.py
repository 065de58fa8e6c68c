"""Tip-offs (我要上报疫情) in DynamoDB.

``TipoffsTable`` (partition ``pk``):

* ``tipoff#<id>``: category, county, community, the address and description sealed, photo keys,
  ``dup_key`` (category#community) and ``created_at`` for the duplicate index, ``reporter_sub`` only when
  the reporter did not ask for anonymity, a SHA-256 of the tracking code;
* ``track#<sha256 of the tracking code>``: points to the tip-off, so an anonymous reporter follows it with
  the code alone. Both are written in one transaction.

Indexes: ``dup-index`` (dup_key, created_at) for likely duplicates; ``reporter-index`` (reporter_sub,
created_at), sparse: anonymous tip-offs are not in it, because they hold no identity at all.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia import dynamo, paging
from sanmenxia.errors import NotFound, UpstreamUnavailable
from sanmenxia.hotline.store import deserialize, serialize
from sanmenxia.tipoffs.rules import TipoffKey

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

#: Crockford's base32: no I, L, O, U, so a code read aloud or copied by hand survives.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_GROUPS, _GROUP = 5, 4  # 20 characters: 100 bits


def normalise_tracking_code(code: str) -> str:
    """A tracking code as the reporter may type it (any case, spaces or dashes, O for 0) in its one form."""
    return "".join(code.split()).replace("-", "").upper().translate(_READ_AS)


def tracking_hash(code: str) -> str:
    """The stored hash of a (new-style) tracking code, whatever case or grouping it is typed in."""
    return hashlib.sha256(normalise_tracking_code(code).encode()).hexdigest()


def tracking_hashes(code: str) -> list[str]:
    """Hashes to look a typed code up by: the new form first, then the code exactly as typed, which is how
    codes issued before the new form (case-sensitive ``token_urlsafe``, sometimes starting with a dash) were
    stored."""
    found = [tracking_hash(code)]
    legacy = hashlib.sha256(code.strip().encode()).hexdigest()
    return found if legacy in found else [*found, legacy]


def new_tracking_code() -> str:
    """A code the reporter keeps to follow the tip-off (shown once, stored only as a hash): 20 characters of
    Crockford base32 in groups of four (``7KQM-2X9D-…``), never starting with a dash, read case-insensitively."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(_GROUPS * _GROUP))
    return "-".join(raw[i : i + _GROUP] for i in range(0, len(raw), _GROUP))


@dataclass(frozen=True)
class Tipoff:
    tipoff_id: str
    category: str
    county_code: str
    community_id: str
    sealed_address: str
    sealed_description: str
    photos: tuple[str, ...]
    anonymous: bool
    reporter_sub: str | None
    created_at: str
    order_id: str
    department: str | None
    duplicate_of: str | None
    track_hash: str

    @property
    def key(self) -> TipoffKey:
        return TipoffKey(self.tipoff_id, self.category, self.community_id, self.created_at)

    def item(self) -> dict[str, Any]:
        return serialize(
            {
                "pk": f"tipoff#{self.tipoff_id}",
                "tipoff_id": self.tipoff_id,
                "category": self.category,
                "county_code": self.county_code,
                "community_id": self.community_id,
                "enc_address": self.sealed_address,
                "enc_description": self.sealed_description,
                "photos": list(self.photos) or None,
                "anonymous": self.anonymous,
                "reporter_sub": None if self.anonymous else self.reporter_sub,
                "created_at": self.created_at,
                "dup_key": f"{self.category}#{self.community_id}",
                "order_id": self.order_id,
                "department": self.department,
                "duplicate_of": self.duplicate_of,
                "track_hash": self.track_hash,
            }
        )

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Tipoff:
        data = deserialize(item)
        return cls(
            tipoff_id=data["tipoff_id"],
            category=data["category"],
            county_code=data["county_code"],
            community_id=data["community_id"],
            sealed_address=data["enc_address"],
            sealed_description=data["enc_description"],
            photos=tuple(data.get("photos") or ()),
            anonymous=bool(data.get("anonymous")),
            reporter_sub=data.get("reporter_sub"),
            created_at=data["created_at"],
            order_id=data["order_id"],
            department=data.get("department"),
            duplicate_of=data.get("duplicate_of"),
            track_hash=data["track_hash"],
        )


class TipoffStore:
    """Data access for tip-offs. ``dynamodb`` is a boto3 client."""

    def __init__(self, dynamodb: DynamoDBClient, table: str) -> None:
        self._db = dynamodb
        self._table = table

    def put(self, tipoff: Tipoff) -> None:
        writes = [
            {"Put": {"TableName": self._table, "Item": tipoff.item(), "ConditionExpression": "attribute_not_exists(pk)"}},
            {
                "Put": {
                    "TableName": self._table,
                    "Item": {"pk": {"S": f"track#{tipoff.track_hash}"}, "tipoff_id": {"S": tipoff.tipoff_id}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ]
        dynamo.transact(self._db, writes, what="tip-off")

    def withdraw(self, tipoff: Tipoff) -> None:
        """Undo ``put`` when the tip-off could not be handed to the hotline (nothing half written)."""
        deletes = [
            {"Delete": {"TableName": self._table, "Key": {"pk": {"S": f"tipoff#{tipoff.tipoff_id}"}}}},
            {"Delete": {"TableName": self._table, "Key": {"pk": {"S": f"track#{tipoff.track_hash}"}}}},
        ]
        dynamo.transact(self._db, deletes, what="tip-off")

    def find(self, tipoff_id: str) -> Tipoff | None:
        try:
            item = self._db.get_item(TableName=self._table, Key={"pk": {"S": f"tipoff#{tipoff_id}"}}).get("Item")
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the tip-off") from exc
        return Tipoff.from_item(item) if item else None

    def get(self, tipoff_id: str) -> Tipoff:
        found = self.find(tipoff_id)
        if found is None:
            raise NotFound("no such tip-off")
        return found

    def by_tracking_code(self, code: str) -> Tipoff:
        for digest in tracking_hashes(code):
            try:
                pointer = self._db.get_item(TableName=self._table, Key={"pk": {"S": f"track#{digest}"}}).get("Item")
            except ClientError as exc:
                raise UpstreamUnavailable("could not read the tip-off") from exc
            if pointer:
                return self.get(pointer["tipoff_id"]["S"])
        raise NotFound("no tip-off has this tracking code", field="code")

    def recent(self, category: str, community_id: str, since: str, limit: int = 50) -> list[TipoffKey]:
        """Tip-offs of this category in this community made at or after ``since``, newest first."""
        try:
            items = self._db.query(
                TableName=self._table,
                IndexName="dup-index",
                KeyConditionExpression="dup_key = :d AND created_at >= :since",
                ExpressionAttributeValues={":d": {"S": f"{category}#{community_id}"}, ":since": {"S": since}},
                ScanIndexForward=False,
                Limit=limit,
            )["Items"]
        except ClientError as exc:
            raise UpstreamUnavailable("could not look for similar tip-offs") from exc
        return [TipoffKey(item["tipoff_id"]["S"], category, community_id, item["created_at"]["S"]) for item in items]

    def of_reporter(self, reporter_sub: str, limit: int, start: dict[str, Any] | None) -> tuple[list[Tipoff], dict[str, Any] | None]:
        """A page of the reporter's own tip-offs, newest first, and the key to continue after."""
        query = {
            "TableName": self._table,
            "IndexName": "reporter-index",
            "KeyConditionExpression": "reporter_sub = :r",
            "ExpressionAttributeValues": {":r": {"S": reporter_sub}},
            "ScanIndexForward": False,
        }
        raw = paging.query_page(self._db, query, limit=limit, start=start, key_attributes=("pk", "reporter_sub", "created_at"), what="your tip-offs")
        return [Tipoff.from_item(item) for item in raw.items], raw.last_key
