"""Elder cards function (长辈码): printed, long-lived signed codes for people without a phone.

Issued by a community head for a resident of their community, or by a household head for a dependent; verified at
the gate with the holder's ID number (its HMAC must match the card's); revocable; the colour is today's, read at the
gate, never printed. The streams of the holds and health codes watch card holders' colours: a change leaves a
message in the household head's inbox (``sanmenxia.healthcode.elder_cards``).
"""

from __future__ import annotations

import functools
import hmac
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from sanmenxia import api, audit, aws, clock, paging, texts, triggers
from sanmenxia.auth import Role, allow
from sanmenxia.errors import Conflict, Forbidden, InvalidInput, NotFound
from sanmenxia.healthcode.elder_cards import (
    DEFAULT_VALIDITY,
    CardRefused,
    ElderCardStore,
    binding,
    card_view,
    issue_card_token,
    new_card_id,
    verify_card_token,
)
from sanmenxia.healthcode.service import shown_color
from sanmenxia.healthcode.store import HealthCodeStore, PublishedKeySet, SigningKeys
from sanmenxia.healthcode.tokens import TokenRejected, jwks
from sanmenxia.models import IdNumberStr, PersonId, RequestModel, ResponseModel
from sanmenxia.notifications import Inbox
from sanmenxia.observability import logger, metrics
from sanmenxia.people import Person
from sanmenxia.scope import Place, require
from sanmenxia.services import PeopleSettings, audit_log, holds, lookup_secret, people
from sanmenxia.texts import TextCode

ISSUERS = allow(Role.COMMUNITY_HEAD, Role.RESIDENT, Role.ADMIN)
GATES = allow(Role.CHECKPOINT_STAFF, Role.COMMUNITY_HEAD, Role.ADMIN)
NOTICE_KIND = "elder_card"


class Settings(PeopleSettings):
    elder_cards_table: str
    health_code_table: str
    holds_table: str
    notifications_table: str
    signing_secret_arn: str
    jwks_parameter: str
    elder_card_days: int = Field(default=365, ge=30, le=3650)


@functools.cache
def settings() -> Settings:
    return Settings()  # type: ignore[call-arg]


@functools.cache
def cards() -> ElderCardStore:
    return ElderCardStore(aws.client("dynamodb"), settings().elder_cards_table)


@functools.cache
def codes() -> HealthCodeStore:
    return HealthCodeStore(aws.client("dynamodb"), settings().health_code_table, holds(settings().holds_table), retention_days=settings().personal_record_days)


@functools.cache
def signing_keys() -> SigningKeys:
    return SigningKeys(aws.client("secretsmanager"), settings().signing_secret_arn)


@functools.cache
def published_keys() -> PublishedKeySet:
    return PublishedKeySet(aws.client("ssm"), settings().jwks_parameter)


@functools.cache
def inbox() -> Inbox:
    return Inbox(aws.client("dynamodb"), settings().notifications_table)


app = api.PlatformResolver(title="Elder cards 长辈码")
CardIdPath = Annotated[str, Path(pattern=r"^ec[0-9a-f]{20}$")]


# -- models ----------------------------------------------------------------------------------------------------
class CardIn(RequestModel):
    person_id: PersonId = Field(description="the holder: a resident of the head's community, or a dependent of the household head")


class CardOut(ResponseModel):
    """A card: whose (masked), valid until when, and whether revoked. Never a colour: the gate reads today's."""

    card_id: str
    person_id: str
    name: str = Field(description="masked, 张*")
    community_id: str
    status: str = Field(description="active or revoked")
    issued_at: str
    expires_at: str
    issued_by: str
    revoked_at: str | None = None


class IssuedCardOut(CardOut):
    token: str = Field(description="what the printed QR holds (signed, type EC; no personal data, no colour)")


class RevokeIn(RequestModel):
    reason: str = Field(min_length=1, max_length=200)


class GateCheckIn(RequestModel):
    token: str = Field(min_length=20, max_length=1024, description="the card's QR")
    id_number: IdNumberStr = Field(description="typed or scanned from the ID card shown with it (only its HMAC is compared)")


class GateVerdictOut(ResponseModel):
    valid: bool
    reason: str | None = Field(description="why refused: id_mismatch, revoked, unknown_card, expired, bad signature, no_code")
    color: str | None = Field(description="today's colour (never printed on the card)")
    name: str | None = Field(description="the holder, masked")
    card_id: str | None = None
    person_id: str | None = None


# -- scope -------------------------------------------------------------------------------------------------------
def _require_issuer(person: Person) -> None:
    """A card's holder is in scope of their community's head, of their household's head (for a dependent without an
    account of their own), and of admins."""
    caller = app.caller
    head = people(settings()).get(person.household_id) if person.household_id != person.person_id else person
    household = frozenset({head.account_sub} if head.account_sub else ())
    require(caller, Place(county_code=person.county_code, community_id=person.community_id, household_subs=household), what="this person's card")
    if caller.roles == {Role.RESIDENT} and (person.account_sub is not None or head.person_id == person.person_id):
        raise Forbidden("a household head holds cards only for dependents without an account of their own")


def _holder(person_id: str) -> Person:
    try:
        return people(settings()).get(person_id)
    except NotFound:
        raise NotFound("no such person", field="person_id") from None


