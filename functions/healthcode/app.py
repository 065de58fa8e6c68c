"""Health code function (健康绿码): apply, daily check-in, my code, QR and token, JWKS, verify, appeals.

Routes with ``?person=<id>`` act for a dependent of the caller's household (``PeopleRegistry.person_for``).
"""

from __future__ import annotations

import base64
import functools
import json
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import Field, field_validator, model_validator

from sanmenxia import api, audit, aws, breakglass, clock, contracts, paging, scope
from sanmenxia.auth import PUBLIC, Role, allow
from sanmenxia.errors import InvalidInput, NotFound
from sanmenxia.healthcode import explanation, manual, qr, rules, service
from sanmenxia.healthcode.proposals import SEAL_PURPOSE, STAFF_ROLES, Proposal, ProposalAction, ProposalStatus, ProposalStore
from sanmenxia.healthcode.revocation_store import RevocationStore, TokenReads
from sanmenxia.healthcode.revocations import RevocationKind, published_list
from sanmenxia.healthcode.store import RULE_APPEAL_PREFIX, HealthCodeStore, PublishedKeySet, SigningKeys
from sanmenxia.healthcode.tokens import SigningKey, jwks
from sanmenxia.holds import DEFAULT_COLOR, CodeColor, HoldKind
from sanmenxia.hotline.routing import Department
from sanmenxia.models import RequestModel, ResponseModel, ShortText
from sanmenxia.observability import logger, metrics
from sanmenxia.people import Person
from sanmenxia.scope import Action, Place
from sanmenxia.services import PeopleSettings, audit_log, holds, people, vault


class Settings(PeopleSettings):
    health_code_table: str
    holds_table: str
    signing_secret_arn: str
    jwks_parameter: str
    work_order_queue_url: str
    key_person_queue_url: str
    fever_threshold: float = 37.3
    token_ttl_minutes: int = Field(default=5, ge=1, le=60)
    #: A manual colour change's proposal expires unless approved within this many hours.
    proposal_ttl_hours: int = Field(default=72, ge=1, le=720)
    #: A unit proposing manual changes for more people than this in a day needs a commander's approval.
    manual_bulk_limit: int = Field(default=20, ge=1, le=100_000)


@functools.cache
def settings() -> Settings:
    return Settings()  # type: ignore[call-arg]


@functools.cache
def store() -> HealthCodeStore:
    return HealthCodeStore(aws.client("dynamodb"), settings().health_code_table, holds(settings().holds_table), retention_days=settings().personal_record_days)


@functools.cache
def proposals() -> ProposalStore:
    return ProposalStore(aws.client("dynamodb"), settings().health_code_table)


@functools.cache
def signing_keys() -> SigningKeys:
    return SigningKeys(aws.client("secretsmanager"), settings().signing_secret_arn)


@functools.cache
def published_keys() -> PublishedKeySet:
    return PublishedKeySet(aws.client("ssm"), settings().jwks_parameter)


@functools.cache
def revocations() -> RevocationStore:
    return RevocationStore(aws.client("dynamodb"), settings().health_code_table, audit_log(settings().audit_table))


@functools.cache
def token_reads() -> TokenReads:
    return TokenReads(aws.client("dynamodb"), revocations(), people(settings()))


def _signing_key() -> SigningKey:
    """The current key, published (public half) before anything is signed with it."""
    keys = signing_keys()
    published_keys().publish(keys.published())
    return keys.current()


app = api.PlatformResolver(title="Health code 健康绿码")

