"""The local event pump delivers stream batches as Lambda does (backoff, bisecting, limits, on-failure
destination), and its moto keeps a table's stream readable after a cancelled transaction."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.local import pump as pump_module
from infra.local.functions import InvocationError
from infra.local.motoserver import patch
from infra.local.pump import EventPump, ShardState, StreamSource, VirtualClock
from infra.local.retention import LocalRetention

ARN = "arn:aws:dynamodb:ap-east-1:123456789012:table/t/stream/x"


def _record(seq: int, poison: bool = False) -> dict[str, Any]:
    keys = {"pk": {"S": "poison" if poison else f"k{seq}"}}
    change = {"SequenceNumber": str(seq), "Keys": keys, "ApproximateCreationDateTime": int(time.time())}
    return {"eventID": f"e{seq}", "eventName": "INSERT", "dynamodb": change}


class _Pool:
    """A function that raises on a batch holding the poison record, or reports it as a batch item failure."""

    def __init__(self, *, report: bool = False, heal_after: int | None = None) -> None:
        self.report = report
        self.heal_after = heal_after
        self.calls: list[list[str]] = []
        self.delivered: list[str] = []

    def invoke(self, function: str, event: dict[str, Any], **_: Any) -> Any:
        keys = [record["dynamodb"]["Keys"]["pk"]["S"] for record in event["Records"]]
        self.calls.append(keys)
        healed = self.heal_after is not None and len(self.calls) > self.heal_after
        if "poison" in keys and not healed:
            if self.report:
                index = keys.index("poison")
                self.delivered += keys[:index]
                return {"batchItemFailures": [{"itemIdentifier": event["Records"][index]["dynamodb"]["SequenceNumber"]}]}
            raise InvocationError(function, {"errorType": "ValueError", "errorMessage": "poison"})
        self.delivered += keys
        return {"batchItemFailures": []}


class _Deployment:
    def __init__(self) -> None:
        self.region = "ap-east-1"
        self.functions: dict[str, Any] = {"Fn": {"arn": "arn:aws:lambda:ap-east-1:123456789012:function:fn"}}
        self.physical: dict[str, str] = {}


@pytest.fixture
def sqs() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("sqs", region_name="ap-east-1")


def _pump(pool: _Pool, sqs: Any) -> EventPump:
    pump = EventPump.__new__(EventPump)  # the delivery logic alone, without reading the template
    pump._pool = pool  # type: ignore[assignment]
    pump._deployment = _Deployment()
    pump._clients = {"sqs": sqs}
    pump.clock = VirtualClock()
    pump._log = lambda _: None
    pump._alert = None
    pump.retried, pump.failed, pump.failures = 0, 0, []
    pump.retention = LocalRetention({}, {})  # its report says what expired: nothing here (no tables of the deployment)
    return pump


def _run(pump: EventPump, source: StreamSource, shard: ShardState) -> None:
    """Deliver until the shard's records are delivered or given up, waiting out the backoff."""
    for _ in range(200):
        if not shard.pending:
            return
        wait = shard.retry_at - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        pump._deliver_pending(source, "shard-1", shard)
    raise AssertionError("the pump never finished the batch")


@pytest.fixture(autouse=True)
def _fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pump_module, "RETRY_BASE_SECONDS", 0.001)


