"""Big-data dashboard on moto: figures per area from a small generated lake in the lake bucket (DuckDB),
scope by role with foreign-scope 403s, drill-down to the live key-person list, caching, bad input, and a
reconciliation of dashboard figures with counts taken from DynamoDB after activity through the API."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pytest

from infra.lake.generate import generate
from sanmenxia import clock, regions
from sanmenxia.idnumber import make_id_number
from tests.integration.test_lake_export import drain
from tests.support.stack import Stack, claims_for

START = date(2020, 2, 1)
DAYS = 4
LAST = (START + timedelta(days=DAYS - 1)).isoformat()
CITY = claims_for("sub-cmd", "commander", username="commander1")
HUBIN = claims_for("sub-cmd-hb", "commander", username="commander_hubin", county_code="411202")
HEAD = claims_for("sub-head1", "community_head", username="head1", community_id="411202-001", county_code="411202")
ADMIN = claims_for("sub-admin", "admin", username="admin1")
RESIDENT = claims_for("sub-res", "resident")


class _Quiet:
    def step(self, note: str = "") -> None:
        return None


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("lake")
    generate(out, scale=0.0005, days=DAYS, start=START, progress=lambda total, label: _Quiet())
    return out


@pytest.fixture
def lake_stack(stack: Stack, generated: Path, tmp_path: Path) -> Iterator[Stack]:
    """The stack with the generated lake uploaded to its lake bucket (as if the streams had written it)."""
    s3 = stack.client("s3")
    for path in generated.rglob("*.parquet"):
        s3.put_object(Bucket=stack.table("LakeBucket"), Key=path.relative_to(generated).as_posix(), Body=path.read_bytes())
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LAKE_CACHE_DIR", str(tmp_path))
        yield stack


def lake_count(generated: Path, table: str) -> int:
    return int(ds.dataset(generated / table, format="parquet", partitioning="hive").count_rows())


def get(stack: Stack, path: str, claims: dict[str, Any], **query: str) -> Any:
    return stack.request("GET", path, claims=claims, query=query or None)


def test_city_commander_sees_every_county(lake_stack: Stack, generated: Path) -> None:
    # When the city commander opens the codes figure for the last generated day
    response = get(lake_stack, "/dashboard/codes", CITY, day=LAST)
    # Then the area is the city, rows are counties with names, and every resident's code is counted once
    assert response.status == 200, response.json
    body = response.json
    assert body["area"]["level"] == "city"
    assert {row["area"] for row in body["rows"]} <= {county.code for county in regions.COUNTIES}
    assert all(row["area_name"] for row in body["rows"])
    assert body["totals"]["codes"] == lake_count(generated, "residents")
    assert body["totals"]["green"] + body["totals"]["yellow"] + body["totals"]["red"] == body["totals"]["codes"]
    assert 0 < body["totals"]["checkin_rate"] <= 1
    assert body["query"]["engine"] == "duckdb"


def test_county_commander_sees_own_county_by_community(lake_stack: Stack) -> None:
    response = get(lake_stack, "/dashboard/codes", HUBIN, day=LAST)
    assert response.status == 200, response.json
    assert response.json["area"] == {"level": "county", "county_code": "411202", "community_id": None, "name": "湖滨区"}
    assert response.json["rows"], "Hubin has residents in the generated lake"
    assert all(row["area"].startswith("411202-") for row in response.json["rows"])


@pytest.mark.parametrize(
    ("claims", "query"),
    [
        (HUBIN, {"county_code": "411282"}),
        (HUBIN, {"community_id": "411282-001"}),
        (HEAD, {"community_id": "411202-002"}),
        (HEAD, {"county_code": "411202"}),
    ],
)
def test_foreign_areas_are_forbidden(lake_stack: Stack, claims: dict[str, Any], query: dict[str, str]) -> None:
    response = get(lake_stack, "/dashboard/key-persons", claims, **query)
    assert response.status == 403, response.json


def test_residents_cannot_open_the_dashboard(lake_stack: Stack) -> None:
    assert get(lake_stack, "/dashboard/codes", RESIDENT).status == 403


def test_a_community_head_sees_own_community(lake_stack: Stack) -> None:
    response = get(lake_stack, "/dashboard/checkpoints", HEAD, **{"from": START.isoformat(), "to": LAST})
    assert response.status == 200, response.json
    assert response.json["area"]["level"] == "community"
    assert {row["area"] for row in response.json["rows"]} <= {"411202-001"}


def test_supplies_and_return_to_work_are_for_commanders(lake_stack: Stack) -> None:
    assert get(lake_stack, "/dashboard/supplies", HEAD).status == 403
    supplies = get(lake_stack, "/dashboard/supplies", CITY)
    assert supplies.status == 200, supplies.json
    assert supplies.json["rows"]
    work = get(lake_stack, "/dashboard/return-to-work", HUBIN)
    assert work.status == 200, work.json
    assert [row["area"] for row in work.json["rows"]] in ([], ["411202"])


@pytest.mark.parametrize("path", ["/dashboard/tipoffs", "/dashboard/key-persons/trend", "/dashboard/codes/trend"])
def test_period_figures_fill_every_day(lake_stack: Stack, path: str) -> None:
    response = get(lake_stack, path, ADMIN, **{"from": START.isoformat(), "to": LAST})
    assert response.status == 200, response.json
    if path.endswith("trend"):
        assert [row["date"] for row in response.json["rows"]] == [(START + timedelta(days=i)).isoformat() for i in range(DAYS)]


def test_key_person_trend_equals_the_lake(lake_stack: Stack, generated: Path) -> None:
    rows = ds.dataset(generated / "key_persons", format="parquet", partitioning="hive").to_table().to_pylist()
    opened = Counter(row["opened_on"] for row in rows if row["_op"] == "INSERT")
    response = get(lake_stack, "/dashboard/key-persons/trend", CITY, **{"from": START.isoformat(), "to": LAST})
    assert {row["date"]: row["count"] for row in response.json["rows"]} == {
        (START + timedelta(days=i)).isoformat(): opened[(START + timedelta(days=i)).isoformat()] for i in range(DAYS)
    }


def test_a_second_request_is_served_from_the_cache(lake_stack: Stack) -> None:
    first = get(lake_stack, "/dashboard/work-orders", CITY)
    second = get(lake_stack, "/dashboard/work-orders", CITY)
    assert first.status == second.status == 200
    assert (first.json["query"]["cached"], second.json["query"]["cached"]) == (False, True)
    assert first.json["rows"] == second.json["rows"]
    other_area = get(lake_stack, "/dashboard/work-orders", CITY, county_code="411202")
    assert other_area.json["query"]["cached"] is False


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({"day": "2020-13-01"}, 400, "day"),
        ({"day": "2999-01-01"}, 400, "day"),
        ({"from": "2020-02-05", "to": "2020-02-01"}, 400, "from"),
        ({"from": "2019-01-01", "to": "2020-02-01"}, 400, "from"),
        ({"community_id": "411202-099"}, 400, "community_id"),
        ({"county_code": "4112"}, 422, "county_code"),
        ({"county_code": "411202", "community_id": "411203-001"}, 400, "community_id"),
    ],
)
def test_bad_input_names_the_field(lake_stack: Stack, query: dict[str, str], status: int, field: str) -> None:
    path = "/dashboard/codes" if "day" in query or "from" not in query else "/dashboard/codes/trend"
    response = get(lake_stack, path, ADMIN, **query)
    assert response.status == status, response.json
    assert field in [item["field"] for item in response.json["fields"]]


# -- live drill-down and reconciliation with DynamoDB ----------------------------------------------------------


def register(stack: Stack, sequence: int, community: str) -> dict[str, Any]:
    body = {
        "name": f"居民{sequence}",
        "id_number": make_id_number(community[:6], date(1985, 1, 1) + timedelta(days=sequence), sequence),
        "phone": f"1370000{sequence:04d}",
        "county_code": community[:6],
        "community_id": community,
        "address": f"黄河路{sequence}号",
    }
    response = stack.request("POST", "/residents", claims=claims_for(f"sub-{sequence}", "resident"), body=body)
    assert response.status == 201, response.json
    return dict(response.json)


def test_drill_down_ends_at_the_live_key_person_list(stack: Stack) -> None:
    # Given a key person registered by the community head (nothing in the lake yet: the list is live)
    person = register(stack, 41, "411202-001")
    created = stack.request(
        "POST", "/key-persons", claims=HEAD, body={"person_id": person["person_id"], "category": "close_contact", "measure": {"kind": "home_isolation"}}
    )
    assert created.status == 201, created.json
    # When the commander drills down to the community's list
    response = get(stack, "/dashboard/communities/411202-001/key-persons", HUBIN)
    # Then the record is there, masked, and the community's head sees it too but a neighbour's head does not
    assert response.status == 200, response.json
    [item] = response.json["items"]
    assert item["category"] == "close_contact" and item["status"] == "active"
    assert "*" in item["name"] and "居民41" not in str(response.json)
    assert get(stack, "/dashboard/communities/411202-001/key-persons", HEAD).status == 200
    neighbour = claims_for("sub-head2", "community_head", community_id="411202-002", county_code="411202")
    assert get(stack, "/dashboard/communities/411202-001/key-persons", neighbour).status == 403
    assert get(stack, "/dashboard/communities/411202-001/key-persons", HEAD, status="lost").status == 400


def test_dashboard_figures_equal_counts_taken_from_dynamodb(stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a day of activity through the API: residents apply for codes, some check in, one with a fever,
    # and a key person is registered
    monkeypatch.setenv("LAKE_CACHE_DIR", str(tmp_path))
    drainer = drain(stack)
    community = "411202-001"
    people = [register(stack, 50 + i, community) for i in range(5)]
    for index, _person in enumerate(people):
        resident = claims_for(f"sub-{50 + index}", "resident")
        applied = stack.request("POST", "/health-codes", claims=resident, body={"fever": False, "in_isolation": False, "declaration_accepted": True})
        assert applied.status == 201, applied.json
        if index < 3:
            temperature = 38.1 if index == 0 else 36.5
            checked = stack.request("POST", "/health-codes/me/check-ins", claims=resident, body={"temperature": temperature, "symptoms": []})
            assert checked.status in (200, 201), checked.json
    kp = stack.request(
        "POST", "/key-persons", claims=HEAD, body={"person_id": people[4]["person_id"], "category": "from_wuhan", "measure": {"kind": "home_isolation"}}
    )
    assert kp.status == 201, kp.json
    # And the streams delivered to the lake
    drainer.drain()
    # When the head opens the dashboard for today
    codes = get(stack, "/dashboard/codes", HEAD)
    key_persons = get(stack, "/dashboard/key-persons", HEAD)
    assert codes.status == 200 and key_persons.status == 200, (codes.json, key_persons.json)
    # Then the figures equal what DynamoDB holds
    expected = dynamodb_counts(stack, community)
    row = codes.json["rows"][0]
    shown = {colour: row[colour] for colour in ("green", "yellow", "red") if row[colour]}
    assert shown == expected["colours"]
    assert row["checkins"] == expected["checkins"] == 3
    assert row["fevers"] == expected["fevers"] == 1
    assert {item["category"]: item["count"] for item in key_persons.json["rows"]} == expected["key_persons"]


def dynamodb_counts(stack: Stack, community: str) -> dict[str, Any]:
    """Counts taken straight from the platform tables: shown colours (worst of rule and active holds),
    today's check-ins and fevers, open key persons by category."""
    db = stack.client("dynamodb")
    today = clock.today().isoformat()
    items = db.scan(TableName=stack.table("HealthCodeTable"))["Items"]
    codes = {item["person_id"]["S"]: item["color"]["S"] for item in items if item["sk"]["S"] == "code" and item["community_id"]["S"] == community}
    checkins = [item for item in items if item["sk"]["S"] == f"checkin#{today}" and item["community_id"]["S"] == community]
    severity = {"green": 0, "yellow": 1, "red": 2}
    worst = dict.fromkeys(codes, 0)
    for hold in db.scan(TableName=stack.table("HoldsTable"))["Items"]:
        person = hold["person_id"]["S"]
        if person in worst and "active" in hold:
            worst[person] = max(worst[person], severity[hold["color"]["S"]])
    colours = Counter(["green", "yellow", "red"][max(severity[colour], worst[person])] for person, colour in codes.items())
    records = db.scan(TableName=stack.table("KeyPersonsTable"))["Items"]
    key_persons = Counter(
        item["category"]["S"]
        for item in records
        if item["sk"]["S"] == "record" and item["community_id"]["S"] == community and item["status"]["S"] in ("active", "pending")
    )
    return {
        "colours": dict(colours),
        "checkins": len(checkins),
        "fevers": sum(1 for item in checkins if item["fever"]["BOOL"]),
        "key_persons": dict(key_persons),
    }
