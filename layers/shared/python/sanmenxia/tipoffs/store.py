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

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia import dynamo, paging, retention
from sanmenxia.errors import NotFound, UpstreamUnavailable
from sanmenxia.hotline.store import deserialize, serialize
from sanmenxia.tipoffs.rules import Tipoff, TipoffKey, tracking_hashes

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def tipoff_item(tipoff: Tipoff) -> dict[str, Any]:
    return serialize(
        {
            "pk": f"tipoff#{tipoff.tipoff_id}",
            "tipoff_id": tipoff.tipoff_id,
            "category": tipoff.category,
            "county_code": tipoff.county_code,
            "community_id": tipoff.community_id,
            "enc_address": tipoff.sealed_address,
            "enc_description": tipoff.sealed_description,
            "photos": list(tipoff.photos) or None,
            "anonymous": tipoff.anonymous,
            "reporter_sub": None if tipoff.anonymous else tipoff.reporter_sub,
            "created_at": tipoff.created_at,
            "dup_key": f"{tipoff.category}#{tipoff.community_id}",
            "order_id": tipoff.order_id,
            "department": tipoff.department,
            "duplicate_of": tipoff.duplicate_of,
            "track_hash": tipoff.track_hash,
            "report_id": tipoff.report_id,
            "enc_location": tipoff.sealed_location,
            "expires_at": retention.expires_after(tipoff.created_at, retention.settings().record_retention_days),
        }
    )


def tipoff_from_item(item: dict[str, Any]) -> Tipoff:
    data = deserialize(item)
    return Tipoff(
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
        report_id=data.get("report_id"),
        sealed_location=data.get("enc_location"),
    )


class TipoffStore:
    """Data access for tip-offs. ``dynamodb`` is a boto3 client."""

    def __init__(self, dynamodb: DynamoDBClient, table: str) -> None:
        self._db = dynamodb
        self._table = table

    def put(self, tipoff: Tipoff, extra: Sequence[dict[str, Any]] = ()) -> None:
        """Write the tip-off and its tracking pointer, and ``extra`` writes (its public report), in one transaction."""
        writes = [
            {"Put": {"TableName": self._table, "Item": tipoff_item(tipoff), "ConditionExpression": "attribute_not_exists(pk)"}},
            {
                "Put": {
                    "TableName": self._table,
                    "Item": {"pk": {"S": f"track#{tipoff.track_hash}"}, "tipoff_id": {"S": tipoff.tipoff_id}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            *extra,
        ]
        dynamo.transact(self._db, writes, what="tip-off")

    def withdraw(self, tipoff: Tipoff) -> None:
        """Undo ``put`` when the tip-off could not be handed to the hotline (nothing half written)."""
        deletes = [
            {"Delete": {"TableName": self._table, "Key": {"pk": {"S": f"tipoff#{tipoff.tipoff_id}"}}}},
            {"Delete": {"TableName": self._table, "Key": {"pk": {"S": f"track#{tipoff.track_hash}"}}}},
        ]
        if tipoff.report_id:
            deletes.append({"Delete": {"TableName": self._table, "Key": {"pk": {"S": f"report#{tipoff.report_id}"}}}})
        dynamo.transact(self._db, deletes, what="tip-off")

    def find(self, tipoff_id: str) -> Tipoff | None:
        try:
            item = self._db.get_item(TableName=self._table, Key={"pk": {"S": f"tipoff#{tipoff_id}"}}).get("Item")
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the tip-off") from exc
        return tipoff_from_item(item) if item else None

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
        return [tipoff_from_item(item) for item in raw.items], raw.last_key
