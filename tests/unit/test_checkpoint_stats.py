"""Counter arithmetic: which items a scan touches, unique persons via markers, summing shards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from sanmenxia.checkpoints.rules import Decision, Direction
from sanmenxia.checkpoints.stats import (
    SHARDS,
    Counts,
    ItemKey,
    Level,
    ScanFacts,
    counter_partitions,
    day_of,
    hour_of,
    increments,
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


def test_buckets_are_days_and_hours_in_asia_shanghai() -> None:
    assert day_of(AT) == "2020-02-25"
    assert hour_of(AT) == "07"


def test_a_scan_touches_day_and_hour_at_three_levels() -> None:
    found = touches(facts())
    partitions = sorted({touch.counter.pk.rsplit("#", 1)[0] for touch in found})
    assert partitions == ["cm#411202-001#2020-02-25", "cp#cp-a#2020-02-25", "ct#411202#2020-02-25"]
    assert len({touch.counter.pk for touch in found}) == 3
    assert len(found) == 6
    assert {touch.counter.sk.split("#")[0] for touch in found} == {"d", "h"}


def test_new_markers_add_one_unique_person_each_and_counts_follow_the_decision() -> None:
    # Given a stopped, feverish person going out, whose markers are all new
    one = facts(decision=Decision.STOP, fever=True, direction=Direction.OUT)
    markers = {touch.marker for touch in touches(one)}
    # When the increments are computed
    deltas = increments([one], markers)
    # Then every touched counter gets one scan, one stop, one fever, one out and one unique person
    assert len(deltas) == 6
    for counts in deltas.values():
        assert counts == Counts(scans=1, stops=1, fevers=1, unique_persons=1, outs=1)


def test_a_known_person_adds_no_unique_person() -> None:
    deltas = increments([facts()], set())
    assert all(counts.unique_persons == 0 and counts.scans == 1 for counts in deltas.values())


def test_dependents_in_one_write_are_merged_per_item() -> None:
    # Given a person and a dependent recorded together (a transaction may not touch an item twice)
    both = [facts("s1", "p1"), facts("s1.d1", "p2")]
    markers = {touch.marker for one in both for touch in touches(one)}
    deltas = increments(both, markers)
    # Then the checkpoint's day counter has both scans and both people, whatever the shards
    day = [counts for key, counts in deltas.items() if key.pk.startswith("cp#") and key.sk == "d"]
    assert sum(counts.scans for counts in day) == 2
    assert sum(counts.unique_persons for counts in day) == 2


def test_the_same_scan_always_lands_on_the_same_shard() -> None:
    first = [touch.counter for touch in touches(facts("abc"))]
    again = [touch.counter for touch in touches(facts("abc"))]
    assert first == again
    county_days = {t.counter.pk for i in range(256) for t in touches(facts(f"s{i}")) if t.counter.pk.startswith("ct#") and t.counter.sk == "d"}
    # The shard is in the partition key: DynamoDB's per-partition limit holds per partition key, not per item
    assert county_days == set(counter_partitions(Level.COUNTY, "411202", "2020-02-25"))
    assert len(county_days) == SHARDS[Level.COUNTY]


def test_markers_are_partition_keys_of_their_own() -> None:
    markers = {touch.marker.pk for touch in touches(facts("s1", "p1"))} | {touch.marker.pk for touch in touches(facts("s2", "p2"))}
    assert len(markers) == 6
    assert all(pk.endswith(("#p1", "#p2")) for pk in markers)


def test_summarize_adds_shards_and_hours() -> None:
    items = [
        {"sk": "d", "scans": 2, "passes": 2, "ins": 2, "unique_persons": 1},
        {"sk": "d", "scans": 1, "stops": 1, "outs": 1, "unique_persons": 1},
        {"sk": "h#07", "scans": 2, "passes": 2, "ins": 2},
        {"sk": "h#08", "scans": 1, "stops": 1, "outs": 1},
    ]
    day = summarize(Level.COUNTY, "411202", "2020-02-25", items)
    assert day.totals == Counts(scans=3, passes=2, stops=1, unique_persons=2, ins=2, outs=1)
    assert day.totals.balance == 1
    body = day.to_json()
    assert [hour["hour"] for hour in body["hours"]] == ["07", "08"]
    assert body["totals"]["balance"] == 1


scans = st.lists(
    st.tuples(st.sampled_from(["p1", "p2", "p3"]), st.sampled_from(["cp-a", "cp-b"]), st.integers(0, 47), st.booleans()),
    min_size=1,
    max_size=25,
)


@given(scans)
def test_replaying_scans_one_by_one_gives_exact_counts_and_unique_persons(events: list[tuple[str, str, int, bool]]) -> None:
    # Given scans applied one at a time with a marker store, as the ledger does
    markers: set[ItemKey] = set()
    counters: dict[ItemKey, Counts] = {}
    for index, (person, checkpoint, half_hours, out) in enumerate(events):
        one = facts(f"s{index}", person, checkpoint=checkpoint, at=AT + timedelta(minutes=30 * half_hours), direction=Direction.OUT if out else Direction.IN)
        new = {touch.marker for touch in touches(one)} - markers
        markers |= new
        for key, delta in increments([one], new).items():
            counters.setdefault(key, Counts()).add(delta.to_json())
    # Then per checkpoint and day the counters equal a direct count of the events
    for checkpoint in ("cp-a", "cp-b"):
        for day in {day_of(AT + timedelta(minutes=30 * h)) for _, _, h, _ in events}:
            mine = [e for e in events if e[1] == checkpoint and day_of(AT + timedelta(minutes=30 * e[2])) == day]
            shards = counter_partitions(Level.CHECKPOINT, checkpoint, day)
            items = [{"sk": key.sk, **counts.to_json()} for key, counts in counters.items() if key.pk in shards]
            total = summarize(Level.CHECKPOINT, checkpoint, day, items).totals
            assert total.scans == len(mine)
            assert total.unique_persons == len({e[0] for e in mine})
            assert total.balance == sum(-1 if e[3] else 1 for e in mine)
        # And the county sees each person once per day across both checkpoints
    county_days = {key.pk.split("#")[2] for key in counters if key.pk.startswith("ct#")}
    for day in county_days:
        shards = counter_partitions(Level.COUNTY, "411202", day)
        items = [{"sk": key.sk, **counts.to_json()} for key, counts in counters.items() if key.pk in shards]
        people = {e[0] for e in events if day_of(AT + timedelta(minutes=30 * e[2])) == day}
        assert summarize(Level.COUNTY, "411202", day, items).totals.unique_persons == len(people)
