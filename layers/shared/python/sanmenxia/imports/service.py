"""Bulk comparison (三方比对): a list uploaded to S3 is compared with residents through HMAC look-up keys.

The whole file is validated first (a malformed list is rejected with line numbers and nothing happens);
then, 500 rows at a time, the values become look-up keys, one ``BatchGetItem`` per 100 keys finds the
residents, every hit gets an ``IMPORTED_LIST`` hold with the list's reason (and, when the list names a
key-person category, a candidate for the community head), and the job's progress is written. Rerunning a
job is harmless: holds, hits and candidates are idempotent per job and person.

The look-up index is kept from the people registry's stream (``index_person_change``), so the comparison
never reads clear values and never scans the registry.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sanmenxia import clock, regions, texts
from sanmenxia.contracts import KeyPersonCandidate, KeyPersonCategory
from sanmenxia.cotravel.csvfile import CsvRejected
from sanmenxia.cotravel.imports import ListEntry, parse_comparison_list
from sanmenxia.holds import HoldKind, HoldStore
from sanmenxia.imports.store import ComparisonStore, Resident
from sanmenxia.texts import TextCode

CHUNK_ROWS = 500
HOLD_SOURCE = "imports"


class JobStatus:
    AWAITING_UPLOAD = "awaiting_upload"  # 待上传
    COMPARING = "comparing"  # 比对中
    DONE = "done"  # 已完成
    REJECTED = "rejected"  # 文件有误,未导入
    WITHDRAWN = "withdrawn"  # 已撤回(管控标记已解除)


@dataclass(frozen=True)
class Keys:
    """How values become look-up keys: ``PeopleRegistry.id_key`` / ``phone_key``."""

    id_key: Callable[[str], str]
    phone_key: Callable[[str], str]

    def of(self, entry: ListEntry) -> list[tuple[str, str]]:
        keys = []
        if entry.id_number:
            keys.append(("id_number", f"idn#{self.id_key(entry.id_number)}"))
        if entry.phone:
            keys.append(("phone", f"phone#{self.phone_key(entry.phone)}"))
        return keys


def hold_reason(job: dict[str, Any]) -> str:
    return f"三方比对 Comparison list “{job.get('name', '')}”: {job.get('reason') or '三方比对名单 comparison list'}"[:300]


def hold_text(job: dict[str, Any]) -> dict[str, Any]:
    """The hold's reason as a code: the list's name and its own reason; a list uploaded without one is named only."""
    name = str(job.get("name", ""))[:120]
    if not job.get("reason"):
        return texts.text(TextCode.IMPORTED_LIST_HOLD_NO_REASON, name=name)
    return texts.text(TextCode.IMPORTED_LIST_HOLD, name=name, note=str(job["reason"])[:200])


def summary_of(hits: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Counts only (no personal data): hits by county and by community."""
    by_community = Counter(hit["community_id"] for hit in hits.values())
    by_county = Counter(regions.county_of_community(community) for community in by_community.elements())
    return {"by_county": dict(sorted(by_county.items())), "by_community": dict(sorted(by_community.items()))}


@dataclass
class Comparison:
    store: ComparisonStore
    holds: HoldStore
    keys: Keys
    send_candidate: Callable[[KeyPersonCandidate], None]

    def run(self, job_id: str, job: dict[str, Any], data: bytes, today: date | None = None) -> dict[str, Any]:
        """Validate, compare, hold, summarise; returns the final job document (also stored)."""
        job = dict(job, status=JobStatus.COMPARING, started_at=clock.iso(), rows_processed=0, hits=0, error_count=0, errors=[])
        try:
            entries = parse_comparison_list(data, today=today or clock.today())
        except CsvRejected as rejected:
            job.update(status=JobStatus.REJECTED, finished_at=clock.iso(), **rejected.report())
            self.store.put_job(job_id, job)
            return job
        job["rows_total"] = len(entries)
        self.store.put_job(job_id, job)
        hits: dict[str, dict[str, Any]] = {}
        for start in range(0, len(entries), CHUNK_ROWS):
            chunk = entries[start : start + CHUNK_ROWS]
            new_hits = self._compare(chunk)
            self._act(job_id, job, new_hits, hits)
            self.store.progress(job_id, processed=start + len(chunk), hits=len(hits))
        job.update(status=JobStatus.DONE, rows_processed=len(entries), hits=len(hits), holds_placed=len(hits), finished_at=clock.iso())
        job["summary"] = summary_of(hits)
        self.store.put_job(job_id, job)
        return job

    def _compare(self, chunk: list[ListEntry]) -> dict[str, dict[str, Any]]:
        wanted = {entry.line: self.keys.of(entry) for entry in chunk}
        found = self.store.look_up(key for keys in wanted.values() for _, key in keys)
        hits: dict[str, dict[str, Any]] = {}
        for line, keys in wanted.items():
            for matched_by, key in keys:
                for resident in found.get(key, []):
                    hit = hits.setdefault(resident.person_id, {"community_id": resident.community_id, "lines": [], "matched_by": []})
                    hit["lines"].append(line)
                    if matched_by not in hit["matched_by"]:
                        hit["matched_by"].append(matched_by)
        return hits

    def _act(self, job_id: str, job: dict[str, Any], new_hits: dict[str, dict[str, Any]], hits: dict[str, dict[str, Any]]) -> None:
        reason = hold_reason(job)
        said = hold_text(job)
        for person_id, hit in new_hits.items():
            if person_id in hits:
                hits[person_id]["lines"].extend(hit["lines"])
                continue
            hits[person_id] = hit
            self.holds.place(person_id, HoldKind.IMPORTED_LIST, source=HOLD_SOURCE, source_ref=job_id, reason=reason, text=said)
            category = job.get("category")
            if category:
                self.send_candidate(
                    KeyPersonCandidate(
                        person_id=person_id,
                        category=KeyPersonCategory(category),
                        source="import",
                        source_ref=f"{job_id}:{person_id}",
                        community_id=hit["community_id"],
                        reason=reason,
                        reason_text=said,
                    )
                )
        self.store.put_hits(job_id, {pid: hits[pid] for pid in new_hits})

    def withdraw(self, job_id: str, job: dict[str, Any]) -> dict[str, Any]:
        """Lift every hold the job placed (a list sent in error); the hits stay for the record."""
        lifted = sum(int(self.holds.lift(hit["person_id"], HoldKind.IMPORTED_LIST, job_id)) for hit in self.store.hits(job_id))
        job = dict(job, status=JobStatus.WITHDRAWN, holds_lifted=lifted, withdrawn_at=clock.iso())
        self.store.put_job(job_id, job)
        return job


def _keys_of(image: dict[str, Any]) -> dict[str, str]:
    keys = {}
    if "idn_key" in image:
        keys["idn"] = image["idn_key"]["S"]
    if "phone_key" in image:
        keys["phone"] = image["phone_key"]["S"]
    return keys


def index_person_change(store: ComparisonStore, record: dict[str, Any]) -> int:
    """Apply one people-registry stream record (``dynamodb`` part) to the look-up index; returns writes."""
    old = record.get("OldImage") or {}
    new = record.get("NewImage") or {}
    image = new or old
    if not image.get("pk", {}).get("S", "").startswith("person#"):
        return 0
    person_id = image["person_id"]["S"]
    return store.index_changes(
        person_id,
        _keys_of(old),
        _keys_of(new),
        old.get("community_id", {}).get("S"),
        new.get("community_id", {}).get("S"),
    )


__all__ = ["Comparison", "JobStatus", "Keys", "Resident", "index_person_change", "summary_of"]
