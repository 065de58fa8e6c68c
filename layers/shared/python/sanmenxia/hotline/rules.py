"""12345 work orders (工单) and their state machine, as pure functions over plain data.

Lifecycle::

    received 已受理 ──dispatch──> dispatched 已派单 ──accept──> handling 办理中 ──reply──> replied 已答复
       ▲  │  └──────────────────────────reply (direct answer by the hotline centre)──────┘     │
       │  └─merge──> closed                                                             revisit / rate
       └──return (not our remit)── dispatched / handling                                      ▼
                                       ▲                                              revisited 已回访
                                       └──────────────────reopen (unsatisfied, 重办)──────┤
                                                                                      close ▼
                                                                                         closed 已办结

``apply`` takes an order, a command, the actor and the time, and returns the next order with one more
step (who, when, what); it never mutates and never reads the clock. ``escalate`` marks an open order
overdue (超期) and escalates it (督办) when the time has come. Personal text (summary, address, phone) is
carried sealed in ``sealed`` and never looked at here.

Real cases need four more things, all steps on an open (dispatched or handling) order that keep its status:

* urgent 加急: ``urgent`` pulls the reply (and acceptance) limit in to the policy's urgent limit from now, never
  later than it was;
* extension 延期: the lead unit asks (``request_extension``: hours and a reason; one request at a time, at most
  ``max_extensions`` granted); the operator decides (``decide_extension``). Only an approval moves ``due_at``
  (by the hours asked), and with it the overdue mark, the escalation level and the sweep's next check;
* joint handling 协办: the operator adds assisting units (``assist``) to the lead (``department``); each
  assisting unit answers the lead once (``assist_reply``); the lead replies to the citizen (and so finishes the
  handling) only when every assisting unit has answered. Reopening asks the assisting units again.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sanmenxia import texts
from sanmenxia.clock import iso
from sanmenxia.contracts import WorkOrderSource, WorkOrderType
from sanmenxia.errors import Conflict, InvalidInput
from sanmenxia.hotline.routing import Department
from sanmenxia.hotline.sla import SlaPolicy
from sanmenxia.texts import TextCode

#: ``next_check_at`` of an open order that has reached the last escalation level: never checked again.
NEVER = "9999-12-31T00:00:00Z"
#: Assisting units per order at most (协办单位).
MAX_ASSISTS = 5
SYSTEM = "system"


class Status(StrEnum):
    RECEIVED = "received"  # 已受理
    DISPATCHED = "dispatched"  # 已派单
    HANDLING = "handling"  # 办理中
    REPLIED = "replied"  # 已答复
    REVISITED = "revisited"  # 已回访
    CLOSED = "closed"  # 已办结


OPEN_STATUSES = frozenset({Status.RECEIVED, Status.DISPATCHED, Status.HANDLING})


class Action(StrEnum):
    RECEIVE = "receive"  # 受理
    DISPATCH = "dispatch"  # 派单
    RETURN = "return"  # 退回
    ACCEPT = "accept"  # 签收
    REPLY = "reply"  # 答复
    REVISIT = "revisit"  # 回访
    RATE = "rate"  # 市民评价
    REOPEN = "reopen"  # 重办
    CLOSE = "close"  # 办结
    MERGE = "merge"  # 并案
    ESCALATE = "escalate"  # 超期督办
    URGENT = "urgent"  # 加急
    REQUEST_EXTENSION = "request_extension"  # 申请延期
    DECIDE_EXTENSION = "decide_extension"  # 延期审批
    ASSIST = "assist"  # 协办
    ASSIST_REPLY = "assist_reply"  # 协办答复


#: Action → {status before: status after}. ``receive`` and ``escalate`` are applied by ``open_order`` and
#: ``escalate``; the others by ``apply``.
TRANSITIONS: dict[Action, dict[Status, Status]] = {
    Action.DISPATCH: {Status.RECEIVED: Status.DISPATCHED, Status.DISPATCHED: Status.DISPATCHED},
    Action.RETURN: {Status.DISPATCHED: Status.RECEIVED, Status.HANDLING: Status.RECEIVED},
    Action.ACCEPT: {Status.DISPATCHED: Status.HANDLING},
    Action.REPLY: {Status.HANDLING: Status.REPLIED, Status.RECEIVED: Status.REPLIED},
    Action.REVISIT: {Status.REPLIED: Status.REVISITED},
    Action.RATE: {Status.REPLIED: Status.REVISITED, Status.REVISITED: Status.REVISITED, Status.CLOSED: Status.CLOSED},
    Action.REOPEN: {Status.REVISITED: Status.DISPATCHED},
    Action.CLOSE: {Status.REVISITED: Status.CLOSED},
    Action.MERGE: {Status.RECEIVED: Status.CLOSED, Status.DISPATCHED: Status.CLOSED, Status.HANDLING: Status.CLOSED},
    Action.URGENT: {Status.RECEIVED: Status.RECEIVED, Status.DISPATCHED: Status.DISPATCHED, Status.HANDLING: Status.HANDLING},
    Action.REQUEST_EXTENSION: {Status.DISPATCHED: Status.DISPATCHED, Status.HANDLING: Status.HANDLING},
    Action.DECIDE_EXTENSION: {Status.DISPATCHED: Status.DISPATCHED, Status.HANDLING: Status.HANDLING},
    Action.ASSIST: {Status.DISPATCHED: Status.DISPATCHED, Status.HANDLING: Status.HANDLING},
    Action.ASSIST_REPLY: {Status.DISPATCHED: Status.DISPATCHED, Status.HANDLING: Status.HANDLING},
}


class InvalidTransition(Conflict):
    """The action is not possible in the order's current state."""

    code = "invalid_transition"


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff member, the citizen, or the system (routing, the overdue sweep)."""

    sub: str
    name: str
    role: str


ROUTING = Actor(SYSTEM, "routing", SYSTEM)
SWEEP = Actor(SYSTEM, "overdue-sweep", SYSTEM)


@dataclass(frozen=True)
class Step:
    """One recorded state change."""

    action: Action
    status: Status
    at: str
    actor: str
    actor_role: str
    department: str | None = None
    note: str | None = None
    #: a note the system wrote, as a code with params (``sanmenxia.texts``); people's notes have none
    note_text: dict[str, Any] | None = field(default=None, hash=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action.value,
            "status": self.status.value,
            "at": self.at,
            "actor": self.actor,
            "actor_role": self.actor_role,
            "department": self.department,
            "note": self.note,
            "note_code": self.note_text["code"] if self.note_text else None,
            "note_params": self.note_text["params"] if self.note_text else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Step:
        return cls(
            action=Action(data["action"]),
            status=Status(data["status"]),
            at=data["at"],
            actor=data["actor"],
            actor_role=data["actor_role"],
            department=data.get("department"),
            note=data.get("note"),
            note_text={"code": data["note_code"], "params": {k: str(v) for k, v in (data.get("note_params") or {}).items()}} if data.get("note_code") else None,
        )


@dataclass(frozen=True)
class Command:
    """What an actor asks for; which fields matter depends on ``action``."""

    action: Action
    note: str | None = None
    department: str | None = None
    resolved: bool | None = None
    satisfaction: int | None = None
    merged_into: str | None = None
    hours: float | None = None
    approve: bool | None = None
    departments: tuple[str, ...] = ()
    photos: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExtensionRequest:
    """A pending request of the lead unit to extend the reply limit (延期申请)."""

    department: str
    hours: float
    reason: str
    requested_at: str
    requested_by: str

    def to_json(self) -> dict[str, Any]:
        return {"department": self.department, "hours": self.hours, "reason": self.reason, "requested_at": self.requested_at, "requested_by": self.requested_by}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExtensionRequest:
        return cls(str(data["department"]), float(data["hours"]), str(data["reason"]), str(data["requested_at"]), str(data["requested_by"]))


@dataclass(frozen=True)
class Assist:
    """An assisting unit of a jointly handled order (协办单位) and its answer to the lead unit."""

    department: str
    reply: str | None = None
    replied_at: str | None = None
    replied_by: str | None = None
    photos: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"department": self.department, "reply": self.reply, "replied_at": self.replied_at, "replied_by": self.replied_by, "photos": list(self.photos)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Assist:
        return cls(str(data["department"]), data.get("reply"), data.get("replied_at"), data.get("replied_by"), tuple(data.get("photos") or ()))


@dataclass(frozen=True)
class WorkOrder:
    order_id: str
    source: WorkOrderSource
    source_ref: str
    type: WorkOrderType
    status: Status
    created_at: str
    updated_at: str
    due_at: str
    category: str | None = None
    county_code: str | None = None
    community_id: str | None = None
    department: str | None = None
    accept_due_at: str | None = None
    overdue: bool = False
    escalation_level: int = 0
    next_check_at: str | None = None
    requester_sub: str | None = None
    requester_person_id: str | None = None
    sealed: dict[str, str] = field(default_factory=dict)
    attachments: tuple[str, ...] = ()
    reply: str | None = None
    #: a reply the system wrote, as a code with params (``sanmenxia.texts``); a person's reply has none
    reply_text: dict[str, Any] | None = field(default=None, hash=False)
    resolved: bool | None = None
    replied_by: str | None = None
    satisfaction: int | None = None
    related_order_id: str | None = None
    merged_into: str | None = None
    steps: tuple[Step, ...] = ()
    version: int = 0
    urgent: bool = False
    extension: ExtensionRequest | None = None
    extensions_granted: int = 0
    assists: tuple[Assist, ...] = ()
    reply_photos: tuple[str, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def waiting_for(self) -> list[str]:
        """Assisting units that have not answered the lead unit yet."""
        return [assist.department for assist in self.assists if assist.reply is None]

    def assists_with(self, department: str | None) -> bool:
        return department is not None and any(assist.department == department for assist in self.assists)

    def overdue_at(self, at: datetime) -> bool:
        """Overdue as the citizen sees it: marked by the sweep, or open past its reply limit."""
        return self.overdue or (self.is_open and iso(at) > self.due_at)

    def audit_state(self) -> dict[str, Any]:
        """What an audit digest covers: the order without its sealed personal text."""
        return {
            "order_id": self.order_id,
            "status": self.status.value,
            "department": self.department,
            "overdue": self.overdue,
            "escalation_level": self.escalation_level,
            "reply": self.reply,
            "resolved": self.resolved,
            "satisfaction": self.satisfaction,
            "merged_into": self.merged_into,
            "urgent": self.urgent,
            "extension": self.extension.to_json() if self.extension else None,
            "extensions_granted": self.extensions_granted,
            "assists": [assist.to_json() for assist in self.assists],
            "reply_photos": list(self.reply_photos),
            "version": self.version,
        }


def order_id_for(source: WorkOrderSource | str, source_ref: str) -> str:
    """The order's id, derived from (source, source_ref): a source's record maps to exactly one order, so
    intake is idempotent and a tip-off finds its order without a look-up table."""
    raw = hashlib.sha256(f"{WorkOrderSource(source).value}:{source_ref}".encode()).digest()
    return "WO" + base64.b32encode(raw[:10]).decode().rstrip("=")


def known_department(value: str, *, field_name: str = "department") -> Department:
    if value not in Department._value2member_map_:
        raise InvalidInput(f"unknown department {value!r}", field=field_name)
    return Department(value)


@dataclass(frozen=True)
class NewOrder:
    """The facts a new order starts from (an intake message or an operator's call)."""

    source: WorkOrderSource
    source_ref: str
    type: WorkOrderType
    category: str | None = None
    county_code: str | None = None
    community_id: str | None = None
    requester_sub: str | None = None
    requester_person_id: str | None = None
    sealed: dict[str, str] = field(default_factory=dict)
    attachments: tuple[str, ...] = ()
    related_order_id: str | None = None
    urgent: bool = False


def open_order(new: NewOrder, actor: Actor, at: datetime, policy: SlaPolicy, department: Department | None = None) -> WorkOrder:
    """A received order (受理); with ``department`` it is dispatched at once by the routing table."""
    now = iso(at)
    due = iso(policy.reply_due(new.type, at, urgent=new.urgent))
    order = WorkOrder(
        order_id=order_id_for(new.source, new.source_ref),
        source=new.source,
        source_ref=new.source_ref,
        type=new.type,
        status=Status.RECEIVED,
        created_at=now,
        updated_at=now,
        due_at=due,
        category=new.category,
        county_code=new.county_code,
        community_id=new.community_id,
        next_check_at=due,
        requester_sub=new.requester_sub,
        requester_person_id=new.requester_person_id,
        sealed=dict(new.sealed),
        attachments=new.attachments,
        related_order_id=new.related_order_id,
        steps=(Step(Action.RECEIVE, Status.RECEIVED, now, actor.name, actor.role),),
        version=1,
        urgent=new.urgent,
    )
    if department is not None:
        order = apply(order, Command(Action.DISPATCH, department=department.value), ROUTING, at, policy)
    return order


def _require(value: Any, field_name: str, reason: str) -> None:
    if value is None or value == "":
        raise InvalidInput(reason, field=field_name)


def _satisfaction(value: int | None, *, required: bool) -> None:
    if value is None:
        if required:
            raise InvalidInput("give a satisfaction score from 1 to 5", field="satisfaction")
        return
    if not 1 <= value <= 5:
        raise InvalidInput("satisfaction is a score from 1 to 5", field="satisfaction")


def _dispatch(order: WorkOrder, command: Command, at: datetime, policy: SlaPolicy) -> dict[str, Any]:
    _require(command.department, "department", "name the unit to dispatch to")
    unit = known_department(str(command.department))
    if unit is Department.HOTLINE_CENTER:
        raise InvalidInput("the hotline centre answers received orders directly; dispatch to a unit", field="department")
    if order.status is Status.DISPATCHED and unit.value == order.department:
        raise InvalidTransition("the order is already dispatched to that unit")
    if order.assists_with(unit.value):
        raise InvalidInput("that unit assists on this order; the lead must be another unit", field="department")
    return {"department": unit.value, "accept_due_at": iso(policy.accept_due(order.type, at, urgent=order.urgent))}


def _return(order: WorkOrder, command: Command, at: datetime, policy: SlaPolicy) -> dict[str, Any]:
    _require(command.note, "note", "say why the order is not for your unit")
    return {"department": None, "accept_due_at": None}


def _accept(order: WorkOrder, command: Command, at: datetime, policy: SlaPolicy) -> dict[str, Any]:
    return {}


def _reply(order: WorkOrder, command: Command, at: datetime, policy: SlaPolicy) -> dict[str, Any]:
    _require(command.note, "reply", "write the reply to the citizen")
    _require(command.resolved, "resolved", "say whether the matter was resolved")
    if order.waiting_for:
        raise InvalidTransition(f"the lead unit replies when every assisting unit has answered; waiting for {', '.join(order.waiting_for)}")
    unit = order.department if order.status is Status.HANDLING else Department.HOTLINE_CENTER.value
    return {"reply": command.note, "reply_text": None, "resolved": command.resolved, "replied_by": unit, "reply_photos": command.photos}


def _revisit(order: WorkOrder, command: Command, at: datetime, policy: SlaPolicy) -> dict[str, Any]:
    _satisfaction(command.satisfaction, required=False)
    if command.satisfaction is None:
        _require(command.note, "note", "without a satisfaction score, note why (e.g. the citizen was unreachable)")
        return {}
    return {"satisfaction": command.satisfaction}


def _rate(order: WorkOrder, command: Command, at: datetime, policy: SlaPolicy) -> dict[str, Any]:
    _satisfaction(command.satisfaction, required=True)
    if order.satisfaction is not None:
        raise InvalidTransition("this order has already been rated")
    return {"satisfaction": command.satisfaction}


def _reopen(order: WorkOrder, command: Command, at: datetime, policy: SlaPolicy) -> dict[str, Any]:
    _require(command.note, "note", "say why the order is reopened")
    target = command.department or order.replied_by
    if target in (None, Department.HOTLINE_CENTER.value):
        raise InvalidInput("name the unit that handles the order again", field="department")
    unit = known_department(str(target))
    return {
        "department": unit.value,
        "accept_due_at": iso(policy.accept_due(order.type, at, urgent=order.urgent)),
        "due_at": iso(policy.reply_due(order.type, at, urgent=order.urgent)),
        "assists": tuple(Assist(assist.department) for assist in order.assists if assist.department != unit.value),
        "extension": None,
        "reply_photos": (),
        "reply": None,
        "reply_text": None,
        "resolved": None,
        "replied_by": None,
        "satisfaction": None,
        "overdue": False,
        "escalation_level": 0,
    }


def _close(order: WorkOrder, command: Command, at: datetime, policy: SlaPolicy) -> dict[str, Any]:
    return {}


def _merge(order: WorkOrder, command: Command, at: datetime, policy: SlaPolicy) -> dict[str, Any]:
    _require(command.merged_into, "merged_into", "name the order this one repeats")
    if command.merged_into == order.order_id:
        raise InvalidInput("an order cannot be merged into itself", field="merged_into")
    if command.note:
        return {"merged_into": command.merged_into, "reply": command.note, "reply_text": None}
    said = texts.text(TextCode.ORDER_MERGED, order_id=str(command.merged_into))
    return {"merged_into": command.merged_into, "reply": f"并案处理 merged into {command.merged_into}", "reply_text": said}


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _urgent(order: WorkOrder, command: Command, at: datetime, policy: SlaPolicy) -> dict[str, Any]:
    if order.urgent:
        raise InvalidTransition("the order is already urgent")
    changes: dict[str, Any] = {"urgent": True, "due_at": min(order.due_at, iso(policy.reply_due(order.type, at, urgent=True)))}
    if order.status is Status.DISPATCHED and order.accept_due_at:
        changes["accept_due_at"] = min(order.accept_due_at, iso(policy.accept_due(order.type, at, urgent=True)))
    return changes


def _request_extension(order: WorkOrder, command: Command, at: datetime, policy: SlaPolicy) -> dict[str, Any]:
    _require(command.note, "reason", "say why the unit needs more time")
    if command.hours is None or not 0 < command.hours <= policy.max_extension_hours:
        raise InvalidInput(f"hours: more time asked, from 1 to {policy.max_extension_hours:g} hours", field="hours")
    if order.extension is not None:
        raise InvalidTransition("an extension request is already waiting for the operator's decision")
    if order.extensions_granted >= policy.max_extensions:
        raise InvalidTransition(f"this order has had its {policy.max_extensions} extension(s) already")
    request = ExtensionRequest(str(order.department), float(command.hours), str(command.note), iso(at), command.department or str(order.department))
    return {"extension": request}


def _decide_extension(order: WorkOrder, command: Command, at: datetime, policy: SlaPolicy) -> dict[str, Any]:
    if order.extension is None:
        raise InvalidTransition("no extension request is waiting")
    _require(command.approve, "approve", "approve or refuse the extension")
    if not command.approve:
        _require(command.note, "note", "say why the extension is refused")
        return {"extension": None}
    due = iso(_parse(order.due_at) + timedelta(hours=order.extension.hours))
    changes: dict[str, Any] = {"extension": None, "due_at": due, "extensions_granted": order.extensions_granted + 1}
    if due > iso(at):  # the new limit has not passed: no longer overdue, the sweep starts again from level 0
        changes.update(overdue=False, escalation_level=0, next_check_at=None)
    return changes


def _assist(order: WorkOrder, command: Command, at: datetime, policy: SlaPolicy) -> dict[str, Any]:
    if not command.departments:
        raise InvalidInput("name the assisting units", field="departments")
    have = [assist.department for assist in order.assists]
    added: list[Assist] = []
    for value in dict.fromkeys(command.departments):
        unit = known_department(value, field_name="departments")
        if unit in (Department.HOTLINE_CENTER,) or unit.value == order.department:
            raise InvalidInput(f"{unit.value} cannot assist: it is the lead unit or the hotline centre", field="departments")
        if unit.value in have:
            raise InvalidInput(f"{unit.value} assists on this order already", field="departments")
        added.append(Assist(unit.value))
    if len(have) + len(added) > MAX_ASSISTS:
        raise InvalidInput(f"at most {MAX_ASSISTS} assisting units", field="departments")
    return {"assists": (*order.assists, *added)}


def _assist_reply(order: WorkOrder, command: Command, at: datetime, policy: SlaPolicy) -> dict[str, Any]:
    _require(command.note, "reply", "write the assisting unit's answer to the lead unit")
    if not order.assists_with(command.department):
        raise InvalidInput("the unit does not assist on this order", field="department")
    assists = []
    for assist in order.assists:
        if assist.department == command.department:
            if assist.reply is not None:
                raise InvalidTransition("this unit has answered already")
            assist = Assist(assist.department, command.note, iso(at), command.department, command.photos)
        assists.append(assist)
    return {"assists": tuple(assists)}


_EFFECTS = {
    Action.URGENT: _urgent,
    Action.REQUEST_EXTENSION: _request_extension,
    Action.DECIDE_EXTENSION: _decide_extension,
    Action.ASSIST: _assist,
    Action.ASSIST_REPLY: _assist_reply,
    Action.DISPATCH: _dispatch,
    Action.RETURN: _return,
    Action.ACCEPT: _accept,
    Action.REPLY: _reply,
    Action.REVISIT: _revisit,
    Action.RATE: _rate,
    Action.REOPEN: _reopen,
    Action.CLOSE: _close,
    Action.MERGE: _merge,
}


def _step_department(action: Action, before: WorkOrder, after: WorkOrder) -> str | None:
    """The unit a step concerns (per-unit figures count by it)."""
    if action in (Action.REVISIT, Action.RATE, Action.CLOSE):
        return before.replied_by or before.department
    if action in (Action.RETURN, Action.ACCEPT, Action.MERGE):
        return before.department
    if action is Action.REPLY:
        return after.replied_by
    return after.department


def _step_unit(command: Command, before: WorkOrder, after: WorkOrder) -> str | None:
    if command.action is Action.ASSIST_REPLY:
        return command.department
    return _step_department(command.action, before, after)


def apply(order: WorkOrder, command: Command, actor: Actor, at: datetime, policy: SlaPolicy) -> WorkOrder:
    """The order after ``command`` by ``actor`` at ``at``; ``InvalidTransition`` when the state forbids it,
    ``InvalidInput`` (naming the field) when the command lacks what the action needs."""
    allowed = TRANSITIONS.get(command.action)
    if allowed is None:
        raise InvalidInput(f"{command.action.value} is not an action a caller can take", field="action")
    if order.status not in allowed:
        raise InvalidTransition(f"cannot {command.action.value} an order that is {order.status.value}")
    changes = _EFFECTS[command.action](order, command, at, policy)
    status = allowed[order.status]
    after = replace(order, **changes, status=status, updated_at=iso(at), version=order.version + 1)
    step = Step(command.action, status, iso(at), actor.name, actor.role, _step_unit(command, order, after), _step_note(command, order))
    after = replace(after, steps=(*order.steps, step))
    return _schedule(after)


def _step_note(command: Command, before: WorkOrder) -> str | None:
    """What the step says: the note, and for the extension steps the hours asked and the decision."""
    if command.action is Action.REQUEST_EXTENSION:
        return f"延期 {command.hours:g} h: {command.note}"
    if command.action is Action.DECIDE_EXTENSION and before.extension is not None:
        verdict = "同意 approved" if command.approve else "不同意 refused"
        return f"延期 {before.extension.hours:g} h {verdict}" + (f": {command.note}" if command.note else "")
    if command.action is Action.ASSIST:
        return "协办 " + ", ".join(dict.fromkeys(command.departments))
    return command.note


def _schedule(order: WorkOrder) -> WorkOrder:
    """Keep ``next_check_at`` (the overdue sweep's index) only on open orders."""
    if not order.is_open:
        return replace(order, next_check_at=None)
    if order.overdue:
        return replace(order, next_check_at=order.next_check_at or NEVER)
    return replace(order, next_check_at=order.due_at)


def escalate(order: WorkOrder, at: datetime, policy: SlaPolicy) -> WorkOrder | None:
    """Mark an open order overdue or escalate it one level when its check time has come; ``None`` when
    there is nothing to do (so a repeated sweep changes nothing)."""
    now = iso(at)
    if not order.is_open or order.next_check_at is None or now < order.next_check_at:
        return None
    level = order.escalation_level + 1
    if level > policy.max_escalation:
        return None
    next_check = iso(policy.next_escalation(at)) if level < policy.max_escalation else NEVER
    note = "超期: the unit's head is asked to act" if level == 1 else f"超期督办 level {level}: supervised by headquarters"
    said = texts.text(TextCode.ORDER_OVERDUE) if level == 1 else texts.text(TextCode.ORDER_ESCALATED, level=str(level))
    step = Step(Action.ESCALATE, order.status, now, SWEEP.name, SWEEP.role, order.department, note, said)
    return replace(
        order,
        overdue=True,
        escalation_level=level,
        next_check_at=next_check,
        updated_at=now,
        version=order.version + 1,
        steps=(*order.steps, step),
    )
