"""The one paging contract on the lists of the registry, residents, enterprises, co-travel, checkpoint and
health-code functions: ``limit`` and a sealed ``cursor``; ``{"items", "next_cursor"}``; following the cursors
reads every item once; a forged, edited or foreign cursor (another caller, another list) is a 400 naming
``cursor``. One test per kind of store the lists read."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sanmenxia import clock
from sanmenxia.idnumber import make_id_number
from sanmenxia.notifications import REVEAL_KIND, Inbox
from tests.support.paging import assert_cursor_refused, read_all
from tests.support.stack import Stack, claims_for

RESIDENT = claims_for("sub-pager", "resident")
OTHER_RESIDENT = claims_for("sub-other", "resident")


def _register(stack: Stack, claims: Mapping[str, Any], serial: int) -> dict[str, Any]:
    body = {
        "name": "张三",
        "id_number": make_id_number("411202", date(1980, 1, 1), serial),
        "phone": "13812345678",
        "county_code": "411202",
        "community_id": "411202-001",
        "address": "湖滨区前进路1号",
    }
    created = stack.request("POST", "/residents", claims=claims, body=body)
    assert created.status == 201, created.json
    return dict(created.json)


def test_registry_lists_page_by_key_and_filter(stack: Stack) -> None:
    # Given a resident with a household of three and five messages, two of them reveals (a filtered query)
    me = _register(stack, RESIDENT, 201)
    for serial in (202, 203):
        member = {"name": "张小", "id_number": make_id_number("411202", date(2015, 1, 1), serial), "relation": "child"}
        assert stack.request("POST", "/residents/me/household", claims=RESIDENT, body=member).status == 201
    inbox = Inbox(stack.client("dynamodb"), stack.table("NotificationsTable"))
    for n in range(5):
        clock.set_offset(n)
        inbox.notify(me["person_id"], kind=REVEAL_KIND if n % 2 else "reply", title="消息", body=f"m{n}")
    _register(stack, OTHER_RESIDENT, 204)
    # When each list is read one item at a time
    household, household_cursor = read_all(stack, "GET", "/residents/me/household", RESIDENT)
    notes, notes_cursor = read_all(stack, "GET", "/notifications", RESIDENT)
    reveals, reveals_cursor = read_all(stack, "GET", "/notifications/reveals", RESIDENT)
    # Then every item comes once, newest message first
    assert len({person["person_id"] for person in household}) == 3
    assert all(person["id_number"].count("*") >= 8 for person in household)
    assert [note["body"] for note in notes] == ["m4", "m3", "m2", "m1", "m0"]
    assert [note["body"] for note in reveals] == ["m3", "m1"]
    # And an edited, forged or foreign cursor (another resident, another list) is a 400 naming the cursor
    assert_cursor_refused(stack, "/notifications", RESIDENT, notes_cursor, foreign=OTHER_RESIDENT, other_path="/notifications/reveals")
    assert_cursor_refused(stack, "/notifications/reveals", RESIDENT, reveals_cursor, foreign=OTHER_RESIDENT)
    assert_cursor_refused(stack, "/residents/me/household", RESIDENT, household_cursor, foreign=OTHER_RESIDENT)


def test_residents_lists_of_my_household_page(stack: Stack) -> None:
    # Given a resident with a household of three, who asks for help three times, and a neighbour who asks once
    _register(stack, RESIDENT, 211)
    for serial in (212, 213):
        member = {"name": "张小", "id_number": make_id_number("411202", date(2015, 1, 1), serial), "relation": "child"}
        assert stack.request("POST", "/residents/me/household", claims=RESIDENT, body=member).status == 201
    _register(stack, OTHER_RESIDENT, 214)
    for n, who in enumerate((RESIDENT, OTHER_RESIDENT, RESIDENT, RESIDENT)):
        clock.set_offset(n)
        asked = stack.request("POST", "/residents/me/hardship-requests", claims=who, body={"kind": "medicine", "description": f"药品{n}"})
        assert asked.status == 201, asked.json
    # When the household's reports and requests are read one at a time
    reports, reports_cursor = read_all(stack, "GET", "/residents/me/reports", RESIDENT)
    requests, requests_cursor = read_all(stack, "GET", "/residents/me/hardship-requests", RESIDENT)
    # Then each member and each of the household's own requests comes once (the neighbour's is filtered out)
    assert len({row["person_id"] for row in reports}) == 3 and all("*" in row["name"] for row in reports)
    assert [request["description"] for request in requests] == ["药品3", "药品2", "药品0"]
    # And a cursor works only for the list and the resident it was given to
    assert_cursor_refused(stack, "/residents/me/reports", RESIDENT, reports_cursor, foreign=OTHER_RESIDENT, other_path="/residents/me/household")
    assert_cursor_refused(stack, "/residents/me/hardship-requests", RESIDENT, requests_cursor, foreign=OTHER_RESIDENT)


COMMANDER = claims_for("sub-commander1", "commander", username="commander1")
HUBIN_COMMANDER = claims_for("sub-commander-hubin", "commander", username="commander_hubin", county_code="411202")


def test_the_enterprise_registry_pages_county_after_county(stack: Stack) -> None:
    # Given five enterprises in three counties (one query per county behind one city-wide list)
    counties = ["411202", "411202", "411203", "411224", "411224"]
    for n, county in enumerate(counties):
        body = {"enterprise_id": f"ent-page-{n}", "name": f"企业{n}", "county_code": county, "industry": "manufacturing", "above_scale": True}
        assert stack.request("POST", "/enterprises", claims=COMMANDER, body=body).status == 201
    # When the city-wide list is read one, then two at a time
    one_by_one, cursor = read_all(stack, "GET", "/enterprises", COMMANDER)
    two_by_two, _ = read_all(stack, "GET", "/enterprises", COMMANDER, limit=2)
    # Then every enterprise comes once, either way, and a county's list holds only that county
    assert sorted(row["enterprise_id"] for row in one_by_one if row["enterprise_id"].startswith("ent-page-")) == [f"ent-page-{n}" for n in range(5)]
    assert len({row["enterprise_id"] for row in one_by_one}) == len(one_by_one)
    assert [row["enterprise_id"] for row in two_by_two] == [row["enterprise_id"] for row in one_by_one]
    hubin, _ = read_all(stack, "GET", "/enterprises", COMMANDER, {"county_code": "411202"})
    assert sorted(row["enterprise_id"] for row in hubin if row["enterprise_id"].startswith("ent-page-")) == ["ent-page-0", "ent-page-1"]
    assert {row["county_code"] for row in hubin} == {"411202"}
    # And the city-wide cursor is refused when edited, forged, for another county's list, or by a county commander
    assert_cursor_refused(stack, "/enterprises", COMMANDER, cursor)
    for refused in (
        stack.request("GET", "/enterprises", claims=COMMANDER, query={"county_code": "411202", "cursor": cursor}),
        stack.request("GET", "/enterprises", claims=HUBIN_COMMANDER, query={"county_code": "411202", "cursor": cursor}),
    ):
        assert (refused.status, refused.json["fields"][0]["field"]) == (400, "cursor")


def test_co_travel_lists_page_on_their_indexes(stack: Stack) -> None:
    # Given three case trips published on one day and one the day before, and a resident's three saved trips
    travel_day = (clock.today() - timedelta(days=3)).isoformat()
    source = "https://www.smx.gov.cn/notice/2020-01-30.html"
    trips = [
        {"date": travel_day, "mode": "train", "number": f"G12{n}", "carriage": "5", "from": "武汉", "to": "三门峡南", "source_url": source} for n in range(3)
    ]
    trips.append({**trips[0], "date": (clock.today() - timedelta(days=4)).isoformat()})
    assert stack.request("POST", "/co-travel/case-trips", claims=COMMANDER, body={"trips": trips}).status == 201
    _register(stack, RESIDENT, 221)
    _register(stack, OTHER_RESIDENT, 222)
    for n in range(3):
        saved = stack.request(
            "POST", "/co-travel/saved-trips", claims=RESIDENT, body={"date": travel_day, "mode": "train", "number": f"G12{n}", "carriage": "5"}
        )
        assert saved.status == 201, saved.json
    # When both lists are read one item at a time
    of_day, day_cursor = read_all(stack, "GET", "/co-travel/case-trips", COMMANDER, {"date": travel_day})
    mine, saved_cursor = read_all(stack, "GET", "/co-travel/saved-trips", RESIDENT)
    # Then each comes once: the day's trips only, the resident's own saved trips with their risk
    assert sorted(trip["number"] for trip in of_day) == ["G120", "G121", "G122"] and {trip["from"] for trip in of_day} == {"武汉"}
    assert sorted(trip["number"] for trip in mine) == ["G120", "G121", "G122"] and "none" not in {trip["risk"] for trip in mine}
    assert stack.request("GET", "/co-travel/saved-trips", claims=OTHER_RESIDENT).json == {"items": [], "next_cursor": None}
    # And a cursor is refused for another day, another resident, or when edited or forged
    assert_cursor_refused(stack, "/co-travel/saved-trips", RESIDENT, saved_cursor, foreign=OTHER_RESIDENT)
    other_day = stack.request("GET", "/co-travel/case-trips", claims=COMMANDER, query={"date": trips[3]["date"], "cursor": day_cursor})
    assert (other_day.status, other_day.json["fields"][0]["field"]) == (400, "cursor")
