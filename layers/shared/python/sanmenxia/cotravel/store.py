"""Data access for co-travel (``CoTravelTable``).

``CoTravelTable`` (``pk``, ``sk``):

* ``t#<date>#<number>``, ``c#<trip id>``: a case trip; a query by date and number reads one partition;
  ``trip_date`` feeds ``date-index`` (staff list a day's trips);
* ``s#<date>#<number>``, ``<saved id>``: a saved trip, in the partition new case trips of the same trip
  look into; ``owner`` (the account holder's person id) feeds ``owner-index``; expires after retention;
* ``imports``, ``<import id>``: the report of a CSV import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia import clock, dynamo, paging
from sanmenxia.cotravel.trips import CaseTrip, Position, TravelMode
from sanmenxia.errors import NotFound, UpstreamUnavailable
from sanmenxia.items import document_item, document_of

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def trip_partition(travel_date: date, number: str) -> str:
    return f"t#{travel_date.isoformat()}#{number}"


def saved_partition(travel_date: date, number: str) -> str:
    return f"s#{travel_date.isoformat()}#{number}"


def _position_attributes(position: Position) -> dict[str, Any]:
    item: dict[str, Any] = {}
    if position.carriage:
        item["carriage"] = _s(position.carriage)
    if position.row is not None:
        item["seat_row"] = {"N": str(position.row)}
    if position.seat:
        item["seat"] = _s(position.seat)
    return item


def _position(item: dict[str, Any]) -> Position:
    return Position(
        item.get("carriage", {}).get("S"),
        int(item["seat_row"]["N"]) if "seat_row" in item else None,
        item.get("seat", {}).get("S"),
    )


def trip_to_json(trip: CaseTrip) -> dict[str, Any]:
    return {
        "trip_id": trip.trip_id,
        "date": trip.travel_date.isoformat(),
        "mode": trip.mode.value,
        "number": trip.number,
        "carriage": trip.position.carriage,
        "row": trip.position.effective_row,
        "seat": trip.position.seat,
        "from": trip.origin,
        "to": trip.destination,
        "source_url": trip.source_url,
        "case_ref": trip.case_ref,
    }


@dataclass(frozen=True)
class SavedTrip:
    saved_id: str
    owner: str  # person id of the account holder (gets the notification)
    person_id: str  # who travelled (the owner or a household member)
    travel_date: date
    mode: TravelMode | None
    number: str
    position: Position
    created_at: str

    def to_json(self) -> dict[str, Any]:
        return {
            "saved_id": self.saved_id,
            "person_id": self.person_id,
            "date": self.travel_date.isoformat(),
            "mode": self.mode.value if self.mode else None,
            "number": self.number,
            "carriage": self.position.carriage,
            "row": self.position.row,
            "seat": self.position.seat,
            "created_at": self.created_at,
        }


class CoTravelStore:
    """``dynamodb`` is a boto3 client."""

    def __init__(self, dynamodb: DynamoDBClient, table: str, retention_days: int) -> None:
        self._db = dynamodb
        self._table = table
        self._retention = retention_days

    # -- case trips -----------------------------------------------------------------------------------------
    def _trip_item(self, trip: CaseTrip, *, loaded_by: str, import_id: str | None) -> dict[str, Any]:
        item: dict[str, Any] = {
            "pk": _s(trip_partition(trip.travel_date, trip.number)),
            "sk": _s(f"c#{trip.trip_id}"),
            "trip_id": _s(trip.trip_id),
            "trip_date": _s(trip.travel_date.isoformat()),
            "mode": _s(trip.mode.value),
            "number": _s(trip.number),
            "origin": _s(trip.origin),
            "destination": _s(trip.destination),
            "source_url": _s(trip.source_url),
            "loaded_by": _s(loaded_by),
            "loaded_at": _s(clock.iso()),
            **_position_attributes(trip.position),
        }
        if trip.case_ref:
            item["case_ref"] = _s(trip.case_ref)
        if import_id:
            item["import_id"] = _s(import_id)
        return item

    def put_trips(self, trips: list[CaseTrip], *, loaded_by: str, import_id: str | None = None, extra: list[dict[str, Any]] | None = None) -> None:
        """Write trips (idempotent: ids come from the trips' content), at most 99 per transaction.

        With ``extra`` (e.g. the audit record) and at most 99 trips the whole load is one transaction.
        """
        extra = extra or []
        puts = [{"Put": {"TableName": self._table, "Item": self._trip_item(trip, loaded_by=loaded_by, import_id=import_id)}} for trip in trips]
        chunk = 100 - len(extra)
        for start in range(0, len(puts), chunk):
            writes = puts[start : start + chunk] + (extra if start == 0 else [])
            dynamo.transact(self._db, writes, what="case trips")

    @staticmethod
    def _trip(item: dict[str, Any]) -> CaseTrip:
        return CaseTrip(
            trip_id=item["trip_id"]["S"],
            travel_date=date.fromisoformat(item["trip_date"]["S"]),
            mode=TravelMode(item["mode"]["S"]),
            number=item["number"]["S"],
            position=_position(item),
            origin=item["origin"]["S"],
            destination=item["destination"]["S"],
            source_url=item["source_url"]["S"],
            case_ref=item.get("case_ref", {}).get("S"),
        )

    def _query_all(self, request: dict[str, Any]) -> list[dict[str, Any]]:
        return dynamo.query_all(self._db, what="co-travel data", **request)

    def case_trips(self, travel_date: date, number: str) -> list[CaseTrip]:
        """Every case trip on ``number`` that day (one partition)."""
        items = self._query_all(
            {
                "TableName": self._table,
                "KeyConditionExpression": "pk = :p AND begins_with(sk, :c)",
                "ExpressionAttributeValues": {":p": _s(trip_partition(travel_date, number)), ":c": _s("c#")},
            }
        )
        return [self._trip(item) for item in items]

    def trips_on(self, travel_date: date) -> list[CaseTrip]:
        items = self._query_all(
            {
                "TableName": self._table,
                "IndexName": "date-index",
                "KeyConditionExpression": "trip_date = :d",
                "ExpressionAttributeValues": {":d": _s(travel_date.isoformat())},
            }
        )
        return [self._trip(item) for item in items]

    # -- saved trips ----------------------------------------------------------------------------------------
    def save(self, trip: SavedTrip) -> None:
        item: dict[str, Any] = {
            "pk": _s(saved_partition(trip.travel_date, trip.number)),
            "sk": _s(trip.saved_id),
            "saved_id": _s(trip.saved_id),
            "owner": _s(trip.owner),
            "person_id": _s(trip.person_id),
            "trip_date": _s(trip.travel_date.isoformat()),
            "number": _s(trip.number),
            "created_at": _s(trip.created_at),
            "expires_at": {"N": str(clock.epoch_after_days(self._retention))},
            **_position_attributes(trip.position),
        }
        # the saved trip must not feed date-index (case trips only): keep its date under another name
        item["saved_date"] = item.pop("trip_date")
        if trip.mode:
            item["mode"] = _s(trip.mode.value)
        try:
            self._db.put_item(TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as exc:
            raise UpstreamUnavailable("could not save the trip") from exc

    @staticmethod
    def _saved(item: dict[str, Any]) -> SavedTrip:
        return SavedTrip(
            saved_id=item["saved_id"]["S"],
            owner=item["owner"]["S"],
            person_id=item["person_id"]["S"],
            travel_date=date.fromisoformat(item["saved_date"]["S"]),
            mode=TravelMode(item["mode"]["S"]) if "mode" in item else None,
            number=item["number"]["S"],
            position=_position(item),
            created_at=item["created_at"]["S"],
        )

    def saved_on(self, travel_date: date, number: str) -> list[SavedTrip]:
        """Saved trips on ``number`` that day: what a new case trip must be checked against."""
        items = self._query_all(
            {"TableName": self._table, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": _s(saved_partition(travel_date, number))}}
        )
        return [self._saved(item) for item in items]

    def trips_page(self, travel_date: date, *, limit: int, start: dict[str, Any] | None) -> tuple[list[CaseTrip], dict[str, Any] | None]:
        """A page of the case trips of a day and the key to continue after."""
        query = {
            "TableName": self._table,
            "IndexName": "date-index",
            "KeyConditionExpression": "trip_date = :d",
            "ExpressionAttributeValues": {":d": _s(travel_date.isoformat())},
        }
        raw = paging.query_page(self._db, query, limit=limit, start=start, key_attributes=("pk", "sk", "trip_date"), what="co-travel data")
        return [self._trip(item) for item in raw.items], raw.last_key

    def saved_page(self, owner: str, *, limit: int, start: dict[str, Any] | None) -> tuple[list[SavedTrip], dict[str, Any] | None]:
        """A page of an owner's saved trips and the key to continue after."""
        query = {
            "TableName": self._table,
            "IndexName": "owner-index",
            "KeyConditionExpression": "#o = :o",
            "ExpressionAttributeNames": {"#o": "owner"},
            "ExpressionAttributeValues": {":o": _s(owner)},
        }
        raw = paging.query_page(self._db, query, limit=limit, start=start, key_attributes=("pk", "sk", "owner"), what="co-travel data")
        return [self._saved(item) for item in raw.items], raw.last_key

    def saved_by(self, owner: str) -> list[SavedTrip]:
        items = self._query_all(
            {
                "TableName": self._table,
                "IndexName": "owner-index",
                "KeyConditionExpression": "#o = :o",
                "ExpressionAttributeNames": {"#o": "owner"},
                "ExpressionAttributeValues": {":o": _s(owner)},
            }
        )
        return [self._saved(item) for item in items]

    def forget(self, owner: str, saved_id: str) -> None:
        """Delete the owner's saved trip; 404 when the owner has none with that id."""
        mine = [trip for trip in self.saved_by(owner) if trip.saved_id == saved_id]
        if not mine:
            raise NotFound("no such saved trip", field="saved_id")
        trip = mine[0]
        try:
            self._db.delete_item(
                TableName=self._table,
                Key={"pk": _s(saved_partition(trip.travel_date, trip.number)), "sk": _s(saved_id)},
                ConditionExpression="#o = :o",
                ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues={":o": _s(owner)},
            )
        except ClientError as exc:
            raise UpstreamUnavailable("could not delete the trip") from exc

    # -- import reports -------------------------------------------------------------------------------------
    def report(self, import_id: str) -> dict[str, Any] | None:
        try:
            item = self._db.get_item(TableName=self._table, Key={"pk": _s("imports"), "sk": _s(import_id)}, ConsistentRead=True).get("Item")
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the import") from exc
        return document_of(item) if item else None

    def put_report(self, import_id: str, report: dict[str, Any]) -> None:
        item = {"pk": _s("imports"), "sk": _s(import_id), **document_item(report)}
        try:
            self._db.put_item(TableName=self._table, Item=item)
        except ClientError as exc:
            raise UpstreamUnavailable("could not write the import report") from exc

    def reports(self, limit: int = 100) -> list[dict[str, Any]]:
        items = self._query_all({"TableName": self._table, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": _s("imports")}})
        found = [{"import_id": item["sk"]["S"], **document_of(item)} for item in items]
        return sorted(found, key=lambda report: str(report.get("received_at", "")), reverse=True)[:limit]


class ImportFiles:
    """The imports bucket's uploaded CSV files and the reports written beside them. ``s3`` is a boto3 client."""

    def __init__(self, s3: S3Client) -> None:
        self._s3 = s3

    def read(self, bucket: str, key: str) -> bytes:
        try:
            return self._s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the uploaded file") from exc

    def write_report(self, bucket: str, key: str, report: dict[str, Any]) -> None:
        try:
            self._s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(report, ensure_ascii=False).encode())
        except ClientError as exc:
            raise UpstreamUnavailable("could not write the import report") from exc
