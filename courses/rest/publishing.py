"""The publishing API: a course's releases, publishing (a job), rollback.

GET/POST /api/v1/courses/<course_uuid>/releases/ (COURSE_SUBMIT: authors of the course and
reviewers; learners 403; a course one may not edit, another tenant's included, 404). POST
starts the `courses.publish` job and answers 202 with it; follow it at /api/v1/jobs/<uuid>/.
POST /api/v1/releases/<release_uuid>/rollback/ (COURSE_REVIEW) makes that release live again.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from courses import publishing
from courses.models import Release
from egl_platform.errors import NotFound
from egl_platform.rest.errors import error_responses
from egl_platform.rest.jobs_serializers import JobSerializer
from egl_platform.rest.permissions import request_membership
from tenants.models import Membership
from tenants.permissions import Capability
from tenants.rest.serializers import MemberRefSerializer


class ReleaseSerializer(serializers.ModelSerializer):
    published_by = MemberRefSerializer(read_only=True, allow_null=True)
    revision_number = serializers.IntegerField(source="revision.number", read_only=True)
    is_live = serializers.SerializerMethodField(help_text="The release learners get now.")

    class Meta:
        model = Release
        fields = (
            "uuid",
            "number",
            "revision_number",
            "notes",
            "published_by",
            "published_at",
            "is_live",
        )
        read_only_fields = fields

    def get_is_live(self, release: Release) -> bool:
        return bool(release.pk == self.context.get("live_release_id"))


class PublishInputSerializer(serializers.Serializer):
    notes = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=publishing.NOTES_MAX,
        trim_whitespace=True,
        help_text="Release notes (plain text).",
    )


class ReleaseCursorPagination(CursorPagination):
    ordering = ("-number", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200


def _actor(request: Request) -> Membership:
    actor = request_membership(request)
    if actor is None:  # HasCapability admitted an active membership; defence in depth
        raise NotFound()
    return actor


class CourseReleasesView(APIView):
    """GET: a course's releases, newest first. POST: publish the next release (a job)."""

    capability = Capability.COURSE_SUBMIT
    pagination_class = ReleaseCursorPagination

    @extend_schema(
        summary="A course's releases, newest first (is_live marks the one learners get)",
        responses={200: ReleaseSerializer(many=True), **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, course_uuid: str) -> Response:
        view = publishing.releases_of_course(actor=_actor(request), course_uuid=course_uuid)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            publishing.releases_queryset(view.course), request, view=self
        )
        context: dict[str, Any] = {"request": request, "live_release_id": view.live_release_id}
        data = ReleaseSerializer(page, many=True, context=context).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        summary="Publish the course as its next release: starts a job (202)",
        request=PublishInputSerializer,
        responses={202: JobSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, course_uuid: str) -> Response:
        actor = _actor(request)
        course = publishing.course_for_publishing(actor=actor, course_uuid=course_uuid)
        form = PublishInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        job = publishing.release_publish(
            actor=actor, course=course, notes=form.validated_data.get("notes", "")
        )
        data = JobSerializer(job, context={"request": request}).data
        return Response(data, status=status.HTTP_202_ACCEPTED)


class ReleaseRollbackView(APIView):
    """POST: make this (earlier) release live again."""

    capability = Capability.COURSE_REVIEW

    @extend_schema(
        summary="Roll back: make this earlier release live again (reviewers)",
        request=None,
        responses={200: ReleaseSerializer, **error_responses(401, 403, 404, 409)},
    )
    def post(self, request: Request, release_uuid: str) -> Response:
        actor = _actor(request)
        release = publishing.release_for_actor(actor=actor, release_uuid=release_uuid)
        entry = publishing.release_rollback(actor=actor, release=release)
        fresh = publishing.releases_queryset(release.course).get(pk=release.pk)
        context = {"request": request, "live_release_id": entry.live_release_id}
        return Response(ReleaseSerializer(fresh, context=context).data)