RESIDENT = allow(Role.RESIDENT)
SCANNERS = allow(Role.CHECKPOINT_STAFF, Role.COMMUNITY_HEAD, Role.ENTERPRISE_ADMIN, Role.COMMANDER, Role.ADMIN)
COMMUNITY_STAFF = allow(Role.COMMUNITY_HEAD, Role.COMMANDER, Role.ADMIN)
#: Who decides appeals: the appeal unit (the 12345 routes appeals to the big-data bureau's handlers), the
#: person's community head, commanders of their county, admins.
APPEAL_DECIDERS = allow(Role.DEPARTMENT_HANDLER, Role.COMMUNITY_HEAD, Role.COMMANDER, Role.ADMIN)
APPEAL_UNIT = Department.BIG_DATA.value
#: Who proposes and approves manual colour changes (two different people; scope over the person decides).
MANUAL_STAFF = allow(*STAFF_ROLES)
ProposalPath = Annotated[str, Path(pattern=r"^\d{6}-\d{14}-[0-9a-f]{8}$")]
PersonQuery = Annotated[str | None, Query(pattern=r"^[0-9a-f]{24}$", description="a dependent of your household (person id)")]
PersonPath = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$")]
HoldKey = Annotated[str, Field(pattern=r"^[a-z_]{3,20}#[A-Za-z0-9#:._-]{1,120}$", examples=["fever#declaration"])]
Temperature = Annotated[float, Field(strict=True, ge=34.0, le=43.0, allow_inf_nan=False, description="°C, body temperature")]


class ApplyIn(RequestModel):
    fever: bool = Field(strict=True, description="I have a fever now 是否发热")
    in_isolation: bool = Field(strict=True, description="I am under isolation now 是否隔离")
    declaration_accepted: bool = Field(strict=True, description="I declare the above honestly 诚信申报")

    @field_validator("declaration_accepted")
    @classmethod
    def _accepted(cls, value: bool) -> bool:
        if not value:
            raise ValueError("the honest declaration must be accepted")
        return value


class CheckInIn(RequestModel):
    temperature: Temperature
    symptoms: Annotated[list[service.CheckInSymptom], Field(max_length=len(service.CheckInSymptom))] = Field(default_factory=list)

    @field_validator("symptoms")
    @classmethod
    def _distinct(cls, value: list[service.CheckInSymptom]) -> list[service.CheckInSymptom]:
        if len(set(value)) != len(value):
            raise ValueError("symptoms must not repeat")
        return value


class VerifyIn(RequestModel):
    token: Annotated[str, Field(min_length=1, max_length=2048)]


class AppealSubject(RequestModel):
    """What an appeal is about: an active hold (``hold``), or the rule colour (``missed_day``: a day whose check-in
    the resident made but which did not register)."""

    hold: HoldKey | None = None
    missed_day: date | None = Field(default=None, description="a missed check-in day (YYYY-MM-DD) the rule colour counts against you")

    @model_validator(mode="after")
    def _one_subject(self) -> AppealSubject:
        if (self.hold is None) == (self.missed_day is None):
            raise ValueError("hold: name either the hold or the missed check-in day (missed_day), not both")
        return self

    @property
    def subject(self) -> str:
        return self.hold if self.hold is not None else f"{RULE_APPEAL_PREFIX}{self.missed_day}"


class AppealIn(AppealSubject):
    statement: Annotated[str, Field(min_length=5, max_length=1000)]


class RevocationIn(RequestModel):
    """Revoke a signing key (``key_id``) or every token of one person issued until now (``person_id``)."""

    kind: RevocationKind
    key_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")] | None = None
    person_id: Annotated[str, Field(pattern=r"^[0-9a-f]{24}$")] | None = None
    reason: ShortText

    @model_validator(mode="after")
    def _subject_matches_kind(self) -> RevocationIn:
        if self.kind is RevocationKind.KEY and (not self.key_id or self.person_id):
            raise ValueError("key_id: a key revocation names the key id (and no person)")
        if self.kind is RevocationKind.PERSON and (not self.person_id or self.key_id):
            raise ValueError("person_id: a person's revocation names the person id (and no key)")
        return self


