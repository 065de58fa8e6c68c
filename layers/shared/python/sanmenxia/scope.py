"""The one scope model (DESIGN.md §8): may this caller read or write a record that lives *there*?

A record's own location is a ``Place``: its county, community, checkpoint, department (responsible unit),
enterprise, owner (own record) and household, and the business desk it belongs to (the hotline's work
orders, the supplies ledger). ``decide`` is the only function that compares a caller's scope with a place;
``require`` raises ``Forbidden`` with the missing scope in words. Every route's scope check goes through it,
directly or through the ``Principal.require_*`` shorthands, which only build a ``Place``.

Per role, what puts a place in scope:

* ``admin``: everything;
* ``commander``: a city commander (no ``county_code``) every place; a county commander only places in their
  county, so nothing city-wide and nothing of another county (orders, tip-offs, lists, dashboards, imports,
  enterprises, supplies);
* ``hotline_operator``: places on the hotline desk (work orders, tip-offs) — the city's dispatch centre;
* ``supplies_officer``: places on the supplies desk;
* ``department_handler``: places of their own department;
* ``community_head``: places of their own community;
* ``checkpoint_staff``: places of their own checkpoint;
* ``enterprise_admin``: places of their own enterprise;
* ``lab``: places of their own lab (its uploads and results; 核酸检测机构);
* ``resident``: their own records and their household's.

On top of the role's own dimension, a staff member who carries a ``county_code`` stays inside it: a place
of another county is out of scope whatever else matches. Reads and writes follow the same rule (``action``
only words the refusal); what differs between reading and writing is a role question, declared per route.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from sanmenxia.auth import Principal, Role
from sanmenxia.errors import Forbidden


class Action(StrEnum):
    READ = "read"
    WRITE = "write"


class Desk(StrEnum):
    """Business desks whose city-wide roles see every place on them."""

    HOTLINE = "hotline"  # 12345 work orders and tip-offs
    SUPPLIES = "supplies"  # 应急物资


@dataclass(frozen=True)
class Place:
    """Where a record lives. Unknown dimensions stay ``None``; a place with no county is city-wide."""

    county_code: str | None = None
    community_id: str | None = None
    checkpoint_id: str | None = None
    department: str | None = None
    enterprise_id: str | None = None
    lab_id: str | None = None
    owner_sub: str | None = None
    household_subs: frozenset[str] = field(default_factory=frozenset)
    desk: Desk | None = None

    @property
    def county(self) -> str | None:
        """The county, given or read from the community id (``411202-001`` is in 411202)."""
        if self.county_code:
            return self.county_code
        if self.community_id and "-" in self.community_id:
            return self.community_id.split("-")[0]
        return None


CITY = Place()


#: The scope attribute that bounds each role to part of the city (a county commander: ``county_code``; a
#: resident: their own records, ``owner``). The roles absent here see the whole city, or their whole desk. The
#: authorization matrix (tests/e2e/test_authorization_matrix.py) gives every role here foreign-scope rows.
SCOPED_BY: dict[Role, str] = {
    Role.COMMANDER: "county_code",
    Role.DEPARTMENT_HANDLER: "department",
    Role.COMMUNITY_HEAD: "community_id",
    Role.CHECKPOINT_STAFF: "checkpoint_id",
    Role.ENTERPRISE_ADMIN: "enterprise_id",
    Role.LAB: "lab_id",
    Role.RESIDENT: "owner",
}
#: The roles whose scope is one record attribute (the place's dimension of the same name).
_DIMENSION_ROLES = (Role.DEPARTMENT_HANDLER, Role.COMMUNITY_HEAD, Role.CHECKPOINT_STAFF, Role.ENTERPRISE_ADMIN, Role.LAB)


def _own(principal: Principal, name: str) -> str | None:
    return principal.scope_value(name)


def _by_role(role: Role, principal: Principal, place: Place) -> str | None:
    """``None`` when ``role`` puts ``place`` in scope, else the missing scope in words."""
    if role is Role.ADMIN:
        return None
    if role is Role.COMMANDER:
        own = _own(principal, "county_code")
        if own is None or own == place.county:
            return None
        return f"city-wide scope (yours: county {own})" if place.county is None else f"the scope of the record's county (yours: county {own})"
    if role is Role.HOTLINE_OPERATOR:
        return None if place.desk is Desk.HOTLINE else "a scope on the 12345 hotline desk (this record is not a work order or tip-off)"
    if role is Role.SUPPLIES_OFFICER:
        return None if place.desk is Desk.SUPPLIES else "a scope on the supplies desk"
    if role in _DIMENSION_ROLES:
        name = SCOPED_BY[role]
        wanted = getattr(place, name)
        own = _own(principal, name)
        label = name.removesuffix("_id").replace("_", " ")
        if wanted is not None and own == wanted:
            return None
        return f"the scope of the record's {label} (yours: {own or 'none'})" if wanted else f"a {label} scope (this record belongs to no {label})"
    # resident
    if place.owner_sub is not None and place.owner_sub == principal.sub:
        return None
    if principal.sub in place.household_subs:
        return None
    return "own-record scope (this record is not yours or your household's)"


def decide(principal: Principal, place: Place, action: Action = Action.READ) -> str | None:
    """Whether ``place`` is in the caller's scope for ``action``: ``None`` if it is, else what is missing.

    Any of the caller's roles may put the place in scope; a staff member's ``county_code`` bounds all of them.
    """
    own_county = _own(principal, "county_code")
    if not principal.has(Role.ADMIN) and principal.is_staff and own_county and place.county and place.county != own_county:
        staff_roles = [role for role in principal.roles if role.is_staff]
        own_records = Role.RESIDENT in principal.roles and _by_role(Role.RESIDENT, principal, place) is None
        if staff_roles and not own_records:
            return f"the scope of the record's county (yours: county {own_county})"
    missing: list[str] = []
    for role in sorted(principal.roles):
        reason = _by_role(role, principal, place)
        if reason is None:
            return None
        missing.append(reason)
    return "; ".join(missing) or "a role"


def allowed(principal: Principal, place: Place, action: Action = Action.READ) -> bool:
    return decide(principal, place, action) is None


def require(principal: Principal, place: Place, action: Action = Action.READ, *, what: str = "this record") -> None:
    """Raise ``Forbidden`` naming the missing scope unless ``place`` is in the caller's scope."""
    missing = decide(principal, place, action)
    if missing is not None:
        raise Forbidden(f"{what} is outside your scope for {action.value}: it needs {missing}")


def county_bound(principal: Principal) -> str | None:
    """The county a caller's lists are bounded to (``None``: no county bound — city-wide or another bound)."""
    if principal.has(Role.ADMIN) or not principal.is_staff:
        return None
    return _own(principal, "county_code")


def is_city_wide(principal: Principal) -> bool:
    """Admins and city commanders: the callers for whom the city itself is in scope."""
    return allowed(principal, CITY)
