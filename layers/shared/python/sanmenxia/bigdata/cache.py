"""A small DynamoDB cache of dashboard query results (aggregates only, never personal records).

Every container of the big-data function shares it, so a dashboard opened by many leaders at once costs
one Athena query per figure and area per ``ttl_seconds``. Items expire through DynamoDB TTL
(``expires_at``) and are ignored once past it even before TTL removes them. A cache that fails is a miss,
never an error: the figure is computed again.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from sanmenxia import clock
from sanmenxia.bigdata.query import QueryResult
from sanmenxia.observability import logger

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

MAX_ITEM_BYTES = 350_000  # DynamoDB's item limit is 400 KB


class QueryCache:
    """``dynamodb`` is a boto3 DynamoDB client; ``now`` is injectable for tests."""

    def __init__(self, dynamodb: DynamoDBClient, table: str, ttl_seconds: int, now: Callable[[], datetime] = clock.now) -> None:
        self._db = dynamodb
        self._table = table
        self._ttl = ttl_seconds
        self._now = now

    def get(self, key: str) -> tuple[QueryResult, str] | None:
        """The cached result and when it was computed, or ``None``."""
        if self._ttl <= 0:
            return None
        try:
            item = self._db.get_item(TableName=self._table, Key={"cache_key": {"S": key}}).get("Item")
        except (ClientError, BotoCoreError):
            logger.warning("dashboard cache unavailable (read)", extra={"cache_key": key})
            return None
        if not item or int(item["expires_at"]["N"]) <= int(self._now().timestamp()):
            return None
        data = json.loads(zlib.decompress(item["payload"]["B"]))
        data["columns"] = tuple(data["columns"])
        return QueryResult(**data), item["computed_at"]["S"]

    def put(self, key: str, result: QueryResult) -> str:
        """Store a result; returns when it was computed (now)."""
        computed_at = clock.iso(self._now())
        if self._ttl <= 0:
            return computed_at
        payload = zlib.compress(json.dumps(asdict(result), ensure_ascii=False, default=str).encode())
        if len(payload) > MAX_ITEM_BYTES:
            logger.info("dashboard result too large to cache", extra={"cache_key": key, "bytes": len(payload)})
            return computed_at
        try:
            self._db.put_item(
                TableName=self._table,
                Item={
                    "cache_key": {"S": key},
                    "payload": {"B": payload},
                    "computed_at": {"S": computed_at},
                    "expires_at": {"N": str(int(self._now().timestamp()) + self._ttl)},
                },
            )
        except (ClientError, BotoCoreError):
            logger.warning("dashboard cache unavailable (write)", extra={"cache_key": key})
        return computed_at