class AppealDecisionIn(AppealSubject):
    """``lift`` or ``keep`` a hold; ``accept`` the missed check-in day (the rule recomputes the colour) or ``keep``."""

    decision: Literal["lift", "accept", "keep"]
    reason: Annotated[str, Field(min_length=4, max_length=500)]


class LiftIn(RequestModel):
    hold: HoldKey
    note: ShortText
    evidence: Annotated[str, Field(min_length=4, max_length=2000)] | None = None


class ProposalIn(RequestModel):
    """A manual colour change to propose: place a manual hold (``color``) or lift an active hold (``hold``).
    ``reason`` and ``evidence`` may hold personal data: they are stored sealed."""

    action: ProposalAction
    hold: HoldKey | None = None
    color: Literal["yellow", "red"] | None = Field(default=None, description="the colour a placed hold imposes (yellow when not given)")
    reason: Annotated[str, Field(min_length=4, max_length=500)]
    evidence: Annotated[str, Field(min_length=4, max_length=2000)]

    @model_validator(mode="after")
    def _matches_action(self) -> ProposalIn:
        if self.action is ProposalAction.PLACE and self.hold:
            raise ValueError("hold: placing a manual hold names its colour (yellow by default), not a hold")
        if self.action is ProposalAction.LIFT and (not self.hold or self.color):
            raise ValueError("hold: lifting names the active hold to lift (and no colour)")
        return self


class ProposalOut(ResponseModel):
    """A proposed manual colour change as staff in scope see it (reason, evidence and note opened)."""

    proposal_id: str
    person_id: str
    county_code: str
    community_id: str
    action: ProposalAction
    hold: str = Field(description="the hold placed (manual#<proposal id>) or lifted")
    color: CodeColor | None = None
    proposer: str
    proposer_role: str
    proposer_unit: str
    created_at: str
    expires_at: str
    needs_commander: bool = Field(description="a bulk change: only a commander (or admin) may approve it")
    appeal_id: str | None = None
    status: ProposalStatus
    decided_by: str | None = None
    decided_role: str | None = None
    decided_at: str | None = None
    reason: str | None = None
    evidence: str | None = None
    note: str | None = None


class ProposalDecisionOut(ResponseModel):
    proposal: ProposalOut
    code: dict[str, Any] = Field(description="the person's code after the decision (GET /health-codes/people/{person_id})")


class ExplanationOut(ResponseModel):
    """The facts a code's colour follows from (rule version, check-in days, holds with source and reason), and
    the colour recomputed from them alone."""

    today: str
    color: CodeColor
    rule_color: CodeColor
    since: str
    rule_version: str
    rule: dict[str, Any] = Field(description="the rule version in force today, its thresholds as data")
    rules_applied: list[dict[str, Any]] = Field(description="every rule version the history was evaluated with")
    facts: dict[str, Any] = Field(description="applied_on, checkin_days and the holds (active and lifted), with source and reason")
    missed_days: int | None = None
    checkins_to_green: int
    transitions: list[dict[str, Any]] = Field(description="the colour changes recomputed from the facts")
    recomputed: dict[str, Any] = Field(description="the colours recomputed from the facts alone, and whether they match the stored ones")


class ProposalDecisionIn(RequestModel):
    note: Annotated[str, Field(min_length=2, max_length=500)] | None = None


class ProposalRefusalIn(RequestModel):
    note: Annotated[str, Field(min_length=2, max_length=500)]


def _person(person: str | None) -> Person:
    return people(settings()).person_for(app.caller, person)


def _person_id(person: str | None) -> str:
    return people(settings()).person_id_for(app.caller, person)


def _json(status: int, body: dict[str, Any]) -> Response[dict[str, Any]]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


@app.post("/health-codes", access=RESIDENT, status_code=201, summary="Apply for a health code 申领健康码", tags=["health-code"])
def apply_for_code(body: ApplyIn, person: PersonQuery = None) -> dict[str, Any]:
    holder = _person(person)
    code = service.apply(store(), holder, app.caller.sub, fever=body.fever, in_isolation=body.in_isolation)
    metrics.add_metric(name="HealthCodesApplied", unit="Count", value=1)
    logger.info("health code applied", extra={"person_id": holder.person_id, "color": code["color"], "community_id": holder.community_id})
    return code


