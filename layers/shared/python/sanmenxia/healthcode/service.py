"""Health-code use cases: apply, check in, see my code, sign and verify a token, appeal (a lift by hand is a proposal: ``manual``).

Each function takes its collaborators (store, keys, queues) and plain values, so the HTTP handler stays thin
and the use cases are testable on moto without API Gateway. Decisions are in ``rules``; storage in ``store``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sanmenxia import clock, texts
from sanmenxia.clock import SHANGHAI
from sanmenxia.contracts import KeyPersonCandidate, KeyPersonCategory, WorkOrderIntake, WorkOrderProgress, WorkOrderSource, WorkOrderType
from sanmenxia.errors import Conflict, InvalidInput, NotFound, UpstreamUnavailable
from sanmenxia.healthcode import rules
from sanmenxia.healthcode.revocations import Revocation, RevocationKind, RevocationStore, new_revocation, refusal
from sanmenxia.healthcode.store import Appeal, CheckIn, HealthCodeStore, Partition, StaleCode
from sanmenxia.healthcode.tokens import SigningKey, TokenRejected, issue_token, jwks, verify_token
from sanmenxia.holds import CodeColor, Hold, HoldKind, worst
from sanmenxia.people import Person
from sanmenxia.texts import TextCode
from sanmenxia.vocabulary import Symptom

SOURCE = "health_code"


#: Check-in symptoms are the one shared list (``fever`` among them; the retired spelling still accepted).
CheckInSymptom = Symptom


Sender = Callable[[Any], None]


def _hold_day(hold: Hold) -> date:
    return datetime.fromisoformat(hold.since.replace("Z", "+00:00")).astimezone(SHANGHAI).date()


def code_view(person: Person, partition: Partition, holds: Sequence[Hold], today: date) -> dict[str, Any]:
    """What the holder (or a household head, or staff in scope) sees: colour, since, reasons, history."""
    code = partition.code
    if code is None:
        raise NotFound("no health code yet: apply first (POST /health-codes)", field="person")
    state, pending = rules.advance(code.state, today - rules.ONE_DAY)
    active = [hold for hold in holds if hold.active]
    color = rules.shown_color(state.color, active)
    since = state.since
    if color is not state.color:
        since = min(_hold_day(hold) for hold in active if hold.color is color)
    history = [transition.to_json() for transition in reversed(pending)] + partition.changes
    return {
        "person_id": person.person_id,
        "name": person.masked()["name"],
        "color": color.value,
        "since": since.isoformat(),
        "rule_color": state.color.value,
        "reasons": rules.reasons(state, active, today),
        "checkins_to_green": rules.checkins_to_green(state, today),
        "green_blocked_by_holds": any(hold.color is not CodeColor.GREEN for hold in active),
        "missed_days": rules.missed_days(state, today) if state.color is not CodeColor.RED else None,
        "checked_in_today": state.last_checkin == today,
        "today": today.isoformat(),
        "rule_version": state.rule_version,
        "history": history[:60],
        "checkins": [checkin.to_json() for checkin in partition.checkins[:14]],
        "appeals": [appeal_view(appeal, active) for appeal in partition.appeals],
    }


def appeal_view(appeal: Appeal, active: Sequence[Hold]) -> dict[str, Any]:
    """An appeal as the resident and the appeal unit see it: its state follows the hold (a hold lifted on the
    platform that placed it closes a submitted appeal as ``hold_lifted``)."""
    view = appeal.to_json()
    if appeal.status == "submitted" and appeal.hold_key not in {hold.key for hold in active}:
        view["status"] = "hold_lifted"
    return view


def decide_appeal(
    store: HealthCodeStore,
    person: Person,
    *,
    hold_key: str,
    lift: bool,
    reason: str,
    decided_by: str,
    send_progress: Callable[[WorkOrderProgress], None],
) -> dict[str, Any]:
    """The appeal unit's decision on an appeal against a hold: lifted (whichever platform placed it: the unit
    decides appeals for all of them) or kept, with a reason. The appeal closes and its 12345 order follows
    (replied resolved / declined with the reason), so the result reaches the resident's inbox as the order's
    reply. A lift is a manual colour change: the hold itself is lifted only by an approved proposal
    (``sanmenxia.healthcode.manual``, the two-person rule), which then closes the appeal through here."""
    appeal_record = store.get_appeal(person.person_id, hold_key)
    if appeal_record is None:
        raise NotFound("no appeal against that hold on this code", field="hold")
    if lift and any(hold.key == hold_key for hold in store.holds.for_person(person.person_id)):
        raise Conflict("the hold is still active: a lift takes effect only when a second staff member approves its proposal", field="hold")
    status = "lifted" if lift else "kept"
    # A repeat of the same decision (a retry after the order's message failed to go) sends the message again, which
    # the work-order side applies once; a different decision on a decided appeal is a conflict.
    if appeal_record.status != status:
        store.decide_appeal(person.person_id, hold_key, status, decided_by, reason)
    send_progress(
        WorkOrderProgress(
            source=WorkOrderSource.APPEAL,
            source_ref=appeal_record.appeal_id,
            status="resolved" if lift else "declined",
            note=reason,  # the handler's words; the outcome is the order's resolved flag (the inbox says it in words)
            actor=decided_by,
            actor_role="appeal_unit",
        )
    )
    return {**appeal_record.to_json(), "status": status, "reason": reason}


def my_code(store: HealthCodeStore, person: Person) -> dict[str, Any]:
    return code_view(person, store.partition(person.person_id), store.holds.for_person(person.person_id), clock.today())


def apply(store: HealthCodeStore, person: Person, applied_by: str, *, fever: bool, in_isolation: bool) -> dict[str, Any]:
    """Grant a code ("two no's, one check-in, one application"): green by the rule, with the holds the
    declaration and other platforms set. The declaration's holds are written in the same transaction."""
    declared = [
        (HoldKind.FEVER, "fever declared at application 申领时申报发热", TextCode.FEVER_DECLARED, fever),
        (HoldKind.ISOLATION, "isolation declared at application 申领时申报隔离", TextCode.ISOLATION_DECLARED, in_isolation),
    ]
    holds = [
        store.holds.place_request(person.person_id, kind, source=SOURCE, source_ref="declaration", reason=reason, text=texts.text(code))[1]
        for kind, reason, code, yes in declared
        if yes
    ]
    store.apply(
        person.person_id,
        county_code=person.county_code,
        community_id=person.community_id,
        applied_by=applied_by,
        declared_fever=fever,
        declared_isolation=in_isolation,
        holds=holds,
    )
    return my_code(store, person)


