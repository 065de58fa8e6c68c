"""moto's server for the local stack, with fixes that keep a long demo correct, within bounded memory, and
Cognito's sign-in as the app meets it in AWS.

``python -m infra.local.motoserver -H 127.0.0.1 -p 4566`` is ``python -m moto.server`` after ``patch()``:

1. **A cancelled transaction keeps the table object, and costs what it touches.** moto backs up every table a
   transaction touches with a deep copy (every item, on every transaction: time quadratic in a table's size and
   memory left at its high-water mark) and, when the transaction is cancelled, puts the *copy* in place of the
   table; the stream shard moved with it, so a reader kept reading an orphaned shard. Here the backup is a
   shallow stand-in, the items the transaction names are copied before it runs and put back when it is
   cancelled (with the stream records it appended dropped), and the live table and shard objects stay.
2. **DynamoDB requests run one at a time.** Between the backup and the rollback, a concurrent write (the
   server is threaded) would be lost with the rollback; a lock around each DynamoDB and Streams request rules
   that out (moto is bound by one core anyway).
3. **Bounded buffers.** moto stores a new shard iterator on every ``GetRecords`` call and never forgets one; here
   a used iterator is dropped and one unused for 15 minutes expires (``ExpiredIteratorException``), as in AWS.
   A stream shard keeps every record ever written (images included); here the records every reader has passed
   are dropped, and in any case all but the newest ``STREAM_RECORDS_KEPT`` (DynamoDB keeps 24 hours).
4. **Cognito sign-in aliases and existence errors.** moto ignores a pool's ``AliasAttributes`` and a client's
   ``PreventUserExistenceErrors``. Here, as in Cognito: confirming a sign-up verifies the phone number when the
   pool auto-verifies it; a pool with the ``phone_number`` alias finds a user by a *verified* phone number (sign-in,
   forgotten password), and the session and tokens carry the user's own name; with existence errors prevented,
   an unknown user at sign-in is the same ``NotAuthorizedException`` as a wrong password.
"""

from __future__ import annotations

import copy
import os
import sys
import threading
import time
import weakref
from typing import Any

#: Records kept per stream shard (the pump reads within seconds; older records are what DynamoDB would expire).
STREAM_RECORDS_KEPT = int(os.environ.get("LOCAL_STREAM_RECORDS_KEPT", "20000"))

#: Records a reader has passed are dropped this many at a time; an iterator unused this long expires (AWS: 15 min).
TRIM_STEP = 256
ITERATOR_SECONDS = 15 * 60

_LOCK = threading.RLock()
_SHALLOW_BACKUP = threading.local()
_patched = False


def _keep_table_objects(backend_class: Any, table_class: Any) -> None:
    original = backend_class.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        live = {name: (table, table.stream_shard) for name, table in self.tables.items()}
        ends = {name: shard.starting_sequence_number + len(shard.items) for name, (_, shard) in live.items() if shard is not None}
        undo = _before_images(self, transact_items)
        _SHALLOW_BACKUP.active = True
        try:
            original(self, transact_items)
        except BaseException:
            # Cancelled: put back the items the transaction touched and drop the stream records it appended.
            for table, key, previous in undo:
                _put_back(table, key, previous)
            for name, (_, shard) in live.items():
                if shard is not None:
                    del shard.items[max(0, ends[name] - shard.starting_sequence_number) :]
            raise
        finally:
            _SHALLOW_BACKUP.active = False
            for name, (table, shard) in live.items():
                if self.tables.get(name) is not None and self.tables[name] is not table:
                    table.stream_shard = shard
                    self.tables[name] = table  # moto put its stand-in in place: the live object stays

    def backup(self: Any, memo: dict[int, Any]) -> Any:
        """Inside a transaction, moto's "backup" of a whole table is a shallow stand-in (the wrapper above undoes
        the touched items instead: deep-copying every table a transaction touches, on every transaction, cost time
        quadratic in the table's size and left the process's memory at its high-water mark). Elsewhere (a
        table backup) the items are deep-copied and the stream shard shared."""
        clone = self.__class__.__new__(self.__class__)
        memo[id(self)] = clone
        shallow = getattr(_SHALLOW_BACKUP, "active", False)
        for key, value in self.__dict__.items():
            setattr(clone, key, value if shallow or key == "stream_shard" else copy.deepcopy(value, memo))
        return clone

    backend_class.transact_write_items = transact_write_items
    table_class.__deepcopy__ = backup


