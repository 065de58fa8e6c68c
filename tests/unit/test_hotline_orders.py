"""The work-order state machine, SLA deadlines, escalation and routing: pure rules, no AWS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanmenxia.contracts import WorkOrderSource, WorkOrderType
from sanmenxia.errors import InvalidInput
from sanmenxia.hotline.routing import TIPOFF_ROUTES, Department, TipoffCategory, route
from sanmenxia.hotline.rules import (
    NEVER,
    TRANSITIONS,
    Action,
    Actor,
    Command,
    InvalidTransition,
    NewOrder,
    Status,
    WorkOrder,
    apply,
    escalate,
    open_order,
    order_id_for,
)
from sanmenxia.hotline.sla import SlaPolicy, SlaRule

T0 = datetime(2020, 2, 10, 1, 0, tzinfo=UTC)  # 09:00 in Sanmenxia
POLICY = SlaPolicy()
OPERATOR = Actor("sub-op", "operator1", "hotline_operator")
HANDLER = Actor("sub-h", "handler1", "department_handler")
CITIZEN = Actor("sub-c", "citizen", "resident")


def new_order(kind: WorkOrderType = WorkOrderType.HELP_REQUEST, ref: str = "ref-1") -> NewOrder:
    return NewOrder(source=WorkOrderSource.CALL, source_ref=ref, type=kind, community_id="411202-001")


def dispatched(at: datetime = T0) -> WorkOrder:
    return open_order(new_order(), OPERATOR, at, POLICY, Department.CIVIL_AFFAIRS)


def through_reply(resolved: bool = True) -> WorkOrder:
    order = apply(dispatched(), Command(Action.ACCEPT), HANDLER, T0 + timedelta(minutes=30), POLICY)
    return apply(order, Command(Action.REPLY, note="药已送到", resolved=resolved), HANDLER, T0 + timedelta(hours=3), POLICY)


def test_full_lifecycle_records_every_step_with_who_and_when() -> None:
    # Given a dispatched order, When it is accepted, replied, revisited and closed
    order = through_reply()
    order = apply(order, Command(Action.REVISIT, satisfaction=5), OPERATOR, T0 + timedelta(hours=4), POLICY)
    order = apply(order, Command(Action.CLOSE, note="办结"), OPERATOR, T0 + timedelta(hours=5), POLICY)
    # Then each state change is one step, in order, with its actor and time
    assert order.status is Status.CLOSED
    assert [step.status for step in order.steps] == [
        Status.RECEIVED,
        Status.DISPATCHED,
        Status.HANDLING,
        Status.REPLIED,
        Status.REVISITED,
        Status.CLOSED,
    ]
    assert [step.actor for step in order.steps] == ["operator1", "routing", "handler1", "handler1", "operator1", "operator1"]
    assert order.steps[-1].at == "2020-02-10T06:00:00Z"
    assert order.version == len(order.steps)
    assert order.next_check_at is None


def test_closed_order_cannot_be_dispatched() -> None:
    order = through_reply()
    order = apply(order, Command(Action.REVISIT, satisfaction=4), OPERATOR, T0, POLICY)
    order = apply(order, Command(Action.CLOSE), OPERATOR, T0, POLICY)
    with pytest.raises(InvalidTransition):
        apply(order, Command(Action.DISPATCH, department="transport"), OPERATOR, T0, POLICY)


def test_reply_needs_text_and_a_result() -> None:
    order = apply(dispatched(), Command(Action.ACCEPT), HANDLER, T0, POLICY)
    with pytest.raises(InvalidInput) as missing:
        apply(order, Command(Action.REPLY, note="ok"), HANDLER, T0, POLICY)
    assert missing.value.field == "resolved"


def test_dispatch_to_unknown_unit_names_the_field() -> None:
    received = open_order(new_order(), OPERATOR, T0, POLICY)
    with pytest.raises(InvalidInput) as bad:
        apply(received, Command(Action.DISPATCH, department="ministry_of_magic"), OPERATOR, T0, POLICY)
    assert bad.value.field == "department"


def test_return_sends_the_order_back_to_the_operators() -> None:
    order = apply(dispatched(), Command(Action.RETURN, note="不属于本单位职责"), HANDLER, T0, POLICY)
    assert order.status is Status.RECEIVED
    assert order.department is None
    assert order.steps[-1].department == "civil_affairs"


def test_operator_answers_a_consultation_directly() -> None:
    received = open_order(new_order(WorkOrderType.CONSULTATION), OPERATOR, T0, POLICY)
    order = apply(received, Command(Action.REPLY, note="可以通行", resolved=True), OPERATOR, T0, POLICY)
    assert order.status is Status.REPLIED
    assert order.replied_by == "hotline_center"


def test_citizen_rates_once() -> None:
    order = apply(through_reply(), Command(Action.RATE, satisfaction=2), CITIZEN, T0, POLICY)
    assert order.status is Status.REVISITED and order.satisfaction == 2
    with pytest.raises(InvalidTransition):
        apply(order, Command(Action.RATE, satisfaction=5), CITIZEN, T0, POLICY)


def test_unsatisfied_order_is_reopened_with_a_fresh_limit() -> None:
    order = apply(through_reply(resolved=False), Command(Action.REVISIT, satisfaction=1), OPERATOR, T0 + timedelta(hours=4), POLICY)
    reopened = apply(order, Command(Action.REOPEN, note="药品不对"), OPERATOR, T0 + timedelta(hours=5), POLICY)
    assert reopened.status is Status.DISPATCHED
    assert reopened.department == "civil_affairs"
    assert reopened.due_at == "2020-02-10T18:00:00Z"  # 5 h + 12 h reply limit of a help request
    assert reopened.reply is None and reopened.satisfaction is None


@pytest.mark.parametrize(
    ("kind", "hours"),
    [(WorkOrderType.HELP_REQUEST, 12), (WorkOrderType.REPORT, 24), (WorkOrderType.CONSULTATION, 24), (WorkOrderType.COMPLAINT, 72)],
)
def test_reply_limit_by_type(kind: WorkOrderType, hours: int) -> None:
    order = open_order(new_order(kind), OPERATOR, T0, POLICY)
    assert order.due_at == (T0 + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert order.next_check_at == order.due_at


def test_limits_are_settings() -> None:
    policy = SlaPolicy(rules={WorkOrderType.HELP_REQUEST: SlaRule(accept_hours=0.5, reply_hours=2)})
    order = open_order(new_order(), OPERATOR, T0, policy)
    assert order.due_at == "2020-02-10T03:00:00Z"
    # a type the override leaves out keeps its default
    assert policy.rule(WorkOrderType.COMPLAINT).reply_hours == 72


def test_escalation_marks_overdue_then_headquarters_then_stops() -> None:
    order = dispatched()
    # Given an order whose 12 h limit has not passed, Then the sweep leaves it alone
    assert escalate(order, T0 + timedelta(hours=11), POLICY) is None
    # When the limit passes, Then it is marked overdue (level 1)
    first = escalate(order, T0 + timedelta(hours=12, minutes=5), POLICY)
    assert first is not None and first.overdue and first.escalation_level == 1
    assert first.steps[-1].action is Action.ESCALATE and first.status is Status.DISPATCHED
    # And a repeated sweep in the same hour changes nothing
    assert escalate(first, T0 + timedelta(hours=13), POLICY) is None
    # When another day passes, Then headquarters supervises it (level 2) and it is never checked again
    second = escalate(first, T0 + timedelta(hours=36, minutes=5), POLICY)
    assert second is not None and second.escalation_level == 2 and second.next_check_at == NEVER
    assert escalate(second, T0 + timedelta(days=30), POLICY) is None


def test_replied_order_is_not_escalated_but_stays_marked() -> None:
    late = apply(dispatched(), Command(Action.ACCEPT), HANDLER, T0, POLICY)
    late = escalate(late, T0 + timedelta(hours=13), POLICY)
    assert late is not None
    replied = apply(late, Command(Action.REPLY, note="已处理", resolved=True), HANDLER, T0 + timedelta(hours=14), POLICY)
    assert replied.overdue and replied.next_check_at is None
    assert escalate(replied, T0 + timedelta(days=3), POLICY) is None


def test_overdue_shows_once_the_clock_passes_the_limit_even_before_the_sweep() -> None:
    order = dispatched()
    assert not order.overdue_at(T0 + timedelta(hours=11))
    assert order.overdue_at(T0 + timedelta(hours=12, seconds=1))


def test_order_id_is_a_function_of_source_and_ref() -> None:
    assert order_id_for("tipoff", "abc") == order_id_for(WorkOrderSource.TIPOFF, "abc")
    assert order_id_for("tipoff", "abc") != order_id_for("help_message", "abc")
    assert order_id_for("tipoff", "abc").startswith("WO") and len(order_id_for("tipoff", "abc")) == 18


def test_rumour_goes_to_propaganda_and_every_category_has_a_unit() -> None:
    assert route(WorkOrderSource.TIPOFF, "rumour") is Department.PROPAGANDA
    assert set(TIPOFF_ROUTES) == set(TipoffCategory)
    assert len(TipoffCategory) == 10


def test_routing_of_other_sources() -> None:
    assert route(WorkOrderSource.HELP_MESSAGE, None) is Department.COMMUNITY_AFFAIRS
    assert route(WorkOrderSource.APPEAL, None) is Department.BIG_DATA
    assert route(WorkOrderSource.CALL, None) is None
    assert route(WorkOrderSource.HARDSHIP, None, "health_commission") is Department.HEALTH_COMMISSION
    assert route(WorkOrderSource.TIPOFF, "unknown", "not-a-unit") is None


ACTIONS = st.sampled_from([action for action in TRANSITIONS])


@st.composite
def commands(draw: st.DrawFn) -> Command:
    return Command(
        action=draw(ACTIONS),
        note=draw(st.sampled_from([None, "note"])),
        department=draw(st.sampled_from([None, "transport", "civil_affairs", "hotline_center"])),
        resolved=draw(st.sampled_from([None, True, False])),
        satisfaction=draw(st.sampled_from([None, 1, 3, 5, 9])),
        merged_into=draw(st.sampled_from([None, "WOOTHER"])),
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(commands(), st.integers(min_value=0, max_value=48)), max_size=25))
def test_any_sequence_keeps_the_record_consistent(sequence: list[tuple[Command, int]]) -> None:
    # Given any sequence of commands, some invalid, applied at non-decreasing times
    order = open_order(new_order(), OPERATOR, T0, POLICY)
    at = T0
    for command, hours in sequence:
        at = at + timedelta(hours=hours)
        before = order
        swept = escalate(order, at, POLICY)
        if swept is not None:
            order = swept
            before = order
        try:
            order = apply(order, command, OPERATOR, at, POLICY)
        except (InvalidTransition, InvalidInput):
            assert order == before
            continue
        # Then every accepted command adds exactly one step whose status is the new status
        assert len(order.steps) == len(before.steps) + 1
        assert order.steps[-1].status is order.status
        assert order.status in TRANSITIONS[command.action].values()
    # And the version counts the steps; only open orders are on the sweep's index; closed is terminal
    assert order.version == len(order.steps)
    assert (order.next_check_at is not None) == order.is_open
    assert [step.at for step in order.steps] == sorted(step.at for step in order.steps)
    if order.status is Status.CLOSED:
        for action in (Action.DISPATCH, Action.ACCEPT, Action.REPLY, Action.REOPEN, Action.CLOSE):
            with pytest.raises((InvalidTransition, InvalidInput)):
                apply(order, Command(action, department="transport", note="x", resolved=True), OPERATOR, at, POLICY)


def test_a_merge_without_a_note_replies_with_a_code_and_a_later_reply_of_a_person_has_none() -> None:
    # Given an order merged into another without a note of its own
    order = apply(open_order(new_order(), OPERATOR, T0, POLICY), Command(Action.MERGE, merged_into="WOOTHER"), OPERATOR, T0, POLICY)
    # Then its reply is the code naming the other order (the old sentence stays beside it)
    assert order.reply_text == {"code": "order_merged", "params": {"order_id": "WOOTHER"}}
    assert order.reply and "WOOTHER" in order.reply
    # And a merge with the operator's own words carries those words and no code
    noted = apply(
        open_order(new_order(ref="ref-2"), OPERATOR, T0, POLICY), Command(Action.MERGE, merged_into="WOOTHER", note="同一小区停水"), OPERATOR, T0, POLICY
    )
    assert (noted.reply, noted.reply_text) == ("同一小区停水", None)
