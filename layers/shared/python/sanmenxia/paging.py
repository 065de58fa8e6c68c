"""One paging contract for every list: ``limit`` and an opaque, signed ``cursor``; one response shape
``{"items": [...], "next_cursor": "..." | null}``; one DynamoDB query loop for every store.

* ``query_page`` reads a query page by page until ``limit`` items have passed its filters (or a bounded number of
  reads is spent) and says where to continue: the key of the last item returned (so nothing is skipped when a
  read overshoots), or DynamoDB's own ``LastEvaluatedKey``.
* ``CursorCodec`` seals that key into a cursor: the key in base64url JSON plus an HMAC-SHA256 over the key and a
  *binding* (the operation, the caller, the caller's scope and the query's other parameters). A forged, edited,
  truncated or foreign cursor (another list, another caller, other filters) fails the MAC: a 400 naming
  ``cursor``, never a DynamoDB error. The key is opaque to the client, not secret: it holds only key attributes.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

from aws_lambda_powertools.event_handler.openapi.params import Query
from botocore.exceptions import ClientError
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings

from sanmenxia import aws
from sanmenxia.errors import InvalidInput, UpstreamUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

READ_SIZE = 100  # items read per DynamoDB request while filling a page
MAX_READS = 10  # reads per page at most: a sparse filter returns a short page with a cursor, not an endless scan
CURSOR_MAX = 1500

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=100, description="items per page (1–100)")]
Cursor = Annotated[str | None, Query(max_length=CURSOR_MAX, description="`next_cursor` of the previous page; omit for the first page")]


class Page(BaseModel, Generic[T]):
    """A page of a list: its items and the cursor of the next page (``null`` on the last page)."""

    items: list[T]
    next_cursor: str | None = Field(default=None, description="pass as `cursor` to read the next page; null when there is none")


@dataclass(frozen=True)
class RawPage:
    """Items as DynamoDB returned them and the key to continue after (``None``: the list is complete)."""

    items: list[dict[str, Any]]
    last_key: dict[str, Any] | None


def query_page(
    db: DynamoDBClient,
    query: Mapping[str, Any],
    *,
    limit: int,
    start: Mapping[str, Any] | None,
    key_attributes: Sequence[str],
    what: str = "the list",
    read_size: int = READ_SIZE,
    max_reads: int = MAX_READS,
) -> RawPage:
    """Up to ``limit`` items of ``query`` (a ``db.query`` request without ``Limit``/``ExclusiveStartKey``) from
    ``start``; ``key_attributes`` are the table's and the index's key attributes, from which the key of the last
    returned item is built."""
    found: list[dict[str, Any]] = []
    last: dict[str, Any] | None = dict(start) if start else None
    for _ in range(max_reads):
        request = dict(query, Limit=read_size)
        if last:
            request["ExclusiveStartKey"] = last
        try:
            response = db.query(**request)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ValidationException" and start:
                raise InvalidInput("not a cursor returned by this list", field="cursor") from exc
            raise UpstreamUnavailable(f"could not read {what}") from exc
        items = response.get("Items", [])
        for position, item in enumerate(items):
            found.append(item)
            if len(found) == limit:
                more = position < len(items) - 1 or bool(response.get("LastEvaluatedKey"))
                return RawPage(found, _key_of(item, key_attributes) if more else None)
        last = response.get("LastEvaluatedKey")
        if not last:
            return RawPage(found, None)
    return RawPage(found, last)


PART = "~query"  # where in a continuation key ``query_parts`` notes which of its queries the key belongs to


def query_parts(
    db: Any,
    queries: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    limit: int,
    start: Mapping[str, Any] | None,
    key_attributes: Sequence[str],
    what: str = "the list",
) -> RawPage:
    """Up to ``limit`` items of several named queries read one after another (e.g. one per county), through
    ``query_page``; the continuation key names the query it continues (a name not among ``queries``: 400)."""
    names = [name for name, _ in queries]
    position, inner = 0, None
    if start:
        inner = dict(start)
        name = inner.pop(PART, None)
        if name not in names:
            raise InvalidInput("not a cursor returned by this list", field="cursor")
        position = names.index(name)
    found: list[dict[str, Any]] = []
    for index in range(position, len(queries)):
        name, query = queries[index]
        page = query_page(db, query, limit=limit - len(found), start=inner if index == position else None, key_attributes=key_attributes, what=what)
        found.extend(page.items)
        if page.last_key:
            return RawPage(found, {**page.last_key, PART: name})
        if len(found) == limit:
            return RawPage(found, {PART: names[index + 1]} if index + 1 < len(names) else None)
    return RawPage(found, None)


def query_in_turn(
    db: Any,
    queries: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    partition_key: str,
    limit: int,
    start: Mapping[str, Any] | None,
    key_attributes: Sequence[str],
    what: str = "the list",
) -> RawPage:
    """Up to ``limit`` items of several queries read one after the other with ``query_page`` (one partition
    each: the shards of an index, the counties of the city), from ``start``. ``queries`` pairs each query with
    its partition's value; the continuation key's ``partition_key`` attribute says which query it is in (a key
    holding only that attribute starts that query from its beginning)."""
    values = [value for value, _ in queries]
    at = str((start or {}).get(partition_key, {}).get("S", values[0] if values else ""))
    if start and at not in values:
        raise InvalidInput("not a cursor returned by this list", field="cursor")
    first = values.index(at) if values else 0
    resume = start if start and len(start) > 1 else None
    found: list[dict[str, Any]] = []
    for position in range(first, len(queries)):
        raw = query_page(
            db, queries[position][1], limit=limit - len(found), start=resume if position == first else None, key_attributes=key_attributes, what=what
        )
        found.extend(raw.items)
        if raw.last_key:
            return RawPage(found, raw.last_key)
        if len(found) == limit:
            following = {partition_key: {"S": values[position + 1]}} if position + 1 < len(queries) else None
            return RawPage(found, following)
    return RawPage(found, None)


def _key_of(item: Mapping[str, Any], key_attributes: Sequence[str]) -> dict[str, Any]:
    return {name: item[name] for name in key_attributes if name in item}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def binding(operation: str, caller: str, scope: Mapping[str, str], query: Mapping[str, str]) -> str:
    """What a cursor is bound to: the operation, the caller and their scope, and the query's other parameters."""
    fixed = {name: value for name, value in query.items() if name not in {"cursor", "limit"}}
    return json.dumps([operation, caller, dict(sorted(scope.items())), dict(sorted(fixed.items()))], ensure_ascii=False, separators=(",", ":"))


