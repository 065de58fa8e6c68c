"""Resident identity card numbers (居民身份证号码), GB 11643-1999.

Eighteen characters: a six-digit region code, the birth date (YYYYMMDD), a three-digit sequence (odd for
men, even for women) and an ISO 7064 MOD 11-2 check character (0-9 or X).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"

#: Province-level codes (the first two digits) in use under GB/T 2260.
PROVINCE_CODES: dict[str, str] = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古",
    "21": "辽宁", "22": "吉林", "23": "黑龙江",
    "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西", "37": "山东",
    "41": "河南", "42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南",
    "50": "重庆", "51": "四川", "52": "贵州", "53": "云南", "54": "西藏",
    "61": "陕西", "62": "甘肃", "63": "青海", "64": "宁夏", "65": "新疆",
    "71": "台湾", "81": "香港", "82": "澳门",
}  # fmt: skip


class InvalidIdNumber(ValueError):
    """The number is not a valid GB 11643 identity number; the message says why."""


@dataclass(frozen=True)
class IdNumber:
    value: str
    region_code: str
    birth_date: date

    @property
    def province(self) -> str:
        return PROVINCE_CODES[self.region_code[:2]]


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def parse_id_number(raw: str, *, today: date | None = None) -> IdNumber:
    """Validate and normalise (upper-case X) an identity number, or raise ``InvalidIdNumber``."""
    value = raw.strip().upper()
    if len(value) != 18:
        raise InvalidIdNumber("must be 18 characters")
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise InvalidIdNumber("must be 17 digits followed by a digit or X")
    region = value[:6]
    if region[:2] not in PROVINCE_CODES or (region[2:4] == "00" and region[:2] not in {"11", "12", "31", "50"}):
        raise InvalidIdNumber("unknown region code")
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise InvalidIdNumber("birth date is not a real date") from exc
    if born.year < 1880 or (today is not None and born > today):
        raise InvalidIdNumber("birth date is out of range")
    if check_character(value[:17]) != value[17]:
        raise InvalidIdNumber("check digit does not match")
    return IdNumber(value=value, region_code=region, birth_date=born)


def make_id_number(region_code: str, born: date, sequence: int) -> str:
    """Build a valid number (demo data and tests)."""
    first17 = f"{region_code}{born:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_character(first17)
