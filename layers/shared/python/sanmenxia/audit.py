"""Accountability (留痕): every staff write leaves an append-only audit record.

A record says who (Cognito sub and username), in which role, did what (action) to which target, when,
and fingerprints of the target before and after (digests, never the data itself, so the audit trail holds
no personal data). The functions' IAM policies grant ``dynamodb:PutItem`` on the audit table and nothing
else, and every put is conditional on the key being new: records are never overwritten.

A record about one person's data names that person (``subject``, their person id) and carries the actor's unit
and, for an access that needs one, a reason code: the ``subject-index`` lists every record about a person, which
is how their own timeline shows every staff access to their record (``sanmenxia.accountability``).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sanmenxia import clock
from sanmenxia.auth import Principal, Role
from sanmenxia.pii import digest

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def fingerprint(state: Any) -> str | None:
    """A stable digest of a record's state (``None`` when there was no record)."""
    if state is None:
        return None
    return digest(json.dumps(state, sort_keys=True, default=str, ensure_ascii=False))


def unit_of(principal: Principal) -> str:
    """The unit a staff member acts for: their community, department, county, or the city."""
    if principal.has(Role.ADMIN):
        return "city"
    if principal.has(Role.COMMUNITY_HEAD) and principal.scope_value("community_id"):
        return f"community:{principal.scope_value('community_id')}"
    if principal.has(Role.DEPARTMENT_HANDLER) and principal.scope_value("department"):
        county = principal.scope_value("county_code")
        return f"department:{principal.scope_value('department')}" + (f"@{county}" if county else "")
    if principal.has(Role.CHECKPOINT_STAFF) and principal.scope_value("checkpoint_id"):
        return f"checkpoint:{principal.scope_value('checkpoint_id')}"
    if principal.has(Role.ENTERPRISE_ADMIN) and principal.scope_value("enterprise_id"):
        return f"enterprise:{principal.scope_value('enterprise_id')}"
    county = principal.scope_value("county_code")
    return f"county:{county}" if county else "city"


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
    unit: str | None = None
    subject: str | None = None  # the person whose data this record is about (their person id)
    reason_code: str | None = None  # why (a code, never free text: the audit trail holds no personal data)

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
        for name in ("unit", "subject", "reason_code"):
            value = getattr(self, name)
            if value:
                item[name] = {"S": value}
        return item


def record(
    principal: Principal,
    action: str,
    target: str,
    before: Any = None,
    after: Any = None,
    *,
    subject: str | None = None,
    reason_code: str | None = None,
) -> AuditRecord:
    """An audit record of ``principal``'s ``action`` on ``target``; ``subject``: the person it is about."""
    return AuditRecord(
        actor_sub=principal.sub,
        actor=principal.username,
        role=principal.primary_role,
        action=action,
        target=target,
        at=clock.iso(),
        before=fingerprint(before),
        after=fingerprint(after),
        unit=unit_of(principal) if principal.is_staff else None,
        subject=subject,
        reason_code=reason_code,
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
