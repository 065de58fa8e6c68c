"""Co-travel workflows: answer a query, load case trips (staff's list, or a CSV uploaded to S3) and re-check
saved trips, "register me".

Loading new case trips re-checks only the saved trips of the same date and number (one partition read per
distinct trip), so the cost follows the trips loaded, not the number of people who saved trips.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sanmenxia import audit, clock, texts
from sanmenxia.audit import AuditLog
from sanmenxia.auth import Principal
from sanmenxia.cotravel.csvfile import CsvRejected
from sanmenxia.cotravel.imports import parse_case_trips
from sanmenxia.cotravel.proximity import Match, Risk, assess, matches, worst
from sanmenxia.cotravel.store import CoTravelStore, ImportFiles, SavedTrip, trip_to_json
from sanmenxia.cotravel.trips import CaseTrip, Position, TravelMode
from sanmenxia.notifications import Inbox
from sanmenxia.observability import logger
from sanmenxia.texts import TextCode


@dataclass(frozen=True)
class Answer:
    """What a query returns: every matching case trip with its risk, the worst risk, the guidance."""

    found: list[Match]

    @property
    def risk(self) -> Risk:
        return worst(self.found)

    def to_json(self) -> dict[str, Any]:
        return {
            "risk": self.risk.value,
            "guidance": self.risk.guidance,
            "can_register": self.risk is not Risk.NONE,
            "matches": [{**trip_to_json(match.trip), "risk": match.risk.value} for match in self.found],
        }


def answer(store: CoTravelStore, travel_date: date, number: str, position: Position, mode: TravelMode | None = None) -> Answer:
    """Did someone at ``position`` on ``number`` that day travel with a confirmed case?"""
    return Answer(matches(store.case_trips(travel_date, number), position, mode))


def recheck(store: CoTravelStore, inbox: Inbox, trips: list[CaseTrip]) -> int:
    """Notify the owners of saved trips that the new ``trips`` put at risk; returns notifications left.

    Notifications are idempotent per (case trip, saved trip): reloading the same notice notifies nobody twice.
    """
    by_trip: dict[tuple[date, str], list[CaseTrip]] = defaultdict(list)
    for trip in trips:
        by_trip[(trip.travel_date, trip.number)].append(trip)
    notified = 0
    for (travel_date, number), cases in by_trip.items():
        for saved in store.saved_on(travel_date, number):
            notified += _notify(inbox, saved, cases)
    return notified


def _notify(inbox: Inbox, saved: SavedTrip, cases: list[CaseTrip]) -> int:
    count = 0
    for case in cases:
        if saved.mode is not None and saved.mode is not case.mode:
            continue
        risk = assess(case.mode, case.position, saved.position)
        if risk is Risk.NONE:
            continue
        inbox.notify(
            saved.owner,
            kind="co_travel",
            title=f"同行提醒 Co-travel alert: {case.travel_date.isoformat()} {case.number}",
            body=f"您保存的行程与新公布的确诊病例行程相同(风险:{risk.value})。{risk.guidance}",
            link=case.source_url,
            title_text=texts.text(TextCode.CO_TRAVEL_ALERT, date=case.travel_date.isoformat(), number=case.number),
            body_text=texts.text(TextCode.CO_TRAVEL_MATCH, risk=risk.value),
            ref=f"cotravel-{case.trip_id}-{saved.saved_id}",
        )
        count += 1
    return count


def load_case_trips(store: CoTravelStore, inbox: Inbox, log: AuditLog, caller: Principal, trips: list[CaseTrip]) -> dict[str, Any]:
    """Publish case trips entered by staff (each trip once), audited in the same write, then re-check saved trips."""
    unique = list({trip.trip_id: trip for trip in trips}.values())
    entry = audit.record(caller, "case_trips.load", f"case_trips#{unique[0].travel_date.isoformat()}", None, [t.trip_id for t in unique])
    store.put_trips(unique, loaded_by=caller.username, extra=[log.put_request(entry)])
    notified = recheck(store, inbox, unique)
    logger.info("case trips loaded", extra={"trips": len(unique), "notified": notified})
    return {"loaded": len(unique), "trip_ids": [trip.trip_id for trip in unique], "notified": notified}


def import_case_trips(store: CoTravelStore, inbox: Inbox, files: ImportFiles, bucket: str, key: str, etag: str, reports_prefix: str) -> dict[str, Any]:
    """A CSV of case trips uploaded to S3: validate the whole file, then write every trip (or nothing) and
    re-check saved trips; the report is kept in the table and beside the file. Idempotent per file version."""
    import_id = hashlib.sha256(f"{bucket}/{key}#{etag}".encode()).hexdigest()[:20]
    existing = store.report(import_id)
    if existing and existing.get("status") in ("imported", "rejected"):
        return {"import_id": import_id, **existing}
    data = files.read(bucket, key)
    report: dict[str, Any] = {"key": key, "received_at": clock.iso(), "status": "validating"}
    try:
        trips = parse_case_trips(data, today=clock.today())
    except CsvRejected as rejected:
        report.update(status="rejected", rows_written=0, **rejected.report())
    else:
        unique = list({trip.trip_id: trip for trip in trips}.values())
        store.put_trips(unique, loaded_by=f"import:{key}", import_id=import_id)
        notified = recheck(store, inbox, unique)
        report.update(status="imported", rows=len(trips), rows_written=len(unique), notified=notified, error_count=0, errors=[])
    report["finished_at"] = clock.iso()
    store.put_report(import_id, report)
    files.write_report(bucket, reports_prefix + key + ".json", {"import_id": import_id, **report})
    logger.info("case-trip import", extra={"import_id": import_id, "status": report["status"], "errors": report.get("error_count")})
    return {"import_id": import_id, **report}
