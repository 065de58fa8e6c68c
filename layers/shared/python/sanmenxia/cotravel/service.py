"""Co-travel workflows: answer a query, load case trips and re-check saved trips, "register me".

Loading new case trips re-checks only the saved trips of the same date and number (one partition read per
distinct trip), so the cost follows the trips loaded, not the number of people who saved trips.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sanmenxia import texts
from sanmenxia.cotravel.proximity import Match, Risk, assess, matches, worst
from sanmenxia.cotravel.store import CoTravelStore, SavedTrip, trip_to_json
from sanmenxia.cotravel.trips import CaseTrip, Position, TravelMode
from sanmenxia.notifications import Inbox
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
