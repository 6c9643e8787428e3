"""Reading reviews and categories, scoped to what the actor may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from authoring.access import parse_uuid
from authoring.models import CourseAuthor
from egl_platform.errors import NotFound
from reviews.models import DecisionKind, ReviewCategory, ReviewRequest
from reviews.services import categories_ensure_defaults
from tenants.models import Membership
from tenants.permissions import Capability, has_capability, require_capability

__all__ = ["categories_list", "review_for_actor", "reviews_for_actor"]


def reviews_for_actor(
    *, actor: Membership, status: str | None = None, category: str | None = None
) -> QuerySet[ReviewRequest]:
    """Reviewers: every review of the tenant; authors: reviews of courses they (co-)author.

    Forbidden without COURSE_SUBMIT. Each row carries `approval_count`.
    """
    require_capability(actor, Capability.COURSE_SUBMIT)
    reviews = ReviewRequest.objects.select_related(
        "course", "revision", "created_by__user"
    ).annotate(approval_count=Count("decisions", filter=Q(decisions__kind=DecisionKind.APPROVE)))
    if not has_capability(actor, Capability.COURSE_REVIEW):
        reviews = reviews.filter(
            Q(course__owner=actor)
            | Q(course_id__in=CourseAuthor.objects.filter(membership=actor).values("course_id"))
        )
    if status:
        reviews = reviews.filter(status=status)
    if category:
        reviews = reviews.filter(course__category=category)
    return reviews.order_by("-created_at", "-id")


def review_for_actor(*, actor: Membership, review_uuid: Any) -> ReviewRequest:
    """One review the actor may see; NotFound otherwise (another tenant's included)."""
    review = reviews_for_actor(actor=actor).filter(uuid=parse_uuid(review_uuid)).first()
    if review is None:
        raise NotFound(_("Not found."))
    return review


def categories_list() -> QuerySet[ReviewCategory]:
    """The active tenant's categories, the defaults seeded on first use."""
    categories_ensure_defaults()
    return ReviewCategory.objects.order_by("name", "id")
