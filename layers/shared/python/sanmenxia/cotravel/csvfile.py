"""Reading uploaded CSV files with line numbers: the whole file is validated before anything is written.

Files come from offices, often saved by Excel: UTF-8 with or without BOM, or GB18030 (GBK). Headers may be
English or the Chinese names of published notices. Every problem is reported as ``(line, field, reason)``;
line 1 is the header, data lines count from 2 (a quoted field spanning lines counts from where it starts).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

#: Errors listed in a report; the total is always given.
MAX_REPORTED_ERRORS = 200


@dataclass(frozen=True, order=True)
class RowError:
    line: int
    field: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "reason": self.reason}


class CsvRejected(Exception):
    """The file cannot be imported; ``errors`` say where and why (sorted by line)."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = sorted(errors)
        super().__init__(f"{len(errors)} problem(s), first on line {self.errors[0].line}" if errors else "rejected")

    def report(self) -> dict[str, Any]:
        return {"error_count": len(self.errors), "errors": [error.to_json() for error in self.errors[:MAX_REPORTED_ERRORS]]}


def decode(data: bytes) -> str:
    """UTF-8 (BOM stripped) or, failing that, GB18030; ``CsvRejected`` on neither."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise CsvRejected([RowError(1, "file", "not UTF-8 or GB18030 text")]) from exc


@dataclass(frozen=True)
class Row:
    line: int
    values: Mapping[str, str]

    def get(self, name: str) -> str | None:
        value = self.values.get(name)
        return value if value else None


def _canonical(header: str, aliases: Mapping[str, str]) -> str:
    name = header.strip().strip("\ufeff")
    return aliases.get(name, aliases.get(name.lower(), name.lower().replace(" ", "_")))


def read_rows(
    data: bytes,
    *,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    aliases: Mapping[str, str] | None = None,
    max_rows: int = 100_000,
    any_of: tuple[str, ...] = (),
) -> list[Row]:
    """Rows of a CSV file keyed by canonical column names; ``CsvRejected`` for structural problems.

    ``required`` columns must all be present, and at least one of ``any_of`` when given. Unknown columns
    are ignored. Problems in the values are the caller's to check (``collect``).
    """
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    aliases = aliases or {}
    try:
        header = next(reader)
    except StopIteration as exc:
        raise CsvRejected([RowError(1, "file", "the file is empty")]) from exc
    except csv.Error as exc:
        raise CsvRejected([RowError(1, "file", f"not a CSV file: {exc}")]) from exc
    columns = [_canonical(name, aliases) for name in header]
    errors = [RowError(1, name, "missing column") for name in required if name not in columns]
    if any_of and not set(any_of).intersection(columns):
        errors.append(RowError(1, "/".join(any_of), "missing column: give at least one of them"))
    duplicated = {name for name in columns if columns.count(name) > 1 and name in (*required, *optional, *any_of)}
    errors.extend(RowError(1, name, "column appears twice") for name in sorted(duplicated))
    if errors:
        raise CsvRejected(errors)
    rows, errors = _data_rows(reader, columns, max_rows)
    if errors:
        raise CsvRejected(errors)
    if not rows:
        raise CsvRejected([RowError(2, "file", "no data rows")])
    return rows


def _data_rows(reader: Iterator[list[str]], columns: list[str], max_rows: int) -> tuple[list[Row], list[RowError]]:
    rows: list[Row] = []
    errors: list[RowError] = []
    line = 2
    while True:
        start = line
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(RowError(start, "file", f"malformed CSV: {exc}"))
            break
        line = getattr(reader, "line_num", start) + 1
        if not any(field.strip() for field in fields):
            continue
        if len(fields) > len(columns):
            errors.append(RowError(start, "row", f"{len(fields)} fields but the header has {len(columns)}"))
            continue
        if len(rows) >= max_rows:
            errors.append(RowError(start, "file", f"more than {max_rows} rows; split the file"))
            break
        values = {name: (fields[index].strip() if index < len(fields) else "") for index, name in enumerate(columns)}
        rows.append(Row(start, values))
    return rows, errors


def collect(rows: list[Row], parse: Callable[[Row, list[RowError]], Any]) -> list[Any]:
    """Parse every row, gathering all errors; ``CsvRejected`` if any row had one (nothing is returned then)."""
    errors: list[RowError] = []
    parsed = []
    for row in rows:
        before = len(errors)
        value = parse(row, errors)
        if len(errors) == before:
            parsed.append(value)
    if errors:
        raise CsvRejected(errors)
    return parsed


def parse_date(row: Row, name: str, errors: list[RowError], *, required: bool = True, latest: date | None = None) -> date | None:
    """``2020-01-23`` / ``2020/1/23`` / ``20200123`` → date; appends an error naming the line and column."""
    raw = row.get(name)
    if raw is None:
        if required:
            errors.append(RowError(row.line, name, "required"))
        return None
    text = raw.replace("/", "-").replace(".", "-")
    try:
        if "-" in text:
            year, month, day = (int(part) for part in text.split("-"))
            value = date(year, month, day)
        else:
            value = date(int(text[:4]), int(text[4:6]), int(text[6:8])) if len(text) == 8 else date.fromisoformat(text)
    except ValueError:
        errors.append(RowError(row.line, name, f"not a date: {raw[:20]!r} (use YYYY-MM-DD)"))
        return None
    if value.year < 2019 or (latest is not None and value > latest):
        errors.append(RowError(row.line, name, f"date out of range: {value.isoformat()}"))
        return None
    return value
