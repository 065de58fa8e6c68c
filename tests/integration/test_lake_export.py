"""Lake export on moto: platform writes flow through the DynamoDB streams into Parquet in the lake bucket,
without personal data, idempotently, with partial failures reported and resumed."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pyarrow.parquet as pq
import pytest

from infra.lake.streams import StreamDrain
from infra.local import events
from sanmenxia import clock
from sanmenxia.errors import UpstreamUnavailable
from sanmenxia.idnumber import make_id_number
from sanmenxia.lake import catalog
from sanmenxia.lake.store import LakeStore
from tests.support.stack import REGION, Stack, claims_for

COMMUNITY = "411202-001"
HEAD = claims_for("sub-head1", "community_head", username="head1", community_id=COMMUNITY, county_code="411202")


def resident_body(sequence: int, community: str = COMMUNITY) -> dict[str, Any]:
    return {
        "name": f"湖滨居民{sequence}",
        "id_number": make_id_number(community[:6], date(1980, 1, 1) + timedelta(days=sequence), sequence),
        "phone": f"1380000{sequence:04d}",
        "county_code": community[:6],
        "community_id": community,
        "address": f"前进路{sequence}号",
    }


def register(stack: Stack, sequence: int, community: str = COMMUNITY) -> dict[str, Any]:
    response = stack.request("POST", "/residents", claims=claims_for(f"sub-r{sequence}", "resident"), body=resident_body(sequence, community))
    assert response.status == 201, response.json
    return dict(response.json)


def drain(stack: Stack) -> StreamDrain:
    """A drain from the streams' current ends (moto may keep records of an earlier deployment)."""
    return StreamDrain(
        stack.client("dynamodb"),
        stack.client("dynamodbstreams"),
        {logical: stack.table(logical) for logical in catalog.sources()},
        lambda event: stack.invoke("LakeExportFunction", event),
        REGION,
    ).skip_existing()


def lake(stack: Stack) -> LakeStore:
    return LakeStore(stack.client("s3"), stack.table("LakeBucket"))


def rows(stack: Stack, table: str) -> list[dict[str, Any]]:
    store = lake(stack)
    found: list[dict[str, Any]] = []
    for obj in store.objects(f"{table}/"):
        found.extend(pq.read_table(io.BytesIO(store.get(obj.key))).to_pylist())
    return found


def lake_bytes(stack: Stack) -> bytes:
    store = lake(stack)
    return b"".join(store.get(obj.key) for obj in store.objects())


def test_registrations_reach_the_lake_without_personal_data(stack: Stack) -> None:
    # Given two residents registered through the API
    drainer = drain(stack)
    people = [register(stack, 1), register(stack, 2)]
    # When the People stream is drained into the export function
    drainer.drain(["PeopleTable"])
    # Then the residents table holds both, by person id and community, partitioned by day
    exported = rows(stack, "residents")
    assert sorted(row["person_id"] for row in exported) == sorted(person["person_id"] for person in people)
    assert {row["community_id"] for row in exported} == {COMMUNITY}
    assert all(obj.key.startswith("residents/dt=") for obj in lake(stack).objects("residents/"))
    # And no clear or sealed personal value is anywhere in the lake
    dump = lake_bytes(stack)
    for sequence in (1, 2):
        body = resident_body(sequence)
        for secret in (body["name"], body["id_number"], body["phone"], body["address"]):
            assert secret.encode() not in dump
    assert b"v1:" not in dump


def test_replaying_a_batch_overwrites_the_same_objects(stack: Stack) -> None:
    # Given a registration's stream records delivered once
    drainer = drain(stack)
    register(stack, 3)
    records: list[dict[str, Any]] = []
    drainer.invoke = lambda event: records.append(event) or stack.invoke("LakeExportFunction", event)
    drainer.drain(["PeopleTable"])
    keys_before = sorted(obj.key for obj in lake(stack).objects())
    # When Lambda delivers the same batch again (a retry after a timeout)
    for event in records:
        assert stack.invoke("LakeExportFunction", event) == {"batchItemFailures": []}
    # Then the lake has the same objects and the record once
    assert sorted(obj.key for obj in lake(stack).objects()) == keys_before
    assert len(rows(stack, "residents")) == 1


