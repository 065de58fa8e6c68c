"""The tip-off and help-message use cases (``tipoffs.service``, ``portal.service``) over fakes: what is saved is
sealed, the work order carries what the hotline needs, and a failed hand-over takes the record back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel

from sanmenxia import regions
from sanmenxia.auth import Principal, Role
from sanmenxia.contracts import WorkOrderIntake, WorkOrderSource
from sanmenxia.errors import InvalidInput, UpstreamUnavailable
from sanmenxia.hotline.routing import TipoffCategory
from sanmenxia.portal.rules import HelpKind
from sanmenxia.portal.service import NewHelp, Portal
from sanmenxia.tipoffs.service import NewTipoff, Tipoffs

NOW = datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)
COUNTY = regions.COUNTIES[0].code
COMMUNITY = f"{COUNTY}-001"
RESIDENT = Principal(sub="sub-1", username="resident", roles=frozenset({Role.RESIDENT}))


class FakeVault:
    def seal(self, purpose: str, value: str) -> str:
        return f"sealed[{purpose}]"

    def open(self, purpose: str, sealed: str) -> str:
        return "opened"


class Events:
    def __init__(self) -> None:
        self.log: list[str] = []
        self.sent: list[WorkOrderIntake] = []

    def send(self, queue_url: str, message: BaseModel) -> None:
        assert isinstance(message, WorkOrderIntake)
        self.sent.append(message)
        self.log.append(f"send {queue_url}")

    def refuse(self, queue_url: str, message: BaseModel) -> None:
        raise ConnectionError("queue unreachable")


class FakeTipoffStore:
    def __init__(self, events: Events) -> None:
        self.events = events
        self.saved: list[Any] = []

    def find(self, tipoff_id: str) -> None:
        return None

    def recent(self, category: str, community_id: str, since: str) -> list[Any]:
        return []

    def put(self, tipoff: Any, extra: Any = ()) -> None:
        self.saved.append(tipoff)
        self.events.log.append("put")

    def withdraw(self, tipoff: Any) -> None:
        self.events.log.append("withdraw")


class FakeOrders:
    def get_many(self, order_ids: list[str]) -> dict[str, Any]:
        return {}

    def find(self, order_id: str) -> None:
        return None


class FakeHotline:
    store = FakeOrders()


class FakeUploads:
    def verify(self, key: str) -> None:
        pass


def tipoffs(events: Events, send: Any) -> tuple[Tipoffs, FakeTipoffStore]:
    store = FakeTipoffStore(events)
    return Tipoffs(store, FakeHotline(), FakeVault(), FakeUploads(), "intake-q", send=send), store  # type: ignore[arg-type]


TIPOFF = NewTipoff(TipoffCategory.GATHERING, COUNTY, COMMUNITY, "东风路 3 号", "楼下聚集打牌 10 人以上")


def test_a_tip_off_is_saved_sealed_then_handed_to_the_hotline() -> None:
    # Given a reporter who is not anonymous
    events = Events()
    service, store = tipoffs(events, events.send)
    # When they report a lead
    answer = service.report(RESIDENT, TIPOFF, NOW)
    # Then the tip-off is saved with its text sealed and its reporter, and its work order follows
    saved = store.saved[0]
    assert events.log == ["put", "send intake-q"]
    assert (saved.sealed_address, saved.sealed_description, saved.reporter_sub) == ("sealed[tipoff.address]", "sealed[tipoff.description]", "sub-1")
    order = events.sent[0]
    assert (order.source, order.source_ref, order.requester_sub, order.created_at) == (WorkOrderSource.TIPOFF, saved.tipoff_id, "sub-1", "2026-02-03T04:05:06Z")
    # And the reporter gets the tracking code once; only its hash is kept
    assert answer["tracking_code"] and answer["tracking_code"] not in repr(saved)


def test_an_anonymous_tip_off_keeps_no_identity() -> None:
    events = Events()
    service, store = tipoffs(events, events.send)
    service.report(RESIDENT, NewTipoff(TipoffCategory.GATHERING, COUNTY, COMMUNITY, "addr", "desc", anonymous=True), NOW)
    assert store.saved[0].reporter_sub is None and events.sent[0].requester_sub is None


def test_a_tip_off_the_hotline_cannot_take_is_withdrawn() -> None:
    events = Events()
    service, _ = tipoffs(events, events.refuse)
    with pytest.raises(UpstreamUnavailable, match="tip-off"):
        service.report(RESIDENT, TIPOFF, NOW)
    assert events.log == ["put", "withdraw"]


def test_a_community_outside_the_county_is_refused_before_anything_is_saved() -> None:
    events = Events()
    service, _ = tipoffs(events, events.send)
    other = regions.COUNTIES[1].code
    with pytest.raises(InvalidInput, match="community"):
        service.report(RESIDENT, NewTipoff(TipoffCategory.GATHERING, other, COMMUNITY, "addr", "desc"), NOW)
    assert events.log == []


class FakePortalStore:
    def __init__(self, events: Events) -> None:
        self.events = events
        self.saved: list[dict[str, Any]] = []

    def put_help(self, values: dict[str, Any]) -> None:
        self.saved.append(values)
        self.events.log.append("put")

    def delete_help(self, help_id: str) -> None:
        self.events.log.append(f"delete {help_id}")


def portal(events: Events, send: Any, person_community: str | None = None) -> tuple[Portal, FakePortalStore]:
    store = FakePortalStore(events)

    def find_person(sub: str) -> Any:
        return None if person_community is None else type("P", (), {"person_id": "p-1", "community_id": person_community})()

    service = Portal(store, FakeOrders(), FakeVault(), "intake-q", find_person, personal_record_days=30, send=send)  # type: ignore[arg-type]
    return service, store


def test_a_help_message_goes_to_the_residents_own_community_sealed() -> None:
    # Given a registered resident who names no community
    events = Events()
    service, store = portal(events, events.send, person_community=COMMUNITY)
    # When they leave a help message
    answer = service.leave_help(RESIDENT, NewHelp(HelpKind.MEDICINE, "需要降压药", phone="13800000000"), NOW)
    # Then it is saved sealed in their community, and its work order names the community and the person
    saved = store.saved[0]
    assert (saved["community_id"], saved["county_code"], saved["enc_message"], saved["enc_phone"]) == (
        COMMUNITY,
        COUNTY,
        "sealed[help.message]",
        "sealed[help.phone]",
    )
    assert events.sent[0].community_id == COMMUNITY and events.sent[0].requester_person_id == "p-1"
    assert answer["status"] == "submitted" and answer["order_id"] == saved["order_id"]


def test_a_help_message_without_a_community_is_refused() -> None:
    events = Events()
    service, _ = portal(events, events.send)
    with pytest.raises(InvalidInput, match="community"):
        service.leave_help(RESIDENT, NewHelp(HelpKind.FOOD, "没有菜了"), NOW)
    assert events.log == []


def test_a_help_message_the_hotline_cannot_take_is_deleted() -> None:
    events = Events()
    service, store = portal(events, events.refuse)
    with pytest.raises(UpstreamUnavailable):
        service.leave_help(RESIDENT, NewHelp(HelpKind.FOOD, "没有菜了", community_id=COMMUNITY), NOW)
    assert events.log == ["put", f"delete {store.saved[0]['help_id']}"]
