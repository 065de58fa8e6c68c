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
* An order that follows a record handled at its source (a hardship request, handled by the community head on
  the community screen) is moved only by that record; the hotline still calls back, closes and takes ratings.
"""

from __future__ import annotations

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
