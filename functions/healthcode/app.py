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

from sanmenxia import api, audit, aws, clock, contracts, scope
from sanmenxia.auth import PUBLIC, Role, allow
from sanmenxia.healthcode import qr, service
from sanmenxia.healthcode.revocations import RevocationKind, RevocationStore, published_list
from sanmenxia.healthcode.store import RULE_APPEAL_PREFIX, HealthCodeStore, PublishedKeySet, SigningKeys
from sanmenxia.healthcode.tokens import SigningKey, jwks
from sanmenxia.holds import CodeColor
from sanmenxia.hotline.routing import Department
from sanmenxia.models import RequestModel, ShortText
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


@functools.cache
def settings() -> Settings:
    return Settings()  # type: ignore[call-arg]


@functools.cache
def store() -> HealthCodeStore:
    return HealthCodeStore(aws.client("dynamodb"), settings().health_code_table, holds(settings().holds_table), retention_days=settings().personal_record_days)


@functools.cache
def signing_keys() -> SigningKeys:
    return SigningKeys(aws.client("secretsmanager"), settings().signing_secret_arn)


@functools.cache
def published_keys() -> PublishedKeySet:
    return PublishedKeySet(aws.client("ssm"), settings().jwks_parameter)


@functools.cache
def revocations() -> RevocationStore:
    return RevocationStore(aws.client("dynamodb"), settings().health_code_table, audit_log(settings().audit_table))


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


def _person(person: str | None) -> Person:
    return people(settings()).person_for(app.caller, person)


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
    issued = service.token_for(store(), _signing_key(), _person(person), _ttl())
    return Response(200, content_types.APPLICATION_JSON, issued, headers={"Cache-Control": "no-store"})


@app.get("/health-codes/me/qr.png", access=RESIDENT, summary="My code as a QR image (PNG) 健康码二维码", tags=["health-code"])
def get_qr_png(person: PersonQuery = None) -> Response[str]:
    issued = service.token_for(store(), _signing_key(), _person(person), _ttl())
    png = qr.qr_png(issued["token"], CodeColor(issued["color"]))
    headers = {"Cache-Control": "no-store", "X-Code-Color": issued["color"], "X-Token-Expires": issued["expires_at"]}
    # A base64 string body (the Api declares image/png binary): the response validation only handles text.
    response = Response(200, "image/png", base64.b64encode(png).decode("ascii"), headers=headers)
    response.base64_encoded = True
    return response


@app.get("/health-codes/me/qr.svg", access=RESIDENT, summary="My code as a QR image (SVG) 健康码二维码", tags=["health-code"])
def get_qr_svg(person: PersonQuery = None) -> Response[str]:
    issued = service.token_for(store(), _signing_key(), _person(person), _ttl())
    svg = qr.qr_svg(issued["token"], CodeColor(issued["color"]))
    headers = {"Cache-Control": "no-store", "X-Code-Color": issued["color"], "X-Token-Expires": issued["expires_at"]}
    return Response(200, "image/svg+xml", svg, headers=headers)


@app.get("/.well-known/jwks.json", access=PUBLIC, summary="Public keys that verify health-code tokens 公钥", tags=["health-code"])
def get_jwks() -> Response[str]:
    body = json.dumps(jwks(signing_keys().published()))
    return Response(200, "application/jwk-set+json", body, headers={"Cache-Control": "public, max-age=300"})


@app.post("/health-codes/verify", access=SCANNERS, summary="Verify a scanned token 核验健康码", tags=["health-code"])
def verify_code(body: VerifyIn) -> dict[str, Any]:
    verdict = service.verify(store(), signing_keys().published(), body.token, people(settings()).get, revocations())
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


def _code_place(holder: Person) -> Place:
    """A person's code lives in their community and county, and with the appeal unit that decides appeals."""
    return Place(county_code=holder.county_code, community_id=holder.community_id, department=APPEAL_UNIT)


@app.get(
    "/health-codes/people/<person_id>",
    access=APPEAL_DECIDERS,
    summary="A resident's code (own community / county) 居民健康码",
    tags=["health-code"],
)
def get_person_code(person_id: PersonPath) -> dict[str, Any]:
    holder = people(settings()).get(person_id)
    scope.require(app.caller, _code_place(holder), what="this resident's code")
    return service.my_code(store(), holder)


@app.post(
    "/health-codes/people/<person_id>/appeals/decision",
    access=APPEAL_DECIDERS,
    summary="Decide an appeal: lift or keep a hold, accept a missed check-in day, with a reason 申诉处理",
    tags=["health-code"],
)
def decide_appeal(person_id: PersonPath, body: AppealDecisionIn) -> dict[str, Any]:
    holder = people(settings()).get(person_id)
    scope.require(app.caller, _code_place(holder), Action.WRITE, what="this resident's code")
    audits = audit_log(settings().audit_table)
    decided = service.decide_appeal(
        store(),
        holder,
        subject=body.subject,
        decision=body.decision,
        reason=body.reason,
        decided_by=app.caller.username,
        seal=lambda text: vault(settings().pii_key_id).seal("appeal_decision", text),
        audit_put=lambda before, after: audits.put_request(audit.record(app.caller, "health_code.appeal.decide", f"person#{person_id}", before, after)),
        send_progress=lambda message: contracts.send(settings().work_order_queue_url, message),
    )
    logger.info("appeal decided", extra={"person_id": person_id, "decision": body.decision, "actor": app.caller.username})
    return {"appeal": decided, "code": service.my_code(store(), holder)}


@app.post(
    "/health-codes/people/<person_id>/holds/lift",
    access=COMMUNITY_STAFF,
    summary="Lift a hold the health code placed (declaration, fever check-in) 解除标记",
    tags=["health-code"],
)
def lift_hold(person_id: PersonPath, body: LiftIn) -> dict[str, Any]:
    holder = people(settings()).get(person_id)
    app.caller.require_community(holder.community_id, holder.county_code)
    lifted = service.lift_own_hold(store(), holder, body.hold)
    entry = audit.record(app.caller, "health_code.hold.lift", f"person#{person_id}", lifted.to_json(), {**lifted.to_json(), "lifted": True, "note": body.note})
    audit_log(settings().audit_table).append(entry)
    logger.info("hold lifted", extra={"person_id": person_id, "hold": body.hold, "actor": app.caller.username})
    return service.my_code(store(), holder)


lambda_handler = api.handler(app)
