"""Exposure from checkpoint scans (SafeEntry-style 场所码暴露排查): who was scanned where a confirmed case was. Pure.

A commander marks the checkpoints a confirmed case passed and the time windows it was there, or the platform
takes them from the case's own scans (each scan of the case gives the window ``[scan - case_minutes,
scan + case_minutes]``). Everyone else scanned at such a checkpoint inside a window is a close-contact
candidate (密切接触者); scanned outside it but within ``margin`` of it, a same-place candidate (同场所人员).
A person found several times keeps the closest finding (close before same place, then the earliest scan).

Reading costs one index query per (checkpoint, Asia/Shanghai day) a widened window touches, on the scans
table's ``checkpoint-day-index`` (``cp_day``, ``scanned_at``) bounded by the window's instants, so the work
follows the scans inside the windows, never the size of the table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sanmenxia import clock
from sanmenxia.contracts import KeyPersonCategory
from sanmenxia.errors import InvalidInput

#: A marked window may span at most this long; longer stays are split by the commander into several windows.
MAX_WINDOW = timedelta(hours=24)
#: At most this many windows in one run (a case's fortnight of movements fits easily).
MAX_WINDOWS = 60


class ExposureKind(StrEnum):
    CLOSE = "close_contact"  # 同时段同场所: inside the marked window
    SAME_PLACE = "same_place"  # 前后时段同场所: within the margin around it

    @property
    def category(self) -> KeyPersonCategory:
        return KeyPersonCategory.CLOSE_CONTACT if self is ExposureKind.CLOSE else KeyPersonCategory.SAME_PLACE


@dataclass(frozen=True)
class Window:
    """A confirmed case at a checkpoint from ``start`` to ``end`` (timezone-aware instants)."""

    checkpoint_id: str
    start: datetime
    end: datetime

    def validated(self, index: int) -> Window:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise InvalidInput("give the window's times with a timezone", field=f"windows.{index}.start")
        if self.end < self.start:
            raise InvalidInput("the window ends before it starts", field=f"windows.{index}.end")
        if self.end - self.start > MAX_WINDOW:
            raise InvalidInput("a window spans at most 24 hours: split a longer stay", field=f"windows.{index}.end")
        if self.start > clock.now() + timedelta(minutes=5):
            raise InvalidInput("the window starts in the future", field=f"windows.{index}.start")
        return self

    def widened(self, margin: timedelta) -> tuple[datetime, datetime]:
        return self.start - margin, self.end + margin

    def to_json(self) -> dict[str, str]:
        return {"checkpoint_id": self.checkpoint_id, "start": clock.iso(self.start), "end": clock.iso(self.end)}


@dataclass(frozen=True)
class IndexRead:
    """One query of ``checkpoint-day-index``: a checkpoint's day, between two instants (inclusive)."""

    checkpoint_id: str
    day: date
    first: str  # ISO instants in the scans' own form (UTC, seconds), so they compare as strings
    last: str

    @property
    def partition(self) -> str:
        return f"{self.checkpoint_id}#{self.day.isoformat()}"


@dataclass(frozen=True)
class SeenScan:
    """What exposure needs of a scan (no personal data beyond the opaque person id and a masked name)."""

    scan_key: str
    checkpoint_id: str
    checkpoint_name: str
    person_id: str | None
    scanned_at: str
    home_community_id: str | None
    community_id: str
    masked_name: str | None


@dataclass(frozen=True)
class Exposure:
    """A person found at a case's checkpoint: the finding that decides their candidate."""

    person_id: str
    kind: ExposureKind
    checkpoint_id: str
    checkpoint_name: str
    scanned_at: str
    scan_key: str
    community_id: str  # the person's own community (else the checkpoint's): where the candidate goes
    masked_name: str | None

    def reason(self) -> str:
        label = "密切接触(同时段) close contact, same time" if self.kind is ExposureKind.CLOSE else "同场所(前后时段) same place, near the time"
        return f"检测点暴露排查 Exposure at {self.checkpoint_name} {self.scanned_at}: {label} as a confirmed case"


def merge_windows(windows: Iterable[Window]) -> list[Window]:
    """Overlapping or touching windows of one checkpoint become one (each scan is then read once)."""
    merged: list[Window] = []
    for window in sorted(windows, key=lambda w: (w.checkpoint_id, w.start)):
        last = merged[-1] if merged else None
        if last is not None and last.checkpoint_id == window.checkpoint_id and window.start <= last.end:
            merged[-1] = Window(last.checkpoint_id, last.start, max(last.end, window.end))
        else:
            merged.append(window)
    return merged


def windows_from_scans(scans: Iterable[SeenScan], case_minutes: int, since: datetime) -> list[Window]:
    """The case's own scans since ``since`` as windows of ``± case_minutes`` (merged per checkpoint)."""
    around = timedelta(minutes=case_minutes)
    found = []
    for scan in scans:
        at = datetime.fromisoformat(scan.scanned_at)
        if at >= since:
            found.append(Window(scan.checkpoint_id, at - around, at + around))
    return merge_windows(found)


def index_reads(windows: Iterable[Window], margin: timedelta) -> list[IndexRead]:
    """The queries a run makes: per window, one per Asia/Shanghai day its widened span touches."""
    reads: list[IndexRead] = []
    for window in merge_windows(windows):
        first, last = window.widened(margin)
        day = first.astimezone(clock.SHANGHAI).date()
        end_day = last.astimezone(clock.SHANGHAI).date()
        while day <= end_day:
            reads.append(IndexRead(window.checkpoint_id, day, clock.iso(first), clock.iso(last)))
            day += timedelta(days=1)
    return reads


def classify(scanned_at: datetime, windows: Iterable[Window], margin: timedelta) -> ExposureKind | None:
    """Close contact inside a window, same place within ``margin`` of one, else nothing."""
    kind: ExposureKind | None = None
    for window in windows:
        if window.start <= scanned_at <= window.end:
            return ExposureKind.CLOSE
        first, last = window.widened(margin)
        if first <= scanned_at <= last:
            kind = ExposureKind.SAME_PLACE
    return kind


def exposures(case_person_id: str, windows: list[Window], scans: Iterable[SeenScan], margin: timedelta) -> list[Exposure]:
    """Everyone but the case found in ``scans`` near ``windows``: one finding per person, the closest."""
    by_checkpoint: dict[str, list[Window]] = {}
    for window in windows:
        by_checkpoint.setdefault(window.checkpoint_id, []).append(window)
    best: dict[str, Exposure] = {}
    for scan in scans:
        if scan.person_id is None or scan.person_id == case_person_id:
            continue  # an unregistered ID number has nobody to notify; the case is not its own contact
        kind = classify(datetime.fromisoformat(scan.scanned_at), by_checkpoint.get(scan.checkpoint_id, []), margin)
        if kind is None:
            continue
        found = Exposure(
            scan.person_id,
            kind,
            scan.checkpoint_id,
            scan.checkpoint_name,
            scan.scanned_at,
            scan.scan_key,
            scan.home_community_id or scan.community_id,
            scan.masked_name,
        )
        held = best.get(scan.person_id)
        if held is None or _rank(found) < _rank(held):
            best[scan.person_id] = found
    return sorted(best.values(), key=lambda e: (e.scanned_at, e.person_id))


def _rank(found: Exposure) -> tuple[int, str]:
    return (0 if found.kind is ExposureKind.CLOSE else 1, found.scanned_at)
