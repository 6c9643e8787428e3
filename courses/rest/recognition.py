"""The recognition API: a learner's rating of a course, thanks, and the authors' impact.

GET/PUT /api/v1/courses/<course_uuid>/rating/ (COURSE_TAKE): the actor's own rating (stars
null when not rated yet) and whether they may rate; PUT sets it (403 when not enrolled or
not started, 400 for stars outside 1–5 or feedback too long). A course not in the catalog,
another tenant's included, is 404.
GET /api/v1/courses/<course_uuid>/impact/ (RESULTS_OWN): figures of a course the actor may
edit (404 otherwise); GET /api/v1/courses/<course_uuid>/ratings/ its ratings and feedback
(cursor pagination); GET /api/v1/impact/ across the actor's own courses.
POST /api/v1/ratings/<rating_uuid>/thank/ (COURSE_CREATE): thank once (409 the second time).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from courses import catalog, recognition
from courses.models import Rating
from egl_platform.errors import NotFound
from egl_platform.rest.errors import error_responses
from egl_platform.rest.permissions import request_membership
from tenants.models import Membership
from tenants.permissions import Capability
from tenants.rest.serializers import MemberRefSerializer


def _actor(request: Request) -> Membership:
    actor = request_membership(request)
    if actor is None:  # HasCapability admitted an active membership; defence in depth
        raise NotFound()
    return actor


# --- serializers --------------------------------------------------------------------------------


class MyRatingSerializer(serializers.Serializer[Any]):
    course = serializers.UUIDField(help_text="The course's uuid.")
    stars = serializers.IntegerField(allow_null=True, help_text="1–5; null when not rated yet.")
    feedback = serializers.CharField(allow_blank=True)
    can_rate = serializers.BooleanField()
    refusal = serializers.CharField(allow_blank=True, help_text="Why the actor may not rate.")
    created_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    thanked_at = serializers.DateTimeField(allow_null=True)
    thanks_message = serializers.CharField(allow_blank=True)


def _my_rating(state: recognition.RatingState) -> dict[str, Any]:
    rating = state.rating
    return {
        "course": state.course.uuid,
        "stars": rating.stars if rating else None,
        "feedback": rating.feedback if rating else "",
        "can_rate": state.can_rate,
        "refusal": state.refusal,
        "created_at": rating.created_at if rating else None,
        "updated_at": rating.updated_at if rating else None,
        "thanked_at": rating.thanked_at if rating else None,
        "thanks_message": rating.thanks_message if rating else "",
    }


class RatingInputSerializer(serializers.Serializer[Any]):
    # Checked by the service, so the API and the pages answer with the same messages.
    stars = serializers.JSONField(help_text="An integer from 1 to 5.")
    feedback = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        default="",
        help_text=f"Plain text, at most {recognition.FEEDBACK_MAX} characters.",
    )


class RatingSerializer(serializers.ModelSerializer[Rating]):
    learner = MemberRefSerializer(read_only=True)
    thanked_by = MemberRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Rating
        fields = (
            "uuid",
            "learner",
            "stars",
            "feedback",
            "created_at",
            "updated_at",
            "thanked_at",
            "thanked_by",
            "thanks_message",
        )
        read_only_fields = fields


class ThankInputSerializer(serializers.Serializer[Any]):
    message = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        default="",
        help_text=f"An optional note, plain text, at most {recognition.THANKS_MAX} characters.",
    )


class StarCountSerializer(serializers.Serializer[Any]):
    stars = serializers.IntegerField()
    count = serializers.IntegerField()
    percent = serializers.IntegerField()


class CourseImpactSerializer(serializers.Serializer[Any]):
    course = serializers.UUIDField()
    title = serializers.CharField()
    learners = serializers.IntegerField(help_text="Learners reached: enrolments.")
    started = serializers.IntegerField()
    completed = serializers.IntegerField()
    completion_rate = serializers.IntegerField(
        allow_null=True, help_text="Percent of learners reached who completed."
    )
    rating_average = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    rating_count = serializers.IntegerField()
    feedback_count = serializers.IntegerField()
    unthanked = serializers.IntegerField(help_text="Ratings nobody has thanked yet.")
    distribution = StarCountSerializer(many=True)


class ImpactRowSerializer(serializers.Serializer[Any]):
    course = serializers.UUIDField()
    title = serializers.CharField()
    learners = serializers.IntegerField()
    started = serializers.IntegerField()
    completed = serializers.IntegerField()
    completion_rate = serializers.IntegerField(allow_null=True)
    rating_average = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    rating_count = serializers.IntegerField()
    feedback_count = serializers.IntegerField()
    unthanked = serializers.IntegerField()


class MyImpactSerializer(serializers.Serializer[Any]):
    learners = serializers.IntegerField()
    started = serializers.IntegerField()
    completed = serializers.IntegerField()
    completion_rate = serializers.IntegerField(allow_null=True)
    rating_average = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    rating_count = serializers.IntegerField()
    unthanked = serializers.IntegerField()
    courses = ImpactRowSerializer(many=True)


def _row(row: recognition.ImpactRow) -> dict[str, Any]:
    return {
        "course": row.course.uuid,
        "title": row.course.title,
        "learners": row.learners,
        "started": row.started,
        "completed": row.completed,
        "completion_rate": row.completion_rate,
        "rating_average": row.rating_average,
        "rating_count": row.rating_count,
        "feedback_count": row.feedback_count,
        "unthanked": row.unthanked,
    }


# --- views --------------------------------------------------------------------------------------


class CourseRatingView(APIView):
    """GET: the actor's rating of the course. PUT: rate it (or change the rating)."""

    capability = Capability.COURSE_TAKE

    @extend_schema(
        summary="Your rating of a course (stars null when not rated yet)",
        responses={200: MyRatingSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, course_uuid: str) -> Response:
        actor = _actor(request)
        entry = catalog.catalog_entry_for(actor=actor, course_uuid=course_uuid)
        state = recognition.rating_state(actor=actor, course=entry.course)
        return Response(MyRatingSerializer(_my_rating(state)).data)

    @extend_schema(
        summary="Rate a course 1–5 with optional feedback (enrolled learners who started it)",
        request=RatingInputSerializer,
        responses={200: MyRatingSerializer, **error_responses(400, 401, 403, 404)},
    )
    def put(self, request: Request, course_uuid: str) -> Response:
        actor = _actor(request)
        entry = catalog.catalog_entry_for(actor=actor, course_uuid=course_uuid)
        form = RatingInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        recognition.rating_set(
            actor=actor,
            course=entry.course,
            stars=form.validated_data["stars"],
            feedback=form.validated_data.get("feedback", ""),
        )
        state = recognition.rating_state(actor=actor, course=entry.course)
        return Response(MyRatingSerializer(_my_rating(state)).data)


class RatingThankView(APIView):
    """POST: thank the learner for their rating, once."""

    capability = Capability.COURSE_CREATE

    @extend_schema(
        summary="Thank a learner for their rating (authors and reviewers of the course; once)",
        request=ThankInputSerializer,
        responses={200: RatingSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, rating_uuid: str) -> Response:
        actor = _actor(request)
        rating = recognition.rating_for_thanks(actor=actor, rating_uuid=rating_uuid)
        form = ThankInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        thanked = recognition.rating_thank(
            actor=actor, rating=rating, message=form.validated_data.get("message", "")
        )
        fresh = Rating.objects.select_related("learner__user", "thanked_by__user").get(
            pk=thanked.pk
        )
        return Response(RatingSerializer(fresh, context={"request": request}).data)


class CourseImpactView(APIView):
    """GET: learners reached, completions and ratings of one course."""

    capability = Capability.RESULTS_OWN

    @extend_schema(
        summary="A course's impact: learners reached, completions, ratings (its authors)",
        responses={200: CourseImpactSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, course_uuid: str) -> Response:
        actor = _actor(request)
        course = recognition.course_for_impact(actor=actor, course_uuid=course_uuid)
        figures = recognition.course_impact(actor=actor, course=course)
        data = {
            "course": course.uuid,
            "title": course.title,
            "learners": figures.learners,
            "started": figures.started,
            "completed": figures.completed,
            "completion_rate": figures.completion_rate,
            "rating_average": figures.rating_average,
            "rating_count": figures.rating_count,
            "feedback_count": figures.feedback_count,
            "unthanked": figures.unthanked,
            "distribution": [
                {"stars": star, "count": count, "percent": percent}
                for star, count, percent in figures.distribution
            ],
        }
        return Response(CourseImpactSerializer(data).data)


class RatingCursorPagination(CursorPagination):
    ordering = ("-updated_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200


class CourseRatingsView(APIView):
    """GET: a course's ratings and feedback, newest first."""

    capability = Capability.RESULTS_OWN
    pagination_class = RatingCursorPagination

    @extend_schema(
        summary="A course's ratings and feedback, newest first (its authors)",
        responses={200: RatingSerializer(many=True), **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, course_uuid: str) -> Response:
        actor = _actor(request)
        course = recognition.course_for_impact(actor=actor, course_uuid=course_uuid)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            recognition.course_feedback(actor=actor, course=course), request, view=self
        )
        data = RatingSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class MyImpactView(APIView):
    """GET: the actor's own courses with their figures, and the totals."""

    capability = Capability.RESULTS_OWN

    @extend_schema(
        summary="Your impact across the courses you own or co-author",
        responses={200: MyImpactSerializer, **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        overview = recognition.my_impact(actor=_actor(request))
        data = {
            "learners": overview.learners,
            "started": overview.started,
            "completed": overview.completed,
            "completion_rate": overview.completion_rate,
            "rating_average": overview.rating_average,
            "rating_count": overview.rating_count,
            "unthanked": overview.unthanked,
            "courses": [_row(row) for row in overview.rows],
        }
        return Response(MyImpactSerializer(data).data)
