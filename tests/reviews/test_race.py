"""Two reviewers deciding at the same moment, on PostgreSQL with real row locks."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from authoring.models import Course, CourseStatus
from egl_platform.errors import Conflict
from reviews import services
from reviews.models import Decision, ReviewRequest, ReviewStatus
from tenants.tenancy import tenant_scope
from tests.factories import MembershipFactory
from tests.reviews.helpers import make_cast

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs two real connections with row locks"
    ),
]


def _race(tenant, first, second):
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def run(index, action):
        try:
            with tenant_scope(tenant):
                barrier.wait(timeout=10)
                outcomes[index] = action()
        except Exception as error:
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def _review(pk):
    return ReviewRequest.objects.select_related("course", "revision").get(pk=pk)


@pytest.fixture
def open_review(acme):
    with acme.scope():
        cast = make_cast(acme)
        second = MembershipFactory(roles=["reviewer"])
        review = services.review_submit(actor=cast.owner, course=cast.course)
        return review.pk, review.revision.number, second


def test_approve_and_request_changes_at_once_one_wins(acme, open_review):
    pk, number, second = open_review
    outcomes = _race(
        acme.tenant,
        lambda: services.review_approve(
            actor=acme.reviewer, review=_review(pk), revision_number=number
        ),
        lambda: services.review_request_changes(
            actor=second, review=_review(pk), revision_number=number, note="Fix the intro"
        ),
    )
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], Conflict), outcomes
    with acme.scope():
        review = _review(pk)
        decisions = list(Decision.objects.filter(review=review))
        assert len(decisions) == 1
        course = Course.objects.get(pk=review.course_id)
        if decisions[0].kind == "approve":
            assert review.status == ReviewStatus.APPROVED
            assert course.status == CourseStatus.APPROVED
        else:
            assert review.status == ReviewStatus.CHANGES_REQUESTED
            assert course.status == CourseStatus.CHANGES_REQUESTED


def test_two_approvals_at_once_on_a_one_approval_policy(acme, open_review):
    pk, number, second = open_review
    outcomes = _race(
        acme.tenant,
        lambda: services.review_approve(
            actor=acme.reviewer, review=_review(pk), revision_number=number
        ),
        lambda: services.review_approve(actor=second, review=_review(pk), revision_number=number),
    )
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], Conflict), outcomes
    with acme.scope():
        review = _review(pk)
        assert Decision.objects.filter(review=review).count() == 1
        assert review.status == ReviewStatus.APPROVED
        assert Course.objects.get(pk=review.course_id).status == CourseStatus.APPROVED


def test_two_submits_at_once_open_one_review(acme):
    with acme.scope():
        cast = make_cast(acme)
        course_pk = cast.course.pk
    outcomes = _race(
        acme.tenant,
        lambda: services.review_submit(actor=cast.owner, course=Course.objects.get(pk=course_pk)),
        lambda: services.review_submit(
            actor=cast.coauthor, course=Course.objects.get(pk=course_pk)
        ),
    )
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], Conflict), outcomes
    with acme.scope():
        assert ReviewRequest.objects.filter(course_id=course_pk).count() == 1
        assert Course.objects.get(pk=course_pk).status == CourseStatus.IN_REVIEW
