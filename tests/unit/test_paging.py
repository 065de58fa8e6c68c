"""The one paging contract: a cursor opens only for the list, caller and query it was sealed for; the query loop
returns exactly ``limit`` items and continues after the last one it returned."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from sanmenxia import paging
from sanmenxia.errors import InvalidInput, UpstreamUnavailable

CODEC = paging.CursorCodec(b"test-secret")
KEY = {"pk": {"S": "c#411202-001"}, "sk": {"S": "p#abc"}}
BOUND = paging.binding("GET /communities/{community_id}/residents", "sub-1", {"community_id": "411202-001"}, {"community_id": "411202-001", "?fever": "true"})


def test_a_sealed_cursor_opens_for_its_own_binding() -> None:
    cursor = CODEC.seal(KEY, BOUND)
    assert cursor is not None and CODEC.open(cursor, BOUND) == KEY
    assert CODEC.seal(None, BOUND) is None and CODEC.open(None, BOUND) is None


@pytest.mark.parametrize(
    "other",
    [
        paging.binding("GET /communities/{community_id}/residents", "sub-2", {"community_id": "411202-001"}, {"community_id": "411202-001", "?fever": "true"}),
        paging.binding("GET /communities/{community_id}/residents", "sub-1", {"community_id": "411202-002"}, {"community_id": "411202-001", "?fever": "true"}),
        paging.binding("GET /communities/{community_id}/residents", "sub-1", {"community_id": "411202-001"}, {"community_id": "411202-001", "?fever": "false"}),
        paging.binding("GET /key-persons", "sub-1", {"community_id": "411202-001"}, {"community_id": "411202-001", "?fever": "true"}),
    ],
    ids=["another caller", "another scope", "another filter", "another list"],
)
def test_a_foreign_cursor_is_a_400_naming_cursor(other: str) -> None:
    cursor = CODEC.seal(KEY, BOUND)
    with pytest.raises(InvalidInput) as refused:
        CODEC.open(cursor, other)
    assert refused.value.field == "cursor"


def test_the_limit_and_the_cursor_itself_are_not_part_of_the_binding() -> None:
    assert paging.binding("GET /x", "s", {}, {"?a": "1", "cursor": "c", "limit": "5"}) == paging.binding("GET /x", "s", {}, {"?a": "1"})


@pytest.mark.parametrize("edit", [lambda c: "A" + c[1:], lambda c: c[:-2], lambda c: c.split(".")[0], lambda c: "garbage", lambda c: "%%%.%%%", lambda c: "."])
def test_an_edited_or_forged_cursor_is_a_400(edit: Any) -> None:
    cursor = CODEC.seal(KEY, BOUND)
    assert cursor
    with pytest.raises(InvalidInput):
        CODEC.open(edit(cursor), BOUND)


def test_another_secret_does_not_open_it() -> None:
    cursor = CODEC.seal(KEY, BOUND)
    with pytest.raises(InvalidInput):
        paging.CursorCodec(b"other-secret").open(cursor, BOUND)


class FakeDb:
    """A DynamoDB query over a list of items, ``Limit`` per read, with an optional predicate as the filter."""

    def __init__(self, items: list[dict[str, Any]], keep: Any = lambda item: True) -> None:
        self.items, self.keep, self.reads = items, keep, 0

    def query(self, **request: Any) -> dict[str, Any]:
        self.reads += 1
        start = 0
        if "ExclusiveStartKey" in request:
            start = next(i for i, item in enumerate(self.items) if item["sk"] == request["ExclusiveStartKey"]["sk"]) + 1
        chunk = self.items[start : start + request["Limit"]]
        response: dict[str, Any] = {"Items": [item for item in chunk if self.keep(item)]}
        if start + request["Limit"] < len(self.items):
            response["LastEvaluatedKey"] = {"pk": chunk[-1]["pk"], "sk": chunk[-1]["sk"]}
        return response


def _items(n: int) -> list[dict[str, Any]]:
    return [{"pk": {"S": "p"}, "sk": {"S": f"{i:04d}"}, "n": i} for i in range(n)]


@pytest.mark.parametrize(("total", "limit", "read_size"), [(10, 3, 100), (10, 3, 2), (7, 7, 100), (0, 5, 100), (250, 40, 100)])
def test_paging_visits_every_item_once(total: int, limit: int, read_size: int) -> None:
    db, seen, start = FakeDb(_items(total)), [], None
    while True:
        page = paging.query_page(db, {"TableName": "t"}, limit=limit, start=start, key_attributes=("pk", "sk"), read_size=read_size)
        assert len(page.items) <= limit
        seen.extend(item["n"] for item in page.items)
        start = page.last_key
        if start is None:
            break
    assert seen == list(range(total))


def test_a_sparse_filter_gives_a_short_page_with_a_cursor_not_an_endless_scan() -> None:
    db = FakeDb(_items(5000), keep=lambda item: item["n"] == 4999)
    page = paging.query_page(db, {"TableName": "t"}, limit=10, start=None, key_attributes=("pk", "sk"))
    assert page.items == [] and page.last_key is not None and db.reads == paging.MAX_READS


def test_dynamodb_refusing_a_start_key_is_a_cursor_error_and_other_failures_are_503() -> None:
    class Refusing:
        def __init__(self, code: str) -> None:
            self.code = code

        def query(self, **request: Any) -> dict[str, Any]:
            raise ClientError({"Error": {"Code": self.code, "Message": "no"}}, "Query")

    with pytest.raises(InvalidInput):
        paging.query_page(Refusing("ValidationException"), {}, limit=1, start={"pk": {"S": "x"}}, key_attributes=("pk",))
    with pytest.raises(UpstreamUnavailable):
        paging.query_page(Refusing("ProvisionedThroughputExceededException"), {}, limit=1, start=None, key_attributes=("pk",))


class PartitionedDb:
    """Several partitions (``pk``), each a FakeDb; the query's ``:p`` value picks one."""

    def __init__(self, sizes: dict[str, int]) -> None:
        self.parts = {pk: FakeDb([{"pk": {"S": pk}, "sk": {"S": f"{i:04d}"}, "n": f"{pk}-{i}"} for i in range(size)]) for pk, size in sizes.items()}

    def query(self, **request: Any) -> dict[str, Any]:
        return self.parts[request["ExpressionAttributeValues"][":p"]["S"]].query(**request)