def _before_images(backend: Any, transact_items: list[dict[str, Any]]) -> list[tuple[Any, dict[str, Any], Any]]:
    """(table, key, a copy of the item or None) for every item a transaction names (moto refuses two operations
    on one item, so each appears once)."""
    undo = []
    for entry in transact_items:
        try:
            _, op = next(iter(entry.items()))
            table = backend.tables[op["TableName"]]
            source = op["Item"] if "Item" in op else op["Key"]
            key = {table.hash_key_attr: source[table.hash_key_attr]}
            if table.range_key_attr is not None:
                key[table.range_key_attr] = source[table.range_key_attr]
            current = backend.get_item(op["TableName"], key)
        except Exception:  # noqa: S112 - a malformed operation writes nothing; moto reports it
            continue
        undo.append((table, key, copy.deepcopy(current)))
    return undo


def _put_back(table: Any, key: dict[str, Any], previous: Any) -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType

    hash_value = DynamoType(key[table.hash_key_attr])
    if table.range_key_attr is None:
        if previous is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = previous
        return
    range_value = DynamoType(key[table.range_key_attr])
    if previous is None:
        table.items.get(hash_value, {}).pop(range_value, None)
        if hash_value in table.items and not table.items[hash_value]:
            del table.items[hash_value]
    else:
        table.items[hash_value][range_value] = previous


def _serialise(handler_class: Any) -> None:
    original = handler_class.call_action

    def call_action(self: Any) -> Any:
        with _LOCK:
            return original(self)

    handler_class.call_action = call_action


def _expire_iterators(backend: Any) -> None:
    """Iterators expire after ITERATOR_SECONDS, as in AWS (one asked for and never used would be kept forever)."""
    now = time.monotonic()
    for arn, iterator in list(backend.shard_iterators.items()):
        created = getattr(iterator, "created", None)
        if created is None:  # made before the patch (moto imported and used earlier in the process): its clock starts now
            iterator.created = now
        elif created < now - ITERATOR_SECONDS:
            del backend.shard_iterators[arn]


