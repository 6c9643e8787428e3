"""Review comments through the services: anchors on the pinned revision, roles, threads,
mentions, sanitising, and threads whose block left the draft since."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from authoring.models import Page
from egl_platform.errors import Conflict, Forbidden, Invalid, NotFound
from reviews import comments as svc
from reviews import services
from reviews.models import Comment, CommentStatus, ReviewRequest
from tenants.models import AuditEvent
from tests.factories import PageFactory, SectionFactory
from tests.reviews.helpers import Cast, make_cast

pytestmark = pytest.mark.django_db


@dataclass
class Setup:
    cast: Cast
    review: ReviewRequest
    page: Page
    block_id: str
    other_block_id: str


def make_setup(world, tag: str = "") -> Setup:
    """Inside world.scope(): a course with one page of two blocks, submitted for review."""
    cast = make_cast(world, tag=tag)
    section = SectionFactory(course=cast.course, title="Section")
    block_id, other_block_id = str(uuid.uuid4()), str(uuid.uuid4())
    page = PageFactory(
        section=section,
        title="Page",
        blocks=[
            {"id": block_id, "type": "rich_text", "version": 1, "data": {"text": "<p>A</p>"}},
            {"id": other_block_id, "type": "rich_text", "version": 1, "data": {"text": "<p>B</p>"}},
        ],
        block_versions={block_id: 1, other_block_id: 1},
    )
    review = services.review_submit(actor=cast.owner, course=cast.reload())
    review = ReviewRequest.objects.select_related("course", "revision").get(pk=review.pk)
    return Setup(cast, review, page, block_id, other_block_id)


@pytest.fixture
def setup(acme) -> Setup:
    with acme.scope():
        return make_setup(acme)


def add_block_comment(setup: Setup, actor, body: str = "Please fix") -> Comment:
    return svc.comment_add(
        actor=actor,
        review=setup.review,
        anchor="block",
        page_uuid=setup.page.uuid,
        block_id=setup.block_id,
        body=body,
    )


@pytest.mark.parametrize("role", ["reviewer", "owner", "coauthor", "admin"])
def test_reviewers_and_authors_comment_on_a_block(acme, setup, role):
    with acme.scope():
        actor = setup.cast.role(role)
        comment = add_block_comment(setup, actor)
        assert comment.author == actor
        assert comment.review == setup.review
        assert comment.block_id == setup.block_id
        assert comment.page_uuid == setup.page.uuid
        assert comment.status == CommentStatus.OPEN
        assert AuditEvent.objects.filter(
            verb="review_comment.added", target_uuid=comment.uuid
        ).exists()


def test_other_author_is_not_found_and_learner_forbidden(acme, setup):
    with acme.scope():
        with pytest.raises(NotFound):
            add_block_comment(setup, setup.cast.other_author)
        with pytest.raises(Forbidden):
            add_block_comment(setup, acme.learner)
        with pytest.raises(NotFound):
            svc.comments_for_course(actor=setup.cast.other_author, course=setup.cast.course)
        with pytest.raises(Forbidden):
            svc.comments_for_course(actor=acme.learner, course=setup.cast.course)
        assert not Comment.objects.exists()


def test_comment_on_page_and_course(acme, setup):
    with acme.scope():
        page = svc.comment_add(
            actor=acme.reviewer,
            review=setup.review,
            anchor="page",
            page_uuid=str(setup.page.uuid),
            body="Page",
        )
        course = svc.comment_add(
            actor=acme.reviewer, review=setup.review, anchor="course", body="Course"
        )
        assert (page.anchor, page.block_id) == ("page", "")
        assert (course.anchor, course.page_uuid) == ("course", None)


def test_block_not_in_pinned_revision_is_invalid_and_nothing_saved(acme, setup):
    with acme.scope():
        # A block added to the draft after submission is not in the pinned revision.
        new_block = str(uuid.uuid4())
        Page.objects.filter(pk=setup.page.pk).update(
            blocks=[{"id": new_block, "type": "rich_text", "version": 1, "data": {"text": "x"}}]
        )
        with pytest.raises(Invalid) as error:
            svc.comment_add(
                actor=acme.reviewer,
                review=setup.review,
                anchor="block",
                page_uuid=setup.page.uuid,
                block_id=new_block,
                body="Here",
            )
        assert "not on this page in the version under review" in str(error.value)
        with pytest.raises(Invalid):
            svc.comment_add(
                actor=acme.reviewer,
                review=setup.review,
                anchor="page",
                page_uuid=uuid.uuid4(),
                body="Here",
            )
        with pytest.raises(Invalid):
            svc.comment_add(
                actor=acme.reviewer, review=setup.review, anchor="block", body="No page"
            )
        with pytest.raises(Invalid):
            svc.comment_add(actor=acme.reviewer, review=setup.review, anchor="course", body="  ")
        assert not Comment.objects.exists()
        assert not AuditEvent.objects.filter(verb="review_comment.added").exists()


def test_closed_round_takes_no_new_threads_but_replies(acme, setup):
    with acme.scope():
        comment = add_block_comment(setup, acme.reviewer)
        services.review_request_changes(
            actor=acme.reviewer,
            review=setup.review,
            revision_number=setup.review.revision.number,
            note="Fix",
        )
        closed = ReviewRequest.objects.select_related("course", "revision").get(pk=setup.review.pk)
        with pytest.raises(Conflict):
            svc.comment_add(actor=acme.reviewer, review=closed, anchor="course", body="Late")
        reply = svc.comment_reply(actor=setup.cast.owner, comment=comment, body="Fixed it")
        assert reply.parent == comment
        assert Comment.objects.count() == 2


def test_reply_to_a_reply_joins_the_thread(acme, setup):
    with acme.scope():
        root = add_block_comment(setup, acme.reviewer)
        first = svc.comment_reply(actor=setup.cast.coauthor, comment=root, body="One")
        first = Comment.objects.select_related("parent", "course").get(pk=first.pk)
        second = svc.comment_reply(actor=acme.reviewer, comment=first, body="Two")
        assert second.parent_id == root.pk
        assert (second.anchor, second.block_id) == ("block", setup.block_id)
        with pytest.raises(NotFound):
            svc.comment_reply(actor=setup.cast.other_author, comment=root, body="Me too")
        with pytest.raises(Forbidden):
            svc.comment_reply(actor=acme.learner, comment=root, body="Me too")
        assert Comment.objects.count() == 3


def test_resolve_and_reopen(acme, setup):
    with acme.scope():
        comment = add_block_comment(setup, acme.reviewer)
        resolved = svc.comment_resolve(actor=setup.cast.coauthor, comment=comment)
        assert resolved.status == CommentStatus.RESOLVED
        assert resolved.resolved_by == setup.cast.coauthor
        assert resolved.resolved_at is not None
        with pytest.raises(Conflict):
            svc.comment_resolve(actor=acme.reviewer, comment=comment)
        with pytest.raises(NotFound):
            svc.comment_reopen(actor=setup.cast.other_author, comment=comment)
        assert Comment.objects.get(pk=comment.pk).status == CommentStatus.RESOLVED
        reopened = svc.comment_reopen(actor=acme.reviewer, comment=comment)
        assert reopened.status == CommentStatus.OPEN
        assert reopened.resolved_by is None
        with pytest.raises(Conflict):
            svc.comment_reopen(actor=acme.reviewer, comment=comment)
        verbs = set(
            AuditEvent.objects.filter(target_uuid=comment.uuid).values_list("verb", flat=True)
        )
        assert {"review_comment.resolved", "review_comment.reopened"} <= verbs


def test_edit_own_comment_only(acme, setup):
    with acme.scope():
        comment = add_block_comment(setup, acme.reviewer, body="Typo")
        with pytest.raises(Forbidden):
            svc.comment_edit(actor=setup.cast.owner, comment=comment, body="Hijacked")
        assert Comment.objects.get(pk=comment.pk).body == "Typo"
        edited = svc.comment_edit(actor=acme.reviewer, comment=comment, body="Fixed typo")
        assert edited.body == "Fixed typo"
        assert edited.edited_at is not None


def test_mentions_are_parsed_against_tenant_members(acme, globex, setup):
    with acme.scope():
        comment = add_block_comment(
            setup,
            acme.reviewer,
            body=(
                f"@{setup.cast.owner.user.email.upper()} and @{setup.cast.coauthor.user.email}, "
                f"see also @{globex.reviewer.user.email} and @nobody@acme.test."
            ),
        )
        assert comment.mentions == [str(setup.cast.owner.uuid), str(setup.cast.coauthor.uuid)]
        edited = svc.comment_edit(actor=acme.reviewer, comment=comment, body="no one")
        assert edited.mentions == []


def test_xss_payload_is_stored_as_plain_text(acme, setup):
    with acme.scope():
        comment = add_block_comment(
            setup, acme.reviewer, body='<script>alert(1)</script><b onclick="x">Bold</b> a < b'
        )
        assert "<script" not in comment.body
        assert "<b" not in comment.body
        assert "alert(1)" not in comment.body
        assert "Bold" in comment.body
        assert "a < b" in comment.body


def test_too_long_body_is_invalid(acme, setup):
    with acme.scope():
        with pytest.raises(Invalid):
            add_block_comment(setup, acme.reviewer, body="x" * (svc.BODY_MAX + 1))
        assert not Comment.objects.exists()


def test_comment_whose_block_left_the_draft_stays_listed(acme, setup):
    with acme.scope():
        gone = add_block_comment(setup, acme.reviewer, body="On block A")
        kept = svc.comment_add(
            actor=acme.reviewer,
            review=setup.review,
            anchor="block",
            page_uuid=setup.page.uuid,
            block_id=setup.other_block_id,
            body="On block B",
        )
        svc.comment_reply(actor=setup.cast.owner, comment=gone, body="Answer")
        page = Page.objects.get(pk=setup.page.pk)
        Page.objects.filter(pk=page.pk).update(
            blocks=[b for b in page.blocks if b["id"] != setup.block_id]
        )
        threads = svc.comments_for_course(actor=setup.cast.owner, course=setup.cast.course)
        by_uuid = {t.comment.uuid: t for t in threads}
        assert set(by_uuid) == {gone.uuid, kept.uuid}
        assert by_uuid[gone.uuid].anchor_missing is True
        assert by_uuid[gone.uuid].shown_on_page == setup.page.uuid
        assert [r.body for r in by_uuid[gone.uuid].replies] == ["Answer"]
        assert by_uuid[kept.uuid].anchor_missing is False

        # The page goes too: the thread shows on the course.
        Page.objects.filter(pk=page.pk).delete()
        threads = svc.comments_for_course(actor=acme.reviewer, course=setup.cast.course)
        assert {t.comment.uuid for t in threads} == {gone.uuid, kept.uuid}
        assert all(t.anchor_missing and t.shown_on_page is None for t in threads)


def test_threads_carry_over_to_the_next_round(acme, setup):
    with acme.scope():
        comment = add_block_comment(setup, acme.reviewer)
        services.review_request_changes(
            actor=acme.reviewer,
            review=setup.review,
            revision_number=setup.review.revision.number,
            note="Fix",
        )
        services.review_submit(actor=setup.cast.owner, course=setup.cast.reload())
        threads = svc.comments_for_course(actor=setup.cast.owner, course=setup.cast.course)
        assert [t.comment.uuid for t in threads] == [comment.uuid]
        assert threads[0].comment.review == setup.review


def test_other_tenant_cannot_see_or_touch_comments(acme, globex, setup):
    with acme.scope():
        comment = add_block_comment(setup, acme.reviewer)
    with globex.scope():
        with pytest.raises(NotFound):
            svc.comment_for_actor(actor=globex.reviewer, comment_uuid=comment.uuid)
        assert not Comment.objects.exists()
