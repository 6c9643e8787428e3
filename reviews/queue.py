"""The L&D review queue and a course's review history: reads for reviewers (and authors).

The queue lists review rounds of the tenant with the facts a reviewer sorts by (category,
requested reviewers, approvals so far, how long the round has waited). Every query here
costs the same whatever the number of rows: annotations and prefetches, no per-row queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from authoring.access import course_for_edit, parse_uuid
from authoring.models import Course, CourseAuthor
from egl_platform.errors import Invalid
from reviews.models import (
    Decision,
    DecisionKind,
    RequestedReviewer,
    ReviewCategory,
    ReviewRequest,
    ReviewStatus,
)
from reviews.services import (
    categories_ensure_defaults,
    category_for_course,
    category_pool,
    course_publish_allowed,
    is_course_author,
)
from reviews.transitions import Action, transition_allowed
from tenants.models import Membership, MembershipStatus
from tenants.permissions import Capability, has_capability, require_capability

__all__ = [
    "AGE_CHOICES",
    "SORT_CHOICES",
    "STATUS_ALL",
    "QueueRow",
    "categories_by_slug",
    "course_history",
    "queue_reviews",
    "queue_rows",
    "reviewers_of_tenant",
    "submit_candidates",
    "workspace_state",
]

STATUS_ALL = "all"
REVIEWER_ME = "me"
REVIEWER_UNASSIGNED = "unassigned"
SORT_OLDEST = "oldest"
SORT_NEWEST = "newest"
SORT_CHOICES = [
    (SORT_OLDEST, gettext_lazy("Waiting longest first")),
    (SORT_NEWEST, gettext_lazy("Newest first")),
]
# Waiting at least this many days.
AGE_CHOICES = [
    (1, gettext_lazy("More than 1 day")),
    (3, gettext_lazy("More than 3 days")),
    (7, gettext_lazy("More than 7 days")),
]


def _with_reviewers(reviews: QuerySet[ReviewRequest]) -> QuerySet[ReviewRequest]:
    return reviews.prefetch_related(
        Prefetch(
            "reviewers",
            queryset=Membership.objects.select_related("user").order_by(
                "user__display_name", "user__email"
            ),
        )
    )


def queue_reviews(
    *,
    actor: Membership,
    category: str = "",
    status: str = ReviewStatus.OPEN,
    reviewer: str = "",
    age_days: int = 0,
    sort: str = SORT_OLDEST,
) -> QuerySet[ReviewRequest]:
    """Review rounds of the tenant for the queue (COURSE_REVIEW; others: Forbidden).

    `status` is a ReviewStatus or "all"; `reviewer` is "me", "unassigned" or a member's
    uuid; `age_days` keeps rounds submitted at least that many days ago; `sort` is
    "oldest" (waiting longest first) or "newest". Rows carry `approval_count`, the
    requested reviewers (prefetched) and the course and its submitter (joined).
    Invalid for a value outside those.
    """
    require_capability(actor, Capability.COURSE_REVIEW)
    reviews = ReviewRequest.objects.select_related("course", "revision", "created_by__user")
    if status and status != STATUS_ALL:
        if status not in ReviewStatus.values:
            raise Invalid(_("Unknown status."), fields={"status": [_("Choose a status.")]})
        reviews = reviews.filter(status=status)
    if category:
        reviews = reviews.filter(course__category=category)
    if reviewer == REVIEWER_ME:
        reviews = reviews.filter(
            Exists(RequestedReviewer.objects.filter(review=OuterRef("pk"), membership=actor))
        )
    elif reviewer == REVIEWER_UNASSIGNED:
        reviews = reviews.exclude(Exists(RequestedReviewer.objects.filter(review=OuterRef("pk"))))
    elif reviewer:
        key = parse_uuid(reviewer)
        reviews = reviews.filter(
            Exists(RequestedReviewer.objects.filter(review=OuterRef("pk"), membership__uuid=key))
        )
    if age_days:
        reviews = reviews.filter(created_at__lte=timezone.now() - timedelta(days=age_days))
    reviews = reviews.annotate(
        approval_count=Count("decisions", filter=Q(decisions__kind=DecisionKind.APPROVE))
    )
    if sort == SORT_NEWEST:
        reviews = reviews.order_by("-created_at", "-id")
    elif sort == SORT_OLDEST:
        reviews = reviews.order_by("created_at", "id")
    else:
        raise Invalid(_("Unknown order."), fields={"sort": [_("Choose an order.")]})
    return _with_reviewers(reviews)


def categories_by_slug() -> dict[str, ReviewCategory]:
    """The tenant's categories keyed by slug (the defaults seeded on first use)."""
    categories_ensure_defaults()
    return {c.slug: c for c in ReviewCategory.objects.order_by("name", "id")}


def reviewers_of_tenant() -> list[Membership]:
    """Active members who can review (reviewers and admins), by name."""
    return list(
        Membership.objects.filter(status=MembershipStatus.ACTIVE, is_guest=False)
        .filter(Q(is_reviewer=True) | Q(is_admin=True))
        .select_related("user")
        .order_by("user__display_name", "user__email")
    )