def test_a_poison_record_is_bisected_out_retried_then_sent_to_the_destination(sqs: Any) -> None:
    # Given a mapping that bisects, retries twice and has an on-failure queue, and a batch of 8 with one bad record
    queue = sqs.create_queue(QueueName="stream-failures")["QueueUrl"]
    pool = _Pool()
    pump = _pump(pool, sqs)
    source = StreamSource("Fn", "Ev", ARN, 8, max_retries=2, bisect=True, on_failure=queue)
    shard = ShardState(pending=[_record(i, poison=i == 5) for i in range(1, 9)], limit=8)
    # When the pump delivers it
    _run(pump, source, shard)
    # Then every good record arrived, the poison one alone was given up after 1 + 2 attempts
    assert sorted(pool.delivered) == sorted(f"k{i}" for i in range(1, 9) if i != 5)
    assert sum(1 for call in pool.calls if call == ["poison"]) == 3
    assert (pump.failed, pump.failures[0]["condition"], pump.failures[0]["sent_to"]) == (1, "RetryAttemptsExhausted", "stream-failures")
    # And the destination holds Lambda's description of the batch (shard and sequence range)
    message = json.loads(sqs.receive_message(QueueUrl=queue)["Messages"][0]["Body"])
    info = message["DDBStreamBatchInfo"]
    assert (info["shardId"], info["startSequenceNumber"], info["endSequenceNumber"], info["batchSize"]) == ("shard-1", "5", "5", 1)
    assert message["requestContext"]["condition"] == "RetryAttemptsExhausted"


def test_a_batch_item_failure_is_retried_from_that_record_and_nothing_is_lost(sqs: Any) -> None:
    # Given a function that reports record 3 failed twice, then succeeds
    pool = _Pool(report=True, heal_after=2)
    pump = _pump(pool, sqs)
    source = StreamSource("Fn", "Ev", ARN, 5, max_retries=10)
    shard = ShardState(pending=[_record(1), _record(2), _record(3, poison=True), _record(4), _record(5)], limit=5)
    _run(pump, source, shard)
    # Then records 1-2 were delivered once, the rest after the retries; nothing given up
    assert pool.delivered == ["k1", "k2", "poison", "k4", "k5"]
    assert (pump.retried, pump.failed) == (2, 0)


def test_a_record_older_than_the_mapping_allows_is_given_up_without_a_destination_and_said(sqs: Any) -> None:
    pool = _Pool()
    pump = _pump(pool, sqs)
    old = _record(1, poison=True)
    old["dynamodb"]["ApproximateCreationDateTime"] = int(time.time()) - 3600
    source = StreamSource("Fn", "Ev", ARN, 10, max_retries=-1, max_age=60)
    shard = ShardState(pending=[old], limit=10)
    _run(pump, source, shard)
    assert pump.failures[0]["condition"] == "RecordAgeExceeded"
    assert pump.failures[0]["sent_to"] is None
    assert pump.report()["failed"] == 1


def test_the_stream_stays_readable_after_moto_cancels_a_transaction() -> None:
    # Given moto with the local stack's fixes, a table with a stream and a reader that has read it
    patch()
    os.environ.setdefault("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled")
    with mock_aws():
        db = boto3.client("dynamodb", region_name="ap-east-1")
        streams = boto3.client("dynamodbstreams", region_name="ap-east-1")
        arn = db.create_table(
            TableName="scratch-swap",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )["TableDescription"]["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        db.put_item(TableName="scratch-swap", Item={"pk": {"S": "a"}})
        page = streams.get_records(ShardIterator=iterator)
        assert len(page["Records"]) == 1
        # When a transaction is cancelled (moto puts its backup copy of the table in place) and a write follows
        with pytest.raises(db.exceptions.TransactionCanceledException):
            db.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": "scratch-swap", "Item": {"pk": {"S": "b"}}}},
                    {"Put": {"TableName": "scratch-swap", "Item": {"pk": {"S": "a"}}, "ConditionExpression": "attribute_not_exists(pk)"}},
                ]
            )
        db.put_item(TableName="scratch-swap", Item={"pk": {"S": "c"}})
        # Then the reader's next iterator sees the new write, and nothing of the cancelled transaction
        records = streams.get_records(ShardIterator=page["NextShardIterator"])["Records"]
        assert [record["dynamodb"]["Keys"]["pk"]["S"] for record in records] == ["c"]
        assert "Item" not in db.get_item(TableName="scratch-swap", Key={"pk": {"S": "b"}})
        db.delete_table(TableName="scratch-swap")
