"""The tip-offs' rules (pure): the tip-off record, tracking codes, and likely duplicates (疑似重复线索).

Likely duplicates: an earlier tip-off is a likely duplicate of a new one when it has the same category, the same
community, and was made within the window (three days by default) before it. The rule is deliberately
coarse: it suggests, the reporter or the operator decides (a reporter links a tip-off to one it repeats;
an operator merges the orders, 并案).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sanmenxia.clock import iso

DEFAULT_WINDOW = timedelta(days=3)
MAX_SUGGESTIONS = 5


@dataclass(frozen=True)
class TipoffKey:
    """What the rule looks at."""

    tipoff_id: str
    category: str
    community_id: str
    created_at: str


def window_start(at: datetime, window: timedelta = DEFAULT_WINDOW) -> str:
    """The earliest ``created_at`` that can still be a duplicate of a tip-off made at ``at``."""
    return iso(at - window)


def is_likely_duplicate(new: TipoffKey, earlier: TipoffKey, window: timedelta = DEFAULT_WINDOW) -> bool:
    """Same category, same community, made within ``window`` before ``new`` (and not ``new`` itself)."""
    if new.tipoff_id == earlier.tipoff_id:
        return False
    if (new.category, new.community_id) != (earlier.category, earlier.community_id):
        return False
    new_at = datetime.fromisoformat(new.created_at.replace("Z", "+00:00"))
    return window_start(new_at, window) <= earlier.created_at <= new.created_at


def likely_duplicates(new: TipoffKey, candidates: Iterable[TipoffKey], window: timedelta = DEFAULT_WINDOW) -> list[TipoffKey]:
    """The likely duplicates among ``candidates``, newest first, at most ``MAX_SUGGESTIONS``."""
    found = [earlier for earlier in candidates if is_likely_duplicate(new, earlier, window)]
    return sorted(found, key=lambda key: key.created_at, reverse=True)[:MAX_SUGGESTIONS]


#: Crockford's base32: no I, L, O, U, so a code read aloud or copied by hand survives.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_GROUPS, _GROUP = 5, 4  # 20 characters: 100 bits


def normalise_tracking_code(code: str) -> str:
    """A tracking code as the reporter may type it (any case, spaces or dashes, O for 0) in its one form."""
    return "".join(code.split()).replace("-", "").upper().translate(_READ_AS)


def tracking_hash(code: str) -> str:
    """The stored hash of a (new-style) tracking code, whatever case or grouping it is typed in."""
    return hashlib.sha256(normalise_tracking_code(code).encode()).hexdigest()


def tracking_hashes(code: str) -> list[str]:
    """Hashes to look a typed code up by: the new form first, then the code exactly as typed, which is how
    codes issued before the new form (case-sensitive ``token_urlsafe``, sometimes starting with a dash) were
    stored."""
    found = [tracking_hash(code)]
    legacy = hashlib.sha256(code.strip().encode()).hexdigest()
    return found if legacy in found else [*found, legacy]


def new_tracking_code() -> str:
    """A code the reporter keeps to follow the tip-off (shown once, stored only as a hash): 20 characters of
    Crockford base32 in groups of four (``7KQM-2X9D-…``), never starting with a dash, read case-insensitively."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(_GROUPS * _GROUP))
    return "-".join(raw[i : i + _GROUP] for i in range(0, len(raw), _GROUP))


@dataclass(frozen=True)
class Tipoff:
    tipoff_id: str
    category: str
    county_code: str
    community_id: str
    sealed_address: str
    sealed_description: str
    photos: tuple[str, ...]
    anonymous: bool
    reporter_sub: str | None
    created_at: str
    order_id: str
    department: str | None
    duplicate_of: str | None
    track_hash: str
    report_id: str | None = None  # its entry on the public map (``sanmenxia.tipoffs.public``)
    sealed_location: str | None = None  # the exact pin, sealed: staff only

    @property
    def key(self) -> TipoffKey:
        return TipoffKey(self.tipoff_id, self.category, self.community_id, self.created_at)
