"""The resident's inbox (消息通知): short messages a platform leaves for a person, read in the app.

``NotificationsTable``: partition ``person_id``, sort ``sk`` = ``<iso time>#<id>``; items expire after the
personal-record retention. Texts hold no personal data of anyone else. A message left with a ``ref`` (once per
person and ref) also writes a marker ``ref#<ref>`` in the same transaction, so "once" costs one conditional
write, not a read of the inbox; markers sort after every time, and listing reads only ``sk < "ref#"``.
"""

from __future__ import annotations

import contextlib
import secrets
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia import clock, dynamo, paging, texts
from sanmenxia.errors import UpstreamUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_MARKER = "ref#"
#: The kind of the message a resident gets each time staff reveal their contact details (an audited reveal).
REVEAL_KIND = "data_reveal"


class Inbox:
    def __init__(self, dynamodb: DynamoDBClient, table: str, retention_days: int = 60) -> None:
        self._db = dynamodb
        self._table = table
        self._retention = retention_days

    def notify(
        self,
        person_id: str,
        *,
        kind: str,
        title: str,
        body: str,
        link: str | None = None,
        ref: str | None = None,
        title_text: dict[str, Any] | None = None,
        body_text: dict[str, Any] | None = None,
    ) -> str:
        """Leave a message; with ``ref`` the same message is left once (idempotent per person and ref).

        ``title_text``/``body_text`` are the title and body as codes (``sanmenxia.texts.text``), what the app
        renders; ``title``/``body`` the sentences kept for other readers."""
        note_id = ref or secrets.token_hex(8)
        expires = {"N": str(clock.epoch_after_days(self._retention))}
        item = {
            "person_id": {"S": person_id},
            "sk": {"S": f"{clock.iso()}#{note_id}"},
            "id": {"S": note_id},
            "kind": {"S": kind},
            "title": {"S": title},
            "body": {"S": body},
            "expires_at": expires,
        }
        if link:
            item["link"] = {"S": link}
        for name, value in (("title_text", title_text), ("body_text", body_text)):
            stored = texts.dumps(value)
            if stored:
                item[name] = {"S": stored}
        if ref is None:
            try:
                self._db.put_item(TableName=self._table, Item=item)
            except ClientError as exc:
                raise UpstreamUnavailable("could not leave the notification") from exc
            return note_id
        marker = {"person_id": {"S": person_id}, "sk": {"S": f"{_MARKER}{ref}"}, "expires_at": expires}
        writes = [
            {"Put": {"TableName": self._table, "Item": marker, "ConditionExpression": "attribute_not_exists(sk)"}},
            {"Put": {"TableName": self._table, "Item": item}},
        ]
        with contextlib.suppress(dynamo.ConditionFailed):  # left before: once per person and ref
            dynamo.transact(self._db, writes, what="notification")
        return note_id

    def page(self, person_id: str, *, limit: int, start: dict[str, Any] | None, kind: str | None = None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """A page of messages, newest first (with ``kind`` only messages of that kind, e.g. every ``data_reveal``),
        and the key to continue after."""
        query: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "person_id = :p AND sk < :marker",
            "ExpressionAttributeValues": {":p": {"S": person_id}, ":marker": {"S": _MARKER}},
            "ScanIndexForward": False,
        }
        if kind is not None:
            query["FilterExpression"] = "kind = :k"
            query["ExpressionAttributeValues"][":k"] = {"S": kind}
        raw = paging.query_page(self._db, query, limit=limit, start=start, key_attributes=("person_id", "sk"), what="notifications")
        return [_note(item) for item in raw.items], raw.last_key


def _note(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": item["id"]["S"],
        "at": item["sk"]["S"].split("#", 1)[0],
        "kind": item["kind"]["S"],
        "title": item["title"]["S"],
        "body": item["body"]["S"],
        "link": item.get("link", {}).get("S"),
        **_text_fields("title", item),
        **_text_fields("body", item),
    }


def _text_fields(name: str, item: dict[str, Any]) -> dict[str, Any]:
    said = texts.loads(item.get(f"{name}_text", {}).get("S"))
    return {f"{name}_code": said["code"], f"{name}_params": said["params"]} if said else {f"{name}_code": None, f"{name}_params": {}}