@app.get("/health-codes/me", access=RESIDENT, summary="My health code: colour, reasons, history 我的健康码", tags=["health-code"])
def get_my_code(person: PersonQuery = None) -> dict[str, Any]:
    return service.my_code(store(), _person(person))


@app.get("/health-codes/me/status", access=RESIDENT, summary="My code's colour and version, to poll cheaply 健康码状态", tags=["health-code"])
def get_my_code_status(person: PersonQuery = None) -> Response[dict[str, str]]:
    status = service.code_status(store(), _person(person).person_id)
    return Response(200, content_types.APPLICATION_JSON, status, headers={"Cache-Control": "no-store", "ETag": f'"{status["version"]}"'})


@app.post("/health-codes/me/check-ins", access=RESIDENT, summary="Today's check-in 每日健康打卡", tags=["health-code"])
def check_in(body: CheckInIn, person: PersonQuery = None) -> Response[dict[str, Any]]:
    holder = _person(person)
    outcome = service.check_in(
        store(),
        holder,
        temperature=body.temperature,
        symptoms=[symptom.value for symptom in body.symptoms],
        fever_threshold=settings().fever_threshold,
        send_candidate=lambda message: contracts.send(settings().key_person_queue_url, message),
    )
    if not outcome.repeat:
        metrics.add_metric(name="CheckIns", unit="Count", value=1)
        if outcome.checkin.fever:
            metrics.add_metric(name="FeverCheckIns", unit="Count", value=1)
        for transition in outcome.transitions:
            metrics.add_metric(name=f"CodesTurned{transition.to_color.value.capitalize()}", unit="Count", value=1)
        logger.info("checked in", extra={"person_id": holder.person_id, "fever": outcome.checkin.fever, "color": outcome.code["color"]})
    return _json(200 if outcome.repeat else 201, outcome.to_json())


def _ttl() -> timedelta:
    return timedelta(minutes=settings().token_ttl_minutes)


@app.get("/health-codes/me/token", access=RESIDENT, summary="A signed short-lived token of my code 健康码令牌", tags=["health-code"])
def get_token(person: PersonQuery = None) -> Response[dict[str, Any]]:
    issued = service.token_for(store(), _signing_key(), _person_id(person), _ttl())
    return Response(200, content_types.APPLICATION_JSON, issued, headers={"Cache-Control": "no-store"})


@app.get("/health-codes/me/qr.png", access=RESIDENT, summary="My code as a QR image (PNG) 健康码二维码", tags=["health-code"])
def get_qr_png(person: PersonQuery = None) -> Response[str]:
    issued = service.token_for(store(), _signing_key(), _person_id(person), _ttl())
    png = qr.qr_png(issued["token"], CodeColor(issued["color"]))
    headers = {"Cache-Control": "no-store", "X-Code-Color": issued["color"], "X-Token-Expires": issued["expires_at"]}
    # A base64 string body (the Api declares image/png binary): the response validation only handles text.
    response = Response(200, "image/png", base64.b64encode(png).decode("ascii"), headers=headers)
    response.base64_encoded = True
    return response


@app.get("/health-codes/me/qr.svg", access=RESIDENT, summary="My code as a QR image (SVG) 健康码二维码", tags=["health-code"])
def get_qr_svg(person: PersonQuery = None) -> Response[str]:
    issued = service.token_for(store(), _signing_key(), _person_id(person), _ttl())
    svg = qr.qr_svg(issued["token"], CodeColor(issued["color"]))
    headers = {"Cache-Control": "no-store", "X-Code-Color": issued["color"], "X-Token-Expires": issued["expires_at"]}
    return Response(200, "image/svg+xml", svg, headers=headers)


