"""DynamoDB items ⇄ plain Python values, for data-access modules that keep records as dictionaries."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from sanmenxia.dynamo import WRITTEN_BY

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _numbers(value: Any) -> Any:
    """DynamoDB takes numbers as ``Decimal``; floats are converted through their shortest repr."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {key: _numbers(inner) for key, inner in value.items() if inner is not None}
    if isinstance(value, list):
        return [_numbers(inner) for inner in value]
    return value


def to_item(values: Mapping[str, Any]) -> dict[str, Any]:
    """A DynamoDB item (attribute values) from a dictionary; ``None`` values are left out."""
    return {key: _serializer.serialize(_numbers(value)) for key, value in values.items() if value is not None}


def attribute(value: Any) -> dict[str, Any]:
    """One attribute value (for expression values)."""
    return dict(_serializer.serialize(_numbers(value)))


def plain(value: Any) -> Any:
    """Numbers come back from DynamoDB as ``Decimal``: whole ones as ``int``, others as ``float``."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: plain(inner) for key, inner in value.items()}
    if isinstance(value, list | set):
        return [plain(inner) for inner in value]
    return value


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """A dictionary of plain values from a DynamoDB item (without the toolkit's written-by marker)."""
    return {key: plain(_deserializer.deserialize(value)) for key, value in item.items() if key != WRITTEN_BY}


#: The key attributes of a table whose records are small JSON documents under ``pk``/``sk``.
DOCUMENT_KEYS = ("pk", "sk")


def document_item(value: Mapping[str, Any], keys: tuple[str, ...] = DOCUMENT_KEYS) -> dict[str, Any]:
    """A small JSON document as DynamoDB attributes, without its key attributes (the caller sets those)."""
    return to_item({name: inner for name, inner in value.items() if name not in keys})


def document_of(item: Mapping[str, Any], keys: tuple[str, ...] = DOCUMENT_KEYS) -> dict[str, Any]:
    """The JSON document an item holds (``document_item`` reversed), without its key attributes."""
    return {name: inner for name, inner in from_item(item).items() if name not in keys}
