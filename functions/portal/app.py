"""The 线上三门峡 portal: content anyone reads without signing in (疫情通报 announcements, 防控措施 measures,
防护知识 prevention knowledge, 辟谣 rumour rebuttals), published by staff after a second person's review
(draft → in review → published → withdrawn; an edit of a published article is reviewed before the public sees it), and residents'
help messages (求助留言), each of which reaches the community and the hotline as a work order."""

from __future__ import annotations

import functools
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import BaseModel, Field

from sanmenxia import api, aws, clock, paging
from sanmenxia.auth import PUBLIC, Role, allow
from sanmenxia.errors import NotFound
from sanmenxia.hotline.store import WorkOrderStore
from sanmenxia.models import CommunityId, LongText, Phone, RequestModel, ResponseModel, ShortText
from sanmenxia.portal.rules import Article, ArticleKind, ArticleState, HelpKind
from sanmenxia.portal.service import ArticleContent, NewHelp, Portal, require_publisher
from sanmenxia.portal.store import PortalStore
from sanmenxia.services import PeopleSettings, audit_log, people, vault

ARTICLE_ID = r"^A[0-9a-f]{16}$"
PUBLISHERS = allow(Role.COMMANDER, Role.ADMIN, Role.DEPARTMENT_HANDLER)


class Settings(PeopleSettings):
    portal_table: str
    work_orders_table: str
    hotline_figures_table: str
    work_order_intake_queue_url: str


@functools.cache
def settings() -> Settings:
    return Settings()  # type: ignore[call-arg]


@functools.cache
def portal() -> PortalStore:
    return PortalStore(aws.client("dynamodb"), settings().portal_table, audit_log(settings().audit_table))


@functools.cache
def orders() -> WorkOrderStore:
    return WorkOrderStore(aws.client("dynamodb"), settings().work_orders_table, settings().hotline_figures_table, audit_log(settings().audit_table))


@functools.cache
def service() -> Portal:
    config = settings()
    return Portal(
        portal(),
        orders(),
        vault(config.pii_key_id),
        config.work_order_intake_queue_url,
        find_person=people(config).find_by_account,
        personal_record_days=config.personal_record_days,
    )


app = api.PlatformResolver(title="Portal 线上三门峡门户")


class ArticleIn(RequestModel):
    kind: ArticleKind
    title: Annotated[str, Field(min_length=2, max_length=120)]
    summary: Annotated[str, Field(min_length=1, max_length=300)]
    body: Annotated[str, Field(min_length=1, max_length=20_000)]
    source: Annotated[str, Field(min_length=2, max_length=60, examples=["三门峡市新型冠状病毒感染的肺炎疫情防控指挥部"])]
    rebuts: Annotated[str | None, Field(default=None, max_length=300, description="the rumour a rebuttal answers")] = None


class HelpIn(RequestModel):
    kind: HelpKind
    message: LongText
    phone: Phone | None = None
    address: ShortText | None = None
    community_id: CommunityId | None = Field(default=None, description="where help is needed; default: my registered community")


class ArticleOut(BaseModel):
    """A published article as anyone reads it."""

    article_id: str
    kind: ArticleKind
    title: str
    summary: str
    body: str
    source: str
    rebuts: str | None = None
    published_at: str | None = None
    updated_at: str


class ArticleStaffOut(ArticleOut):
    """An article as its editors see it: its state, author and version too."""

    state: ArticleState
    author: str
    created_at: str
    version: int
    revision: dict[str, Any] | None = Field(default=None, description="an edit of the published article, waiting for review")
    submitted_by: str | None = None
    review_note: str | None = None


def _content(body: ArticleIn) -> ArticleContent:
    return ArticleContent(**body.model_dump())


def _staff_out(article: Article) -> ArticleStaffOut:
    return ArticleStaffOut.model_validate(article.staff())


# -- public reading ------------------------------------------------------------------------------------
@app.get("/portal/articles", access=PUBLIC, summary="Published content, newest first, paged 资讯", tags=["portal"])
def list_articles(
    kind: Annotated[ArticleKind | None, Query()] = None,
    limit: paging.Limit = 10,
    cursor: paging.Cursor = None,
) -> paging.Page[ArticleOut]:
    # Every home screen reads the first page: API Gateway's stage cache serves it for 30 s (template.yaml
    # MethodSettings, keyed by the query string), so the feed's one partition key is read a few times a minute.
    page = portal().published(kind, limit, app.page_start(cursor))
    return app.page([ArticleOut.model_validate(article.public()) for article in page.articles], page.last_key)


@app.get("/portal/articles/<article_id>", access=PUBLIC, summary="One published article 资讯详情", tags=["portal"])
def get_article(article_id: Annotated[str, Path(pattern=ARTICLE_ID)]) -> ArticleOut:
    article = portal().article(article_id)
    if article.state is not ArticleState.PUBLISHED:
        raise NotFound("no such article")
    return ArticleOut.model_validate(article.public())