# -- routes --------------------------------------------------------------------------------------------------
@app.post("/elder-cards", access=ISSUERS, status_code=201, summary="Issue a printable code for a person without a phone 长辈码", tags=["elder-card"])
def issue(body: CardIn) -> IssuedCardOut:
    person = _holder(body.person_id)
    _require_issuer(person)
    try:
        color = shown_color(codes(), person.person_id)
    except NotFound:
        raise Conflict("the person has no health code yet: apply for it first", field="person_id") from None
    keys = signing_keys()
    published_keys().publish(keys.published())
    card_id = new_card_id()
    now = clock.now()
    ttl = DEFAULT_VALIDITY if settings().elder_card_days == 365 else DEFAULT_VALIDITY * settings().elder_card_days / 365
    token = issue_card_token(keys.current(), person.person_id, card_id, binding(_secret(), card_id, person.id_number), now=now, ttl=ttl)
    card = {
        "card_id": card_id,
        "person_id": person.person_id,
        "name": person.masked()["name"],
        "community_id": person.community_id,
        "status": "active",
        "issued_at": clock.iso(now),
        "expires_at": clock.iso(now + ttl),
        "issued_by": app.caller.username,
        "last_color": color.value,
    }
    cards().put_new(card)
    audit_log(settings().audit_table).append(audit.record(app.caller, "elder_card.issue", f"elder_card#{card_id}", None, card))
    metrics.add_metric(name="ElderCardsIssued", unit="Count", value=1)
    return IssuedCardOut.model_validate({**card_view(card), "token": token})


@app.get("/elder-cards", access=ISSUERS, summary="A person's printed codes 长辈码记录", tags=["elder-card"])
def list_cards(
    person_id: Annotated[str, Query(pattern=r"^[0-9a-f]{24}$", description="the holder")],
    limit: paging.Limit = 20,
    cursor: paging.Cursor = None,
) -> paging.Page[CardOut]:
    person = _holder(person_id)
    _require_issuer(person)
    found = cards().of_person(person.person_id)
    return app.page([CardOut.model_validate(card_view(card)) for card in found[:limit]], None)


@app.post("/elder-cards/<card_id>/revoke", access=ISSUERS, summary="Revoke a printed code (lost, reissued) 吊销长辈码", tags=["elder-card"])
def revoke(card_id: CardIdPath, body: RevokeIn) -> CardOut:
    card = cards().require(card_id)
    _require_issuer(_holder(card["person_id"]))
    if card["status"] == "revoked":
        return CardOut.model_validate(card_view(card))
    after = {**card, "status": "revoked", "revoked_at": clock.iso(), "revoked_by": app.caller.username}
    cards().save(after)
    audit_log(settings().audit_table).append(audit.record(app.caller, "elder_card.revoke", f"elder_card#{card_id}", card, {**after, "reason": body.reason}))
    return CardOut.model_validate(card_view(after))


@app.post("/elder-cards/verify", access=GATES, summary="Check a printed code with the holder's ID card at a gate 长辈码核验", tags=["elder-card"])
def verify(body: GateCheckIn) -> GateVerdictOut:
    try:
        verified = verify_card_token(body.token, jwks(signing_keys().published()), clock.now())
    except TokenRejected as rejected:
        if rejected.reason == TokenRejected.MALFORMED:
            raise InvalidInput("not an elder card", field="token") from rejected
        return GateVerdictOut(valid=False, reason=rejected.reason, color=None, name=None)
    card = cards().get(verified.card_id)
    refused = None
    if card is None or card["person_id"] != verified.person_id:
        refused = CardRefused.UNKNOWN_CARD
    elif card["status"] == "revoked":
        refused = CardRefused.REVOKED
    elif not hmac.compare_digest(binding(_secret(), verified.card_id, body.id_number), verified.bond):
        refused = CardRefused.ID_MISMATCH
    if refused:
        metrics.add_metric(name="ElderCardsRefused", unit="Count", value=1)
        return GateVerdictOut(valid=False, reason=refused, color=None, name=None, card_id=verified.card_id)
    assert card is not None
    try:
        color = shown_color(codes(), verified.person_id)
    except NotFound:
        return GateVerdictOut(valid=False, reason="no_code", color=None, name=card["name"], card_id=verified.card_id)
    return GateVerdictOut(valid=True, reason=None, color=color.value, name=card["name"], card_id=verified.card_id, person_id=verified.person_id)


def _secret() -> bytes:
    return lookup_secret(settings().lookup_secret_arn)


# -- streams: a card holder's colour changed → the household head's inbox -------------------------------------
processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)


def watch(person_id: str, ref: str) -> int:
    """Tell the household head of each active card's holder when the holder's colour differs from the last one told.
    Idempotent per stream record (``ref``); returns the messages left."""
    active = [card for card in cards().of_person(person_id) if card["status"] == "active"]
    if not active:
        return 0
    try:
        color = shown_color(codes(), person_id)
    except NotFound:
        return 0
    told = 0
    for card in active:
        if card.get("last_color") == color.value:
            continue
        holder = people(settings()).get(person_id)
        if holder.household_id != holder.person_id:
            inbox().notify(
                holder.household_id,
                kind=NOTICE_KIND,
                title="家人健康码变化 A family member's code changed",
                body=f"{holder.masked()['name']} 的健康码现为 {color.value} (now {color.value})",
                ref=f"elder-{card['card_id']}-{ref}",
                title_text=texts.text(TextCode.ELDER_CARD_ALERT),
                body_text=texts.text(TextCode.ELDER_CARD_COLOR, color=color.value, relation=holder.relation),
            )
            told += 1
        cards().save({**card, "last_color": color.value})
    return told


def _change(record: DynamoDBRecord) -> None:
    keys = record.raw_event["dynamodb"].get("Keys", {})
    person_id = keys.get("person_id", {}).get("S")
    if person_id:
        told = watch(person_id, str(record.raw_event["dynamodb"].get("SequenceNumber", "")))
        if told:
            logger.info("elder card colour change told", extra={"messages": told})


def _changes(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(process_partial_response(event=event, record_handler=_change, processor=processor, context=context))


#: HTTP (API Gateway), or the holds' and health codes' streams.
lambda_handler = triggers.entry(http=api.handler(app), stream=_changes)
