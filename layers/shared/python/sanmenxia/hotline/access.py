"""Who may see and handle which work order: the scope rules of the hotline, built only from
``Principal.require_department`` and ``Principal.require_community``.

* Operators, commanders and admins see every order (``require_department`` lets them through).
* A department handler sees and handles the orders of their own unit (``custom:department``).
* A community head sees the orders of their own community, and handles the ones routed to
  ``community_affairs`` there (help messages: 求助留言 reach the community).
* The hotline centre answers directly only orders it has not dispatched yet.
"""

from __future__ import annotations

from sanmenxia.auth import Principal, Role
from sanmenxia.errors import Forbidden
from sanmenxia.hotline.orders import Status, WorkOrder
from sanmenxia.hotline.routing import Department


def _unit(order: WorkOrder) -> str:
    return order.department or Department.HOTLINE_CENTER.value


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