class RuleOut(ResponseModel):
    version: str
    valid_from: str = Field(description="first day (Asia/Shanghai) the version applies to")
    yellow_after_missed_days: int
    red_after_missed_days: int
    green_after_checkin_days: int


class RulesOut(ResponseModel):
    """The published rule versions (thresholds as data), oldest first, and the one in force today."""

    current: str
    versions: list[RuleOut]


@app.get("/health-codes/rules", access=PUBLIC, summary="The health-code rule versions, as data 赋码规则", tags=["health-code"])
def get_rules() -> Response[RulesOut]:
    body = RulesOut(
        current=rules.rule_for(clock.today()).version,
        versions=[RuleOut.model_validate(explanation.rule_json(rule)) for rule in rules.RULES],
    )
    return Response(200, content_types.APPLICATION_JSON, body, headers={"Cache-Control": "public, max-age=300"})


@app.get("/.well-known/jwks.json", access=PUBLIC, summary="Public keys that verify health-code tokens 公钥", tags=["health-code"])
def get_jwks() -> Response[str]:
    body = json.dumps(jwks(signing_keys().published()))
    return Response(200, "application/jwk-set+json", body, headers={"Cache-Control": "public, max-age=300"})


@app.post("/health-codes/verify", access=SCANNERS, summary="Verify a scanned token 核验健康码", tags=["health-code"])
def verify_code(body: VerifyIn) -> dict[str, Any]:
    verdict = service.verify(store(), signing_keys().published(), body.token, token_reads())
    metrics.add_metric(name="TokensVerified" if verdict["valid"] else "TokensRejected", unit="Count", value=1)
    logger.info("token verified", extra={"valid": verdict["valid"], "reason": verdict["reason"], "verifier_role": app.caller.primary_role})
    return verdict


@app.post(
    "/health-codes/revocations",
    access=allow(Role.COMMANDER, Role.ADMIN),
    status_code=201,
    summary="Revoke a signing key or a person's tokens 吊销密钥或个人令牌",
    tags=["health-code"],
)
def revoke(body: RevocationIn) -> dict[str, Any]:
    if body.kind is RevocationKind.KEY:
        app.caller.require_city()
        subject = body.key_id or ""
    else:
        holder = people(settings()).get(body.person_id or "")
        app.caller.require_county(holder.county_code)
        subject = holder.person_id
    revocation = service.revoke(
        revocations(),
        body.kind,
        subject,
        body.reason,
        lambda revoked: audit.record(app.caller, f"health_code.revoke.{revoked.kind.value}", f"revocation#{revoked.sk}", None, revoked.to_json()),
        seal=lambda text: vault(settings().pii_key_id).seal("revocation", text),
    )
    logger.info("token revoked", extra={"kind": body.kind.value, "actor": app.caller.username})
    return revocation.to_json()


@app.get(
    "/health-codes/revocations",
    access=SCANNERS,
    summary="Revoked keys and tokens, for scanners that verify offline 吊销列表",
    tags=["health-code"],
)
def get_revocations() -> Response[dict[str, Any]]:
    body = published_list(revocations().all(), clock.now())
    return Response(200, content_types.APPLICATION_JSON, body, headers={"Cache-Control": "no-store"})


@app.post("/health-codes/me/appeals", access=RESIDENT, status_code=201, summary="Appeal against a hold or the rule colour 申诉", tags=["health-code"])
def appeal_hold(body: AppealIn, person: PersonQuery = None) -> dict[str, Any]:
    holder = _person(person)
    recorded = service.appeal(
        store(),
        holder,
        app.caller.sub,
        hold_key=body.hold,
        missed_day=body.missed_day,
        statement=body.statement,
        seal=lambda text: vault(settings().pii_key_id).seal("appeal", text),
        send_work_order=lambda message: contracts.send(settings().work_order_queue_url, message),
    )
    metrics.add_metric(name="AppealsSubmitted", unit="Count", value=1)
    logger.info("appeal submitted", extra={"person_id": holder.person_id, "appeal_id": recorded["appeal_id"]})
    return recorded


