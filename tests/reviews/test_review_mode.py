"""Review mode in HTML: the pinned revision as the learner sees it, threads beside their blocks,
the decision panel, the thread actions and "What changed"."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import pytest
from django.urls import reverse

from authoring.models import CourseStatus, Page
from reviews import comments as svc
from reviews import services
from reviews.models import Comment, CommentStatus, Decision, ReviewRequest, ReviewStatus
from tests.authoring.test_blocks import EXAMPLES
from tests.factories import PageFactory
from tests.reviews.helpers import Cast, make_cast

pytestmark = pytest.mark.django_db


@dataclass
class Round:
    cast: Cast
    review: ReviewRequest
    page: Page
    block_id: str
    question_id: str
    other_page: Page

    @property
    def url(self) -> str:
        return reverse("reviews:review", kwargs={"review_uuid": self.review.uuid})


def _text_block(block_id: str, text: str) -> dict:
    return {"id": block_id, "type": "rich_text", "version": 1, "data": {"text": f"<p>{text}</p>"}}


def make_round(world, tag: str = "") -> Round:
    """Inside world.scope(): a course with a text block and a question, submitted for review."""
    cast = make_cast(world, tag=tag)
    # A new course has one section with one page: that page gets the blocks.
    page = Page.objects.select_related("section").get(section__course=cast.course)
    block_id, question_id = str(uuid.uuid4()), str(uuid.uuid4())
    page.title = "First page"
    page.blocks = [
        _text_block(block_id, "Original wording of the block"),
        {
            "id": question_id,
            "type": "single_choice",
            "version": 1,
            "data": EXAMPLES["single_choice"],
        },
    ]
    page.block_versions = {block_id: 1, question_id: 1}
    page.save()
    other: Page = PageFactory(section=page.section, title="Second page", blocks=[], position=5)  # type: ignore[assignment]  # factory_boy builds a Page
    review = services.review_submit(actor=cast.owner, course=cast.reload(), message="Please check")
    review = ReviewRequest.objects.select_related("course", "revision").get(pk=review.pk)
    return Round(cast, review, page, block_id, question_id, other)


@pytest.fixture
def rnd(acme) -> Round:
    with acme.scope():
        return make_round(acme)


def comment_on_block(rnd: Round, actor, body: str = "Please fix") -> Comment:
    return svc.comment_add(
        actor=actor,
        review=rnd.review,
        anchor="block",
        page_uuid=rnd.page.uuid,
        block_id=rnd.block_id,
        body=body,
    )


def _edit_draft_block(rnd: Round, text: str) -> None:
    page = Page.objects.get(pk=rnd.page.pk)
    blocks = [
        {**b, "data": {"text": f"<p>{text}</p>"}} if b["id"] == rnd.block_id else b
        for b in page.blocks
    ]
    Page.objects.filter(pk=page.pk).update(blocks=blocks)


def _row(html: str, block_id: str) -> str:
    """The review row of one block: the block and the threads beside it."""
    start = html.index(f'id="row-{block_id}"')
    end = html.find('class="review-row"', start + 1)
    return html[start : end if end > 0 else len(html)]


def _decide(client, rnd: Round, decision: str, note: str = "", number: int | None = None):
    return client.post(
        reverse("reviews:review-decide", kwargs={"review_uuid": rnd.review.uuid}),
        {
            "decision": decision,
            "note": note,
            "revision_number": rnd.review.revision.number if number is None else number,
        },
    )


# --- the page ---------------------------------------------------------------------------------


def test_review_shows_the_pinned_revision_not_the_later_draft(acme, rnd):
    with acme.scope():
        _edit_draft_block(rnd, "Edited after submitting")
    response = acme.client_for(acme.reviewer).get(rnd.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Original wording of the block" in html
    assert "Edited after submitting" not in html
    assert "Please check" in html  # the author's message
    assert f"Version</dt><dd>{rnd.review.revision.number}" in html


def test_review_page_holds_no_answers(acme, rnd):
    html = acme.client_for(acme.reviewer).get(rnd.url).content.decode()
    assert "Which colour?" in html
    for secret in ("Well done.", "Not quite.", "About 0.", "About 1."):
        assert secret not in html
    assert '"correct"' not in html


def test_threads_show_beside_their_block_with_mentions_marked(acme, rnd):
    with acme.scope():
        comment_on_block(rnd, acme.reviewer, body=f"Shorter please @{acme.author.user.email}")
    html = acme.client_for(acme.reviewer).get(rnd.url).content.decode()
    row = _row(html, rnd.block_id)
    assert "Shorter please" in row
    assert f'<mark class="mention">@{acme.author.user.email}</mark>' in row
    assert "Shorter please" not in _row(html, rnd.question_id)
    # the outline counts the page's open threads
    assert re.search(r"First page</a> <span class=\"badge badge--count\">1 open thread", html)


def test_resolved_threads_are_collapsed_after_the_open_ones(acme, rnd):
    with acme.scope():
        first = comment_on_block(rnd, acme.reviewer, body="Resolved one")
        comment_on_block(rnd, acme.reviewer, body="Still open")
        svc.comment_resolve(actor=acme.reviewer, comment=first)
    row = _row(acme.client_for(acme.reviewer).get(rnd.url).content.decode(), rnd.block_id)
    details = row.index('class="threads__resolved"')
    assert row.index("Still open") < details < row.index("Resolved one")


def test_other_pages_are_reached_by_the_outline(acme, rnd):
    client = acme.client_for(acme.reviewer)
    html = client.get(rnd.url).content.decode()
    assert f"?page={rnd.other_page.uuid}" in html
    second = client.get(rnd.url, {"page": str(rnd.other_page.uuid)}).content.decode()
    assert 'id="review-page-title">Second page<' in second
    assert "Original wording" not in second


def test_learner_gets_403_and_an_unrelated_author_404(acme, rnd):
    assert acme.client_for(acme.learner).get(rnd.url).status_code == 403
    assert acme.client_for(rnd.cast.other_author).get(rnd.url).status_code == 404


def test_another_tenants_review_is_not_found(acme, globex, rnd):
    response = globex.client_for(globex.admin).get(rnd.url)
    assert response.status_code == 404


def test_the_query_count_does_not_grow_with_the_comments(acme, rnd, django_assert_max_num_queries):
    client = acme.client_for(acme.reviewer)
    with acme.scope():
        first = comment_on_block(rnd, acme.reviewer)
        svc.comment_reply(actor=rnd.cast.owner, comment=first, body="Done")
    client.get(rnd.url)  # warm caches (categories, sessions)
    with django_assert_max_num_queries(20) as few:
        assert client.get(rnd.url).status_code == 200
    with acme.scope():
        for n in range(15):
            thread = comment_on_block(rnd, acme.reviewer, body=f"Comment {n}")
            svc.comment_reply(actor=rnd.cast.owner, comment=thread, body=f"Reply {n}")
            svc.comment_add(
                actor=rnd.cast.coauthor,
                review=rnd.review,
                anchor="page",
                page_uuid=rnd.page.uuid,
                body=f"Page note {n}",
            )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(rnd.url)
    assert "Comment 14" in response.content.decode()


# --- decisions --------------------------------------------------------------------------------


def test_reviewer_approves_through_the_form(acme, rnd):
    client = acme.client_for(acme.reviewer)
    assert 'name="decision" value="approve"' in client.get(rnd.url).content.decode()
    response = _decide(client, rnd, "approve", note="Looks good")
    assert response.status_code == 302
    with acme.scope():
        decision = Decision.objects.get(review=rnd.review)
        assert decision.kind == "approve"
        assert decision.note == "Looks good"
        assert rnd.cast.reload().status == CourseStatus.APPROVED  # compliance: one approval
    html = client.get(rnd.url).content.decode()
    assert 'name="decision"' not in html  # closed: the decisions instead of the panel
    assert "Looks good" in html
    assert acme.reviewer.user.name in html


def test_request_changes_needs_a_note_or_an_open_comment(acme, rnd):
    client = acme.client_for(acme.reviewer)
    response = _decide(client, rnd, "request_changes", note="")
    assert response.status_code == 400
    assert "write a note" in response.content.decode()
    with acme.scope():
        assert not Decision.objects.exists()
        comment_on_block(rnd, acme.reviewer, body="This needs work")
    response = _decide(client, rnd, "request_changes", note="")
    assert response.status_code == 302
    with acme.scope():
        assert ReviewRequest.objects.get(pk=rnd.review.pk).status == ReviewStatus.CHANGES_REQUESTED
        assert rnd.cast.reload().status == CourseStatus.CHANGES_REQUESTED


def test_a_resolved_comment_does_not_replace_the_note(acme, rnd):
    with acme.scope():
        comment = comment_on_block(rnd, acme.reviewer)
        svc.comment_resolve(actor=acme.reviewer, comment=comment)
        with pytest.raises(services.Invalid):
            services.review_request_changes(
                actor=acme.reviewer,
                review=rnd.review,
                revision_number=rnd.review.revision.number,
                note="",
            )


def test_reject_needs_a_reason_and_returns_the_course_to_draft(acme, rnd):
    client = acme.client_for(acme.reviewer)
    response = _decide(client, rnd, "reject", note="  ")
    assert response.status_code == 400
    with acme.scope():
        assert not Decision.objects.exists()
    assert _decide(client, rnd, "reject", note="Out of scope").status_code == 302
    with acme.scope():
        assert ReviewRequest.objects.get(pk=rnd.review.pk).status == ReviewStatus.REJECTED
        assert rnd.cast.reload().status == CourseStatus.DRAFT


def test_a_decision_on_a_stale_version_is_409_and_keeps_the_note(acme, rnd):
    client = acme.client_for(acme.reviewer)
    response = _decide(
        client, rnd, "approve", note="My careful note", number=rnd.review.revision.number - 1
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Reload the review" in html
    assert "My careful note" in html
    with acme.scope():
        assert not Decision.objects.exists()
        assert ReviewRequest.objects.get(pk=rnd.review.pk).status == ReviewStatus.OPEN
        assert rnd.cast.reload().status == CourseStatus.IN_REVIEW


@pytest.mark.parametrize("role", ["owner", "coauthor"])
def test_authors_see_no_decision_panel_and_cannot_decide(acme, rnd, role):
    client = acme.client_for(rnd.cast.role(role))
    html = client.get(rnd.url).content.decode()
    assert 'name="decision"' not in html
    assert "reviewers decide" in html
    assert _decide(client, rnd, "approve").status_code == 403
    with acme.scope():
        assert not Decision.objects.exists()


def test_an_admin_who_coauthors_gets_no_panel(acme, rnd):
    with acme.scope():
        from authoring.models import CourseAuthor

        CourseAuthor.objects.create(course=rnd.cast.course, membership=acme.admin)
    client = acme.client_for(acme.admin)
    assert 'name="decision"' not in client.get(rnd.url).content.decode()
    assert _decide(client, rnd, "reject", note="No").status_code == 403


# --- thread actions ---------------------------------------------------------------------------


def _add(client, rnd: Round, *, anchor="block", block_id=None, body="Hello", htmx=False):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    key = f"block-{block_id or rnd.block_id}" if anchor == "block" else anchor
    return client.post(
        reverse("reviews:comment-add", kwargs={"review_uuid": rnd.review.uuid}),
        {
            "anchor": anchor,
            "page_uuid": str(rnd.page.uuid),
            "block_id": block_id or rnd.block_id,
            "body": body,
            "key": key,
            "in_review": str(rnd.review.uuid),
            "next": rnd.url,
        },
        **headers,
    )


def test_adding_a_comment_plain_post_redirects_back(acme, rnd):
    response = _add(acme.client_for(acme.reviewer), rnd, body="Plain form comment")
    assert response.status_code == 302
    assert response["Location"] == rnd.url
    with acme.scope():
        comment = Comment.objects.get()
        assert comment.block_id == rnd.block_id
        assert comment.author == acme.reviewer


def test_adding_a_comment_with_htmx_returns_the_blocks_threads(acme, rnd):
    response = _add(acme.client_for(acme.reviewer), rnd, body="Via htmx", htmx=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<div class="threads" id="threads-block-{rnd.block_id}"')
    assert "Via htmx" in html
    assert "Comment added." in html  # into the live region, out of band
    assert "<html" not in html


def test_a_comment_on_a_deleted_block_is_refused_clearly(acme, rnd):
    gone = str(uuid.uuid4())
    client = acme.client_for(acme.reviewer)
    response = _add(client, rnd, block_id=gone, body="Typed text kept", htmx=True)
    assert response.status_code == 400
    html = response.content.decode()
    assert "it may have been deleted" in html
    assert "Typed text kept" in html
    response = _add(client, rnd, block_id=gone, body="Typed text kept")
    assert response.status_code == 400  # plain form: the page again, with the message
    assert "it may have been deleted" in response.content.decode()
    with acme.scope():
        assert not Comment.objects.exists()


def test_an_empty_comment_is_refused_and_nothing_created(acme, rnd):
    response = _add(acme.client_for(acme.reviewer), rnd, body="   ", htmx=True)
    assert response.status_code == 400
    assert "Write a comment." in response.content.decode()
    with acme.scope():
        assert not Comment.objects.exists()


def test_reply_resolve_and_reopen_through_the_endpoints(acme, rnd):
    with acme.scope():
        thread = comment_on_block(rnd, acme.reviewer, body="Fix the intro")
    owner = acme.client_for(rnd.cast.owner)
    base = {"in_review": str(rnd.review.uuid), "next": rnd.url}
    kwargs = {"comment_uuid": thread.uuid}
    response = owner.post(
        reverse("reviews:comment-reply", kwargs=kwargs),
        {**base, "body": "Fixed it"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(
        f'<article class="thread thread--open" id="thread-{thread.uuid}"'
    )
    assert "Fixed it" in html
    response = owner.post(reverse("reviews:comment-resolve", kwargs=kwargs), base)
    assert response.status_code == 302
    with acme.scope():
        assert Comment.objects.get(pk=thread.pk).status == CommentStatus.RESOLVED
    response = owner.post(
        reverse("reviews:comment-resolve", kwargs=kwargs), base, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 409  # already resolved: said so, nothing changed
    assert "already resolved" in response.content.decode()
    response = owner.post(
        reverse("reviews:comment-reopen", kwargs=kwargs), base, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "thread--open" in response.content.decode()
    with acme.scope():
        assert Comment.objects.get(pk=thread.pk).status == CommentStatus.OPEN
        assert Comment.objects.filter(parent=thread).count() == 1


def test_a_learner_cannot_use_the_thread_actions(acme, rnd):
    with acme.scope():
        thread = comment_on_block(rnd, acme.reviewer)
    learner = acme.client_for(acme.learner)
    assert _add(learner, rnd).status_code == 403
    response = learner.post(
        reverse("reviews:comment-reply", kwargs={"comment_uuid": thread.uuid}), {"body": "x"}
    )
    assert response.status_code == 403
    with acme.scope():
        assert Comment.objects.count() == 1


def test_a_thread_whose_block_was_deleted_stays_on_its_page(acme, rnd):
    """Round 1 comments on a block; the author deletes it and resubmits: in round 2 the open
    thread shows at page level, marked "Block removed"."""
    with acme.scope():
        comment_on_block(rnd, acme.reviewer, body="About the removed block")
        services.review_request_changes(
            actor=acme.reviewer,
            review=rnd.review,
            revision_number=rnd.review.revision.number,
            note="Fix",
        )
        page = Page.objects.get(pk=rnd.page.pk)
        Page.objects.filter(pk=page.pk).update(
            blocks=[b for b in page.blocks if b["id"] != rnd.block_id]
        )
        second = services.review_submit(actor=rnd.cast.owner, course=rnd.cast.reload())
    url = reverse("reviews:review", kwargs={"review_uuid": second.uuid})
    html = acme.client_for(acme.reviewer).get(url).content.decode()
    assert f'id="row-{rnd.block_id}"' not in html
    page_threads = html[html.index(f'id="threads-page-{rnd.page.uuid}"') :]
    assert "About the removed block" in page_threads
    assert "Block removed" in page_threads
    assert "From round 1" in page_threads


def test_a_thread_whose_block_changed_is_marked(acme, rnd):
    with acme.scope():
        comment_on_block(rnd, acme.reviewer, body="Reword this")
        services.review_request_changes(
            actor=acme.reviewer,
            review=rnd.review,
            revision_number=rnd.review.revision.number,
            note="Fix",
        )
        _edit_draft_block(rnd, "Reworded text")
        second = services.review_submit(actor=rnd.cast.owner, course=rnd.cast.reload())
    url = reverse("reviews:review", kwargs={"review_uuid": second.uuid})
    row = _row(acme.client_for(acme.reviewer).get(url).content.decode(), rnd.block_id)
    assert "Reword this" in row
    assert "Changed since this comment" in row


# --- what changed -----------------------------------------------------------------------------


def test_round_one_has_nothing_to_compare_with(acme, rnd):
    url = reverse("reviews:review-changes", kwargs={"review_uuid": rnd.review.uuid})
    response = acme.client_for(acme.reviewer).get(url)
    assert response.status_code == 200
    assert "nothing to compare with" in response.content.decode()


def test_round_two_shows_word_changes_with_labels(acme, rnd):
    with acme.scope():
        services.review_request_changes(
            actor=acme.reviewer,
            review=rnd.review,
            revision_number=rnd.review.revision.number,
            note="Fix",
        )
        _edit_draft_block(rnd, "Original phrasing of the block")
        second = services.review_submit(actor=rnd.cast.owner, course=rnd.cast.reload())
    url = reverse("reviews:review-changes", kwargs={"review_uuid": second.uuid})
    response = acme.client_for(rnd.cast.owner).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(
        r'<del class="diff-del"><span class="visually-hidden">\[removed: </span>wording', html
    )
    assert re.search(
        r'<ins class="diff-ins"><span class="visually-hidden">\[added: </span>phrasing', html
    )
    assert "unchanged block" in html  # the question, collapsed


def test_changes_of_another_tenant_are_not_found(acme, globex, rnd):
    url = reverse("reviews:review-changes", kwargs={"review_uuid": rnd.review.uuid})
    assert globex.client_for(globex.admin).get(url).status_code == 404
    assert acme.client_for(acme.learner).get(url).status_code == 403
