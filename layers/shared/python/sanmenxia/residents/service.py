"""Residents' use cases (居民信息填报): a self-report, a hardship request and a head's handling of it.

Each one reads the resident's record, writes the new one with an optimistic version check (a concurrent change
of the same resident is read again and retried), then tells the other platforms: holds on the health code, a
key-person candidate, the 12345 work order, the household's inbox. Scope checks stay with the caller.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from sanmenxia import audit, clock, contracts, texts
from sanmenxia.audit import AuditLog
from sanmenxia.auth import Principal
from sanmenxia.contracts import KeyPersonCandidate, KeyPersonCategory, WorkOrderIntake, WorkOrderProgress, WorkOrderSource, WorkOrderType
from sanmenxia.holds import HoldKind, HoldStore
from sanmenxia.masking import mask_address, mask_name, mask_phone
from sanmenxia.notifications import Inbox
from sanmenxia.people import Person
from sanmenxia.residents.rules import (
    HardshipKind,
    HardshipStatus,
    Health,
    IsolationStatus,
    PersonType,
    ResidentState,
    TravelEntry,
    candidate_category,
    check_hardship_transition,
)
from sanmenxia.residents.store import HardshipRequest, ResidentStore, StaleWrite, base_state, new_request_id
from sanmenxia.texts import TextCode

HOLD_SOURCE = "residents"
ATTEMPTS = 3
T = TypeVar("T")

HARDSHIP_LABELS = {
    HardshipStatus.OPEN: "待处理 open",
    HardshipStatus.IN_PROGRESS: "处理中 in progress",
    HardshipStatus.RESOLVED: "已解决 resolved",
    HardshipStatus.DECLINED: "不予处理 declined",
}


def retrying(action: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    """Run a read-modify-write; a concurrent change of the same resident (``StaleWrite``) is read again and
    retried, the last attempt's conflict reaches the caller (a 409)."""
    for _ in range(attempts - 1):
        try:
            return action()
        except StaleWrite:
            continue
    return action()


@dataclass(frozen=True)
class Report:
    """What a resident reports for themselves or a household member."""

    person_type: PersonType
    health: Health
    travel: tuple[TravelEntry, ...]
    isolation: IsolationStatus
    isolation_site: str | None


