"""The portal's use cases: publishing under the two-person review (each change saved with its audit record at
the version read), and residents' help messages (求助留言: saved, then handed to the hotline as a work order,
the save undone if the hand-over fails) with their answers.

Routes call these; the rules are in ``rules``, the storage in ``store``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from sanmenxia import audit, clock, contracts, regions, texts
from sanmenxia.auth import Principal, Role
from sanmenxia.contracts import WorkOrderIntake, WorkOrderSource, WorkOrderType
from sanmenxia.errors import InvalidInput
from sanmenxia.hotline.routing import PUBLISHING_DEPARTMENT
from sanmenxia.hotline.rules import order_id_for
from sanmenxia.hotline.service import department_label
from sanmenxia.hotline.store import WorkOrderStore
from sanmenxia.observability import logger, metrics
from sanmenxia.people import Person
from sanmenxia.pii import Vault
from sanmenxia.portal.rules import Article, ArticleKind, ArticleState, HelpKind, approve, move, new_article_id, revise, send_back, submit
from sanmenxia.portal.store import PortalStore
from sanmenxia.texts import TextCode


def require_publisher(caller: Principal) -> None:
    """Commanders and admins publish; among department handlers only the propaganda unit does (403 otherwise)."""
    if caller.has(Role.COMMANDER, Role.ADMIN):
        return
    caller.require_department(PUBLISHING_DEPARTMENT.value)


@dataclass(frozen=True)
class ArticleContent:
    kind: ArticleKind
    title: str
    summary: str
    body: str
    source: str
    rebuts: str | None = None


@dataclass(frozen=True)
class NewHelp:
    """What a resident sends; without ``community_id`` their registered community needs help."""

    kind: HelpKind
    message: str
    phone: str | None = None
    address: str | None = None
    community_id: str | None = None


@dataclass
class Portal:
    store: PortalStore
    orders: WorkOrderStore
    vault: Vault
    intake_queue_url: str
    find_person: Callable[[str], Person | None]
    personal_record_days: int
    send: Callable[[str, BaseModel], None] | None = None  # default: ``contracts.send``, looked up when sending

    # -- publishing -----------------------------------------------------------------------------------
    def _save(self, caller: Principal, article: Article, action: str, before: Article | None) -> Article:
        entry = audit.record(caller, f"article.{action}", f"article#{article.article_id}", before.staff() if before else None, article.staff())
        self.store.save_article(article, entry, expected_version=before.version if before else None)
        logger.info("article saved", extra={"article_id": article.article_id, "action": action, "state": article.state.value})
        return article

    def create(self, caller: Principal, content: ArticleContent, at: datetime) -> Article:
        """A new draft by the caller."""
        require_publisher(caller)
        now = clock.iso(at)
        article = Article(
            article_id=new_article_id(),
            kind=content.kind,
            title=content.title,
            summary=content.summary,
            body=content.body,
            source=content.source,
            state=ArticleState.DRAFT,
            author=caller.username,
            created_at=now,
            updated_at=now,
            rebuts=content.rebuts,
        )
        return self._save(caller, article, "create", None)

    def edit(self, caller: Principal, article_id: str, content: ArticleContent, at: datetime) -> Article:
        """An edit; of a published article, a revision held (as data) until a second person approves it."""
        require_publisher(caller)
        before = self.store.article(article_id)
        changes: dict[str, Any] = {
            "kind": content.kind,
            "title": content.title,
            "summary": content.summary,
            "body": content.body,
            "source": content.source,
            "rebuts": content.rebuts,
        }
        if before.state is ArticleState.PUBLISHED:
            changes["kind"] = content.kind.value  # held as data until approved
        return self._save(caller, revise(before, changes, caller.username, clock.iso(at)), "edit", before)

    def submit(self, caller: Principal, article_id: str, at: datetime) -> Article:
        require_publisher(caller)
        before = self.store.article(article_id)
        return self._save(caller, submit(before, caller.username, clock.iso(at)), "submit", before)

    def send_back(self, caller: Principal, article_id: str, note: str, at: datetime) -> Article:
        require_publisher(caller)
        before = self.store.article(article_id)
        return self._save(caller, send_back(before, caller.username, note, clock.iso(at)), "return", before)

    def publish(self, caller: Principal, article_id: str, at: datetime) -> Article:
        require_publisher(caller)
        before = self.store.article(article_id)
        metrics.add_metric(name="ArticlesPublished", unit="Count", value=1)
        return self._save(caller, approve(before, caller.username, clock.iso(at)), "publish", before)

    def withdraw(self, caller: Principal, article_id: str, at: datetime) -> Article:
        require_publisher(caller)
        before = self.store.article(article_id)
        return self._save(caller, move(before, ArticleState.WITHDRAWN, clock.iso(at)), "withdraw", before)

    # -- help messages --------------------------------------------------------------------------------
    def leave_help(self, caller: Principal, new: NewHelp, at: datetime) -> dict[str, Any]:
        """Save a help message (sealed) and hand it to the hotline as a work order for the community."""
        person = self.find_person(caller.sub)
        community_id = new.community_id or (person.community_id if person else None)
        if community_id is None:
            raise InvalidInput("say which community needs help (or register as a resident first)", field="community_id")
        county_code = regions.county_of_community(community_id)
        help_id = "H" + secrets.token_hex(8)
        now = clock.iso(at)
        record = {
            "help_id": help_id,
            "kind": new.kind.value,
            "enc_message": self.vault.seal("help.message", new.message),
            "enc_phone": self.vault.seal("help.phone", new.phone) if new.phone else None,
            "enc_address": self.vault.seal("help.address", new.address) if new.address else None,
            "requester_sub": caller.sub,
            "person_id": person.person_id if person else None,
            "county_code": county_code,
            "community_id": community_id,
            "created_at": now,
            "order_id": order_id_for(WorkOrderSource.HELP_MESSAGE, help_id),
            "expires_at": clock.epoch_after_days(self.personal_record_days, at),
        }
        message = WorkOrderIntake(
            source=WorkOrderSource.HELP_MESSAGE,
            source_ref=help_id,
            type=WorkOrderType.HELP_REQUEST,
            category=new.kind.value,
            summary=new.message[:2000],  # the kind is the order's category (a code the app labels)
            county_code=county_code,
            community_id=community_id,
            requester_person_id=person.person_id if person else None,
            requester_sub=caller.sub,
            address=new.address,
            phone=new.phone,
            created_at=now,
        )
        contracts.write_then_hand_over(
            self.intake_queue_url,
            message,
            write=lambda: self.store.put_help(record),
            undo=lambda: self.store.delete_help(help_id),
            what="message",
            send=self.send or contracts.send,
        )
        metrics.add_metric(name="HelpMessages", unit="Count", value=1)
        logger.info("help message left", extra={"help_id": help_id, "community_id": community_id, "kind": new.kind.value})
        return {
            "help_id": help_id,
            "kind": new.kind.value,
            "community_id": community_id,
            "created_at": now,
            "order_id": record["order_id"],
            "status": "submitted",
            "message": "留言已收到 Your message reached the hotline and your community; the answer will come to your inbox.",
            **texts.fields("message", TextCode.HELP_MESSAGE_RECEIVED),
        }

    def my_help(self, caller: Principal, limit: int, start: dict[str, Any] | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """A page of the caller's help messages, opened, each with its work order's status and answer, and the key
        to continue after."""
        items, last = self.store.help_of(caller.sub, limit, start)
        found = self.orders.get_many([item["order_id"] for item in items])
        rows = []
        for item in items:
            order = found.get(item["order_id"])
            rows.append(
                {
                    "help_id": item["help_id"],
                    "kind": item["kind"],
                    "message": self.vault.open("help.message", item["enc_message"]),
                    "community_id": item["community_id"],
                    "created_at": item["created_at"],
                    "order_id": item["order_id"],
                    "status": order.status.value if order else "submitted",
                    "department_label": department_label(order.department or order.replied_by) if order else None,
                    "reply": order.reply if order else None,
                    "reply_code": order.reply_text["code"] if order and order.reply_text else None,
                    "reply_params": order.reply_text["params"] if order and order.reply_text else None,
                }
            )
        return rows, last
