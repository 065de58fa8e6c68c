"""Big data over HTTP on the local stack: after a day of activity, the dashboard's figures (streams → lake →
views on DuckDB) equal counts taken straight from DynamoDB — and again after the clock moves a day and the
daily close turns the codes of those who did not check in."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date
from typing import Any

import boto3
import pytest

from sanmenxia.idnumber import make_id_number
from tests.e2e.conftest import LocalStack

COUNTY = "411224"
COMMUNITY = "411224-009"  # a community the demo data leaves alone
SEVERITY = {"green": 0, "yellow": 1, "red": 2}


@pytest.fixture(scope="module")
def activity(local_stack: LocalStack) -> dict[str, Any]:
    """Five residents apply for codes; three check in (one with a fever); the head registers a key person."""
    head = local_stack.new_user("community_head", {"community_id": COMMUNITY, "county_code": COUNTY})
    commander = local_stack.new_user("commander", {"county_code": COUNTY})
    residents = []
    for index in range(5):
        user = local_stack.new_user("resident")
        id_number = make_id_number(COUNTY, date(1960 + random.randint(0, 40), random.randint(1, 12), random.randint(1, 28)), random.randint(0, 999))
        body = {"name": f"卢氏居民{index}", "id_number": id_number, "phone": f"1360000{random.randint(0, 9999):04d}"}
        body |= {"county_code": COUNTY, "community_id": COMMUNITY, "address": f"狮子坪{index}号"}
        registered = local_stack.call("POST", "/residents", user, body)
        assert registered.status == 201, registered.body
        applied = local_stack.call("POST", "/health-codes", user, {"fever": False, "in_isolation": False, "declaration_accepted": True})
        assert applied.status in (200, 201), applied.body
        residents.append({"user": user, "person_id": registered.json["person_id"]})
    for index, temperature in ((0, 38.2), (1, 36.5), (2, 36.7)):
        checked = local_stack.call("POST", "/health-codes/me/check-ins", residents[index]["user"], {"temperature": temperature, "symptoms": []})
        assert checked.status in (200, 201), checked.body
    key_person = {"person_id": residents[4]["person_id"], "category": "from_hubei", "measure": {"kind": "home_isolation"}}
    assert local_stack.call("POST", "/key-persons", head, key_person).status == 201
    local_stack.drain()
    return {"head": head, "commander": commander, "residents": residents}


def dynamodb(local_stack: LocalStack) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=local_stack.config["aws_endpoint_url"],
        region_name=local_stack.config["region"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def table(local_stack: LocalStack, logical_id: str) -> str:
    names = dynamodb(local_stack).list_tables(Limit=100)["TableNames"]
    return next(name for name in names if f"-{logical_id}-" in name)


def scan(local_stack: LocalStack, logical_id: str) -> list[dict[str, Any]]:
    client, items, start = dynamodb(local_stack), [], None
    while True:
        page = client.scan(TableName=table(local_stack, logical_id), **({"ExclusiveStartKey": start} if start else {}))
        items.extend(page["Items"])
        start = page.get("LastEvaluatedKey")
        if not start:
            return items


def counts_from_dynamodb(local_stack: LocalStack, day: str) -> dict[str, Any]:
    """The community's shown colours (worst of the rule and active holds), the day's check-ins and fevers,
    and open key persons by category, straight from the platform tables."""
    items = scan(local_stack, "HealthCodeTable")
    codes = {i["person_id"]["S"]: i["color"]["S"] for i in items if i["sk"]["S"] == "code" and i.get("community_id", {}).get("S") == COMMUNITY}
    checkins = [i for i in items if i["sk"]["S"] == f"checkin#{day}" and i.get("community_id", {}).get("S") == COMMUNITY]
    held = dict.fromkeys(codes, 0)
    for hold in scan(local_stack, "HoldsTable"):
        person = hold["person_id"]["S"]
        if person in held and "active" in hold:
            held[person] = max(held[person], SEVERITY[hold["color"]["S"]])
    colours = Counter(["green", "yellow", "red"][max(SEVERITY[colour], held[person])] for person, colour in codes.items())
    records = [i for i in scan(local_stack, "KeyPersonsTable") if i["sk"]["S"] == "record" and i["community_id"]["S"] == COMMUNITY]
    open_records = Counter(i["category"]["S"] for i in records if i["status"]["S"] in ("pending", "active"))
    return {
        "colours": dict(colours),
        "checkins": len(checkins),
        "fevers": sum(1 for i in checkins if i["fever"]["BOOL"]),
        "key_persons": dict(open_records),
    }


def dashboard_row(local_stack: LocalStack, user: str, path: str) -> dict[str, Any]:
    response = local_stack.call("GET", path, user)
    assert response.status == 200, response.body
    rows = [row for row in response.json["rows"] if row.get("area") == COMMUNITY]
    assert len(rows) == 1, response.json
    return dict(rows[0])


def test_dashboard_figures_equal_dynamodb_after_a_day_of_activity(local_stack: LocalStack, activity: dict[str, Any]) -> None:
    # Given the day's activity delivered through the streams to the lake
    expected = counts_from_dynamodb(local_stack, local_stack.today())
    # When the community head opens the codes and key-person figures
    codes = dashboard_row(local_stack, activity["head"], "/dashboard/codes")
    key_persons = local_stack.call("GET", "/dashboard/key-persons", activity["head"]).json
    # Then the dashboard shows what DynamoDB holds
    assert {colour: codes[colour] for colour in ("green", "yellow", "red") if codes[colour]} == expected["colours"]
    assert (codes["checkins"], codes["fevers"]) == (expected["checkins"], expected["fevers"]) == (3, 1)
    # (the fever check-in asked for a fever key-person record, pending the head's confirmation)
    assert {row["category"]: row["count"] for row in key_persons["rows"]} == expected["key_persons"] == {"from_hubei": 1, "fever_without_contact": 1}
    # And the county commander's drill-down shows the same community row
    county_row = dashboard_row(local_stack, activity["commander"], f"/dashboard/codes?county_code={COUNTY}")
    assert county_row == codes


def test_figures_follow_the_daily_close(local_stack: LocalStack, activity: dict[str, Any]) -> None:
    # Given the clock moved a day: the close turned the codes of those who did not check in
    local_stack.advance(1)
    local_stack.drain()
    today = local_stack.today()
    expected = counts_from_dynamodb(local_stack, today)
    # When the head opens today's codes
    codes = dashboard_row(local_stack, activity["head"], "/dashboard/codes")
    # Then the colours agree with DynamoDB again, and nobody has checked in yet today
    assert {colour: codes[colour] for colour in ("green", "yellow", "red") if codes[colour]} == expected["colours"]
    assert codes["checkins"] == expected["checkins"] == 0
    assert sum(expected["colours"].values()) == 5


def test_foreign_community_is_forbidden_over_http(local_stack: LocalStack, activity: dict[str, Any]) -> None:
    response = local_stack.call("GET", "/dashboard/codes?community_id=411224-008", activity["head"])
    assert response.status == 403, response.body
    live = local_stack.call("GET", f"/dashboard/communities/{COMMUNITY}/key-persons", activity["commander"])
    assert live.status == 200 and [item["category"] for item in live.json["items"]] == ["from_hubei"]
