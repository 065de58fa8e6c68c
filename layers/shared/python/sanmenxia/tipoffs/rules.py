"""Likely duplicate tip-offs (疑似重复线索).

The rule: an earlier tip-off is a likely duplicate of a new one when it has the same category, the same
community, and was made within the window (three days by default) before it. The rule is deliberately
coarse: it suggests, the reporter or the operator decides (a reporter links a tip-off to one it repeats;
an operator merges the orders, 并案).
"""

from __future__ import annotations

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
