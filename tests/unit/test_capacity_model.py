"""The capacity model's arithmetic: item sizes, capacity units, scaling sampled calls to a rush, throttles."""

from __future__ import annotations

import pytest

from infra.bench import capacity
from infra.bench.capacity import Access, KeyId, RushShares, Sample


def test_item_size_counts_names_and_values() -> None:
    # Given: an item with a string, a number and a map
    item = {"pk": {"S": "ct#411282"}, "n": {"N": "12345"}, "m": {"M": {"a": {"BOOL": True}}}}
    # Then: names (2 + 1 + 1) + "ct#411282" (9) + 12345 (1 + 3) + map (3 + "a" 1 + 1 + 1)
    assert capacity.item_size(item) == 4 + 9 + 4 + 6


def test_units_round_up_and_double_in_transactions() -> None:
    assert capacity.write_units(100) == 1
    assert capacity.write_units(1025) == 2
    assert capacity.write_units(100, transactional=True) == 2
    assert capacity.read_units(100, consistent=True) == 1
    assert capacity.read_units(100, consistent=False) == 0.5
    assert capacity.read_units(8193, consistent=True) == 3
    assert capacity.read_units(0, consistent=True, transactional=True) == 2


def _sample(county: str, person: str) -> Sample:
    return Sample("scan", {"unique": (person,), "county": (county,), "community": (f"{county}-001",)})


def test_a_county_key_carries_the_county_share_whatever_the_sample_size() -> None:
    # Given: 1,000 scans/s, 60 % of them in county A; three samples of A and one of B, each writing its county key
    shares = RushShares({"scan": 1000.0}, {"county": {"A": 0.6, "B": 0.4}, "community": {"A-001": 0.6, "B-001": 0.4}}, unique_rate=0.01)
    recorded = [
        (_sample(county, f"p{i}"), [Access(KeyId("T", None, f"ct#{county}"), wcu=2.0)], ["dynamodb:PutItem"], "POST /x") for i, county in enumerate("AAAB")
    ]
    # When
    load = capacity.scale(recorded, shares)
    # Then: A's key takes 600 writes/s of 2 WCU, B's 400; the route takes the whole rate
    assert load.keys[KeyId("T", None, "ct#A")][1] == pytest.approx(1200.0)
    assert load.keys[KeyId("T", None, "ct#B")][1] == pytest.approx(800.0)
    assert load.routes["POST /x"] == pytest.approx(1000.0)
    assert load.apis["dynamodb:PutItem"] == pytest.approx(1000.0)


def test_sharded_keys_split_the_county_share_and_person_keys_are_cold() -> None:
    # Given: four samples of one county, each writing one of two shards and its own person key
    shares = RushShares({"scan": 1000.0}, {"county": {"A": 1.0}, "community": {"A-001": 1.0}}, unique_rate=0.01)
    recorded = [
        (_sample("A", f"p{i}"), [Access(KeyId("T", None, f"ct#A#{i % 2}"), wcu=1.0), Access(KeyId("T", None, f"mk#p{i}"), wcu=1.0)], [], "POST /x")
        for i in range(4)
    ]
    load = capacity.scale(recorded, shares)
    assert load.keys[KeyId("T", None, "ct#A#0")][1] == pytest.approx(500.0)
    assert load.keys[KeyId("T", None, "mk#p3")][1] == pytest.approx(0.01)
    # And the table takes every scan's writes: 1,000 on the shards and 1,000 on the (cold) person keys
    assert load.tables()[("T", None)][1] == pytest.approx(2000.0)


def test_a_stream_mapping_writes_a_busy_item_once_per_batch_and_a_quiet_one_per_record() -> None:
    # Given 10,000 records/s on a table of 20,000 WCU/s: 20 shards, each a batch every 20 s (window; 10,000 records fill one as late)
    mapping = capacity.StreamMapping.of(20_000.0, 0.0, 10_000.0, batch_size=10_000, window=20.0)
    assert (mapping.shards, mapping.batches) == (20, pytest.approx(1.0))
    # Then an item that 2,600 records/s touch is written about once a second; one touched every 100 s, 0.01
    assert mapping.updates(2600.0) == pytest.approx(1.0)
    assert mapping.updates(0.01) == pytest.approx(0.01, rel=0.01)


def test_findings_hold_each_load_against_its_limit_worst_first() -> None:
    load = capacity.Load()
    load.keys[KeyId("T", None, "hot")] = [0.0, 600.0]
    load.keys[KeyId("T", "gsi", "cold")] = [300.0, 0.0]
    load.apis["ssm:GetParameter"] = 30.0
    load.apis["kms:Decrypt"] = 1000.0
    load.apis["kms:GenerateDataKey"] = 1750.0
    load.routes["GET /a"] = 900.0
    found = capacity.findings(load, {"GET /a": 1000.0})
    by_name = {(f.what, f.name, f.unit): f.share for f in found}
    assert found[0].name == "GET /a" and found[0].share == pytest.approx(0.9)
    assert by_name[("key", "T hot", "WCU/s")] == pytest.approx(0.6)
    assert by_name[("key", "T[gsi] cold", "RCU/s")] == pytest.approx(0.1)
    assert by_name[("api", "ssm:GetParameter", "TPS")] == pytest.approx(0.75)
    assert by_name[("api", "kms:cryptographic", "TPS")] == pytest.approx(0.5)
    assert by_name[("account", "API Gateway requests, all routes", "req/s")] == pytest.approx(0.09)


def test_the_most_specific_method_setting_wins() -> None:
    properties = {
        "MethodSettings": [
            {"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": 100},
            {"ResourcePath": "/~1scans", "HttpMethod": "POST", "ThrottlingRateLimit": 5000},
        ]
    }
    limits = capacity.method_throttles(properties, [("POST", "/scans"), ("GET", "/scans"), ("GET", "/other")])
    assert limits == {"POST /scans": 5000.0, "GET /scans": 100.0, "GET /other": 100.0}
