"""Recording lab results (核酸检测结果): a file or one result, matched to people by the HMAC look-up key.

``LabService.record`` takes validated lines, checks all of them against the registry and the results already
recorded before writing anything (a line naming nobody registered, or a sample recorded before with other values,
rejects the whole file by line and field), then writes each new result in one transaction with, for a positive,
its hold (a platform fact: the lab's result, not a staff member's judgement). After the writes a positive sends a
confirmed-case candidate to the key-person platform (the person's community), and a negative checks the release
criteria: when they are met the person's lab holds are lifted. Re-recording the same lines writes nothing new.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sanmenxia import clock, texts
from sanmenxia.audit import AuditLog, record
from sanmenxia.auth import Principal
from sanmenxia.contracts import KeyPersonCandidate, KeyPersonCategory
from sanmenxia.cotravel.csvfile import CsvRejected, RowError
from sanmenxia.holds import HoldKind, HoldStore
from sanmenxia.lab.rules import LabResult, ResultLine, criteria_for, release_state
from sanmenxia.lab.store import LabStore, StoredResult
from sanmenxia.masking import mask_id_number
from sanmenxia.people import PeopleRegistry, PersonPlace
from sanmenxia.texts import TextCode

SOURCE = "lab"


@dataclass
class Recorded:
    """What recording a set of lines did."""

    results: list[StoredResult]
    new: int
    already: int
    positives: int
    negatives: int
    released: list[str]

    def summary(self) -> dict[str, Any]:
        return {
            "rows": len(self.results),
            "new": self.new,
            "already_recorded": self.already,
            "positives": self.positives,
            "negatives": self.negatives,
            "released": len(self.released),
        }


@dataclass
class LabService:
    store: LabStore
    people: PeopleRegistry
    holds: HoldStore
    audit: AuditLog
    send_candidate: Callable[[KeyPersonCandidate], None]

    def check(self, lab_id: str, lines: list[ResultLine], *, upload_id: str | None, by: str) -> tuple[list[StoredResult], set[str]]:
        """Every line as the result it would record, and the sample ids already recorded identically;
        ``CsvRejected`` naming each line that names nobody registered or contradicts a recorded sample."""
        errors: list[RowError] = []
        places: dict[str, PersonPlace | None] = {}
        for line in lines:
            if line.id_number not in places:
                places[line.id_number] = self.people.locate_by_id_number(line.id_number)
        recorded = self.store.results_of(lab_id, [line.sample_id for line in lines])
        now = clock.iso()
        results: list[StoredResult] = []
        already: set[str] = set()
        for line in lines:
            place = places[line.id_number]
            if place is None:
                errors.append(RowError(line.line, "id_number", "no resident is registered with this ID number"))
                continue
            result = StoredResult(
                lab_id=lab_id,
                sample_id=line.sample_id,
                person_id=place.person_id,
                county_code=place.county_code,
                community_id=place.community_id,
                id_masked=mask_id_number(line.id_number),
                result=line.result,
                sampled_at=clock.iso(line.sampled_at),
                tested_at=clock.iso(line.tested_at) if line.tested_at else None,
                upload_id=upload_id,
                recorded_at=now,
                recorded_by=by,
            )
            earlier = recorded.get(line.sample_id)
            if earlier is not None:
                if not earlier.same_as(result):
                    errors.append(RowError(line.line, "sample_id", f"sample {line.sample_id} was recorded before with another person, result or time"))
                    continue
                already.add(line.sample_id)
                results.append(earlier)
                continue
            results.append(result)
        if errors:
            raise CsvRejected(errors)
        return results, already

    def record(self, principal: Principal | None, lab_id: str, lines: list[ResultLine], *, upload_id: str | None, by: str) -> Recorded:
        """Check every line, then write the new ones; see the module's description."""
        results, already = self.check(lab_id, lines, upload_id=upload_id, by=by)
        new = [result for result in results if result.sample_id not in already]
        for result in new:
            writes = self.store.put_result_requests(result)
            if result.result is LabResult.POSITIVE:
                writes.append(self._hold_request(result))
            self.store.transact(writes)
            if principal is not None:
                self.audit.append(record(principal, "lab_result.record", f"lab_result#{result.ref}", None, {**result.to_json(), "id_number": None}))
        # Follow-ups of every line, new or not: a retried file finishes what an interrupted one began (each is idempotent).
        for result in results:
            if result.result is LabResult.POSITIVE:
                self._open_case(result)
        released = [person_id for person_id in dict.fromkeys(r.person_id for r in results if r.result is LabResult.NEGATIVE) if self.release_if_met(person_id)]
        positives = sum(1 for r in results if r.result is LabResult.POSITIVE)
        return Recorded(results, len(new), len(already), positives, len(results) - positives, released)

    def _hold_request(self, result: StoredResult) -> dict[str, Any]:
        day = result.sampled_at[:10]
        _hold, write = self.holds.place_request(
            result.person_id,
            HoldKind.LAB_POSITIVE,
            source=SOURCE,
            source_ref=result.ref,
            reason=f"核酸检测阳性 Positive lab result (sampled {day})",
            text=texts.text(TextCode.LAB_POSITIVE_HOLD, sampled_on=day),
        )
        return write

    def _open_case(self, result: StoredResult) -> None:
        self.send_candidate(
            KeyPersonCandidate(
                person_id=result.person_id,
                category=KeyPersonCategory.CONFIRMED_CASE,
                source=SOURCE,
                source_ref=result.ref,
                community_id=result.community_id,
                reason=f"核酸检测阳性 positive lab result, sampled {result.sampled_at[:16]}",
                reason_text=texts.text(TextCode.LAB_POSITIVE_HOLD, sampled_on=result.sampled_at[:10]),
                observed_at=result.recorded_at,
            )
        )

    def release_state(self, person_id: str) -> dict[str, Any]:
        return release_state(self.store.samples_of_person(person_id), criteria_for(clock.today())).to_json()

    def release_if_met(self, person_id: str) -> bool:
        """Lift the person's lab holds when the release criteria in force are met; False when nothing was lifted."""
        state = release_state(self.store.samples_of_person(person_id), criteria_for(clock.today()))
        if not state.met:
            return False
        lifted = False
        for hold in self.holds.for_person(person_id):
            if hold.kind is HoldKind.LAB_POSITIVE:
                lifted = self.holds.lift(person_id, HoldKind.LAB_POSITIVE, hold.source_ref) or lifted
        return lifted