class CursorCodec:
    """Seals a continuation key into a cursor bound to one list as one caller asked for it, and opens it again."""

    def __init__(self, secret: bytes) -> None:
        self._key = hmac.new(secret, b"sanmenxia cursor v1", hashlib.sha256).digest()  # its own key, derived

    def _mac(self, payload: str, bound_to: str) -> str:
        return _b64(hmac.new(self._key, f"{payload}\n{bound_to}".encode(), hashlib.sha256).digest()[:18])

    def seal(self, key: Mapping[str, Any] | None, bound_to: str) -> str | None:
        if not key:
            return None
        payload = _b64(json.dumps(key, separators=(",", ":"), sort_keys=True).encode())
        return f"{payload}.{self._mac(payload, bound_to)}"

    def open(self, cursor: str | None, bound_to: str) -> dict[str, Any] | None:
        """The key inside ``cursor`` (``None`` for the first page); 400 naming ``cursor`` unless this codec sealed
        it for the same binding."""
        if not cursor:
            return None
        payload, _, mac = cursor.partition(".")
        if not mac or not hmac.compare_digest(mac, self._mac(payload, bound_to)):
            raise InvalidInput("not a cursor this list gave you for this query", field="cursor")
        try:
            key = json.loads(_unb64(payload))
        except (ValueError, binascii.Error) as exc:  # pragma: no cover - a valid MAC over a bad payload is our bug
            raise InvalidInput("not a cursor this list gave you for this query", field="cursor") from exc
        if not isinstance(key, dict):
            raise InvalidInput("not a cursor this list gave you for this query", field="cursor")
        return key


class PagingSettings(BaseSettings):
    """The cursor secret (Secrets Manager, ``CursorSecret`` in the template) of a function that serves lists."""

    cursor_secret_arn: str


@functools.cache
def function_secret(secret_arn: str) -> bytes:
    """The function's cursor secret, read once per container; the keys derived from it (cursor MACs,
    ``sanmenxia.idempotency``'s sealed records) each use their own label."""
    return str(aws.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"]).encode()


def default_secret() -> bytes:
    return function_secret(PagingSettings().cursor_secret_arn)  # type: ignore[call-arg]


@functools.cache
def codec(secret_arn: str) -> CursorCodec:
    """The codec of a function's cursor secret."""
    return CursorCodec(function_secret(secret_arn))


def default_codec() -> CursorCodec:
    return codec(PagingSettings().cursor_secret_arn)  # type: ignore[call-arg]


def reset() -> None:
    codec.cache_clear()
    function_secret.cache_clear()
