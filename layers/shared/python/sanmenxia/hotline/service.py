"""The hotline's use cases: open orders (intake, calls), act on them, sweep overdue ones, and show them.

Routes and event handlers call these; the rules are in ``rules``/``figures``, the storage in ``store``.
Every change is written with its audit record and figures in one transaction; the citizen is told of a
reply (or a merge) in their inbox (消息通知) when their person record is known.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sanmenxia import scope, texts
from sanmenxia.audit import AuditRecord, fingerprint
from sanmenxia.auth import Principal
from sanmenxia.clock import SHANGHAI, iso
from sanmenxia.contracts import WorkOrderIntake, WorkOrderProgress, WorkOrderSource
from sanmenxia.errors import Conflict
from sanmenxia.hotline import figures
from sanmenxia.hotline.access import figure_units, order_list, order_place
from sanmenxia.hotline.routing import CATEGORY_LABELS, DEPARTMENT_LABELS, Department, TipoffCategory, route
from sanmenxia.hotline.rules import (
    ROUTING,
    SWEEP,
    Action,
    Actor,
    Command,
    NewOrder,
    Status,
    WorkOrder,
    apply,
    escalate,
    open_order,
    order_id_for,
)
from sanmenxia.hotline.sla import SlaPolicy
from sanmenxia.hotline.store import WorkOrderStore
from sanmenxia.masking import mask_address, mask_name, mask_phone, redact_text
from sanmenxia.notifications import Inbox
from sanmenxia.observability import logger
from sanmenxia.pii import Vault
from sanmenxia.sms import PROGRESS, SATISFACTION, TextMessage, TextSender
from sanmenxia.texts import TextCode

#: Personal text an order may carry, sealed under these purposes.
SEALED_FIELDS = ("summary", "address", "phone", "name")
INTAKE = Actor("system", "intake", "system")


def audit_entry(actor: Actor, action: Action, before: WorkOrder | None, after: WorkOrder, at: datetime) -> AuditRecord:
    """The audit record of one change (who, role, what, when, digests before/after)."""
    return AuditRecord(
        actor_sub=actor.sub,
        actor=actor.name,
        role=actor.role,
        action=f"work_order.{action.value}",
        target=f"work_order#{after.order_id}",
        at=iso(at),
        before=fingerprint(before.audit_state()) if before else None,
        after=fingerprint(after.audit_state()),
    )


def clock_text(value: str) -> str:
    """``2020-02-25T09:00:00Z`` → ``2020-02-25 17:00`` (Beijing time, as a text message says it)."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def department_label(value: str | None) -> str | None:
    if value is None:
        return None
    return DEPARTMENT_LABELS.get(Department(value), value) if value in Department._value2member_map_ else value


def category_label(value: str | None) -> str | None:
    if value is not None and value in TipoffCategory._value2member_map_:
        return CATEGORY_LABELS[TipoffCategory(value)]
    return value


@dataclass(frozen=True)
class OrderRows:
    """A page of list rows and where the next page starts (sealed into a cursor by the API)."""

    rows: list[dict[str, Any]]
    last_key: dict[str, Any] | None


