"""Who travelled close to a confirmed case: the proximity rule of each mode (同行风险判定). Pure.

=========  =====================================================  ===========================================
mode       close (密切接触)                                       otherwise on the same trip
=========  =====================================================  ===========================================
flight     within ±3 rows of the case                             other rows: same trip; row unknown: possible
train      the same carriage                                      other carriage: same trip; unknown: possible
metro      the same carriage                                      (as train)
ship       the same cabin/deck (given as carriage)                (as train)
bus        the same vehicle                                       —
taxi       the same vehicle                                       —
=========  =====================================================  ===========================================

When either side's position is unknown the answer is "possible": the person cannot be cleared.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sanmenxia.cotravel.trips import CaseTrip, Position, TravelMode


class Risk(StrEnum):
    """Co-travel risk, ordered by severity."""

    NONE = "none"  # 未发现同行
    SAME_TRIP = "same_trip"  # 同乘,距离较远
    POSSIBLE = "possible"  # 同乘,位置不明
    CLOSE = "close"  # 密切接触

    @property
    def severity(self) -> int:
        return {"none": 0, "same_trip": 1, "possible": 2, "close": 3}[self.value]

    @property
    def guidance(self) -> str:
        return GUIDANCE[self]


GUIDANCE: dict[Risk, str] = {
    Risk.NONE: "未发现与确诊病例同行。No confirmed case was published on this trip.",
    Risk.SAME_TRIP: (
        "您与确诊病例同乘但距离较远,请做好健康监测,如有发热等症状及时就医。You were on the same trip but not close to the case: watch your health for 14 days."
    ),
    Risk.POSSIBLE: (
        "您与确诊病例同乘,无法排除密切接触,请立即向所在社区登记并居家隔离。"
        "You were on the same trip and close contact cannot be ruled out: register with your community and isolate at home."
    ),
    Risk.CLOSE: (
        "您可能是确诊病例的密切接触者,请立即向所在社区登记并居家隔离。"
        "You may be a close contact of a confirmed case: register with your community and isolate at home."
    ),
}


class Rule(StrEnum):
    ROW_WINDOW = "row_window"
    SAME_CARRIAGE = "same_carriage"
    SAME_VEHICLE = "same_vehicle"


@dataclass(frozen=True)
class ProximityRule:
    rule: Rule
    rows: int = 0


#: The rule table (a setting of the platform; changes here change every answer).
RULES: dict[TravelMode, ProximityRule] = {
    TravelMode.FLIGHT: ProximityRule(Rule.ROW_WINDOW, rows=3),
    TravelMode.TRAIN: ProximityRule(Rule.SAME_CARRIAGE),
    TravelMode.METRO: ProximityRule(Rule.SAME_CARRIAGE),
    TravelMode.SHIP: ProximityRule(Rule.SAME_CARRIAGE),
    TravelMode.BUS: ProximityRule(Rule.SAME_VEHICLE),
    TravelMode.TAXI: ProximityRule(Rule.SAME_VEHICLE),
}


def assess(mode: TravelMode, case: Position, traveller: Position, rules: dict[TravelMode, ProximityRule] = RULES) -> Risk:
    """The risk of someone at ``traveller`` on the same trip (same date, mode and number) as a case at ``case``."""
    rule = rules[mode]
    if rule.rule is Rule.SAME_VEHICLE:
        return Risk.CLOSE
    if rule.rule is Rule.SAME_CARRIAGE:
        if case.carriage is None or traveller.carriage is None:
            return Risk.POSSIBLE
        return Risk.CLOSE if case.carriage == traveller.carriage else Risk.SAME_TRIP
    case_row, own_row = case.effective_row, traveller.effective_row
    if case_row is None or own_row is None:
        return Risk.POSSIBLE
    return Risk.CLOSE if abs(case_row - own_row) <= rule.rows else Risk.SAME_TRIP


@dataclass(frozen=True)
class Match:
    trip: CaseTrip
    risk: Risk


def matches(cases: Iterable[CaseTrip], traveller: Position, mode: TravelMode | None = None) -> list[Match]:
    """Every case trip (already of the same date and number) with its risk, worst first; ``mode`` filters."""
    found = [Match(case, assess(case.mode, case.position, traveller)) for case in cases if mode is None or case.mode is mode]
    return sorted(found, key=lambda match: (-match.risk.severity, match.trip.trip_id))


def worst(found: Iterable[Match]) -> Risk:
    return max((match.risk for match in found), key=lambda risk: risk.severity, default=Risk.NONE)
