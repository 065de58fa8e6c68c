"""Tip-offs on the public map (FixMyStreet-style), "me too" (我也遇到) and the per-person rate limit.

What the public sees is decided here, once: a *report* item (``report#<report_id>`` in ``TipoffsTable``) written in
the tip-off's own transaction, holding only the category, county, community, the day it was made, the pin rounded
to ``ROUND_DIGITS`` decimals (about 1 km) and the "me too" count. Never the reporter, the address, the description
(free text can carry names and phone numbers, and redaction is not certain, so no free text is published at all),
the photos, the anonymity flag or the exact time. The report has its own random id, so the public map does not
reveal the tip-off's id (with which its reporter and staff open it). The exact pin is sealed on the tip-off for staff.

"Me too" is counted once per person (a marker ``metoo#<report_id>#<sha256 of the account>`` written with the count
in one transaction). The rate limit counts tip-offs per person per clock hour (``rate#<sha256>#<hour>``, expiring);
a refused tip-off is 429 with ``Retry-After`` (seconds to the next hour) and the limit named. The slot is taken
before the tip-off is saved: a tip-off that then fails still used it (the limit is against floods, not exact).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia import dynamo, paging
from sanmenxia import items as dynamo_items
from sanmenxia.clock import SHANGHAI
from sanmenxia.errors import InvalidInput, NotFound, TooManyRequests, UpstreamUnavailable
from sanmenxia.tipoffs.rules import Tipoff

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

#: The six county-level divisions' bounding box (from the web app's map shapes, web/src/generated): a pin outside
#: it is refused. A pin inside the box but outside the city's outline is accepted (the box is the check).
CITY_BOUNDS = {"min_lat": 33.54, "max_lat": 35.09, "min_lon": 110.36, "max_lon": 112.04}
ROUND_DIGITS = 2
MAP_KEY = "city"


def check_pin(latitude: float, longitude: float) -> None:
    """A clear 400 naming the field when the pin is outside Sanmenxia."""
    if not CITY_BOUNDS["min_lat"] <= latitude <= CITY_BOUNDS["max_lat"]:
        raise InvalidInput(f"the pin must be in Sanmenxia (latitude {CITY_BOUNDS['min_lat']}–{CITY_BOUNDS['max_lat']})", field="location.latitude")
    if not CITY_BOUNDS["min_lon"] <= longitude <= CITY_BOUNDS["max_lon"]:
        raise InvalidInput(f"the pin must be in Sanmenxia (longitude {CITY_BOUNDS['min_lon']}–{CITY_BOUNDS['max_lon']})", field="location.longitude")


def rounded(value: float) -> float:
    return round(value, ROUND_DIGITS)


def person_key(sub: str) -> str:
    """What the counters keep of a person: a digest of the account id, never the account id itself."""
    return hashlib.sha256(f"tipoff-person:{sub}".encode()).hexdigest()[:32]


def new_report_id() -> str:
    return "R" + secrets.token_hex(8)


def retry_after(at: datetime) -> int:
    """Seconds to the start of the next clock hour (when a new window opens)."""
    next_hour = at.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return max(1, int((next_hour - at).total_seconds()))


@dataclass(frozen=True)
class PublicReport:
    report_id: str
    tipoff_id: str
    order_id: str
    category: str
    county_code: str
    community_id: str
    day: str  # YYYY-MM-DD (Asia/Shanghai)
    created_at: str  # the index's order only; not shown
    latitude: float | None = None
    longitude: float | None = None
    me_too: int = 0

    def item(self) -> dict[str, Any]:
        return dynamo_items.to_item(
            {
                "pk": f"report#{self.report_id}",
                "map_key": MAP_KEY,
                "report_id": self.report_id,
                "tipoff_id": self.tipoff_id,
                "order_id": self.order_id,
                "category": self.category,
                "county_code": self.county_code,
                "community_id": self.community_id,
                "day": self.day,
                "created_at": self.created_at,
                "lat": self.latitude,
                "lon": self.longitude,
                "me_too": self.me_too,
            }
        )

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> PublicReport:
        data = dynamo_items.from_item(item)
        return cls(
            report_id=data["report_id"],
            tipoff_id=data["tipoff_id"],
            order_id=data["order_id"],
            category=data["category"],
            county_code=data["county_code"],
            community_id=data["community_id"],
            day=data["day"],
            created_at=data["created_at"],
            latitude=data.get("lat"),
            longitude=data.get("lon"),
            me_too=int(data.get("me_too") or 0),
        )


def public_report(tipoff: Tipoff, location: tuple[float, float] | None) -> PublicReport:
    """The public map's entry of a new tip-off: what anyone may see of it."""
    return PublicReport(
        report_id=str(tipoff.report_id),
        tipoff_id=tipoff.tipoff_id,
        order_id=tipoff.order_id,
        category=tipoff.category,
        county_code=tipoff.county_code,
        community_id=tipoff.community_id,
        day=datetime.fromisoformat(tipoff.created_at.replace("Z", "+00:00")).astimezone(SHANGHAI).date().isoformat(),
        created_at=tipoff.created_at,
        latitude=rounded(location[0]) if location else None,
        longitude=rounded(location[1]) if location else None,
    )


