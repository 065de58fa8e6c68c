"""Cached factories for the shared services, keyed by the settings that configure them.

Functions call these with their own settings; two functions (or two tests with different tables) never
share an instance built for another table, and nothing is built at import time.
"""

from __future__ import annotations

import functools

from sanmenxia import aws, breakglass, idempotency, paging, retention
from sanmenxia.audit import AuditLog
from sanmenxia.holds import HoldStore
from sanmenxia.people import PeopleRegistry
from sanmenxia.pii import Vault
from sanmenxia.settings import FunctionSettings


class PeopleSettings(FunctionSettings):
    """Variables of every function that reads or writes the people registry."""

    people_table: str
    audit_table: str
    pii_key_id: str
    lookup_secret_arn: str


@functools.cache
def lookup_secret(arn: str) -> bytes:
    """The HMAC key for look-up keys (Secrets Manager, read once per container)."""
    return str(aws.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]).encode()


@functools.cache
def vault(key_id: str) -> Vault:
    return Vault(aws.client("kms"), key_id)


@functools.cache
def audit_log(table: str) -> AuditLog:
    return AuditLog(aws.client("dynamodb"), table)


@functools.cache
def holds(table: str) -> HoldStore:
    return HoldStore(aws.client("dynamodb"), table)


@functools.cache
def people(settings: PeopleSettings) -> PeopleRegistry:
    return PeopleRegistry(
        aws.client("dynamodb"),
        settings.people_table,
        vault(settings.pii_key_id),
        lambda: lookup_secret(settings.lookup_secret_arn),
        audit_log(settings.audit_table),
    )


def reset() -> None:
    """Forget every cached service and client (tests, between moto contexts)."""
    for factory in (lookup_secret, vault, audit_log, holds, people):
        factory.cache_clear()
    paging.reset()
    breakglass.reset()
    retention.settings.cache_clear()
    idempotency.reset()
    aws.reset()
