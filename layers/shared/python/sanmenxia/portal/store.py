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

import secrets
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia import dynamo, paging
from sanmenxia.errors import Conflict, Forbidden, NotFound, UpstreamUnavailable
from sanmenxia.hotline.store import deserialize, serialize

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class ArticleKind(StrEnum):
    ANNOUNCEMENT = "announcement"  # 疫情通报 / 公告
    MEASURE = "measure"  # 防控措施
    KNOWLEDGE = "knowledge"  # 防护知识
    RUMOUR_REBUTTAL = "rumour_rebuttal"  # 辟谣


class ArticleState(StrEnum):
    DRAFT = "draft"  # 草稿
    IN_REVIEW = "in_review"  # 待审核
    PUBLISHED = "published"  # 已发布
    WITHDRAWN = "withdrawn"  # 已撤回


#: state → the states an article can move to (publishing needs a review; an edit of a published article is a
#: revision that is reviewed in turn, see ``revise``, ``approve`` and ``send_back``).
ARTICLE_TRANSITIONS: dict[ArticleState, frozenset[ArticleState]] = {
    ArticleState.DRAFT: frozenset({ArticleState.IN_REVIEW}),
    ArticleState.IN_REVIEW: frozenset({ArticleState.PUBLISHED, ArticleState.DRAFT}),
    ArticleState.PUBLISHED: frozenset({ArticleState.WITHDRAWN}),
    ArticleState.WITHDRAWN: frozenset({ArticleState.IN_REVIEW}),
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
    revision: dict[str, Any] | None = None  # an edit of the published article, waiting for review
    submitted_by: str | None = None  # who sent the draft or the revision to review
    review_note: str | None = None  # why a reviewer sent it back

    @property
    def awaiting_review(self) -> bool:
        return self.state is ArticleState.IN_REVIEW or self.revision is not None

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
        return {
            **self.public(),
            "state": self.state.value,
            "author": self.author,
            "created_at": self.created_at,
            "version": self.version,
            "revision": self.revision,
            "submitted_by": self.submitted_by,
            "review_note": self.review_note,
        }

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
                "revision": self.revision,
                "submitted_by": self.submitted_by,
                "review_note": self.review_note,
                "review": "in_review" if self.awaiting_review else None,
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
            revision=data.get("revision"),
            submitted_by=data.get("submitted_by"),
            review_note=data.get("review_note"),
        )


def move(article: Article, to: ArticleState, at: str) -> Article:
    """A state change (pure); ``Conflict`` when the state does not allow it."""
    if to not in ARTICLE_TRANSITIONS[article.state]:
        raise Conflict(f"a {article.state.value} article cannot become {to.value}")
    published_at = at if to is ArticleState.PUBLISHED and article.published_at is None else article.published_at
    return replace(article, state=to, updated_at=at, published_at=published_at, version=article.version + 1)


def submit(article: Article, by: str, at: str) -> Article:
    """Send a draft (or a withdrawn article) to review (送审)."""
    return replace(move(article, ArticleState.IN_REVIEW, at), submitted_by=by, review_note=None)


def revise(article: Article, content: dict[str, Any], by: str, at: str) -> Article:
    """An editor's change. A draft or withdrawn article changes in place; a published one keeps its approved
    content for the public and holds the change as a revision that goes to review; one under review waits."""
    if article.state is ArticleState.IN_REVIEW or article.revision is not None:
        raise Conflict("the article is waiting for review: have it returned first, then edit it")
    if article.state is ArticleState.PUBLISHED:
        return replace(article, revision=dict(content), submitted_by=by, review_note=None, updated_at=at, version=article.version + 1)
    return replace(article, **content, updated_at=at, version=article.version + 1)


def approve(article: Article, reviewer: str, at: str) -> Article:
    """A second person publishes what waits for review (审核发布): a submitted draft, or a published article's
    revision (its content replaces the public one)."""
    if not article.awaiting_review:
        raise Conflict(f"nothing of this {article.state.value} article waits for review; submit it first")
    if reviewer == article.submitted_by:
        raise Forbidden("a second person reviews: you sent this to review yourself")
    if article.revision is not None:
        held = article.revision
        return replace(
            article,
            kind=ArticleKind(str(held["kind"])),
            title=str(held["title"]),
            summary=str(held["summary"]),
            body=str(held["body"]),
            source=str(held["source"]),
            rebuts=held.get("rebuts"),
            revision=None,
            review_note=None,
            updated_at=at,
            version=article.version + 1,
        )
    return replace(move(article, ArticleState.PUBLISHED, at), review_note=None)


def send_back(article: Article, reviewer: str, note: str, at: str) -> Article:
    """A reviewer returns it with the reason (退回): a draft goes back to draft, a revision is dropped (the
    published content stays)."""
    if not article.awaiting_review:
        raise Conflict(f"nothing of this {article.state.value} article waits for review")
    if article.revision is not None:
        return replace(article, revision=None, review_note=note, updated_at=at, version=article.version + 1)
    return replace(move(article, ArticleState.DRAFT, at), review_note=note)


def new_article_id() -> str:
    return "A" + secrets.token_hex(8)


@dataclass(frozen=True)
class ArticlePage:
    articles: list[Article]
    last_key: dict[str, Any] | None


class PortalStore:
    """Data access for articles and help messages. ``dynamodb`` is a boto3 client."""

    def __init__(self, dynamodb: DynamoDBClient, table: str, audit: Any) -> None:
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
