"""A scan at a gate (扫码/刷证/录入 登记): identify the person, read or verify their code, decide, record.

``Gate.scan`` is the one domain function behind ``POST /checkpoints/{id}/scans``. Its collaborators are
passed in (data-access objects and plain callables), so the benchmark and the tests run it on stubs:

* a QR token is verified offline with the health-code verifier and the published key set, at the scan's
  own time (a device that syncs late sends tokens that were valid when it scanned them); online the scan is
  then decided on the worse of the token's colour and today's colour (DESIGN.md §8): a hold placed after the
  token was issued makes it worse, never better. Today's colour costs one read, a query of the person's
  holds: within the day a token was issued its colour stands for the rule colour, because only the daily
  close makes a rule colour worse (a check-in only makes it better); a token issued before today's close
  falls back to the full read of the code;
* an ID number (card reader or typed) finds the resident through the people registry's HMAC key; their
  colour is the health code's current shown colour (rule colour and holds);
* a fever or a red code starts the follow-up (a fever hold and a key-person candidate), after the scan is
  safely recorded; the follow-up is idempotent, so a device's retry repeats it harmlessly.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sanmenxia import audit, clock, regions, scope, texts
from sanmenxia.audit import AuditLog
from sanmenxia.auth import Principal, Role
from sanmenxia.checkpoints import rules, sealing, stats
from sanmenxia.checkpoints.records import Checkpoint, Location, ScanRecord
from sanmenxia.checkpoints.requests import CheckpointIn, CheckpointPatch, ScanIn, StaffAssignmentIn
from sanmenxia.checkpoints.rules import DEFAULT_RULES, GateRules, ScanMethod, StopReason
from sanmenxia.checkpoints.store import CheckpointRegistry, ScanLedger
from sanmenxia.contracts import KeyPersonCandidate, KeyPersonCategory
from sanmenxia.errors import Conflict, DomainError, InvalidInput, NotFound
from sanmenxia.healthcode.revocations import Revocation, refusal
from sanmenxia.healthcode.tokens import TokenRejected, VerifiedCode, verify_token
from sanmenxia.holds import CodeColor, Hold, HoldKind, HoldStore, worst
from sanmenxia.idnumber import InvalidIdNumber, parse_id_number
from sanmenxia.masking import mask_name
from sanmenxia.people import PeopleRegistry, Person
from sanmenxia.regions import county_of_community
from sanmenxia.scope import Place
from sanmenxia.staff import StaffDirectory
from sanmenxia.texts import TextCode

SOURCE = "checkpoints"


class TokenInvalid(InvalidInput):
    """A QR token the gate must not accept (forged, expired, signed by an unknown key, malformed)."""

    status = 422
    code = "token_rejected"


# -- the registry of checkpoints -------------------------------------------------------------------------
def new_checkpoint(caller: Principal, body: CheckpointIn) -> Checkpoint:
    """A checkpoint as a commander or community head registers it (scope checked by the caller's role)."""
    county_code = county_of_community(body.community_id)
    caller.require_community(body.community_id, county_code)
    entrances = _entrances(body.entrances)
    now = clock.iso()
    return Checkpoint(
        checkpoint_id=body.checkpoint_id or f"cp-{secrets.token_hex(6)}",
        name=body.name,
        kind=body.kind,
        county_code=county_code,
        community_id=body.community_id,
        entrances=entrances,
        location=Location(body.location.latitude, body.location.longitude, body.location.place),
        active=True,
        created_by=caller.username,
        created_at=now,
        updated_at=now,
    )


def edited_checkpoint(before: Checkpoint, patch: CheckpointPatch) -> Checkpoint:
    """The checkpoint with the patch applied (community and county never move)."""
    location = before.location
    if patch.location is not None:
        location = Location(patch.location.latitude, patch.location.longitude, patch.location.place)
    return Checkpoint(
        checkpoint_id=before.checkpoint_id,
        name=patch.name if patch.name is not None else before.name,
        kind=patch.kind if patch.kind is not None else before.kind,
        county_code=before.county_code,
        community_id=before.community_id,
        entrances=_entrances(patch.entrances) if patch.entrances is not None else before.entrances,
        location=location,
        active=patch.active if patch.active is not None else before.active,
        created_by=before.created_by,
        created_at=before.created_at,
        updated_at=clock.iso(),
    )


def _entrances(names: list[str]) -> tuple[str, ...]:
    if len({name.casefold() for name in names}) != len(names):
        raise InvalidInput("entrance names must be different", field="entrances")
    return tuple(names)


# -- scanning -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LiveCode:
    """Today's shown colour of a code and, when an active hold sets it, that hold's kind."""

    color: CodeColor
    hold_kind: str | None = None


def live_from_holds(base: CodeColor, holds: Sequence[Hold], at: datetime) -> LiveCode:
    """The worst of ``base`` and the holds active at ``at`` (a hold placed after a late-synced scan does not
    count for it); the kind of the worst hold when a hold sets the colour."""
    effective = [hold for hold in holds if hold.active and datetime.fromisoformat(hold.since) <= at]
    color = worst(base, *(hold.color for hold in effective))
    setting = sorted((hold for hold in effective if hold.color is color), key=lambda hold: hold.since)
    return LiveCode(color, setting[0].kind.value if setting else None)


@dataclass(frozen=True)
class Identified:
    """Who stands at the gate, as far as the gate may know: opaque ids, a masked name, a colour."""

    person_id: str | None
    person_ref: str
    masked_name: str | None
    color: CodeColor | None  # the colour that decides
    home_community_id: str | None
    token_color: CodeColor | None = None
    live_color: CodeColor | None = None
    hold_kind: str | None = None


@dataclass(frozen=True)
class ScanResult:
    records: tuple[ScanRecord, ...]
    duplicate: bool

    def to_json(self) -> dict[str, Any]:
        main, *dependents = self.records
        return {
            **main.gate_view(),
            "checkpoint_id": main.checkpoint_id,
            "direction": main.direction.value,
            "message": rules.ADVICE_TEXT[rules.Advice(rules.advice(main.reasons, main.hold_kind)["code"])],
            "duplicate": self.duplicate,
            "dependents": [record.gate_view() for record in dependents],
        }


@dataclass
class Gate:
    """The scan use case. Collaborators are injected; nothing here builds an AWS client."""

    checkpoints: Callable[[str], Checkpoint]
    ledger: ScanLedger
    people: PeopleRegistry
    current_code: Callable[[str], LiveCode | None]  # the full read of a code now; None: no health code
    active_holds: Callable[[str], Sequence[Hold]]  # one query: the person's active holds
    key_set: Callable[[], Mapping[str, Any]]
    follow_up: Callable[[ScanRecord], None]
    plate_key: Callable[[str], str]
    retention_days: int = 60
    rules: GateRules = field(default=DEFAULT_RULES)
    #: The revocations that may concern a verified token (its key, its person), read on every QR scan.
    revocations: Callable[[VerifiedCode], Sequence[Revocation]] = field(default=lambda _token: ())
    #: Opens an ID number sealed on the device to the checkpoints' public key (see ``sealing``).
    open_sealed: Callable[[str, str], str] | None = None
    #: The key set read again, for a token whose key id the cached set lacks (a key rotated meanwhile).
    refresh_keys: Callable[[], Mapping[str, Any]] | None = None
    #: A verified token's revocations and person in one read (``store.TokenReads``); else ``revocations`` and
    #: ``people.get`` one after the other.
    token_reads: Callable[[VerifiedCode, datetime], tuple[Sequence[Revocation], Person | None]] | None = None

    def scan(self, caller: Principal, checkpoint_id: str, body: ScanIn) -> ScanResult:
        """Record one scan (and the dependents with it) and return what the gate shows."""
        checkpoint = self.checkpoints(checkpoint_id)
        caller.require_checkpoint(checkpoint.checkpoint_id, checkpoint.community_id)
        if not checkpoint.active:
            raise Conflict("this checkpoint is closed", field="checkpoint_id")
        if body.entrance is not None and checkpoint.entrances and body.entrance not in checkpoint.entrances:
            raise InvalidInput(f"unknown entrance; this checkpoint has: {', '.join(checkpoint.entrances)}", field="entrance")
        received = clock.now()
        at = rules.scan_time(body.scanned_at, received, self.rules)
        main = self._identify_main(body, at)
        people: list[tuple[Identified, Decimal, int | None]] = [(main, rules.temperature(body.temperature), None)]
        for index, dependent in enumerate(body.dependents, start=1):
            who = self._by_id_number(dependent.id_number)
            people.append((who, rules.temperature(dependent.temperature, field=f"dependents.{index - 1}.temperature"), index))
        if len({who.person_ref for who, _, _ in people}) != len(people):
            raise InvalidInput("the same person appears twice in one scan", field="dependents")
        records = [self._record(checkpoint, body, caller, who, reading, index, at, received) for who, reading, index in people]
        entry = audit.record(
            caller,
            "checkpoint.scan",
            f"scan#{records[0].scan_key}",
            None,
            [{"person_ref": r.person_ref, "decision": r.decision.value, "reasons": [x.value for x in r.reasons]} for r in records],
        )
        recorded = self.ledger.record(records, entry)
        for record in recorded.records:
            if record.person_id and (record.fever or StopReason.RED_CODE in record.reasons):
                self.follow_up(record)
        return ScanResult(recorded.records, recorded.duplicate)

    def _identify_main(self, body: ScanIn, at: datetime) -> Identified:
        if body.method is ScanMethod.QR:
            try:
                verified = self._verify(body.token or "", at)
            except TokenRejected as exc:
                raise TokenInvalid(f"token rejected: {exc.reason}", field="token") from exc
            if self.token_reads is not None:
                found, person = self.token_reads(verified, at)
            else:
                found, person = self.revocations(verified), None
            revoked = refusal(found, verified, at)
            if revoked:
                raise TokenInvalid(f"token rejected: {revoked}", field="token")
            if self.token_reads is None:
                person = self._person(verified.person_id)
            live = self._live(verified.person_id, verified.color, verified.issued_at, at)
            return Identified(
                person_id=verified.person_id,
                person_ref=verified.person_id,
                masked_name=mask_name(person.name) if person else None,
                color=worst(verified.color, live.color),
                home_community_id=person.community_id if person else None,
                token_color=verified.color,
                live_color=live.color,
                hold_kind=live.hold_kind,
            )
        return self._by_id_number(body.id_number or self._opened(body))

    def _opened(self, body: ScanIn) -> str:
        """The ID number a device sealed while it waited for the network (never logged, never stored)."""
        if self.open_sealed is None or not body.sealed_id_number:
            raise InvalidInput("this gate cannot open sealed ID numbers", field=sealing.FIELD)
        clear = self.open_sealed(body.sealed_id_number, body.scan_id)
        try:
            return parse_id_number(clear).value
        except InvalidIdNumber as exc:
            raise InvalidInput(f"the sealed ID number is not valid: {exc}", field=sealing.FIELD) from exc

    def _verify(self, token: str, at: datetime) -> VerifiedCode:
        """Verify against the cached key set; a key id it does not know (a rotation) reads the set again once."""
        try:
            return verify_token(token, self.key_set(), at)
        except TokenRejected as exc:
            if exc.reason != TokenRejected.UNKNOWN_KEY or self.refresh_keys is None:
                raise
            return verify_token(token, self.refresh_keys(), at)

    def _by_id_number(self, id_number: str) -> Identified:
        person = self.people.find_by_id_number(id_number)
        if person is None:
            # No registered resident: no health code. The HMAC key counts them without keeping the number.
            return Identified(None, f"idn-{self.people.id_key(id_number)}", None, None, None)
        code = self.current_code(person.person_id)
        return Identified(
            person.person_id,
            person.person_id,
            mask_name(person.name),
            code.color if code else None,
            person.community_id,
            live_color=code.color if code else None,
            hold_kind=code.hold_kind if code else None,
        )

    def _live(self, person_id: str, token_color: CodeColor, issued_at: datetime, at: datetime) -> LiveCode:
        """Today's colour of a token's code, as cheaply as is exact (see the module docstring)."""
        if stats.day_of(issued_at) == stats.day_of(at):
            return live_from_holds(token_color, self.active_holds(person_id), at)
        code = self.current_code(person_id)
        return code if code is not None else LiveCode(token_color)

    def _person(self, person_id: str) -> Person | None:
        try:
            return self.people.get(person_id)
        except NotFound:
            return None

    def _record(
        self,
        checkpoint: Checkpoint,
        body: ScanIn,
        caller: Principal,
        who: Identified,
        reading: Decimal,
        dependent_index: int | None,
        at: datetime,
        received: datetime,
    ) -> ScanRecord:
        verdict = rules.decide(who.color, reading, self.rules)
        plate = body.vehicle_plate if dependent_index is None else None
        return ScanRecord(
            scan_id=body.scan_id if dependent_index is None else f"{body.scan_id}.d{dependent_index}",
            checkpoint_id=checkpoint.checkpoint_id,
            checkpoint_name=checkpoint.name,
            community_id=checkpoint.community_id,
            county_code=checkpoint.county_code,
            entrance=body.entrance,
            direction=body.direction,
            method=body.method if dependent_index is None else ScanMethod.TYPED,
            person_id=who.person_id,
            person_ref=who.person_ref,
            masked_name=who.masked_name,
            color=who.color,
            token_color=who.token_color if dependent_index is None else None,
            live_color=who.live_color,
            hold_kind=who.hold_kind,
            decision=verdict.decision,
            reasons=verdict.reasons,
            temperature=reading,
            scanned_at=clock.iso(at),
            day=stats.day_of(at),
            received_at=clock.iso(received),
            staff_sub=caller.sub,
            home_community_id=who.home_community_id,
            companion_of=body.scan_id if dependent_index is not None else None,
            plate_masked=rules.mask_plate(plate) if plate else None,
            plate_region=rules.plate_region(plate) if plate else None,
            plate_key=self.plate_key(plate) if plate else None,
            expires_at=clock.epoch_after_days(self.retention_days, at),
        )


# -- follow-up of a fever or a red code ------------------------------------------------------------------
def follow_up_reason(record: ScanRecord) -> str:
    """The reason the holder and the community read (no personal data)."""
    where = f"{record.checkpoint_name} ({record.scanned_at})"
    if record.fever:
        return f"检测点测温 {record.temperature} °C 发热 fever of {record.temperature} °C at checkpoint {where}"
    return f"红码在检测点被拦截 red code stopped at checkpoint {where}"


def follow_up_text(record: ScanRecord) -> dict[str, Any]:
    """The same reason as a code (the checkpoint's name is the staff's data and stays out)."""
    if record.fever:
        return texts.text(TextCode.CHECKPOINT_FEVER, temperature=str(record.temperature), at=record.scanned_at)
    return texts.text(TextCode.CHECKPOINT_RED_CODE, at=record.scanned_at)


@dataclass
class FollowUp:
    """Places a fever hold and sends a key-person candidate for a scan that needs it (both idempotent)."""

    holds: HoldStore
    send_candidate: Callable[[KeyPersonCandidate], None]

    def __call__(self, record: ScanRecord) -> None:
        if record.person_id is None:
            return
        reason = follow_up_reason(record)
        said = follow_up_text(record)
        self.holds.place(record.person_id, HoldKind.FEVER, source=SOURCE, source_ref=record.scan_key, reason=reason, text=said)
        self.send_candidate(
            KeyPersonCandidate(
                person_id=record.person_id,
                category=KeyPersonCategory.FEVER_WITHOUT_CONTACT,
                source="checkpoint",
                source_ref=record.scan_key,
                community_id=record.home_community_id or record.community_id,
                reason=reason,
                reason_text=said,
                observed_at=record.scanned_at,
            )
        )


# -- lists and statistics in the caller's scope -------------------------------------------------------------
def checkpoints_in_scope(caller: Principal, registry: CheckpointRegistry, *, community_id: str | None, county_code: str | None) -> list[Checkpoint]:
    """The checkpoints a caller asked for (a community, a county), or without a filter their own list: a
    checkpoint's staff their checkpoint, a community head their community, a county-bound caller their county,
    the others the city. 403 naming the missing scope when what they asked for is not theirs."""
    if community_id is None and county_code is None:
        if caller.has(Role.CHECKPOINT_STAFF) and not caller.has(Role.COMMUNITY_HEAD, Role.COMMANDER, Role.ADMIN):
            own = registry.find(caller.scope_value("checkpoint_id") or "")
            return [own] if own and scope.allowed(caller, Place(checkpoint_id=own.checkpoint_id, community_id=own.community_id)) else []
        community_id = caller.scope_value("community_id") if caller.has(Role.COMMUNITY_HEAD) else None
        county_code = None if community_id else scope.county_bound(caller)
    if community_id:
        scope.require(caller, Place(county_code=county_code, community_id=community_id), what="this community's checkpoints")
        return registry.in_community(community_id)
    codes = [county_code] if county_code else [county.code for county in regions.COUNTIES]
    found: list[Checkpoint] = []
    for code in codes:
        scope.require(caller, Place(county_code=code), what="this county's checkpoints")
        found.extend(registry.in_county(code))
    return found


def city_day(caller: Principal, ledger: ScanLedger, day: str) -> dict[str, Any]:
    """The city's checkpoint statistics for ``day``, by county; every county must be in the caller's scope."""
    counties = []
    totals = stats.Counts()
    for county in regions.COUNTIES:
        caller.require_county(county.code)
        county_day = ledger.day_stats(stats.Level.COUNTY, county.code, day)
        totals.add(county_day.totals.to_json())
        counties.append({"county_code": county.code, "name": county.name, "totals": county_day.totals.to_json()})
    # A person seen in two counties is one person in each: unique persons do not add up across counties.
    city = {name: value for name, value in totals.to_json().items() if name != "unique_persons"}
    return {"level": "city", "id": regions.CITY_CODE, "date": day, "totals": city, "counties": counties}


# -- staff assignment -----------------------------------------------------------------------------------
def assign_staff(
    caller: Principal,
    checkpoint: Checkpoint,
    body: StaffAssignmentIn,
    registry: CheckpointRegistry,
    directory: StaffDirectory,
    log: AuditLog,
) -> dict[str, Any]:
    """Create a checkpoint-staff account scoped to ``checkpoint`` and record the assignment.

    The assignment is written first (conditionally) and removed again if Cognito refuses the account, so a
    failure leaves neither; the audit record is appended once both exist.
    """
    caller.require_community(checkpoint.community_id, checkpoint.county_code)
    assignment = registry.assign_staff(checkpoint.checkpoint_id, body.username, caller.username, clock.iso())
    scope = {"checkpoint_id": checkpoint.checkpoint_id, "community_id": checkpoint.community_id, "county_code": checkpoint.county_code}
    try:
        account = directory.create(body.username, body.temporary_password, Role.CHECKPOINT_STAFF, scope)
    except DomainError:
        registry.unassign_staff(checkpoint.checkpoint_id, body.username)
        raise
    log.append(audit.record(caller, "checkpoint.staff.assign", f"checkpoint#{checkpoint.checkpoint_id}", None, {"username": body.username}))
    return {**assignment, "role": account["role"], "scope": account["scope"]}