@pytest.mark.parametrize(
    ("sizes", "limit"), [({"a": 3, "b": 0, "c": 4}, 2), ({"a": 2, "b": 2}, 2), ({"a": 0, "b": 0}, 3), ({"a": 5}, 5), ({"a": 1, "b": 7, "c": 1}, 3)]
)
def test_partitions_read_in_turn_give_every_item_once(sizes: dict[str, int], limit: int) -> None:
    # Given several partitions read one after the other
    db = PartitionedDb(sizes)
    queries = [(pk, {"TableName": "t", "ExpressionAttributeValues": {":p": {"S": pk}}}) for pk in sizes]
    seen: list[str] = []
    start: dict[str, Any] | None = None
    # When they are paged to the end
    for _ in range(50):
        page = paging.query_in_turn(db, queries, partition_key="pk", limit=limit, start=start, key_attributes=("pk", "sk"))
        assert len(page.items) <= limit
        seen.extend(item["n"] for item in page.items)
        start = page.last_key
        if start is None:
            break
    # Then every item of every partition came once, in partition order
    assert seen == [f"{pk}-{i}" for pk, size in sizes.items() for i in range(size)]


def test_a_continuation_key_of_no_partition_is_a_cursor_error() -> None:
    queries = [("a", {"TableName": "t", "ExpressionAttributeValues": {":p": {"S": "a"}}})]
    with pytest.raises(InvalidInput) as refused:
        paging.query_in_turn(PartitionedDb({"a": 1}), queries, partition_key="pk", limit=2, start={"pk": {"S": "z"}}, key_attributes=("pk", "sk"))
    assert refused.value.field == "cursor"
