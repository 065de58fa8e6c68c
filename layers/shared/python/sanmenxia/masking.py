"""How personal data is shown: enough for a person to recognise their own record, never the whole."""

from __future__ import annotations

import re


def mask_id_number(value: str) -> str:
    """``411202199001011234`` → ``411202********1234``."""
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


def mask_name(value: str) -> str:
    """``张三`` → ``张*``; ``欧阳娜娜`` → ``欧***``; ``Li Lei`` → ``L*****``."""
    return value[:1] + "*" * max(len(value) - 1, 1) if value else ""


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``."""
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 7 else "*" * len(value)


def mask_address(value: str) -> str:
    """``湖滨区前进路8号`` → ``湖滨区前****``: the first half, enough for the community to place it."""
    keep = (len(value) + 1) // 2
    return value[:keep] + "*" * (len(value) - keep) if len(value) > 1 else "*" * len(value)


#: A mainland mobile number or an 18-character resident ID number inside free text (digits not part of a longer run).
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def redact_text(value: str) -> str:
    """Free text a citizen typed (a help message, a call summary, a description) as staff who do not need the
    contact details see it: every ID number and mobile number in it masked (``138****5678``)."""
    value = _ID_IN_TEXT.sub(lambda match: mask_id_number(match.group(0)), value)
    return _PHONE_IN_TEXT.sub(lambda match: mask_phone(re.sub(r"\D", "", match.group(0))[-11:]), value)