# -- publishing ------------------------------------------------------------------------------------------
@app.get("/portal/manage/articles", access=PUBLISHERS, summary="Articles by state for editors and reviewers 稿件管理", tags=["portal"])
def manage_articles(
    state: Annotated[ArticleState, Query()] = ArticleState.DRAFT,
    limit: paging.Limit = 20,
    cursor: paging.Cursor = None,
) -> paging.Page[ArticleStaffOut]:
    require_publisher(app.caller)
    page = portal().in_state(state, limit, app.page_start(cursor))
    return app.page([ArticleStaffOut.model_validate(article.staff()) for article in page.articles], page.last_key)


@app.post("/portal/articles", access=PUBLISHERS, status_code=201, summary="Write a draft 新建稿件", tags=["portal"])
def create_article(body: ArticleIn) -> ArticleStaffOut:
    return _staff_out(service().create(app.caller, _content(body), clock.now()))


@app.put("/portal/articles/<article_id>", access=PUBLISHERS, summary="Edit an article (a published one: as a revision for review) 修改稿件", tags=["portal"])
def edit_article(article_id: Annotated[str, Path(pattern=ARTICLE_ID)], body: ArticleIn) -> ArticleStaffOut:
    return _staff_out(service().edit(app.caller, article_id, _content(body), clock.now()))


@app.post("/portal/articles/<article_id>/submit", access=PUBLISHERS, summary="Send to review 送审", tags=["portal"])
def submit_for_review(article_id: Annotated[str, Path(pattern=ARTICLE_ID)]) -> ArticleStaffOut:
    return _staff_out(service().submit(app.caller, article_id, clock.now()))


class ReturnIn(RequestModel):
    note: ShortText = Field(description="why the reviewer sends it back")


@app.post("/portal/articles/<article_id>/return", access=PUBLISHERS, summary="Return to the editor with the reason 退回", tags=["portal"])
def return_to_editor(article_id: Annotated[str, Path(pattern=ARTICLE_ID)], body: ReturnIn) -> ArticleStaffOut:
    return _staff_out(service().send_back(app.caller, article_id, body.note, clock.now()))


@app.post("/portal/articles/<article_id>/publish", access=PUBLISHERS, summary="Review and publish (a second person) 审核发布", tags=["portal"])
def publish(article_id: Annotated[str, Path(pattern=ARTICLE_ID)]) -> ArticleStaffOut:
    return _staff_out(service().publish(app.caller, article_id, clock.now()))


@app.post("/portal/articles/<article_id>/withdraw", access=PUBLISHERS, summary="Withdraw from the portal 撤回", tags=["portal"])
def withdraw(article_id: Annotated[str, Path(pattern=ARTICLE_ID)]) -> ArticleStaffOut:
    return _staff_out(service().withdraw(app.caller, article_id, clock.now()))


# -- help messages ---------------------------------------------------------------------------------------
class HelpReceiptOut(ResponseModel):
    """A help message as it was left: it reached the hotline and the community as work order ``order_id``."""

    help_id: str
    kind: HelpKind
    community_id: str
    created_at: str
    order_id: str
    status: str
    message: str = Field(description="what happens next (not the message itself)")
    message_code: str = Field(description="the message's text code (the app words it in the reader's language)")
    message_params: dict[str, Any] = Field(default_factory=dict)


class HelpMessageOut(ResponseModel):
    """One of my help messages and the answer to it (the message is shown only to the resident who left it)."""

    help_id: str
    kind: HelpKind
    message: str
    community_id: str
    created_at: str
    order_id: str
    status: str = Field(description="the work order's status; `submitted` until the hotline has taken it")
    department_label: str | None = None
    reply: str | None = None
    reply_code: str | None = Field(default=None, description="the reply's text code when the platform wrote it")
    reply_params: dict[str, Any] | None = None


@app.post("/portal/help-messages", access=allow(Role.RESIDENT), status_code=201, summary="Leave a help message 求助留言", tags=["portal"])
def leave_help_message(body: HelpIn) -> HelpReceiptOut:
    return HelpReceiptOut.model_validate(service().leave_help(app.caller, NewHelp(**body.model_dump()), clock.now()))


@app.get("/portal/help-messages/mine", access=allow(Role.RESIDENT), summary="My help messages and their answers, newest first 我的留言", tags=["portal"])
def my_help_messages(limit: paging.Limit = 20, cursor: paging.Cursor = None) -> paging.Page[HelpMessageOut]:
    rows, last = service().my_help(app.caller, limit, app.page_start(cursor))
    return app.page([HelpMessageOut.model_validate(row) for row in rows], last)


lambda_handler = api.handler(app)
