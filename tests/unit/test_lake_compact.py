"""Compaction: a day's small objects become one, every record kept once, schema drift tolerated, reruns
change nothing."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from sanmenxia.lake import catalog
from sanmenxia.lake.parquet import parquet_bytes
from sanmenxia.lake.store import LakeObject
from sanmenxia.lake_export.compact import COMPACTED, compact_day, compact_partition, days_to_compact


class MemoryStore:
    """The ``LakeStore`` surface compaction uses, in memory."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def objects(self, prefix: str = "") -> list[LakeObject]:
        return [LakeObject(key, len(body), str(hash(body))) for key, body in sorted(self.data.items()) if key.startswith(prefix)]

    def get(self, key: str) -> bytes:
        return self.data[key]

    def put(self, key: str, body: bytes) -> None:
        self.data[key] = body

    def delete(self, keys: list[str]) -> None:
        for key in keys:
            del self.data[key]


def checkin(person: str, sequence: int) -> dict[str, Any]:
    row: dict[str, Any] = {column.name: None for column in catalog.CHECKINS.all_columns}
    row.update(person_id=person, day="2020-02-01", community_id="411202-001", _op="INSERT", _seq=str(sequence).zfill(40))
    return row


def rows(store: MemoryStore, key: str) -> list[dict[str, Any]]:
    return pq.read_table(io.BytesIO(store.get(key))).to_pylist()  # type: ignore[no-any-return]


PREFIX = "checkins/dt=2020-02-01/"


def test_small_objects_become_one_with_each_record_once() -> None:
    # Given three objects, one a retry that repeats a record
    store = MemoryStore()
    store.put(PREFIX + "1.parquet", parquet_bytes(catalog.CHECKINS, [checkin("a", 1), checkin("b", 2)]))
    store.put(PREFIX + "3.parquet", parquet_bytes(catalog.CHECKINS, [checkin("c", 3)]))
    store.put(PREFIX + "2.parquet", parquet_bytes(catalog.CHECKINS, [checkin("b", 2)]))
    # When the day is compacted
    merged, kept, dropped = compact_partition(store, catalog.CHECKINS, "2020-02-01")
    # Then one object holds a, b and c once
    assert (merged, kept, dropped) == (3, 3, 1)
    assert list(store.data) == [PREFIX + COMPACTED]
    assert sorted(row["person_id"] for row in rows(store, PREFIX + COMPACTED)) == ["a", "b", "c"]


def test_a_late_object_is_merged_into_the_compacted_one_and_a_rerun_changes_nothing() -> None:
    store = MemoryStore()
    store.put(PREFIX + "1.parquet", parquet_bytes(catalog.CHECKINS, [checkin("a", 1)]))
    compact_partition(store, catalog.CHECKINS, "2020-02-01")
    store.put(PREFIX + "9.parquet", parquet_bytes(catalog.CHECKINS, [checkin("z", 9)]))
    compact_partition(store, catalog.CHECKINS, "2020-02-01")
    snapshot = dict(store.data)
    assert compact_partition(store, catalog.CHECKINS, "2020-02-01") == (0, 0, 0)
    assert store.data == snapshot
    assert sorted(row["person_id"] for row in rows(store, PREFIX + COMPACTED)) == ["a", "z"]


def test_objects_written_before_a_column_was_added_are_merged() -> None:
    store = MemoryStore()
    old = pa.table({"person_id": ["a"], "day": ["2020-02-01"], "_op": ["INSERT"], "_seq": ["1".zfill(40)]})
    sink = io.BytesIO()
    pq.write_table(old, sink)
    store.put(PREFIX + "0.parquet", sink.getvalue())
    store.put(PREFIX + "1.parquet", parquet_bytes(catalog.CHECKINS, [checkin("b", 2)]))
    compact_partition(store, catalog.CHECKINS, "2020-02-01")
    merged = rows(store, PREFIX + COMPACTED)
    assert [(row["person_id"], row["symptom_count"]) for row in merged] == [("a", None), ("b", None)]


def test_a_day_is_compacted_for_every_table_and_today_is_left_alone() -> None:
    store = MemoryStore()
    store.put(PREFIX + "1.parquet", parquet_bytes(catalog.CHECKINS, [checkin("a", 1)]))
    store.put(PREFIX + "2.parquet", parquet_bytes(catalog.CHECKINS, [checkin("b", 2)]))
    report = compact_day(store, date(2020, 2, 1))
    assert report.merged_objects == {"checkins": 2}
    assert days_to_compact(date(2020, 2, 4), 3) == [date(2020, 2, 1), date(2020, 2, 2), date(2020, 2, 3)]