def _explanation(holder: Person) -> ExplanationOut:
    partition = store().partition(holder.person_id)
    held = store().holds.for_person(holder.person_id, include_lifted=True)
    return ExplanationOut.model_validate(explanation.explain(partition, held, clock.today()))


@app.get(
    "/health-codes/me/explanation",
    access=RESIDENT,
    summary="Why my code has its colour: the facts and the colour recomputed from them 赋码依据",
    tags=["health-code"],
)
def get_my_explanation(person: PersonQuery = None) -> ExplanationOut:
    return _explanation(_person(person))


def _code_place(holder: Person) -> Place:
    """A person's code lives in their community and county, and with the appeal unit that decides appeals."""
    return Place(county_code=holder.county_code, community_id=holder.community_id, department=APPEAL_UNIT)


def _read_access(holder: Person, what: str) -> None:
    """A staff read of a person's code: in scope, or outside it with a break-glass grant; audited either way."""
    grants = breakglass.default_store()
    breakglass.read_access(app.caller, _code_place(holder), holder.person_id, grants=grants, audit_log=audit_log(settings().audit_table), what=what)


@app.get(
    "/health-codes/people/<person_id>",
    access=APPEAL_DECIDERS,
    summary="A resident's code (own community / county) 居民健康码",
    tags=["health-code"],
)
def get_person_code(person_id: PersonPath) -> dict[str, Any]:
    holder = people(settings()).get(person_id)
    _read_access(holder, "this resident's code")
    return service.my_code(store(), holder)


def _seal_decision(text: str) -> str:
    return vault(settings().pii_key_id).seal("appeal_decision", text)


def _appeal_audit(person_id: str) -> service.AuditPut:
    """The audit record's ``Put`` of an appeal decision, for the decision's own transaction."""
    audits = audit_log(settings().audit_table)
    return lambda before, after: audits.put_request(
        audit.record(app.caller, "health_code.appeal.decide", f"person#{person_id}", before, after, subject=person_id)
    )


@app.get(
    "/health-codes/people/<person_id>/explanation",
    access=APPEAL_DECIDERS,
    summary="Why a resident's code has its colour (own community / county / appeal unit) 居民赋码依据",
    tags=["health-code"],
)
def get_person_explanation(person_id: PersonPath) -> ExplanationOut:
    holder = people(settings()).get(person_id)
    _read_access(holder, "this resident's code")
    return _explanation(holder)


@app.post(
    "/health-codes/people/<person_id>/appeals/decision",
    access=APPEAL_DECIDERS,
    summary="Decide an appeal: lift or keep a hold, accept a missed check-in day, with a reason 申诉处理",
    tags=["health-code"],
)
def decide_appeal(person_id: PersonPath, body: AppealDecisionIn) -> Response[dict[str, Any]]:
    holder = people(settings()).get(person_id)
    scope.require(app.caller, _code_place(holder), Action.WRITE, what="this resident's code")
    if body.decision == "lift":
        appeal_record = store().get_appeal(holder.person_id, body.subject)
        if appeal_record is None:
            raise NotFound("no appeal against that hold on this code", field="hold")
        if appeal_record.kind == "hold" and appeal_record.status == "submitted":
            # A lift is a manual colour change: a proposal a second staff member approves (the approval closes the appeal)
            proposal = _propose(holder, ProposalAction.LIFT, body.subject, None, body.reason, body.reason, appeal_id=appeal_record.appeal_id)
            answer = {"appeal": appeal_record.to_json(), "proposal": _proposal_view(proposal), "code": service.my_code(store(), holder)}
            return _json(202, answer)
    decided = service.decide_appeal(
        store(),
        holder,
        subject=body.subject,
        decision=body.decision,
        reason=body.reason,
        decided_by=app.caller.username,
        seal=_seal_decision,
        audit_put=_appeal_audit(person_id),
        send_progress=lambda message: contracts.send(settings().work_order_queue_url, message),
    )
    logger.info("appeal decided", extra={"person_id": person_id, "decision": body.decision, "actor": app.caller.username})
    return _json(200, {"appeal": decided, "code": service.my_code(store(), holder)})


