"""Demo data for residents (居民信息填报), key persons (疫情信息), co-travel (同行查询) and comparison lists,
seeded through the API as the demo users.

* ``resident1`` (411202-001) reports for themself and a child back from Hubei (→ a pending key-person
  candidate for ``head1``) and asks for medicine (→ a 12345 work order); ``resident2`` reports a fever at
  home isolation (→ fever and isolation holds) and saved a G1234 trip before the case was published.
* ``head1`` registers a key person returned from Wuhan (home isolation) and follows them up today;
  ``head2`` registers one in 411202-002 and does not, so after the next daily close it is on the
  commanders' supervision list.
* ``commander1`` publishes two confirmed cases' trips (G1234 carriage 5; CA1234 row 12): ``resident2``'s
  saved trip matches, so ``resident2`` finds a notification; a carrier's list with ``resident2``'s phone is
  uploaded to ``comparison/`` and becomes an imported-list hold.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from infra.local.demo import DemoClient
from sanmenxia import clock
from sanmenxia.idnumber import make_id_number

ORDER = 40
COMMUNITY = "411202-001"
SOURCE = "https://www.smx.gov.cn/2020/01/30/case-trips.html"


def _expect(result: tuple[int, Any], *statuses: int) -> Any:
    status, body = result
    if status not in statuses:
        raise RuntimeError(f"demo community seed: unexpected {status}: {body}")
    return body


def _resident(demo: DemoClient, username: str, sequence: int, community: str, phone: str) -> dict[str, Any]:
    body = {
        "name": f"示例居民{sequence}",
        "id_number": make_id_number(community[:6], date(1966, 6, sequence), 400 + sequence),
        "phone": phone,
        "county_code": community[:6],
        "community_id": community,
        "address": f"湖滨区示范路{sequence}号",
    }
    _expect(demo.call(username, "POST", "/residents", body), 201, 409)
    return dict(_expect(demo.call(username, "GET", "/residents/me"), 200))


def _households(demo: DemoClient) -> dict[str, Any]:
    today = clock.today()
    first = _resident(demo, "resident1", 1, COMMUNITY, "13700001001")
    second = _resident(demo, "resident2", 2, COMMUNITY, "13700001002")
    child_id = make_id_number("411202", date(2012, 9, 1), 431)
    status, child = demo.call("resident1", "POST", "/residents/me/household", {"name": "示例小孩", "id_number": child_id, "relation": "child"})
    if status == 409:
        household = _expect(demo.call("resident1", "GET", "/residents/me/household"), 200)
        child = next(member for member in household if member["relation"] == "child")
    hubei = {
        "place": "湖北省孝感市",
        "region": "hubei",
        "from_date": (today - timedelta(days=9)).isoformat(),
        "to_date": (today - timedelta(days=6)).isoformat(),
    }
    _expect(demo.call("resident1", "POST", "/residents/me/reports", {"person_type": "permanent", "temperature": 36.6}), 201)
    _expect(demo.call("resident1", "POST", "/residents/me/reports", {"person_id": child["person_id"], "person_type": "returnee", "travel": [hubei]}), 201)
    _expect(demo.call("resident1", "POST", "/residents/me/hardship-requests", {"kind": "medicine", "description": "家中老人降压药只剩两天的量"}), 201)
    _expect(demo.call("resident2", "POST", "/residents/me/reports", {"person_type": "migrant_worker", "temperature": 38.1, "isolation": "home"}), 201)
    return {"resident1": first, "resident2": second}


def _key_persons(demo: DemoClient) -> None:
    today = clock.today()
    demo.create_user("kp_wuhan", "resident")
    demo.create_user("kp_village", "resident")
    wuhan = _resident(demo, "kp_wuhan", 3, COMMUNITY, "13700001003")
    village = _resident(demo, "kp_village", 4, "411202-002", "13700001004")
    body = {
        "person_id": wuhan["person_id"],
        "category": "from_wuhan",
        "measure": {"kind": "home_isolation"},
        "start_date": (today - timedelta(days=2)).isoformat(),
    }
    status, kp = demo.call("head1", "POST", "/key-persons", body)
    if status == 201:
        _expect(demo.call("head1", "POST", f"/key-persons/{kp['kp_id']}/follow-ups", {"temperature": 36.5, "note": "电话随访,体温正常"}), 201)
    else:
        _expect((status, kp), 409)
    body = {
        "person_id": village["person_id"],
        "category": "close_contact",
        "measure": {"kind": "centralized_isolation", "site": "湖滨区集中隔离点(天鹅湖宾馆)"},
    }
    _expect(demo.call("head2", "POST", "/key-persons", body), 201, 409)


def _co_travel(demo: DemoClient, residents: dict[str, Any]) -> None:
    when = (clock.today() - timedelta(days=3)).isoformat()
    _expect(demo.call("resident2", "POST", "/co-travel/saved-trips", {"date": when, "number": "G1234", "carriage": "5", "seat": "08F"}), 201)
    trips = [
        {"date": when, "mode": "train", "number": "G1234", "carriage": "5", "from": "武汉", "to": "三门峡南", "source_url": SOURCE, "case_ref": "确诊病例1"},
        {
            "date": when,
            "mode": "flight",
            "number": "CA1234",
            "row": 12,
            "seat": "12C",
            "from": "武汉",
            "to": "郑州",
            "source_url": SOURCE,
            "case_ref": "确诊病例2",
        },
    ]
    _expect(demo.call("commander1", "POST", "/co-travel/case-trips", {"trips": trips}), 201)
    job = _expect(demo.call("commander1", "POST", "/imports", {"name": "运营商涉鄂号码(示例)", "reason": "1月10日以来到过湖北"}), 201)
    data = "手机号\n13700001002\n13999999999\n".encode()
    demo.session.client("s3").put_object(Bucket=job["upload"]["bucket"], Key=job["upload"]["key"], Body=data, ContentType="text/csv")


def seed(demo: DemoClient) -> None:
    residents = _households(demo)
    _key_persons(demo)
    _co_travel(demo, residents)
