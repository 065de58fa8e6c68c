"""In-memory stand-ins for the AWS calls of the shared data-access classes, for benchmarks that measure the
platform's own code ("AWS calls stubbed"). Only the subset of each API that the shared package uses."""

from __future__ import annotations

import os
from typing import Any


class ConditionFailed(Exception):
    pass


def _key(item: dict[str, Any], names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(str(next(iter(item[name].values()))) for name in names)


class FakeDynamoDB:
    """Tables keyed by their key attribute names (``{"People": ("pk",)}``); GSIs as (name → key names)."""

    def __init__(self, keys: dict[str, tuple[str, ...]], indexes: dict[str, dict[str, tuple[str, ...]]] | None = None) -> None:
        self.keys = keys
        self.indexes = indexes or {}
        self.tables: dict[str, dict[tuple[str, ...], dict[str, Any]]] = {name: {} for name in keys}
        self.calls = 0

    def _check(self, table: str, item: dict[str, Any], condition: str | None) -> None:
        if condition and condition.startswith("attribute_not_exists") and _key(item, self.keys[table]) in self.tables[table]:
            raise ConditionFailed(table)

    def put_item(self, TableName: str, Item: dict[str, Any], ConditionExpression: str | None = None, **_: Any) -> dict[str, Any]:
        self.calls += 1
        self._check(TableName, Item, ConditionExpression)
        self.tables[TableName][_key(Item, self.keys[TableName])] = Item
        return {}

    def get_item(self, TableName: str, Key: dict[str, Any], **_: Any) -> dict[str, Any]:
        self.calls += 1
        found = self.tables[TableName].get(_key(Key, self.keys[TableName]))
        return {"Item": found} if found else {}

    def transact_write_items(self, TransactItems: list[dict[str, Any]], ClientRequestToken: str = "") -> dict[str, Any]:
        self.calls += 1
        for entry in TransactItems:
            put = entry["Put"]
            self._check(put["TableName"], put["Item"], put.get("ConditionExpression"))
        for entry in TransactItems:
            put = entry["Put"]
            self.tables[put["TableName"]][_key(put["Item"], self.keys[put["TableName"]])] = put["Item"]
        return {}

    def query(self, TableName: str, ExpressionAttributeValues: dict[str, Any], IndexName: str | None = None, **_: Any) -> dict[str, Any]:
        self.calls += 1
        names = self.indexes.get(TableName, {}).get(IndexName or "", self.keys[TableName])
        wanted = next(iter(ExpressionAttributeValues.values()))
        items = [item for item in self.tables[TableName].values() if names[0] in item and item[names[0]] == wanted]
        return {"Items": items, "Count": len(items)}


class FakeKms:
    def __init__(self) -> None:
        self.calls = 0

    def generate_data_key(self, KeyId: str, KeySpec: str) -> dict[str, bytes]:
        self.calls += 1
        key = os.urandom(32)
        return {"Plaintext": key, "CiphertextBlob": b"wrapped" + key}

    def decrypt(self, CiphertextBlob: bytes, **_: Any) -> dict[str, bytes]:
        self.calls += 1
        return {"Plaintext": CiphertextBlob.removeprefix(b"wrapped")}


class FakeSecrets:
    def get_secret_value(self, SecretId: str) -> dict[str, str]:
        return {"SecretString": "bench-secret-" + SecretId}