@app.post(
    "/health-codes/people/<person_id>/holds/lift",
    access=COMMUNITY_STAFF,
    summary="Lift a hold the health code placed (declaration, fever check-in) 解除标记",
    tags=["health-code"],
)
def lift_hold(person_id: PersonPath, body: LiftIn) -> Response[dict[str, Any]]:
    holder = people(settings()).get(person_id)
    app.caller.require_community(holder.community_id, holder.county_code)
    proposal = _propose(holder, ProposalAction.LIFT, body.hold, None, body.note, body.evidence or body.note, only_source=service.SOURCE)
    logger.info("hold lift proposed", extra={"person_id": person_id, "hold": body.hold, "actor": app.caller.username})
    return _json(202, {"proposal": _proposal_view(proposal), "code": service.my_code(store(), holder)})


# -- the two-person rule on manual colour changes ------------------------------------------------------------
def _seal(text: str) -> str:
    return vault(settings().pii_key_id).seal(SEAL_PURPOSE, text)


def _open(sealed: str | None) -> str | None:
    return vault(settings().pii_key_id).open(SEAL_PURPOSE, sealed) if sealed else None


def _proposal_view(proposal: Proposal) -> dict[str, Any]:
    return proposal.to_json(clock.now(), reason=_open(proposal.reason_sealed), evidence=_open(proposal.evidence_sealed), note=_open(proposal.note_sealed))


def _proposal_place(proposal: Proposal) -> Place:
    return Place(county_code=proposal.county_code, community_id=proposal.community_id, department=APPEAL_UNIT)


def _propose(
    holder: Person,
    action: ProposalAction,
    hold_key: str | None,
    color: CodeColor | None,
    reason: str,
    evidence: str,
    *,
    appeal_id: str | None = None,
    only_source: str | None = None,
) -> Proposal:
    proposal = manual.propose(
        proposals(),
        store(),
        app.caller,
        holder,
        action=action,
        hold_key=hold_key,
        color=color,
        reason=reason,
        evidence=evidence,
        seal=_seal,
        ttl=timedelta(hours=settings().proposal_ttl_hours),
        bulk_limit=settings().manual_bulk_limit,
        audit_log=audit_log(settings().audit_table),
        appeal_id=appeal_id,
        only_source=only_source,
    )
    metrics.add_metric(name="ManualChangesProposed", unit="Count", value=1)
    logger.info("manual change proposed", extra={"proposal_id": proposal.proposal_id, "action": action.value, "actor": app.caller.username})
    return proposal


@app.post(
    "/health-codes/people/<person_id>/hold-proposals",
    access=MANUAL_STAFF,
    status_code=201,
    summary="Propose a manual colour change (a second staff member approves it) 人工赋码申请",
    tags=["health-code"],
)
def propose_change(person_id: PersonPath, body: ProposalIn) -> ProposalOut:
    holder = people(settings()).get(person_id)
    scope.require(app.caller, _code_place(holder), Action.WRITE, what="this resident's code")
    color = CodeColor(body.color or DEFAULT_COLOR[HoldKind.MANUAL].value) if body.action is ProposalAction.PLACE else None
    proposal = _propose(holder, body.action, body.hold, color, body.reason, body.evidence)
    return ProposalOut.model_validate(_proposal_view(proposal))


