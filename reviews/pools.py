"""A category's reviewer pool: the people and groups whose members may be asked to review.

An empty pool means anyone who can review (reviews.services.category_pool). Changing the
pool needs the capability that changes the category's policy (services.category_update).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from egl_platform.errors import Invalid
from reviews import services
from reviews.models import CategoryReviewer, CategoryReviewerGroup, ReviewCategory
from reviews.queue import reviewers_of_tenant
from tenants.models import Group, Membership
from tenants.permissions import Capability, has_capability, require_capability
from tenants.services.audit import audit_record

__all__ = [
    "POOL_CAPABILITY",
    "categories_with_pools",
    "category_configure",
    "category_pool_set",
    "pool_candidates",
]

# The capability services.category_update asks for: whoever sets the policy sets the pool.
POOL_CAPABILITY = Capability.TENANT_MANAGE
POOL_MAX = 100


def categories_with_pools() -> QuerySet[ReviewCategory]:
    """The tenant's categories with their pool's members (and users) and groups prefetched."""
    services.categories_ensure_defaults()
    return ReviewCategory.objects.order_by("name", "id").prefetch_related(
        Prefetch(
            "reviewer_members",
            queryset=Membership.objects.select_related("user").order_by(
                "user__display_name", "user__email"
            ),
        ),
        Prefetch("reviewer_groups", queryset=Group.objects.order_by("name", "id")),
    )


def pool_candidates() -> tuple[list[Membership], list[Group]]:
    """Who may be put in a pool: active reviewers of the tenant, and the tenant's groups."""
    return reviewers_of_tenant(), list(Group.objects.order_by("name", "id"))


def _check_members(actor: Membership, members: Iterable[Membership]) -> list[Membership]:
    chosen: list[Membership] = []
    for member in members:
        if member.tenant_id != actor.tenant_id or not has_capability(
            member, Capability.COURSE_REVIEW
        ):
            raise Invalid(
                _("%(name)s cannot review courses.") % {"name": member},
                fields={"members": [_("Choose reviewers of this organisation.")]},
            )
        if member.pk not in {m.pk for m in chosen}:
            chosen.append(member)
    return chosen


def _check_groups(actor: Membership, groups: Iterable[Group]) -> list[Group]:
    chosen: list[Group] = []
    for group in groups:
        if group.tenant_id != actor.tenant_id:
            raise Invalid(
                _("Unknown group."), fields={"groups": [_("Choose groups of this organisation.")]}
            )
        if group.pk not in {g.pk for g in chosen}:
            chosen.append(group)
    return chosen


def category_pool_set(
    *,
    actor: Membership,
    category: ReviewCategory,
    members: Iterable[Membership],
    groups: Iterable[Group],
) -> ReviewCategory:
    """Replace the category's reviewer pool with `members` and `groups`, atomically.

    TENANT_MANAGE (like the policy; Forbidden otherwise). Members must be active reviewers
    of the tenant and groups the tenant's (Invalid otherwise, nothing changed). Records an
    audit event with the pool before and after.
    """
    require_capability(actor, POOL_CAPABILITY)
    people = _check_members(actor, members)
    teams = _check_groups(actor, groups)
    if len(people) + len(teams) > POOL_MAX:
        raise Invalid(_("The pool is too large."), fields={"members": [_("At most 100.")]})
    with transaction.atomic():
        locked = ReviewCategory.objects.select_for_update().get(pk=category.pk)
        before_members = sorted(
            str(u)
            for u in CategoryReviewer.objects.filter(category=locked).values_list(
                "membership__uuid", flat=True
            )
        )
        before_groups = sorted(
            str(u)
            for u in CategoryReviewerGroup.objects.filter(category=locked).values_list(
                "group__uuid", flat=True
            )
        )
        CategoryReviewer.objects.filter(category=locked).delete()
        CategoryReviewerGroup.objects.filter(category=locked).delete()
        CategoryReviewer.objects.bulk_create(
            [
                CategoryReviewer(tenant_id=locked.tenant_id, category=locked, membership=m)
                for m in people
            ]
        )
        CategoryReviewerGroup.objects.bulk_create(
            [
                CategoryReviewerGroup(tenant_id=locked.tenant_id, category=locked, group=g)
                for g in teams
            ]
        )
        audit_record(
            actor=actor,
            verb="review_category.pool_set",
            target=locked,
            members_before=before_members,
            groups_before=before_groups,
            members=sorted(str(m.uuid) for m in people),
            groups=sorted(str(g.uuid) for g in teams),
        )
    return locked


def category_configure(
    *,
    actor: Membership,
    category: ReviewCategory,
    approval_required: bool | None = None,
    approvals_needed: int | None = None,
    review_after_publication: bool | None = None,
    members: Iterable[Membership] | None = None,
    groups: Iterable[Group] | None = None,
) -> ReviewCategory:
    """Change a category's policy and/or its pool in one transaction (all or nothing).

    The pool is replaced when `members` or `groups` is given (the other keeps its value).
    """
    require_capability(actor, POOL_CAPABILITY)
    with transaction.atomic():
        changed: Any = category
        policy = (approval_required, approvals_needed, review_after_publication)
        if any(value is not None for value in policy):
            changed = services.category_update(
                actor=actor,
                category=category,
                approval_required=approval_required,
                approvals_needed=approvals_needed,
                review_after_publication=review_after_publication,
            )
        if members is not None or groups is not None:
            if members is None:
                members = list(category.reviewer_members.all())
            if groups is None:
                groups = list(category.reviewer_groups.all())
            changed = category_pool_set(
                actor=actor, category=changed, members=members, groups=groups
            )
    return changed
