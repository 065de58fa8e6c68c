"""The 线上三门峡 portal: content anyone reads without signing in (疫情通报 announcements, 防控措施 measures,
防护知识 prevention knowledge, 辟谣 rumour rebuttals), published by staff after a second person's review
(draft → in review → published → withdrawn; an edit of a published article is reviewed before the public sees it), and residents'
help messages (求助留言), each of which reaches the community and the hotline as a work order."""

from __future__ import annotations

import functools
import secrets
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import BaseModel, Field

from sanmenxia import api, audit, aws, clock, contracts, paging, regions, texts
from sanmenxia.auth import PUBLIC, Role, allow
from sanmenxia.contracts import WorkOrderIntake, WorkOrderSource, WorkOrderType
from sanmenxia.errors import InvalidInput, NotFound
from sanmenxia.hotline.routing import PUBLISHING_DEPARTMENT
from sanmenxia.hotline.rules import order_id_for
from sanmenxia.hotline.service import department_label
from sanmenxia.hotline.store import WorkOrderStore
from sanmenxia.models import CommunityId, LongText, Phone, RequestModel, ResponseModel, ShortText
from sanmenxia.observability import logger, metrics
from sanmenxia.portal.store import Article, ArticleKind, ArticleState, HelpKind, PortalStore, approve, move, new_article_id, revise, send_back, submit
from sanmenxia.services import PeopleSettings, audit_log, people, vault
from sanmenxia.texts import TextCode

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


def _require_publisher() -> None:
    """Commanders and admins publish; among department handlers only the propaganda unit does."""
    if app.caller.has(Role.COMMANDER, Role.ADMIN):
        return
    app.caller.require_department(PUBLISHING_DEPARTMENT.value)


def _save(article: Article, action: str, before: Article | None) -> Article:
    entry = audit.record(app.caller, f"article.{action}", f"article#{article.article_id}", before.staff() if before else None, article.staff())
    portal().save_article(article, entry, expected_version=before.version if before else None)
    logger.info("article saved", extra={"article_id": article.article_id, "action": action, "state": article.state.value})
    return article


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
    _require_publisher()
    page = portal().in_state(state, limit, app.page_start(cursor))
    return app.page([ArticleStaffOut.model_validate(article.staff()) for article in page.articles], page.last_key)


@app.post("/portal/articles", access=PUBLISHERS, status_code=201, summary="Write a draft 新建稿件", tags=["portal"])
def create_article(body: ArticleIn) -> ArticleStaffOut:
    _require_publisher()
    now = clock.iso()
    article = Article(
        article_id=new_article_id(),
        kind=body.kind,
        title=body.title,
        summary=body.summary,
        body=body.body,
        source=body.source,
        state=ArticleState.DRAFT,
        author=app.caller.username,
        created_at=now,
        updated_at=now,
        rebuts=body.rebuts,
    )
    return ArticleStaffOut.model_validate(_save(article, "create", None).staff())


@app.put("/portal/articles/<article_id>", access=PUBLISHERS, summary="Edit an article (a published one: as a revision for review) 修改稿件", tags=["portal"])
def edit_article(article_id: Annotated[str, Path(pattern=ARTICLE_ID)], body: ArticleIn) -> ArticleStaffOut:
    _require_publisher()
    before = portal().article(article_id)
    content = {"kind": body.kind, "title": body.title, "summary": body.summary, "body": body.body, "source": body.source, "rebuts": body.rebuts}
    if before.state is ArticleState.PUBLISHED:
        content = {**content, "kind": body.kind.value}  # held as data until approved
    return ArticleStaffOut.model_validate(_save(revise(before, content, app.caller.username, clock.iso()), "edit", before).staff())


@app.post("/portal/articles/<article_id>/submit", access=PUBLISHERS, summary="Send to review 送审", tags=["portal"])
def submit_for_review(article_id: Annotated[str, Path(pattern=ARTICLE_ID)]) -> ArticleStaffOut:
    _require_publisher()
    before = portal().article(article_id)
    return ArticleStaffOut.model_validate(_save(submit(before, app.caller.username, clock.iso()), "submit", before).staff())


class ReturnIn(RequestModel):
    note: ShortText = Field(description="why the reviewer sends it back")


@app.post("/portal/articles/<article_id>/return", access=PUBLISHERS, summary="Return to the editor with the reason 退回", tags=["portal"])
def return_to_editor(article_id: Annotated[str, Path(pattern=ARTICLE_ID)], body: ReturnIn) -> ArticleStaffOut:
    _require_publisher()
    before = portal().article(article_id)
    return ArticleStaffOut.model_validate(_save(send_back(before, app.caller.username, body.note, clock.iso()), "return", before).staff())


