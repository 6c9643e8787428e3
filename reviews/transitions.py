"""The course lifecycle as one table: (state, action) → new state (DESIGN.md §6).

Conditions that depend on more than the state (enough approvals, the category's policy
for self-publishing) are checked by the services; this table says only what may follow
what. Anything not in the table is an illegal transition: Conflict (409), nothing changed.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _

from authoring.models import CourseStatus
from egl_platform.errors import Conflict


class Action(models.TextChoices):
    SUBMIT = "submit"
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    PUBLISH = "publish"


S = CourseStatus
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, Action.SUBMIT): S.IN_REVIEW,
    (S.CHANGES_REQUESTED, Action.SUBMIT): S.IN_REVIEW,
    (S.APPROVED, Action.SUBMIT): S.IN_REVIEW,
    (S.PUBLISHED, Action.SUBMIT): S.IN_REVIEW,  # a new round for the next release
    (S.IN_REVIEW, Action.REQUEST_CHANGES): S.CHANGES_REQUESTED,
    # Stays in review until enough approvals are in (the service decides).
    (S.IN_REVIEW, Action.APPROVE): S.APPROVED,
    (S.IN_REVIEW, Action.REJECT): S.DRAFT,
    (S.IN_REVIEW, Action.WITHDRAW): S.DRAFT,
    (S.APPROVED, Action.PUBLISH): S.PUBLISHED,
    # Self-publishing: only when the category's policy does not require approval. From
    # published: the next version of a course already live (DESIGN.md §6: release n+1).
    (S.DRAFT, Action.PUBLISH): S.PUBLISHED,
    (S.PUBLISHED, Action.PUBLISH): S.PUBLISHED,
}

# A round after publication (a category where L&D looks back at what an author published
# without approval) decides without moving the course: it stays published. The services
# use this instead of TRANSITIONS for such rounds; withdrawing one is not the author's.
AFTER_PUBLICATION_DECISIONS = frozenset({Action.APPROVE, Action.REQUEST_CHANGES, Action.REJECT})


def transition_allowed(state: str, action: str) -> bool:
    return (str(state), str(action)) in TRANSITIONS


def transition_target(state: str, action: str) -> str:
    """The state after `action` from `state`; Conflict when the table does not allow it."""
    target = TRANSITIONS.get((str(state), str(action)))
    if target is None:
        raise Conflict(
            _("This course is %(state)s: that action is not possible now.")
            % {"state": CourseStatus(state).label}
        )
    return target
