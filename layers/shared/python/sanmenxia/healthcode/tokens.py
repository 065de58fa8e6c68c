"""Signed health-code tokens (健康码令牌) and their offline verification.

A token is a compact JWS (``header.payload.signature``, base64url) signed with Ed25519 (``alg: EdDSA``):

* header ``{"alg": "EdDSA", "typ": "HC", "kid": "<key id>"}``;
* payload ``{"iss": "sanmenxia-hc", "sub": "<person_id>", "col": "green", "iat": 1582560000, "exp": 1582560300}``
  — ``sub`` is the registry's opaque random person id: no name, ID number or phone is ever in a token.

The public keys are published as a JWKS (``GET /.well-known/jwks.json``). A checkpoint that has fetched the JWKS
once verifies tokens offline with ``verify_token`` (this module needs only ``cryptography``), and a rejected
token carries the reason: ``malformed``, ``unsupported algorithm``, ``unknown key``, ``bad signature``,
``expired``, ``not yet valid``.

The private key is derived from a Secrets Manager secret (``HealthCodeSigningSecret``) with HKDF, so the
template's ``GenerateSecretString`` creates it and Secrets Manager's version stages rotate it: sign with the
``AWSCURRENT`` key, publish ``AWSCURRENT`` and ``AWSPREVIOUS``. See docs/decisions/health-code-token.md.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from sanmenxia.holds import CodeColor

ALGORITHM = "EdDSA"
TOKEN_TYPE = "HC"  # noqa: S105 - the JWS "typ", not a password
ISSUER = "sanmenxia-hc"
#: Longest token accepted for parsing; real tokens are about 260 characters.
MAX_TOKEN_LENGTH = 1024
#: Clock difference tolerated between the issuing server and a checkpoint device.
DEFAULT_LEEWAY = timedelta(seconds=30)
_KDF_INFO = b"sanmenxia health-code signing key v1"


class TokenRejected(Exception):
    """A token that must not be accepted; ``reason`` is short and fit to show at a checkpoint."""

    MALFORMED = "malformed"
    UNSUPPORTED_ALGORITHM = "unsupported algorithm"
    UNKNOWN_KEY = "unknown key"
    BAD_SIGNATURE = "bad signature"
    EXPIRED = "expired"
    NOT_YET_VALID = "not yet valid"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class VerifiedCode:
    """What a valid token says: whose code (opaque id), its colour, and when it was issued and expires."""

    person_id: str
    color: CodeColor
    issued_at: datetime
    expires_at: datetime
    key_id: str

    def to_json(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "color": self.color.value,
            "issued_at": self.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "expires_at": self.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "key_id": self.key_id,
        }


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _b64decode(text: str) -> bytes:
    if not text or len(text) % 4 == 1:
        raise TokenRejected(TokenRejected.MALFORMED)
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise TokenRejected(TokenRejected.MALFORMED) from exc


def _public_jwk(public: Ed25519PublicKey) -> dict[str, str]:
    x = _b64encode(public.public_bytes(Encoding.Raw, PublicFormat.Raw))
    return {"crv": "Ed25519", "kty": "OKP", "x": x}


def key_id(public: Ed25519PublicKey) -> str:
    """The key id: the first 16 characters of the RFC 7638 JWK thumbprint (stable for a key, public)."""
    canonical = json.dumps(_public_jwk(public), separators=(",", ":"), sort_keys=True).encode()
    return _b64encode(hashlib.sha256(canonical).digest())[:16]


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 private key and its key id. Build it with ``signing_key_from_secret``."""

    private: Ed25519PrivateKey
    kid: str

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    def public_jwk(self) -> dict[str, str]:
        """The JWKS entry of this key (public part only)."""
        return {**_public_jwk(self.public), "kid": self.kid, "alg": ALGORITHM, "use": "sig"}


def signing_key_from_secret(secret: str | bytes) -> SigningKey:
    """Derive the Ed25519 signing key from a secret string (HKDF-SHA256; at least 32 characters)."""
    material = secret.encode() if isinstance(secret, str) else secret
    if len(material) < 32:
        raise ValueError("the signing secret must have at least 32 characters")
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KDF_INFO).derive(material)
    private = Ed25519PrivateKey.from_private_bytes(seed)
    return SigningKey(private, key_id(private.public_key()))


