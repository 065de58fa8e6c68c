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
from typing import Any, Literal

from sanmenxia import clock, texts
from sanmenxia.accountability import public
from sanmenxia.clock import SHANGHAI
from sanmenxia.contracts import KeyPersonCandidate, KeyPersonCategory, WorkOrderIntake, WorkOrderProgress, WorkOrderSource, WorkOrderType
from sanmenxia.errors import Conflict, InvalidInput, NotFound, UpstreamUnavailable
from sanmenxia.healthcode import rules
from sanmenxia.healthcode.revocation_store import RevocationStore
from sanmenxia.healthcode.revocations import Revocation, RevocationKind, new_revocation, refusal
from sanmenxia.healthcode.store import RULE_APPEAL_PREFIX, Appeal, CheckIn, HealthCodeStore, Partition, StaleCode
from sanmenxia.healthcode.tokens import SigningKey, TokenRejected, VerifiedCode, issue_token, jwks, verify_token
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
        "accepted_days": [day.isoformat() for day in partition.corrections[:14]],
        "appeals": [appeal_view(appeal, active) for appeal in partition.appeals],
    }


def appeal_view(appeal: Appeal, active: Sequence[Hold]) -> dict[str, Any]:
    """An appeal as the resident and the appeal unit see it: its state follows the hold (a hold lifted on the
    platform that placed it closes a submitted appeal as ``hold_lifted``)."""
    view = appeal.to_json()
    if appeal.kind == "hold" and appeal.status == "submitted" and appeal.hold_key not in {hold.key for hold in active}:
        view["status"] = "hold_lifted"
    return view


#: How far back a resident may say a check-in did not register (within the check-in records' retention).
RULE_APPEAL_DAYS = 14

_DECIDED = {"lift": "lifted", "keep": "kept", "accept": "accepted"}
#: The 12345 order's reply for each decision (resolved: the appeal was upheld).
_ORDER_STATUS: dict[str, Literal["resolved", "declined"]] = {"lifted": "resolved", "accepted": "resolved", "kept": "declined"}

#: Builds the audit record's ``Put`` for a transaction from the appeal before and after the decision.
AuditPut = Callable[[Any, Any], dict[str, Any]]


def _corrected_state(store: HealthCodeStore, partition: Partition, day: date, today: date) -> rules.CodeState:
    """The code's rule state with ``day`` accepted as a check-in day, recomputed by the rule: from the whole
    history while every check-in since the application is still stored, else rebuilt from the state (exact when
    no later check-in registered; otherwise the day can no longer be accepted)."""
    code = partition.code
    assert code is not None
    complete = code.state.applied_on > today - timedelta(days=store.retention_days)
    history = {checkin.day for checkin in partition.checkins} | set(partition.corrections) if complete else None
    current, _ = rules.advance(code.state, today - rules.ONE_DAY)
    try:
        return rules.accept_missed_day(current, day, today, applied_on=code.state.applied_on, checkins=history)
    except ValueError as exc:
        raise Conflict(f"the check-in day cannot be accepted any more: {exc}; decide 'keep' and ask the resident to check in", field="missed_day") from exc


def _appeal_to_decide(store: HealthCodeStore, person: Person, subject: str, decision: str, field: str) -> Appeal:
    appeal_record = store.get_appeal(person.person_id, subject)
    if appeal_record is None:
        raise NotFound("no appeal against that on this code", field=field)
    if (decision == "lift" and appeal_record.kind != "hold") or (decision == "accept" and appeal_record.kind != "rule"):
        against = "a hold" if appeal_record.kind == "hold" else "the rule colour"
        raise InvalidInput(f"'{decision}' does not decide an appeal against {against}", field="decision")
    return appeal_record


def _decision_writes(
    store: HealthCodeStore,
    person: Person,
    appeal_record: Appeal,
    status: str,
    decided_by: str,
    sealed_reason: str,
    reason: str,
    audit_put: AuditPut,
    *,
    lifted_with_it: bool = False,
) -> tuple[list[dict[str, Any]], dict[int, Exception]]:
    """The one transaction of a decision: the appeal closed, the hold lifted or the correction with the code's
    recomputed state, and the audit record (before/after as digests). ``lifted_with_it``: the hold's lift is in
    the same transaction (an approved proposal), so the hold is still active when these writes are made."""
    field = "hold" if appeal_record.kind == "hold" else "missed_day"
    writes = [store.appeal_decision_write(person.person_id, appeal_record.hold_key, status, decided_by, sealed_reason)]
    refusals: dict[int, Exception] = {0: Conflict("this appeal has been decided meanwhile", field=field)}
    before: dict[str, Any] = {"appeal": appeal_record.to_json()}
    after: dict[str, Any] = {"appeal": {**appeal_record.to_json(), "status": status}, "reason": reason}
    if status == "lifted" and not lifted_with_it and any(hold.key == appeal_record.hold_key for hold in store.holds.for_person(person.person_id)):
        raise Conflict("the hold is still active: a lift takes effect only when a second staff member approves its proposal", field="hold")
    if status == "accepted":
        partition = store.partition(person.person_id)
        assert partition.code is not None and appeal_record.day is not None
        today = clock.today()
        rule_color = rules.advance(partition.code.state, today - rules.ONE_DAY)[0].color
        corrected = _corrected_state(store, partition, appeal_record.day, today)
        refusals[len(writes) + 1] = StaleCode(person.person_id)  # the code's version-checked update
        writes += store.correction_writes(partition.code, appeal_record.day, appeal_record.appeal_id, decided_by, corrected, rule_color)
        before["rule_color"], after["rule_color"] = rule_color.value, corrected.color.value
    writes.append(audit_put(before, after))
    resolution = public.appeal_resolution(datetime.fromisoformat(appeal_record.at), clock.now())
    writes.append(store.count_request(person.county_code, public.APPEALS, resolution))
    return writes, refusals


