"""The notification API: one's own inbox and e-mail preference.

Every member has an inbox (PROFILE_OWN). Only the recipient sees a notification: another
member's — another tenant's included — is 404, like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from egl_platform.errors import NotFound
from egl_platform.rest.errors import error_responses
from egl_platform.rest.permissions import request_membership
from egl_platform.rest.viewsets import TenantViewSet
from reviews import notifications as svc
from reviews.models import EmailFrequency, Notification, NotificationKind
from tenants.models import Membership
from tenants.permissions import Capability

_READ_ERRORS = error_responses(401, 403, 404)
_NOTIFICATION_UUID = OpenApiParameter("notification_uuid", OpenApiTypes.UUID, OpenApiParameter.PATH)


# --- shapes -------------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "enum": NotificationKind.values})
class NotificationKindField(serializers.CharField):
    """What the notification is about, inlined in the schema."""


@extend_schema_field({"type": "string", "enum": EmailFrequency.values})
class EmailFrequencyField(serializers.CharField):
    """immediately, daily (one digest a day) or off; inlined in the schema."""


class NotificationSerializer(serializers.ModelSerializer):
    kind = NotificationKindField(read_only=True)
    summary = serializers.SerializerMethodField(help_text="One translated line: what happened.")
    course = serializers.UUIDField(source="course.uuid", read_only=True, allow_null=True)
    review = serializers.UUIDField(source="review.uuid", read_only=True, allow_null=True)
    comment = serializers.UUIDField(source="comment.uuid", read_only=True, allow_null=True)
    data = serializers.DictField(  # type: ignore[assignment]  # the field, not Serializer.data
        read_only=True, help_text="Facts kept as they were: course_title, decision, excerpt, …"
    )
    url = serializers.CharField(read_only=True, help_text="Where to act on it, on this host.")
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = (
            "uuid",
            "kind",
            "summary",
            "actor_name",
            "course",
            "review",
            "comment",
            "data",
            "url",
            "created_at",
            "read_at",
            "unread",
        )
        read_only_fields = fields

    def get_summary(self, notification: Notification) -> str:
        return svc.notification_summary(notification)

    def get_unread(self, notification: Notification) -> bool:
        return notification.read_at is None


class NotificationFilterSerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, default=False)


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were marked read.")


class PreferenceSerializer(serializers.Serializer):
    email_frequency = EmailFrequencyField(
        help_text="immediately, daily (one digest a day) or off. The inbox always gets everything."
    )


class NotificationCursorPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200


# --- views --------------------------------------------------------------------------------------


class NotificationViewSet(TenantViewSet):
    model = Notification
    serializer_class = NotificationSerializer
    lookup_url_kwarg = "notification_uuid"
    pagination_class = NotificationCursorPagination
    http_method_names = ["get", "post", "head", "options"]
    capabilities = {"*": Capability.PROFILE_OWN}

    def scoped_queryset(self, actor: Membership) -> QuerySet[Notification]:
        unread = False
        if self.action == "list":
            form = NotificationFilterSerializer(data=self.request.query_params)
            form.is_valid(raise_exception=True)
            unread = bool(form.validated_data.get("unread"))
        return svc.notifications_for_actor(actor=actor, unread=unread).select_related(
            "course", "review", "comment"
        )

    @extend_schema(
        summary="My notifications, newest first",
        parameters=[OpenApiParameter("unread", bool, description="Only unread ones.")],
        responses={200: NotificationSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="How many of my notifications are unread",
        responses={200: UnreadCountSerializer, **error_responses(401, 403)},
    )
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request: Request) -> Response:
        return Response({"unread": svc.unread_count(self.actor)})

    @extend_schema(
        summary="Mark one of my notifications read",
        request=None,
        parameters=[_NOTIFICATION_UUID],
        responses={200: NotificationSerializer, **_READ_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="read")
    def read(self, request: Request, notification_uuid: str) -> Response:
        notification = svc.notification_for_actor(
            actor=self.actor, notification_uuid=notification_uuid
        )
        svc.notification_mark_read(actor=self.actor, notification=notification)
        fresh = self.get_queryset().get(pk=notification.pk)
        return Response(self.get_serializer(fresh).data)

    @extend_schema(
        summary="Mark all my notifications read",
        request=None,
        responses={200: MarkedSerializer, **error_responses(401, 403)},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"marked": svc.notifications_mark_all_read(actor=self.actor)})


class NotificationPreferenceView(APIView):
    """My e-mail preference for notifications."""

    capability = Capability.PROFILE_OWN

    def _actor(self, request: Request) -> Membership:
        actor = request_membership(request)
        if actor is None:
            raise NotFound(_("Not found."))
        return actor

    @extend_schema(
        summary="My e-mail preference for notifications",
        responses={200: PreferenceSerializer, **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        value = svc.notification_preference_get(actor=self._actor(request))
        return Response({"email_frequency": value})

    @extend_schema(
        summary="Change my e-mail preference (immediately, daily or off)",
        request=PreferenceSerializer,
        responses={200: PreferenceSerializer, **error_responses(400, 401, 403)},
    )
    def put(self, request: Request) -> Response:
        data: Any = request.data
        value = data.get("email_frequency") if hasattr(data, "get") else None
        saved = svc.notification_preference_set(actor=self._actor(request), email_frequency=value)
        return Response({"email_frequency": saved})
