"""Signed health-code tokens: issue, offline verification, and each reason for rejection."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanmenxia.healthcode.tokens import (
    TokenRejected,
    VerifiedCode,
    issue_token,
    jwks,
    signing_key_from_secret,
    verify_token,
)
from sanmenxia.holds import CodeColor

KEY = signing_key_from_secret("a" * 64)
OTHER = signing_key_from_secret("b" * 64)
NOW = datetime(2020, 2, 25, 1, 0, tzinfo=UTC)
TTL = timedelta(minutes=5)
PERSON = "0123456789abcdef01234567"


def _token(color: CodeColor = CodeColor.GREEN, *, key: object = KEY, now: datetime = NOW) -> str:
    return issue_token(key, PERSON, color, now=now, ttl=TTL)  # type: ignore[arg-type]


def _reason(token: str, keys: dict[str, object] | None = None, now: datetime = NOW) -> str:
    with pytest.raises(TokenRejected) as caught:
        verify_token(token, keys if keys is not None else jwks([KEY]), now)
    return caught.value.reason


def test_a_fresh_token_verifies_offline_and_says_whose_code_and_colour() -> None:
    # Given a token issued now, When it is verified with the published key set
    verified = verify_token(_token(CodeColor.YELLOW), jwks([KEY]), NOW + timedelta(minutes=1))
    # Then it names the opaque person id, the colour, the key and the validity window
    assert verified == VerifiedCode(PERSON, CodeColor.YELLOW, NOW, NOW + TTL, KEY.kid)


def test_the_key_is_derived_deterministically_and_its_id_is_public() -> None:
    # Given the same secret twice, Then the same key id; a different secret gives a different key
    assert signing_key_from_secret("a" * 64).kid == KEY.kid
    assert OTHER.kid != KEY.kid
    assert set(KEY.public_jwk()) == {"kty", "crv", "x", "kid", "alg", "use"}


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="32"):
        signing_key_from_secret("short")


def test_the_token_carries_no_personal_data_only_the_opaque_id() -> None:
    # Given a token, When its payload is decoded without verification
    payload = json.loads(base64.urlsafe_b64decode(_token().split(".")[1] + "=="))
    # Then it holds only the issuer, opaque id, colour and times
    assert set(payload) == {"iss", "sub", "col", "iat", "exp"}


def test_an_expired_token_is_rejected_with_the_reason() -> None:
    assert _reason(_token(), now=NOW + TTL + timedelta(minutes=1)) == "expired"


def test_a_token_from_the_future_is_rejected() -> None:
    assert _reason(_token(now=NOW + timedelta(hours=1))) == "not yet valid"


def test_a_token_from_a_key_not_in_the_set_is_rejected_as_unknown_key() -> None:
    assert _reason(_token(key=OTHER)) == "unknown key"


def test_a_token_whose_colour_was_changed_is_rejected_as_bad_signature() -> None:
    # Given a red token whose payload is rewritten to green
    header, payload, signature = _token(CodeColor.RED).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["col"] = "green"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    # Then the signature no longer matches
    assert _reason(f"{header}.{forged}.{signature}") == "bad signature"


def test_a_token_signed_by_another_key_under_a_known_kid_is_bad_signature() -> None:
    # Given a token signed by OTHER but claiming KEY's kid
    _, payload, _ = _token().split(".")
    forged_header = base64.urlsafe_b64encode(json.dumps({"alg": "EdDSA", "typ": "HC", "kid": KEY.kid}).encode()).decode().rstrip("=")
    signature = base64.urlsafe_b64encode(OTHER.private.sign(f"{forged_header}.{payload}".encode())).decode().rstrip("=")
    assert _reason(f"{forged_header}.{payload}.{signature}") == "bad signature"


def test_the_none_algorithm_is_refused() -> None:
    _, payload, _ = _token().split(".")
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "kid": KEY.kid}).encode()).decode().rstrip("=")
    assert _reason(f"{header}.{payload}.") == "unsupported algorithm"


@pytest.mark.parametrize("garbage", ["", "abc", "a.b", "a.b.c.d", "!!!.???.***", "x" * 5000, "eyJhbGciOiJFZERTQSJ9.e30.AA"])
def test_malformed_tokens_are_rejected_as_malformed(garbage: str) -> None:
    assert _reason(garbage) == "malformed"


def test_rotation_tokens_of_the_previous_key_verify_while_it_is_published() -> None:
    # Given keys rotated (OTHER is current, KEY previous), Then both keys' tokens verify
    published = jwks([OTHER, KEY])
    assert verify_token(_token(key=KEY), published, NOW).key_id == KEY.kid
    assert verify_token(_token(key=OTHER), published, NOW).key_id == OTHER.kid


def test_the_token_is_a_standard_jws_that_pyjwt_accepts() -> None:
    # Given our JWKS entry, When PyJWT verifies the token with it
    public = jwt.PyJWK(KEY.public_jwk())
    claims = jwt.decode(_token(), public, algorithms=["EdDSA"], options={"verify_exp": False})
    # Then the claims are the same
    assert claims["sub"] == PERSON and claims["col"] == "green"


@settings(max_examples=60, deadline=None)
@given(position=st.integers(min_value=0, max_value=400), replacement=st.sampled_from("AQgw_-"))
def test_any_single_character_change_is_rejected(position: int, replacement: str) -> None:
    # Given a valid token with one character replaced
    token = _token()
    index = position % len(token)
    if token[index] == replacement or token[index] == ".":
        return
    tampered = token[:index] + replacement + token[index + 1 :]
    # Then it never verifies (the last character of a part may only change padding bits, which base64 ignores)
    try:
        verified = verify_token(tampered, jwks([KEY]), NOW)
    except TokenRejected:
        return
    assert verified == verify_token(token, jwks([KEY]), NOW)
