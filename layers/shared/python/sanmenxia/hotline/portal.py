"""The portal's content (疫情通报, 防控措施, 防护知识, 辟谣) and residents' help messages (求助留言).

``PortalTable`` (partition ``pk``):

* ``article#<id>``: kind, title, summary, body, source unit, ``state`` (draft → published → withdrawn),
  author, times and ``version``. Published articles also carry ``feed`` = ``all`` and ``kind_feed`` = kind,
  so the public feed indexes (``feed-index``, ``kind-index``, both by ``published_at``) hold only what the
  public may read, and a page of the feed is one query however many drafts there are.
* ``help#<id>``: a help message: kind, the message, phone and address sealed, the resident's person id,
  community, and the work order it became. Expires after the personal-record retention.

``state-index`` (state, updated_at) lists drafts for staff; ``requester-index`` (requester_sub,
created_at) lists a resident's own help messages.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from botocore.exceptions import ClientError

from sanmenxia import dynamo, paging
from sanmenxia.errors import Conflict, NotFound, UpstreamUnavailable
from sanmenxia.hotline.store import deserialize, serialize


class ArticleKind(StrEnum):
    ANNOUNCEMENT = "announcement"  # 疫情通报 / 公告
    MEASURE = "measure"  # 防控措施
    KNOWLEDGE = "knowledge"  # 防护知识
    RUMOUR_REBUTTAL = "rumour_rebuttal"  # 辟谣


class ArticleState(StrEnum):
    DRAFT = "draft"  # 草稿
    PUBLISHED = "published"  # 已发布
    WITHDRAWN = "withdrawn"  # 已撤回


#: state → the states an article can move to.
ARTICLE_TRANSITIONS: dict[ArticleState, frozenset[ArticleState]] = {
    ArticleState.DRAFT: frozenset({ArticleState.PUBLISHED}),
    ArticleState.PUBLISHED: frozenset({ArticleState.WITHDRAWN}),
    ArticleState.WITHDRAWN: frozenset({ArticleState.PUBLISHED}),
}


class HelpKind(StrEnum):
    MEDICINE = "medicine"  # 买药
    FOOD = "food"  # 生活物资
    MEDICAL_VISIT = "medical_visit"  # 就医
    ELDERLY_CARE = "elderly_care"  # 老人照护
    OTHER = "other"  # 其他


@dataclass(frozen=True)
class Article:
    article_id: str
    kind: ArticleKind
    title: str
    summary: str
    body: str
    source: str
    state: ArticleState
    author: str
    created_at: str
    updated_at: str
    published_at: str | None = None
    rebuts: str | None = None
    version: int = 1

    def public(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "kind": self.kind.value,
            "title": self.title,
            "summary": self.summary,
            "body": self.body,
            "source": self.source,
            "rebuts": self.rebuts,
            "published_at": self.published_at,
            "updated_at": self.updated_at,
        }

    def staff(self) -> dict[str, Any]:
        return {**self.public(), "state": self.state.value, "author": self.author, "created_at": self.created_at, "version": self.version}

    def item(self) -> dict[str, Any]:
        published = self.state is ArticleState.PUBLISHED
        return serialize(
            {
                "pk": f"article#{self.article_id}",
                "article_id": self.article_id,
                "kind": self.kind.value,
                "title": self.title,
                "summary": self.summary,
                "body": self.body,
                "source": self.source,
                "state": self.state.value,
                "author": self.author,
                "created_at": self.created_at,
                "updated_at": self.updated_at,
                "published_at": self.published_at,
                "rebuts": self.rebuts,
                "version": self.version,
                "feed": "all" if published else None,
                "kind_feed": self.kind.value if published else None,
            }
        )

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Article:
        data = deserialize(item)
        return cls(
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
        )


def move(article: Article, to: ArticleState, at: str) -> Article:
    """Publish, withdraw or republish (pure); ``Conflict`` when the state does not allow it."""
    if to not in ARTICLE_TRANSITIONS[article.state]:
        raise Conflict(f"a {article.state.value} article cannot become {to.value}")
    published_at = at if to is ArticleState.PUBLISHED and article.published_at is None else article.published_at
    return replace(article, state=to, updated_at=at, published_at=published_at, version=article.version + 1)


def new_article_id() -> str:
    return "A" + secrets.token_hex(8)


@dataclass(frozen=True)
class ArticlePage:
    articles: list[Article]
    last_key: dict[str, Any] | None


class PortalStore:
    """Data access for articles and help messages. ``dynamodb`` is a boto3 client."""

    def __init__(self, dynamodb: Any, table: str, audit: Any) -> None:
        self._db = dynamodb
        self._table = table
        self._audit = audit

    def save_article(self, article: Article, audit_entry: Any, *, expected_version: int | None) -> None:
        """Create (``expected_version`` None) or replace an article at the version read, with its audit."""
        put: dict[str, Any] = {"TableName": self._table, "Item": article.item()}
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
        return Article.from_item(item)

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
        return ArticlePage([Article.from_item(item) for item in raw.items], raw.last_key)

    def published(self, kind: ArticleKind | None, limit: int, start: dict[str, Any] | None) -> ArticlePage:
        """The public feed, newest first: all kinds, or one."""
        if kind is None:
            return self._page("feed-index", ("feed", "all"), "published_at", limit, start)
        return self._page("kind-index", ("kind_feed", kind.value), "published_at", limit, start)

    def in_state(self, state: ArticleState, limit: int, start: dict[str, Any] | None) -> ArticlePage:
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

    def help_of(self, requester_sub: str, limit: int = 50) -> list[dict[str, Any]]:
        try:
            items = self._db.query(
                TableName=self._table,
                IndexName="requester-index",
                KeyConditionExpression="requester_sub = :r",
                ExpressionAttributeValues={":r": {"S": requester_sub}},
                ScanIndexForward=False,
                Limit=limit,
            )["Items"]
        except ClientError as exc:
            raise UpstreamUnavailable("could not list your help messages") from exc
        return [deserialize(item) for item in items]
