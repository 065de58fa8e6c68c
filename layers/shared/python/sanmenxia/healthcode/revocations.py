"""Revoked health-code tokens (吊销): a whole signing key, or every token of one person issued up to an instant.

A token carries no id of its own, so a person's revocation says "tokens of this person issued at or before
``before`` are refused"; the phone's next token (issued after) passes again. A key revocation refuses every
token signed with that key id, whatever its person. Online, the gate and ``/health-codes/verify`` consult the
store on every scan; offline scanners refresh the published list (``GET /health-codes/revocations``) together
with the JWKS, so a revocation reaches them at their next refresh.

The published list names persons only by ``person_hash`` (SHA-256 of the token's opaque ``sub``): a scanner
holding a token can check it, and the list itself names no one.

Stored in ``HealthCodeTable``: the list, partition ``_revoked``: ``key#<kid>`` (kept) and ``person#<person_id>``
(expires with DynamoDB TTL once no scan can still arrive for the tokens it refuses: longest token lifetime plus
the gate's late-sync window), read whole only for the published list. Every QR scan reads what concerns its
token, so those reads never meet on one partition key (the capacity model, ``make bench``): a person's entry is
copied to the person's own partition ``_revoked#<person_id>``, and a key's entry to each of ``KEY_COPIES``
partitions ``_revoked#k<NN>``; a scan reads the copy its person id chooses, eventually consistent (half a read
unit), and strongly only when what it found does not refuse the token. All copies are written in the one
transaction that records the revocation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia import clock, dynamo
from sanmenxia.audit import AuditLog, AuditRecord
from sanmenxia.errors import UpstreamUnavailable
from sanmenxia.healthcode.tokens import VerifiedCode

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

PARTITION = "_revoked"
#: Copies of every key revocation, so the scans of the rush (8,500 QR scans/s) spread their reads.
KEY_COPIES = 16


def _person_partition(person_id: str) -> str:
    return f"{PARTITION}#{person_id}"


def _key_partition(person_id: str) -> str:
    """The copy of the key revocations that a token of ``person_id`` reads (stable, spread evenly)."""
    return f"{PARTITION}#k{int(hashlib.sha256(person_id.encode()).hexdigest()[:8], 16) % KEY_COPIES:02d}"


#: A person's revocation must outlive every token it refuses (≤ 60 min) and every late scan of one (3 days).
PERSON_REVOCATION_DAYS = 4
REASON_REVOKED = "revoked"


class RevocationKind(StrEnum):
    KEY = "key"  # 签名密钥
    PERSON = "person"  # 个人的健康码令牌


def person_hash(person_id: str) -> str:
    """How the published list names a person: SHA-256 (hex) of the token's ``sub``."""
    return hashlib.sha256(person_id.encode()).hexdigest()


@dataclass(frozen=True)
class Revocation:
    kind: RevocationKind
    subject: str  # a key id, or a person id (never published in clear)
    before: int  # epoch seconds: tokens issued at or before are refused (key: the revocation instant)
    reason: str
    revoked_at: str

    @property
    def sk(self) -> str:
        return f"{self.kind.value}#{self.subject}"

    def refuses(self, token: VerifiedCode, at: datetime) -> bool:
        """Whether this revocation refuses ``token`` scanned at ``at`` (a scan made before the revocation
        stands: it was valid when the device saw it)."""
        if int(at.timestamp()) < self.before:
            return False
        if self.kind is RevocationKind.KEY:
            return token.key_id == self.subject
        return token.person_id == self.subject and int(token.issued_at.timestamp()) <= self.before

    def published(self) -> dict[str, Any]:
        if self.kind is RevocationKind.KEY:
            return {"kid": self.subject, "revoked_at": self.before}
        return {"person_hash": person_hash(self.subject), "issued_before": self.before, "revoked_at": self.before}

    def to_json(self) -> dict[str, Any]:
        body = {"kind": self.kind.value, "revoked_at": self.revoked_at, "reason": self.reason, "before": self.before}
        return body | ({"key_id": self.subject} if self.kind is RevocationKind.KEY else {"person_hash": person_hash(self.subject)})


def new_revocation(kind: RevocationKind, subject: str, reason: str, now: datetime) -> Revocation:
    return Revocation(kind, subject, int(now.timestamp()), reason, clock.iso(now))


