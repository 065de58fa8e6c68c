"""A table's stream read from "now" and delivered to a function's handler, as the local pump and Lambda do."""

from __future__ import annotations

from typing import Any

from infra.local import events
from infra.local.pump import _jsonable
from tests.support.stack import REGION, Stack


class TableStream:
    """The stream of ``table`` (a logical id) from the moment this is made; ``deliver`` hands what arrived since
    to ``function`` in batches of at most ``batch_size`` records, in order, and returns the records delivered."""

    def __init__(self, stack: Stack, table: str, function: str, batch_size: int = 100) -> None:
        self.stack = stack
        self.function = function
        self.batch_size = batch_size
        self.streams = stack.client("dynamodbstreams")
        self.arn = stack.client("dynamodb").describe_table(TableName=stack.table(table))["Table"]["LatestStreamArn"]
        shards = self.streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]
        self.iterators = {
            shard["ShardId"]: self.streams.get_shard_iterator(StreamArn=self.arn, ShardId=shard["ShardId"], ShardIteratorType="LATEST")["ShardIterator"]
            for shard in shards
        }

    def read(self) -> list[dict[str, Any]]:
        """The records that arrived since the last read (not delivered)."""
        found: list[dict[str, Any]] = []
        for shard, iterator in list(self.iterators.items()):
            page = self.streams.get_records(ShardIterator=iterator)
            self.iterators[shard] = page["NextShardIterator"]
            found.extend(_jsonable(record) for record in page["Records"])
        return found

    def invoke(self, records: list[dict[str, Any]]) -> Any:
        return self.stack.invoke(self.function, events.dynamodb_stream_event(self.arn, records, REGION))

    def deliver(self) -> int:
        records = self.read()
        for start in range(0, len(records), self.batch_size):
            result = self.invoke(records[start : start + self.batch_size])
            assert not (result or {}).get("batchItemFailures"), result
        return len(records)
