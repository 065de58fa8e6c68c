"""The DynamoDB toolkit every store uses: transactions, conditional writes and batches.

* ``transact`` runs ``TransactWriteItems`` with a ``ClientRequestToken`` and turns a cancellation into a domain
  error that names the failing condition (``ConditionFailed``), or into the refusal the store chose for it.
* Writes that may be retried recognise their own earlier success. The SDK retries a call that timed out, and
  DynamoDB may have applied it meanwhile; the retry then fails its own condition (``attribute_not_exists``, a
  version check) and would come back as a conflict. Every conditional ``Put``/``Update`` written here carries the
  call's token in ``WRITTEN_BY`` and asks for the stored item on a failed check (``ALL_OLD``); a stored item
  carrying the same token means the write is ours and already done. (DynamoDB honours a transaction's token
  for ten minutes; single writes have none, and moto ignores it — the marker covers all three.)
* ``batch_get`` / ``batch_write`` page the request (100 keys, 25 writes) and retry unprocessed items with
  exponential backoff and jitter.
* ``query_all`` follows ``LastEvaluatedKey`` to the end.

Only this module and the stores import botocore; what leaves here is a ``sanmenxia.errors`` exception.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from sanmenxia.errors import Conflict, UpstreamUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

#: The attribute that records which call last wrote an item (see the module docstring). Readers ignore it.
WRITTEN_BY = "written_by"

BATCH_READ = 100
BATCH_WRITE = 25
ATTEMPTS = 8
BASE_DELAY = 0.05
MAX_DELAY = 2.0

#: The pause between attempts; tests replace it to run without waiting.
sleep: Callable[[float], None] = time.sleep

_CONDITION_FAILED = "ConditionalCheckFailed"


class ConditionFailed(Conflict):
    """A condition of a write did not hold (and the item does not carry this call's own earlier write).

    ``index`` is the failing operation's place in the transaction (0 for a single write), ``table`` its table
    and ``condition`` its condition expression, so a store can choose the refusal and a log can say which."""

    def __init__(self, message: str, *, index: int, table: str, condition: str, operation: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.index = index
        self.table = table
        self.condition = condition
        self.operation: Mapping[str, Any] = operation or {}

    @property
    def key(self) -> dict[str, Any]:
        """The failing item's key (a ``Put``'s whole item carries it too)."""
        return dict(self.operation.get("Key") or self.operation.get("Item") or {})


class Busy(Conflict):
    """A transaction was cancelled for a reason other than a condition (a concurrent transaction on the same
    item, throttling): nothing was written; the same request may be sent again."""


def new_token() -> str:
    """A fresh request token (a UUID: 36 characters, DynamoDB's maximum)."""
    return str(uuid.uuid4())


def backoff(attempt: int) -> float:
    """Full-jitter exponential backoff for ``attempt`` (0-based), capped at ``MAX_DELAY`` seconds."""
    return random.uniform(0, min(MAX_DELAY, BASE_DELAY * 2**attempt))


# -- the written-by marker ------------------------------------------------------------------------------------
def _marked(operation_type: str, operation: dict[str, Any], token: str) -> dict[str, Any]:
    """``operation`` with ``WRITTEN_BY`` set to ``token`` (only conditional puts and updates can fail a check
    and leave an item to compare); a failed check returns the stored item (``ALL_OLD``), so no read is needed."""
    if "ConditionExpression" not in operation:
        return operation
    operation = {**operation, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    if operation_type == "Put":
        return {**operation, "Item": {**operation["Item"], WRITTEN_BY: {"S": token}}}
    if operation_type == "Update":
        names = {**operation.get("ExpressionAttributeNames", {}), "#written_by": WRITTEN_BY}
        values = {**operation.get("ExpressionAttributeValues", {}), ":written_by": {"S": token}}
        expression = _with_set(operation["UpdateExpression"], "#written_by = :written_by")
        return {**operation, "UpdateExpression": expression, "ExpressionAttributeNames": names, "ExpressionAttributeValues": values}
    return operation


def _with_set(expression: str, assignment: str) -> str:
    """Add ``assignment`` to an update expression's ``SET`` clause (or add a ``SET`` clause)."""
    words = expression.split()
    for index, word in enumerate(words):
        if word.upper() == "SET":
            return " ".join([*words[: index + 1], f"{assignment},", *words[index + 1 :]])
    return f"{expression} SET {assignment}"


def _ours(item: Mapping[str, Any] | None, token: str) -> bool:
    """True when ``item`` (the stored item a failed check returned) was last written by the call using ``token``."""
    return bool(item) and (item or {}).get(WRITTEN_BY, {}).get("S") == token


# -- transactions ---------------------------------------------------------------------------------------------
def transact(
    db: DynamoDBClient,
    writes: Sequence[Mapping[str, Any]],
    *,
    what: str,
    refusals: Mapping[int, Exception] | None = None,
    token: str | None = None,
) -> None:
    """Run ``writes`` as one transaction carrying ``token`` (a fresh one by default).

    A failed condition raises ``refusals[i]`` for the failing operation ``i`` when the store named one, else
    ``ConditionFailed`` naming it — unless the items already carry this token (an earlier attempt succeeded),
    which is success. Other cancellations raise ``Busy``; any other error ``UpstreamUnavailable``."""
    token = token or new_token()
    prepared = [{kind: _marked(kind, dict(op), token) for kind, op in write.items()} for write in writes]
    try:
        db.transact_write_items(TransactItems=cast("list[TransactWriteItemTypeDef]", prepared), ClientRequestToken=token)
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        if code != "TransactionCanceledException":
            if code == "TransactionInProgressException":
                raise Busy(f"the {what} is being saved; send it again") from exc
            raise UpstreamUnavailable(f"could not save the {what} ({code})") from exc
        reasons = [str(reason.get("Code") or "None") for reason in exc.response.get("CancellationReasons", [])]
        if _CONDITION_FAILED not in reasons:
            raise Busy(f"the {what} is busy ({', '.join(sorted(set(reasons) - {'None'})) or 'cancelled'}); try again") from exc
        index = reasons.index(_CONDITION_FAILED)
        if _ours(exc.response["CancellationReasons"][index].get("Item"), token):
            return  # an earlier attempt of this very call was applied (the transaction is atomic)
        if refusals and index in refusals:
            raise refusals[index] from exc
        kind, operation = next(iter(prepared[index].items()))
        raise ConditionFailed(
            f"the {what} changed meanwhile ({kind.lower()} on {operation['TableName']}: {operation.get('ConditionExpression', '')}); reload and try again",
            index=index,
            table=operation["TableName"],
            condition=str(operation.get("ConditionExpression", "")),
            operation=operation,
        ) from exc


# -- single conditional writes ------------------------------------------------------------------------------------
def put(db: DynamoDBClient, *, what: str, token: str | None = None, **request: Any) -> None:
    """``PutItem``; with a ``ConditionExpression`` a failed check raises ``ConditionFailed`` unless the stored
    item is this call's own earlier write."""
    _conditional(db, "Put", request, what, token)


def update(db: DynamoDBClient, *, what: str, token: str | None = None, **request: Any) -> dict[str, Any]:
    """``UpdateItem`` (returns the response); a failed check as in ``put``."""
    return _conditional(db, "Update", request, what, token)


def _conditional(db: DynamoDBClient, kind: str, request: dict[str, Any], what: str, token: str | None) -> dict[str, Any]:
    token = token or new_token()
    prepared = _marked(kind, request, token)
    call = db.put_item if kind == "Put" else db.update_item
    try:
        return cast("dict[str, Any]", call(**prepared))
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        if code != "ConditionalCheckFailedException":
            raise UpstreamUnavailable(f"could not save the {what} ({code})") from exc
        if _ours(exc.response.get("Item"), token):  # type: ignore[arg-type]
            return {}
        raise ConditionFailed(
            f"the {what} changed meanwhile ({prepared.get('ConditionExpression', '')})",
            index=0,
            table=prepared["TableName"],
            condition=str(prepared.get("ConditionExpression", "")),
            operation=prepared,
        ) from exc


# -- batches ----------------------------------------------------------------------------------------------------------
def _chunks(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def batch_get(
    db: DynamoDBClient,
    table: str,
    keys: Iterable[Mapping[str, Any]],
    *,
    what: str,
    projection: str | None = None,
    names: Mapping[str, str] | None = None,
    consistent: bool = False,
) -> list[dict[str, Any]]:
    """The items at ``keys`` (missing ones left out, in no particular order), 100 keys a request, unprocessed
    keys retried with backoff; ``UpstreamUnavailable`` when they stay unprocessed."""
    found: list[dict[str, Any]] = []
    for chunk in _chunks([dict(key) for key in keys], BATCH_READ):
        spec: dict[str, Any] = {"Keys": list(chunk)}
        if projection:
            spec["ProjectionExpression"] = projection
        if names:
            spec["ExpressionAttributeNames"] = dict(names)
        if consistent:
            spec["ConsistentRead"] = True
        for response in _until_processed(db.batch_get_item, {table: spec}, "UnprocessedKeys", f"read the {what}"):
            found.extend(response.get("Responses", {}).get(table, []))
    return found


def batch_get_tables(db: DynamoDBClient, keys: Mapping[str, Sequence[Mapping[str, Any]]], *, what: str) -> dict[str, list[dict[str, Any]]]:
    """Eventually consistent reads of at most 100 keys in several tables in one ``BatchGetItem`` (unprocessed keys
    retried with backoff): table -> the items found (missing ones left out)."""
    if sum(len(table_keys) for table_keys in keys.values()) > BATCH_READ:
        raise ValueError(f"at most {BATCH_READ} keys in one batch")
    found: dict[str, list[dict[str, Any]]] = {table: [] for table in keys}
    request = {table: {"Keys": [dict(key) for key in table_keys]} for table, table_keys in keys.items() if table_keys}
    for response in _until_processed(db.batch_get_item, request, "UnprocessedKeys", f"read the {what}"):
        for table, items in response.get("Responses", {}).items():
            found.setdefault(table, []).extend(items)
    return found


def batch_write(db: DynamoDBClient, table: str, requests: Iterable[Mapping[str, Any]], *, what: str) -> None:
    """``PutRequest``/``DeleteRequest`` entries for ``table``, 25 a request, unprocessed ones retried with
    backoff; ``UpstreamUnavailable`` when they stay unprocessed."""
    for chunk in _chunks([dict(entry) for entry in requests], BATCH_WRITE):
        for _response in _until_processed(db.batch_write_item, {table: list(chunk)}, "UnprocessedItems", f"save the {what}"):
            pass


def _until_processed(call: Callable[..., Mapping[str, Any]], request: dict[str, Any], leftover: str, doing: str) -> Iterator[Mapping[str, Any]]:
    """Send a batch request, then what it left unprocessed, with backoff, until nothing is left (each response
    is yielded); ``UpstreamUnavailable`` after ``ATTEMPTS`` tries."""
    for attempt in range(ATTEMPTS):
        try:
            response = call(RequestItems=request)
        except ClientError as exc:
            raise UpstreamUnavailable(f"could not {doing}") from exc
        yield response
        request = response.get(leftover) or {}
        if not request:
            return
        sleep(backoff(attempt))
    raise UpstreamUnavailable(f"could not {doing} (throttled)")


def query_all(db: DynamoDBClient, *, what: str, **request: Any) -> list[dict[str, Any]]:
    """Every item a ``Query`` returns, following ``LastEvaluatedKey``."""
    items: list[dict[str, Any]] = []
    try:
        while True:
            page = db.query(**request)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return items
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    except ClientError as exc:
        raise UpstreamUnavailable(f"could not read the {what}") from exc
