"""Health-code benchmarks (not tests): counts and rates from one run.

1. The DynamoDB reads and writes of one daily close, counted with botocore event hooks on moto, for N codes of
   which M lapse (did not check in), beside what a full scan would read. The close should cost about 3·M plus a
   constant per shard, whatever N is.
2. Tokens verified per second on one core (offline ``verify_token``).
3. Rule evaluations per second (``rules.evaluate`` of a 30-day history; ``rules.check_in`` + ``advance``).

Run: ``python -m infra.bench.bench_healthcode`` (``make bench``).
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

import boto3
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID as ACCOUNT  # type: ignore[attr-defined]
from moto.dynamodb.models import dynamodb_backends

from infra.local import template
from sanmenxia.healthcode import rules
from sanmenxia.healthcode.rules import CodeState
from sanmenxia.healthcode.store import DUE_SHARDS, HealthCodeStore, due_key, shard_of, state_attributes
from sanmenxia.healthcode.tokens import issue_token, jwks, signing_key_from_secret, verify_token
from sanmenxia.healthcode_daily import service as daily
from sanmenxia.holds import CodeColor, HoldStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

REGION = "ap-east-1"
CLOSE_DAY = date(2020, 2, 20)
WRITE_OPERATIONS = {"PutItem", "UpdateItem", "DeleteItem"}


class OperationCounter:
    """Counts DynamoDB calls and the items they read or write (botocore ``provide-client-params``/``after-call``)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.items_read = 0
        self.items_written = 0

    def before(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        name = model.name
        self.calls[name] += 1
        if name in WRITE_OPERATIONS:
            self.items_written += 1
        elif name == "TransactWriteItems":
            self.items_written += len(params["TransactItems"])
        elif name == "BatchWriteItem":
            self.items_written += sum(len(requests) for requests in params["RequestItems"].values())

    def after(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        name = model.name
        if name in {"Query", "Scan"}:
            self.items_read += int(parsed.get("ScannedCount", parsed.get("Count", 0)))
        elif name == "GetItem":
            self.items_read += 1
        elif name == "BatchGetItem":
            self.items_read += sum(len(items) for items in parsed.get("Responses", {}).values())

    def attach(self, client: Any) -> None:
        client.meta.events.register("provide-client-params.dynamodb.*", self.before)
        client.meta.events.register("after-call.dynamodb.*", self.after)


class TransactionsAsItemWrites:
    """The DynamoDB client with ``TransactWriteItems`` replayed as its item writes (same items, same conditions).

    moto deep-copies every table on each transaction (0.66 s per transaction at 2,000 items), which would make the
    bench time moto, not the close; DynamoDB itself charges a transaction as its items (at twice the unit cost).
    The hooks therefore see one ``UpdateItem``/``PutItem`` per item of each transaction."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.transactions = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def transact_write_items(self, TransactItems: list[dict[str, Any]], ClientRequestToken: str = "") -> dict[str, Any]:
        self.transactions += 1
        for index, entry in enumerate(TransactItems):
            try:
                if "Update" in entry:
                    self._client.update_item(**entry["Update"])
                else:
                    self._client.put_item(**entry["Put"])
            except ClientError as exc:
                reasons: list[Any] = [{"Code": "None"}] * len(TransactItems)
                reasons[index] = {"Code": exc.response["Error"]["Code"].removesuffix("Exception")}
                raise ClientError(
                    {"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"}, "CancellationReasons": reasons},
                    "TransactWriteItems",
                ) from exc
        return {}


def _create_table(dynamodb: Any) -> str:
    """``HealthCodeTable`` as ``template.yaml`` declares it (keys, due-index)."""
    props = template.load()["Resources"]["HealthCodeTable"]["Properties"]
    name = "HealthCodeTable"
    dynamodb.create_table(
        TableName=name,
        BillingMode=props["BillingMode"],
        AttributeDefinitions=props["AttributeDefinitions"],
        KeySchema=props["KeySchema"],
        GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"],
    )
    return name


def _code_item(person_id: str, lapsing: bool) -> dict[str, Any]:
    """A green code that checked in yesterday (lapses tonight) or today (due tomorrow)."""
    last = CLOSE_DAY - timedelta(days=1) if lapsing else CLOSE_DAY
    state = CodeState(CodeColor.GREEN, CLOSE_DAY - timedelta(days=10), CLOSE_DAY - timedelta(days=30), last, 0, CLOSE_DAY - timedelta(days=1), "2020-02-seed")
    due = rules.due_day(state)
    assert due is not None
    return {
        "person_id": {"S": person_id},
        "sk": {"S": "code"},
        **state_attributes(state),
        "version": {"N": "7"},
        "county_code": {"S": "411202"},
        "community_id": {"S": "411202-001"},
        "due_key": {"S": due_key(due, shard_of(person_id))},
    }


def _seed(table: str, total: int, lapsing: int) -> None:
    """Put the codes straight into moto's backend (uncounted): batch writes through the API take minutes at
    this size on a shared 2-core machine, and only the close is measured."""
    backend = dynamodb_backends[ACCOUNT][REGION].get_table(table)
    for index in range(total):
        backend.put_item(_code_item(f"{index:024x}", index < lapsing))
    watermark = {"person_id": {"S": "_close"}, "sk": {"S": "watermark"}, "day": {"S": (CLOSE_DAY - timedelta(days=1)).isoformat()}}
    backend.put_item(watermark)


def one_close(total: int, lapsing: int) -> dict[str, Any]:
    """Seed ``total`` codes (``lapsing`` of them lapse tonight), close the night, count the DynamoDB work."""
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION=REGION)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        table = _create_table(dynamodb)
        _seed(table, total, lapsing)
        counter = OperationCounter()
        counted = boto3.client("dynamodb", region_name=REGION)
        counter.attach(counted)
        writes = TransactionsAsItemWrites(counted)
        client = cast("DynamoDBClient", writes)  # a client in all but its transactions
        store = HealthCodeStore(client, table, HoldStore(client, "unused"))
        tasks = daily.plan(store.watermark(), CLOSE_DAY, first_run_days=14)
        turned: Counter[str] = Counter()
        for task in tasks:
            result = daily.close_shard(store, task, lambda: True)
            for counts in result.per_day.values():
                turned.update(counts.turned)
        watermark = store.watermark()
        scan = OperationCounter()
        scanning = boto3.client("dynamodb", region_name=REGION)
        scan.attach(scanning)
        for _ in scanning.get_paginator("scan").paginate(TableName=table, Select="COUNT"):
            pass
    return {
        "N": total,
        "M": lapsing,
        "reads": counter.items_read,
        "writes": counter.items_written,
        "calls": sum(counter.calls.values()),
        "by_call": dict(counter.calls),
        "transactions": writes.transactions,
        "turned_yellow": turned["yellow"],
        "watermark": watermark,
        "scan_reads": scan.items_read,
    }


def tokens_per_second(count: int = 20_000) -> float:
    key = signing_key_from_secret("bench-" * 11)
    published = jwks([key])
    now = datetime(2020, 2, 20, 1, 0, tzinfo=UTC)
    tokens = [issue_token(key, f"{index:024x}", CodeColor.GREEN, now=now, ttl=timedelta(minutes=5)) for index in range(200)]
    started = time.perf_counter()
    for index in range(count):
        verify_token(tokens[index % len(tokens)], published, now)
    return count / (time.perf_counter() - started)


def evaluations_per_second(count: int = 20_000) -> tuple[float, float]:
    generator = random.Random(7)
    start = date(2020, 2, 1)
    histories = [{start + timedelta(days=d) for d in range(30) if generator.random() < 0.8} for _ in range(500)]
    today = start + timedelta(days=30)
    started = time.perf_counter()
    for index in range(count):
        rules.evaluate(start, histories[index % len(histories)], today)
    whole = count / (time.perf_counter() - started)
    states = [rules.evaluate(start, history, today - timedelta(days=1))[0] for history in histories]
    started = time.perf_counter()
    for index in range(count):
        state, _ = rules.check_in(states[index % len(states)], today)
        rules.advance(state, today)
    step = count / (time.perf_counter() - started)
    return whole, step


def main() -> None:
    print("Health code benchmarks (one run; moto in process, counts from botocore event hooks)")
    print(f"\n1. One daily close ({DUE_SHARDS} due-index shards); M codes lapse, the others checked in today")
    print(
        f"{'N codes':>9} {'M lapse':>8} {'items read':>11} {'items written':>14} {'API calls':>10} {'per M':>7} {'full scan reads':>16} {'turned yellow':>14}"
    )
    results = [one_close(20_000, 1_000), one_close(40_000, 1_000)]
    for row in results:
        per_m = (row["reads"] + row["writes"]) / row["M"]
        print(
            f"{row['N']:>9,} {row['M']:>8,} {row['reads']:>11,} {row['writes']:>14,} {row['calls']:>10,} {per_m:>7.2f} "
            f"{row['scan_reads']:>16,} {row['turned_yellow']:>14,}"
        )
    for row in results:
        print(f"   N={row['N']:,}: calls by operation {row['by_call']} ({row['transactions']:,} transactions); watermark {row['watermark']}")
    small, large = results
    shard_constant = (small["reads"] + small["writes"] - 3 * small["M"]) / DUE_SHARDS
    print(
        f"   reads+writes = 3·M + {small['reads'] + small['writes'] - 3 * small['M']} ({shard_constant:.1f} per shard) at N={small['N']:,}; "
        f"the same at N={large['N']:,}: {small['reads'] + small['writes'] == large['reads'] + large['writes']}. "
        f"A full scan reads N (+ check-in and history items in production)."
    )
    print(f"\n2. Tokens verified per second (one core, offline Ed25519): {tokens_per_second():,.0f}")
    whole, step = evaluations_per_second()
    print(f"\n3. Rule evaluations per second: whole 30-day history {whole:,.0f}; check-in + advance step {step:,.0f}")


if __name__ == "__main__":
    main()
