"""moto's server for the local stack, with fixes that keep a long demo correct, within bounded memory, and
Cognito's sign-in as the app meets it in AWS.

``python -m infra.local.motoserver -H 127.0.0.1 -p 4566`` is ``python -m moto.server`` after ``patch()``:

1. **A cancelled transaction keeps the table object.** moto backs up every table a transaction touches with a
   deep copy and, when the transaction is cancelled, puts the *copy* in place of the table. The stream shard
   moves with it, so a reader holding an iterator keeps reading the orphaned shard and sees nothing more from
   that table. Here the live table and shard objects stay; only their contents are restored from the copy.
2. **DynamoDB requests run one at a time.** Between moto's backup and its rollback, a concurrent write (the
   server is threaded) would be lost with the rollback; a lock around each DynamoDB and Streams request rules
   that out (moto is bound by one core anyway).
3. **Bounded buffers.** Every ``GetRecords`` call stores a new shard iterator and moto never forgets one (about
   2 MB a minute while the pump polls an idle stack); a used iterator is dropped here. A stream shard keeps
   every record ever written (images included); here it keeps the newest ``STREAM_RECORDS_KEPT`` records, as
   DynamoDB keeps 24 hours, and an iterator older than the trim reads from the oldest record kept. moto's
   transaction backup no longer deep-copies the stream shard (every record ever written, on every transaction).
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
from typing import Any

#: Records kept per stream shard (the pump reads within seconds; older records are what DynamoDB would expire).
STREAM_RECORDS_KEPT = int(os.environ.get("LOCAL_STREAM_RECORDS_KEPT", "20000"))

_LOCK = threading.RLock()
_patched = False


def _keep_table_objects(backend_class: Any, table_class: Any) -> None:
    original = backend_class.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        live = {name: (table, table.stream_shard) for name, table in self.tables.items()}
        ends = {name: shard.starting_sequence_number + len(shard.items) for name, (_, shard) in live.items() if shard is not None}
        try:
            original(self, transact_items)
        finally:
            for name, (table, shard) in live.items():
                restored = self.tables.get(name)
                if restored is None or restored is table:
                    continue
                # moto put its backup in place: copy the backup's contents into the live table instead, and drop
                # the stream records the cancelled operations appended (the backup shares the live shard).
                table.__dict__.update({key: value for key, value in restored.__dict__.items() if key != "stream_shard"})
                if shard is not None:
                    del shard.items[max(0, ends[name] - shard.starting_sequence_number) :]
                table.stream_shard = shard
                self.tables[name] = table

    def backup_without_stream(self: Any, memo: dict[int, Any]) -> Any:
        """moto's transaction backup: the items deep-copied, the stream shard shared (copying every record
        ever written on every transaction cost time and memory, and the shard is restored by length)."""
        clone = self.__class__.__new__(self.__class__)
        memo[id(self)] = clone
        for key, value in self.__dict__.items():
            setattr(clone, key, value if key == "stream_shard" else copy.deepcopy(value, memo))
        return clone

    backend_class.transact_write_items = transact_write_items
    table_class.__deepcopy__ = backup_without_stream


def _serialise(handler_class: Any) -> None:
    original = handler_class.call_action

    def call_action(self: Any) -> Any:
        with _LOCK:
            return original(self)

    handler_class.call_action = call_action


def _trim_streams(shard_class: Any, iterator_class: Any, streams_backend_class: Any) -> None:
    add, get = shard_class.add, shard_class.get

    def add_and_trim(self: Any, old: Any, new: Any) -> None:
        add(self, old, new)
        excess = len(self.items) - STREAM_RECORDS_KEPT
        if excess > 0:
            # Sequence numbers are ``starting_sequence_number + index``: move the start with the trim.
            del self.items[:excess]
            self.starting_sequence_number += excess

    def get_from_oldest_kept(self: Any, start: int, quantity: int) -> list[dict[str, Any]]:
        return get(self, max(start, self.starting_sequence_number), quantity)  # type: ignore[no-any-return]

    shard_class.add = add_and_trim
    shard_class.get = get_from_oldest_kept

    get_records = streams_backend_class.get_records

    def get_records_once(self: Any, iterator_arn: str, limit: int) -> dict[str, Any]:
        result = get_records(self, iterator_arn, limit)
        self.shard_iterators.pop(iterator_arn, None)  # used: the answer carries the next one
        return result  # type: ignore[no-any-return]

    streams_backend_class.get_records = get_records_once


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
