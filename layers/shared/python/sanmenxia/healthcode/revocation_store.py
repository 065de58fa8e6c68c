"""Revoked health-code tokens (吊销) in DynamoDB (the rules: ``revocations``).

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
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sanmenxia import clock, dynamo
from sanmenxia.audit import AuditLog, AuditRecord
from sanmenxia.errors import NotFound
from sanmenxia.healthcode.revocations import PERSON_REVOCATION_DAYS, Revocation, RevocationKind
from sanmenxia.healthcode.tokens import VerifiedCode
from sanmenxia.people import PeopleRegistry, Person

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


def _from_item(item: Mapping[str, Any]) -> Revocation:
    kind, _, subject = item["sk"]["S"].partition("#")
    sealed = item.get("reason_sealed", {}).get("S")
    return Revocation(RevocationKind(kind), subject, int(item["before"]["N"]), "", item["revoked_at"]["S"], sealed)


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
            "revoked_at": {"S": revocation.revoked_at},
        }
        if revocation.reason_sealed:  # the reason is never stored in clear
            item["reason_sealed"] = {"S": revocation.reason_sealed}
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

    @property
    def table(self) -> str:
        return self._table

    @staticmethod
    def keys_for(token: VerifiedCode) -> list[dict[str, Any]]:
        """The keys of the two copies that may concern ``token``: its key's copy and its person's."""
        return [
            {"person_id": {"S": _key_partition(token.person_id)}, "sk": {"S": f"{RevocationKind.KEY.value}#{token.key_id}"}},
            {"person_id": {"S": _person_partition(token.person_id)}, "sk": {"S": f"{RevocationKind.PERSON.value}#{token.person_id}"}},
        ]

    def for_token(self, token: VerifiedCode, at: datetime | None = None, *, first_read: list[dict[str, Any]] | None = None) -> list[Revocation]:
        """The revocations that may concern ``token`` (its key, its person), read from the copies in the
        person's partitions (never the shared list): one eventually consistent batch read (``first_read``: its
        items, when the caller batched it with its own reads), and a strongly consistent re-read only when it
        finds an entry that does not refuse the token (a copy may lag a repeat revocation that moved ``before``
        on). Why a read that may lag by DynamoDB's propagation (normally well under a second) keeps the gate's
        promise: ``docs/decisions/0006-gate-reads-at-the-rush.md``."""
        keys = self.keys_for(token)
        items = first_read if first_read is not None else dynamo.batch_get(self._db, self._table, keys, what="revocation list")
        found = [_from_item(item) for item in items]
        when = at or clock.now()
        if found and not any(entry.refuses(token, when) for entry in found):
            found = [_from_item(item) for item in dynamo.batch_get(self._db, self._table, keys, what="revocation list", consistent=True)]
        return found

    def all(self) -> list[Revocation]:
        """Every revocation still in force (expired person entries left out even before TTL removes them)."""
        now = int(clock.now().timestamp())
        items = dynamo.query_all(
            self._db,
            what="revocation list",
            TableName=self._table,
            KeyConditionExpression="person_id = :p",
            ExpressionAttributeValues={":p": {"S": PARTITION}},
        )
        return [_from_item(item) for item in items if "expires_at" not in item or int(item["expires_at"]["N"]) > now]


class TokenReads:
    """What a gate (a QR scan, ``/health-codes/verify``) reads once a token verified, in one ``BatchGetItem``: the
    token's two revocation copies (``HealthCodeTable``) and the person's record (``PeopleTable``). Both stores keep
    their own rules for the eventually consistent answer: a revocation entry that does not refuse is read again
    strongly, a person who is missing is read again strongly (``RevocationStore.for_token``, ``PeopleRegistry.get``)."""

    def __init__(self, dynamodb: DynamoDBClient, revocations: RevocationStore, people: PeopleRegistry) -> None:
        self._db = dynamodb
        self._revocations = revocations
        self._people = people

    def __call__(self, token: VerifiedCode, at: datetime) -> tuple[list[Revocation], Person | None]:
        revocation_keys, person_key = self._revocations.keys_for(token), self._people.person_key(token.person_id)
        keys = {self._revocations.table: revocation_keys, self._people.table: [person_key]}
        found = dynamo.batch_get_tables(self._db, keys, what="token's revocations and person")
        revoked = self._revocations.for_token(token, at, first_read=found[self._revocations.table])
        people_items = found[self._people.table]
        try:
            person: Person | None = self._people.get(token.person_id, read=(people_items[0] if people_items else None,))
        except NotFound:
            person = None
        return revoked, person
