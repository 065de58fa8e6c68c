"""Exposure from checkpoint scans: windows, the index reads they cost, who is a close contact or same place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sanmenxia import clock
from sanmenxia.checkpoints.exposure import ExposureKind, SeenScan, Window, classify, exposures, index_reads, merge_windows, windows_from_scans
from sanmenxia.errors import InvalidInput

T0 = datetime(2020, 2, 10, 2, 0, tzinfo=UTC)  # 10:00 Asia/Shanghai
MARGIN = timedelta(minutes=30)


def seen(person: str | None, at: datetime, checkpoint: str = "cp-a") -> SeenScan:
    return SeenScan(f"{checkpoint}#{person}-{at:%H%M}", checkpoint, "市场", person, clock.iso(at), "411202-002", "411202-001", "张*")


def test_inside_the_window_is_close_within_the_margin_same_place_beyond_it_nothing() -> None:
    window = Window("cp-a", T0, T0 + timedelta(minutes=20))
    assert classify(T0 + timedelta(minutes=5), [window], MARGIN) is ExposureKind.CLOSE
    assert classify(T0 - timedelta(minutes=29), [window], MARGIN) is ExposureKind.SAME_PLACE
    assert classify(T0 + timedelta(minutes=51), [window], MARGIN) is None


def test_a_person_found_twice_keeps_the_closest_finding_and_the_case_is_not_its_own_contact() -> None:
    window = Window("cp-a", T0, T0 + timedelta(minutes=10))
    scans = [seen("p1", T0 - timedelta(minutes=20)), seen("p1", T0 + timedelta(minutes=5)), seen("case", T0), seen(None, T0), seen("p2", T0, "cp-b")]
    found = exposures("case", [window], scans, MARGIN)
    assert [(e.person_id, e.kind) for e in found] == [("p1", ExposureKind.CLOSE)]
    assert found[0].community_id == "411202-002"  # the person's own community, not the checkpoint's
    assert found[0].kind.category.value == "close_contact"


def test_reads_are_one_per_checkpoint_day_the_widened_window_touches() -> None:
    # 23:50-23:59 Shanghai on the 10th, widened by 30 minutes: the 10th and the 11th.
    late = datetime(2020, 2, 10, 15, 50, tzinfo=UTC)
    reads = index_reads([Window("cp-a", late, late + timedelta(minutes=9)), Window("cp-a", late, late + timedelta(minutes=2))], MARGIN)
    assert [read.partition for read in reads] == ["cp-a#2020-02-10", "cp-a#2020-02-11"]
    assert reads[0].first == "2020-02-10T15:20:00Z" and reads[0].last == "2020-02-10T16:29:00Z"


def test_overlapping_windows_of_one_checkpoint_merge() -> None:
    a = Window("cp-a", T0, T0 + timedelta(minutes=10))
    b = Window("cp-a", T0 + timedelta(minutes=5), T0 + timedelta(minutes=30))
    c = Window("cp-b", T0, T0 + timedelta(minutes=1))
    assert merge_windows([b, c, a]) == [Window("cp-a", T0, T0 + timedelta(minutes=30)), c]


def test_the_case_scans_give_windows_around_each_scan_since_the_lookback() -> None:
    scans = [seen("case", T0), seen("case", T0 + timedelta(minutes=10)), seen("case", T0 - timedelta(days=20))]
    found = windows_from_scans(scans, 15, T0 - timedelta(days=14))
    assert found == [Window("cp-a", T0 - timedelta(minutes=15), T0 + timedelta(minutes=25))]


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(T0, T0 - timedelta(minutes=1), "windows.0.end"), (T0, T0 + timedelta(hours=25), "windows.0.end")],
)
def test_a_bad_window_is_refused_naming_its_field(start: datetime, end: datetime, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        Window("cp-a", start, end).validated(0)
    assert refused.value.field == field
