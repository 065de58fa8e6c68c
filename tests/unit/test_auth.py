"""Roles and scope from the authorizer's claims; the scope checks in one place."""

from __future__ import annotations

import pytest

from sanmenxia.auth import PUBLIC, Role, allow, authorize, principal_from_claims
from sanmenxia.errors import Forbidden, Unauthorized


@pytest.mark.parametrize("groups", [["commander"], '["commander"]', "[commander]", "commander", "commander,unknown"])
def test_groups_arrive_in_every_shape_api_gateway_uses(groups: object) -> None:
    principal = principal_from_claims({"sub": "s", "cognito:groups": groups})
    assert principal is not None
    assert principal.roles == frozenset({Role.COMMANDER})


def test_an_account_in_no_group_is_a_resident() -> None:
    principal = principal_from_claims({"sub": "s"})
    assert principal is not None and principal.roles == frozenset({Role.RESIDENT})


def test_no_claims_is_no_principal_and_401_on_a_protected_route() -> None:
    assert principal_from_claims(None) is None
    with pytest.raises(Unauthorized):
        authorize(allow(Role.RESIDENT), None)
    assert authorize(PUBLIC, None) is None


def test_wrong_role_is_403() -> None:
    principal = principal_from_claims({"sub": "s", "cognito:groups": ["resident"]})
    with pytest.raises(Forbidden):
        authorize(allow(Role.COMMANDER), principal)


def test_community_scope() -> None:
    head = principal_from_claims({"sub": "h", "cognito:groups": "community_head", "custom:community_id": "411202-001"})
    county = principal_from_claims({"sub": "c", "cognito:groups": "commander", "custom:county_code": "411202"})
    city = principal_from_claims({"sub": "m", "cognito:groups": "commander"})
    assert head and county and city
    head.require_community("411202-001")
    county.require_community("411202-007")
    city.require_community("411282-001")
    with pytest.raises(Forbidden):
        head.require_community("411202-002")
    with pytest.raises(Forbidden):
        county.require_community("411282-001")


def test_checkpoint_and_department_scope() -> None:
    staff = principal_from_claims({"sub": "s", "cognito:groups": "checkpoint_staff", "custom:checkpoint_id": "cp-1"})
    handler = principal_from_claims({"sub": "d", "cognito:groups": "department_handler", "custom:department": "public_security"})
    assert staff and handler
    staff.require_checkpoint("cp-1")
    handler.require_department("public_security")
    with pytest.raises(Forbidden):
        staff.require_checkpoint("cp-2")
    with pytest.raises(Forbidden):
        handler.require_department("market_regulation")
