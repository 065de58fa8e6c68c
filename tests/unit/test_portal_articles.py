"""Portal article states and the photo check of tip-offs: pure rules."""

from __future__ import annotations

import pytest

from sanmenxia.errors import Conflict, InvalidInput, PayloadTooLarge
from sanmenxia.hotline.portal import Article, ArticleKind, ArticleState, move
from sanmenxia.hotline.uploads import MAX_PHOTO_BYTES, check_photo

DRAFT = Article("A0", ArticleKind.MEASURE, "t", "s", "b", "src", ArticleState.DRAFT, "cmd", "2020-02-01T00:00:00Z", "2020-02-01T00:00:00Z")


def test_publish_sets_the_first_publication_time_once() -> None:
    published = move(DRAFT, ArticleState.PUBLISHED, "2020-02-02T00:00:00Z")
    assert published.published_at == "2020-02-02T00:00:00Z" and published.version == 2
    again = move(move(published, ArticleState.WITHDRAWN, "2020-02-03T00:00:00Z"), ArticleState.PUBLISHED, "2020-02-04T00:00:00Z")
    assert again.published_at == "2020-02-02T00:00:00Z" and again.updated_at == "2020-02-04T00:00:00Z"


def test_a_draft_cannot_be_withdrawn_and_published_cannot_be_published() -> None:
    with pytest.raises(Conflict):
        move(DRAFT, ArticleState.WITHDRAWN, "2020-02-02T00:00:00Z")
    with pytest.raises(Conflict):
        move(move(DRAFT, ArticleState.PUBLISHED, "x"), ArticleState.PUBLISHED, "y")


def test_only_published_articles_are_on_the_public_feed_indexes() -> None:
    assert "feed" not in DRAFT.item()
    item = move(DRAFT, ArticleState.PUBLISHED, "2020-02-02T00:00:00Z").item()
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
