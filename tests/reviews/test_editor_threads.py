"""The page editor's review threads (an htmx fragment of the reviews app) and the external
reviewer's comment-only page, both built from the review-mode thread templates."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from authoring.models import Page
from reviews import comments as svc
from reviews import external, services
from reviews.models import Comment, CommentStatus, Decision, ExternalReviewLink
from tests.reviews.test_review_mode import Round, comment_on_block, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def rnd(acme) -> Round:
    with acme.scope():
        return make_round(acme)


def fragment_url(rnd: Round, page: Page | None = None) -> str:
    return reverse(
        "editor-page-comments",
        kwargs={"course_uuid": rnd.cast.course.uuid, "page_uuid": (page or rnd.page).uuid},
    )


def _delete_block(rnd: Round, block_id: str) -> None:
    page = Page.objects.get(pk=rnd.page.pk)
    Page.objects.filter(pk=page.pk).update(blocks=[b for b in page.blocks if b["id"] != block_id])


def _group(html: str, block_id: str) -> str:
    start = html.index(f'data-threads-for-block="{block_id}"')
    end = html.find("data-threads-for-block=", start + 1)
    return html[start : end if end > 0 else len(html)]


# --- the editor -------------------------------------------------------------------------------


def test_page_editor_loads_the_threads_fragment(acme, rnd):
    url = reverse(
        "authoring:page-edit",
        kwargs={"course_uuid": rnd.cast.course.uuid, "page_uuid": rnd.page.uuid},
    )
    html = acme.client_for(rnd.cast.owner).get(url).content.decode()
    assert f'hx-get="{fragment_url(rnd)}"' in html
    assert "data-editor-threads-host" in html


def test_fragment_shows_each_thread_beside_its_block(acme, rnd):
    with acme.scope():
        comment_on_block(rnd, acme.reviewer, body="Shorten this text")
        svc.comment_add(
            actor=acme.reviewer,
            review=rnd.review,
            anchor="block",
            page_uuid=rnd.page.uuid,
            block_id=rnd.question_id,
            body="Clearer question please",
        )
    response = acme.client_for(rnd.cast.owner).get(fragment_url(rnd), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    html = response.content.decode()
    assert "<html" not in html
    text_group = _group(html, rnd.block_id)
    assert "Shorten this text" in text_group
    assert "Clearer question please" not in text_group
    assert "Review comment on block 1 (Text)" in text_group
    assert "Clearer question please" in _group(html, rnd.question_id)
    # the author may answer and resolve, through the shared endpoints
    assert "/reviews/comments/" in text_group
    assert "Resolve" in text_group
    assert "Send reply" in text_group


def test_a_thread_whose_block_was_deleted_shows_at_the_top_marked(acme, rnd):
    with acme.scope():
        comment_on_block(rnd, acme.reviewer, body="About a block that goes")
        _delete_block(rnd, rnd.block_id)
    html = acme.client_for(rnd.cast.owner).get(fragment_url(rnd)).content.decode()
    assert f'data-threads-for-block="{rnd.block_id}"' not in html
    top = html[
        : html.find("data-threads-for-block=") if "data-threads-for-block=" in html else None
    ]
    assert "About a block that goes" in top
    assert "This block was removed" in top


def test_a_thread_whose_block_changed_is_marked_changed_since(acme, rnd):
    with acme.scope():
        comment_on_block(rnd, acme.reviewer, body="Reword")
        page = Page.objects.get(pk=rnd.page.pk)
        blocks = [
            {**b, "data": {"text": "<p>New words</p>"}} if b["id"] == rnd.block_id else b
            for b in page.blocks
        ]
        Page.objects.filter(pk=page.pk).update(blocks=blocks)
    html = acme.client_for(rnd.cast.owner).get(fragment_url(rnd)).content.decode()
    assert "Changed since this comment" in _group(html, rnd.block_id)


def test_resolved_threads_are_collapsed(acme, rnd):
    with acme.scope():
        thread = comment_on_block(rnd, acme.reviewer, body="Old remark")
        svc.comment_resolve(actor=rnd.cast.owner, comment=thread)
    html = acme.client_for(rnd.cast.owner).get(fragment_url(rnd)).content.decode()
    group = _group(html, rnd.block_id)
    assert group.index('class="threads__resolved"') < group.index("Old remark")
    assert "Reopen" in group


def test_the_editor_resolves_through_the_shared_endpoint(acme, rnd):
    with acme.scope():
        thread = comment_on_block(rnd, acme.reviewer)
    response = acme.client_for(rnd.cast.owner).post(
        reverse("reviews:comment-resolve", kwargs={"comment_uuid": thread.uuid}),
        {"in_review": "", "next": "/"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "This block was removed" not in response.content.decode()
    with acme.scope():
        assert Comment.objects.get(pk=thread.pk).status == CommentStatus.RESOLVED


def test_fragment_refuses_learners_strangers_and_other_tenants(acme, globex, rnd):
    assert acme.client_for(acme.learner).get(fragment_url(rnd)).status_code == 403
    assert acme.client_for(rnd.cast.other_author).get(fragment_url(rnd)).status_code == 404
    assert globex.client_for(globex.admin).get(fragment_url(rnd)).status_code == 404
    with acme.scope():
        other = make_round(acme, tag="b")
    # a page of another course under this course's uuid
    mixed = reverse(
        "editor-page-comments",
        kwargs={"course_uuid": rnd.cast.course.uuid, "page_uuid": other.page.uuid},
    )
    assert acme.client_for(acme.reviewer).get(mixed).status_code == 404


def test_fragment_says_when_there_is_nothing(acme, rnd):
    html = acme.client_for(rnd.cast.owner).get(fragment_url(rnd)).content.decode()
    assert "No review comments on this page." in html


# --- the external reviewer --------------------------------------------------------------------


def _link(acme, rnd: Round, **overrides):
    with acme.scope():
        link, url = external.external_link_create(
            actor=acme.reviewer, review=rnd.review, name="Dr. Ada Expert", email="ada@example.test"
        )
        if overrides:
            ExternalReviewLink.objects.filter(pk=link.pk).update(**overrides)
    return link, url.rstrip("/").rsplit("/", 1)[-1]


def anonymous(acme) -> Client:
    return Client(HTTP_HOST=acme.host())


def test_external_page_shows_the_pinned_revision_comment_only(acme, rnd):
    with acme.scope():
        comment_on_block(rnd, acme.reviewer, body="Member remark")
    _link_obj, token = _link(acme, rnd)
    url = reverse("external-review", kwargs={"token": token}) + f"?page={rnd.page.uuid}"
    response = anonymous(acme).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Original wording of the block" in html
    assert "Member remark" in html
    assert "Welcome, Dr. Ada Expert" in html
    assert 'name="decision"' not in html
    assert "Resolve" not in html
    assert "/reviews/" not in html  # every form posts to the link's own endpoints
    assert f"/external-review/{token}/comments/" in html
    for secret in ("Well done.", "Not quite.", "About 0."):
        assert secret not in html


def test_external_comment_and_reply(acme, rnd):
    with acme.scope():
        thread = comment_on_block(rnd, acme.reviewer, body="Member remark")
    link, token = _link(acme, rnd)
    client = anonymous(acme)
    page_url = reverse("external-review", kwargs={"token": token})
    response = client.post(
        reverse("external-review-comment-add", kwargs={"token": token}),
        {
            "anchor": "block",
            "page_uuid": str(rnd.page.uuid),
            "block_id": rnd.block_id,
            "body": "From outside",
            "key": f"block-{rnd.block_id}",
            "next": page_url,
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "From outside" in response.content.decode()
    assert "(outside reviewer)" in response.content.decode()
    response = client.post(
        reverse(
            "external-review-comment-reply", kwargs={"token": token, "comment_uuid": thread.uuid}
        ),
        {"body": "I agree", "next": page_url},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(page_url)
    with acme.scope():
        added = Comment.objects.get(body="From outside")
        assert added.external_link_id == link.pk
        assert added.author is None
        assert Comment.objects.get(body="I agree").parent_id == thread.pk


def test_external_comment_on_a_missing_block_is_refused(acme, rnd):
    _link_obj, token = _link(acme, rnd)
    response = anonymous(acme).post(
        reverse("external-review-comment-add", kwargs={"token": token}),
        {
            "anchor": "block",
            "page_uuid": str(rnd.page.uuid),
            "block_id": str(uuid.uuid4()),
            "body": "Lost",
            "key": "block-x",
        },
    )
    assert response.status_code == 400
    assert "it may have been deleted" in response.content.decode()
    with acme.scope():
        assert not Comment.objects.exists()


def test_an_expired_link_answers_410_with_the_reason(acme, rnd):
    _link_obj, token = _link(acme, rnd, expires_at=timezone.now() - timedelta(days=1))
    client = anonymous(acme)
    response = client.get(reverse("external-review", kwargs={"token": token}))
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    response = client.post(
        reverse("external-review-comment-add", kwargs={"token": token}),
        {"anchor": "course", "body": "Too late"},
    )
    assert response.status_code == 410
    with acme.scope():
        assert not Comment.objects.exists()


def test_a_bad_or_foreign_token_is_not_found(acme, globex, rnd):
    _link_obj, token = _link(acme, rnd)
    assert anonymous(acme).get("/external-review/nonsense/").status_code == 404
    response = Client(HTTP_HOST=globex.host()).get(
        reverse("external-review", kwargs={"token": token})
    )
    assert response.status_code == 404


def test_a_closed_round_stops_the_link(acme, rnd):
    _link_obj, token = _link(acme, rnd)
    with acme.scope():
        services.review_approve(
            actor=acme.reviewer, review=rnd.review, revision_number=rnd.review.revision.number
        )
        assert Decision.objects.exists()
    response = anonymous(acme).get(reverse("external-review", kwargs={"token": token}))
    assert response.status_code == 410
    assert "closed" in response.content.decode()
