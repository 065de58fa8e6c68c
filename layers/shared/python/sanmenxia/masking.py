"""How personal data is shown: enough for a person to recognise their own record, never the whole."""

from __future__ import annotations


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
