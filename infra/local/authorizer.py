"""The API Gateway Cognito authorizer, emulated: verify the ID token against the user pool's JWKS.

As API Gateway does, the token is taken from the ``Authorization`` header with or without ``Bearer``; the
signature, expiry, issuer, audience and ``token_use`` are checked; the claims go to the integration.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from typing import Any

import jwt


class AuthorizerError(Exception):
    pass


class CognitoAuthorizer:
    def __init__(self, endpoint: str, region: str, user_pool_id: str, client_id: str) -> None:
        self._jwks_url = f"{endpoint}/{user_pool_id}/.well-known/jwks.json"
        self._issuer = f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"
        self._client_id = client_id
        self._keys: dict[str, Any] = {}
        self._fetched = 0.0
        self._lock = threading.Lock()

    def _key(self, kid: str) -> Any:
        with self._lock:
            if kid not in self._keys and time.monotonic() - self._fetched > 1:
                with urllib.request.urlopen(self._jwks_url, timeout=10) as response:
                    document = json.load(response)
                self._keys = {key["kid"]: jwt.PyJWK(key).key for key in document["keys"]}
                self._fetched = time.monotonic()
            if kid not in self._keys:
                raise AuthorizerError("unknown signing key")
            return self._keys[kid]

    def claims(self, header: str | None) -> dict[str, Any]:
        if not header:
            raise AuthorizerError("no token")
        token = header.split(" ", 1)[1].strip() if header.lower().startswith("bearer ") else header.strip()
        try:
            kid = jwt.get_unverified_header(token).get("kid", "")
            claims = jwt.decode(
                token,
                self._key(kid),
                algorithms=["RS256"],
                audience=self._client_id,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "sub", "token_use"]},
            )
        except jwt.PyJWTError as exc:
            raise AuthorizerError(str(exc)) from exc
        if claims.get("token_use") != "id":
            raise AuthorizerError("not an ID token")
        return claims  # type: ignore[no-any-return]
