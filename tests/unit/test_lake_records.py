"""Lake export, pure parts: flattening, partitions, segments, object keys, partial failures, idempotency."""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanmenxia.errors import UpstreamUnavailable
from sanmenxia.lake import catalog
from sanmenxia.lake.catalog import Column, ColumnType, LakeTable
from sanmenxia.lake.parquet import parquet_bytes, schema
from sanmenxia.lake_export.rules import StreamChange, deserialize, object_key, partition_day, segments, to_row
from sanmenxia.lake_export.service import export_batch, table_of_stream

PEOPLE_ARN = "arn:aws:dynamodb:ap-east-1:123456789012:table/sanmenxia-local-PeopleTable-ABC/stream/2020-02-01T00:00:00.000"
SEALED = "v1:" + "A" * 80


def person_item(person_id: str, community: str = "411202-001", **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": {"S": f"person#{person_id}"},
        "person_id": {"S": person_id},
        "idn_key": {"S": "k" * 32},
        "enc_id": {"S": SEALED},
        "enc_name": {"S": SEALED},
        "enc_phone": {"S": SEALED},
        "enc_address": {"S": SEALED},
        "phone_key": {"S": "p" * 32},
        "county_code": {"S": community.split("-")[0]},
        "community_id": {"S": community},
        "household_id": {"S": person_id},
        "relation": {"S": "self"},
        "birth_year": {"N": "1990"},
        "account_sub": {"S": "sub-1"},
        "created_at": {"S": "2020-02-01T02:00:00Z"},
    }
    item.update(extra)
    return item


