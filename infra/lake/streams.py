"""Drain the platform tables' DynamoDB streams into the lake-export function, as Lambda's event source
mappings do: batches per shard in order, retrying from the record the function reports as failed.

The local stack's event pump does this continuously; integration tests call ``StreamDrain.drain()`` after
the requests whose records they want in the lake (``invoke`` is ``stack.invoke`` bound to the function).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from infra.local import events


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, datetime):
        return int(value.timestamp())
    return value


@dataclass
class StreamDrain:
    """Reads each table's stream from where it stopped last time and delivers the new records."""

    dynamodb: Any
    streams: Any
    tables: dict[str, str]  # logical id -> physical table name
    invoke: Callable[[dict[str, Any]], Any]
    region: str
    batch_size: int = 100
    _iterators: dict[tuple[str, str], str | None] = field(default_factory=dict)
    delivered: int = 0
    attempts: int = 0

    def _stream_arn(self, table: str) -> str:
        return str(self.dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"])

    def skip_existing(self) -> StreamDrain:
        """Start every stream at its end (``LATEST``): only records written from now on are delivered."""
        for logical in self.tables:
            arn = self._stream_arn(self.tables[logical])
            for shard in self.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
                self._iterators[(arn, shard["ShardId"])] = self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="LATEST")[
                    "ShardIterator"
                ]
        return self

    def drain(self, logical_ids: Iterable[str] | None = None, max_attempts: int = 50) -> int:
        """Deliver every record not delivered yet; returns how many were delivered."""
        before = self.delivered
        for logical in logical_ids or self.tables:
            arn = self._stream_arn(self.tables[logical])
            for shard in self.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
                self._drain_shard(arn, shard["ShardId"], max_attempts)
        return self.delivered - before

    def _drain_shard(self, arn: str, shard_id: str, max_attempts: int) -> None:
        key = (arn, shard_id)
        if key not in self._iterators:
            self._iterators[key] = self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        pending: list[dict[str, Any]] = []
        while True:
            if not pending and self._iterators[key]:
                page = self.streams.get_records(ShardIterator=self._iterators[key], Limit=1000)
                self._iterators[key] = page.get("NextShardIterator")
                pending = [_plain(record) for record in page["Records"]]
            if not pending:
                return
            batch, pending = pending[: self.batch_size], pending[self.batch_size :]
            pending = self._deliver(arn, batch, max_attempts) + pending

    def _deliver(self, arn: str, batch: list[dict[str, Any]], max_attempts: int) -> list[dict[str, Any]]:
        """Deliver one batch; the records to deliver again (from the reported failure), or none."""
        self.attempts += 1
        if self.attempts > max_attempts:
            raise RuntimeError("the export function keeps failing; giving up")
        result = self.invoke(events.dynamodb_stream_event(arn, batch, self.region)) or {}
        failed = {item["itemIdentifier"] for item in result.get("batchItemFailures", [])}
        for index, record in enumerate(batch):
            if record["dynamodb"]["SequenceNumber"] in failed:
                self.delivered += index
                return batch[index:]
        self.delivered += len(batch)
        return []
