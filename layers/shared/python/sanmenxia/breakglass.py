"""Break-glass (紧急查阅, issue 18): staff reading a person's record outside their scope give a reason first.

A grant (``POST /access-grants``) names the person, a reason code and a justification (sealed: it may hold
personal data). It lets that staff member read that person's record for a short, configured time
(``BREAK_GLASS_MINUTES``), is audited with the person as the record's subject, shows in the person's own
timeline with the justification, and is counted on the supervision list (``GET /supervision/access-grants``).

``read_access`` is the one check a staff read of a person's record goes through: in scope, the read is audited
(``person.read``); out of scope with an active grant, audited as ``person.read.break_glass`` with the grant's
reason code; out of scope without one, a 403 naming ``reason``. Every staff read leaves a record the person sees.

``AccessGrantsTable``: ``person_id`` (hash) and ``grant_key`` = ``<actor sub>#<granted at>`` (range); GSI
``county-index`` (``county_code``, ``granted_at``) for the supervision list; TTL ``expires_at`` (retention).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from sanmenxia import audit, aws, clock, dynamo, paging, scope
from sanmenxia.audit import AuditLog, AuditRecord, unit_of
from sanmenxia.auth import Principal, Role
from sanmenxia.errors import Forbidden, UpstreamUnavailable
from sanmenxia.scope import Place

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

SEAL_PURPOSE = "break_glass"
READ_ACTION = "person.read"
BREAK_GLASS_READ = "person.read.break_glass"
GRANT_ACTION = "person.break_glass.grant"
#: A person's full record (their timeline) is read without a reason only by the head of their own community.
FULL_RECORD_ROLES = frozenset({Role.COMMUNITY_HEAD})


class ReasonCode(StrEnum):
    """Why staff must read a record outside their scope (the justification says more, sealed)."""

    EMERGENCY_CARE = "emergency_care"  # 紧急救治
    EPIDEMIC_INVESTIGATION = "epidemic_investigation"  # 流行病学调查
    APPEAL_REVIEW = "appeal_review"  # 申诉复核
    SUPERVISION = "supervision"  # 督查
    LEGAL_REQUEST = "legal_request"  # 依法调取


class GrantSettings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    access_grants_table: str
    #: How long a break-glass grant lets its holder read the record.
    break_glass_minutes: int = Field(default=30, ge=1, le=24 * 60)
    #: How long a grant is kept (for supervision and the person's timeline) after it was made.
    grant_retention_days: int = Field(default=365, ge=1, le=3650)


@dataclass(frozen=True)
class Grant:
    person_id: str
    actor_sub: str
    actor: str
    role: str
    unit: str
    county_code: str
    community_id: str
    reason_code: ReasonCode
    justification_sealed: str
    granted_at: str
    valid_until: str

    @property
    def grant_key(self) -> str:
        return f"{self.actor_sub}#{self.granted_at}"

    def active(self, now: datetime) -> bool:
        return clock.iso(now) < self.valid_until

    def to_json(self, now: datetime, *, justification: str | None = None) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "actor": self.actor,
            "role": self.role,
            "unit": self.unit,
            "county_code": self.county_code,
            "community_id": self.community_id,
            "reason_code": self.reason_code.value,
            "justification": justification,
            "granted_at": self.granted_at,
            "valid_until": self.valid_until,
            "active": self.active(now),
        }


def _s(value: str) -> dict[str, str]:
    return {"S": value}


class GrantStore:
    """Break-glass grants. ``dynamodb`` is a boto3 client."""

    def __init__(self, dynamodb: DynamoDBClient, table: str, *, retention_days: int = 365) -> None:
        self._db = dynamodb
        self._table = table
        self._retention_days = retention_days

    def _item(self, grant: Grant) -> dict[str, Any]:
        expires = int(clock.now().timestamp()) + self._retention_days * 86400
        return {
            "person_id": _s(grant.person_id),
            "grant_key": _s(grant.grant_key),
            "actor_sub": _s(grant.actor_sub),
            "actor": _s(grant.actor),
            "role": _s(grant.role),
            "unit": _s(grant.unit),
            "county_code": _s(grant.county_code),
            "community_id": _s(grant.community_id),
            "reason_code": _s(grant.reason_code.value),
            "justification_sealed": _s(grant.justification_sealed),
            "granted_at": _s(grant.granted_at),
            "valid_until": _s(grant.valid_until),
            "expires_at": {"N": str(expires)},
        }

    @staticmethod
    def _grant(item: Mapping[str, Any]) -> Grant:
        def text(name: str) -> str:
            return str(item[name]["S"])

        return Grant(
            person_id=text("person_id"),
            actor_sub=text("actor_sub"),
            actor=text("actor"),
            role=text("role"),
            unit=text("unit"),
            county_code=text("county_code"),
            community_id=text("community_id"),
            reason_code=ReasonCode(text("reason_code")),
            justification_sealed=text("justification_sealed"),
            granted_at=text("granted_at"),
            valid_until=text("valid_until"),
        )

    def put(self, grant: Grant, audit_put: Mapping[str, Any]) -> None:
        """The grant and its audit record, in one transaction."""
        put = {"Put": {"TableName": self._table, "Item": self._item(grant), "ConditionExpression": "attribute_not_exists(grant_key)"}}
        dynamo.transact(self._db, [put, audit_put], what="the break-glass grant")

    def _query(self, request: Mapping[str, Any], what: str) -> list[Grant]:
        try:
            items = self._db.query(**request).get("Items", [])
        except ClientError as exc:
            raise UpstreamUnavailable(f"could not read {what}") from exc
        return [self._grant(item) for item in items]

    def active(self, person_id: str, actor_sub: str, now: datetime) -> Grant | None:
        """The caller's newest grant on the person that is still valid, if any (a strong read: just granted)."""
        found = self._query(
            {
                "TableName": self._table,
                "KeyConditionExpression": "person_id = :p AND begins_with(grant_key, :a)",
                "ExpressionAttributeValues": {":p": _s(person_id), ":a": _s(f"{actor_sub}#")},
                "ScanIndexForward": False,
                "Limit": 20,
                "ConsistentRead": True,
            },
            "the break-glass grants",
        )
        return next((grant for grant in found if grant.active(now)), None)

    def for_person(self, person_id: str, limit: int = 200) -> list[Grant]:
        """Every grant on a person (newest actor-key first; the caller sorts by time)."""
        request = {
            "TableName": self._table,
            "KeyConditionExpression": "person_id = :p",
            "ExpressionAttributeValues": {":p": _s(person_id)},
            "Limit": limit,
        }
        return self._query(request, "the break-glass grants")

    def page_county(self, county_code: str, *, limit: int, start: Mapping[str, Any] | None) -> tuple[list[Grant], dict[str, Any] | None]:
        """A county's grants, newest first (the supervision list)."""
        query = {
            "TableName": self._table,
            "IndexName": "county-index",
            "KeyConditionExpression": "county_code = :c",
            "ExpressionAttributeValues": {":c": _s(county_code)},
            "ScanIndexForward": False,
        }
        raw = paging.query_page(
            self._db, query, limit=limit, start=start, key_attributes=("person_id", "grant_key", "county_code", "granted_at"), what="the grants"
        )
        return [self._grant(item) for item in raw.items], raw.last_key


