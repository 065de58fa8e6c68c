"""Revoked health-code tokens (吊销): a whole signing key, or every token of one person issued up to an instant.

A token carries no id of its own, so a person's revocation says "tokens of this person issued at or before
``before`` are refused"; the phone's next token (issued after) passes again. A key revocation refuses every
token signed with that key id, whatever its person. Online, the gate and ``/health-codes/verify`` consult the
store on every scan; offline scanners refresh the published list (``GET /health-codes/revocations``) together
with the JWKS, so a revocation reaches them at their next refresh.

The published list names persons only by ``person_hash`` (SHA-256 of the token's opaque ``sub``): a scanner
holding a token can check it, and the list itself names no one.

This module is the rules (pure); ``revocation_store`` keeps them in ``HealthCodeTable``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sanmenxia import clock
from sanmenxia.healthcode.tokens import VerifiedCode

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
    reason: str  # the staff member's words, in clear only in memory (empty when read back from storage)
    revoked_at: str
    #: the reason as stored: sealed (it may name the person or why they are suspected)
    reason_sealed: str | None = None

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


def new_revocation(kind: RevocationKind, subject: str, reason: str, now: datetime, seal: Callable[[str], str]) -> Revocation:
    """A revocation at ``now``; ``seal`` encrypts the reason for storage (``sanmenxia.pii``)."""
    return Revocation(kind, subject, int(now.timestamp()), reason, clock.iso(now), seal(reason) if reason else None)


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