@dataclass
class Hotline:
    store: WorkOrderStore
    policy: SlaPolicy
    vault: Vault
    inbox: Inbox | None = None
    person_of: Callable[[str], str | None] | None = None
    sms: TextSender | None = None

    # -- opening orders -------------------------------------------------------------------------------
    def seal(self, values: dict[str, str | None]) -> dict[str, str]:
        return {name: self.vault.seal(f"work_order.{name}", value) for name, value in values.items() if value}

    def _open(self, new: NewOrder, actor: Actor, at: datetime, department: Department | None) -> tuple[WorkOrder, bool]:
        received = open_order(new, actor, at, self.policy)
        changes: list[tuple[WorkOrder | None, WorkOrder]] = [(None, received)]
        audits = [audit_entry(actor, Action.RECEIVE, None, received, at)]
        order = received
        if department is not None:
            order = apply(received, Command(Action.DISPATCH, department=department.value), ROUTING, at, self.policy)
            changes.append((received, order))
            audits.append(audit_entry(ROUTING, Action.DISPATCH, received, order, at))
        created = self.store.create(changes, audits)
        return order, created

    def intake(self, message: WorkOrderIntake, at: datetime) -> tuple[WorkOrder, bool]:
        """Open the order for an intake message; redelivery finds the order already there (``False``)."""
        related = order_id_for(message.source, message.related_ref) if message.related_ref else None
        new = NewOrder(
            source=message.source,
            source_ref=message.source_ref,
            type=message.type,
            category=message.category,
            county_code=message.county_code,
            community_id=message.community_id,
            requester_sub=message.requester_sub,
            requester_person_id=message.requester_person_id,
            sealed=self.seal({"summary": message.summary, "address": message.address, "phone": message.phone}),
            attachments=tuple(message.attachments),
            related_order_id=related,
        )
        order, created = self._open(new, INTAKE, at, route(message.source, message.category, message.department))
        if not created:
            logger.info("intake already opened", extra={"order_id": order.order_id, "source": message.source.value})
        return order, created

    def follow(self, message: WorkOrderProgress, at: datetime) -> WorkOrder:
        """Move the order of a source record that was handled at its source (a hardship request taken or
        closed by the community head): accept it, then reply when the record is closed. A redelivered or late
        message the order is already past changes nothing; an order not opened yet is NotFound (retried)."""
        order = self.store.get(order_id_for(message.source, message.source_ref))
        actor = Actor(f"{message.source.value}:{message.actor}", message.actor, message.actor_role)
        commands: list[Command] = []
        status = order.status
        if status is Status.DISPATCHED:
            commands.append(Command(Action.ACCEPT))
            status = Status.HANDLING
        if message.status != "in_progress" and status in (Status.HANDLING, Status.RECEIVED):
            commands.append(Command(Action.REPLY, note=message.note or message.status, resolved=message.status == "resolved"))
        for command in commands:
            after = apply(order, command, actor, at, self.policy)
            self.store.save([(order, after)], [audit_entry(actor, command.action, order, after, at)])
            order = after
        if commands and commands[-1].action is Action.REPLY:
            self._tell_requester(order)
        return order

    def open_call(self, new: NewOrder, actor: Actor, at: datetime, department: Department | None) -> WorkOrder:
        """An operator's order from a call (12345 来电), dispatched at once when the operator names a unit."""
        order, _ = self._open(new, actor, at, department)
        return order

    # -- acting on orders -----------------------------------------------------------------------------
    def act(self, order_id: str, command: Command, actor: Actor, at: datetime, authorize: Callable[[WorkOrder], None]) -> WorkOrder:
        """Apply ``command`` to the order after ``authorize(order)`` accepted the caller's scope."""
        before = self.store.get(order_id)
        authorize(before)
        if command.action is Action.MERGE and command.merged_into:
            target = self.store.get(command.merged_into)
            if not target.is_open and target.merged_into:
                command = Command(Action.MERGE, note=command.note, merged_into=target.merged_into)
        after = apply(before, command, actor, at, self.policy)
        self.store.save([(before, after)], [audit_entry(actor, command.action, before, after, at)])
        if command.action in (Action.REPLY, Action.MERGE):
            self._tell_requester(after)
        self._text_caller(before, after, command)
        return after

    # -- text messages to callers without the app ------------------------------------------------------
    def caller_texts(self, before: WorkOrder, after: WorkOrder, command: Command) -> list[tuple[str, str]]:
        """The (kind, text) messages a change sends to a caller without the app: acceptance, an approved
        extension, the reply and, with it, the satisfaction call-back."""
        ref = f"12345工单 {after.order_id}"
        unit = department_label(after.department) or "承办单位"
        if command.action is Action.ACCEPT:
            return [(PROGRESS, f"【三门峡12345】您的诉求({ref})已由{unit}签收办理。Your request is being handled.")]
        if command.action is Action.DECIDE_EXTENSION and command.approve and before.extension is not None:
            due = clock_text(after.due_at)
            return [(PROGRESS, f"【三门峡12345】您的诉求({ref})办理期限延长至{due}。The time limit was extended to {due} (Beijing time).")]
        if command.action is Action.REPLY:
            outcome = "已解决 resolved" if after.resolved else "未能解决 not resolved"
            reply = (after.reply or "")[:120]
            return [
                (PROGRESS, f"【三门峡12345】您的诉求({ref})已答复({outcome}):{reply}"),
                (SATISFACTION, f"【三门峡12345】请对{ref}的办理结果评价:回电12345或等待回访,1-5分(5分最满意)。Please rate it 1-5 when we call back."),
            ]
        return []

    def _text_caller(self, before: WorkOrder, after: WorkOrder, command: Command) -> None:
        """Send the change's messages to the caller's phone when the order has one and no app account. The change
        is saved already: a failure is logged (with the order, never the number), not reported."""
        if self.sms is None or after.requester_sub is not None or "phone" not in after.sealed:
            return
        messages = self.caller_texts(before, after, command)
        if not messages:
            return
        try:
            phone = self._opened(after, "phone")
            if not phone:
                return
            for kind, text in messages:
                self.sms.send(TextMessage(phone=phone, text=text, kind=kind, ref=f"{after.order_id}-v{after.version}-{kind}"))
        except Exception:
            logger.warning("text message to the caller failed", extra={"order_id": after.order_id}, exc_info=True)

    def _tell_requester(self, order: WorkOrder) -> None:
        """Leave the reply in the citizen's inbox. The change is saved already: a failure here is logged,
        not reported (the citizen still sees the reply under their orders)."""
        if self.inbox is None:
            return
        try:
            self._notify(self.inbox, order)
        except Exception:
            logger.warning("reply notification failed", extra={"order_id": order.order_id}, exc_info=True)

    def _notify(self, inbox: Inbox, order: WorkOrder) -> None:
        person_id = order.requester_person_id
        if person_id is None and order.requester_sub and self.person_of is not None:
            person_id = self.person_of(order.requester_sub)
        if person_id is None:
            return
        reply = (order.reply or "")[:500]
        body, body_text = reply, order.reply_text  # a reply the system wrote (a merge) goes as its code
        if order.source is WorkOrderSource.APPEAL:  # the outcome of an appeal is its resolved flag: say it
            outcome = TextCode.APPEAL_UPHELD if order.resolved else TextCode.APPEAL_KEPT
            body_text = texts.text(outcome, note=reply)
            body = f"{'申诉成立,已解除标记 appeal upheld, hold lifted' if order.resolved else '申诉未获支持,标记保留 appeal not upheld, hold kept'}: {reply}"
        inbox.notify(
            person_id,
            kind="work_order_reply",
            title=f"12345 工单 {order.order_id} 已答复 Your request has been answered",
            title_text=texts.text(TextCode.ORDER_ANSWERED, order_id=order.order_id),
            body=body,
            body_text=body_text,
            link=f"/hotline/orders/{order.order_id}",
            ref=f"{order.order_id}-v{order.version}",
        )

    # -- the overdue sweep ----------------------------------------------------------------------------
    def sweep(self, at: datetime) -> dict[str, int]:
        """Mark and escalate every open order whose check time has come; rerunning changes nothing."""
        checked = escalated = conflicts = 0
        for order in self.store.due(iso(at)):
            checked += 1
            after = escalate(order, at, self.policy)
            if after is None:
                continue
            try:
                self.store.save([(order, after)], [audit_entry(SWEEP, Action.ESCALATE, order, after, at)])
            except Conflict:
                # An order changed by a handler meanwhile is looked at again by the next sweep.
                conflicts += 1
                logger.warning("overdue escalation skipped", extra={"order_id": order.order_id}, exc_info=True)
                continue
            escalated += 1
            logger.info("order escalated", extra={"order_id": order.order_id, "level": after.escalation_level})
        return {"checked": checked, "escalated": escalated, "skipped": conflicts}

    # -- lists and figures -----------------------------------------------------------------------------
    def list_orders(
        self,
        principal: Principal,
        *,
        department: str | None,
        community_id: str | None,
        status: Status | None,
        overdue: bool | None,
        limit: int,
        start: dict[str, Any] | None,
        at: datetime,
    ) -> OrderRows:
        """One page of the list the caller asked for, or of their own list (``access.order_list``)."""
        wanted = order_list(principal, department=department, community_id=community_id, status=status, overdue=overdue)
        page = self.store.page(wanted.index, wanted.key, limit=limit, start=start, filters=wanted.filters)
        return OrderRows([self.summary_row(order, at) for order in page.orders], page.last_key)

    def overdue_rows(self, principal: Principal, at: datetime, *, limit: int, start: dict[str, Any] | None) -> OrderRows:
        """A page of the open orders marked overdue, most escalated first within the page; orders outside the
        caller's scope are left out (the page may then be short, with a cursor)."""
        page = self.store.overdue_open(limit, start)
        shown = sorted(
            (order for order in page.orders if scope.allowed(principal, order_place(order))), key=lambda order: (-order.escalation_level, order.due_at)
        )
        return OrderRows([self.summary_row(order, at) for order in shown], page.last_key)

    def unit_figures(self, principal: Principal, month: str, department: str | None) -> list[dict[str, Any]]:
        """A month's figures and rates of the units the caller reads (``access.figure_units``)."""
        units = figure_units(principal, department)
        found = self.store.figures(month, units)
        empty = dict.fromkeys(figures.COUNTERS, 0)
        return [
            {"department": unit, "label": DEPARTMENT_LABELS[Department(unit)], "month": month, **counts, **figures.rates(counts)}
            for unit, counts in ((unit, found.get(unit, empty)) for unit in units)
        ]

    # -- views ----------------------------------------------------------------------------------------
    def _opened(self, order: WorkOrder, name: str) -> str | None:
        sealed = order.sealed.get(name)
        return self.vault.open(f"work_order.{name}", sealed) if sealed else None

    def citizen_view(self, order: WorkOrder, at: datetime) -> dict[str, Any]:
        """What the citizen who raised the order sees: progress, the reply, whether they can rate."""
        return {
            "order_id": order.order_id,
            "type": order.type.value,
            "source": order.source.value,
            "category": order.category,
            "category_label": category_label(order.category),
            "status": order.status.value,
            "department": order.department or order.replied_by,
            "department_label": department_label(order.department or order.replied_by),
            "created_at": order.created_at,
            "updated_at": order.updated_at,
            "due_at": order.due_at,
            "overdue": order.overdue_at(at),
            "urgent": order.urgent,
            "summary": self._opened(order, "summary"),
            "reply": order.reply,
            "reply_code": order.reply_text["code"] if order.reply_text else None,
            "reply_params": order.reply_text["params"] if order.reply_text else None,
            "resolved": order.resolved,
            "satisfaction": order.satisfaction,
            "can_rate": order.satisfaction is None and order.status.value in ("replied", "revisited", "closed") and not order.merged_into,
            "merged_into": order.merged_into,
            "progress": [
                {"action": step.action.value, "status": step.status.value, "at": step.at, "department": department_label(step.department)}
                for step in order.steps
            ],
        }

    def staff_view(self, order: WorkOrder, at: datetime, *, full_contact: bool = False) -> dict[str, Any]:
        """What staff see: the order, with contact details (phone, name, address, and any phone or ID number
        typed into the summary) masked unless ``full_contact`` (operators take and return the calls). Staff who
        must call or visit the citizen use the audited reveal (``reveal``)."""
        phone, name, address = self._opened(order, "phone"), self._opened(order, "name"), self._opened(order, "address")
        view = self.citizen_view(order, at)
        if not full_contact and view.get("summary"):
            view["summary"] = redact_text(view["summary"])
        view.update(
            {
                "department": order.department,
                "replied_by": order.replied_by,
                "county_code": order.county_code,
                "community_id": order.community_id,
                "person_id": order.requester_person_id,  # opaque: the appeal unit opens the person's code with it
                "address": (address if full_contact else mask_address(address)) if address else None,
                "contact_phone": (phone if full_contact else mask_phone(phone)) if phone else None,
                "contact_name": (name if full_contact else mask_name(name)) if name else None,
                "anonymous": order.requester_sub is None and phone is None,
                "accept_due_at": order.accept_due_at,
                "escalation_level": order.escalation_level,
                "related_order_id": order.related_order_id,
                "attachments": list(order.attachments),
                "urgent": order.urgent,
                "extension": order.extension.to_json() if order.extension else None,
                "extensions_granted": order.extensions_granted,
                "assists": [
                    {"department": assist.department, "label": department_label(assist.department), "reply": assist.reply, "replied_at": assist.replied_at}
                    for assist in order.assists
                ],
                "waiting_for": order.waiting_for,
                "version": order.version,
                "steps": [step.to_json() for step in order.steps],
            }
        )
        view.pop("progress")
        view.pop("can_rate")
        return view

    def contact(self, order: WorkOrder, fields: Iterable[str]) -> dict[str, str | None]:
        """The clear contact details of an order (for the audited reveal only)."""
        return {name: self._opened(order, name) for name in fields}

    def summary_row(self, order: WorkOrder, at: datetime) -> dict[str, Any]:
        """A list row: no personal text at all."""
        return {
            "order_id": order.order_id,
            "type": order.type.value,
            "source": order.source.value,
            "category": order.category,
            "status": order.status.value,
            "department": order.department,
            "community_id": order.community_id,
            "created_at": order.created_at,
            "due_at": order.due_at,
            "overdue": order.overdue_at(at),
            "escalation_level": order.escalation_level,
            "urgent": order.urgent,
            "extension_requested": order.extension is not None,
        }
