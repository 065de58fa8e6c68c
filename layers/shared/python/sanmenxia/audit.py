"""Accountability (留痕): every staff write leaves an append-only audit record.

A record says who (Cognito sub and username), in which role, did what (action) to which target, when,
and fingerprints of the target before and after (digests, never the data itself, so the audit trail holds
no personal data). The functions' IAM policies grant ``dynamodb:PutItem`` on the audit table and nothing
else, and every put is conditional on the key being new: records are never overwritten.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sanmenxia import clock
from sanmenxia.auth import Principal
from sanmenxia.pii import digest

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def fingerprint(state: Any) -> str | None:
    """A stable digest of a record's state (``None`` when there was no record)."""
    if state is None:
        return None
    return digest(json.dumps(state, sort_keys=True, default=str, ensure_ascii=False))


@dataclass(frozen=True)
class AuditRecord:
    actor_sub: str
    actor: str
    role: str
    action: str
    target: str
    at: str
    before: str | None
    after: str | None

    def item(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "target": {"S": self.target},
            "sk": {"S": f"{self.at}#{secrets.token_hex(4)}"},
            "actor_sub": {"S": self.actor_sub},
            "actor": {"S": self.actor},
            "role": {"S": self.role},
            "action": {"S": self.action},
            "at": {"S": self.at},
            "dt": {"S": self.at[:10]},
        }
        if self.before:
            item["before"] = {"S": self.before}
        if self.after:
            item["after"] = {"S": self.after}
        return item


def record(principal: Principal, action: str, target: str, before: Any = None, after: Any = None) -> AuditRecord:
    return AuditRecord(
        actor_sub=principal.sub,
        actor=principal.username,
        role=principal.primary_role,
        action=action,
        target=target,
        at=clock.iso(),
        before=fingerprint(before),
        after=fingerprint(after),
    )


class AuditLog:
    """Writes audit records; ``dynamodb`` is a boto3 DynamoDB client."""

    def __init__(self, dynamodb: DynamoDBClient, table: str) -> None:
        self._db = dynamodb
        self._table = table

    def put_request(self, entry: AuditRecord) -> dict[str, Any]:
        """The ``Put`` of a ``TransactWriteItems`` call, so the audit lands with the write it records."""
        return {"Put": {"TableName": self._table, "Item": entry.item(), "ConditionExpression": "attribute_not_exists(sk)"}}

    def append(self, entry: AuditRecord) -> None:
        self._db.put_item(TableName=self._table, Item=entry.item(), ConditionExpression="attribute_not_exists(sk)")
