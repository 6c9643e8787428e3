"""The enrolment API: one's own enrolments (POST self-enrols), and assignments by reviewers
and admins (POST assigns a course to people and/or groups with an optional due date)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from authoring.models import Course
from courses import enrolments
from courses.models import Assignment, Enrollment
from egl_platform.errors import Invalid, NotFound
from egl_platform.rest.errors import error_responses
from egl_platform.rest.viewsets import TenantViewSet
from tenants.models import Group, Membership
from tenants.permissions import Capability

# --- serializers --------------------------------------------------------------------------------


class EnrollmentSerializer(serializers.ModelSerializer[Enrollment]):
    course = serializers.UUIDField(source="course.uuid", read_only=True)
    release = serializers.IntegerField(source="release.number", read_only=True)
    assignment = serializers.UUIDField(source="assignment.uuid", read_only=True, allow_null=True)

    class Meta:
        model = Enrollment
        fields = [
            "uuid",
            "course",
            "release",
            "source",
            "assignment",
            "status",
            "due_at",
            "progress_percent",
            "enrolled_at",
            "started_at",
            "completed_at",
        ]
        read_only_fields = fields


class EnrolInputSerializer(serializers.Serializer[Any]):
    course = serializers.UUIDField()


class AssignmentSerializer(serializers.ModelSerializer[Assignment]):
    course = serializers.UUIDField(source="course.uuid", read_only=True)
    member = serializers.UUIDField(source="membership.uuid", read_only=True, allow_null=True)
    group = serializers.UUIDField(source="group.uuid", read_only=True, allow_null=True)
    assigned_by = serializers.UUIDField(source="assigned_by.uuid", read_only=True, allow_null=True)

    class Meta:
        model = Assignment
        fields = ["uuid", "course", "member", "group", "due_at", "assigned_by", "created_at"]
        read_only_fields = fields


class AssignInputSerializer(serializers.Serializer[Any]):
    course = serializers.UUIDField()
    members = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)
    groups = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class AssignResultSerializer(serializers.Serializer[Any]):
    assignments = AssignmentSerializer(many=True)
    enrolled = serializers.IntegerField(help_text="New enrolments.")
    updated = serializers.IntegerField(help_text="Existing enrolments now assigned.")


class EnrolledCursorPagination(CursorPagination):
    ordering = ("-enrolled_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200


class AssignmentCursorPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200


def _course(course_uuid: Any) -> Course:
    course = Course.objects.filter(uuid=course_uuid).first()
    if course is None:
        raise NotFound(_("Not found."))
    return course


# --- enrolments ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="My enrolments",
        responses={200: EnrollmentSerializer(many=True), **error_responses(401, 403)},
    ),
    create=extend_schema(
        summary="Enrol myself in a course (idempotent: 200 with the existing enrolment)",
        request=EnrolInputSerializer,
        responses={
            201: EnrollmentSerializer,
            200: EnrollmentSerializer,
            **error_responses(400, 401, 403, 404),
        },
    ),
)
class EnrolmentViewSet(TenantViewSet):
    model = Enrollment
    serializer_class = EnrollmentSerializer
    lookup_url_kwarg = "enrollment_uuid"
    pagination_class = EnrolledCursorPagination
    http_method_names = ["get", "post", "head", "options"]
    capabilities = {"*": Capability.COURSE_TAKE}

    def scoped_queryset(self, actor: Membership) -> QuerySet[Enrollment]:
        return Enrollment.objects.filter(learner=actor).select_related(
            "course", "release", "assignment"
        )

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def create(self, request: Request) -> Response:
        form = EnrolInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        course = _course(form.validated_data["course"])
        existed = Enrollment.objects.filter(course=course, learner=self.actor).exists()
        enrollment = enrolments.enrol_self(actor=self.actor, course=course)
        fresh = self.get_queryset().get(pk=enrollment.pk)
        return Response(
            self.get_serializer(fresh).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


# --- assignments --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Assignments (reviewers and admins)",
        responses={200: AssignmentSerializer(many=True), **error_responses(401, 403)},
    ),
    create=extend_schema(
        summary="Assign a course to people and/or groups, with an optional due date",
        request=AssignInputSerializer,
        responses={201: AssignResultSerializer, **error_responses(400, 401, 403, 404)},
    ),
)
class AssignmentViewSet(TenantViewSet):
    model = Assignment
    serializer_class = AssignmentSerializer
    lookup_url_kwarg = "assignment_uuid"
    pagination_class = AssignmentCursorPagination
    http_method_names = ["get", "post", "head", "options"]
    capabilities = {"*": Capability.COURSE_REVIEW}

    def scoped_queryset(self, actor: Membership) -> QuerySet[Assignment]:
        return enrolments.assignments_for_course(actor=actor)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def create(self, request: Request) -> Response:
        enrolments.require_assigner(self.actor)
        form = AssignInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        course = _course(data["course"])
        member_keys, group_keys = set(data["members"]), set(data["groups"])
        members = list(
            Membership.objects.filter(uuid__in=member_keys, is_guest=False).select_related("user")
        )
        groups = list(Group.objects.filter(uuid__in=group_keys))
        fields: dict[str, list[str]] = {}
        if len(members) != len(member_keys):
            fields["members"] = [_("Choose members of this organisation.")]
        if len(groups) != len(group_keys):
            fields["groups"] = [_("Choose groups of this organisation.")]
        if fields:
            raise Invalid(_("The assignment was not made."), fields=fields)
        result = enrolments.assign(
            actor=self.actor,
            course=course,
            members=members,
            groups=groups,
            due_at=data["due_at"],
        )
        payload = {
            "assignments": AssignmentSerializer(result.assignments, many=True).data,
            "enrolled": result.enrolled,
            "updated": result.updated,
        }
        return Response(payload, status=status.HTTP_201_CREATED)
