"""Review categories' pools in the API: the shapes, and turning uuids into members and groups.

GET /api/v1/review-categories/ shows each category's policy and pool; PATCH
/api/v1/review-categories/<uuid>/ changes the policy and/or the pool (reviews.pools).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from egl_platform.errors import Invalid
from reviews import pools
from reviews.models import ReviewCategory
from reviews.rest.serializers import ReviewCategorySerializer
from tenants.models import Group, Membership
from tenants.rest.serializers import GroupRefSerializer, MemberRefSerializer


class ReviewCategoryPoolSerializer(ReviewCategorySerializer):
    reviewers = MemberRefSerializer(
        source="reviewer_members",
        many=True,
        read_only=True,
        help_text="People in the pool. An empty pool (no people, no groups): any reviewer.",
    )
    reviewer_groups = GroupRefSerializer(
        many=True, read_only=True, help_text="Groups whose members are in the pool."
    )

    class Meta:
        model = ReviewCategory
        fields = (
            "uuid",
            "slug",
            "name",
            "approval_required",
            "approvals_needed",
            "review_after_publication",
            "reviewers",
            "reviewer_groups",
        )
        read_only_fields = fields


class ReviewCategoryChangeSerializer(serializers.Serializer):
    approval_required = serializers.BooleanField(required=False)
    approvals_needed = serializers.ChoiceField(choices=[1, 2], required=False)
    review_after_publication = serializers.BooleanField(
        required=False,
        help_text=(
            "Where approval is not required: L&D still reviews a course after its author "
            "published it (the course stays published)."
        ),
    )
    reviewers = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        max_length=pools.POOL_MAX,
        help_text="Member uuids; replaces the pool's people. Reviewers of this organisation.",
    )
    reviewer_groups = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        max_length=pools.POOL_MAX,
        help_text="Group uuids; replaces the pool's groups.",
    )


def _lookup(model: Any, keys: list[Any], field: str) -> list[Any]:
    wanted = set(keys)
    found = list(model.objects.filter(uuid__in=wanted))
    if len(found) != len(wanted):
        raise Invalid(
            _("Some of these do not exist in this organisation."),
            fields={field: [_("Choose from this organisation.")]},
        )
    return found


def category_change(
    *, actor: Membership, category: ReviewCategory, data: dict[str, Any]
) -> ReviewCategory:
    """Apply a validated ReviewCategoryChangeSerializer: unknown uuids are Invalid (400)."""
    members = groups = None
    if "reviewers" in data:
        members = _lookup(Membership, data["reviewers"], "reviewers")
    if "reviewer_groups" in data:
        groups = _lookup(Group, data["reviewer_groups"], "reviewer_groups")
    try:
        return pools.category_configure(
            actor=actor,
            category=category,
            approval_required=data.get("approval_required"),
            approvals_needed=data.get("approvals_needed"),
            review_after_publication=data.get("review_after_publication"),
            members=members,
            groups=groups,
        )
    except Invalid as error:  # the service names its fields after its arguments
        renamed = {"members": "reviewers", "groups": "reviewer_groups"}
        error.fields = {renamed.get(k, k): v for k, v in error.fields.items()}
        raise