def new_grant(principal: Principal, person_id: str, county_code: str, community_id: str, reason: ReasonCode, sealed: str, minutes: int) -> Grant:
    now = clock.now()
    return Grant(
        person_id=person_id,
        actor_sub=principal.sub,
        actor=principal.username,
        role=principal.primary_role,
        unit=unit_of(principal),
        county_code=county_code,
        community_id=community_id,
        reason_code=reason,
        justification_sealed=sealed,
        granted_at=clock.iso(now),
        valid_until=clock.iso(now + timedelta(minutes=minutes)),
    )


def grant_audit(principal: Principal, grant: Grant) -> AuditRecord:
    return audit.record(
        principal,
        GRANT_ACTION,
        f"person#{grant.person_id}",
        None,
        {"valid_until": grant.valid_until, "reason_code": grant.reason_code.value},
        subject=grant.person_id,
        reason_code=grant.reason_code.value,
    )


def full_record_reader(principal: Principal) -> Principal:
    """The caller as the full-record rule sees them: only their roles that read a full record without a reason."""
    return replace(principal, roles=frozenset(principal.roles & FULL_RECORD_ROLES))


def read_access(
    principal: Principal,
    place: Place,
    person_id: str,
    *,
    grants: GrantStore,
    audit_log: AuditLog,
    what: str = "this person's record",
    full_record: bool = False,
    target: str | None = None,
) -> AuditRecord:
    """Let a staff member read a person's record (in scope, or out of scope with an active grant) and audit the
    read with the person as its subject; refuse (403 naming ``reason``) out of scope without a grant."""
    judged = full_record_reader(principal) if full_record else principal
    missing = scope.decide(judged, place) if judged.roles else "their community head's scope (a full record is read by them alone)"
    grant = None
    if missing is not None:
        grant = grants.active(person_id, principal.sub, clock.now())
        if grant is None:
            raise Forbidden(
                f"{what} is outside your scope for read: it needs {missing}; to read it anyway give a reason first"
                " (POST /access-grants: break-glass, audited and shown to the person)",
                field="reason",
            )
    entry = audit.record(
        principal,
        BREAK_GLASS_READ if grant else READ_ACTION,
        target or f"person#{person_id}",
        subject=person_id,
        reason_code=grant.reason_code.value if grant else None,
    )
    audit_log.append(entry)
    return entry


@functools.cache
def grant_settings() -> GrantSettings:
    return GrantSettings()  # type: ignore[call-arg]


@functools.cache
def grant_store(table: str, retention_days: int = 365) -> GrantStore:
    return GrantStore(aws.client("dynamodb"), table, retention_days=retention_days)


def default_store() -> GrantStore:
    chosen = grant_settings()
    return grant_store(chosen.access_grants_table, chosen.grant_retention_days)


def reset() -> None:
    grant_settings.cache_clear()
    grant_store.cache_clear()