def test_a_failed_write_is_reported_and_the_shard_resumes_from_it(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given S3 refusing the first write of the export function
    drainer = drain(stack)
    register(stack, 4)
    register(stack, 5)
    real_put = LakeStore.put
    failures = iter([True])

    def flaky_put(self: LakeStore, key: str, body: bytes) -> None:
        if next(failures, False):
            raise UpstreamUnavailable("s3 throttled")
        real_put(self, key, body)

    monkeypatch.setattr(LakeStore, "put", flaky_put)
    responses: list[Any] = []

    def invoke(event: dict[str, Any]) -> Any:
        responses.append(stack.invoke("LakeExportFunction", event))
        return responses[-1]

    drainer.invoke = invoke
    # When the stream is drained
    drainer.drain(["PeopleTable"])
    # Then the first delivery named a failed record, the retry succeeded, and each resident is in the lake once
    assert responses[0]["batchItemFailures"], "the failed write must be reported"
    assert responses[-1] == {"batchItemFailures": []}
    exported = [row["person_id"] for row in rows(stack, "residents")]
    assert len(exported) == len(set(exported)) == 2


def test_a_stream_of_an_unknown_table_fails_the_batch(stack: Stack) -> None:
    event = events.dynamodb_stream_event(
        f"arn:aws:dynamodb:{REGION}:123456789012:table/elsewhere/stream/2020-01-01T00:00:00.000",
        [{"eventID": "e1", "eventName": "INSERT", "dynamodb": {"SequenceNumber": "1", "NewImage": {"pk": {"S": "x"}}}}],
        REGION,
    )
    assert stack.invoke("LakeExportFunction", event) == {"batchItemFailures": [{"itemIdentifier": "1"}]}


def test_health_codes_check_ins_key_persons_and_holds_reach_the_lake(stack: Stack) -> None:
    # Given a resident who applies for a code and checks in, and a key person registered by the head
    drainer = drain(stack)
    alice = register(stack, 6)
    bob = register(stack, 7)
    resident = claims_for("sub-r6", "resident")
    assert stack.request("POST", "/health-codes", claims=resident, body={"fever": False, "in_isolation": False, "declaration_accepted": True}).status == 201
    checkin = stack.request("POST", "/health-codes/me/check-ins", claims=resident, body={"temperature": 36.6, "symptoms": []})
    assert checkin.status in (200, 201), checkin.json
    registered = stack.request(
        "POST", "/key-persons", claims=HEAD, body={"person_id": bob["person_id"], "category": "from_hubei", "measure": {"kind": "home_isolation"}}
    )
    assert registered.status == 201, registered.json
    # When every platform stream is drained
    drainer.drain()
    # Then each lake table has its rows, keyed by person id only
    assert {row["person_id"] for row in rows(stack, "health_codes")} == {alice["person_id"]}
    assert [(row["person_id"], row["fever"]) for row in rows(stack, "checkins")] == [(alice["person_id"], False)]
    key_persons = rows(stack, "key_persons")
    assert {(row["person_id"], row["category"], row["community_id"]) for row in key_persons} == {(bob["person_id"], "from_hubei", COMMUNITY)}
    assert bob["person_id"] in {row["person_id"] for row in rows(stack, "holds")}
    assert any(row["role"] == "community_head" for row in rows(stack, "audit_actions"))
    # And the masked names and ID numbers the key-person record carries stay out of the lake
    dump = lake_bytes(stack)
    assert bob["name"].encode() not in dump and bob["id_number"].encode() not in dump


def test_the_daily_compaction_merges_a_past_day(stack: Stack) -> None:
    # Given two batches of registrations exported as two objects today
    drainer = drain(stack)
    register(stack, 8)
    drainer.drain(["PeopleTable"])
    register(stack, 9)
    drainer.drain(["PeopleTable"])
    assert len(lake(stack).objects("residents/")) == 2
    # When the clock reaches the next day and the compaction schedule fires
    saved = clock.offset_seconds()
    try:
        clock.set_offset(saved + 86_400)
        result = stack.invoke("LakeCompactionFunction", events.schedule_event("DailyCompaction", clock.now(), REGION))
    finally:
        clock.set_offset(saved)
    # Then yesterday's residents are one object with both people
    keys = [obj.key for obj in lake(stack).objects("residents/")]
    assert len(keys) == 1 and keys[0].endswith("/compacted.parquet"), result
    assert len(rows(stack, "residents")) == 2
