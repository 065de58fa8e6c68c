"""The dashboard's result cache: hits within the TTL, misses after it, and a failing table is a miss."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from sanmenxia.bigdata.cache import QueryCache
from sanmenxia.bigdata.query import QueryResult

RESULT = QueryResult(("area", "codes"), [{"area": "411202", "codes": 3}], "duckdb", 12.5, 1024)


class FakeTable:
    def __init__(self, broken: bool = False) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self.broken = broken

    def _check(self) -> None:
        if self.broken:
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}, "op")

    def put_item(self, TableName: str, Item: dict[str, Any]) -> None:
        self._check()
        self.items[Item["cache_key"]["S"]] = Item

    def get_item(self, TableName: str, Key: dict[str, Any]) -> dict[str, Any]:
        self._check()
        item = self.items.get(Key["cache_key"]["S"])
        return {"Item": item} if item else {}


class Clock:
    def __init__(self) -> None:
        self.moment = datetime(2020, 2, 1, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.moment


def test_a_result_is_served_until_it_expires() -> None:
    # Given a cached result
    clock = Clock()
    cache = QueryCache(FakeTable(), "cache", 60, now=clock)
    computed = cache.put("k", RESULT)
    # When read within the TTL, Then it is the same result with its time
    assert cache.get("k") == (RESULT, computed)
    # When read after the TTL (before DynamoDB's TTL removes it), Then it is a miss
    clock.moment += timedelta(seconds=61)
    assert cache.get("k") is None


def test_a_failing_cache_is_a_miss_not_an_error() -> None:
    cache = QueryCache(FakeTable(broken=True), "cache", 60, now=Clock())
    cache.put("k", RESULT)
    assert cache.get("k") is None


def test_a_zero_ttl_disables_the_cache() -> None:
    table = FakeTable()
    cache = QueryCache(table, "cache", 0, now=Clock())
    cache.put("k", RESULT)
    assert table.items == {} and cache.get("k") is None
