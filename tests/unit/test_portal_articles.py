"""Portal article states and the photo check of tip-offs: pure rules."""

from __future__ import annotations

import pytest

from sanmenxia.errors import Conflict, Forbidden, InvalidInput, PayloadTooLarge
from sanmenxia.hotline.uploads import MAX_PHOTO_BYTES, check_photo
from sanmenxia.portal.rules import Article, ArticleKind, ArticleState, approve, move, revise, send_back, submit
from sanmenxia.portal.store import article_item

DRAFT = Article("A0", ArticleKind.MEASURE, "t", "s", "b", "src", ArticleState.DRAFT, "cmd", "2020-02-01T00:00:00Z", "2020-02-01T00:00:00Z")


def reviewed(article: Article, at: str = "2020-02-02T00:00:00Z") -> Article:
    """Submitted by its author, published by a second person."""
    return approve(submit(article, "cmd", at), "reviewer", at)


def test_publish_needs_a_review_and_sets_the_first_publication_time_once() -> None:
    with pytest.raises(Conflict):
        move(DRAFT, ArticleState.PUBLISHED, "2020-02-02T00:00:00Z")  # a draft goes to review first
    published = reviewed(DRAFT)
    assert published.state is ArticleState.PUBLISHED and published.published_at == "2020-02-02T00:00:00Z" and published.version == 3
    withdrawn = move(published, ArticleState.WITHDRAWN, "2020-02-03T00:00:00Z")
    again = reviewed(withdrawn, "2020-02-04T00:00:00Z")
    assert again.published_at == "2020-02-02T00:00:00Z" and again.updated_at == "2020-02-04T00:00:00Z"


def test_the_reviewer_is_a_second_person_and_may_send_it_back_with_the_reason() -> None:
    waiting = submit(DRAFT, "cmd", "2020-02-02T00:00:00Z")
    assert waiting.state is ArticleState.IN_REVIEW and article_item(waiting)["review"] == {"S": "in_review"}
    with pytest.raises(Forbidden):
        approve(waiting, "cmd", "2020-02-02T01:00:00Z")
    back = send_back(waiting, "reviewer", "数据来源请写全称", "2020-02-02T02:00:00Z")
    assert back.state is ArticleState.DRAFT and back.review_note == "数据来源请写全称" and "review" not in article_item(back)
    with pytest.raises(Conflict):
        approve(back, "reviewer", "2020-02-02T03:00:00Z")  # nothing waits for review


def test_an_edit_of_a_published_article_waits_for_review_while_the_public_reads_the_approved_text() -> None:
    published = reviewed(DRAFT)
    content = {"kind": "measure", "title": "更正后的标题", "summary": "s2", "body": "b2", "source": "src", "rebuts": None}
    revised = revise(published, content, "editor", "2020-02-05T00:00:00Z")
    assert revised.state is ArticleState.PUBLISHED and revised.title == "t" and revised.public()["title"] == "t"
    assert revised.revision == content and article_item(revised)["feed"] == {"S": "all"} and article_item(revised)["review"] == {"S": "in_review"}
    with pytest.raises(Conflict):
        revise(revised, content, "editor", "2020-02-05T01:00:00Z")  # one revision at a time
    with pytest.raises(Forbidden):
        approve(revised, "editor", "2020-02-05T02:00:00Z")
    live = approve(revised, "cmd", "2020-02-05T03:00:00Z")
    assert live.title == "更正后的标题" and live.kind is ArticleKind.MEASURE and live.revision is None and live.published_at == published.published_at
    dropped = send_back(revise(live, {**content, "title": "又一次修改"}, "editor", "x"), "cmd", "不必修改", "y")
    assert dropped.title == "更正后的标题" and dropped.revision is None and dropped.review_note == "不必修改"


def test_a_draft_cannot_be_withdrawn_and_published_cannot_be_published() -> None:
    with pytest.raises(Conflict):
        move(DRAFT, ArticleState.WITHDRAWN, "2020-02-02T00:00:00Z")
    with pytest.raises(Conflict):
        approve(reviewed(DRAFT), "other", "y")


def test_only_published_articles_are_on_the_public_feed_indexes() -> None:
    assert "feed" not in article_item(DRAFT)
    assert "feed" not in article_item(submit(DRAFT, "cmd", "x"))
    item = article_item(reviewed(DRAFT))
    assert item["feed"] == {"S": "all"} and item["kind_feed"] == {"S": "measure"}


@pytest.mark.parametrize(("content_type", "extension"), [("image/jpeg", "jpg"), ("IMAGE/PNG; charset=x", "png"), ("image/webp", "webp")])
def test_photo_types_accepted(content_type: str, extension: str) -> None:
    assert check_photo(content_type, 1000) == extension


def test_photo_refusals_name_the_field() -> None:
    with pytest.raises(InvalidInput) as kind:
        check_photo("image/gif", 1000)
    assert kind.value.field == "content_type"
    with pytest.raises(PayloadTooLarge) as size:
        check_photo("image/jpeg", MAX_PHOTO_BYTES + 1)
    assert size.value.field == "size" and size.value.status == 413
    with pytest.raises(InvalidInput):
        check_photo("image/jpeg", 0)
