"""The intake use case shared by tip-offs and help messages: save, hand the work order over, undo on failure."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from sanmenxia.contracts import WorkOrderIntake, WorkOrderSource, WorkOrderType, write_then_hand_over
from sanmenxia.errors import UpstreamUnavailable

MESSAGE = WorkOrderIntake(source=WorkOrderSource.TIPOFF, source_ref="T1", type=WorkOrderType.REPORT, summary="s")


def test_the_record_is_written_then_its_work_order_sent() -> None:
    # Given a record and its work order
    events: list[str] = []

    def send(queue_url: str, message: BaseModel) -> None:
        events.append(f"send {queue_url} {message.model_dump()['source_ref']}")

    # When it is handed over
    write_then_hand_over("q", MESSAGE, write=lambda: events.append("write"), undo=lambda: events.append("undo"), what="tip-off", send=send)
    # Then the record was written first, the message sent after it, and nothing undone
    assert events == ["write", "send q T1"]


def test_a_failed_hand_over_takes_the_record_back_and_says_so() -> None:
    # Given a queue that refuses the message
    events: list[str] = []

    def send(queue_url: str, message: BaseModel) -> None:
        raise ConnectionError("queue unreachable")

    # When the record is handed over, Then the write is undone and the caller hears the hotline is unavailable
    with pytest.raises(UpstreamUnavailable, match="could not take the message"):
        write_then_hand_over("q", MESSAGE, write=lambda: events.append("write"), undo=lambda: events.append("undo"), what="message", send=send)
    assert events == ["write", "undo"]


def test_nothing_is_sent_when_the_write_fails() -> None:
    # Given a write that fails (e.g. a conflict), Then no work order is sent and nothing is undone
    sent: list[BaseModel] = []

    def write() -> None:
        raise ValueError("conflict")

    with pytest.raises(ValueError, match="conflict"):
        write_then_hand_over("q", MESSAGE, write=write, undo=lambda: sent.append(MESSAGE), what="tip-off", send=lambda url, message: sent.append(message))
    assert sent == []