@dataclass
class ResidentService:
    store: ResidentStore
    holds: HoldStore
    audit: AuditLog
    inbox: Inbox
    key_person_queue_url: str
    work_order_queue_url: str

    def _current(self, person: Person) -> ResidentState:
        return self.store.get(person.community_id, person.person_id) or base_state(person)

    # -- self-reports ---------------------------------------------------------------------------------------
    def report(self, person: Person, report: Report) -> tuple[ResidentState, str | None]:
        """Save the report, bring the code's holds in line with it, and suggest a key person when it says so.
        Returns the new state and the suggested key-person category (or ``None``)."""

        def write() -> ResidentState:
            current = self._current(person)
            new = replace(
                current,
                person_type=report.person_type,
                health=report.health,
                travel=report.travel,
                isolation=report.isolation,
                isolation_site=report.isolation_site,
                reported_on=clock.today(),
            )
            self.store.transact([self.store.put_request(new, current.version)])
            return new

        state = retrying(write)
        self._sync_holds(state)
        return state, self._suggest_key_person(person, state)

    def _sync_holds(self, state: ResidentState) -> None:
        """Self-reported fever and isolation hold the code until a later report clears them."""
        if state.fever:
            temperature = state.health.temperature if state.health else None
            reason = f"自报发热 Self-reported fever ({temperature} °C)" if temperature is not None else "自报发热 Self-reported fever"
            said = (
                texts.text(TextCode.SELF_REPORTED_FEVER_TEMPERATURE, temperature=str(temperature))
                if temperature is not None
                else texts.text(TextCode.SELF_REPORTED_FEVER)
            )
            self.holds.place(state.person_id, HoldKind.FEVER, source=HOLD_SOURCE, source_ref=state.person_id, reason=reason, text=said)
        else:
            self.holds.lift(state.person_id, HoldKind.FEVER, state.person_id)
        if state.isolation.isolating:
            reason = f"自报隔离 Self-reported isolation: {state.isolation.value}"
            said = texts.text(TextCode.SELF_REPORTED_ISOLATION, isolation=state.isolation.value)
            self.holds.place(state.person_id, HoldKind.ISOLATION, source=HOLD_SOURCE, source_ref=state.person_id, reason=reason, text=said)
        else:
            self.holds.lift(state.person_id, HoldKind.ISOLATION, state.person_id)

    def _suggest_key_person(self, person: Person, state: ResidentState) -> str | None:
        """Send a key-person candidate when the report says so; idempotent per person, category and trip/day."""
        health = state.health or Health(None)
        category = candidate_category(health, state.travel, clock.today())
        if category is None:
            return None
        latest_trip = max((entry.to_date for entry in state.travel), default=clock.today())
        anchor = clock.today() if category is KeyPersonCategory.FEVER_WITHOUT_CONTACT else latest_trip
        candidate = KeyPersonCandidate(
            person_id=person.person_id,
            category=category,
            source="self_report",
            source_ref=f"{person.person_id}:{category.value}:{anchor.isoformat()}",
            community_id=person.community_id,
            reason=f"居民自主填报 Self-report: {category.value}",
            reason_text=texts.text(TextCode.SELF_REPORT, category=category.value),
        )
        contracts.send(self.key_person_queue_url, candidate)
        return category.value

    # -- hardship requests ----------------------------------------------------------------------------------
    def ask_for_help(self, person: Person, filer: Person, requester_sub: str, kind: HardshipKind, description: str) -> HardshipRequest:
        """Open a hardship request for ``person`` (filed by ``filer``, the caller or the person themselves) and
        hand it to 12345 as a help-request work order."""
        address = person.address or filer.address
        phone = person.phone or filer.phone
        request = HardshipRequest(
            request_id=new_request_id(),
            community_id=person.community_id,
            person_id=person.person_id,
            household_id=person.household_id,
            kind=kind,
            description=description,
            status=HardshipStatus.OPEN,
            created_at=clock.iso(),
            requester=mask_name(person.name),
            address=mask_address(address) if address else None,
            contact_phone=mask_phone(phone) if phone else None,
        )

        def write() -> None:
            current = self._current(person)
            opened = current.with_request(request.request_id, is_open=True)
            self.store.transact([self.store.put_request(opened, current.version), self.store.put_request_item(request)])

        retrying(write)
        intake = WorkOrderIntake(
            source=WorkOrderSource.HARDSHIP,
            source_ref=request.request_id,
            type=WorkOrderType.HELP_REQUEST,
            category=kind.value,
            summary=description,  # the kind is the order's category (a code the app labels)
            county_code=person.county_code,
            community_id=person.community_id,
            requester_person_id=person.person_id,
            requester_sub=requester_sub,
        )
        contracts.send(self.work_order_queue_url, intake)
        return request

    def handle(self, principal: Principal, community_id: str, request_id: str, status: HardshipStatus, note: str | None) -> HardshipRequest:
        """A head moves a request on (audited in the same transaction), the household hears of it in its inbox
        and the request's 12345 order follows it."""

        def write() -> HardshipRequest:
            before = self.store.get_request(community_id, request_id)
            check_hardship_transition(before.status, status)
            after = replace(before, status=status, note=note or before.note, handled_by=principal.username, handled_at=clock.iso())
            resident = self.store.get(community_id, before.person_id)
            writes = [self.store.put_request_item(after)]
            if resident is not None:
                writes.append(self.store.put_request(resident.with_request(request_id, is_open=status.is_open), resident.version))
            entry = audit.record(principal, "hardship.handle", f"hardship#{request_id}", before.to_json(), after.to_json())
            writes.append(self.audit.put_request(entry))
            self.store.transact(writes)
            return after

        handled = retrying(write)
        # answer back to the household in the app's inbox (the household id is the head's person id)
        self.inbox.notify(
            handled.household_id,
            kind="hardship",
            title=f"困难诉求处理进展 Your request: {HARDSHIP_LABELS[handled.status]}",
            body=f"{handled.kind.label}: {handled.note or ''}",
            title_text=texts.text(TextCode.HARDSHIP_PROGRESS, status=handled.status.value, kind=handled.kind.value),
            body_text=texts.text(TextCode.HARDSHIP_NOTE, kind=handled.kind.value, note=handled.note or ""),
            ref=f"hardship-{request_id}-{handled.status.value}",
        )
        # the request's 12345 order follows it (taken → accepted, resolved/declined → replied), never overdue for nothing
        progress = WorkOrderProgress(
            source=WorkOrderSource.HARDSHIP,
            source_ref=request_id,
            status=handled.status.value,  # type: ignore[arg-type]  # open is never a target (check_hardship_transition)
            note=handled.note,
            actor=principal.username,
            actor_role=principal.primary_role,
        )
        contracts.send(self.work_order_queue_url, progress)
        return handled