def refusal(revocations: Iterable[Revocation], token: VerifiedCode, at: datetime) -> str | None:
    """``"revoked"`` when any of ``revocations`` refuses ``token`` at ``at``; else None."""
    return REASON_REVOKED if any(entry.refuses(token, at) for entry in revocations) else None


def published_list(revocations: Iterable[Revocation], now: datetime) -> dict[str, Any]:
    """The document offline scanners fetch with the JWKS."""
    entries = list(revocations)
    return {
        "generated_at": clock.iso(now),
        "keys": [entry.published() for entry in entries if entry.kind is RevocationKind.KEY],
        "tokens": [entry.published() for entry in entries if entry.kind is RevocationKind.PERSON],
    }


def _from_item(item: Mapping[str, Any]) -> Revocation:
    kind, _, subject = item["sk"]["S"].partition("#")
    return Revocation(RevocationKind(kind), subject, int(item["before"]["N"]), item.get("reason", {}).get("S", ""), item["revoked_at"]["S"])


class RevocationStore:
    """Revocations in ``HealthCodeTable`` (partition ``_revoked``); ``dynamodb`` is a boto3 client."""

    def __init__(self, dynamodb: DynamoDBClient, table: str, audit: AuditLog | None = None) -> None:
        self._db = dynamodb
        self._table = table
        self._audit = audit

    def _item(self, revocation: Revocation) -> dict[str, Any]:
        item: dict[str, Any] = {
            "person_id": {"S": PARTITION},
            "sk": {"S": revocation.sk},
            "before": {"N": str(revocation.before)},
            "reason": {"S": revocation.reason},
            "revoked_at": {"S": revocation.revoked_at},
        }
        if revocation.kind is RevocationKind.PERSON:
            expires = revocation.before + int(timedelta(days=PERSON_REVOCATION_DAYS).total_seconds())
            item["expires_at"] = {"N": str(expires)}
        return item

    def revoke(self, revocation: Revocation, entry: AuditRecord) -> None:
        """Write the revocation and its audit record in one transaction (a repeat moves ``before`` on)."""
        if self._audit is None:
            raise ValueError("a RevocationStore that writes needs the audit log")
        item = self._item(revocation)
        if revocation.kind is RevocationKind.PERSON:
            partitions = [_person_partition(revocation.subject)]
        else:
            partitions = [f"{PARTITION}#k{copy:02d}" for copy in range(KEY_COPIES)]
        copies = [{"Put": {"TableName": self._table, "Item": {**item, "person_id": {"S": partition}}}} for partition in partitions]
        items = [{"Put": {"TableName": self._table, "Item": item}}, *copies, self._audit.put_request(entry)]
        dynamo.transact(self._db, items, what="revocation")

    def for_token(self, token: VerifiedCode, at: datetime | None = None) -> list[Revocation]:
        """The revocations that may concern ``token`` (its key, its person), read from the copies in the
        person's partitions (never the shared list): one eventually consistent batch read, and a strongly
        consistent re-read only when it finds an entry that does not refuse the token (a copy may lag a repeat
        revocation that moved ``before`` on). Why a read that may lag by DynamoDB's propagation (normally well
        under a second) keeps the gate's promise: ``docs/decisions/0006-gate-reads-at-the-rush.md``."""
        keys = [
            {"person_id": {"S": _key_partition(token.person_id)}, "sk": {"S": f"{RevocationKind.KEY.value}#{token.key_id}"}},
            {"person_id": {"S": _person_partition(token.person_id)}, "sk": {"S": f"{RevocationKind.PERSON.value}#{token.person_id}"}},
        ]
        found = [_from_item(item) for item in dynamo.batch_get(self._db, self._table, keys, what="revocation list")]
        when = at or clock.now()
        if found and not any(entry.refuses(token, when) for entry in found):
            found = [_from_item(item) for item in dynamo.batch_get(self._db, self._table, keys, what="revocation list", consistent=True)]
        return found

    def all(self) -> list[Revocation]:
        """Every revocation still in force (expired person entries left out even before TTL removes them)."""
        now = int(clock.now().timestamp())
        found: list[Revocation] = []
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "person_id = :p",
            "ExpressionAttributeValues": {":p": {"S": PARTITION}},
        }
        while True:
            try:
                response = self._db.query(**request)
            except ClientError as exc:
                raise UpstreamUnavailable("could not read the revocation list") from exc
            for item in response.get("Items", []):
                if "expires_at" in item and int(item["expires_at"]["N"]) <= now:
                    continue
                found.append(_from_item(item))
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
