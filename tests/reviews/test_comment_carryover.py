"""Open threads carry over into the next round, marked when their block changed since."""

from __future__ import annotations

import pytest

from authoring.models import Page
from reviews import comments as svc
from reviews import services
from reviews.models import ReviewRequest
from tests.reviews.test_comments import Setup, add_block_comment, make_setup

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(acme) -> Setup:
    with acme.scope():
        return make_setup(acme)


def _edit_block(setup: Setup, block_id: str, text: str) -> None:
    page = Page.objects.get(pk=setup.page.pk)
    blocks = [
        {**b, "version": b["version"] + 1, "data": {"text": text}} if b["id"] == block_id else b
        for b in page.blocks
    ]
    Page.objects.filter(pk=page.pk).update(blocks=blocks)


def _changes_then_resubmit(setup: Setup) -> ReviewRequest:
    services.review_request_changes(
        actor=setup.cast.world.reviewer,
        review=setup.review,
        revision_number=setup.review.revision.number,
        note="Fix",
    )
    review = services.review_submit(actor=setup.cast.owner, course=setup.cast.reload())
    return ReviewRequest.objects.select_related("course", "revision").get(pk=review.pk)


def test_draft_threads_are_marked_when_their_block_changed(acme, setup):
    with acme.scope():
        changed = add_block_comment(setup, acme.reviewer, body="On A")
        same = svc.comment_add(
            actor=acme.reviewer,
            review=setup.review,
            anchor="block",
            page_uuid=setup.page.uuid,
            block_id=setup.other_block_id,
            body="On B",
        )
        page_thread = svc.comment_add(
            actor=acme.reviewer,
            review=setup.review,
            anchor="page",
            page_uuid=setup.page.uuid,
            block_id="",
            body="On the page",
        )
        threads = {
            t.comment.uuid: t
            for t in svc.comments_for_course(actor=setup.cast.owner, course=setup.cast.course)
        }
        assert not any(t.block_changed for t in threads.values())

        _edit_block(setup, setup.block_id, "<p>A, rewritten</p>")
        threads = {
            t.comment.uuid: t
            for t in svc.comments_for_course(actor=setup.cast.owner, course=setup.cast.course)
        }
        assert threads[changed.uuid].block_changed is True
        assert threads[same.uuid].block_changed is False
        assert threads[page_thread.uuid].block_changed is False


def test_a_version_bump_without_new_content_is_not_a_change(acme, setup):
    with acme.scope():
        comment = add_block_comment(setup, acme.reviewer)
        _edit_block(setup, setup.block_id, "<p>A</p>")  # same text, higher version
        (thread,) = svc.comments_for_course(actor=setup.cast.owner, course=setup.cast.course)
        assert thread.comment.uuid == comment.uuid
        assert thread.block_changed is False


def test_next_round_lists_open_threads_of_earlier_rounds_marked_against_its_revision(acme, setup):
    with acme.scope():
        open_thread = add_block_comment(setup, acme.reviewer, body="Still open")
        resolved = svc.comment_add(
            actor=acme.reviewer,
            review=setup.review,
            anchor="block",
            page_uuid=setup.page.uuid,
            block_id=setup.other_block_id,
            body="Done",
        )
        svc.comment_resolve(actor=setup.cast.owner, comment=resolved)
        _edit_block(setup, setup.block_id, "<p>A, fixed</p>")
        round2 = _changes_then_resubmit(setup)

        # The draft changes again after the resubmission: the round keeps its pinned view.
        _edit_block(setup, setup.other_block_id, "<p>B, changed after submitting</p>")

        threads = svc.comments_for_review(actor=acme.reviewer, review=round2)
        assert [t.comment.uuid for t in threads] == [open_thread.uuid]
        (thread,) = threads
        assert thread.carried_over is True
        assert thread.block_changed is True
        assert thread.anchor_missing is False

        # A comment made in round 2 is not carried over and is unchanged against round 2.
        fresh = svc.comment_add(
            actor=acme.reviewer,
            review=round2,
            anchor="block",
            page_uuid=setup.page.uuid,
            block_id=setup.other_block_id,
            body="New",
        )
        threads = {
            t.comment.uuid: t for t in svc.comments_for_review(actor=acme.reviewer, review=round2)
        }
        assert threads[fresh.uuid].carried_over is False
        assert threads[fresh.uuid].block_changed is False


def test_round_threads_flag_blocks_missing_from_the_pinned_revision(acme, setup):
    with acme.scope():
        comment = add_block_comment(setup, acme.reviewer)
        page = Page.objects.get(pk=setup.page.pk)
        Page.objects.filter(pk=page.pk).update(
            blocks=[b for b in page.blocks if b["id"] != setup.block_id]
        )
        # Round 1 still pins the block: not missing there.
        (thread,) = svc.comments_for_review(actor=acme.reviewer, review=setup.review)
        assert thread.anchor_missing is False
        round2 = _changes_then_resubmit(setup)
        (thread,) = svc.comments_for_review(actor=acme.reviewer, review=round2)
        assert thread.comment.uuid == comment.uuid
        assert thread.anchor_missing is True
        assert thread.shown_on_page == setup.page.uuid
        assert thread.block_changed is False


def test_thread_queries_do_not_grow_with_comments(acme, setup, django_assert_max_num_queries):
    with acme.scope():
        for i in range(12):
            comment = add_block_comment(setup, acme.reviewer, body=f"Comment {i}")
            svc.comment_reply(actor=setup.cast.owner, comment=comment, body="Reply")
        review = ReviewRequest.objects.select_related("course", "revision").get(pk=setup.review.pk)
        with django_assert_max_num_queries(8):
            threads = svc.comments_for_review(actor=acme.reviewer, review=review)
        assert len(threads) == 12
