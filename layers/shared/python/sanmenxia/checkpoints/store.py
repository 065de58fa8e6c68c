"""Data access of the checkpoint platform (DynamoDB). Only this module talks to AWS for checkpoints.

``CheckpointsTable`` (``pk``, ``sk``):
  * ``cp#<id>`` / ``meta``               the checkpoint; GSIs ``community-index`` and ``county-index``
  * ``cp#<id>`` / ``staff#<username>``   a staff assignment (who assigned whom, when)

``ScansTable`` (``scan_key`` = ``<checkpoint_id>#<scan_id>``): one item per scanned person, TTL ``expires_at``;
GSIs ``person-index`` (``person_id``, ``scanned_at``: a resident's history) and ``checkpoint-day-index``
(``cp_day``, ``scanned_at``: a checkpoint's list of the day).

``CheckpointStatsTable`` (``pk``, ``sk``): counters and unique-person markers, see ``checkpoints.stats``;
written only by ``ScanCounter`` from the scans table's stream.

A scan's write is its records (the person and dependents) and its audit record in one ``TransactWriteItems``:
each scan item is put only if its key is new, so a device that sends the same client scan id twice is stored,
and therefore counted, once. Nothing of the scan's write touches a shared item.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia import dynamo, paging
from sanmenxia.audit import AuditLog, AuditRecord
from sanmenxia.checkpoints import stats
from sanmenxia.checkpoints.records import Checkpoint, ScanRecord
from sanmenxia.errors import Conflict, NotFound, UpstreamUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def _s(value: str) -> dict[str, str]:
    return {"S": value}


class CheckpointRegistry:
    """Checkpoints and their staff assignments. ``dynamodb`` is a boto3 client."""

    def __init__(self, dynamodb: DynamoDBClient, table: str, audit: AuditLog) -> None:
        self._db = dynamodb
        self._table = table
        self._audit = audit

    def create(self, checkpoint: Checkpoint, audit: AuditRecord) -> Checkpoint:
        """Register a checkpoint with its audit record; an existing id is a conflict."""
        writes = [
            {"Put": {"TableName": self._table, "Item": checkpoint.item(), "ConditionExpression": "attribute_not_exists(pk)"}},
            self._audit.put_request(audit),
        ]
        dynamo.transact(self._db, writes, what="checkpoint", refusals={0: Conflict("a checkpoint with this id already exists", field="checkpoint_id")})
        return checkpoint

    def replace(self, before: Checkpoint, after: Checkpoint, audit: AuditRecord) -> Checkpoint:
        """Save an edited checkpoint if nobody changed it since ``before`` was read (409 otherwise)."""
        writes = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": after.item(),
                    "ConditionExpression": "updated_at = :seen",
                    "ExpressionAttributeValues": {":seen": _s(before.updated_at)},
                }
            },
            self._audit.put_request(audit),
        ]
        dynamo.transact(self._db, writes, what="checkpoint", refusals={0: Conflict("the checkpoint was changed meanwhile: reload and retry")})
        return after

    def find(self, checkpoint_id: str) -> Checkpoint | None:
        try:
            item = self._db.get_item(TableName=self._table, Key={"pk": _s(f"cp#{checkpoint_id}"), "sk": _s("meta")}).get("Item")
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the checkpoint") from exc
        return Checkpoint.from_item(item) if item else None

    def get(self, checkpoint_id: str) -> Checkpoint:
        checkpoint = self.find(checkpoint_id)
        if checkpoint is None:
            raise NotFound("no such checkpoint", field="checkpoint_id")
        return checkpoint

    def in_community(self, community_id: str) -> list[Checkpoint]:
        return self._by_index("community-index", "community_id", community_id)

    def in_county(self, county_code: str) -> list[Checkpoint]:
        return self._by_index("county-index", "county_code", county_code)

    def _by_index(self, index: str, attribute: str, value: str) -> list[Checkpoint]:
        items = dynamo.query_all(
            self._db,
            what="checkpoints",
            TableName=self._table,
            IndexName=index,
            KeyConditionExpression="#a = :v",
            ExpressionAttributeNames={"#a": attribute},
            ExpressionAttributeValues={":v": _s(value)},
        )
        return [Checkpoint.from_item(item) for item in items]

    def assign_staff(self, checkpoint_id: str, username: str, assigned_by: str, at: str) -> dict[str, str]:
        """Record that ``username`` works at the checkpoint (the account itself lives in Cognito)."""
        item = {
            "pk": _s(f"cp#{checkpoint_id}"),
            "sk": _s(f"staff#{username.lower()}"),
            "username": _s(username),
            "assigned_by": _s(assigned_by),
            "assigned_at": _s(at),
        }
        try:
            dynamo.put(self._db, what="staff assignment", TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(pk)")
        except dynamo.ConditionFailed as exc:
            raise Conflict("this account is already assigned here", field="username") from exc
        return {"username": username, "assigned_by": assigned_by, "assigned_at": at}

    def unassign_staff(self, checkpoint_id: str, username: str) -> None:
        """Undo an assignment whose account could not be created."""
        try:
            self._db.delete_item(TableName=self._table, Key={"pk": _s(f"cp#{checkpoint_id}"), "sk": _s(f"staff#{username.lower()}")})
        except ClientError as exc:
            raise UpstreamUnavailable("could not undo the assignment") from exc

    def staff_page(self, checkpoint_id: str, *, limit: int, start: dict[str, Any] | None) -> tuple[list[dict[str, str]], dict[str, Any] | None]:
        """A page of the checkpoint's staff assignments and the key to continue after."""
        query = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :p AND begins_with(sk, :s)",
            "ExpressionAttributeValues": {":p": _s(f"cp#{checkpoint_id}"), ":s": _s("staff#")},
        }
        raw = paging.query_page(self._db, query, limit=limit, start=start, key_attributes=("pk", "sk"), what="the staff")
        return [{"username": i["username"]["S"], "assigned_by": i["assigned_by"]["S"], "assigned_at": i["assigned_at"]["S"]} for i in raw.items], raw.last_key


