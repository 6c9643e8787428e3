"""Review after publication: where a category needs no approval, L&D may still look back at
what an author published. The course goes live at once and stays live through the round."""

from __future__ import annotations

import json

import pytest

from authoring.models import CourseStatus, RevisionReason
from egl_platform.errors import Conflict
from reviews import services
from reviews.models import Notification, NotificationKind, ReviewCategory, ReviewStatus
from tests.reviews.helpers import bring_to, make_cast

pytestmark = pytest.mark.django_db


def _look_back(slug: str = "tools-tips") -> None:
    services.categories_ensure_defaults()
    ReviewCategory.objects.filter(slug=slug).update(review_after_publication=True)


def _open_round(cast):
    return cast.course.review_requests.select_related("revision", "course").get(status="open")


def test_self_publishing_opens_a_round_after_publication_and_tells_the_reviewers(
    acme, django_capture_on_commit_callbacks
):
    with acme.scope():
        _look_back()
        cast = make_cast(acme, category="tools-tips")
        with django_capture_on_commit_callbacks(execute=True):
            revision = services.course_mark_published(actor=cast.owner, course=cast.reload())
        assert cast.reload().status == CourseStatus.PUBLISHED
        review = _open_round(cast)
        assert review.after_publication is True
        assert review.revision == revision
        assert revision.reason == RevisionReason.PUBLISH
        assert Notification.objects.filter(
            recipient=acme.reviewer, review=review, kind=NotificationKind.REVIEW_REQUESTED
        ).exists()
        assert not Notification.objects.filter(recipient=cast.owner).exists()


def test_without_the_setting_self_publishing_opens_no_round(acme):
    with acme.scope():
        cast = make_cast(acme, category="tools-tips")
        services.course_mark_published(actor=cast.owner, course=cast.reload())
        assert cast.reload().status == CourseStatus.PUBLISHED
        assert not cast.course.review_requests.exists()


@pytest.mark.parametrize(
    ("decide", "closed_as"),
    [
        ("approve", ReviewStatus.APPROVED),
        ("request_changes", ReviewStatus.CHANGES_REQUESTED),
        ("reject", ReviewStatus.REJECTED),
    ],
)
def test_decisions_close_the_round_and_leave_the_course_published(
    acme, decide, closed_as, django_capture_on_commit_callbacks
):
    with acme.scope():
        _look_back()
        cast = make_cast(acme, category="tools-tips")
        services.course_mark_published(actor=cast.owner, course=cast.reload())
        review = _open_round(cast)
        number = review.revision.number
        with django_capture_on_commit_callbacks(execute=True):
            if decide == "approve":
                services.review_approve(actor=acme.reviewer, review=review, revision_number=number)
            elif decide == "request_changes":
                services.review_request_changes(
                    actor=acme.reviewer, review=review, revision_number=number, note="Shorter"
                )
            else:
                services.review_reject(
                    actor=acme.reviewer, review=review, revision_number=number, reason="Off"
                )
        review.refresh_from_db()
        assert review.status == closed_as
        assert cast.reload().status == CourseStatus.PUBLISHED
        assert Notification.objects.filter(
            recipient=cast.owner, kind=NotificationKind.DECISION
        ).exists()


def test_the_author_cannot_withdraw_a_round_after_publication(acme):
    with acme.scope():
        _look_back()
        cast = make_cast(acme, category="tools-tips")
        services.course_mark_published(actor=cast.owner, course=cast.reload())
        review = _open_round(cast)
        with pytest.raises(Conflict):
            services.review_withdraw(actor=cast.owner, review=review)
        review.refresh_from_db()
        assert review.status == ReviewStatus.OPEN
        assert cast.reload().status == CourseStatus.PUBLISHED


def test_publishing_the_next_version_supersedes_the_open_look_back(acme):
    with acme.scope():
        _look_back()
        cast = make_cast(acme, category="tools-tips")
        services.course_mark_published(actor=cast.owner, course=cast.reload())
        first = _open_round(cast)
        services.course_mark_published(actor=cast.owner, course=cast.reload())
        first.refresh_from_db()
        assert first.status == ReviewStatus.WITHDRAWN
        second = _open_round(cast)
        assert (second.round, second.after_publication) == (2, True)
        assert second.revision.number > first.revision.number


def test_submitting_for_review_supersedes_the_look_back(acme):
    with acme.scope():
        _look_back()
        cast = make_cast(acme, category="tools-tips")
        services.course_mark_published(actor=cast.owner, course=cast.reload())
        look_back = _open_round(cast)
        review = services.review_submit(actor=cast.owner, course=cast.reload(), message="v2")
        look_back.refresh_from_db()
        assert look_back.status == ReviewStatus.WITHDRAWN
        assert review.after_publication is False
        assert cast.reload().status == CourseStatus.IN_REVIEW


def test_an_approval_required_course_cannot_be_republished_without_review(acme):
    with acme.scope():
        cast = make_cast(acme, category="compliance")
        bring_to(cast, CourseStatus.PUBLISHED)
        before = cast.course.revisions.count()
        with pytest.raises(Conflict):
            services.course_mark_published(actor=cast.owner, course=cast.reload())
        assert cast.course.revisions.count() == before
        assert cast.reload().status == CourseStatus.PUBLISHED


def test_a_self_publish_course_can_publish_its_next_version(acme):
    with acme.scope():
        cast = make_cast(acme, category="product")
        services.course_mark_published(actor=cast.owner, course=cast.reload())
        services.course_mark_published(actor=cast.owner, course=cast.reload())
        reasons = list(cast.course.revisions.values_list("reason", flat=True))
        assert reasons.count(RevisionReason.PUBLISH) == 2


def test_the_setting_is_part_of_the_policy_api_and_admin_only(acme):
    admin, reviewer = acme.client_for(acme.admin), acme.client_for(acme.reviewer)
    by_slug = {c["slug"]: c for c in admin.get("/api/v1/review-categories/").json()}
    assert by_slug["product"]["review_after_publication"] is False
    url = f"/api/v1/review-categories/{by_slug['product']['uuid']}/"
    body = json.dumps({"review_after_publication": True})
    assert reviewer.patch(url, body, content_type="application/json").status_code == 403
    response = admin.patch(url, body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["review_after_publication"] is True
    with acme.scope():
        assert ReviewCategory.objects.get(slug="product").review_after_publication