def pin_of(value: str) -> dict[str, float]:
    """A sealed pin (``"lat,lon"``) opened for staff."""
    latitude, longitude = value.split(",", 1)
    return {"latitude": float(latitude), "longitude": float(longitude)}


class ReportStore:
    """Public reports, "me too" markers and rate counters in ``TipoffsTable``. ``dynamodb`` is a boto3 client."""

    def __init__(self, dynamodb: DynamoDBClient, table: str) -> None:
        self._db = dynamodb
        self._table = table

    def put_request(self, report: PublicReport) -> dict[str, Any]:
        """The ``Put`` of the report, for the tip-off's own transaction."""
        return {"Put": {"TableName": self._table, "Item": report.item(), "ConditionExpression": "attribute_not_exists(pk)"}}

    def delete_request(self, report_id: str) -> dict[str, Any]:
        return {"Delete": {"TableName": self._table, "Key": {"pk": {"S": f"report#{report_id}"}}}}

    def get(self, report_id: str) -> PublicReport:
        try:
            item = self._db.get_item(TableName=self._table, Key={"pk": {"S": f"report#{report_id}"}}).get("Item")
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the report") from exc
        if not item:
            raise NotFound("no such report", field="report_id")
        return PublicReport.from_item(item)

    def page(
        self, *, county_code: str | None, category: str | None, community_id: str | None, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[PublicReport], dict[str, Any] | None]:
        """Reports newest first, filtered by county, community and category."""
        params: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "map-index",
            "KeyConditionExpression": "map_key = :m",
            "ExpressionAttributeValues": {":m": {"S": MAP_KEY}},
            "ScanIndexForward": False,
        }
        clauses = []
        for name, value in (("county_code", county_code), ("category", category), ("community_id", community_id)):
            if value:
                params["ExpressionAttributeValues"][f":{name}"] = {"S": value}
                clauses.append(f"{name} = :{name}")
        if clauses:
            params["FilterExpression"] = " AND ".join(clauses)
        raw = paging.query_page(self._db, params, limit=limit, start=start, key_attributes=("pk", "map_key", "created_at"), what="reports")
        return [PublicReport.from_item(item) for item in raw.items], raw.last_key

    def me_too(self, report_id: str, person: str, at: str, expires_at: int) -> tuple[int, bool]:
        """Count ``person`` once on the report; returns (the count, whether this call counted)."""
        report = self.get(report_id)
        marker = {
            "Put": {
                "TableName": self._table,
                "Item": {"pk": {"S": f"metoo#{report_id}#{person}"}, "at": {"S": at}, "expires_at": {"N": str(expires_at)}},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        count = {
            "Update": {
                "TableName": self._table,
                "Key": {"pk": {"S": f"report#{report_id}"}},
                "UpdateExpression": "ADD me_too :one",
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        }
        try:
            dynamo.transact(self._db, [marker, count], what="me too")
        except dynamo.ConditionFailed as failed:
            if failed.index == 0:
                return report.me_too, False
            raise NotFound("no such report", field="report_id") from failed
        return report.me_too + 1, True

    def take_slot(self, person: str, hour: str, limit: int, expires_at: int, retry_seconds: int) -> None:
        """Count one tip-off of ``person`` in the clock hour ``hour``; 429 when ``limit`` are counted already."""
        try:
            self._db.update_item(
                TableName=self._table,
                Key={"pk": {"S": f"rate#{person}#{hour}"}},
                UpdateExpression="ADD n :one SET expires_at = :exp",
                ConditionExpression="attribute_not_exists(n) OR n < :limit",
                ExpressionAttributeValues={":one": {"N": "1"}, ":limit": {"N": str(limit)}, ":exp": {"N": str(expires_at)}},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise TooManyRequests(
                    f"at most {limit} tip-offs per person per hour; try again in {retry_seconds} s, or add 'me too' to an existing report",
                    retry_after=retry_seconds,
                ) from exc
            raise UpstreamUnavailable("could not check the tip-off limit") from exc
