"""The inbox: a message with a ref is left once per person (one conditional write, no inbox read); markers
never show in the list; messages without a ref are all kept, newest first."""

from __future__ import annotations

from sanmenxia import clock
from sanmenxia.notifications import Inbox
from tests.support.stack import Stack


def test_a_ref_is_left_once_and_markers_stay_out_of_the_list(stack: Stack) -> None:
    # Given an inbox on the template's table
    inbox = Inbox(stack.client("dynamodb"), stack.table("NotificationsTable"))
    # When the same co-travel match is reported twice, and two plain messages are left
    first = inbox.notify("p1", kind="co_travel", title="同行提示", body="G1234", ref="match-1")
    again = inbox.notify("p1", kind="co_travel", title="同行提示", body="G1234", ref="match-1")
    clock.set_offset(1)
    inbox.notify("p1", kind="reply", title="回复", body="a")
    clock.set_offset(2)
    inbox.notify("p1", kind="reply", title="回复", body="b")
    # Then the match appears once, markers do not appear, and the newest comes first
    listed, _ = inbox.page("p1", limit=50, start=None)
    assert first == again == "match-1"
    assert [note["body"] for note in listed] == ["b", "a", "G1234"]
    assert inbox.page("p2", limit=50, start=None) == ([], None)
