"""The exposure run (暴露排查): from a confirmed case's windows at checkpoints to notified candidates.

For every person found (``exposure.exposures``) the run leaves an inbox message and sends a key-person
candidate to the person's own community (both idempotent per case and person), and only then records the
finding; so a run cut short is completed by running it again, and a re-run adds nobody twice (the finding
is written only if new, the message once per case, the candidate once per ``(source, source_ref)``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sanmenxia import audit, clock, scope, texts
from sanmenxia.auth import Principal
from sanmenxia.checkpoints.exposure import Exposure, Window, exposures, index_reads, merge_windows, windows_from_scans
from sanmenxia.checkpoints.exposure_store import ExposureStore, new_run_id
from sanmenxia.checkpoints.records import Checkpoint
from sanmenxia.contracts import KeyPersonCandidate
from sanmenxia.errors import InvalidInput
from sanmenxia.masking import mask_id_number, mask_name
from sanmenxia.notifications import Inbox
from sanmenxia.people import Person
from sanmenxia.scope import Action, Place
from sanmenxia.texts import TextCode

NOTICE_KIND = "exposure"


@dataclass(frozen=True)
class ExposureSettings:
    margin_minutes: int = 30  # ± around each window: same-place candidates
    case_scan_minutes: int = 15  # ± around each of the case's own scans, when the windows come from them
    lookback_days: int = 14  # how far back the case's own scans are taken


def _local(instant: str) -> str:
    return datetime.fromisoformat(instant).astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")


def notice(found: Exposure) -> tuple[str, str]:
    """The inbox message: where and when, never who the case is."""
    where = f"{found.checkpoint_name} {_local(found.scanned_at)}"
    title = "风险提醒:与确诊病例同场所 Exposure notice"
    body = (
        f"您于 {where} 经过的检测点有确诊病例同时段到访。请居家观察,社区将与您联系;如有发热等症状请及时就医。"
        f" You passed {where}, where a confirmed case was around the same time. Stay at home; your community will contact you."
    )
    return title, body


@dataclass
class ExposureTracer:
    store: ExposureStore
    checkpoint: Callable[[str], Checkpoint]
    inbox: Inbox
    send_candidate: Callable[[KeyPersonCandidate], None]
    audit_log: audit.AuditLog
    settings: ExposureSettings

    def windows(self, caller: Principal, case: Person, marked: list[Window] | None) -> list[Window]:
        """The marked windows (each checkpoint in the caller's scope), or the case's own scans in scope."""
        if marked:
            for index, window in enumerate(marked):
                window.validated(index)
                checkpoint = self.checkpoint(window.checkpoint_id)
                place = Place(county_code=checkpoint.county_code, community_id=checkpoint.community_id)
                scope.require(caller, place, Action.WRITE, what=f"checkpoint {checkpoint.checkpoint_id}")
            return merge_windows(marked)
        since = clock.now() - timedelta(days=self.settings.lookback_days)
        own = [scan for scan in self.store.case_scans(case.person_id, clock.iso(since)) if self._in_scope(caller, scan.checkpoint_id)]
        found = windows_from_scans(own, self.settings.case_scan_minutes, since)
        if not found:
            raise InvalidInput(
                f"the case has no scans at checkpoints in your scope in the last {self.settings.lookback_days} days: mark the windows",
                field="windows",
            )
        return found

    def _in_scope(self, caller: Principal, checkpoint_id: str) -> bool:
        checkpoint = self.checkpoint(checkpoint_id)
        return scope.allowed(caller, Place(county_code=checkpoint.county_code, community_id=checkpoint.community_id), Action.WRITE)

    def run(self, caller: Principal, case: Person, marked: list[Window] | None) -> dict[str, Any]:
        windows = self.windows(caller, case, marked)
        margin = timedelta(minutes=self.settings.margin_minutes)
        reads = index_reads(windows, margin)
        scans = [scan for read in reads for scan in self.store.scans_in(read)]
        found = exposures(case.person_id, windows, scans, margin)
        run_id = new_run_id()
        added = 0
        for exposure in found:
            self._tell(case.person_id, exposure)
            added += int(self.store.claim(case.person_id, exposure, run_id))
        counties = sorted({self.checkpoint(window.checkpoint_id).county_code for window in windows})
        run = {
            "run_id": run_id,
            "case": {"person_id": case.person_id, "name": mask_name(case.name), "id_number": mask_id_number(case.id_number)},
            "windows": [window.to_json() for window in windows],
            "from_case_scans": not marked,
            "margin_minutes": self.settings.margin_minutes,
            "index_reads": len(reads),
            "scans_read": len(scans),
            "found": len(found),
            "added": added,
            "already_found": len(found) - added,
            "close_contacts": sum(e.kind.value == "close_contact" for e in found),
            "same_place": sum(e.kind.value == "same_place" for e in found),
            "county_codes": counties,
            "created_by": caller.username,
            "created_at": clock.iso(),
        }
        self.store.save_run(run, counties)
        self.audit_log.append(audit.record(caller, "exposure.run", f"exposure#{run_id}", None, {k: v for k, v in run.items() if k != "case"}))
        return run

    def _tell(self, case_person_id: str, found: Exposure) -> None:
        title, body = notice(found)
        at = _local(found.scanned_at)
        self.inbox.notify(
            found.person_id,
            kind=NOTICE_KIND,
            title=title,
            body=body,
            ref=f"exposure-{case_person_id}",
            title_text=texts.text(TextCode.EXPOSURE_ALERT),
            body_text=texts.text(TextCode.EXPOSURE_MATCH, checkpoint=found.checkpoint_name, at=at),
        )
        self.send_candidate(
            KeyPersonCandidate(
                person_id=found.person_id,
                category=found.kind.category,
                source="exposure",
                source_ref=f"{case_person_id}.{found.person_id}",
                community_id=found.community_id,
                reason=found.reason(),
                reason_text=texts.text(TextCode.EXPOSURE_FOUND, checkpoint=found.checkpoint_name, at=at, kind=found.kind.value),
                observed_at=found.scanned_at,
            )
        )
