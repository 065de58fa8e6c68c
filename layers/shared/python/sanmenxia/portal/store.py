"""The portal's content (疫情通报, 防控措施, 防护知识, 辟谣) and residents' help messages (求助留言).

``PortalTable`` (partition ``pk``):

* ``article#<id>``: kind, title, summary, body, source unit, ``state`` (draft → in_review → published →
  withdrawn, and back to draft when a reviewer returns it), author, times and ``version``. An edit of a
  published article is held as ``revision`` (the new content) until a second person approves it; the public
  keeps reading the approved content meanwhile. ``review`` = ``in_review`` marks what waits for a reviewer
  (a submitted draft, or a published article with a revision) for ``review-index`` (review, updated_at).
  Published articles also carry ``feed`` = ``all`` and ``kind_feed`` = kind, so the public feed indexes
  (``feed-index``, ``kind-index``, both by ``published_at``) hold only what the public may read, and a page
  of the feed is one query however many drafts there are.
* ``help#<id>``: a help message: kind, the message, phone and address sealed, the resident's person id,
  community, and the work order it became. Expires after the personal-record retention.

``state-index`` (state, updated_at) lists drafts for staff; ``requester-index`` (requester_sub,
created_at) lists a resident's own help messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia import dynamo, paging
from sanmenxia.audit import AuditLog, AuditRecord
from sanmenxia.errors import Conflict, NotFound, UpstreamUnavailable
from sanmenxia.hotline.store import deserialize, serialize
from sanmenxia.portal.rules import Article, ArticleKind, ArticleState

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def article_item(article: Article) -> dict[str, Any]:
    """An article as its ``PortalTable`` item, with the sparse index keys of its state."""
    published = article.state is ArticleState.PUBLISHED
    return serialize(
        {
            "pk": f"article#{article.article_id}",
            "article_id": article.article_id,
            "kind": article.kind.value,
            "title": article.title,
            "summary": article.summary,
            "body": article.body,
            "source": article.source,
            "state": article.state.value,
            "author": article.author,
            "created_at": article.created_at,
            "updated_at": article.updated_at,
            "published_at": article.published_at,
            "rebuts": article.rebuts,
            "version": article.version,
            "revision": article.revision,
            "submitted_by": article.submitted_by,
            "review_note": article.review_note,
            "review": "in_review" if article.awaiting_review else None,
            "feed": "all" if published else None,
            "kind_feed": article.kind.value if published else None,
        }
    )


def article_from_item(item: dict[str, Any]) -> Article:
    data = deserialize(item)
    return Article(
        article_id=data["article_id"],
        kind=ArticleKind(data["kind"]),
        title=data["title"],
        summary=data["summary"],
        body=data["body"],
        source=data["source"],
        state=ArticleState(data["state"]),
        author=data["author"],
        created_at=data["created_at"],
        updated_at=data["updated_at"],
        published_at=data.get("published_at"),
        rebuts=data.get("rebuts"),
        version=int(data["version"]),
        revision=data.get("revision"),
        submitted_by=data.get("submitted_by"),
        review_note=data.get("review_note"),
    )


@dataclass(frozen=True)
class ArticlePage:
    articles: list[Article]
    last_key: dict[str, Any] | None


class PortalStore:
    """Data access for articles and help messages. ``dynamodb`` is a boto3 client."""

    def __init__(self, dynamodb: DynamoDBClient, table: str, audit: AuditLog) -> None:
        self._db = dynamodb
        self._table = table
        self._audit = audit

    def save_article(self, article: Article, audit_entry: AuditRecord, *, expected_version: int | None) -> None:
        """Create (``expected_version`` None) or replace an article at the version read, with its audit."""
        put: dict[str, Any] = {"TableName": self._table, "Item": article_item(article)}
        if expected_version is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "version = :v"
            put["ExpressionAttributeValues"] = {":v": {"N": str(expected_version)}}
        refusal = Conflict("the article was changed by someone else meanwhile; reload it and try again")
        dynamo.transact(self._db, [{"Put": put}, self._audit.put_request(audit_entry)], what="article", refusals={0: refusal})

    def article(self, article_id: str) -> Article:
        try:
            item = self._db.get_item(TableName=self._table, Key={"pk": {"S": f"article#{article_id}"}}, ConsistentRead=True).get("Item")
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the article") from exc
        if not item or "article_id" not in item:
            raise NotFound("no such article")
        return article_from_item(item)

    def _page(self, index: str, key: tuple[str, str], sort_key: str, limit: int, start: dict[str, Any] | None) -> ArticlePage:
        params: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": index,
            "KeyConditionExpression": "#k = :k",
            "ExpressionAttributeNames": {"#k": key[0]},
            "ExpressionAttributeValues": {":k": {"S": key[1]}},
            "ScanIndexForward": False,
        }
        raw = paging.query_page(self._db, params, limit=limit, start=start, key_attributes=("pk", key[0], sort_key), what="articles")
        return ArticlePage([article_from_item(item) for item in raw.items], raw.last_key)

    def published(self, kind: ArticleKind | None, limit: int, start: dict[str, Any] | None) -> ArticlePage:
        """The public feed, newest first: all kinds, or one."""
        if kind is None:
            return self._page("feed-index", ("feed", "all"), "published_at", limit, start)
        return self._page("kind-index", ("kind_feed", kind.value), "published_at", limit, start)

    def in_state(self, state: ArticleState, limit: int, start: dict[str, Any] | None) -> ArticlePage:
        """Articles in a state, newest change first; ``in_review`` also holds published articles whose revision
        waits for review."""
        if state is ArticleState.IN_REVIEW:
            return self._page("review-index", ("review", "in_review"), "updated_at", limit, start)
        return self._page("state-index", ("state", state.value), "updated_at", limit, start)

    # -- help messages --------------------------------------------------------------------------------
    def put_help(self, values: dict[str, Any]) -> None:
        try:
            self._db.put_item(TableName=self._table, Item=serialize({"pk": f"help#{values['help_id']}", **values}))
        except ClientError as exc:
            raise UpstreamUnavailable("could not save the help message") from exc

    def delete_help(self, help_id: str) -> None:
        try:
            self._db.delete_item(TableName=self._table, Key={"pk": {"S": f"help#{help_id}"}})
        except ClientError as exc:
            raise UpstreamUnavailable("could not withdraw the help message") from exc

    def help_of(self, requester_sub: str, limit: int, start: dict[str, Any] | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """A page of the requester's help messages, newest first, and the key to continue after."""
        query = {
            "TableName": self._table,
            "IndexName": "requester-index",
            "KeyConditionExpression": "requester_sub = :r",
            "ExpressionAttributeValues": {":r": {"S": requester_sub}},
            "ScanIndexForward": False,
        }
        raw = paging.query_page(self._db, query, limit=limit, start=start, key_attributes=("pk", "requester_sub", "created_at"), what="your help messages")
        return [deserialize(item) for item in raw.items], raw.last_key
