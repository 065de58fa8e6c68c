"""A code for everyone (长辈码): a printed, long-lived, signed card for people without a phone.

The card's QR holds a token like the phone's (compact JWS, Ed25519, the health-code signing key) but of type ``EC``
and without a colour: ``{"iss", "sub": <person_id>, "card": <card_id>, "bnd": <binding>, "iat", "exp"}``. The colour is
never printed: the gate reads today's colour when it verifies. ``bnd`` binds the card to the holder's ID card: an
HMAC (the look-up secret) of the card id and the ID number, so the gate staff type (or scan) the ID number of the
card shown and the verdict requires its HMAC to match the card's; a card found in the street does not pass for
another person, and two cards of one person share nothing. A card is revocable (lost, reissued): the gate refuses a
revoked card (``ElderCardsTable`` holds its status; the server checks it on every verification).

Table (``ElderCardsTable``): ``card#<id>`` / ``card`` the card; ``person#<id>`` / ``card#<id>`` each person's cards (for
the colour watch and the lists). Only masked fields: the holder by person id and masked name.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError
from cryptography.exceptions import InvalidSignature

from sanmenxia import dynamo
from sanmenxia.errors import NotFound, UpstreamUnavailable
from sanmenxia.healthcode.tokens import ISSUER, SigningKey, TokenRejected, _b64decode, _b64encode, _find_key, _json_part

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

CARD_TYPE = "EC"
#: A printed card lasts this long unless revoked (reissue after a year, or at any loss).
DEFAULT_VALIDITY = timedelta(days=365)


class CardRefused:
    """Why a gate refuses a card (short, fit to show)."""

    ID_MISMATCH = "id_mismatch"  # the ID card shown is not the card's holder's
    REVOKED = "revoked"
    UNKNOWN_CARD = "unknown_card"


def binding(secret: bytes, card_id: str, id_number: str) -> str:
    """The card's bond to its holder's ID number (22 characters; keyed, one-way, per card)."""
    digest = hmac.new(secret, f"elder-card:{card_id}:{id_number.upper()}".encode(), hashlib.sha256).digest()
    return _b64encode(digest[:16])


def new_card_id() -> str:
    return "ec" + secrets.token_hex(10)


def issue_card_token(key: SigningKey, person_id: str, card_id: str, bond: str, *, now: datetime, ttl: timedelta) -> str:
    header = {"alg": "EdDSA", "typ": CARD_TYPE, "kid": key.kid}
    payload = {"iss": ISSUER, "sub": person_id, "card": card_id, "bnd": bond, "iat": int(now.timestamp()), "exp": int((now + ttl).timestamp())}
    signing_input = ".".join(_b64encode(json.dumps(part, separators=(",", ":")).encode()) for part in (header, payload))
    return f"{signing_input}.{_b64encode(key.private.sign(signing_input.encode('ascii')))}"


@dataclass(frozen=True)
class VerifiedCard:
    person_id: str
    card_id: str
    bond: str
    issued_at: datetime
    expires_at: datetime


def verify_card_token(token: str, jwks: dict[str, Any], now: datetime) -> VerifiedCard:
    """The card a token is, signature and validity checked; ``TokenRejected`` otherwise (as the phone's tokens)."""
    if not isinstance(token, str) or len(token) > 1024 or token.count(".") != 2:
        raise TokenRejected(TokenRejected.MALFORMED)
    header_text, payload_text, signature_text = token.strip().split(".")
    header = _json_part(header_text)
    if header.get("alg") != "EdDSA":
        raise TokenRejected(TokenRejected.UNSUPPORTED_ALGORITHM)
    if header.get("typ") != CARD_TYPE or not isinstance(header.get("kid"), str):
        raise TokenRejected(TokenRejected.MALFORMED)
    public = _find_key(jwks, str(header["kid"]))
    try:
        public.verify(_b64decode(signature_text), f"{header_text}.{payload_text}".encode("ascii"))
    except (InvalidSignature, UnicodeEncodeError) as exc:
        raise TokenRejected(TokenRejected.BAD_SIGNATURE) from exc
    claims = _json_part(payload_text)
    sub, card, bond, iat, exp = (claims.get(name) for name in ("sub", "card", "bnd", "iat", "exp"))
    if claims.get("iss") != ISSUER or not all(isinstance(v, str) and v for v in (sub, card, bond)):
        raise TokenRejected(TokenRejected.MALFORMED)
    if not isinstance(iat, int) or not isinstance(exp, int) or isinstance(iat, bool) or isinstance(exp, bool) or exp <= iat:
        raise TokenRejected(TokenRejected.MALFORMED)
    if now.timestamp() >= exp:
        raise TokenRejected(TokenRejected.EXPIRED)
    if now.timestamp() + 30 < iat:
        raise TokenRejected(TokenRejected.NOT_YET_VALID)
    return VerifiedCard(str(sub), str(card), str(bond), datetime.fromtimestamp(iat, UTC), datetime.fromtimestamp(exp, UTC))


def _s(value: str) -> dict[str, str]:
    return {"S": value}


class ElderCardStore:
    def __init__(self, dynamodb: DynamoDBClient, table: str) -> None:
        self._db = dynamodb
        self._table = table

    def _writes(self, card: dict[str, Any], *, new: bool) -> list[dict[str, Any]]:
        body = _s(json.dumps(card, ensure_ascii=False))
        own: dict[str, Any] = {"TableName": self._table, "Item": {"pk": _s(f"card#{card['card_id']}"), "sk": _s("card"), "body": body}}
        if new:
            own["ConditionExpression"] = "attribute_not_exists(pk)"
        entry = {"TableName": self._table, "Item": {"pk": _s(f"person#{card['person_id']}"), "sk": _s(f"card#{card['card_id']}"), "body": body}}
        return [{"Put": own}, {"Put": entry}]

    def put_new(self, card: dict[str, Any]) -> None:
        dynamo.transact(self._db, self._writes(card, new=True), what="elder card")

    def save(self, card: dict[str, Any]) -> None:
        dynamo.transact(self._db, self._writes(card, new=False), what="elder card")

    def get(self, card_id: str) -> dict[str, Any] | None:
        try:
            item = self._db.get_item(TableName=self._table, Key={"pk": _s(f"card#{card_id}"), "sk": _s("card")}, ConsistentRead=True).get("Item")
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the card") from exc
        return dict(json.loads(item["body"]["S"])) if item else None

    def require(self, card_id: str) -> dict[str, Any]:
        card = self.get(card_id)
        if card is None:
            raise NotFound("no such card", field="card_id")
        return card

    def of_person(self, person_id: str) -> list[dict[str, Any]]:
        items = dynamo.query_all(
            self._db,
            what="the person's cards",
            TableName=self._table,
            KeyConditionExpression="pk = :p AND begins_with(sk, :c)",
            ExpressionAttributeValues={":p": _s(f"person#{person_id}"), ":c": _s("card#")},
        )
        return sorted((dict(json.loads(item["body"]["S"])) for item in items), key=lambda card: card["issued_at"], reverse=True)


def card_view(card: dict[str, Any]) -> dict[str, Any]:
    """What a card's answer shows (no binding, no token unless just issued)."""
    return {
        key: card.get(key)
        for key in ("card_id", "person_id", "name", "community_id", "status", "issued_at", "expires_at", "issued_by", "revoked_at", "last_color")
    }
