"""Lab results (核酸检测结果): parsing an uploaded file whole, and the release criteria. Pure.

A result file has one row per sample: ``sample_id, id_number, result, sampled_at`` and optionally
``tested_at``. Headers may be English or the Chinese names labs use (样本编号, 身份证号, 检测结果, 采样时间,
检测时间). Results are ``positive``/``negative`` or 阳性/阴性. Every problem is reported as ``(line, field,
reason)`` and the file is imported only when it has none (``sanmenxia.cotravel.csvfile``).

Release (解除): a positive result holds the person's code red until the release criteria in force are met by
negative results sampled after the latest positive (``release.json`` beside the health-code rules, validated on
load): ``negatives_required`` negatives, each sampled at least ``min_hours_apart`` after the previous one counted.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sanmenxia import clock
from sanmenxia.cotravel.csvfile import Row, RowError, collect, read_rows
from sanmenxia.idnumber import InvalidIdNumber, parse_id_number

#: A lab's id (the ``custom:lab_id`` scope attribute of its accounts).
LAB_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{2,39}$"
SAMPLE_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


class LabResult(StrEnum):
    POSITIVE = "positive"  # 阳性
    NEGATIVE = "negative"  # 阴性


RESULT_WORDS = {
    "positive": LabResult.POSITIVE,
    "阳性": LabResult.POSITIVE,
    "pos": LabResult.POSITIVE,
    "+": LabResult.POSITIVE,
    "negative": LabResult.NEGATIVE,
    "阴性": LabResult.NEGATIVE,
    "neg": LabResult.NEGATIVE,
    "-": LabResult.NEGATIVE,
}

ALIASES = {
    "样本编号": "sample_id",
    "样本号": "sample_id",
    "条码": "sample_id",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "证件号码": "id_number",
    "检测结果": "result",
    "结果": "result",
    "采样时间": "sampled_at",
    "检测时间": "tested_at",
    "报告时间": "tested_at",
}
REQUIRED = ("sample_id", "id_number", "result", "sampled_at")
OPTIONAL = ("tested_at",)
#: Rows in one file (a lab's day is a few thousand; larger files are split).
MAX_ROWS = 20_000
#: A sampling time may be this far ahead of the server's clock (a lab's clock runs a little fast).
CLOCK_SKEW = timedelta(minutes=10)


@dataclass(frozen=True)
class ResultLine:
    """One validated result; the ID number is only turned into a look-up key by the caller, never stored."""

    line: int
    sample_id: str
    id_number: str
    result: LabResult
    sampled_at: datetime
    tested_at: datetime | None


def parse_time(raw: str) -> datetime:
    """``2020-02-10 08:30`` / ``2020-02-10T08:30:00+08:00`` / ``2020/2/10 8:30`` → an aware time (Asia/Shanghai
    when no offset is given); ``ValueError`` otherwise."""
    text = raw.strip().replace("/", "-")
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}( \d{1,2}:\d{2}(:\d{2})?)?", text):
        day, _, time = text.partition(" ")
        year, month, dom = (int(part) for part in day.split("-"))
        hour, minute, second = ([int(part) for part in time.split(":")] + [0, 0, 0])[:3] if time else (0, 0, 0)
        return datetime(year, month, dom, hour, minute, second, tzinfo=clock.SHANGHAI)
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=clock.SHANGHAI)


def _time(row: Row, name: str, errors: list[RowError], now: datetime, *, required: bool) -> datetime | None:
    raw = row.get(name)
    if raw is None:
        if required:
            errors.append(RowError(row.line, name, "required"))
        return None
    try:
        value = parse_time(raw)
    except ValueError:
        errors.append(RowError(row.line, name, f"not a time: {raw[:25]!r} (use YYYY-MM-DD HH:MM)"))
        return None
    if value.year < 2019 or value > now + CLOCK_SKEW:
        errors.append(RowError(row.line, name, f"time out of range: {value.isoformat()}"))
        return None
    return value


def check_line(row: Row, errors: list[RowError], now: datetime) -> ResultLine:
    """Validate one row, appending every problem it has (the caller keeps the line only when it had none)."""
    sample_id = row.get("sample_id") or ""
    if not sample_id:
        errors.append(RowError(row.line, "sample_id", "required"))
    elif not SAMPLE_ID_PATTERN.match(sample_id):
        errors.append(RowError(row.line, "sample_id", "letters, digits, - and _ only, at most 40"))
    id_number = ""
    raw_id = row.get("id_number")
    if raw_id is None:
        errors.append(RowError(row.line, "id_number", "required"))
    else:
        try:
            id_number = parse_id_number(raw_id).value
        except InvalidIdNumber as exc:
            errors.append(RowError(row.line, "id_number", f"invalid ID number: {exc}"))
    raw_result = (row.get("result") or "").strip().lower()
    result = RESULT_WORDS.get(raw_result)
    if not raw_result:
        errors.append(RowError(row.line, "result", "required"))
    elif result is None:
        errors.append(RowError(row.line, "result", "positive or negative (阳性/阴性)"))
    sampled_at = _time(row, "sampled_at", errors, now, required=True)
    tested_at = _time(row, "tested_at", errors, now, required=False)
    if sampled_at and tested_at and tested_at < sampled_at:
        errors.append(RowError(row.line, "tested_at", "before the sampling time"))
    return ResultLine(row.line, sample_id, id_number, result or LabResult.NEGATIVE, sampled_at or now, tested_at)


def parse_file(data: bytes, now: datetime) -> list[ResultLine]:
    """Every line of a result file, validated whole: ``CsvRejected`` listing each problem by line and field.

    A sample appearing twice with different contents is an error on its second line; the same line twice is one
    result (a lab's export that repeats a row)."""
    rows = read_rows(data, required=REQUIRED, optional=OPTIONAL, aliases=ALIASES, max_rows=MAX_ROWS)
    seen: dict[str, ResultLine] = {}

    def parse(row: Row, errors: list[RowError]) -> ResultLine | None:
        line = check_line(row, errors, now)
        earlier = seen.get(line.sample_id)
        if earlier is not None and line.sample_id:
            if (earlier.id_number, earlier.result, earlier.sampled_at) != (line.id_number, line.result, line.sampled_at):
                errors.append(RowError(row.line, "sample_id", f"sample {line.sample_id} already on line {earlier.line} with other values"))
            return None
        seen[line.sample_id] = line
        return line

    return [line for line in collect(rows, parse) if line is not None]


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- release criteria ------------------------------------------------------------------------------------
class ReleaseCriteria(BaseModel):
    """One version of the release criteria (解除标准), in force from ``valid_from``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1, max_length=40)
    valid_from: date
    negatives_required: int = Field(ge=1, le=10)
    min_hours_apart: int = Field(ge=0, le=24 * 14)
    text: str = Field(min_length=1, max_length=500)


class ReleaseFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: str | None = Field(default=None, alias="$comment")
    versions: list[ReleaseCriteria] = Field(min_length=1)


RELEASE_FILE = Path(__file__).resolve().parents[1] / "healthcode" / "release.json"


def load_criteria(text: str) -> tuple[ReleaseCriteria, ...]:
    """The versions of a release file, oldest first; ``ValueError`` (pydantic's) when it is malformed or two
    versions share a name or a start day."""
    versions = sorted(ReleaseFile.model_validate(json.loads(text)).versions, key=lambda v: v.valid_from)
    if len({v.version for v in versions}) != len(versions) or len({v.valid_from for v in versions}) != len(versions):
        raise ValueError("release criteria versions need distinct names and valid_from days")
    return tuple(versions)


CRITERIA: tuple[ReleaseCriteria, ...] = load_criteria(RELEASE_FILE.read_text(encoding="utf-8"))


def criteria_for(day: date, versions: tuple[ReleaseCriteria, ...] = CRITERIA) -> ReleaseCriteria:
    in_force = [v for v in versions if v.valid_from <= day]
    return in_force[-1] if in_force else versions[0]


@dataclass(frozen=True)
class Sample:
    """A person's result as the release check sees it."""

    ref: str  # ``<lab_id>:<sample_id>``
    result: LabResult
    sampled_at: datetime


@dataclass(frozen=True)
class ReleaseState:
    """Where a person stands: the latest positive, and the negatives after it that count."""

    positive: Sample | None
    counted: tuple[Sample, ...]
    required: int
    met: bool
    version: str

    def to_json(self) -> dict[str, Any]:
        return {
            "positive_ref": self.positive.ref if self.positive else None,
            "negatives_counted": len(self.counted),
            "negatives_required": self.required,
            "met": self.met,
            "criteria_version": self.version,
        }


def release_state(samples: Iterable[Sample], criteria: ReleaseCriteria) -> ReleaseState:
    """Whether the negatives sampled after the latest positive meet ``criteria`` (no positive: nothing to release)."""
    ordered = sorted(samples, key=lambda s: (s.sampled_at, s.ref))
    positives = [s for s in ordered if s.result is LabResult.POSITIVE]
    if not positives:
        return ReleaseState(None, (), criteria.negatives_required, False, criteria.version)
    latest = positives[-1]
    gap = timedelta(hours=criteria.min_hours_apart)
    counted: list[Sample] = []
    for sample in ordered:
        if sample.result is not LabResult.NEGATIVE or sample.sampled_at <= latest.sampled_at:
            continue
        if not counted or sample.sampled_at - counted[-1].sampled_at >= gap:
            counted.append(sample)
    met = len(counted) >= criteria.negatives_required
    return ReleaseState(latest, tuple(counted[: criteria.negatives_required]), criteria.negatives_required, met, criteria.version)