@dataclass(frozen=True)
class Recorded:
    """The outcome of recording a scan: the stored records and whether they were already there."""

    records: tuple[ScanRecord, ...]
    duplicate: bool


class ScanLedger:
    """Scans (written) and their counters (read). ``dynamodb`` is a boto3 client."""

    def __init__(self, dynamodb: DynamoDBClient, scans_table: str, stats_table: str, audit: AuditLog) -> None:
        self._db = dynamodb
        self._scans = scans_table
        self._stats = stats_table
        self._audit = audit

    # -- writing ------------------------------------------------------------------------------------------
    def record(self, records: list[ScanRecord], audit: AuditRecord) -> Recorded:
        """Write a scan (the first record) and its dependents with the audit record, at once.

        A scan key that already exists means the device sent this scan before: nothing is written and the
        stored records are returned with ``duplicate=True``. The counters follow from the stream.
        """
        writes: list[Any] = [
            {"Put": {"TableName": self._scans, "Item": record.item(), "ConditionExpression": "attribute_not_exists(scan_key)"}} for record in records
        ]
        writes.append(self._audit.put_request(audit))
        try:
            dynamo.transact(self._db, writes, what="scan")
        except dynamo.ConditionFailed as failed:
            stored = self.get(records[0].checkpoint_id, records[0].scan_id) if failed.index < len(records) else None
            if stored is None:
                raise UpstreamUnavailable("the scan could not be saved: send the same scan again") from failed
            return Recorded((stored, *self._companions(records[1:])), duplicate=True)
        except dynamo.Busy as busy:
            raise UpstreamUnavailable("the checkpoint is busy: send the same scan again") from busy
        return Recorded(tuple(records), duplicate=False)

    def _companions(self, records: Iterable[ScanRecord]) -> list[ScanRecord]:
        found = []
        for record in records:
            stored = self.get(record.checkpoint_id, record.scan_id)
            if stored is not None:
                found.append(stored)
        return found

    # -- reading ------------------------------------------------------------------------------------------
    def get(self, checkpoint_id: str, scan_id: str) -> ScanRecord | None:
        try:
            item = self._db.get_item(TableName=self._scans, Key={"scan_key": _s(f"{checkpoint_id}#{scan_id}")}, ConsistentRead=True).get("Item")
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the scan") from exc
        return ScanRecord.from_item(item) if item else None

    def page_for_person(self, person_id: str, *, limit: int, start: dict[str, Any] | None) -> tuple[list[ScanRecord], dict[str, Any] | None]:
        """A page of a person's scans, newest first, and the key to continue after."""
        return self._page("person-index", "person_id", person_id, limit, start)

    def page_at_checkpoint(self, checkpoint_id: str, day: str, *, limit: int, start: dict[str, Any] | None) -> tuple[list[ScanRecord], dict[str, Any] | None]:
        """A page of a checkpoint's scans of one day, newest first, and the key to continue after."""
        return self._page("checkpoint-day-index", "cp_day", f"{checkpoint_id}#{day}", limit, start)

    def _page(self, index: str, attribute: str, value: str, limit: int, start: dict[str, Any] | None) -> tuple[list[ScanRecord], dict[str, Any] | None]:
        query = {
            "TableName": self._scans,
            "IndexName": index,
            "KeyConditionExpression": "#a = :v",
            "ExpressionAttributeNames": {"#a": attribute},
            "ExpressionAttributeValues": {":v": _s(value)},
            "ScanIndexForward": False,
        }
        raw = paging.query_page(self._db, query, limit=limit, start=start, key_attributes=("scan_key", attribute, "scanned_at"), what="scans")
        return [ScanRecord.from_item(item) for item in raw.items], raw.last_key

    def day_stats(self, level: stats.Level, scope_id: str, day: str) -> stats.DayStats:
        """The counters of one level's day: one query of its hour items, never a table scan."""
        names = (*stats.COUNTER_NAMES, stats.UNIQUE_DAY)
        partition = _s(stats.counter_partition(level, scope_id, day))
        items = dynamo.query_all(
            self._db, what="statistics", TableName=self._stats, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": partition}
        )
        plain = [{"sk": item["sk"]["S"], **{n: int(item[n]["N"]) for n in names if n in item}} for item in items]
        return stats.summarize(level, scope_id, day, plain)


