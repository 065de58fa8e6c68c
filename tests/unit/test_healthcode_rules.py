"""The health-code rule: worked examples as a table, and the rule's invariants as properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanmenxia.healthcode.rules import (
    RULES,
    CodeState,
    HealthCodeRule,
    accept_missed_day,
    advance,
    check_in,
    checkins_to_green,
    close_day,
    due_day,
    evaluate,
    reasons,
    rule_for,
    shown_color,
    start,
)
from sanmenxia.holds import CodeColor, Hold, HoldKind

A = date(2020, 2, 10)  # the application day
G, Y, R = CodeColor.GREEN, CodeColor.YELLOW, CodeColor.RED


def day(n: int) -> date:
    return A + timedelta(days=n)


def day_by_day(applied_on: date, checkins: set[date], today: date, rules: tuple[HealthCodeRule, ...] = RULES) -> CodeState:
    """The reference: every day's check-in then its close, one day at a time, with the primitives only."""
    state, _ = start(applied_on, rules)
    current = applied_on
    while current < today:
        if current in checkins:
            state, _ = check_in(state, current, rules)
        state, _ = close_day(state, current, rules)
        current += timedelta(days=1)
    if today in checkins:
        state, _ = check_in(state, today, rules)
    return state


# -- worked examples (docs/health-code-rule.md) -----------------------------------------------------------
# Each row: the days (relative to the application day 0) with a check-in, the day we look, expected colour.
EXAMPLES = [
    ("applied today", set(), 0, G),
    ("the application day counts", set(), 1, G),
    ("one missed day turns yellow", set(), 2, Y),
    ("yellow, check-in, green at once", {2}, 2, G),
    ("two missed days, still yellow", {1}, 4, Y),
    ("three missed days, red", {1}, 5, R),
    ("red, one check-in, still red", {1, 5}, 5, R),
    ("red, two consecutive check-ins, still red", {1, 5, 6}, 6, R),
    ("red, three consecutive check-ins, green on the third", {1, 5, 6, 7}, 7, G),
    ("red, check-in, missed day, check-in: still red", {1, 5, 7}, 7, R),
    ("red, the count restarts after a missed day", {1, 5, 7, 8, 9}, 9, G),
    ("daily check-ins keep green", {1, 2, 3, 4, 5}, 6, G),
    ("green after recovery lapses again to yellow", {1, 5, 6, 7}, 9, Y),
]


@pytest.mark.parametrize(("name", "checkins", "today", "expected"), EXAMPLES, ids=[row[0] for row in EXAMPLES])
def test_worked_examples(name: str, checkins: set[int], today: int, expected: CodeColor) -> None:
    # Given a history of check-ins, When evaluated on a day, Then the rule colour is as the table says
    state, _ = evaluate(A, {day(n) for n in checkins}, day(today))
    assert state.color is expected, name


def test_transitions_say_when_and_why() -> None:
    # Given three missed days after a check-in on day 1 and a recovery on days 5..7
    _, transitions = evaluate(A, {day(1), day(5), day(6), day(7)}, day(8))
    # Then the history lists each change with the day it took effect and its cause
    assert [(t.day, t.from_color, t.to_color, t.cause.value) for t in transitions] == [
        (day(0), None, G, "applied"),
        (day(3), G, Y, "close"),
        (day(5), Y, R, "close"),
        (day(7), R, G, "check_in"),
    ]


def test_checkins_to_green_counts_down_on_consecutive_days() -> None:
    # Given a red code
    red, _ = evaluate(A, {day(1)}, day(5))
    assert checkins_to_green(red, day(5)) == 3
    # When the holder checks in today and tomorrow, Then the count goes 2, then 1
    after_one, _ = check_in(red, day(5))
    assert checkins_to_green(after_one, day(5)) == 2
    after_two, _ = check_in(after_one, day(6))
    assert checkins_to_green(after_two, day(7)) == 1
    # And a missed day resets it to 3
    assert checkins_to_green(after_two, day(8)) == 3


def test_due_day_is_the_next_close_that_changes_the_colour() -> None:
    fresh, _ = start(A)
    assert due_day(fresh) == day(1)
    yellow, _ = evaluate(A, set(), day(2))
    assert due_day(yellow) == day(3)
    red, _ = evaluate(A, set(), day(5))
    assert red.color is R and due_day(red) is None


def test_closing_days_out_of_order_is_refused() -> None:
    fresh, _ = start(A)
    with pytest.raises(ValueError, match="in order"):
        close_day(fresh, day(3))


