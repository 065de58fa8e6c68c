"""Residents, key persons, co-travel and comparison lists over HTTP on the local stack: the issue's
acceptance criteria with real sign-in, the event pump and the virtual clock, and the demo data."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import boto3
import pytest

from sanmenxia.idnumber import make_id_number
from tests.e2e.conftest import LocalStack

QUIET = "411224-008"  # a community no demo data touches
OTHER = "411224-009"


@pytest.fixture(scope="module")
def crew(local_stack: LocalStack) -> dict[str, str]:
    return {
        "head": local_stack.new_user("community_head", {"community_id": QUIET, "county_code": "411224"}),
        "other_head": local_stack.new_user("community_head", {"community_id": OTHER, "county_code": "411224"}),
        "commander": local_stack.new_user("commander", {"county_code": "411224"}),
        "city": local_stack.new_user("commander"),
    }


def new_resident(local_stack: LocalStack, community: str = QUIET) -> tuple[str, dict[str, Any]]:
    username = local_stack.new_user("resident")
    sequence = uuid.uuid4().int % 900 + 50
    body = {
        "name": "测试居民",
        "id_number": make_id_number(community[:6], date(1970, 1, 1) + timedelta(days=uuid.uuid4().int % 9000), sequence),
        "phone": f"135{uuid.uuid4().int % 10**8:08d}",
        "county_code": community[:6],
        "community_id": community,
        "address": "卢氏县测试路1号",
    }
    response = local_stack.call("POST", "/residents", username, body)
    assert response.status == 201, response.body
    return username, response.json


def test_demo_data_shows_in_every_view(local_stack: LocalStack) -> None:
    local_stack.drain()
    fevers = local_stack.call("GET", "/communities/411202-001/residents?fever=true", "head1")
    assert fevers.status == 200, fevers.body
    assert len(fevers.json["items"]) >= 1
    assert local_stack.call("GET", "/communities/411202-001/hardship-requests?status=open", "head1").json["items"]
    pending = local_stack.call("GET", "/key-persons?status=pending", "head1").json["items"]
    assert any(item["category"] == "from_hubei" for item in pending)
    notes = local_stack.call("GET", "/notifications", "resident2").json["items"]
    assert any(note["kind"] == "co_travel" for note in notes)
    jobs = local_stack.call("GET", "/imports", "commander1").json["items"]
    assert any(job["status"] == "done" and job["hits"] >= 1 for job in jobs)


def test_supervision_lists_a_key_person_after_a_day_without_update_and_not_after_an_update(local_stack: LocalStack, crew: dict[str, str]) -> None:
    # Given two key persons registered today, one of them followed up
    _, stale = new_resident(local_stack)
    _, fresh = new_resident(local_stack)
    body = {"category": "from_outside_city", "measure": {"kind": "home_isolation"}}
    stale_kp = local_stack.call("POST", "/key-persons", crew["head"], {**body, "person_id": stale["person_id"]}).json
    fresh_kp = local_stack.call("POST", "/key-persons", crew["head"], {**body, "person_id": fresh["person_id"]}).json
    assert local_stack.call("POST", f"/key-persons/{fresh_kp['kp_id']}/follow-ups", crew["head"], {"temperature": 36.4}).status == 201
    registered_on = local_stack.today()
    # When the clock advances a day (the daily close fires)
    local_stack.advance(1)
    # Then the county commander's list for that day shows the stale one only
    listed = local_stack.call("GET", f"/supervision?date={registered_on}", crew["commander"])
    assert listed.status == 200, listed.body
    ids = {item["kp_id"] for item in listed.json["items"]}
    assert stale_kp["kp_id"] in ids
    assert fresh_kp["kp_id"] not in ids
    # And after an update the stale one leaves the list
    assert local_stack.call("POST", f"/key-persons/{stale_kp['kp_id']}/follow-ups", crew["head"], {"temperature": 36.6}).status == 201
    ids = {item["kp_id"] for item in local_stack.call("GET", f"/supervision?date={registered_on}", crew["commander"]).json["items"]}
    assert stale_kp["kp_id"] not in ids


def test_heads_cannot_reach_another_communitys_residents_or_key_persons(local_stack: LocalStack, crew: dict[str, str]) -> None:
    _, person = new_resident(local_stack)
    kp = local_stack.call(
        "POST", "/key-persons", crew["head"], {"person_id": person["person_id"], "category": "close_contact", "measure": {"kind": "medical_observation"}}
    )
    assert kp.status == 201, kp.body
    other = crew["other_head"]
    assert local_stack.call("GET", f"/communities/{QUIET}/residents", other).status == 403
    assert local_stack.call("GET", f"/key-persons/{kp.json['kp_id']}", other).status == 403
    assert local_stack.call("POST", f"/key-persons/{kp.json['kp_id']}/release", other, {"note": "x"}).status == 403
    assert local_stack.call("GET", f"/communities/{QUIET}/residents", crew["head"]).status == 200


def test_a_later_case_trip_notifies_the_saved_trip_owner(local_stack: LocalStack, crew: dict[str, str]) -> None:
    username, _ = new_resident(local_stack)
    when = (date.fromisoformat(local_stack.today()) - timedelta(days=2)).isoformat()
    number = f"K{uuid.uuid4().int % 9000 + 1000}"
    saved = local_stack.call("POST", "/co-travel/saved-trips", username, {"date": when, "number": number, "carriage": "3"})
    assert saved.status == 201, saved.body
    assert saved.json["risk"] == "none"
    trip = {"date": when, "mode": "train", "number": number, "carriage": "03", "from": "汉口", "to": "灵宝", "source_url": "https://www.smx.gov.cn/n/1"}
    assert local_stack.call("POST", "/co-travel/case-trips", crew["city"], {"trips": [trip]}).status == 201
    notes = local_stack.call("GET", "/notifications", username).json["items"]
    assert [note["kind"] for note in notes] == ["co_travel"]
    public = local_stack.request("GET", f"/co-travel/trips?date={when}&number={number}&carriage=3")
    assert public.json["risk"] == "close"


def test_malformed_case_trip_csv_on_s3_is_rejected_with_line_numbers(local_stack: LocalStack, crew: dict[str, str]) -> None:
    config = local_stack.config
    s3 = boto3.client("s3", endpoint_url=config["aws_endpoint_url"], region_name=config["region"], aws_access_key_id="local", aws_secret_access_key="local")
    bucket = next(b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].startswith("sanmenxia-imports-"))
    number = f"T{uuid.uuid4().int % 900 + 100}"
    csv = f"date,mode,number,carriage,from,to,source_url\n2020-01-22,train,{number},5,武汉,灵宝,https://x.cn/1\n2020-13-01,train,{number},5,武汉,灵宝,https://x.cn/1\n"
    key = f"case-trips/{uuid.uuid4().hex}.csv"
    s3.put_object(Bucket=bucket, Key=key, Body=csv.encode())
    local_stack.drain()
    reports = local_stack.call("GET", "/co-travel/imports", crew["city"]).json
    [report] = [item for item in reports if item["key"] == key]
    assert report["status"] == "rejected"
    assert [(error["line"], error["field"]) for error in report["errors"]] == [(3, "date")]
    assert local_stack.request("GET", f"/co-travel/trips?date=2020-01-22&number={number}").json["risk"] == "none"
