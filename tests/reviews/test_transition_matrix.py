"""Every (state, action, role) of the course lifecycle: allowed, 409 with nothing changed,
403 or 404 — through the services, as the API calls them."""

from __future__ import annotations

import pytest

from authoring.models import CourseStatus, Revision
from egl_platform.errors import Conflict, Forbidden, NotFound
from reviews import services
from reviews.models import Decision, ReviewRequest
from reviews.transitions import TRANSITIONS, Action, transition_target
from tenants.models import AuditEvent
from tests.reviews.helpers import bring_to, make_cast

pytestmark = pytest.mark.django_db

STATES = list(CourseStatus.values)
ACTIONS = list(Action.values)
ROLES = ["learner", "owner", "coauthor", "other_author", "reviewer", "admin"]
AUTHORS = {"owner", "coauthor"}
DECISIONS = {Action.APPROVE, Action.REQUEST_CHANGES, Action.REJECT}


def expected(state: str, action: str, role: str) -> str:
    """ "ok", 403, 404 or 409 for the compliance course (approval required, one approval)."""
    if role == "learner":
        return "403"
    if action == Action.SUBMIT:
        if role == "other_author":
            return "404"
        if role not in AUTHORS:
            return "403"
    elif action in DECISIONS:
        if role not in ("reviewer", "admin"):
            return "403"
    elif action == Action.WITHDRAW:
        if role == "other_author":
            return "404"
        if role not in AUTHORS:
            return "403"
    elif action == Action.PUBLISH and role == "other_author":
        return "404"
    if (state, action) not in TRANSITIONS:
        return "409"
    if state in (CourseStatus.DRAFT, CourseStatus.PUBLISHED) and action == Action.PUBLISH:
        return "409"  # compliance requires approval: no self-publishing, not even v2
    return "ok"


def perform(cast, action: str, actor):
    course = cast.reload()
    review = cast.latest_review()
    number = review.revision.number
    if action == Action.SUBMIT:
        return services.review_submit(actor=actor, course=course, message="Please")
    if action == Action.APPROVE:
        return services.review_approve(actor=actor, review=review, revision_number=number)
    if action == Action.REQUEST_CHANGES:
        return services.review_request_changes(
            actor=actor, review=review, revision_number=number, note="Fix the intro"
        )
    if action == Action.REJECT:
        return services.review_reject(
            actor=actor, review=review, revision_number=number, reason="Out of scope"
        )
    if action == Action.WITHDRAW:
        return services.review_withdraw(actor=actor, review=review)
    return services.course_mark_published(actor=actor, course=course)


def counts(cast):
    return (
        ReviewRequest.objects.filter(course=cast.course).count(),
        Decision.objects.filter(review__course=cast.course).count(),
        Revision.objects.filter(course=cast.course).count(),
        AuditEvent.objects.count(),
        list(ReviewRequest.objects.filter(course=cast.course).values_list("status", flat=True)),
    )


def test_the_table_covers_every_state():
    # Every state has a way forward; nothing leads out of the known states.
    assert {state for state, _ in TRANSITIONS} == set(STATES)
    assert set(TRANSITIONS.values()) <= set(STATES)


def test_an_action_not_in_the_table_is_a_conflict():
    with pytest.raises(Conflict):
        transition_target(CourseStatus.PUBLISHED, Action.APPROVE)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", STATES)
def test_transition_matrix(acme, state, action, role):
    with acme.scope():
        cast = make_cast(acme)
        bring_to(cast, state)
        assert cast.reload().status == state
        outcome = expected(state, action, role)
        before = counts(cast)
        errors = {"403": Forbidden, "404": NotFound, "409": Conflict}
        if outcome == "ok":
            perform(cast, action, cast.role(role))
            assert cast.reload().status == TRANSITIONS[(state, action)]
            assert counts(cast)[3] > before[3], "an audit event is recorded"
        else:
            with pytest.raises(errors[outcome]):
                perform(cast, action, cast.role(role))
            assert cast.reload().status == state
            assert counts(cast) == before
