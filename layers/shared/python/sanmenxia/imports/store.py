"""Data access for bulk comparison (``ImportsTable``).

``ImportsTable`` (``pk``, ``sk``):

* ``job#<id>``, ``job``: a comparison job (progress, summary; no personal data); ``job_kind`` feeds
  ``jobs-index`` (newest first);
* ``job#<id>``, ``hit#<person id>``: a resident found on the list (lines, how matched);
* ``lk#<idn|phone>#<hmac>``, ``lk``: the look-up index kept from the people registry's stream:
  ``persons`` = {``<person id>|<community id>``}.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia import clock, dynamo, paging, retention
from sanmenxia.errors import UpstreamUnavailable
from sanmenxia.items import DOCUMENT_KEYS, document_item, document_of

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

#: A job's and a hit's stored attributes that are not the document: its keys and its TTL.
_STORED = (*DOCUMENT_KEYS, "expires_at")


def _personal_ttl() -> dict[str, str]:
    """A comparison job and its hits are kept ``PERSONAL_RECORD_DAYS`` (the look-up index lives on)."""
    return {"N": str(clock.epoch_after_days(retention.settings().personal_record_days))}


def _s(value: str) -> dict[str, str]:
    return {"S": value}


@dataclass(frozen=True)
class Resident:
    person_id: str
    community_id: str


def new_job_id() -> str:
    return "cmp" + clock.now().strftime("%Y%m%d%H%M%S") + secrets.token_hex(3)


class ComparisonStore:
    """Jobs, hits and the HMAC look-up index in ``ImportsTable``. ``dynamodb`` is a boto3 client."""

    def __init__(self, dynamodb: DynamoDBClient, table: str) -> None:
        self._db = dynamodb
        self._table = table

    # -- the look-up index ----------------------------------------------------------------------------------
    def index_changes(self, person_id: str, old: dict[str, str], new: dict[str, str], old_community: str | None, new_community: str | None) -> int:
        """Keep ``lk#`` entries in line with a person's keys (``{"idn": hmac, "phone": hmac}``); returns writes made."""
        writes = 0
        for kind, key in old.items():
            if old_community and (new.get(kind) != key or new_community != old_community):
                self._update(f"lk#{kind}#{key}", "DELETE persons :m", f"{person_id}|{old_community}")
                writes += 1
        for kind, key in new.items():
            if new_community and (old.get(kind) != key or new_community != old_community):
                self._update(f"lk#{kind}#{key}", "ADD persons :m", f"{person_id}|{new_community}")
                writes += 1
        return writes

    def _update(self, pk: str, expression: str, member: str) -> None:
        try:
            self._db.update_item(
                TableName=self._table,
                Key={"pk": _s(pk), "sk": _s("lk")},
                UpdateExpression=expression,
                ExpressionAttributeValues={":m": {"SS": [member]}},
            )
        except ClientError as exc:
            raise UpstreamUnavailable("could not update the look-up index") from exc

    def look_up(self, keys: Iterable[str]) -> dict[str, list[Resident]]:
        """Residents for each look-up key (``idn#<hmac>`` / ``phone#<hmac>``): one BatchGetItem per 100 keys."""
        wanted = sorted(set(keys))
        found: dict[str, list[Resident]] = {}
        lookups = [{"pk": _s(f"lk#{key}"), "sk": _s("lk")} for key in wanted]
        for item in dynamo.batch_get(self._db, self._table, lookups, what="look-up index", projection="pk, persons"):
            members = item.get("persons", {}).get("SS", [])
            if members:
                found[item["pk"]["S"].removeprefix("lk#")] = [Resident(*member.split("|", 1)) for member in sorted(members)]
        return found

    # -- jobs -----------------------------------------------------------------------------------------------
    def put_job(self, job_id: str, job: dict[str, Any], *, new: bool = False) -> None:
        item = {"pk": _s(f"job#{job_id}"), "sk": _s("job"), "job_kind": _s("comparison"), **document_item(job), "expires_at": _personal_ttl()}
        condition = {"ConditionExpression": "attribute_not_exists(pk)"} if new else {}
        try:
            dynamo.put(self._db, what="comparison job", TableName=self._table, Item=item, **condition)
        except dynamo.ConditionFailed as exc:
            raise UpstreamUnavailable("job id collision; try again") from exc

    def job(self, job_id: str) -> dict[str, Any] | None:
        try:
            item = self._db.get_item(TableName=self._table, Key={"pk": _s(f"job#{job_id}"), "sk": _s("job")}, ConsistentRead=True).get("Item")
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the job") from exc
        if not item:
            return None
        job = document_of(item, _STORED)
        job.pop("job_kind", None)
        return job

    def jobs(self, limit: int, start: dict[str, Any] | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """A page of comparison jobs, newest first, and the key to continue after."""
        query = {
            "TableName": self._table,
            "IndexName": "jobs-index",
            "KeyConditionExpression": "job_kind = :k",
            "ExpressionAttributeValues": {":k": _s("comparison")},
            "ScanIndexForward": False,
        }
        raw = paging.query_page(self._db, query, limit=limit, start=start, key_attributes=("pk", "sk", "job_kind", "created_at"), what="comparison jobs")
        return [{key: value for key, value in document_of(item).items() if key != "job_kind"} for item in raw.items], raw.last_key

    def progress(self, job_id: str, *, processed: int, hits: int) -> None:
        try:
            self._db.update_item(
                TableName=self._table,
                Key={"pk": _s(f"job#{job_id}"), "sk": _s("job")},
                UpdateExpression="SET rows_processed = :r, hits = :h, updated_at = :at",
                ExpressionAttributeValues={":r": {"N": str(processed)}, ":h": {"N": str(hits)}, ":at": _s(clock.iso())},
            )
        except ClientError as exc:
            raise UpstreamUnavailable("could not record progress") from exc

    def put_hits(self, job_id: str, hits: dict[str, dict[str, Any]]) -> None:
        """Record hits (idempotent per job and person), 25 per ``BatchWriteItem``."""
        ttl = _personal_ttl()
        requests = [
            {"PutRequest": {"Item": {"pk": _s(f"job#{job_id}"), "sk": _s(f"hit#{pid}"), **document_item(hit), "expires_at": ttl}}} for pid, hit in hits.items()
        ]
        dynamo.batch_write(self._db, self._table, requests, what="hits")

    def hits(self, job_id: str) -> list[dict[str, Any]]:
        items = dynamo.query_all(
            self._db,
            what="hits",
            TableName=self._table,
            KeyConditionExpression="pk = :p AND begins_with(sk, :h)",
            ExpressionAttributeValues={":p": _s(f"job#{job_id}"), ":h": _s("hit#")},
        )
        return [{"person_id": item["sk"]["S"].removeprefix("hit#"), **document_of(item, _STORED)} for item in items]
