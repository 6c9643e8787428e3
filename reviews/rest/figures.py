"""GET /api/v1/review-figures/: the review process's headline figures (reviewers only)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from egl_platform.errors import NotFound
from egl_platform.rest.errors import error_responses
from egl_platform.rest.permissions import request_membership
from reviews.figures import review_figures
from reviews.models import ReviewCategory
from tenants.permissions import Capability


class FiguresFilterSerializer(serializers.Serializer):
    since = serializers.DateTimeField(required=False, help_text="Inclusive start (ISO 8601).")
    until = serializers.DateTimeField(required=False, help_text="Exclusive end (ISO 8601).")
    category = serializers.SlugField(required=False, max_length=100, help_text="A category slug.")

    def validate_category(self, value: str) -> str:
        if not ReviewCategory.objects.filter(slug=value).exists():
            raise serializers.ValidationError(_("Unknown category."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        since, until = attrs.get("since"), attrs.get("until")
        if since and until and until <= since:
            raise serializers.ValidationError({"until": [_("Must be after “since”.")]})
        return attrs


class CountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    open = serializers.IntegerField()
    approved = serializers.IntegerField()
    changes_requested = serializers.IntegerField()
    rejected = serializers.IntegerField()
    withdrawn = serializers.IntegerField()


class DurationFigureSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="How many were measured.")
    median_seconds = serializers.FloatField(allow_null=True)
    average_seconds = serializers.FloatField(allow_null=True)


class NumberFigureSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="How many were measured.")
    median = serializers.FloatField(allow_null=True)
    average = serializers.FloatField(allow_null=True)


class ReviewFiguresSerializer(serializers.Serializer):
    counts = CountsSerializer(help_text="Rounds submitted in the period, by status.")
    time_to_first_response = DurationFigureSerializer(
        help_text="Submission to the first comment or decision by a non-author, per round."
    )
    cycle_time = DurationFigureSerializer(
        help_text="First submission to approval, per approval given in the period."
    )
    rounds_to_approval = NumberFigureSerializer(help_text="Rounds per approval.")


class ReviewFiguresView(APIView):
    """The review figures of the tenant, optionally for a period and a category."""

    capability = Capability.COURSE_REVIEW

    @extend_schema(
        summary="Review figures: time to first response, cycle time, rounds, counts",
        parameters=[
            OpenApiParameter(
                "since", OpenApiTypes.DATETIME, description="Inclusive start (ISO 8601)."
            ),
            OpenApiParameter(
                "until", OpenApiTypes.DATETIME, description="Exclusive end (ISO 8601)."
            ),
            OpenApiParameter("category", str, description="A category slug."),
        ],
        responses={200: ReviewFiguresSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        actor = request_membership(request)
        if actor is None:  # HasCapability admitted an active membership; defence in depth
            raise NotFound(_("Not found."))
        form = FiguresFilterSerializer(data=request.query_params)
        form.is_valid(raise_exception=True)
        figures = review_figures(actor=actor, **form.validated_data)
        return Response(ReviewFiguresSerializer(figures).data)
