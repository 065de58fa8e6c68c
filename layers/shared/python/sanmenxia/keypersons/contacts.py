"""Contacts and chains (密接登记与传播链): register a key person's contacts, build the chain a commander sees.

A registered contact is taken in as a close-contact candidate of the contact's own community through the same
``take_candidate`` as every other source (idempotent on ``(contact, "<kp>.<person>")``), so a contact already
followed joins their open record instead of getting a second one; then the link is saved (once per pair).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sanmenxia import audit, clock, scope, texts
from sanmenxia.auth import Principal
from sanmenxia.contracts import KeyPersonCandidate, KeyPersonCategory
from sanmenxia.errors import InvalidInput
from sanmenxia.keypersons.chains import ContactEdge, ContactKind, build_chain, follow_until, followed_share
from sanmenxia.keypersons.contacts_store import ContactStore
from sanmenxia.keypersons.service import KeyPersonService
from sanmenxia.keypersons.store import KeyPerson
from sanmenxia.masking import mask_name
from sanmenxia.people import Person
from sanmenxia.scope import Place
from sanmenxia.texts import TextCode

#: The chain's daily follow-up shares cover at most this many days back from today.
SHARE_DAYS = 30


@dataclass
class ContactService:
    contacts: ContactStore
    key_persons: KeyPersonService
    audit_log: audit.AuditLog
    follow_days: int

    def register(self, caller: Principal, case: KeyPerson, contact: Person, kind: ContactKind, contact_date: date) -> tuple[ContactEdge, bool]:
        """Register ``contact`` on ``case`` (scope of the case checked by the caller); ``(edge, new)``."""
        if contact_date > clock.today():
            raise InvalidInput("the contact date is in the future", field="contact_date")
        if contact.person_id == case.person_id:
            raise InvalidInput("a person is not their own contact", field="id_number")
        said = texts.text(TextCode.CONTACT_OF, kind=kind.value, date=contact_date.isoformat())
        candidate = KeyPersonCandidate(
            person_id=contact.person_id,
            category=KeyPersonCategory.CLOSE_CONTACT,
            source="contact",
            source_ref=f"{case.kp_id}.{contact.person_id}",
            community_id=contact.community_id,
            reason=f"密接登记 Registered contact ({kind.value}, {contact_date.isoformat()}) of a key person",
            reason_text=said,
        )
        followed, _ = self.key_persons.take_candidate(candidate, contact)
        edge = ContactEdge(
            source_kp=case.kp_id,
            contact_kp=followed.kp_id,
            person_id=contact.person_id,
            kind=kind,
            contact_date=contact_date,
            follow_until=follow_until(contact_date, self.follow_days),
            name_masked=mask_name(contact.name),
            community_id=contact.community_id,
            registered_by=caller.username,
            registered_at=clock.iso(),
        )
        new = self.contacts.put(edge)
        if new:
            self.audit_log.append(audit.record(caller, "key_person.contact", f"key_person#{case.kp_id}", None, edge.to_json()))
        return edge, new

    def chain(self, caller: Principal, root: KeyPerson, depth: int) -> dict[str, Any]:
        """The chain from ``root``: nodes (masked; outside the caller's scope without a name), edges, contacts per
        record and the share of due contacts followed up each day."""
        chain = build_chain(root.kp_id, self.contacts.of, depth)
        records = {kp_id: self.key_persons.store.get(kp_id) for kp_id in chain.nodes}
        nodes = []
        for kp_id, level in chain.nodes.items():
            kp = records[kp_id]
            visible = scope.allowed(caller, Place(county_code=kp.county_code, community_id=kp.community_id))
            nodes.append(
                {
                    "kp_id": kp_id,
                    "depth": level,
                    "name": kp.name_masked if visible else None,
                    "category": kp.category.value,
                    "status": kp.status.value,
                    "community_id": kp.community_id,
                    "contacts": sum(edge.source_kp == kp_id for edge in chain.edges),
                    "last_follow_up": kp.last_follow_up.isoformat() if kp.last_follow_up else None,
                }
            )
        today = clock.today()
        unique = {(edge.source_kp, edge.contact_kp): edge for edge in chain.edges}
        followed = [(edge, records[edge.contact_kp].follow_up_days) for edge in unique.values()]
        first = max(min((edge.contact_date for edge in unique.values()), default=today), today - timedelta(days=SHARE_DAYS - 1))
        return {
            "root": root.kp_id,
            "depth": depth,
            "truncated": chain.truncated,
            "nodes": nodes,
            "edges": [edge.to_json() for edge in unique.values()],
            "follow_up": [day.to_json() for day in followed_share(followed, first, today)],
        }
