"""Data access of exposure runs (DynamoDB): the scans they read and what they found.

Reads ``ScansTable`` through its ``checkpoint-day-index`` (``cp_day``, ``scanned_at``) with the window's
instants in the key condition (never a scan of the table, never a filter over a whole day), and a case's own
scans through ``person-index``.

``ExposuresTable`` (``pk``, ``sk``; TTL ``expires_at``, a personal record):
  * ``case#<person_id>`` / ``person#<person_id>``  one person found near a case: the first run that found
    them, the checkpoint, the scan instant, close contact or same place; written only if new, so a re-run
    adds nobody twice
  * ``run#<run_id>`` / ``meta``                  a run: who ran it, the windows, the counts
  * ``runs#<county_code>`` / ``<at>#<run_id>``     the run's line in each county's list (newest last)

No clear personal data: people by their opaque ``person_id``, names masked as the scans hold them.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia import clock, dynamo, paging
from sanmenxia.checkpoints.exposure import Exposure, ExposureKind, IndexRead, SeenScan
from sanmenxia.errors import NotFound, UpstreamUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_PROJECTION = "scan_key, checkpoint_id, checkpoint_name, person_id, scanned_at, home_community_id, community_id, masked_name"


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _opt(item: Mapping[str, Any], name: str) -> str | None:
    value = item.get(name)
    return value["S"] if value else None


def new_run_id() -> str:
    return f"ex{clock.today().strftime('%Y%m%d')}{secrets.token_hex(6)}"


def _seen(item: Mapping[str, Any]) -> SeenScan:
    return SeenScan(
        scan_key=item["scan_key"]["S"],
        checkpoint_id=item["checkpoint_id"]["S"],
        checkpoint_name=item["checkpoint_name"]["S"],
        person_id=_opt(item, "person_id"),
        scanned_at=item["scanned_at"]["S"],
        home_community_id=_opt(item, "home_community_id"),
        community_id=item["community_id"]["S"],
        masked_name=_opt(item, "masked_name"),
    )


@dataclass(frozen=True)
class Found:
    """A person found near a case, as stored (``run_id``: the run that found them first)."""

    exposure: Exposure
    run_id: str
    found_at: str

    def to_json(self) -> dict[str, Any]:
        e = self.exposure
        return {
            "person_id": e.person_id,
            "kind": e.kind.value,
            "category": e.kind.category.value,
            "checkpoint_id": e.checkpoint_id,
            "checkpoint_name": e.checkpoint_name,
            "scanned_at": e.scanned_at,
            "community_id": e.community_id,
            "name": e.masked_name,
            "run_id": self.run_id,
            "found_at": self.found_at,
        }


class ExposureStore:
    def __init__(self, dynamodb: DynamoDBClient, scans_table: str, exposures_table: str, retention_days: int = 60) -> None:
        self._db = dynamodb
        self._scans = scans_table
        self._table = exposures_table
        self._retention = retention_days

    # -- scans ------------------------------------------------------------------------------------------------
    def scans_in(self, read: IndexRead) -> list[SeenScan]:
        """The scans of one checkpoint's day between two instants: one query (paged when large)."""
        request: dict[str, Any] = {
            "TableName": self._scans,
            "IndexName": "checkpoint-day-index",
            "KeyConditionExpression": "cp_day = :p AND scanned_at BETWEEN :a AND :b",
            "ExpressionAttributeValues": {":p": _s(read.partition), ":a": _s(read.first), ":b": _s(read.last)},
            "ProjectionExpression": _PROJECTION,
        }
        return [_seen(item) for item in self._all(request, "checkpoint's scans")]

    def case_scans(self, person_id: str, since: str) -> list[SeenScan]:
        """A case's own scans from ``since`` (ISO instant) on, oldest first."""
        request: dict[str, Any] = {
            "TableName": self._scans,
            "IndexName": "person-index",
            "KeyConditionExpression": "person_id = :p AND scanned_at >= :s",
            "ExpressionAttributeValues": {":p": _s(person_id), ":s": _s(since)},
            "ProjectionExpression": _PROJECTION,
        }
        return [_seen(item) for item in self._all(request, "case's scans")]

    def _all(self, request: dict[str, Any], what: str) -> list[dict[str, Any]]:
        return dynamo.query_all(self._db, what=what, **request)

    # -- findings ---------------------------------------------------------------------------------------------
    def claim(self, case_person_id: str, exposure: Exposure, run_id: str) -> bool:
        """Record a person found near a case; ``False`` when an earlier run already found them."""
        item = {
            "pk": _s(f"case#{case_person_id}"),
            "sk": _s(f"person#{exposure.person_id}"),
            "person_id": _s(exposure.person_id),
            "kind": _s(exposure.kind.value),
            "checkpoint_id": _s(exposure.checkpoint_id),
            "checkpoint_name": _s(exposure.checkpoint_name),
            "scanned_at": _s(exposure.scanned_at),
            "scan_key": _s(exposure.scan_key),
            "community_id": _s(exposure.community_id),
            "run_id": _s(run_id),
            "found_at": _s(clock.iso()),
            "expires_at": {"N": str(clock.epoch_after_days(self._retention))},
        }
        if exposure.masked_name:
            item["masked_name"] = _s(exposure.masked_name)
        try:
            dynamo.put(self._db, what="exposure", TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(pk)")
        except dynamo.ConditionFailed:
            return False
        return True

    def found_near(self, case_person_id: str) -> list[Found]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :p AND begins_with(sk, :s)",
            "ExpressionAttributeValues": {":p": _s(f"case#{case_person_id}"), ":s": _s("person#")},
        }
        found = []
        for item in self._all(request, "persons found"):
            exposure = Exposure(
                person_id=item["person_id"]["S"],
                kind=ExposureKind(item["kind"]["S"]),
                checkpoint_id=item["checkpoint_id"]["S"],
                checkpoint_name=item["checkpoint_name"]["S"],
                scanned_at=item["scanned_at"]["S"],
                scan_key=item["scan_key"]["S"],
                community_id=item["community_id"]["S"],
                masked_name=_opt(item, "masked_name"),
            )
            found.append(Found(exposure, item["run_id"]["S"], item["found_at"]["S"]))
        return sorted(found, key=lambda f: (f.exposure.scanned_at, f.exposure.person_id))

    # -- runs -------------------------------------------------------------------------------------------------
    def save_run(self, run: Mapping[str, Any], counties: list[str]) -> None:
        """The run and its line in each county's list, at once."""
        body = _s(json.dumps(run, ensure_ascii=False, separators=(",", ":")))
        expires = {"N": str(clock.epoch_after_days(self._retention))}
        writes: list[dict[str, Any]] = [
            {"Put": {"TableName": self._table, "Item": {"pk": _s(f"run#{run['run_id']}"), "sk": _s("meta"), "run": body, "expires_at": expires}}}
        ]
        for county in counties:
            line = {"pk": _s(f"runs#{county}"), "sk": _s(f"{run['created_at']}#{run['run_id']}"), "run": body, "expires_at": expires}
            writes.append({"Put": {"TableName": self._table, "Item": line}})
        dynamo.transact(self._db, writes, what="exposure run")

    def run(self, run_id: str) -> dict[str, Any]:
        try:
            item = self._db.get_item(TableName=self._table, Key={"pk": _s(f"run#{run_id}"), "sk": _s("meta")}).get("Item")
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the exposure run") from exc
        if not item:
            raise NotFound("no such exposure run", field="run_id")
        found: dict[str, Any] = json.loads(item["run"]["S"])
        return found

    def runs(self, county_code: str, *, limit: int, start: dict[str, Any] | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """A county's runs, newest first."""
        query = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": _s(f"runs#{county_code}")},
            "ScanIndexForward": False,
        }
        page = paging.query_page(self._db, query, limit=limit, start=start, key_attributes=("pk", "sk"), what="the exposure runs")
        return [json.loads(item["run"]["S"]) for item in page.items], page.last_key
