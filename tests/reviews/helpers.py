"""Shared set-up of the review tests: a course with an owner, a co-author and roles around it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from authoring.models import Course, CourseAuthor, CourseStatus
from authoring.services.courses import course_create
from reviews import services
from reviews.models import ReviewRequest
from tenants.models import Membership
from tests.factories import MembershipFactory


@dataclass
class Cast:
    world: Any
    course: Course
    owner: Membership
    coauthor: Membership
    other_author: Membership

    def role(self, name: str) -> Membership:
        return {
            "learner": self.world.learner,
            "owner": self.owner,
            "coauthor": self.coauthor,
            "other_author": self.other_author,
            "reviewer": self.world.reviewer,
            "admin": self.world.admin,
        }[name]

    def reload(self) -> Course:
        return Course.objects.get(pk=self.course.pk)

    def latest_review(self) -> ReviewRequest:
        review = (
            ReviewRequest.objects.select_related("course", "revision")
            .filter(course=self.course)
            .order_by("-round")
            .first()
        )
        assert review is not None, "bring_to() always leaves a review behind"
        return review


def make_cast(world: Any, *, category: str = "compliance", tag: str = "") -> Cast:
    """Inside world.scope(): a course by world.author with a co-author."""
    owner = world.author
    coauthor = MembershipFactory(roles=["author"], user__email=f"co{tag}@{world.tenant.slug}.test")
    other = MembershipFactory(roles=["author"], user__email=f"other{tag}@{world.tenant.slug}.test")
    course = course_create(actor=owner, title=f"Course {tag}", category=category)
    CourseAuthor.objects.create(course=course, membership=coauthor)
    return Cast(world, course, owner, coauthor, other)


def bring_to(cast: Cast, state: str) -> None:
    """Move the course to `state` through the services; a draft has a rejected round behind it."""
    reviewer = cast.world.reviewer
    if state == CourseStatus.DRAFT:
        review = services.review_submit(actor=cast.owner, course=cast.reload())
        services.review_reject(
            actor=reviewer, review=review, revision_number=review.revision.number, reason="No"
        )
        return
    review = services.review_submit(actor=cast.owner, course=cast.reload())
    if state == CourseStatus.IN_REVIEW:
        return
    if state == CourseStatus.CHANGES_REQUESTED:
        services.review_request_changes(
            actor=reviewer, review=review, revision_number=review.revision.number, note="Fix"
        )
        return
    services.review_approve(actor=reviewer, review=review, revision_number=review.revision.number)
    if state == CourseStatus.APPROVED:
        return
    services.course_mark_published(actor=cast.owner, course=cast.reload())
    assert state == CourseStatus.PUBLISHED
