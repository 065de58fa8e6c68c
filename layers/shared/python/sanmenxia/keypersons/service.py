"""Key-person workflows (疫情信息): register, take in candidates, confirm, follow up, release, daily close.

Each workflow reads the record, computes the new record with the pure rules of ``keypersons``, writes it
in one transaction with its audit record (optimistic version check, retried), then brings the person's
holds in line with the record (placing and lifting are idempotent, so a failed attempt heals on the next
write). Scope checks stay with the caller (``Principal.require_community`` on the loaded record).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sanmenxia import clock, regions, texts
from sanmenxia.audit import AuditLog, record
from sanmenxia.auth import Principal
from sanmenxia.contracts import KeyPersonCandidate, KeyPersonCategory
from sanmenxia.errors import Conflict, InvalidInput
from sanmenxia.holds import HoldKind, HoldStore
from sanmenxia.keypersons.rules import (
    KeyPersonSource,
    KeyPersonStatus,
    Measure,
    SupervisionView,
    check_action,
    check_start_and_release,
    days_to_close,
    desired_holds,
    planned_release,
    recent_days,
    stale_on,
)
from sanmenxia.keypersons.store import (
    FollowUp,
    KeyPerson,
    KeyPersonStore,
    SourceEntry,
    StaleRecord,
    SupervisionEntry,
    new_kp_id,
)
from sanmenxia.masking import mask_id_number, mask_name
from sanmenxia.people import Person
from sanmenxia.residents.rules import Symptom
from sanmenxia.texts import TextCode

HOLD_SOURCE = "key_persons"
_ATTEMPTS = 3


@dataclass(frozen=True)
class Changes:
    """What a head may change on an open record (``None``: unchanged)."""

    category: KeyPersonCategory | None = None
    measure: Measure | None = None
    start_date: date | None = None
    planned_release: date | None = None
    problems: str | None = None


@dataclass
class KeyPersonService:
    store: KeyPersonStore
    holds: HoldStore
    audit: AuditLog
    observation_days: int

    # -- creation -----------------------------------------------------------------------------------------
    def register(self, principal: Principal, person: Person, category: KeyPersonCategory, measure: Measure, changes: Changes | None = None) -> KeyPerson:
        """A head registers an active key person in their community (the scope is checked by the caller)."""
        measure = measure.validated()
        today = clock.today()
        start = (changes.start_date if changes else None) or today
        release = (changes.planned_release if changes else None) or planned_release(start, self.observation_days)
        check_start_and_release(start, release, today)
        kp_id = new_kp_id()
        now = clock.iso()
        kp = KeyPerson(
            kp_id=kp_id,
            person_id=person.person_id,
            community_id=person.community_id,
            county_code=person.county_code,
            category=category,
            status=KeyPersonStatus.ACTIVE,
            name_masked=mask_name(person.name),
            id_masked=mask_id_number(person.id_number),
            opened_on=today,
            created_at=now,
            created_by=principal.username,
            sources=(SourceEntry(KeyPersonSource.COMMUNITY, kp_id, "社区登记 registered by the community", now, texts.text(TextCode.REGISTERED_BY_COMMUNITY)),),
            measure=measure,
            start_date=start,
            planned_release=release,
            problems=changes.problems if changes else None,
        )
        entry = record(principal, "key_person.register", f"key_person#{kp_id}", None, kp.audit_state())
        self.store.transact(
            [
                self.store.put_record(kp, 0),
                self.store.put_open_pointer(person.person_id, kp_id),
                self.store.put_source(KeyPersonSource.COMMUNITY, kp_id, kp_id),
                self.audit.put_request(entry),
            ]
        )
        kp = replace(kp, version=1)
        self.reconcile_holds(kp)
        return kp

    def take_candidate(self, candidate: KeyPersonCandidate, person: Person) -> tuple[KeyPerson, bool]:
        """Take in a candidate from another platform: a new pending record, or a source added to the person's
        open record. Idempotent on ``(source, source_ref)``: returns ``(record, False)`` when already taken."""
        try:
            source = KeyPersonSource(candidate.source)
        except ValueError as exc:
            raise InvalidInput(f"unknown candidate source {candidate.source!r}", field="source") from exc
        for _ in range(_ATTEMPTS):
            taken = self.store.source_taken(source, candidate.source_ref)
            if taken:
                return self.store.get(taken), False
            entry = SourceEntry(source, candidate.source_ref, candidate.reason[:300], candidate.observed_at, candidate.reason_text)
            open_id = self.store.open_record_of(person.person_id)
            try:
                if open_id:
                    kp = self.store.get(open_id)
                    joined = replace(kp, sources=(*kp.sources, entry))
                    if candidate.category is KeyPersonCategory.CONFIRMED_CASE:
                        joined = replace(joined, category=KeyPersonCategory.CONFIRMED_CASE)  # a positive result makes the record a case
                    self.store.transact([self.store.put_record(joined, kp.version), self.store.put_source(source, candidate.source_ref, kp.kp_id)])
                    return replace(joined, version=kp.version + 1), True
                kp = self._candidate_record(candidate, person, entry)
                self.store.transact(
                    [
                        self.store.put_record(kp, 0),
                        self.store.put_open_pointer(person.person_id, kp.kp_id),
                        self.store.put_source(source, candidate.source_ref, kp.kp_id),
                    ]
                )
                return replace(kp, version=1), True
            except Conflict:
                continue  # a concurrent delivery or head action won the race; look again
        raise StaleRecord("the record kept changing; the message will be retried")

    @staticmethod
    def _candidate_record(candidate: KeyPersonCandidate, person: Person, entry: SourceEntry) -> KeyPerson:
        return KeyPerson(
            kp_id=new_kp_id(),
            person_id=person.person_id,
            community_id=person.community_id,
            county_code=person.county_code,
            category=candidate.category,
            status=KeyPersonStatus.PENDING,
            name_masked=mask_name(person.name),
            id_masked=mask_id_number(person.id_number),
            opened_on=clock.today(),
            created_at=clock.iso(),
            created_by=f"system:{entry.source.value}",
            sources=(entry,),
        )

    # -- changes to an existing record ----------------------------------------------------------------------
    def _mutate(
        self,
        principal: Principal,
        kp_id: str,
        action: str,
        change: Callable[[KeyPerson], KeyPerson],
        extra: Callable[[KeyPerson, KeyPerson], list[dict[str, Any]]] | None = None,
    ) -> KeyPerson:
        for _ in range(_ATTEMPTS):
            before = self.store.get(kp_id)
            after = change(before)
            entry = record(principal, f"key_person.{action}", f"key_person#{kp_id}", before.audit_state(), after.audit_state())
            writes = [self.store.put_record(after, before.version), *(extra(before, after) if extra else []), self.audit.put_request(entry)]
            try:
                self.store.transact(writes)
            except StaleRecord:
                continue
            after = replace(after, version=before.version + 1)
            self.reconcile_holds(after)
            return after
        raise StaleRecord("the record kept changing; reload and try again")

    def confirm(self, principal: Principal, kp_id: str, measure: Measure, changes: Changes) -> KeyPerson:
        """A pending candidate becomes an active key person under ``measure``."""
        measure = measure.validated()

        def change(kp: KeyPerson) -> KeyPerson:
            check_action("confirm", kp.status)
            today = clock.today()
            start = changes.start_date or today
            release = changes.planned_release or planned_release(start, self.observation_days)
            check_start_and_release(start, release, today)
            return replace(
                kp,
                status=KeyPersonStatus.ACTIVE,
                category=changes.category or kp.category,
                measure=measure,
                start_date=start,
                planned_release=release,
                problems=changes.problems or kp.problems,
                opened_on=today,
                open_supervision=frozenset(),
            )

        return self._mutate(principal, kp_id, "confirm", change, self._resolving)

    def update(self, principal: Principal, kp_id: str, changes: Changes) -> KeyPerson:
        measure = changes.measure.validated() if changes.measure else None

        def change(kp: KeyPerson) -> KeyPerson:
            check_action("update", kp.status)
            if measure is not None and kp.status is KeyPersonStatus.PENDING:
                raise Conflict("confirm the candidate to set a control measure", field="measure")
            start = changes.start_date or kp.start_date
            release = changes.planned_release or kp.planned_release
            if start and release:
                check_start_and_release(start, release, clock.today())
            return replace(
                kp,
                category=changes.category or kp.category,
                measure=measure or kp.measure,
                start_date=start,
                planned_release=release,
                problems=changes.problems if changes.problems is not None else kp.problems,
            )

        return self._mutate(principal, kp_id, "update", change)

    def follow_up(
        self, principal: Principal, kp_id: str, *, temperature: Decimal | None, symptoms: tuple[Symptom, ...], measure_kept: bool, note: str | None
    ) -> tuple[KeyPerson, FollowUp]:
        """Today's follow-up (每日随访); it resolves the record's open supervision entries."""
        today = clock.today()
        now = clock.iso()
        closed_through = self.store.watermark()
        unclosed_from = closed_through + timedelta(days=1) if closed_through is not None else None
        follow_up = FollowUp(today, now, principal.username, temperature, symptoms, measure_kept, note)

        def change(kp: KeyPerson) -> KeyPerson:
            check_action("follow_up", kp.status)
            days = recent_days({*kp.follow_up_days, today}, today, unclosed_from=unclosed_from)
            return replace(kp, follow_up_days=frozenset(days), last_follow_up=today, open_supervision=frozenset())

        def extra(before: KeyPerson, _after: KeyPerson) -> list[dict[str, Any]]:
            return [self.store.put_follow_up(kp_id, follow_up), *self.store.resolve_requests(before, now)]

        return self._mutate(principal, kp_id, "follow_up", change, extra), follow_up

    def release(self, principal: Principal, kp_id: str, note: str) -> KeyPerson:
        """End control (解除管控): the record closes, the open pointer goes, the holds are lifted."""
        return self._close(principal, kp_id, "release", KeyPersonStatus.RELEASED, note)

    def dismiss(self, principal: Principal, kp_id: str, note: str) -> KeyPerson:
        """A candidate turns out not to be a key person (排除)."""
        return self._close(principal, kp_id, "dismiss", KeyPersonStatus.DISMISSED, note)

    def _close(self, principal: Principal, kp_id: str, action: str, status: KeyPersonStatus, note: str) -> KeyPerson:
        def change(kp: KeyPerson) -> KeyPerson:
            check_action(action, kp.status)
            return replace(kp, status=status, closed_at=clock.iso(), closed_by=principal.username, close_note=note, open_supervision=frozenset())

        def extra(before: KeyPerson, after: KeyPerson) -> list[dict[str, Any]]:
            return [self.store.delete_open_pointer(before.person_id, before.kp_id), *self._resolving(before, after)]

        return self._mutate(principal, kp_id, action, change, extra)

    def _resolving(self, before: KeyPerson, _after: KeyPerson) -> list[dict[str, Any]]:
        return self.store.resolve_requests(before, clock.iso())

    # -- holds ----------------------------------------------------------------------------------------------
    def reconcile_holds(self, kp: KeyPerson) -> None:
        """Place the holds an active record needs and lift the others (both idempotent)."""
        wanted = {spec.kind: spec for spec in desired_holds(kp.status, kp.category, kp.measure)}
        for kind in (HoldKind.KEY_PERSON, HoldKind.ISOLATION):
            if kind in wanted:
                self.holds.place(kp.person_id, kind, source=HOLD_SOURCE, source_ref=kp.kp_id, reason=wanted[kind].reason, text=wanted[kind].text)
            else:
                self.holds.lift(kp.person_id, kind, kp.kp_id)

    # -- supervision ----------------------------------------------------------------------------------------
    def daily_close(self, today: date | None = None) -> dict[str, Any]:
        """Put every stale record on the supervision list of each day not yet closed; idempotent per day.

        Reads only open records, county by county (work grows with key persons, not with the population).
        """
        today = today or clock.today()
        days = days_to_close(self.store.watermark(), today)
        flagged = 0
        examined = 0
        if not days:
            return {"closed_days": [], "examined": 0, "flagged": 0}
        by_county: dict[str, list[tuple[SupervisionView, KeyPerson]]] = {}
        for county in regions.COUNTIES:
            records = by_county.setdefault(county.code, [])
            for status in (KeyPersonStatus.ACTIVE, KeyPersonStatus.PENDING):
                records.extend(self.store.supervision_views(county.code, status))
            examined += len(records)
        # Day by day, the watermark moving after each: a run stopped midway resumes at the first day not closed.
        for day in days:
            for county_code, records in by_county.items():
                for view, kp in records:
                    reason = stale_on(view, day)
                    if reason is None:
                        continue
                    entry = SupervisionEntry(county_code, day, kp.kp_id, kp.community_id, kp.category, kp.status, reason, kp.name_masked, kp.last_follow_up)
                    flagged += int(self.store.flag(entry))
            self.store.set_watermark(day)
        return {"closed_days": [day.isoformat() for day in days], "examined": examined, "flagged": flagged}
