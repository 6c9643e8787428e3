"""Co-authors: who may add and remove them, ownership transfer, deactivation orphans nothing."""

from __future__ import annotations

import pytest

from authoring.access import can_edit_course
from authoring.models import Course, CourseAuthor
from authoring.selectors import courses_for_author, owner_deactivated
from authoring.services.coauthors import (
    course_author_add,
    course_author_remove,
    course_owner_transfer,
)
from authoring.services.courses import course_create
from egl_platform.errors import Conflict, Forbidden, Invalid, NotFound
from tenants.models import AuditEvent, MembershipStatus
from tenants.services.members import membership_deactivate
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(acme):
    with acme.scope():
        return course_create(actor=acme.author, title="Shared")


def test_the_owner_adds_a_coauthor_who_may_then_edit(acme, course):
    with acme.scope():
        colleague = MembershipFactory(roles=["author"])
        assert not can_edit_course(colleague, Course.objects.get(pk=course.pk))
        course_author_add(actor=acme.author, course=course, member=colleague)
        assert can_edit_course(colleague, Course.objects.get(pk=course.pk))
        assert course in courses_for_author(actor=colleague)
        with pytest.raises(Conflict):
            course_author_add(actor=acme.author, course=course, member=colleague)
        with pytest.raises(Conflict):
            course_author_add(actor=acme.reviewer, course=course, member=acme.author)
        assert AuditEvent.objects.filter(verb="course.author_added").count() == 1


def test_coauthors_must_be_active_authors(acme, course):
    with acme.scope():
        with pytest.raises(Invalid):
            course_author_add(actor=acme.author, course=course, member=acme.learner)
        gone = MembershipFactory(roles=["author"], status=MembershipStatus.DEACTIVATED)
        with pytest.raises(Invalid):
            course_author_add(actor=acme.author, course=course, member=gone)
        assert not CourseAuthor.objects.exists()


def test_a_coauthor_cannot_manage_authors_but_may_leave(acme, course):
    with acme.scope():
        colleague = MembershipFactory(roles=["author"])
        third = MembershipFactory(roles=["author"])
        course_author_add(actor=acme.author, course=course, member=colleague)
        with pytest.raises(Forbidden):
            course_author_add(actor=colleague, course=course, member=third)
        with pytest.raises(Forbidden):
            course_owner_transfer(actor=colleague, course=course, member=colleague)
        stranger = MembershipFactory(roles=["author"])
        with pytest.raises(NotFound):
            course_author_add(actor=stranger, course=course, member=third)
        course_author_remove(actor=colleague, course=course, member=colleague)
        assert not CourseAuthor.objects.filter(course=course).exists()
        with pytest.raises(NotFound):
            course_author_remove(actor=acme.author, course=course, member=colleague)


def test_a_reviewer_manages_authors_of_any_course(acme, course):
    with acme.scope():
        colleague = MembershipFactory(roles=["author"])
        course_author_add(actor=acme.reviewer, course=course, member=colleague)
        course_author_remove(actor=acme.reviewer, course=course, member=colleague)
        assert not CourseAuthor.objects.filter(course=course).exists()


def test_transferring_ownership_keeps_the_previous_owner_as_coauthor(acme, course):
    with acme.scope():
        colleague = MembershipFactory(roles=["author"])
        course_author_add(actor=acme.author, course=course, member=colleague)
        course_owner_transfer(actor=acme.author, course=course, member=colleague)
        fresh = Course.objects.get(pk=course.pk)
        assert fresh.owner == colleague
        assert list(
            CourseAuthor.objects.filter(course=course).values_list("membership", flat=True)
        ) == [acme.author.pk]
        with pytest.raises(Conflict):
            course_owner_transfer(actor=colleague, course=fresh, member=colleague)
        with pytest.raises(Invalid):
            course_owner_transfer(actor=colleague, course=fresh, member=acme.learner)


def test_deactivating_an_owner_hands_courses_to_the_longest_standing_active_coauthor(acme):
    with acme.scope():
        owner = MembershipFactory(roles=["author"])
        first, second = MembershipFactory(roles=["author"]), MembershipFactory(roles=["author"])
        shared = course_create(actor=owner, title="Shared")
        course_author_add(actor=owner, course=shared, member=first)
        course_author_add(actor=owner, course=shared, member=second)
        alone = course_create(actor=owner, title="Alone")
        membership_deactivate(actor=acme.admin, membership=owner)

        shared.refresh_from_db()
        alone.refresh_from_db()
        assert shared.owner == first
        assert set(
            CourseAuthor.objects.filter(course=shared).values_list("membership", flat=True)
        ) == {second.pk}
        # No co-author to take over: the course stays, listed for reviewers as such.
        assert alone.owner == owner
        listed = courses_for_author(actor=acme.reviewer, scope="all").get(pk=alone.pk)
        assert owner_deactivated(listed)
        assert (
            AuditEvent.objects.filter(verb="course.owner_transferred", actor=acme.admin).count()
            == 1
        )


def test_a_failed_deactivation_hands_nothing_over(acme):
    with acme.scope():
        owner = MembershipFactory(roles=["author"])
        heir = MembershipFactory(roles=["author"])
        course = course_create(actor=owner, title="Kept")
        course_author_add(actor=owner, course=course, member=heir)
        with pytest.raises(Conflict):
            membership_deactivate(actor=acme.admin, membership=acme.admin)  # not yourself
        course.refresh_from_db()
        assert course.owner == owner
