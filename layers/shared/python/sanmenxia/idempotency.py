"""Idempotent creates (Powertools idempotency on a DynamoDB store, ``IdempotencyTable`` in the template).

A create runs once per *request identity* and a repeat gets the first result back:

* with an ``Idempotency-Key`` header, the identity is (operation, caller, key) for ``KEYED_SECONDS``; the same key
  with another body is refused (422 naming ``Idempotency-Key``), never silently answered with the first result;
* without one, it is (operation, caller, body) for ``NATURAL_SECONDS``: an identical request from the same person
  shortly after (a double tap, a client retry) returns the record already made.

The operation is the method and the concrete path, so the same body sent to two parents (two enterprises) is two
creates. Failures are not remembered (Powertools deletes the in-progress record), so a failed create can be
retried. A repeat that arrives while the first is still running is a 409 to retry.

The remembered result is sealed (AES-GCM under a key derived from the function's cursor secret): a create's answer
may hold personal data in clear for its caller (an operator's own call record carries the caller's phone), and
nothing personal is stored in clear.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import os
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic_settings import BaseSettings

from sanmenxia import aws, paging

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
from sanmenxia.errors import Conflict, IdempotencyKeyReused, InvalidInput, UpstreamUnavailable

HEADER = "Idempotency-Key"
KEY_PATTERN = r"^[A-Za-z0-9_.:-]{8,128}$"
KEYED_SECONDS = 24 * 3600
NATURAL_SECONDS = 10 * 60
_KEY = re.compile(KEY_PATTERN)

Result = dict[str, Any]


class IdempotencySettings(BaseSettings):
    idempotency_table: str


def request_identity(operation: str, caller: str, key: str | None, body: Any) -> dict[str, Any]:
    """What a create is recognised by: ``key`` (validated) when the client sent one, else the body itself."""
    if key is not None and not _KEY.match(key):
        raise InvalidInput("8–128 characters of letters, digits and _ . : - (a UUID will do)", field=HEADER)
    return {"operation": operation, "caller": caller, "key": key, "body": body}


_SEALED = "sealed"
_AAD = b"sanmenxia idempotency record v1"


@functools.cache
def _sealer(secret: bytes) -> AESGCM:
    return AESGCM(hmac.new(secret, _AAD, hashlib.sha256).digest())  # its own key, derived from the cursor secret


def _seal(result: Result) -> Result:
    nonce = os.urandom(12)
    sealed = _sealer(paging.default_secret()).encrypt(nonce, json.dumps(result).encode(), _AAD)
    return {_SEALED: base64.b64encode(nonce + sealed).decode()}


def _open(record: Result) -> Result:
    raw = base64.b64decode(record[_SEALED])
    opened: Result = json.loads(_sealer(paging.default_secret()).decrypt(raw[:12], raw[12:], _AAD))
    return opened


@functools.cache
def _runner(table: str, keyed: bool) -> tuple[IdempotencyConfig, Callable[..., Result]]:
    # Powertools' idempotency is imported with the first create, not when a function's module loads (every HTTP
    # function imports this module for its route declarations; most cold starts serve reads).
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig, idempotent_function

    store = DynamoDBPersistenceLayer(table_name=table, boto3_client=aws.client("dynamodb"))
    config = IdempotencyConfig(
        event_key_jmespath="[operation, caller, key]" if keyed else "[operation, caller, body]",
        payload_validation_jmespath="body" if keyed else "",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=KEYED_SECONDS if keyed else NATURAL_SECONDS,
    )

    @idempotent_function(data_keyword_argument="identity", persistence_store=store, config=config)  # type: ignore[untyped-decorator]
    def create_once(*, identity: dict[str, Any], create: Callable[[], Result]) -> Result:
        return _seal(create())

    return config, create_once


def once(identity: Mapping[str, Any], create: Callable[[], Result], *, lambda_context: Any = None, table: str | None = None) -> Result:
    """``create()``'s result, computed once per ``identity`` (from ``request_identity``) and replayed after."""
    config, runner = _runner(table or IdempotencySettings().idempotency_table, identity.get("key") is not None)  # type: ignore[call-arg]
    if lambda_context is not None:  # an in-progress record then expires with the invocation, as in Lambda
        config.register_lambda_context(lambda_context)
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyPersistenceLayerError,
        IdempotencyValidationError,
    )

    try:
        return _open(runner(identity=dict(identity), create=create))
    except IdempotencyValidationError as exc:
        raise IdempotencyKeyReused("this Idempotency-Key was already used for a different request", field=HEADER) from exc
    except IdempotencyAlreadyInProgressError as exc:
        raise Conflict("the same request is still being processed; retry in a moment") from exc
    except IdempotencyPersistenceLayerError as exc:
        raise UpstreamUnavailable("could not record the request for retries") from exc


def reset() -> None:
    _runner.cache_clear()
    _sealer.cache_clear()