@app.get(
    "/health-codes/hold-proposals",
    access=MANUAL_STAFF,
    summary="Manual colour changes proposed in my scope (pending by default) 待复核的人工赋码",
    tags=["health-code"],
)
def list_proposals(
    county_code: Annotated[str | None, Query(pattern=r"^\d{6}$", description="the county (callers not bound to one must name it)")] = None,
    status: ProposalStatus = ProposalStatus.PENDING,
    cursor: paging.Cursor = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> paging.Page[ProposalOut]:
    caller = app.caller
    community = caller.scope_value("community_id") if caller.has(Role.COMMUNITY_HEAD) else None
    chosen = county_code or scope.county_bound(caller) or Place(community_id=community).county
    if chosen is None:
        raise InvalidInput("name the county of the proposals", field="county_code")
    # The list's place: the county, the caller's own community (a head sees theirs), the appeal unit's desk
    scope.require(caller, Place(county_code=chosen, community_id=community, department=APPEAL_UNIT), what="this county's proposals")
    found, last = proposals().page(chosen, limit=limit, start=app.page_start(cursor), status=status)
    visible = [proposal for proposal in found if scope.allowed(caller, _proposal_place(proposal))]
    return app.page([ProposalOut.model_validate(_proposal_view(proposal)) for proposal in visible], last)


def _decide(proposal_id: str, *, approve: bool, note: str | None) -> ProposalDecisionOut:
    closing: list[service.AppealClose] = []

    def close_the_appeal(proposal: Proposal) -> tuple[list[dict[str, Any]], dict[int, Exception]]:
        """A lift that answers an appeal closes it in the lift's own transaction."""
        if proposal.action is not ProposalAction.LIFT or not proposal.appeal_id:
            return [], {}
        holder = people(settings()).get(proposal.person_id)
        close = service.lift_appeal_close(
            store(),
            holder,
            proposal.hold_key,
            reason=_open(proposal.reason_sealed) or "",
            decided_by=f"{proposal.proposer}+{app.caller.username}",
            seal=_seal_decision,
            audit_put=_appeal_audit(holder.person_id),
        )
        if close is None:
            return [], {}
        closing.append(close)
        return close.writes, close.refusals

    before, after = manual.decide(
        proposals(),
        store(),
        app.caller,
        proposal_id,
        approve=approve,
        note_sealed=_seal(note) if note else None,
        place_of=_proposal_place,
        audit_log=audit_log(settings().audit_table),
        also=close_the_appeal,
    )
    holder = people(settings()).get(after.person_id)
    for close in closing:
        progress = service.appeal_progress(close.appeal, "lifted", _open(after.reason_sealed) or "", f"{before.proposer}+{app.caller.username}")
        contracts.send(settings().work_order_queue_url, progress)
    metrics.add_metric(name="ManualChangesApproved" if approve else "ManualChangesRefused", unit="Count", value=1)
    logger.info("manual change decided", extra={"proposal_id": proposal_id, "approved": approve, "actor": app.caller.username})
    return ProposalDecisionOut(proposal=ProposalOut.model_validate(_proposal_view(after)), code=service.my_code(store(), holder))


@app.post(
    "/health-codes/hold-proposals/<proposal_id>/approve",
    access=MANUAL_STAFF,
    summary="Approve a manual colour change (not the proposer) 复核通过",
    tags=["health-code"],
)
def approve_proposal(proposal_id: ProposalPath, body: ProposalDecisionIn) -> ProposalDecisionOut:
    return _decide(proposal_id, approve=True, note=body.note)


@app.post(
    "/health-codes/hold-proposals/<proposal_id>/refuse",
    access=MANUAL_STAFF,
    summary="Refuse a manual colour change, with a note 复核不通过",
    tags=["health-code"],
)
def refuse_proposal(proposal_id: ProposalPath, body: ProposalRefusalIn) -> ProposalDecisionOut:
    return _decide(proposal_id, approve=False, note=body.note)


lambda_handler = api.handler(app)