def jwks(keys: Iterable[SigningKey]) -> dict[str, list[dict[str, str]]]:
    """The JSON Web Key Set publishing the public halves of ``keys`` (duplicates by kid dropped)."""
    entries: dict[str, dict[str, str]] = {}
    for key in keys:
        entries.setdefault(key.kid, key.public_jwk())
    return {"keys": list(entries.values())}


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def issue_token(key: SigningKey, person_id: str, color: CodeColor, *, now: datetime, ttl: timedelta) -> str:
    """Sign a token saying that ``person_id``'s code is ``color`` from ``now`` for ``ttl``."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    header = {"alg": ALGORITHM, "typ": TOKEN_TYPE, "kid": key.kid}
    payload = {"iss": ISSUER, "sub": person_id, "col": CodeColor(color).value, "iat": _epoch(now), "exp": _epoch(now + ttl)}
    signing_input = ".".join(_b64encode(json.dumps(part, separators=(",", ":")).encode()) for part in (header, payload))
    signature = key.private.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{_b64encode(signature)}"


@functools.lru_cache(maxsize=64)
def _load_public(x: str) -> Ed25519PublicKey:
    raw = _b64decode(x)
    if len(raw) != 32:
        raise TokenRejected(TokenRejected.UNKNOWN_KEY)
    return Ed25519PublicKey.from_public_bytes(raw)


def _find_key(jwk_set: Mapping[str, Any], kid: str) -> Ed25519PublicKey:
    for entry in jwk_set.get("keys", ()):
        if isinstance(entry, Mapping) and entry.get("kid") == kid and entry.get("kty") == "OKP" and entry.get("crv") == "Ed25519":
            return _load_public(str(entry.get("x", "")))
    raise TokenRejected(TokenRejected.UNKNOWN_KEY)


def _json_part(text: str) -> dict[str, Any]:
    try:
        value = json.loads(_b64decode(text))
    except (ValueError, UnicodeDecodeError) as exc:
        raise TokenRejected(TokenRejected.MALFORMED) from exc
    if not isinstance(value, dict):
        raise TokenRejected(TokenRejected.MALFORMED)
    return value


def _claims(payload: dict[str, Any]) -> tuple[str, CodeColor, int, int]:
    sub, col, iat, exp = payload.get("sub"), payload.get("col"), payload.get("iat"), payload.get("exp")
    if payload.get("iss") != ISSUER or not isinstance(sub, str) or not sub:
        raise TokenRejected(TokenRejected.MALFORMED)
    if not isinstance(iat, int) or not isinstance(exp, int) or isinstance(iat, bool) or isinstance(exp, bool) or exp <= iat:
        raise TokenRejected(TokenRejected.MALFORMED)
    try:
        color = CodeColor(str(col))
    except ValueError as exc:
        raise TokenRejected(TokenRejected.MALFORMED) from exc
    return sub, color, iat, exp


def verify_token(token: str, jwks: Mapping[str, Any], now: datetime, *, leeway: timedelta = DEFAULT_LEEWAY) -> VerifiedCode:
    """Verify ``token`` against the published key set at instant ``now``; raise ``TokenRejected(reason)``.

    Pure and offline: the signature is checked before any claim is trusted, then expiry with ``leeway``.
    """
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 2:
        raise TokenRejected(TokenRejected.MALFORMED)
    header_text, payload_text, signature_text = token.strip().split(".")
    header = _json_part(header_text)
    if header.get("alg") != ALGORITHM:
        raise TokenRejected(TokenRejected.UNSUPPORTED_ALGORITHM)
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise TokenRejected(TokenRejected.MALFORMED)
    public = _find_key(jwks, kid)
    signature = _b64decode(signature_text)
    try:
        public.verify(signature, f"{header_text}.{payload_text}".encode("ascii"))
    except (InvalidSignature, UnicodeEncodeError) as exc:
        raise TokenRejected(TokenRejected.BAD_SIGNATURE) from exc
    person_id, color, iat, exp = _claims(_json_part(payload_text))
    instant = _epoch(now)
    slack = int(leeway.total_seconds())
    if instant >= exp + slack:
        raise TokenRejected(TokenRejected.EXPIRED)
    if instant + slack < iat:
        raise TokenRejected(TokenRejected.NOT_YET_VALID)
    return VerifiedCode(person_id, color, datetime.fromtimestamp(iat, UTC), datetime.fromtimestamp(exp, UTC), kid)