def _trim_streams(shard_class: Any, iterator_class: Any, streams_backend_class: Any) -> None:
    add, get = shard_class.add, shard_class.get
    readers: weakref.WeakSet[Any] = weakref.WeakSet()  # the iterators moto still holds (used ones are dropped)

    def add_and_trim(self: Any, old: Any, new: Any) -> None:
        add(self, old, new)
        # Records every reader has passed are dropped (in steps, a list's head being costly to cut), and in any
        # case all but the newest STREAM_RECORDS_KEPT.
        positions = [reader.sequence_number for reader in list(readers) if reader.stream_shard is self]
        behind = min(positions) - self.starting_sequence_number if positions else 0
        excess = max(len(self.items) - STREAM_RECORDS_KEPT, behind if behind >= TRIM_STEP else 0)
        if excess > 0:
            # Sequence numbers are ``starting_sequence_number + index``: move the start with the trim.
            excess = min(excess, len(self.items))
            del self.items[:excess]
            self.starting_sequence_number += excess

    def get_from_oldest_kept(self: Any, start: int, quantity: int) -> list[dict[str, Any]]:
        return get(self, max(start, self.starting_sequence_number), quantity)  # type: ignore[no-any-return]

    shard_class.add = add_and_trim
    shard_class.get = get_from_oldest_kept

    init = iterator_class.__init__

    def stamped(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self.created = time.monotonic()
        readers.add(self)

    iterator_class.__init__ = stamped

    get_records, get_shard_iterator = streams_backend_class.get_records, streams_backend_class.get_shard_iterator

    def get_records_once(self: Any, iterator_arn: str, limit: int) -> dict[str, Any]:
        from moto.core.exceptions import JsonRESTError

        _expire_iterators(self)
        if iterator_arn not in self.shard_iterators:
            raise JsonRESTError("ExpiredIteratorException", "the shard iterator has expired or is unknown")
        result = get_records(self, iterator_arn, limit)
        self.shard_iterators.pop(iterator_arn, None)  # used: the answer carries the next one
        return result  # type: ignore[no-any-return]

    def get_shard_iterator_expiring(self: Any, *args: Any, **kwargs: Any) -> Any:
        _expire_iterators(self)
        return get_shard_iterator(self, *args, **kwargs)

    streams_backend_class.get_records = get_records_once
    streams_backend_class.get_shard_iterator = get_shard_iterator_expiring


def _verified_phone_owner(pool: Any, value: str) -> Any:
    """The user whose verified phone number is ``value`` in a pool with the phone alias (Cognito's alias rule)."""
    if "phone_number" not in (pool.extended_config.get("AliasAttributes") or []):
        return None
    for user in pool.users.values():
        attributes = {attr["Name"]: attr["Value"] for attr in user.attributes}
        if attributes.get("phone_number") == value and attributes.get("phone_number_verified") == "true":
            return user
    return None


def _find_by_alias(pool_class: Any) -> None:
    get_user = pool_class._get_user

    def get_user_or_alias(self: Any, username: str) -> Any:
        return get_user(self, username) or _verified_phone_owner(self, username)

    pool_class._get_user = get_user_or_alias


def _verify_phone_on_confirm(backend_class: Any) -> None:
    confirm_sign_up = backend_class.confirm_sign_up

    def confirm_and_verify(self: Any, client_id: str, username: str) -> str:
        answer = confirm_sign_up(self, client_id, username)
        pool = next((pool for pool in self.user_pools.values() if client_id in pool.clients), None)
        user = pool._get_user(username) if pool is not None else None
        auto = (pool.extended_config.get("AutoVerifiedAttributes") or []) if pool is not None else []
        if user and "phone_number" in auto and any(attr["Name"] == "phone_number" for attr in user.attributes):
            user.attributes = [attr for attr in user.attributes if attr["Name"] != "phone_number_verified"]
            user.attributes.append({"Name": "phone_number_verified", "Value": "true"})
        return answer  # type: ignore[no-any-return]

    backend_class.confirm_sign_up = confirm_and_verify


def _sign_in_by_alias(backend_class: Any, not_found: type[Exception], not_authorized: type[Exception]) -> None:
    initiate_auth = backend_class.initiate_auth

    def initiate_auth_by_alias(self: Any, client_id: str, auth_flow: str, auth_parameters: dict[str, str]) -> Any:
        pool = next((pool for pool in self.user_pools.values() if client_id in pool.clients), None)
        parameters = dict(auth_parameters or {})
        name = parameters.get("USERNAME")
        owner = _verified_phone_owner(pool, name) if pool is not None and name and name not in pool.users else None
        if owner is not None:
            parameters["USERNAME"] = owner.username  # the session and the tokens carry the account's own name
        try:
            return initiate_auth(self, client_id, auth_flow, parameters)
        except not_found:
            if pool is not None and pool.clients[client_id].extended_config.get("PreventUserExistenceErrors") == "ENABLED":
                raise not_authorized("Incorrect username or password.") from None
            raise

    backend_class.initiate_auth = initiate_auth_by_alias


def patch() -> None:
    """Apply the fixes to moto's classes (idempotent; works in-process under ``mock_aws`` as well)."""
    global _patched
    if _patched:
        return
    from moto.cognitoidp.exceptions import NotAuthorizedError, UserNotFoundError
    from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUserPool
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import StreamShard, Table
    from moto.dynamodb.responses import DynamoHandler
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend, ShardIterator
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    _keep_table_objects(DynamoDBBackend, Table)
    _serialise(DynamoHandler)
    _serialise(DynamoDBStreamsHandler)
    _trim_streams(StreamShard, ShardIterator, DynamoDBStreamsBackend)
    _find_by_alias(CognitoIdpUserPool)
    _verify_phone_on_confirm(CognitoIdpBackend)
    _sign_in_by_alias(CognitoIdpBackend, UserNotFoundError, NotAuthorizedError)
    _patched = True


def main() -> None:
    patch()
    from moto.server import main as moto_main

    moto_main(sys.argv[1:])


if __name__ == "__main__":
    main()