def test_check_in_on_a_closed_day_is_refused() -> None:
    state, _ = evaluate(A, set(), day(3))
    with pytest.raises(ValueError, match="closed"):
        check_in(state, day(1))


def test_thresholds_are_validated() -> None:
    with pytest.raises(ValueError):
        HealthCodeRule(version="bad", valid_from=A, yellow_after_missed_days=3, red_after_missed_days=3)


def test_a_new_rule_version_applies_from_its_valid_from() -> None:
    # Given a stricter version from day 3 (red after two missed days)
    rules = (*RULES, HealthCodeRule(version="strict", valid_from=day(3), yellow_after_missed_days=1, red_after_missed_days=2))
    assert rule_for(day(2), rules).version == RULES[0].version
    # When a code lapses across the change, Then the new threshold decides the red and is recorded
    state, _ = evaluate(A, {day(2)}, day(5), rules)
    assert state.color is R and state.rule_version == "strict"
    assert state == day_by_day(A, {day(2)}, day(5), rules)


def test_shown_colour_is_the_worst_of_rule_and_holds_and_reasons_name_each_source() -> None:
    state, _ = start(A)
    fever = Hold("p", HoldKind.FEVER, "health_code", "checkin#2020-02-10", "temperature 38.0", Y, "2020-02-10T01:00:00Z")
    isolation = Hold("p", HoldKind.ISOLATION, "key_persons", "kp-1", "home isolation", R, "2020-02-10T01:00:00Z")
    lifted = Hold("p", HoldKind.MANUAL, "hotline", "wo-1", "x", R, "2020-02-09T01:00:00Z", lifted_at="2020-02-10T00:00:00Z")
    assert shown_color(state.color, [fever]) is Y
    assert shown_color(state.color, [fever, isolation, lifted]) is R
    assert shown_color(state.color, [lifted]) is G
    listed = reasons(state, [fever, lifted], A)
    assert [item["kind"] for item in listed] == ["rule", "hold"]
    assert listed[1]["source"] == "health_code" and listed[1]["hold_kind"] == "fever"


# -- invariants (hypothesis) ------------------------------------------------------------------------------
histories = st.sets(st.integers(min_value=0, max_value=40), max_size=40)


@settings(max_examples=300, deadline=None)
@given(checkins=histories, today=st.integers(min_value=0, max_value=45))
def test_evaluating_a_whole_history_equals_applying_it_day_by_day(checkins: set[int], today: int) -> None:
    days = {day(n) for n in checkins}
    state, _ = evaluate(A, days, day(today))
    assert state == day_by_day(A, {d for d in days if d <= day(today)}, day(today))


@settings(max_examples=300, deadline=None)
@given(checkins=histories, accepted=st.integers(min_value=1, max_value=44), today=st.integers(min_value=2, max_value=45))
def test_an_accepted_missed_day_recomputes_the_colour_by_the_rule(checkins: set[int], accepted: int, today: int) -> None:
    # Given a code and a day after its last registered check-in that an appeal accepts as a check-in day
    if not accepted < today:
        return
    days = {day(n) for n in checkins if n < accepted}
    state, _ = evaluate(A, days, day(today))
    # Then rebuilding from the state alone equals evaluating the whole history with that day, and so does the
    # evaluation the service runs while it still holds every check-in
    expected, _ = evaluate(A, days | {day(accepted)}, day(today))
    rebuilt = accept_missed_day(state, day(accepted), day(today), applied_on=A, checkins=None)
    assert (rebuilt.color, rebuilt.last_checkin, rebuilt.streak, rebuilt.closed_through) == (
        expected.color,
        expected.last_checkin,
        expected.streak,
        expected.closed_through,
    )
    assert accept_missed_day(state, day(accepted), day(today), applied_on=A, checkins=days) == expected


def test_an_accepted_day_turns_a_missed_check_in_yellow_green_and_cannot_override_a_later_check_in() -> None:
    # Given a code that checked in on day 1, missed day 2 (yellow from day 3 on), looked at on day 3
    state, _ = evaluate(A, {day(1)}, day(3))
    assert state.color is Y
    # When day 2 is accepted, then the rule makes it green again (one missed day is not over yet)
    assert accept_missed_day(state, day(2), day(3), applied_on=A, checkins=None).color is G
    # And a day before a registered check-in needs the whole history; the application day or today are no missed days
    later, _ = evaluate(A, {day(1), day(3)}, day(4))
    with pytest.raises(ValueError, match="later check-in"):
        accept_missed_day(later, day(2), day(4), applied_on=A, checkins=None)
    for wrong in (A, day(3)):
        with pytest.raises(ValueError, match="between"):
            accept_missed_day(state, wrong, day(3), applied_on=A, checkins=None)


