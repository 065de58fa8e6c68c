"""The portal's rules (pure): the kinds of content and of help messages, an article's states and how it moves
between them under the two-person review (draft → in review → published → withdrawn; an edit of a published
article is held as a revision until a second person approves it)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from sanmenxia.errors import Conflict, Forbidden


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