@app.post("/portal/articles/<article_id>/publish", access=PUBLISHERS, summary="Review and publish (a second person) 审核发布", tags=["portal"])
def publish(article_id: Annotated[str, Path(pattern=ARTICLE_ID)]) -> ArticleStaffOut:
    _require_publisher()
    before = portal().article(article_id)
    metrics.add_metric(name="ArticlesPublished", unit="Count", value=1)
    return ArticleStaffOut.model_validate(_save(approve(before, app.caller.username, clock.iso()), "publish", before).staff())


@app.post("/portal/articles/<article_id>/withdraw", access=PUBLISHERS, summary="Withdraw from the portal 撤回", tags=["portal"])
def withdraw(article_id: Annotated[str, Path(pattern=ARTICLE_ID)]) -> ArticleStaffOut:
    _require_publisher()
    before = portal().article(article_id)
    return ArticleStaffOut.model_validate(_save(move(before, ArticleState.WITHDRAWN, clock.iso()), "withdraw", before).staff())


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
    caller = app.caller
    person = people(settings()).find_by_account(caller.sub)
    community_id = body.community_id or (person.community_id if person else None)
    if community_id is None:
        raise InvalidInput("say which community needs help (or register as a resident first)", field="community_id")
    county_code = regions.county_of_community(community_id)
    help_id = "H" + secrets.token_hex(8)
    sealer = vault(settings().pii_key_id)
    now = clock.iso()
    record = {
        "help_id": help_id,
        "kind": body.kind.value,
        "enc_message": sealer.seal("help.message", body.message),
        "enc_phone": sealer.seal("help.phone", body.phone) if body.phone else None,
        "enc_address": sealer.seal("help.address", body.address) if body.address else None,
        "requester_sub": caller.sub,
        "person_id": person.person_id if person else None,
        "county_code": county_code,
        "community_id": community_id,
        "created_at": now,
        "order_id": order_id_for(WorkOrderSource.HELP_MESSAGE, help_id),
        "expires_at": clock.epoch_after_days(settings().personal_record_days),
    }
    message = WorkOrderIntake(
        source=WorkOrderSource.HELP_MESSAGE,
        source_ref=help_id,
        type=WorkOrderType.HELP_REQUEST,
        category=body.kind.value,
        summary=body.message[:2000],  # the kind is the order's category (a code the app labels)
        county_code=county_code,
        community_id=community_id,
        requester_person_id=person.person_id if person else None,
        requester_sub=caller.sub,
        address=body.address,
        phone=body.phone,
        created_at=now,
    )
    contracts.write_then_hand_over(
        settings().work_order_intake_queue_url, message, write=lambda: portal().put_help(record), undo=lambda: portal().delete_help(help_id), what="message"
    )
    metrics.add_metric(name="HelpMessages", unit="Count", value=1)
    logger.info("help message left", extra={"help_id": help_id, "community_id": community_id, "kind": body.kind.value})
    return HelpReceiptOut(
        help_id=help_id,
        kind=body.kind,
        community_id=community_id,
        created_at=now,
        order_id=str(record["order_id"]),
        status="submitted",
        message="留言已收到 Your message reached the hotline and your community; the answer will come to your inbox.",
        **texts.fields("message", TextCode.HELP_MESSAGE_RECEIVED),
    )


@app.get("/portal/help-messages/mine", access=allow(Role.RESIDENT), summary="My help messages and their answers, newest first 我的留言", tags=["portal"])
def my_help_messages(limit: paging.Limit = 20, cursor: paging.Cursor = None) -> paging.Page[HelpMessageOut]:
    items, last = portal().help_of(app.caller.sub, limit, app.page_start(cursor))
    found = orders().get_many([item["order_id"] for item in items])
    sealer = vault(settings().pii_key_id)
    rows = []
    for item in items:
        order = found.get(item["order_id"])
        rows.append(
            HelpMessageOut(
                help_id=item["help_id"],
                kind=HelpKind(item["kind"]),
                message=sealer.open("help.message", item["enc_message"]),
                community_id=item["community_id"],
                created_at=item["created_at"],
                order_id=item["order_id"],
                status=order.status.value if order else "submitted",
                department_label=department_label(order.department or order.replied_by) if order else None,
                reply=order.reply if order else None,
                reply_code=order.reply_text["code"] if order and order.reply_text else None,
                reply_params=order.reply_text["params"] if order and order.reply_text else None,
            )
        )
    return app.page(rows, last)


lambda_handler = api.handler(app)