def approvals_needed_of(category: ReviewCategory | None) -> int:
    """Approvals that close a round: the policy's number, or one when approval is optional."""
    if category is None or not category.approval_required:
        return 1
    return category.approvals_needed


@dataclass
class QueueRow:
    review: ReviewRequest
    category: ReviewCategory | None
    approvals_needed: int
    waiting: timedelta | None  # open rounds: since submission
    took: timedelta | None  # closed rounds: submission to closing

    @property
    def course(self) -> Course:
        return self.review.course


def queue_rows(
    reviews: Any, categories: dict[str, ReviewCategory], *, now: Any = None
) -> list[QueueRow]:
    """Rows for the queue table from a page of `queue_reviews` (no queries)."""
    now = now or timezone.now()
    rows = []
    for review in reviews:
        category = categories.get(review.course.category)
        is_open = review.status == ReviewStatus.OPEN
        rows.append(
            QueueRow(
                review=review,
                category=category,
                approvals_needed=approvals_needed_of(category),
                waiting=now - review.created_at if is_open else None,
                took=review.closed_at - review.created_at
                if (not is_open and review.closed_at)
                else None,
            )
        )
    return rows


def course_history(*, actor: Membership, course_uuid: Any) -> tuple[Course, list[ReviewRequest]]:
    """Every review round of a course, newest first, for reviewers and the course's authors.

    A course the actor may not edit (another tenant's included) is NotFound; members who
    can neither author nor review are Forbidden. Rounds carry `comment_count`,
    `approval_count`, prefetched `decisions` (with reviewer and revision) and `reviewers`.
    """
    require_capability(actor, Capability.COURSE_SUBMIT)
    course = course_for_edit(actor=actor, course_uuid=course_uuid)
    rounds = (
        ReviewRequest.objects.filter(course=course)
        .select_related("revision", "created_by__user")
        .annotate(
            comment_count=Count("comments", distinct=True),
            approval_count=Count(
                "decisions", filter=Q(decisions__kind=DecisionKind.APPROVE), distinct=True
            ),
        )
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=Decision.objects.select_related("reviewer__user", "revision").order_by(
                    "created_at", "id"
                ),
            )
        )
        .order_by("-round")
    )
    return course, list(_with_reviewers(rounds))


@dataclass
class WorkspaceState:
    """What the editor's "Review and publishing" card shows and offers."""

    course: Course
    category: ReviewCategory | None
    approval_required: bool
    approvals_needed: int
    open_round: ReviewRequest | None
    last_decision: Decision | None
    rounds: int
    is_author: bool
    can_submit: bool
    can_withdraw: bool
    can_publish: bool
    candidates: list[Membership]


def workspace_state(*, actor: Membership, course_uuid: Any) -> WorkspaceState:
    """The course's review state for its workspace: status, policy, open round, last decision
    and the actions the actor may take now, with the reviewers they may ask.

    COURSE_SUBMIT (others: Forbidden); a course the actor may not edit is NotFound.
    """
    require_capability(actor, Capability.COURSE_SUBMIT)
    course = course_for_edit(actor=actor, course_uuid=course_uuid)
    category = category_for_course(course)
    approval_required = bool(category and category.approval_required)
    rounds = list(
        _with_reviewers(
            ReviewRequest.objects.filter(course=course)
            .select_related("revision", "created_by__user")
            .annotate(
                approval_count=Count("decisions", filter=Q(decisions__kind=DecisionKind.APPROVE))
            )
            .order_by("-round")
        )
    )
    open_round = next((r for r in rounds if r.status == ReviewStatus.OPEN), None)
    last_decision = (
        Decision.objects.filter(review__course=course)
        .select_related("reviewer__user", "review", "revision")
        .order_by("-created_at", "-id")
        .first()
    )
    author = is_course_author(actor, course)
    submitter = author and has_capability(actor, Capability.COURSE_SUBMIT)
    # A round after publication does not hold the author back: a new submission supersedes it.
    blocking = open_round is not None and not open_round.after_publication
    can_submit = submitter and not blocking and transition_allowed(course.status, Action.SUBMIT)
    can_publish = (
        (author or has_capability(actor, Capability.COURSE_REVIEW))
        and transition_allowed(course.status, Action.PUBLISH)
        and course_publish_allowed(course)
    )
    return WorkspaceState(
        course=course,
        category=category,
        approval_required=approval_required,
        approvals_needed=approvals_needed_of(category) if approval_required else 0,
        open_round=open_round,
        last_decision=last_decision,
        rounds=len(rounds),
        is_author=author,
        can_submit=can_submit,
        can_withdraw=submitter and blocking,
        can_publish=can_publish,
        candidates=submit_candidates(course, category) if can_submit else [],
    )


def submit_candidates(course: Course, category: ReviewCategory | None) -> list[Membership]:
    """Whom the author may ask: the category's pool (or every reviewer when it has none),
    never an author of the course."""
    reviewers = reviewers_of_tenant()
    pool = category_pool(category) if category is not None else set()
    authors = {
        course.owner_id,
        *CourseAuthor.objects.filter(course=course).values_list("membership_id", flat=True),
    }
    return [m for m in reviewers if (not pool or m.pk in pool) and m.pk not in authors]
