"""Data access for contacts (密接登记) in ``KeyPersonsTable``, beside the records they link.

* ``kp#<id>``, ``ct#<contact kp id>``: a contact of key person ``<id>``, now followed as record
  ``<contact kp id>`` (kind, date of contact, last day followed, the contact's masked name and community).

A chain reads one ``kp#<id>`` partition (``begins_with(sk, "ct#")``) per record in it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sanmenxia import clock, dynamo, paging
from sanmenxia.keypersons.chains import ContactEdge, ContactKind

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def _s(value: str) -> dict[str, str]:
    return {"S": value}


class ContactStore:
    def __init__(self, dynamodb: DynamoDBClient, table: str, retention_days: int) -> None:
        self._db = dynamodb
        self._table = table
        self._retention = retention_days

    def put(self, edge: ContactEdge) -> bool:
        """Save a contact; ``False`` when this record already lists this contact."""
        item = {
            "pk": _s(f"kp#{edge.source_kp}"),
            "sk": _s(f"ct#{edge.contact_kp}"),
            "contact_kp": _s(edge.contact_kp),
            "person_id": _s(edge.person_id),
            "kind": _s(edge.kind.value),
            "contact_date": _s(edge.contact_date.isoformat()),
            "follow_until": _s(edge.follow_until.isoformat()),
            "name_masked": _s(edge.name_masked),
            "community_id": _s(edge.community_id),
            "registered_by": _s(edge.registered_by),
            "registered_at": _s(edge.registered_at),
            "expires_at": {"N": str(clock.epoch_after_days(self._retention))},
        }
        try:
            dynamo.put(self._db, what="contact", TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(sk)")
        except dynamo.ConditionFailed:
            return False
        return True

    def _request(self, kp_id: str) -> dict[str, Any]:
        return {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :p AND begins_with(sk, :c)",
            "ExpressionAttributeValues": {":p": _s(f"kp#{kp_id}"), ":c": _s("ct#")},
        }

    def of(self, kp_id: str) -> list[ContactEdge]:
        """Every contact registered on one record (for the chain, which bounds its own size)."""
        return [_edge(kp_id, item) for item in dynamo.query_all(self._db, what="contacts", **self._request(kp_id))]

    def page(self, kp_id: str, limit: int, start: dict[str, Any] | None) -> tuple[list[ContactEdge], dict[str, Any] | None]:
        """A page of the contacts registered on one record, and the key to continue after."""
        raw = paging.query_page(self._db, self._request(kp_id), limit=limit, start=start, key_attributes=("pk", "sk"), what="contacts")
        return [_edge(kp_id, item) for item in raw.items], raw.last_key


def _edge(kp_id: str, item: dict[str, Any]) -> ContactEdge:
    return ContactEdge(
        source_kp=kp_id,
        contact_kp=item["contact_kp"]["S"],
        person_id=item["person_id"]["S"],
        kind=ContactKind(item["kind"]["S"]),
        contact_date=date.fromisoformat(item["contact_date"]["S"]),
        follow_until=date.fromisoformat(item["follow_until"]["S"]),
        name_masked=item["name_masked"]["S"],
        community_id=item["community_id"]["S"],
        registered_by=item["registered_by"]["S"],
        registered_at=item["registered_at"]["S"],
    )
