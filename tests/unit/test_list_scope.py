"""Which list a caller reads, decided in the domain (not in the route): the hotline's work-order lists and unit
figures (``hotline.access``), and the checkpoints list and city statistics (``checkpoints.service``)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from sanmenxia import regions
from sanmenxia.auth import Principal, Role
from sanmenxia.checkpoints import service
from sanmenxia.checkpoints.stats import UNIQUE_DAY, DayStats, Level, summarize
from sanmenxia.errors import Forbidden
from sanmenxia.hotline.access import figure_units, order_list
from sanmenxia.hotline.routing import Department
from sanmenxia.hotline.rules import Status

COUNTY = regions.COUNTIES[0].code
OTHER_COUNTY = regions.COUNTIES[1].code
COMMUNITY = f"{COUNTY}-001"
FOREIGN_COMMUNITY = f"{OTHER_COUNTY}-001"


def caller(*roles: Role, **scope: str) -> Principal:
    return Principal(sub="s-1", username="u", roles=frozenset(roles), scope=scope)


# -- work orders -----------------------------------------------------------------------------------------
def test_a_department_handler_without_a_filter_reads_their_own_units_orders() -> None:
    # Given a handler of the transport unit in a county
    handler = caller(Role.DEPARTMENT_HANDLER, department="transport", county_code=COUNTY)
    # When they list orders without a filter
    wanted = order_list(handler, department=None, community_id=None, status=Status.HANDLING, overdue=None)
    # Then the unit's index is read, bounded to their county, with the status as a filter
    assert (wanted.index, wanted.key) == ("department-index", ("department", "transport"))
    assert wanted.filters == {"county_code": COUNTY, "status": Status.HANDLING.value}


def test_a_community_head_without_a_filter_reads_their_communitys_orders() -> None:
    head = caller(Role.COMMUNITY_HEAD, community_id=COMMUNITY, county_code=COUNTY)
    wanted = order_list(head, department=None, community_id=None, status=None, overdue=True)
    assert (wanted.index, wanted.key) == ("community-index", ("community_id", COMMUNITY))
    assert wanted.filters == {"county_code": COUNTY, "overdue": True}


def test_an_operator_without_a_filter_reads_the_dispatch_queue_by_status() -> None:
    operator = caller(Role.HOTLINE_OPERATOR)
    assert order_list(operator, department=None, community_id=None, status=None, overdue=None).key == ("status", Status.RECEIVED.value)
    queue = order_list(operator, department=None, community_id=None, status=Status.DISPATCHED, overdue=None)
    # The status is the queue's key, not a filter as well.
    assert (queue.index, queue.key, queue.filters) == ("status-index", ("status", Status.DISPATCHED.value), {})


def test_a_handler_asking_for_another_units_orders_is_refused() -> None:
    handler = caller(Role.DEPARTMENT_HANDLER, department="transport")
    with pytest.raises(Forbidden, match="unit's work orders"):
        order_list(handler, department="public_security", community_id=None, status=None, overdue=None)


def test_a_community_head_asking_for_a_foreign_community_is_refused() -> None:
    head = caller(Role.COMMUNITY_HEAD, community_id=COMMUNITY, county_code=COUNTY)
    with pytest.raises(Forbidden, match="community's work orders"):
        order_list(head, department=None, community_id=FOREIGN_COMMUNITY, status=None, overdue=None)


def test_unit_figures_are_the_handlers_own_unit_or_every_unit() -> None:
    assert figure_units(caller(Role.DEPARTMENT_HANDLER, department="transport"), None) == ["transport"]
    assert figure_units(caller(Role.HOTLINE_OPERATOR), None) == [unit.value for unit in Department]
    assert figure_units(caller(Role.COMMANDER), "civil_affairs") == ["civil_affairs"]


def test_unit_figures_are_city_wide_so_a_county_commander_is_refused() -> None:
    with pytest.raises(Forbidden, match="unit figures"):
        figure_units(caller(Role.COMMANDER, county_code=COUNTY), None)
    with pytest.raises(Forbidden):
        figure_units(caller(Role.DEPARTMENT_HANDLER, department="transport"), "public_security")


# -- checkpoints -----------------------------------------------------------------------------------------
class FakeCheckpoint:
    def __init__(self, checkpoint_id: str, community_id: str) -> None:
        self.checkpoint_id = checkpoint_id
        self.community_id = community_id


class FakeRegistry:
    """The reads ``checkpoints_in_scope`` makes, over a fixed list; it records which were made."""

    def __init__(self, checkpoints: list[FakeCheckpoint]) -> None:
        self.checkpoints = checkpoints
        self.reads: list[str] = []

    def find(self, checkpoint_id: str) -> FakeCheckpoint | None:
        self.reads.append(f"find {checkpoint_id}")
        return next((cp for cp in self.checkpoints if cp.checkpoint_id == checkpoint_id), None)

    def in_community(self, community_id: str) -> list[FakeCheckpoint]:
        self.reads.append(f"community {community_id}")
        return [cp for cp in self.checkpoints if cp.community_id == community_id]

    def in_county(self, county_code: str) -> list[FakeCheckpoint]:
        self.reads.append(f"county {county_code}")
        return [cp for cp in self.checkpoints if cp.community_id.startswith(county_code)]


REGISTRY = [FakeCheckpoint("cp-east-gate", COMMUNITY), FakeCheckpoint("cp-far-gate", FOREIGN_COMMUNITY)]


def listed(principal: Principal, registry: FakeRegistry, **filters: str | None) -> list[str]:
    wanted = {"community_id": None, "county_code": None, **filters}
    found = service.checkpoints_in_scope(principal, registry, **wanted)  # type: ignore[arg-type]
    return [cp.checkpoint_id for cp in found]


def test_checkpoint_staff_see_only_their_own_checkpoint() -> None:
    staff = caller(Role.CHECKPOINT_STAFF, checkpoint_id="cp-east-gate", community_id=COMMUNITY, county_code=COUNTY)
    registry = FakeRegistry(REGISTRY)
    assert listed(staff, registry) == ["cp-east-gate"]
    assert registry.reads == ["find cp-east-gate"]


def test_a_community_head_without_a_filter_lists_their_community() -> None:
    registry = FakeRegistry(REGISTRY)
    assert listed(caller(Role.COMMUNITY_HEAD, community_id=COMMUNITY, county_code=COUNTY), registry) == ["cp-east-gate"]
    assert registry.reads == [f"community {COMMUNITY}"]


def test_a_county_commander_lists_their_county_and_a_city_commander_every_county() -> None:
    county = FakeRegistry(REGISTRY)
    assert listed(caller(Role.COMMANDER, county_code=COUNTY), county) == ["cp-east-gate"]
    assert county.reads == [f"county {COUNTY}"]
    city = FakeRegistry(REGISTRY)
    assert sorted(listed(caller(Role.COMMANDER), city)) == ["cp-east-gate", "cp-far-gate"]
    assert len(city.reads) == len(regions.COUNTIES)


def test_a_foreign_community_or_county_is_refused_before_anything_is_read() -> None:
    registry = FakeRegistry(REGISTRY)
    with pytest.raises(Forbidden, match="community's checkpoints"):
        listed(caller(Role.COMMUNITY_HEAD, community_id=COMMUNITY, county_code=COUNTY), registry, community_id=FOREIGN_COMMUNITY)
    with pytest.raises(Forbidden, match="county"):
        listed(caller(Role.COMMANDER, county_code=COUNTY), registry, county_code=OTHER_COUNTY)
    assert registry.reads == []


class FakeLedger:
    def __init__(self, per_county: Mapping[str, Mapping[str, int]]) -> None:
        self.per_county = per_county

    def day_stats(self, level: Level, scope_id: str, day: str) -> DayStats:
        counts = self.per_county.get(scope_id, {})
        return summarize(level, scope_id, day, [{"sk": "h#09", **counts}] if counts else [])


def test_city_statistics_add_the_counties_but_not_their_unique_persons() -> None:
    # Given two counties with scans on the day, each with its own unique persons
    ledger = FakeLedger({COUNTY: {"scans": 5, UNIQUE_DAY: 4}, OTHER_COUNTY: {"scans": 2, UNIQUE_DAY: 2}})
    # When a city commander reads the city's day
    day = service.city_day(caller(Role.COMMANDER), ledger, "2026-02-01")  # type: ignore[arg-type]
    # Then scans add up, every county is listed with its own unique persons, and the city has none
    assert day["level"] == "city" and day["date"] == "2026-02-01" and len(day["counties"]) == len(regions.COUNTIES)
    assert day["totals"]["scans"] == 7 and "unique_persons" not in day["totals"]
    by_county = {county["county_code"]: county["totals"] for county in day["counties"]}
    assert by_county[COUNTY]["unique_persons"] == 4 and by_county[OTHER_COUNTY]["scans"] == 2


def test_city_statistics_refuse_a_county_commander() -> None:
    with pytest.raises(Forbidden):
        service.city_day(caller(Role.COMMANDER, county_code=COUNTY), FakeLedger({}), "2026-02-01")  # type: ignore[arg-type]