def decide_appeal(
    store: HealthCodeStore,
    person: Person,
    *,
    subject: str,
    decision: str,
    reason: str,
    decided_by: str,
    seal: Callable[[str], str],
    audit_put: AuditPut,
    send_progress: Callable[[WorkOrderProgress], None],
) -> dict[str, Any]:
    """The appeal unit's decision on an appeal (``subject``: the hold's key, or ``rule#<day>``), with a reason:

    * a hold: ``lift`` it (whichever platform placed it: the unit decides appeals for all of them) or ``keep`` it;
    * the rule colour: ``accept`` the missed check-in day (an audited correction fact, after which the rule
      recomputes the colour — never a hand-set colour) or ``keep`` the code as it is.

    A lift is a manual colour change: the hold itself is lifted only by an approved proposal
    (``sanmenxia.healthcode.manual``, the two-person rule), which then closes the appeal through here. The
    appeal's decision (reason sealed), the correction with the code's new state, and the audit record are one
    transaction. The 12345 order follows (replied resolved / declined with the reason), so the
    result reaches the resident's inbox as the order's reply. A repeat of the same decision (a retry after the
    order's message failed to go) sends the message again, which the work-order side applies once; a different
    decision on a decided appeal is a conflict."""
    field = "missed_day" if subject.startswith(RULE_APPEAL_PREFIX) else "hold"
    status = _DECIDED[decision]
    for _ in range(3):
        appeal_record = _appeal_to_decide(store, person, subject, decision, field)
        if appeal_record.status == status:
            break
        if appeal_record.status != "submitted":
            raise Conflict("this appeal has been decided already", field=field)
        writes, refusals = _decision_writes(store, person, appeal_record, status, decided_by, seal(reason), reason, audit_put)
        try:
            store.write(writes, "appeal decision", refusals)
        except StaleCode:
            continue  # the code changed (a check-in, the close) between the read and the write: recompute
        break
    else:
        raise UpstreamUnavailable("the health code is busy; try again")
    send_progress(appeal_progress(appeal_record, status, reason, decided_by))
    return {**appeal_record.to_json(), "status": status, "reason": reason}


def appeal_progress(appeal_record: Appeal, status: str, reason: str, decided_by: str) -> WorkOrderProgress:
    """The 12345 order's step for a decided appeal (replied resolved / declined with the reason)."""
    return WorkOrderProgress(
        source=WorkOrderSource.APPEAL,
        source_ref=appeal_record.appeal_id,
        status=_ORDER_STATUS[status],
        note=reason,  # the handler's words; the outcome is the order's resolved flag (the inbox says it in words)
        actor=decided_by,
        actor_role="appeal_unit",
    )


@dataclass(frozen=True)
class AppealClose:
    """An appeal against a hold, closed as lifted by the approved proposal that lifts the hold: its writes go in
    the proposal's transaction (``refusals`` indexed within ``writes``); the order's step is sent after."""

    appeal: Appeal
    writes: list[dict[str, Any]]
    refusals: dict[int, Exception]


def lift_appeal_close(
    store: HealthCodeStore, person: Person, subject: str, *, reason: str, decided_by: str, seal: Callable[[str], str], audit_put: AuditPut
) -> AppealClose | None:
    """The writes that close the appeal against hold ``subject`` as lifted, for the transaction that lifts the
    hold; None when it is closed as lifted already (a retry)."""
    appeal_record = _appeal_to_decide(store, person, subject, "lift", "hold")
    if appeal_record.status == "lifted":
        return None
    if appeal_record.status != "submitted":
        raise Conflict("this appeal has been decided already", field="hold")
    writes, refusals = _decision_writes(store, person, appeal_record, "lifted", decided_by, seal(reason), reason, audit_put, lifted_with_it=True)
    return AppealClose(appeal_record, writes, refusals)


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


def shown_color(store: HealthCodeStore, person_id: str, *, strong_holds: bool = True) -> CodeColor:
    current = store.current([person_id], strong_holds=strong_holds).get(person_id)
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


