"""Registry reads: registered items never change, so a read is eventually consistent (half the capacity of every
gate scan and token) and only a miss is read again strongly (an item written a moment ago)."""

from __future__ import annotations

from typing import Any

from sanmenxia.people import PeopleRegistry


class Reads:
    def __init__(self, answers: list[dict[str, Any] | None]) -> None:
        self.answers = answers
        self.consistent: list[bool] = []

    def get_item(self, ConsistentRead: bool, **_: Any) -> dict[str, Any]:
        self.consistent.append(ConsistentRead)
        item = self.answers.pop(0)
        return {"Item": item} if item else {}


def registry(client: Reads) -> PeopleRegistry:
    return PeopleRegistry(client, "People", vault=None, lookup_secret=lambda: b"k", audit=None)  # type: ignore[arg-type]


def test_a_found_item_takes_one_eventually_consistent_read() -> None:
    client = Reads([{"pk": {"S": "acct#a"}}])
    assert registry(client)._get("acct#a") == {"pk": {"S": "acct#a"}}
    assert client.consistent == [False]


def test_a_missing_item_is_read_again_strongly_before_it_is_missing() -> None:
    client = Reads([None, {"pk": {"S": "acct#a"}}])
    assert registry(client)._get("acct#a") == {"pk": {"S": "acct#a"}}
    client = Reads([None, None])
    assert registry(client)._get("acct#b") is None
    assert client.consistent == [False, True]