@settings(max_examples=100, deadline=None)
@given(length=st.integers(min_value=1, max_value=60))
def test_daily_check_ins_keep_green_forever(length: int) -> None:
    state, transitions = evaluate(A, {day(n) for n in range(length + 1)}, day(length))
    assert state.color is G and len(transitions) == 1


@settings(max_examples=200, deadline=None)
@given(checkins=histories, gap_start=st.integers(min_value=0, max_value=40))
def test_three_missed_days_from_green_give_red_and_two_do_not(checkins: set[int], gap_start: int) -> None:
    # Given a green code on day gap_start (after any history), with a check-in that day
    days = {day(n) for n in checkins if n < gap_start} | {day(gap_start)}
    green, _ = evaluate(A, days, day(gap_start))
    if green.color is not G:
        return
    # When the next three days pass without a check-in
    after_two, _ = advance(green, day(gap_start + 2))
    after_three, _ = advance(green, day(gap_start + 3))
    # Then two missed days leave it yellow and three make it red
    assert after_two.color is Y
    assert after_three.color is R


@settings(max_examples=300, deadline=None)
@given(pattern=st.lists(st.booleans(), min_size=1, max_size=20))
def test_red_needs_three_consecutive_check_in_days(pattern: list[bool]) -> None:
    # Given a red code (red from day 5), and a pattern of check-in days from day 5 on
    red, _ = evaluate(A, {day(1)}, day(5))
    assert red.color is R
    days = {day(1)} | {day(5 + i) for i, checked in enumerate(pattern) if checked}
    state, _ = evaluate(A, days, day(5 + len(pattern) - 1))
    # Then it is green iff somewhere there were three consecutive check-in days
    run, best = 0, 0
    for checked in pattern:
        run = run + 1 if checked else 0
        best = max(best, run)
    if best < 3:
        assert state.color is R
    else:
        first_green = next(i for i in range(len(pattern)) if i >= 2 and all(pattern[i - 2 : i + 1]))
        turned, _ = evaluate(A, days, day(5 + first_green))
        assert turned.color is G


@settings(max_examples=200, deadline=None)
@given(checkins=histories, today=st.integers(min_value=1, max_value=45), extra=st.integers(min_value=0, max_value=5))
def test_closing_the_same_day_twice_changes_nothing(checkins: set[int], today: int, extra: int) -> None:
    state, _ = evaluate(A, {day(n) for n in checkins}, day(today))
    closed, transitions = advance(state, day(today - 1 - extra))
    assert closed == state and transitions == []
    again, none = close_day(state, state.closed_through)
    assert again == state and none is None


@settings(max_examples=200, deadline=None)
@given(checkins=histories, today=st.integers(min_value=0, max_value=45))
def test_colours_worsen_only_at_a_close_and_improve_only_at_a_check_in(checkins: set[int], today: int) -> None:
    _, transitions = evaluate(A, {day(n) for n in checkins}, day(today))
    for transition in transitions[1:]:
        assert transition.from_color is not None
        worse = transition.to_color.severity > transition.from_color.severity
        assert worse == (transition.cause.value == "close")


@settings(max_examples=200, deadline=None)
@given(checkins=histories, today=st.integers(min_value=0, max_value=40))
def test_checking_in_as_many_days_as_announced_gives_green(checkins: set[int], today: int) -> None:
    state, _ = evaluate(A, {day(n) for n in checkins if n < today}, day(today))
    needed = checkins_to_green(state, day(today))
    days = {day(n) for n in checkins if n < today} | {day(today + i) for i in range(needed)}
    final, _ = evaluate(A, days, day(today + max(needed - 1, 0)))
    assert final.color is G


@settings(max_examples=200, deadline=None)
@given(checkins=histories, today=st.integers(min_value=0, max_value=45))
def test_the_due_day_is_exactly_when_a_lapse_would_change_the_colour(checkins: set[int], today: int) -> None:
    state, _ = evaluate(A, {day(n) for n in checkins if n <= today}, day(today))
    due = due_day(state)
    if due is None:
        assert advance(state, day(today + 30))[0].color is state.color
        return
    before, _ = advance(state, due - timedelta(days=1))
    after, _ = advance(state, due)
    assert before.color is state.color and after.color is not state.color
