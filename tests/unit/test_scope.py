"""The one scope model: for a caller and a record's own place, in scope or the missing scope in words."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanmenxia import scope
from sanmenxia.auth import Principal, principal_from_claims
from sanmenxia.errors import Forbidden
from sanmenxia.scope import CITY, Action, Desk, Place


def who(role: str, **attributes: str) -> Principal:
    claims: dict[str, Any] = {"sub": f"sub-{role}", "cognito:groups": role}
    claims.update({f"custom:{name}": value for name, value in attributes.items()})
    principal = principal_from_claims(claims)
    assert principal is not None
    return principal


ADMIN = who("admin")
CITY_COMMANDER = who("commander")
SHANZHOU_COMMANDER = who("commander", county_code="411203")
OPERATOR = who("hotline_operator")
HANDLER = who("department_handler", department="public_security")
HEAD = who("community_head", community_id="411202-001", county_code="411202")
STAFF = who("checkpoint_staff", checkpoint_id="cp-a", community_id="411202-001", county_code="411202")
ENTERPRISE = who("enterprise_admin", enterprise_id="ent-1")
OFFICER = who("supplies_officer")
RESIDENT = who("resident")

HUBIN_ORDER = Place(county_code="411202", community_id="411202-001", department="public_security", desk=Desk.HOTLINE)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize(
    ("caller", "place", "in_scope"),
    [
        (ADMIN, HUBIN_ORDER, True),
        (CITY_COMMANDER, HUBIN_ORDER, True),
        (SHANZHOU_COMMANDER, HUBIN_ORDER, False),  # issue 12, defect 2
        (SHANZHOU_COMMANDER, Place(county_code="411203", department="public_security", desk=Desk.HOTLINE), True),
        (SHANZHOU_COMMANDER, CITY, False),
        (CITY_COMMANDER, CITY, True),
        (OPERATOR, HUBIN_ORDER, True),
        (OPERATOR, Place(community_id="411202-001"), False),  # residents' records are not on the hotline desk
        (HANDLER, HUBIN_ORDER, True),
        (HANDLER, Place(county_code="411202", department="market_regulation", desk=Desk.HOTLINE), False),
        (HEAD, HUBIN_ORDER, True),
        (HEAD, Place(community_id="411202-002"), False),
        (HEAD, Place(county_code="411202"), False),  # a county's records need a county scope
        (STAFF, Place(checkpoint_id="cp-a", community_id="411202-001"), True),
        (STAFF, Place(checkpoint_id="cp-b", community_id="411202-001"), False),
        (STAFF, Place(community_id="411202-001"), False),  # staff have a checkpoint, not a community
        (ENTERPRISE, Place(enterprise_id="ent-1", county_code="411202"), True),
        (ENTERPRISE, Place(enterprise_id="ent-2", county_code="411202"), False),
        (OFFICER, Place(desk=Desk.SUPPLIES, department="health_commission"), True),
        (OFFICER, HUBIN_ORDER, False),
        (SHANZHOU_COMMANDER, Place(desk=Desk.SUPPLIES, department="health_commission"), False),  # not county-bound: city-wide
        (RESIDENT, Place(owner_sub="sub-resident"), True),
        (RESIDENT, Place(owner_sub="someone-else"), False),
        (RESIDENT, Place(owner_sub="head-of-household", household_subs=frozenset({"sub-resident"})), True),
        (RESIDENT, HUBIN_ORDER, False),
    ],
)
def test_who_is_in_scope_of_which_place(caller: Principal, place: Place, in_scope: bool, action: Action) -> None:
    assert scope.allowed(caller, place, action) is in_scope


def test_a_refusal_says_which_scope_was_missing_without_naming_the_foreign_place() -> None:
    with pytest.raises(Forbidden) as refused:
        scope.require(SHANZHOU_COMMANDER, HUBIN_ORDER, Action.WRITE, what="this work order")
    message = refused.value.message
    assert "county" in message and "411203" in message and "write" in message
    assert "411202" not in message


def test_a_county_bound_staff_member_stays_in_their_county_whatever_else_matches() -> None:
    bound_handler = who("department_handler", department="public_security", county_code="411203")
    assert not scope.allowed(bound_handler, HUBIN_ORDER)
    assert scope.allowed(bound_handler, Place(county_code="411203", department="public_security", desk=Desk.HOTLINE))


def test_lists_are_bounded_to_a_county_commanders_county() -> None:
    assert scope.county_bound(SHANZHOU_COMMANDER) == "411203"
    assert scope.county_bound(CITY_COMMANDER) is None
    assert scope.county_bound(ADMIN) is None
    assert scope.is_city_wide(CITY_COMMANDER) and not scope.is_city_wide(SHANZHOU_COMMANDER)


COUNTIES = st.sampled_from(["411202", "411203", "411221", "411224", "411281", "411282"])


@given(COUNTIES, COUNTIES, st.integers(1, 9))
def test_a_county_commander_is_in_scope_exactly_in_their_own_county(own: str, other: str, n: int) -> None:
    commander = who("commander", county_code=own)
    place = Place(community_id=f"{other}-00{n}", desk=Desk.HOTLINE, department="public_security")
    assert scope.allowed(commander, place) is (own == other)