class ScanCounter:
    """Counts a batch of the scans table's stream into ``CheckpointStatsTable``. ``dynamodb`` is a boto3 client.

    1. One ``UpdateItem`` per person and day sets the marker tags the batch claims where they are absent
       (``if_not_exists``) and returns the stored owners: concurrent batches of other stream shards agree on one
       first scan, and a batch delivered again finds the owners it set.
    2. The deltas, merged per counter item, go in transactions of at most ``PER_TRANSACTION`` counters, each with
       a receipt named by its content: a transaction already applied is recognised and not applied again.
    """

    #: Counters per transaction (DynamoDB allows 100 actions; one is the receipt).
    PER_TRANSACTION = 99
    #: Attempts when another batch's transaction holds one of the counters (TransactionConflict).
    ATTEMPTS = 6

    def __init__(self, dynamodb: DynamoDBClient, stats_table: str, marker_days: int = 5, receipt_days: int = 2) -> None:
        self._db = dynamodb
        self._stats = stats_table
        self._marker_days = marker_days
        self._receipt_days = receipt_days

    def count(self, scans: list[stats.ScanFacts], now: datetime) -> int:
        """Count ``scans`` (in stream order) once; returns the number of counter items written."""
        if not scans:
            return 0
        owners = {key: self._claim(key, tags, now) for key, tags in stats.marker_claims(scans).items()}
        deltas = sorted(stats.increments(scans, owners).items(), key=lambda pair: (pair[0].pk, pair[0].sk))
        keys = [facts.scan_key for facts in scans]
        for start in range(0, len(deltas), self.PER_TRANSACTION):
            self._apply(keys, dict(deltas[start : start + self.PER_TRANSACTION]), now)
        return len(deltas)

    def _claim(self, key: stats.ItemKey, tags: dict[str, str], now: datetime) -> dict[str, str]:
        names = {f"#t{index}": tag for index, tag in enumerate(tags)}
        values: dict[str, Any] = {f":t{index}": _s(owner) for index, owner in enumerate(tags.values())}
        values[":e"] = {"N": str(int((now + timedelta(days=self._marker_days)).timestamp()))}
        sets = [f"#t{index} = if_not_exists(#t{index}, :t{index})" for index in range(len(tags))]
        try:
            item = self._db.update_item(
                TableName=self._stats,
                Key={"pk": _s(key.pk), "sk": _s(key.sk)},
                UpdateExpression="SET " + ", ".join([*sets, "expires_at = if_not_exists(expires_at, :e)"]),
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",  # the whole marker: a tag that was already set is "not updated"
            )["Attributes"]
        except ClientError as exc:
            raise UpstreamUnavailable("could not mark the scanned persons") from exc
        return {tag: item[tag]["S"] for tag in tags if tag in item}

    def _apply(self, scan_keys: list[str], deltas: dict[stats.ItemKey, dict[str, int]], now: datetime) -> None:
        receipt = stats.receipt_key(scan_keys, deltas)
        expires = str(int((now + timedelta(days=self._receipt_days)).timestamp()))
        writes: list[Any] = [
            {
                "Put": {
                    "TableName": self._stats,
                    "Item": {"pk": _s(f"rc#{receipt}"), "sk": _s("rc"), "expires_at": {"N": expires}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        ]
        for key, values in deltas.items():
            writes.append(
                {
                    "Update": {
                        "TableName": self._stats,
                        "Key": {"pk": _s(key.pk), "sk": _s(key.sk)},
                        "UpdateExpression": "ADD " + ", ".join(f"{name} :{name}" for name in values),
                        "ExpressionAttributeValues": {f":{name}": {"N": str(value)} for name, value in values.items()},
                    }
                }
            )
        # The token is the receipt: an attempt that was applied (the receipt carries it) is success.
        for attempt in range(self.ATTEMPTS):
            try:
                dynamo.transact(self._db, writes, what="checkpoint statistics", token=receipt)
                return
            except dynamo.Busy:
                dynamo.sleep(dynamo.backoff(attempt))  # another stream shard's batch on the same counter
        raise UpstreamUnavailable("the checkpoint statistics stayed busy: the batch is delivered again")


class CachedCheckpoints:
    """A warm container's memory of checkpoints for ``seconds``: a busy gate reads its checkpoint once a minute.

    Edits take effect at the next refresh; closing a checkpoint is therefore seen within ``seconds``.
    """

    def __init__(self, registry: CheckpointRegistry, seconds: float = 60.0) -> None:
        self._registry = registry
        self._seconds = seconds
        self._cache: dict[str, tuple[float, Checkpoint]] = {}

    def __call__(self, checkpoint_id: str) -> Checkpoint:
        hit = self._cache.get(checkpoint_id)
        if hit is not None and time.monotonic() - hit[0] < self._seconds:
            return hit[1]
        checkpoint = self._registry.get(checkpoint_id)
        self._cache[checkpoint_id] = (time.monotonic(), checkpoint)
        if len(self._cache) > 512:
            self._cache.pop(next(iter(self._cache)))
        return checkpoint
