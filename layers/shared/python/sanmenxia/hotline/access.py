"""Who may see and handle which work order: each order's ``Place`` on the hotline desk, decided by the one
scope model (``sanmenxia.scope``).

* Operators (the dispatch centre) and admins see every order; a commander the orders of their county (a
  city commander every order).
* A department handler sees and handles the orders of their own unit (``custom:department``).
* A community head sees the orders of their own community, and handles the ones routed to
  ``community_affairs`` there (help messages: 求助留言 reach the community).
* An assisting unit (协办) sees the order and answers the lead unit; only the lead unit replies, returns or asks
  for more time.
* The hotline centre answers directly only orders it has not dispatched yet.
* An unfiltered list is the caller's own: their unit's, their community's, or the dispatch queue
  (``order_list``); unit figures are city-wide (``figure_units``).
* An order that follows a record handled at its source (a hardship request, handled by the community head on
  the community screen) is moved only by that record; the hotline still calls back, closes and takes ratings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sanmenxia import scope
from sanmenxia.auth import Principal, Role
from sanmenxia.contracts import WorkOrderSource
from sanmenxia.errors import Conflict, Forbidden
from sanmenxia.hotline.routing import Department
from sanmenxia.hotline.rules import Action, Status, WorkOrder
from sanmenxia.scope import Action as ScopeAction
from sanmenxia.scope import Desk, Place


def _unit(order: WorkOrder) -> str:
    return order.department or Department.HOTLINE_CENTER.value


def order_place(order: WorkOrder) -> Place:
    """Where an order lives: its county and community, its responsible unit, the hotline desk."""
    return Place(county_code=order.county_code, community_id=order.community_id, department=_unit(order), desk=Desk.HOTLINE)


#: Sources whose orders follow their record (``WorkOrderProgress``) instead of being worked on as orders.
FOLLOWING_SOURCES = frozenset({WorkOrderSource.HARDSHIP})
#: What only the source record may do to such an order.
MOVED_AT_SOURCE = frozenset({Action.DISPATCH, Action.ACCEPT, Action.RETURN, Action.REPLY, Action.REOPEN, Action.MERGE})


def require_movable(order: WorkOrder, action: Action) -> None:
    """409 when ``action`` would move an order that follows its source record from the hotline's side."""
    if order.source in FOLLOWING_SOURCES and action in MOVED_AT_SOURCE:
        raise Conflict("this order follows a hardship request that the community head handles on the community screen", field="source")


def assist_place(order: WorkOrder, department: str) -> Place:
    """Where an order lives for one of its assisting units."""
    return Place(county_code=order.county_code, community_id=order.community_id, department=department, desk=Desk.HOTLINE)


def require_view(principal: Principal, order: WorkOrder) -> None:
    """403 unless the order is in the caller's scope (its lead unit's, or an assisting unit's)."""
    unit = principal.scope_value("department")
    if principal.has(Role.DEPARTMENT_HANDLER) and unit and order.assists_with(unit):
        scope.require(principal, assist_place(order, unit), what="this work order")
        return
    scope.require(principal, order_place(order), what="this work order")


def require_assist(principal: Principal, order: WorkOrder, department: str) -> None:
    """403 unless ``department`` assists on the order and the caller may write for it."""
    if not order.assists_with(department):
        raise Forbidden("your unit does not assist on this work order")
    scope.require(principal, assist_place(order, department), ScopeAction.WRITE, what="this work order")


def require_oversee(principal: Principal, order: WorkOrder) -> None:
    """Hotline-wide actions (dispatch, revisit, reopen, close): the dispatch centre, commanders of the order's
    county (or of the city), admins; community heads and other units never."""
    place = Place(county_code=order.county_code, department=Department.HOTLINE_CENTER.value, desk=Desk.HOTLINE)
    scope.require(principal, place, ScopeAction.WRITE, what="this work order")


def require_handle(principal: Principal, order: WorkOrder) -> None:
    """403 unless the caller may accept, return or reply to the order."""
    community_order = order.department == Department.COMMUNITY_AFFAIRS.value and order.community_id is not None
    place = Place(
        county_code=order.county_code,
        community_id=order.community_id if community_order else None,
        department=_unit(order),
        desk=Desk.HOTLINE,
    )
    scope.require(principal, place, ScopeAction.WRITE, what="this work order")
    if community_order and principal.has(Role.COMMUNITY_HEAD):
        return
    unit_staff = principal.has(Role.DEPARTMENT_HANDLER, Role.ADMIN)
    if not unit_staff and order.status is not Status.RECEIVED:
        raise Forbidden("the hotline answers directly only orders it has not dispatched; the unit handles this one")


@dataclass(frozen=True)
class OrderList:
    """Which list of work orders a caller reads: an index, its key and the filters, in the caller's scope."""

    index: str
    key: tuple[str, str]
    filters: dict[str, Any]


def order_list(principal: Principal, *, department: str | None, community_id: str | None, status: Status | None, overdue: bool | None) -> OrderList:
    """The list a caller asked for, or without a filter their own (their unit's, their community's, or the
    dispatch queue); 403 naming the missing scope when it is not theirs. A county-bound caller's list stays in
    their county."""
    if department is None and community_id is None:
        if principal.has(Role.DEPARTMENT_HANDLER) and principal.scope_value("department"):
            department = Department(str(principal.scope_value("department"))).value
        elif principal.has(Role.COMMUNITY_HEAD) and principal.scope_value("community_id"):
            community_id = principal.scope_value("community_id")
    bound = scope.county_bound(principal)
    filters: dict[str, Any] = {}
    if overdue is not None:
        filters["overdue"] = overdue
    if bound:
        filters["county_code"] = bound
    if department is not None:
        scope.require(principal, Place(county_code=bound, department=department, desk=Desk.HOTLINE), what="this unit's work orders")
        return OrderList("department-index", ("department", department), _with_status(filters, status))
    if community_id is not None:
        scope.require(principal, Place(community_id=community_id, desk=Desk.HOTLINE), what="this community's work orders")
        return OrderList("community-index", ("community_id", community_id), _with_status(filters, status))
    scope.require(principal, Place(county_code=bound, department=Department.HOTLINE_CENTER.value, desk=Desk.HOTLINE), what="the dispatch queue")
    return OrderList("status-index", ("status", (status or Status.RECEIVED).value), filters)


def _with_status(filters: dict[str, Any], status: Status | None) -> dict[str, Any]:
    return filters if status is None else {**filters, "status": status.value}


def figure_units(principal: Principal, department: str | None) -> list[str]:
    """The units whose monthly figures a caller reads: the one asked for, a department handler's own unit, or
    every unit. Unit figures are city-wide (not split by county): a county commander is refused (403)."""
    if department is None and principal.has(Role.DEPARTMENT_HANDLER) and not principal.has(Role.HOTLINE_OPERATOR, Role.COMMANDER, Role.ADMIN):
        department = Department(str(principal.scope_value("department"))).value
    units = [department] if department else [unit.value for unit in Department]
    for unit in units:
        scope.require(principal, Place(department=unit, desk=Desk.HOTLINE), what="these unit figures")
    return units
