"""Review rules beyond the matrix: policies, approvals, pinned revisions, the open-review constraint."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from authoring.models import Course, CourseStatus, Revision, RevisionReason
from authoring.services.courses import course_create
from egl_platform.errors import Conflict, Forbidden, Invalid
from reviews import services
from reviews.models import (
    CategoryReviewer,
    CategoryReviewerGroup,
    Decision,
    ReviewCategory,
    ReviewRequest,
    ReviewStatus,
)
from tenants.models import AuditEvent
from tests.factories import GroupFactory, GroupMemberFactory, MembershipFactory
from tests.reviews.helpers import make_cast

pytestmark = pytest.mark.django_db


def test_default_categories_are_seeded_once_per_tenant(acme, globex):
    with acme.scope():
        services.categories_ensure_defaults()
        services.categories_ensure_defaults()
        policy = dict(ReviewCategory.objects.values_list("slug", "approval_required"))
    assert policy == {
        "compliance": True,
        "safety": True,
        "product": False,
        "customer-service": False,
        "tools-tips": False,
        "soft-skills": False,
    }
    with globex.scope():
        assert not ReviewCategory.objects.exists()


def test_author_cannot_approve_own_compliance_course(acme):
    with acme.scope():
        # The admin may review, but not a course they wrote.
        course = course_create(actor=acme.admin, title="Fire safety", category="compliance")
        review = services.review_submit(actor=acme.admin, course=course)
        with pytest.raises(Forbidden):
            services.review_approve(
                actor=acme.admin, review=review, revision_number=review.revision.number
            )
        assert not Decision.objects.exists()
        course.refresh_from_db()
        assert course.status == CourseStatus.IN_REVIEW


def test_coauthor_with_review_role_cannot_decide(acme):
    with acme.scope():
        cast = make_cast(acme)
        cast.coauthor.set_roles(["reviewer"])
        cast.coauthor.save()
        review = services.review_submit(actor=cast.owner, course=cast.course)
        with pytest.raises(Forbidden):
            services.review_request_changes(
                actor=cast.coauthor, review=review, revision_number=review.revision.number, note="x"
            )
        assert not Decision.objects.exists()


def test_submit_pins_a_submit_revision_and_later_edits_do_not_change_it(acme):
    with acme.scope():
        cast = make_cast(acme)
        review = services.review_submit(actor=cast.owner, course=cast.course, message="Please")
        assert review.round == 1
        assert review.status == ReviewStatus.OPEN
        assert review.revision.reason == RevisionReason.SUBMIT
        assert review.message == "Please"
        later = Revision.objects.create(
            course=cast.course, number=review.revision.number + 1, document={}
        )
        review.refresh_from_db()
        assert review.revision.number == later.number - 1
        assert AuditEvent.objects.filter(verb="review.submitted").count() == 1


def test_two_approvals_when_the_policy_says_so(acme):
    with acme.scope():
        services.categories_ensure_defaults()
        ReviewCategory.objects.filter(slug="compliance").update(approvals_needed=2)
        cast = make_cast(acme)
        second = MembershipFactory(roles=["reviewer"])
        review = services.review_submit(actor=cast.owner, course=cast.course)
        number = review.revision.number
        services.review_approve(actor=acme.reviewer, review=review, revision_number=number)
        review.refresh_from_db()
        assert review.status == ReviewStatus.OPEN
        assert cast.reload().status == CourseStatus.IN_REVIEW
        with pytest.raises(Conflict):  # the same reviewer twice counts once
            services.review_approve(actor=acme.reviewer, review=review, revision_number=number)
        services.review_approve(actor=second, review=review, revision_number=number)
        review.refresh_from_db()
        assert review.status == ReviewStatus.APPROVED
        assert review.closed_at is not None
        assert cast.reload().status == CourseStatus.APPROVED
        assert Decision.objects.filter(review=review).count() == 2


def test_one_approval_for_a_category_without_policy(acme):
    with acme.scope():
        cast = make_cast(acme, category="")
        # An imported course may carry a category the tenant does not have.
        Course.objects.filter(pk=cast.course.pk).update(category="unknown-slug")
        review = services.review_submit(actor=cast.owner, course=cast.reload())
        services.review_approve(
            actor=acme.reviewer, review=review, revision_number=review.revision.number
        )
        assert cast.reload().status == CourseStatus.APPROVED


def test_approval_of_a_stale_revision_is_a_conflict(acme):
    with acme.scope():
        cast = make_cast(acme)
        review = services.review_submit(actor=cast.owner, course=cast.course)
        with pytest.raises(Conflict, match="version"):
            services.review_approve(
                actor=acme.reviewer, review=review, revision_number=review.revision.number - 1
            )
        with pytest.raises(Conflict):
            services.review_reject(
                actor=acme.reviewer, review=review, revision_number=999, reason="no"
            )
        assert not Decision.objects.exists()
        assert cast.reload().status == CourseStatus.IN_REVIEW


@pytest.mark.parametrize("note", ["", "   "])
def test_request_changes_needs_a_note(acme, note):
    with acme.scope():
        cast = make_cast(acme)
        review = services.review_submit(actor=cast.owner, course=cast.course)
        with pytest.raises(Invalid) as error:
            services.review_request_changes(
                actor=acme.reviewer,
                review=review,
                revision_number=review.revision.number,
                note=note,
            )
        assert "note" in error.value.fields
        assert not Decision.objects.exists()
        assert cast.reload().status == CourseStatus.IN_REVIEW


def test_reject_needs_a_reason(acme):
    with acme.scope():
        cast = make_cast(acme)
        review = services.review_submit(actor=cast.owner, course=cast.course)
        with pytest.raises(Invalid):
            services.review_reject(
                actor=acme.reviewer,
                review=review,
                revision_number=review.revision.number,
                reason="",
            )
        assert cast.reload().status == CourseStatus.IN_REVIEW


def test_resubmission_opens_the_next_round(acme):
    with acme.scope():
        cast = make_cast(acme)
        first = services.review_submit(actor=cast.owner, course=cast.course)
        services.review_request_changes(
            actor=acme.reviewer, review=first, revision_number=first.revision.number, note="Fix"
        )
        second = services.review_submit(actor=cast.coauthor, course=cast.reload())
        assert second.round == 2
        assert second.revision.number > first.revision.number
        first.refresh_from_db()
        assert first.status == ReviewStatus.CHANGES_REQUESTED


def test_the_database_allows_one_open_review_per_course(acme):
    with acme.scope():
        cast = make_cast(acme)
        review = services.review_submit(actor=cast.owner, course=cast.course)
        with pytest.raises(IntegrityError), transaction.atomic():
            ReviewRequest.objects.create(course=cast.course, round=2, revision=review.revision)


def test_submit_turns_a_lost_insert_race_into_a_conflict(acme, monkeypatch):
    # The state check passed (as when another request opened a review a moment ago), the
    # insert hits the constraint: the caller gets a Conflict and nothing is kept.
    with acme.scope():
        cast = make_cast(acme)
        review = services.review_submit(actor=cast.owner, course=cast.course)
        ReviewRequest.objects.filter(pk=review.pk).update(status=ReviewStatus.WITHDRAWN)
        Course.objects.filter(pk=cast.course.pk).update(status=CourseStatus.CHANGES_REQUESTED)
        blocker = ReviewRequest.objects.create(
            course=cast.course, round=5, revision=review.revision
        )
        bypassed: list[bool] = []
        monkeypatch.setattr(services, "_has_open_review", lambda course: bypassed.append(True))
        revisions = Revision.objects.count()
        with pytest.raises(Conflict):
            services.review_submit(actor=cast.owner, course=cast.reload())
        assert Revision.objects.count() == revisions
        assert bypassed == [True], "the state check was bypassed; the constraint answered"
        assert cast.reload().status == CourseStatus.CHANGES_REQUESTED
        monkeypatch.undo()
        assert ReviewRequest.objects.filter(status=ReviewStatus.OPEN).get() == blocker


def test_reviewers_must_be_able_to_review(acme):
    with acme.scope():
        cast = make_cast(acme)
        with pytest.raises(Invalid):
            services.review_submit(actor=cast.owner, course=cast.course, reviewers=[acme.learner])
        with pytest.raises(Invalid):
            services.review_submit(actor=cast.owner, course=cast.course, reviewers=[cast.coauthor])
        assert not ReviewRequest.objects.exists()
        assert cast.reload().status == CourseStatus.DRAFT
        review = services.review_submit(
            actor=cast.owner, course=cast.course, reviewers=[acme.reviewer]
        )
        assert list(review.reviewers.all()) == [acme.reviewer]


def test_self_publish_where_the_policy_allows(acme):
    with acme.scope():
        cast = make_cast(acme, category="tools-tips")
        assert services.course_publish_allowed(cast.course)
        revision = services.course_mark_published(actor=cast.owner, course=cast.course)
        assert revision.reason == RevisionReason.PUBLISH
        assert cast.reload().status == CourseStatus.PUBLISHED


def test_compliance_draft_cannot_be_published_without_approval(acme):
    with acme.scope():
        cast = make_cast(acme, category="compliance")
        assert not services.course_publish_allowed(cast.course)
        with pytest.raises(Conflict, match="approval"):
            services.course_mark_published(actor=acme.reviewer, course=cast.course)
        assert cast.reload().status == CourseStatus.DRAFT
        assert not Revision.objects.filter(reason=RevisionReason.PUBLISH).exists()


def test_category_update_needs_tenant_manage(acme):
    with acme.scope():
        services.categories_ensure_defaults()
        product = ReviewCategory.objects.get(slug="product")
        with pytest.raises(Forbidden):
            services.category_update(actor=acme.reviewer, category=product, approval_required=True)
        with pytest.raises(Invalid):
            services.category_update(actor=acme.admin, category=product, approvals_needed=3)
        services.category_update(
            actor=acme.admin, category=product, approval_required=True, approvals_needed=2
        )
        product.refresh_from_db()
        assert product.approval_required
        assert product.approvals_needed == 2


def test_requested_reviewers_come_from_the_category_pool(acme):
    with acme.scope():
        services.categories_ensure_defaults()
        compliance = ReviewCategory.objects.get(slug="compliance")
        in_group = MembershipFactory(roles=["reviewer"])
        group = GroupFactory()
        GroupMemberFactory(group=group, membership=in_group)
        CategoryReviewerGroup.objects.create(category=compliance, group=group)
        CategoryReviewer.objects.create(category=compliance, membership=acme.admin)
        cast = make_cast(acme)
        with pytest.raises(Invalid, match="pool"):
            services.review_submit(actor=cast.owner, course=cast.course, reviewers=[acme.reviewer])
        assert not ReviewRequest.objects.exists()
        review = services.review_submit(
            actor=cast.owner, course=cast.course, reviewers=[in_group, acme.admin]
        )
        assert set(review.reviewers.all()) == {in_group, acme.admin}