def token_for(store: HealthCodeStore, key: SigningKey, person_id: str, ttl: timedelta) -> dict[str, Any]:
    """A signed short-lived token of the person's shown colour (what the QR image carries).

    The holds are read eventually consistent: a gate online decides on the worse of the token's colour and its
    own strong read of today's holds, and a gate offline already accepts a colour up to a token's lifetime old,
    so a hold placed in the last second that this read misses changes no verdict that a token could not
    already carry (``docs/decisions/0006-gate-reads-at-the-rush.md``)."""
    color = shown_color(store, person_id, strong_holds=False)
    now = clock.now()
    token = issue_token(key, person_id, color, now=now, ttl=ttl)
    return {"token": token, "color": color.value, "kid": key.kid, "issued_at": clock.iso(now), "expires_at": clock.iso(now + ttl)}


def verify(
    store: HealthCodeStore,
    keys: Sequence[SigningKey],
    token: str,
    token_reads: Callable[[VerifiedCode, datetime], tuple[Sequence[Revocation], Person | None]],
) -> dict[str, Any]:
    """Verify a scanned token: validity, colour (the worse of the token's and today's), masked name, reason.

    ``token_reads`` gives the revocations that may concern a verified token and its person (``TokenReads``: one
    batch). A string that is not a token at all is invalid input (400); a real token that fails (expired, bad
    signature, unknown key, revoked) is a verdict: ``valid: false`` with the reason."""
    now = clock.now()
    try:
        verified = verify_token(token, jwks(keys), now)
    except TokenRejected as rejected:
        if rejected.reason == TokenRejected.MALFORMED:
            raise InvalidInput("malformed token", field="token") from rejected
        return {"valid": False, "reason": rejected.reason, "color": None, "name": None}
    found, person = token_reads(verified, now)
    revoked = refusal(found, verified, now)
    if revoked:
        return {"valid": False, "reason": revoked, "color": None, "name": None}
    if person is None:
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


def _appeal_subject(store: HealthCodeStore, person: Person, hold_key: str | None, missed_day: date | None) -> str:
    """The appeal's key (the hold's, or ``rule#<day>``), after checking there is something to appeal."""
    if hold_key is not None:
        hold = next((hold for hold in store.holds.for_person(person.person_id) if hold.key == hold_key), None)
        if hold is None:
            raise NotFound("no active hold with that key on this code", field="hold")
        return hold_key
    assert missed_day is not None
    partition = store.partition(person.person_id)
    if partition.code is None:
        raise NotFound("no health code yet: apply first (POST /health-codes)", field="person")
    today = clock.today()
    state, _ = rules.advance(partition.code.state, today - rules.ONE_DAY)
    if not today - timedelta(days=RULE_APPEAL_DAYS) <= missed_day < today or missed_day <= state.applied_on:
        raise InvalidInput(f"a missed check-in day after the application day and within the last {RULE_APPEAL_DAYS} days, before today", field="missed_day")
    if missed_day in {checkin.day for checkin in partition.checkins} | set(partition.corrections):
        raise Conflict("that day's check-in has registered: there is nothing to correct", field="missed_day")
    if state.color is CodeColor.GREEN:
        raise Conflict("the rule colour is green: there is nothing to correct", field="missed_day")
    return f"{RULE_APPEAL_PREFIX}{missed_day.isoformat()}"


def appeal(
    store: HealthCodeStore,
    person: Person,
    requester_sub: str,
    *,
    hold_key: str | None = None,
    missed_day: date | None = None,
    statement: str,
    seal: Callable[[str], str],
    send_work_order: Sender,
) -> dict[str, Any]:
    """Appeal against an active hold (``hold_key``) or against the rule colour (``missed_day``: a check-in the
    resident made that did not register): recorded (statement sealed) and sent to the 12345 hotline as a work
    order. The work order goes first, keyed by the appeal id, so a retry after a failure never loses it."""
    subject = _appeal_subject(store, person, hold_key, missed_day)
    field = "hold" if hold_key is not None else "missed_day"
    if store.get_appeal(person.person_id, subject) is not None:
        raise Conflict("this has already been appealed", field=field)
    ident = appeal_id(person.person_id, subject)
    send_work_order(
        WorkOrderIntake(
            source=WorkOrderSource.APPEAL,
            source_ref=ident,
            type=WorkOrderType.COMPLAINT,
            category="health_code_appeal",
            summary=statement[:2000],  # the hold, or the missed day, is read on the appeal's case screen
            county_code=person.county_code,
            community_id=person.community_id,
            requester_person_id=person.person_id,
            requester_sub=requester_sub,
        )
    )
    record = Appeal(ident, subject, "submitted", clock.iso())
    store.put_appeal(person.person_id, record, seal(statement), person.community_id)
    return record.to_json()


def revoke(
    revocations: RevocationStore,
    kind: RevocationKind,
    subject: str,
    reason: str,
    audit_entry: Callable[[Revocation], Any],
    seal: Callable[[str], str],
) -> Revocation:
    """Revoke a signing key or one person's tokens issued until now; the audit record lands with it, the
    reason is stored sealed (like an appeal's decision reason)."""
    revocation = new_revocation(kind, subject, reason, clock.now(), seal)
    revocations.revoke(revocation, audit_entry(revocation))
    return revocation
