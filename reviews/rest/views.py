"""The review API: thin views over reviews.selectors and reviews.services.

Listing and reading reviews needs COURSE_SUBMIT (learners: 403); decisions need
COURSE_REVIEW; a review the member may not see — another tenant's included — is 404.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from authoring.access import parse_uuid
from authoring.models import Course
from egl_platform.errors import Invalid, NotFound
from egl_platform.rest.errors import error_responses
from egl_platform.rest.permissions import request_membership
from egl_platform.rest.viewsets import TenantViewSet
from reviews import selectors, services
from reviews.models import Decision, ReviewCategory, ReviewRequest, ReviewStatus
from reviews.pools import POOL_CAPABILITY, categories_with_pools
from reviews.rest import pools as rest_pools
from reviews.rest import serializers as s
from tenants.models import Membership
from tenants.permissions import Capability

_READ_ERRORS = error_responses(401, 403, 404)
_DECISION_ERRORS = error_responses(400, 401, 403, 404, 409)


class ReviewCursorPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200


def _with_details(reviews: QuerySet[ReviewRequest]) -> QuerySet[ReviewRequest]:
    return reviews.prefetch_related(
        Prefetch("reviewers", queryset=Membership.objects.select_related("user")),
        Prefetch(
            "decisions",
            queryset=Decision.objects.select_related("reviewer__user", "revision"),
        ),
    )


@extend_schema_view(
    list=extend_schema(
        summary="Reviews (reviewers: all; authors: their courses')",
        parameters=[
            OpenApiParameter("status", str, enum=ReviewStatus.values),
            OpenApiParameter("category", str, description="A category slug."),
        ],
        responses={200: s.ReviewSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="One review", responses={200: s.ReviewSerializer, **_READ_ERRORS}
    ),
)
class ReviewViewSet(TenantViewSet):
    model = ReviewRequest
    serializer_class = s.ReviewSerializer
    lookup_url_kwarg = "review_uuid"
    pagination_class = ReviewCursorPagination
    http_method_names = ["get", "post", "head", "options"]
    capabilities = {
        "approve": Capability.COURSE_REVIEW,
        "request_changes": Capability.COURSE_REVIEW,
        "reject": Capability.COURSE_REVIEW,
        "*": Capability.COURSE_SUBMIT,
    }

    def scoped_queryset(self, actor: Membership) -> QuerySet[ReviewRequest]:
        if self.action == "list":
            form = s.ReviewFilterSerializer(data=self.request.query_params)
            form.is_valid(raise_exception=True)
            return _with_details(selectors.reviews_for_actor(actor=actor, **form.validated_data))
        return _with_details(selectors.reviews_for_actor(actor=actor))

    def _review(self) -> ReviewRequest:
        return selectors.review_for_actor(actor=self.actor, review_uuid=self.kwargs["review_uuid"])

    def _present(self, review: ReviewRequest) -> Response:
        fresh = self.get_queryset().get(pk=review.pk)
        return Response(self.get_serializer(fresh).data)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, review_uuid: str) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    def _decision_input(self, request: Request) -> dict[str, Any]:
        form = s.DecisionInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return dict(form.validated_data)

    @extend_schema(
        summary="Approve the pinned revision (optional note)",
        request=s.DecisionInputSerializer,
        responses={200: s.ReviewSerializer, **_DECISION_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="approve")
    def approve(self, request: Request, review_uuid: str) -> Response:
        review = self._review()
        data = self._decision_input(request)
        services.review_approve(
            actor=self.actor,
            review=review,
            revision_number=data["revision_number"],
            note=data.get("note", ""),
        )
        return self._present(review)

    @extend_schema(
        summary="Request changes (a note is required)",
        request=s.DecisionInputSerializer,
        responses={200: s.ReviewSerializer, **_DECISION_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request: Request, review_uuid: str) -> Response:
        review = self._review()
        data = self._decision_input(request)
        services.review_request_changes(
            actor=self.actor,
            review=review,
            revision_number=data["revision_number"],
            note=data.get("note", ""),
        )
        return self._present(review)

    @extend_schema(
        summary="Reject (a reason is required); the course returns to draft",
        request=s.RejectInputSerializer,
        responses={200: s.ReviewSerializer, **_DECISION_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="reject")
    def reject(self, request: Request, review_uuid: str) -> Response:
        review = self._review()
        form = s.RejectInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.review_reject(
            actor=self.actor,
            review=review,
            revision_number=form.validated_data["revision_number"],
            reason=form.validated_data["reason"],
        )
        return self._present(review)

    @extend_schema(
        summary="Withdraw the course from review (its authors)",
        request=None,
        responses={200: s.ReviewSerializer, **_DECISION_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="withdraw")
    def withdraw(self, request: Request, review_uuid: str) -> Response:
        review = self._review()
        services.review_withdraw(actor=self.actor, review=review)
        return self._present(review)


class ReviewSubmissionView(APIView):
    """POST /api/v1/review-submissions/: submit a course for review."""

    capability = Capability.COURSE_SUBMIT

    @extend_schema(
        summary="Submit a course for review (pins a new revision, opens a round)",
        request=s.ReviewSubmitSerializer,
        responses={201: s.ReviewSerializer, **_DECISION_ERRORS},
    )
    def post(self, request: Request) -> Response:
        actor = request_membership(request)
        if actor is None:  # HasCapability admitted an active membership; defence in depth
            raise NotFound(_("Not found."))
        form = s.ReviewSubmitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        course = Course.objects.filter(uuid=form.validated_data["course"]).first()
        if course is None:
            raise NotFound(_("Not found."))
        keys = [parse_uuid(key) for key in form.validated_data.get("reviewers", [])]
        reviewers = list(Membership.objects.filter(uuid__in=keys))
        if len({m.uuid for m in reviewers}) != len(set(keys)):
            raise Invalid(
                _("Some reviewers do not exist."),
                fields={"reviewers": [_("Choose members of this organisation.")]},
            )
        review = services.review_submit(
            actor=actor,
            course=course,
            message=form.validated_data.get("message", ""),
            reviewers=reviewers,
        )
        fresh = _with_details(selectors.reviews_for_actor(actor=actor)).get(pk=review.pk)
        return Response(s.ReviewSerializer(fresh).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Review categories: approval policy and reviewer pool",
        responses={
            200: rest_pools.ReviewCategoryPoolSerializer(many=True),
            **error_responses(401, 403),
        },
    ),
    partial_update=extend_schema(
        summary="Change a category's approval policy and/or reviewer pool (admins)",
        request=rest_pools.ReviewCategoryChangeSerializer,
        responses={
            200: rest_pools.ReviewCategoryPoolSerializer,
            **error_responses(400, 401, 403, 404),
        },
    ),
)
class ReviewCategoryViewSet(TenantViewSet):
    model = ReviewCategory
    serializer_class = rest_pools.ReviewCategoryPoolSerializer
    lookup_url_kwarg = "review_category_uuid"
    pagination_class = None
    http_method_names = ["get", "patch", "head", "options"]
    capabilities = {"partial_update": POOL_CAPABILITY, "*": Capability.COURSE_CREATE}

    def scoped_queryset(self, actor: Membership) -> QuerySet[ReviewCategory]:
        return categories_with_pools()

    def list(self, request: Request) -> Response:
        return Response(self.get_serializer(self.get_queryset(), many=True).data)

    def partial_update(self, request: Request, review_category_uuid: str) -> Response:
        category = cast(ReviewCategory, self.get_object())
        form = rest_pools.ReviewCategoryChangeSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        updated = rest_pools.category_change(
            actor=self.actor, category=category, data=dict(form.validated_data)
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=updated.pk)).data)
