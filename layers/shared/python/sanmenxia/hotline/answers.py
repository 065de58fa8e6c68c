"""The knowledge base of standard answers (知识库·标准答复) that operators and units search when they reply.

``HotlineDeskTable`` items ``answers`` / ``<answer_id>``: title, body, an optional category (a work-order type
or tip-off category), tags, and ``search`` (title, body and tags folded to lower case) for the contains-filter of
a search. The knowledge base is small (hundreds of answers), so one partition holds it and a search reads it
page by page. Writes are versioned (two operators editing at once cannot both win) and audited in the same
transaction. Answers are the city's public wording: they hold no personal data.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia import dynamo, paging
from sanmenxia import items as dynamo_items
from sanmenxia.audit import AuditLog, AuditRecord
from sanmenxia.errors import Conflict, NotFound, UpstreamUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

PARTITION = "answers"


def new_answer_id() -> str:
    return "KB" + secrets.token_hex(8)


def search_text(title: str, body: str, tags: tuple[str, ...]) -> str:
    return " ".join([title, body, *tags]).casefold()


@dataclass(frozen=True)
class StandardAnswer:
    answer_id: str
    title: str
    body: str
    category: str | None
    tags: tuple[str, ...]
    created_by: str
    updated_by: str
    updated_at: str
    version: int = 1

    def to_json(self) -> dict[str, Any]:
        return {
            "answer_id": self.answer_id,
            "title": self.title,
            "body": self.body,
            "category": self.category,
            "tags": list(self.tags),
            "created_by": self.created_by,
            "updated_by": self.updated_by,
            "updated_at": self.updated_at,
            "version": self.version,
        }

    def item(self) -> dict[str, Any]:
        values = {**self.to_json(), "pk": PARTITION, "sk": self.answer_id, "search": search_text(self.title, self.body, self.tags)}
        values["tags"] = list(self.tags) or None
        return dynamo_items.to_item(values)

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> StandardAnswer:
        data = dynamo_items.from_item(item)
        return cls(
            answer_id=data["answer_id"],
            title=data["title"],
            body=data["body"],
            category=data.get("category"),
            tags=tuple(data.get("tags") or ()),
            created_by=data["created_by"],
            updated_by=data["updated_by"],
            updated_at=data["updated_at"],
            version=int(data["version"]),
        )

    def edited(self, *, title: str, body: str, category: str | None, tags: tuple[str, ...], by: str, at: str) -> StandardAnswer:
        return replace(self, title=title, body=body, category=category, tags=tags, updated_by=by, updated_at=at, version=self.version + 1)


class AnswerStore:
    """Data access for standard answers. ``dynamodb`` is a boto3 client."""

    def __init__(self, dynamodb: DynamoDBClient, table: str, audit: AuditLog) -> None:
        self._db = dynamodb
        self._table = table
        self._audit = audit

    def _key(self, answer_id: str) -> dict[str, Any]:
        return {"pk": {"S": PARTITION}, "sk": {"S": answer_id}}

    def get(self, answer_id: str) -> StandardAnswer:
        try:
            item = self._db.get_item(TableName=self._table, Key=self._key(answer_id), ConsistentRead=True).get("Item")
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the standard answer") from exc
        if not item:
            raise NotFound("no such standard answer", field="answer_id")
        return StandardAnswer.from_item(item)

    def save(self, answer: StandardAnswer, entry: AuditRecord, *, expected_version: int | None) -> None:
        """Create (``expected_version`` None) or replace the answer of that version, with its audit record."""
        put: dict[str, Any] = {"TableName": self._table, "Item": answer.item()}
        if expected_version is None:
            put["ConditionExpression"] = "attribute_not_exists(sk)"
        else:
            put["ConditionExpression"] = "version = :v"
            put["ExpressionAttributeValues"] = {":v": {"N": str(expected_version)}}
        refusal = Conflict("the standard answer was changed by someone else meanwhile; reload it and try again", field="version")
        dynamo.transact(self._db, [{"Put": put}, self._audit.put_request(entry)], what="standard answer", refusals={0: refusal})

    def delete(self, answer: StandardAnswer, entry: AuditRecord) -> None:
        delete = {
            "TableName": self._table,
            "Key": self._key(answer.answer_id),
            "ConditionExpression": "version = :v",
            "ExpressionAttributeValues": {":v": {"N": str(answer.version)}},
        }
        refusal = Conflict("the standard answer was changed by someone else meanwhile; reload it and try again", field="version")
        dynamo.transact(self._db, [{"Delete": delete}, self._audit.put_request(entry)], what="standard answer", refusals={0: refusal})

    def search(
        self, words: str | None, category: str | None, *, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[StandardAnswer], dict[str, Any] | None]:
        """Answers whose title, body or tags contain every word of ``words`` (any case), of ``category`` when
        given (answers without a category fit every category)."""
        params: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": PARTITION}},
        }
        clauses = []
        for position, word in enumerate(dict.fromkeys((words or "").casefold().split())):
            params["ExpressionAttributeValues"][f":w{position}"] = {"S": word}
            clauses.append(f"contains(#s, :w{position})")
        if category:
            params["ExpressionAttributeValues"][":c"] = {"S": category}
            clauses.append("(attribute_not_exists(category) OR category = :c)")
        if clauses:
            params["FilterExpression"] = " AND ".join(clauses)
            if any(":w" in clause for clause in clauses):
                params["ExpressionAttributeNames"] = {"#s": "search"}
        raw = paging.query_page(self._db, params, limit=limit, start=start, key_attributes=("pk", "sk"), what="standard answers")
        return [StandardAnswer.from_item(item) for item in raw.items], raw.last_key