@dataclass(frozen=True)
class CheckInOutcome:
    checkin: CheckIn
    repeat: bool
    code: dict[str, Any]
    transitions: tuple[rules.Transition, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {**self.checkin.to_json(), "repeat": self.repeat, "code": self.code}


def _fever_hold(store: HealthCodeStore, checkin: CheckIn) -> tuple[Hold, dict[str, Any]]:
    return store.holds.place_request(
        checkin.person_id,
        HoldKind.FEVER,
        source=SOURCE,
        source_ref=f"checkin#{checkin.day.isoformat()}",
        reason=f"temperature {checkin.temperature} °C at the daily check-in 打卡体温异常",
        text=texts.text(TextCode.CHECK_IN_FEVER, temperature=str(checkin.temperature)),
    )


def _fever_candidate(person: Person, checkin: CheckIn) -> KeyPersonCandidate:
    return KeyPersonCandidate(
        person_id=person.person_id,
        category=KeyPersonCategory.FEVER_WITHOUT_CONTACT,
        source=SOURCE,
        source_ref=f"checkin:{person.person_id}:{checkin.day.isoformat()}",
        community_id=person.community_id,
        reason=f"temperature {checkin.temperature} °C reported at the daily health-code check-in",
        reason_text=texts.text(TextCode.CHECK_IN_FEVER, temperature=str(checkin.temperature)),
        observed_at=checkin.at,
    )


def check_in(
    store: HealthCodeStore,
    person: Person,
    *,
    temperature: float,
    symptoms: Sequence[str],
    fever_threshold: float,
    send_candidate: Sender,
) -> CheckInOutcome:
    """Today's check-in (one per person and day: a repeat returns the first, writes nothing). A temperature at
    or above ``fever_threshold``, or a declared ``fever``, places a fever hold (same transaction) and asks for a
    key-person record."""
    today = clock.today()
    rounded = Decimal(str(temperature)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    for _ in range(3):
        record = store.get(person.person_id)
        if record is None:
            raise NotFound("no health code yet: apply first (POST /health-codes)", field="person")
        existing = store.get_checkin(person.person_id, today)
        if existing is not None:
            if existing.fever:  # repair a fever follow-up that failed after the write
                send_candidate(_fever_candidate(person, existing))
            return CheckInOutcome(existing, True, my_code(store, person))
        declared_fever = Symptom.FEVER.value in symptoms  # a declared fever counts, whatever the thermometer said
        checkin = CheckIn(person.person_id, today, rounded, tuple(symptoms), declared_fever or rounded >= Decimal(str(fever_threshold)), clock.iso())
        state, transitions = rules.check_in(record.state, today)
        holds = [_fever_hold(store, checkin)[1]] if checkin.fever else []
        try:
            store.record_checkin(record, checkin, state, transitions, holds)
        except StaleCode:
            continue
        except Conflict:
            continue  # a concurrent request checked in first: the next pass returns it as a repeat
        if checkin.fever:
            send_candidate(_fever_candidate(person, checkin))
        return CheckInOutcome(checkin, False, my_code(store, person), tuple(transitions))
    raise UpstreamUnavailable("the health code is busy; try again")


def shown_color(store: HealthCodeStore, person_id: str) -> CodeColor:
    current = store.current([person_id]).get(person_id)
    if current is None:
        raise NotFound("no health code yet: apply first (POST /health-codes)", field="person")
    return current.color


def code_status(store: HealthCodeStore, person_id: str) -> dict[str, str]:
    """The cheap part of a code a phone polls while the code screen is visible: the shown colour and a
    version that changes whenever the colour, the rule colour or the set of active holds changes."""
    current = store.current([person_id]).get(person_id)
    if current is None:
        raise NotFound("no health code yet: apply first (POST /health-codes)", field="person")
    active = sorted(hold.key for hold in current.holds if hold.active)
    version = hashlib.sha256("|".join([current.color.value, current.rule_color.value, current.since.isoformat(), *active]).encode()).hexdigest()[:16]
    return {"color": current.color.value, "version": version}


def token_for(store: HealthCodeStore, key: SigningKey, person: Person, ttl: timedelta) -> dict[str, Any]:
    """A signed short-lived token of the person's shown colour (what the QR image carries)."""
    color = shown_color(store, person.person_id)
    now = clock.now()
    token = issue_token(key, person.person_id, color, now=now, ttl=ttl)
    return {"token": token, "color": color.value, "kid": key.kid, "issued_at": clock.iso(now), "expires_at": clock.iso(now + ttl)}


def verify(
    store: HealthCodeStore,
    keys: Sequence[SigningKey],
    token: str,
    find_person: Callable[[str], Person],
    revocations: RevocationStore | None = None,
) -> dict[str, Any]:
    """Verify a scanned token: validity, colour (the worse of the token's and today's), masked name, reason.

    A string that is not a token at all is invalid input (400); a real token that fails (expired, bad
    signature, unknown key, revoked) is a verdict: ``valid: false`` with the reason."""
    now = clock.now()
    try:
        verified = verify_token(token, jwks(keys), now)
    except TokenRejected as rejected:
        if rejected.reason == TokenRejected.MALFORMED:
            raise InvalidInput("malformed token", field="token") from rejected
        return {"valid": False, "reason": rejected.reason, "color": None, "name": None}
    revoked = refusal(revocations.for_token(verified), verified, now) if revocations else None
    if revoked:
        return {"valid": False, "reason": revoked, "color": None, "name": None}
    try:
        person = find_person(verified.person_id)
    except NotFound:
        return {"valid": False, "reason": "unknown person", "color": None, "name": None}
    current = store.current([verified.person_id]).get(verified.person_id)
    today_color = current.color if current else verified.color
    return {
        "valid": True,
        "reason": None,
        "color": worst(verified.color, today_color).value,
        "token_color": verified.color.value,
        "current_color": today_color.value,
        "name": person.masked()["name"],
        "person_id": verified.person_id,
        "issued_at": clock.iso(verified.issued_at),
        "expires_at": clock.iso(verified.expires_at),
    }


def appeal_id(person_id: str, hold_key: str) -> str:
    return hashlib.sha256(f"{person_id}|{hold_key}".encode()).hexdigest()[:20]


def appeal(
    store: HealthCodeStore,
    person: Person,
    requester_sub: str,
    *,
    hold_key: str,
    statement: str,
    seal: Callable[[str], str],
    send_work_order: Sender,
) -> dict[str, Any]:
    """Appeal against an active hold: recorded (statement sealed) and sent to the 12345 hotline as a work
    order. The work order goes first, keyed by the appeal id, so a retry after a failure never loses it."""
    hold = next((hold for hold in store.holds.for_person(person.person_id) if hold.key == hold_key), None)
    if hold is None:
        raise NotFound("no active hold with that key on this code", field="hold")
    if store.get_appeal(person.person_id, hold_key) is not None:
        raise Conflict("this hold has already been appealed", field="hold")
    ident = appeal_id(person.person_id, hold_key)
    send_work_order(
        WorkOrderIntake(
            source=WorkOrderSource.APPEAL,
            source_ref=ident,
            type=WorkOrderType.COMPLAINT,
            category="health_code_appeal",
            summary=statement[:2000],  # the hold (kind, source, reason) is read on the appeal's case screen
            county_code=person.county_code,
            community_id=person.community_id,
            requester_person_id=person.person_id,
            requester_sub=requester_sub,
        )
    )
    record = Appeal(ident, hold_key, "submitted", clock.iso())
    store.put_appeal(person.person_id, record, seal(statement), person.community_id)
    return record.to_json()


def revoke(
    revocations: RevocationStore,
    kind: RevocationKind,
    subject: str,
    reason: str,
    audit_entry: Callable[[Revocation], Any],
) -> Revocation:
    """Revoke a signing key or one person's tokens issued until now; the audit record lands with it."""
    revocation = new_revocation(kind, subject, reason, clock.now())
    revocations.revoke(revocation, audit_entry(revocation))
    return revocation
