"""Counter arithmetic: which hour items a scan touches, unique persons by marker owners, summing the hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from sanmenxia.checkpoints.rules import Decision, Direction
from sanmenxia.checkpoints.stats import (
    UNIQUE_DAY,
    ItemKey,
    Level,
    ScanFacts,
    counter_partition,
    day_of,
    hour_of,
    increments,
    marker_claims,
    marker_key,
    receipt_key,
    summarize,
    touches,
)

# 2020-02-24 23:30 UTC is 2020-02-25 07:30 in Sanmenxia
AT = datetime(2020, 2, 24, 23, 30, tzinfo=UTC)


def facts(scan: str = "s1", person: str = "p1", *, checkpoint: str = "cp-a", at: datetime = AT, **kw: object) -> ScanFacts:
    values: dict[str, object] = {
        "direction": Direction.IN,
        "decision": Decision.PASS,
        "fever": False,
        "community_id": "411202-001",
        "county_code": "411202",
    }
    values.update(kw)
    return ScanFacts(scan_key=f"{checkpoint}#{scan}", checkpoint_id=checkpoint, person_ref=person, at=at, **values)  # type: ignore[arg-type]


def claimed(scans: list[ScanFacts], store: dict[ItemKey, dict[str, str]]) -> dict[ItemKey, dict[str, str]]:
    """What the marker updates (``if_not_exists``) leave in ``store`` and return for a batch."""
    for key, tags in marker_claims(scans).items():
        stored = store.setdefault(key, {})
        for tag, owner in tags.items():
            stored.setdefault(tag, owner)
    return store


def test_buckets_are_days_and_hours_in_asia_shanghai() -> None:
    assert day_of(AT) == "2020-02-25"
    assert hour_of(AT) == "07"


def test_a_scan_touches_one_hour_item_at_each_of_three_levels() -> None:
    found = touches(facts())
    assert sorted(touch.counter.pk for touch in found) == ["cm#411202-001#2020-02-25", "cp#cp-a#2020-02-25", "ct#411202#2020-02-25"]
    assert {touch.counter.sk for touch in found} == {"h#07"}
    assert {touch.day_tag for touch in found} == {"cp#cp-a", "cm#411202-001", "ct#411202"}


def test_a_person_first_seen_adds_one_unique_person_at_each_level_and_counts_follow_the_decision() -> None:
    one = facts(decision=Decision.STOP, fever=True, direction=Direction.OUT)
    deltas = increments([one], claimed([one], {}))
    assert len(deltas) == 3
    for values in deltas.values():
        assert values == {"scans": 1, "stops": 1, "fevers": 1, "unique_persons": 1, "outs": 1, UNIQUE_DAY: 1}


def test_a_tag_owned_by_another_scan_adds_no_unique_person() -> None:
    store = claimed([facts("s0")], {})
    deltas = increments([facts("s1")], claimed([facts("s1")], store))
    assert all(values == {"scans": 1, "passes": 1, "ins": 1} for values in deltas.values())


def test_markers_are_one_partition_key_per_person_and_day() -> None:
    claims = marker_claims([facts("s1", "p1"), facts("s2", "p1", checkpoint="cp-b"), facts("s3", "p2")])
    assert set(claims) == {marker_key("2020-02-25", "p1"), marker_key("2020-02-25", "p2")}
    assert claims[marker_key("2020-02-25", "p1")]["cm#411202-001"] == "cp-a#s1"  # the first in stream order
    assert claims[marker_key("2020-02-25", "p1")]["cp#cp-b#07"] == "cp-b#s2"


def test_the_same_deltas_have_the_same_receipt_and_others_another() -> None:
    one = increments([facts()], claimed([facts()], {}))
    assert receipt_key(["cp-a#s1"], one) == receipt_key(["cp-a#s1"], dict(reversed(list(one.items()))))
    assert receipt_key(["cp-a#s1"], one) != receipt_key(["cp-a#s1"], increments([facts("s2")], {}))
    # Two batches with equal deltas (a repeat visit each) are two receipts: their scans differ
    assert receipt_key(["cp-a#s2"], one) != receipt_key(["cp-a#s3"], one)


def test_summarize_adds_hours_and_the_people_first_seen_in_each() -> None:
    items = [
        {"sk": "h#07", "scans": 2, "passes": 2, "ins": 2, "unique_persons": 2, UNIQUE_DAY: 2},
        {"sk": "h#08", "scans": 1, "stops": 1, "outs": 1, "unique_persons": 1},
    ]
    day = summarize(Level.COUNTY, "411202", "2020-02-25", items)
    assert (day.totals.scans, day.totals.unique_persons, day.totals.balance) == (3, 2, 1)
    body = day.to_json()
    assert [(hour["hour"], hour["unique_persons"]) for hour in body["hours"]] == [("07", 2), ("08", 1)]


scans = st.lists(
    st.tuples(st.sampled_from(["p1", "p2", "p3"]), st.sampled_from(["cp-a", "cp-b"]), st.integers(0, 47), st.booleans()),
    min_size=1,
    max_size=25,
)


@given(scans, st.lists(st.integers(1, 6), min_size=1, max_size=25), st.integers(0, 24))
def test_batches_in_any_sizes_with_one_delivered_twice_give_exact_counts(events: list[tuple[str, str, int, bool]], sizes: list[int], again: int) -> None:
    # Given the scans cut into batches, each counted as the stream counter does (receipts skip a repeat)
    all_facts = [
        facts(f"s{i}", person, checkpoint=checkpoint, at=AT + timedelta(minutes=30 * half_hours), direction=Direction.OUT if out else Direction.IN)
        for i, (person, checkpoint, half_hours, out) in enumerate(events)
    ]
    batches, start = [], 0
    for size in sizes * len(all_facts):
        if start >= len(all_facts):
            break
        batches.append(all_facts[start : start + size])
        start += size
    batches.insert(min(again, len(batches)), batches[min(again, len(batches) - 1)])
    markers: dict[ItemKey, dict[str, str]] = {}
    receipts: set[str] = set()
    counters: dict[ItemKey, dict[str, int]] = {}
    for batch in batches:
        deltas = increments(batch, claimed(batch, markers))
        receipt = receipt_key([one.scan_key for one in batch], deltas)
        if receipt in receipts:
            continue
        receipts.add(receipt)
        for key, values in deltas.items():
            for name, value in values.items():
                counters.setdefault(key, {})[name] = counters.get(key, {}).get(name, 0) + value
    # Then per checkpoint and day the counters equal a direct count of the events, and per hour too
    days = {day_of(AT + timedelta(minutes=30 * e[2])) for e in events}
    for checkpoint in ("cp-a", "cp-b"):
        for day in days:
            mine = [e for e in events if e[1] == checkpoint and day_of(AT + timedelta(minutes=30 * e[2])) == day]
            items = [{"sk": key.sk, **values} for key, values in counters.items() if key.pk == counter_partition(Level.CHECKPOINT, checkpoint, day)]
            stats = summarize(Level.CHECKPOINT, checkpoint, day, items)
            assert stats.totals.scans == len(mine)
            assert stats.totals.unique_persons == len({e[0] for e in mine})
            assert stats.totals.balance == sum(-1 if e[3] else 1 for e in mine)
            for hour, counts in enumerate(stats.hours):
                in_hour = {e[0] for e in mine if hour_of(AT + timedelta(minutes=30 * e[2])) == f"{hour:02d}"}
                assert counts.unique_persons == len(in_hour)
    # And the county sees each person once per day across both checkpoints
    for day in days:
        items = [{"sk": key.sk, **values} for key, values in counters.items() if key.pk == counter_partition(Level.COUNTY, "411202", day)]
        people = {e[0] for e in events if day_of(AT + timedelta(minutes=30 * e[2])) == day}
        assert summarize(Level.COUNTY, "411202", day, items).totals.unique_persons == len(people)
