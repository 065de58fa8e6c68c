"""Who may see and handle which work order: the scope rules of the hotline, built only from
``Principal.require_department`` and ``Principal.require_community``.

* Operators, commanders and admins see every order (``require_department`` lets them through).
* A department handler sees and handles the orders of their own unit (``custom:department``).
* A community head sees the orders of their own community, and handles the ones routed to
  ``community_affairs`` there (help messages: 求助留言 reach the community).
* The hotline centre answers directly only orders it has not dispatched yet.
* An order that follows a record handled at its source (a hardship request, handled by the community head on
  the community screen) is moved only by that record; the hotline still calls back, closes and takes ratings.
"""

from __future__ import annotations

from sanmenxia.auth import Principal, Role
from sanmenxia.contracts import WorkOrderSource
from sanmenxia.errors import Conflict, Forbidden
from sanmenxia.hotline.orders import Action, Status, WorkOrder
from sanmenxia.hotline.routing import Department


def _unit(order: WorkOrder) -> str:
    return order.department or Department.HOTLINE_CENTER.value


#: Sources whose orders follow their record (``WorkOrderProgress``) instead of being worked on as orders.
FOLLOWING_SOURCES = frozenset({WorkOrderSource.HARDSHIP})
#: What only the source record may do to such an order.
MOVED_AT_SOURCE = frozenset({Action.DISPATCH, Action.ACCEPT, Action.RETURN, Action.REPLY, Action.REOPEN, Action.MERGE})


def require_movable(order: WorkOrder, action: Action) -> None:
    """409 when ``action`` would move an order that follows its source record from the hotline's side."""
    if order.source in FOLLOWING_SOURCES and action in MOVED_AT_SOURCE:
        raise Conflict("this order follows a hardship request that the community head handles on the community screen", field="source")


def require_view(principal: Principal, order: WorkOrder) -> None:
    """403 unless the order is in the caller's unit or community (or the caller oversees all orders)."""
    try:
        principal.require_department(_unit(order))
    except Forbidden:
        if order.community_id is None:
            raise
        principal.require_community(order.community_id, order.county_code)


def require_handle(principal: Principal, order: WorkOrder) -> None:
    """403 unless the caller may accept, return or reply to the order."""
    if order.department == Department.COMMUNITY_AFFAIRS.value and order.community_id and principal.has(Role.COMMUNITY_HEAD):
        principal.require_community(order.community_id, order.county_code)
        return
    principal.require_department(_unit(order))
    unit_staff = principal.has(Role.DEPARTMENT_HANDLER, Role.ADMIN)
    if not unit_staff and order.status is not Status.RECEIVED:
        raise Forbidden("the hotline answers directly only orders it has not dispatched; the unit handles this one")