def record(sequence: int, item: dict[str, Any], *, op: str = "INSERT", at: float = 1580522400.0, ttl: bool = False) -> dict[str, Any]:
    stream: dict[str, Any] = {
        "SequenceNumber": str(sequence),
        "ApproximateCreationDateTime": at,
        "Keys": {"pk": item["pk"]},
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    stream["OldImage" if op == "REMOVE" else "NewImage"] = item
    raw: dict[str, Any] = {"eventID": f"ev{sequence}", "eventName": op, "dynamodb": stream, "eventSourceARN": PEOPLE_ARN}
    if ttl:
        raw["userIdentity"] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    return raw


def pointer(sequence: int, kind: str = "idn") -> dict[str, Any]:
    return record(sequence, {"pk": {"S": f"{kind}#{sequence}"}, "person_id": {"S": f"p{sequence}"}})


def specs(name: str) -> list[LakeTable] | None:
    return catalog.for_source("PeopleTable") if "PeopleTable" in name else None


def rows_of(body: bytes) -> list[dict[str, Any]]:
    return pq.read_table(io.BytesIO(body)).to_pylist()  # type: ignore[no-any-return]


def test_attribute_values_deserialize() -> None:
    # Given every DynamoDB attribute type, When deserialized, Then plain Python values come out
    assert deserialize({"S": "x"}) == "x"
    assert deserialize({"N": "1.5"}) == pytest.approx(1.5)
    assert deserialize({"BOOL": True}) is True
    assert deserialize({"NULL": True}) is None
    assert deserialize({"M": {"a": {"L": [{"N": "1"}, {"S": "b"}]}}}) == {"a": [1, "b"]}
    assert deserialize({"SS": ["a", "b"]}) == {"a", "b"}


def test_only_declared_columns_leave_dynamodb() -> None:
    # Given a person item with sealed fields and look-up keys
    item = StreamChange.from_record(record(1, person_item("p1"))).item
    # When flattened for the residents table
    row = to_row(catalog.RESIDENTS, item)
    # Then the row has exactly the declared columns, and nothing sealed or keyed
    assert set(row) == {column.name for column in catalog.RESIDENTS.columns}
    assert row["has_account"] is True
    assert row["birth_year"] == 1990
    assert SEALED not in str(row)
    assert "k" * 32 not in str(row) and "p" * 32 not in str(row)


def test_a_sealed_value_under_a_declared_name_is_dropped() -> None:
    # Given a platform that (wrongly) put a sealed value into a declared column
    item = StreamChange.from_record(record(1, person_item("p1", relation={"S": SEALED}))).item
    # When flattened, Then the value does not reach the lake
    assert to_row(catalog.RESIDENTS, item)["relation"] is None


@pytest.mark.parametrize("attribute", ["enc_name", "idn_key", "phone_key", "id_number", "name", "phone", "address"])
def test_the_catalog_refuses_personal_attributes(attribute: str) -> None:
    # Given a lake table that declares a column read from a personal attribute, Then it is refused
    with pytest.raises(ValueError, match="personal data"):
        LakeTable("bad", (Column("x", ColumnType.STRING, source=attribute),), key=("x",), description="bad")


def test_every_catalog_table_key_is_a_column_and_sources_are_known_tables() -> None:
    for spec in catalog.TABLES.values():
        assert set(spec.key) <= {column.name for column in spec.columns}
    assert "PeopleTable" in catalog.sources()


def test_partition_is_the_business_day_in_shanghai() -> None:
    changed = datetime(2020, 2, 5, 1, 0, tzinfo=UTC)
    # A date attribute is taken as it is
    assert partition_day(catalog.CHECKINS, {"day": "2020-02-03"}, changed) == "2020-02-03"
    # A UTC timestamp after 16:00 is the next day in Asia/Shanghai
    assert partition_day(catalog.WORK_ORDERS, {"updated_at": "2020-02-01T17:30:00Z"}, changed) == "2020-02-02"
    assert partition_day(catalog.SCANS, {"dt": "2020-02-01", "scanned_at": "2020-02-01T08:00:00+08:00"}, changed) == "2020-02-01"
    # Without a business time, the change's own time decides
    assert partition_day(catalog.RESIDENTS, {}, changed) == "2020-02-05"


def test_pointer_items_are_skipped_and_do_not_cut_a_run() -> None:
    # Given registrations: a person item followed by its idn#/acct# pointers, twice
    changes = [StreamChange.from_record(r) for r in (record(1, person_item("a")), pointer(2), pointer(3, "acct"), record(4, person_item("b")))]
    # When segmented
    found = segments(changes, catalog.for_source("PeopleTable"))
    # Then both people go in one object named by the first record
    assert len(found) == 1
    assert [row["person_id"] for row in found[0].rows] == ["a", "b"]
    assert found[0].object_key == object_key("residents", "2020-02-01", "1", "ev1")
    assert found[0].object_key.startswith("residents/dt=2020-02-01/" + "0" * 39 + "1-")


def test_a_change_of_day_cuts_the_segment() -> None:
    day_two = 1580522400.0 + 86400
    changes = [StreamChange.from_record(r) for r in (record(1, person_item("a")), record(2, person_item("b"), at=day_two))]
    found = segments(changes, catalog.for_source("PeopleTable"))
    assert [(segment.dt, len(segment.rows)) for segment in found] == [("2020-02-01", 1), ("2020-02-02", 1)]


def test_ttl_expiries_are_not_exported_but_deletions_are() -> None:
    changes = [
        StreamChange.from_record(record(1, person_item("a"), op="REMOVE", ttl=True)),
        StreamChange.from_record(record(2, person_item("b"), op="REMOVE")),
    ]
    found = segments(changes, catalog.for_source("PeopleTable"))
    assert [(row["person_id"], row["_op"]) for segment in found for row in segment.rows] == [("b", "REMOVE")]


def test_parquet_objects_have_the_catalog_schema() -> None:
    change = StreamChange.from_record(record(7, person_item("a")))
    body = parquet_bytes(catalog.RESIDENTS, segments([change], [catalog.RESIDENTS])[0].rows)
    table = pq.read_table(io.BytesIO(body))
    assert table.schema.equals(schema(catalog.RESIDENTS))
    assert table.to_pylist()[0]["_seq"] == "7".zfill(40)


def test_stream_arn_names_the_table() -> None:
    assert table_of_stream(PEOPLE_ARN) == "sanmenxia-local-PeopleTable-ABC"
    with pytest.raises(ValueError):
        table_of_stream("arn:aws:sqs:ap-east-1:1:queue")


def test_a_failed_write_reports_the_first_record_of_its_segment() -> None:
    # Given a batch that makes two segments (day one, day two)
    day_two = 1580522400.0 + 86400
    batch = [record(1, person_item("a")), record(2, person_item("b")), record(3, person_item("c"), at=day_two)]
    written: dict[str, bytes] = {}

    def put(key: str, body: bytes) -> None:
        if "dt=2020-02-02" in key:
            raise UpstreamUnavailable("s3 down")
        written[key] = body

    # When the second segment cannot be written
    report = export_batch(batch, specs, put)
    # Then the first is in the lake and the batch response names record 3
    assert report.response() == {"batchItemFailures": [{"itemIdentifier": "3"}]}
    assert len(written) == 1


def test_an_unreadable_record_is_reported_after_the_good_ones_are_written() -> None:
    broken = record(2, person_item("b"))
    del broken["dynamodb"]["NewImage"]
    written: dict[str, bytes] = {}
    report = export_batch([record(1, person_item("a")), broken, record(3, person_item("c"))], specs, written.__setitem__)
    assert report.response() == {"batchItemFailures": [{"itemIdentifier": "2"}]}
    assert [row["person_id"] for body in written.values() for row in rows_of(body)] == ["a"]


def test_a_table_that_is_not_a_lake_source_fails_the_batch() -> None:
    foreign = record(1, person_item("a"))
    foreign["eventSourceARN"] = PEOPLE_ARN.replace("PeopleTable", "Unknown")
    report = export_batch([foreign], specs, {}.__setitem__)
    assert report.response() == {"batchItemFailures": [{"itemIdentifier": "1"}]}


@st.composite
def shards(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A shard: person items and pointers over a few days, sequence numbers increasing with gaps."""
    kinds = draw(st.lists(st.sampled_from(["person", "idn", "acct", "ttl"]), min_size=1, max_size=40))
    days = draw(st.lists(st.integers(0, 2), min_size=len(kinds), max_size=len(kinds)))
    sequence = 100
    shard = []
    for index, (kind, day) in enumerate(zip(kinds, sorted(days), strict=True)):
        sequence += draw(st.integers(1, 1000))
        at = 1580522400.0 + day * 86400
        if kind == "person":
            shard.append(record(sequence, person_item(f"p{index}"), at=at))
        elif kind == "ttl":
            shard.append(record(sequence, person_item(f"p{index}"), op="REMOVE", at=at, ttl=True))
        else:
            shard.append(pointer(sequence, kind))
    return shard


@settings(max_examples=150, deadline=None)
@given(shard=shards(), batch_sizes=st.lists(st.integers(1, 12), min_size=1, max_size=50), failures=st.lists(st.booleans(), max_size=60))
def test_retries_from_the_reported_record_export_every_record_exactly_once(shard: list[dict[str, Any]], batch_sizes: list[int], failures: list[bool]) -> None:
    # Given a shard read in batches of varying size, and puts that fail at random
    lake: dict[str, bytes] = {}
    outcomes = iter(failures)

    def flaky_put(key: str, body: bytes) -> None:
        if next(outcomes, False):
            raise UpstreamUnavailable("s3 throttled")
        lake[key] = body

    position, sizes = 0, iter(batch_sizes)
    for _ in range(500):
        if position >= len(shard):
            break
        batch = shard[position : position + next(sizes, 5)]
        # When Lambda delivers the batch and resumes from the reported record (or after the batch)
        failed = export_batch(batch, specs, flaky_put).response()["batchItemFailures"]
        if failed:
            position = next(i for i, r in enumerate(shard) if r["dynamodb"]["SequenceNumber"] == failed[0]["itemIdentifier"])
        else:
            position += len(batch)
    # Then every person record that is not a TTL expiry is in the lake exactly once
    expected = Counter(
        r["dynamodb"]["SequenceNumber"].zfill(40) for r in shard if r["dynamodb"].get("NewImage", {}).get("pk", {}).get("S", "").startswith("person#")
    )
    exported = Counter(row["_seq"] for body in lake.values() for row in rows_of(body))
    assert exported == expected


def test_clock_offset_moves_the_change_time() -> None:
    change = StreamChange.from_record(record(1, person_item("a")), timedelta(days=3))
    assert change.changed_at == datetime(2020, 2, 4, 2, 0, tzinfo=UTC)


def code_record(sequence: int, color: str, old_color: str, *, last_checkin: str) -> dict[str, Any]:
    def code(colour: str, checkin: str) -> dict[str, Any]:
        return {
            "pk": {"S": "p1"},  # only for the test's record builder (Keys); the health-code table keys on person_id
            "person_id": {"S": "p1"},
            "sk": {"S": "code"},
            "color": {"S": colour},
            "since": {"S": "2020-02-01"},
            "county_code": {"S": "411202"},
            "community_id": {"S": "411202-001"},
            "last_checkin": {"S": checkin},
            "streak": {"N": "0"},
            "updated_at": {"S": f"{checkin}T01:00:00Z"},
        }

    raw = record(sequence, code(color, last_checkin), op="MODIFY")
    raw["dynamodb"]["OldImage"] = code(old_color, "2020-02-01")
    return raw


def test_a_check_in_that_keeps_the_colour_adds_no_health_code_version() -> None:
    # Given two modifications of a code: a check-in that keeps it green, and one that turns it yellow
    unchanged = StreamChange.from_record(code_record(1, "green", "green", last_checkin="2020-02-02"))
    turned = StreamChange.from_record(code_record(2, "yellow", "green", last_checkin="2020-02-02"))
    # When segmented for the health-code lake tables
    found = segments([unchanged, turned], catalog.for_source("HealthCodeTable"))
    # Then only the change of colour is a lake row
    assert [(segment.table.name, [row["color"] for row in segment.rows]) for segment in found] == [("health_codes", ["yellow"])]
