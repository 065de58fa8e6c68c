"""The DynamoDB toolkit on moto: request tokens, own-write recognition, named conditions, batches with backoff."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from sanmenxia import dynamo
from sanmenxia.errors import Conflict, UpstreamUnavailable
from sanmenxia.items import from_item

TABLE = "toolkit-test"


@pytest.fixture
def db() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="ap-east-1")
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client
        client.delete_table(TableName=TABLE)  # the suite's moto may outlive this context


def _put(pk: str, **extra: Any) -> dict[str, Any]:
    return {"Put": {"TableName": TABLE, "Item": {"pk": {"S": pk}, "version": {"N": "1"}}, "ConditionExpression": "attribute_not_exists(pk)", **extra}}


def _bump(pk: str, version: int) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": TABLE,
            "Key": {"pk": {"S": pk}},
            "UpdateExpression": "SET version = :next",
            "ConditionExpression": "version = :v",
            "ExpressionAttributeValues": {":v": {"N": str(version)}, ":next": {"N": str(version + 1)}},
        }
    }


class _Recorder:
    """A client that passes calls on to moto and remembers the transaction requests."""

    def __init__(self, db: Any) -> None:
        self._db = db
        self.transactions: list[dict[str, Any]] = []

    def transact_write_items(self, **request: Any) -> Any:
        self.transactions.append(request)
        return self._db.transact_write_items(**request)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)


def test_a_transaction_carries_a_client_request_token(db: Any) -> None:
    # Given a client that records what is sent
    recorder = _Recorder(db)
    # When a transaction runs with a chosen token
    dynamo.transact(recorder, [_put("a")], what="thing", token="token-1")
    # Then the request carried it
    assert recorder.transactions[0]["ClientRequestToken"] == "token-1"


def test_a_retried_transaction_that_had_succeeded_is_a_success_not_a_conflict(db: Any) -> None:
    # Given a transaction applied once (a slow success the SDK then retries with the same token)
    db.put_item(TableName=TABLE, Item={"pk": {"S": "b"}, "version": {"N": "1"}})
    writes = [_put("a"), _bump("b", 1)]
    dynamo.transact(db, writes, what="thing", token="same")
    # When the very same call is sent again (moto, like a retry after the token's window, checks conditions)
    dynamo.transact(db, writes, what="thing", token="same")
    # Then it is accepted, and applied once
    assert from_item(db.get_item(TableName=TABLE, Key={"pk": {"S": "b"}})["Item"])["version"] == 2


def test_someone_elses_write_fails_the_condition_with_its_name(db: Any) -> None:
    # Given an item written by another call
    dynamo.transact(db, [_put("a")], what="thing", token="first")
    # When another call's transaction conflicts with it at its second operation
    db.put_item(TableName=TABLE, Item={"pk": {"S": "b"}, "version": {"N": "1"}})
    with pytest.raises(dynamo.ConditionFailed) as failed:
        dynamo.transact(db, [_bump("b", 1), _put("a")], what="thing", token="second")
    # Then the error names the failing operation and condition, and nothing was written
    assert (failed.value.index, failed.value.table, failed.value.condition) == (1, TABLE, "attribute_not_exists(pk)")
    assert failed.value.status == 409
    assert "attribute_not_exists(pk)" in str(failed.value)
    assert from_item(db.get_item(TableName=TABLE, Key={"pk": {"S": "b"}})["Item"])["version"] == 1


def test_a_store_chooses_the_refusal_for_a_failing_operation(db: Any) -> None:
    dynamo.transact(db, [_put("a")], what="thing")
    refusal = Conflict("already there", field="a")
    with pytest.raises(Conflict) as raised:
        dynamo.transact(db, [_put("a")], what="thing", refusals={0: refusal})
    assert raised.value is refusal


def test_readers_do_not_see_the_write_marker(db: Any) -> None:
    dynamo.transact(db, [_put("a")], what="thing")
    raw = db.get_item(TableName=TABLE, Key={"pk": {"S": "a"}})["Item"]
    assert dynamo.WRITTEN_BY in raw
    assert dynamo.WRITTEN_BY not in from_item(raw)


def test_a_retried_conditional_put_recognises_its_own_write(db: Any) -> None:
    request = {"TableName": TABLE, "Item": {"pk": {"S": "p"}}, "ConditionExpression": "attribute_not_exists(pk)"}
    dynamo.put(db, what="thing", token="mine", **request)
    dynamo.put(db, what="thing", token="mine", **request)  # the retry
    with pytest.raises(dynamo.ConditionFailed):
        dynamo.put(db, what="thing", token="someone-else", **request)


def test_a_retried_conditional_update_recognises_its_own_write(db: Any) -> None:
    db.put_item(TableName=TABLE, Item={"pk": {"S": "u"}, "version": {"N": "1"}})
    request = _bump("u", 1)["Update"]
    dynamo.update(db, what="thing", token="mine", **request)
    dynamo.update(db, what="thing", token="mine", **request)
    with pytest.raises(dynamo.ConditionFailed):
        dynamo.update(db, what="thing", token="other", **request)
    assert from_item(db.get_item(TableName=TABLE, Key={"pk": {"S": "u"}})["Item"])["version"] == 2


class _Throttled:
    """A client whose batch calls leave everything after the first item unprocessed ``throttled`` times."""

    def __init__(self, db: Any, throttled: int) -> None:
        self._db = db
        self.left = throttled
        self.calls = 0

    def batch_write_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        self.calls += 1
        (table, entries), *_ = RequestItems.items()
        if self.left:
            self.left -= 1
            self._db.batch_write_item(RequestItems={table: entries[:1]})
            return {"UnprocessedItems": {table: entries[1:]} if entries[1:] else {}}
        return dict(self._db.batch_write_item(RequestItems=RequestItems))

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        self.calls += 1
        (table, spec), *_ = RequestItems.items()
        if self.left:
            self.left -= 1
            response = self._db.batch_get_item(RequestItems={table: {**spec, "Keys": spec["Keys"][:1]}})
            return {"Responses": response["Responses"], "UnprocessedKeys": {table: {**spec, "Keys": spec["Keys"][1:]}}}
        return dict(self._db.batch_get_item(RequestItems=RequestItems))


def test_batches_retry_unprocessed_items_with_growing_pauses(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(dynamo, "sleep", pauses.append)
    monkeypatch.setattr(dynamo.random, "uniform", lambda low, high: high)
    throttled = _Throttled(db, throttled=3)
    # When 30 puts are written through a throttling client (two requests of 25 and 5)
    dynamo.batch_write(throttled, TABLE, [{"PutRequest": {"Item": {"pk": {"S": f"k{i}"}}}} for i in range(30)], what="rows")
    # Then every item arrived, after pauses that doubled
    assert pauses == [0.05, 0.1, 0.2]
    throttled.left = 2
    found = dynamo.batch_get(throttled, TABLE, [{"pk": {"S": f"k{i}"}} for i in range(30)], what="rows", projection="pk")
    assert sorted(item["pk"]["S"] for item in found) == sorted(f"k{i}" for i in range(30))


def test_a_batch_that_stays_throttled_is_unavailable_not_partial_silence(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dynamo, "sleep", lambda _: None)
    with pytest.raises(UpstreamUnavailable):
        dynamo.batch_write(_Throttled(db, throttled=100), TABLE, [{"PutRequest": {"Item": {"pk": {"S": f"k{i}"}}}} for i in range(20)], what="rows")


def test_a_cancellation_without_a_failed_condition_is_busy(db: Any) -> None:
    class _Conflicting:
        def transact_write_items(self, **_: Any) -> None:
            from botocore.exceptions import ClientError

            raise ClientError(
                {"Error": {"Code": "TransactionCanceledException", "Message": "x"}, "CancellationReasons": [{"Code": "TransactionConflict"}]},  # type: ignore[typeddict-unknown-key]
                "TransactWriteItems",
            )

    with pytest.raises(dynamo.Busy, match="TransactionConflict"):
        dynamo.transact(_Conflicting(), [_put("a")], what="thing")
