"""Shapes of the review API: explicit fields, input and output apart."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from authoring.models import CourseStatus
from reviews.models import Decision, DecisionKind, ReviewCategory, ReviewRequest, ReviewStatus
from tenants.rest.serializers import MemberRefSerializer


@extend_schema_field({"type": "string", "enum": ReviewStatus.values})
class ReviewStatusField(serializers.CharField):
    """A review's status, inlined in the schema: "status" names several enums already."""


@extend_schema_field({"type": "string", "enum": CourseStatus.values})
class CourseStatusField(serializers.CharField):
    """The course's lifecycle status, inlined in the schema (see ReviewStatusField)."""


class ReviewCourseSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(read_only=True)
    title = serializers.CharField(read_only=True)
    category = serializers.CharField(read_only=True)
    status = CourseStatusField(read_only=True)


class DecisionSerializer(serializers.ModelSerializer):
    reviewer = MemberRefSerializer(read_only=True)
    kind = serializers.ChoiceField(choices=DecisionKind.choices, read_only=True)
    revision_number = serializers.IntegerField(source="revision.number", read_only=True)

    class Meta:
        model = Decision
        fields = ("reviewer", "kind", "note", "revision_number", "created_at")
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer):
    course = ReviewCourseSerializer(read_only=True)
    status = ReviewStatusField(read_only=True)
    revision_number = serializers.IntegerField(
        source="revision.number", read_only=True, help_text="The pinned revision under review."
    )
    reviewers = MemberRefSerializer(many=True, read_only=True)
    created_by = MemberRefSerializer(read_only=True, allow_null=True)
    approval_count = serializers.IntegerField(read_only=True)
    decisions = DecisionSerializer(many=True, read_only=True)

    class Meta:
        model = ReviewRequest
        fields = (
            "uuid",
            "course",
            "round",
            "revision_number",
            "status",
            "message",
            "reviewers",
            "created_by",
            "created_at",
            "closed_at",
            "approval_count",
            "decisions",
        )
        read_only_fields = fields


class ReviewFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ReviewStatus.choices, required=False)
    category = serializers.SlugField(required=False, max_length=100)


class ReviewSubmitSerializer(serializers.Serializer):
    course = serializers.UUIDField(help_text="The course's uuid.")
    message = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    reviewers = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        max_length=20,
        help_text="Member uuids; empty: the L&D queue.",
    )


class DecisionInputSerializer(serializers.Serializer):
    revision_number = serializers.IntegerField(
        min_value=1, help_text="The pinned revision the decision is about."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class RejectInputSerializer(serializers.Serializer):
    revision_number = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(allow_blank=True, max_length=5000)


class ReviewCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewCategory
        fields = ("uuid", "slug", "name", "approval_required", "approvals_needed")
        read_only_fields = fields


class ReviewCategoryUpdateSerializer(serializers.Serializer):
    approval_required = serializers.BooleanField(required=False)
    approvals_needed = serializers.ChoiceField(choices=[1, 2], required=False)
