"""Opaque page tokens for community-scoped listings.

A token carries only the sort key of the last item returned. The partition (a community, a county) always
comes from the validated, scope-checked request, never from the token, so a forged token can at most skip
within the caller's own partition.
"""

from __future__ import annotations

import base64
import binascii
import re

from sanmenxia.errors import InvalidInput

_SORT_KEY = re.compile(r"^[A-Za-z0-9_#:.\-]{1,200}$")


def encode(sort_key: str) -> str:
    """The token for "continue after ``sort_key``"."""
    return base64.urlsafe_b64encode(sort_key.encode()).decode().rstrip("=")


def decode(token: str | None, *, prefix: str = "") -> str | None:
    """The sort key inside ``token`` (``None`` for the first page); 400 naming ``next`` when it is not ours."""
    if not token:
        return None
    try:
        value = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput("not a page token from this listing", field="next") from exc
    if not _SORT_KEY.match(value) or not value.startswith(prefix):
        raise InvalidInput("not a page token from this listing", field="next")
    return value
