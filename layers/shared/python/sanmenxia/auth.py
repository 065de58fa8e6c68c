"""Who is calling, in which role and scope, and the one place where scope is checked.

Roles are Cognito groups; scope is in custom attributes of the user pool (``custom:county_code``,
``custom:community_id``, ``custom:checkpoint_id``, ``custom:department``, ``custom:enterprise_id``,
``custom:lab_id``).
API Gateway's Cognito authorizer has verified the ID token and passes its claims in
``requestContext.authorizer.claims``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sanmenxia.errors import Forbidden, Unauthorized


class Role(StrEnum):
    """The platform's roles (Cognito groups)."""

    RESIDENT = "resident"  # 居民
    CHECKPOINT_STAFF = "checkpoint_staff"  # 检测点工作人员
    COMMUNITY_HEAD = "community_head"  # 社区(村)负责人
    HOTLINE_OPERATOR = "hotline_operator"  # 12345 话务员
    DEPARTMENT_HANDLER = "department_handler"  # 责任单位承办人
    ENTERPRISE_ADMIN = "enterprise_admin"  # 企业管理员
    SUPPLIES_OFFICER = "supplies_officer"  # 物资保障人员
    COMMANDER = "commander"  # 指挥部
    ADMIN = "admin"  # 系统管理员
    LAB = "lab"  # 核酸检测机构

    @property
    def is_staff(self) -> bool:
        return self is not Role.RESIDENT


#: Scope attributes (custom:<name>) and the roles that must carry them.
SCOPE_ATTRIBUTES = ("county_code", "community_id", "checkpoint_id", "department", "enterprise_id", "lab_id")
REQUIRED_SCOPE: dict[Role, tuple[str, ...]] = {
    Role.CHECKPOINT_STAFF: ("checkpoint_id",),
    Role.COMMUNITY_HEAD: ("community_id",),
    Role.DEPARTMENT_HANDLER: ("department",),
    Role.ENTERPRISE_ADMIN: ("enterprise_id",),
    Role.LAB: ("lab_id",),
}


@dataclass(frozen=True)
class Access:
    """A route's declaration: which roles may call it, or ``public``."""

    roles: frozenset[Role] = frozenset()
    public: bool = False

    def describe(self) -> str:
        return "public" if self.public else ", ".join(sorted(self.roles))


PUBLIC = Access(public=True)


def allow(*roles: Role) -> Access:
    """Declare the roles that may call a route (a signed-in caller with none of them gets 403)."""
    if not roles:
        raise ValueError("declare at least one role, or use PUBLIC")
    return Access(roles=frozenset(roles))


#: Everyone signed in (residents and all staff).
ANY_SIGNED_IN = allow(*Role)


@dataclass(frozen=True)
class Principal:
    """The signed-in caller."""

    sub: str
    username: str
    roles: frozenset[Role]
    scope: Mapping[str, str] = field(default_factory=dict)

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_staff(self) -> bool:
        return any(role.is_staff for role in self.roles)

    @property
    def primary_role(self) -> str:
        staff = sorted(role.value for role in self.roles if role.is_staff)
        return staff[0] if staff else Role.RESIDENT.value

    def scope_value(self, name: str) -> str | None:
        return self.scope.get(name) or None

    # -- scope shorthands: each builds the record's ``Place`` and asks ``sanmenxia.scope`` (the one model) --
    def require_community(self, community_id: str, county_code: str | None = None) -> None:
        """A community's records: its community head; commanders of its county, or of the city; admins."""
        from sanmenxia.scope import Place, require

        require(self, Place(county_code=county_code, community_id=community_id), what="this community's records")

    def require_city(self) -> None:
        """City-wide figures: admins and commanders without a county (a county commander sees their county)."""
        from sanmenxia.scope import CITY, require

        require(self, CITY, what="city-wide figures")

    def require_county(self, county_code: str) -> None:
        from sanmenxia.scope import Place, require

        require(self, Place(county_code=county_code), what="this county's records")

    def require_checkpoint(self, checkpoint_id: str, community_id: str | None = None) -> None:
        from sanmenxia.scope import Place, require

        require(self, Place(community_id=community_id, checkpoint_id=checkpoint_id), what="this checkpoint")

    def require_department(self, department: str) -> None:
        """A department's own records (not work orders: those are hotline places, see ``sanmenxia.hotline.access``)."""
        from sanmenxia.scope import Place, require

        require(self, Place(department=department), what="this department's records")

    def require_enterprise_record(self, enterprise_id: str, county_code: str) -> None:
        """An enterprise's records (return to work 复工复产): its own enterprise admin; commanders of its
        county, or of the city; admins."""
        from sanmenxia.scope import Place, require

        require(self, Place(county_code=county_code, enterprise_id=enterprise_id), what="this enterprise")

    def require_lab(self, lab_id: str) -> None:
        """A lab's results (核酸检测结果): the lab itself; admins."""
        from sanmenxia.scope import Place, require

        require(self, Place(lab_id=lab_id), what="this lab's results")

    def require_supply_unit(self, unit_kind: str, unit_id: str, county_code: str | None = None) -> None:
        """A requesting unit's supplies (应急物资): supplies officers; commanders of the unit's county, or of the
        city; admins; a community head for their community, a department handler for their department, an
        enterprise admin for their enterprise."""
        from sanmenxia.scope import Desk, Place, require

        place = Place(
            desk=Desk.SUPPLIES,
            county_code=county_code,
            community_id=unit_id if unit_kind == "community" else None,
            department=unit_id if unit_kind == "department" else None,
            enterprise_id=unit_id if unit_kind == "enterprise" else None,
        )
        require(self, place, what="this unit's supplies")


def _groups(raw: Any) -> list[str]:
    """``cognito:groups`` arrives as a list, a JSON list, ``"[a b]"`` or ``"a,b"`` depending on the path."""
    if raw is None:
        return []
    if isinstance(raw, list):
        return [str(item) for item in raw]
    text = str(raw).strip()
    if text.startswith("[") and text.endswith("]"):
        try:
            parsed = json.loads(text)
            if isinstance(parsed, list):
                return [str(item) for item in parsed]
        except ValueError:
            text = text[1:-1]
    return [part for part in text.replace(",", " ").split() if part]


def principal_from_claims(claims: Mapping[str, Any] | None) -> Principal | None:
    """Build the caller from the authorizer's claims; ``None`` when the request carries none."""
    if not claims or not claims.get("sub"):
        return None
    roles: set[Role] = set()
    for group in _groups(claims.get("cognito:groups")):
        try:
            roles.add(Role(group))
        except ValueError:
            continue
    if not roles:
        # A confirmed account in no group is a citizen who signed up themselves (the PostConfirmation trigger
        # adds them to "resident"; until it has, they are residents all the same). Staff are always in a group.
        roles.add(Role.RESIDENT)
    scope = {name: str(claims[f"custom:{name}"]) for name in SCOPE_ATTRIBUTES if claims.get(f"custom:{name}")}
    username = str(claims.get("cognito:username") or claims.get("username") or claims["sub"])
    return Principal(sub=str(claims["sub"]), username=username, roles=frozenset(roles), scope=scope)


def authorize(access: Access, principal: Principal | None) -> Principal | None:
    """Apply a route's declaration: 401 without a caller, 403 without a declared role."""
    if access.public:
        return principal
    if principal is None:
        raise Unauthorized("sign in first")
    if not principal.roles.intersection(access.roles):
        raise Forbidden(f"this action needs one of the roles: {access.describe()}")
    return principal


def roles_from(values: Iterable[str]) -> frozenset[Role]:
    return frozenset(Role(value) for value in values)
