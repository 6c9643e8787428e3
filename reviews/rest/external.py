"""The external review link API: list and create a round's links, withdraw one.

Reviewers and the course's authors manage a round's links (COURSE_SUBMIT to enter; learners
403); a review or link the member may not see — another tenant's, another course's for an
author — is 404. The link's URL is derived from a deterministic signed token, so it is not a
secret shown once: it is returned on create and, while the link works, to the member who
created it in the list (`url`, null for everyone else).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from egl_platform.errors import NotFound
from egl_platform.rest.errors import error_responses
from egl_platform.rest.permissions import request_membership
from egl_platform.rest.viewsets import TenantViewSet
from reviews import external as svc
from reviews.models import ExternalReviewLink
from reviews.selectors import review_for_actor
from tenants.models import Membership
from tenants.permissions import Capability

_REVIEW_UUID = OpenApiParameter("review_uuid", OpenApiTypes.UUID, OpenApiParameter.PATH)
_LINK_UUID = OpenApiParameter("link_uuid", OpenApiTypes.UUID, OpenApiParameter.PATH)


class ExternalLinkCursorPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


@extend_schema_field({"type": "string", "enum": list(svc.LinkStatus.values)})
class ExternalLinkStatusField(serializers.CharField):
    """active, expired, revoked or closed (the round), inlined in the schema."""


class ExternalLinkSerializer(serializers.ModelSerializer):
    review = serializers.UUIDField(source="review.uuid", read_only=True)
    status = serializers.SerializerMethodField()
    created_by = serializers.SerializerMethodField(help_text="The inviting member's name.")
    revoked_by = serializers.SerializerMethodField(help_text="Who withdrew it, if anyone.")
    comment_count = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(
        help_text="The link to send, for its creator while it works; null otherwise."
    )

    class Meta:
        model = ExternalReviewLink
        fields = (
            "uuid",
            "review",
            "name",
            "email",
            "status",
            "created_by",
            "created_at",
            "expires_at",
            "revoked_at",
            "revoked_by",
            "last_used_at",
            "comment_count",
            "url",
        )
        read_only_fields = fields

    @extend_schema_field(ExternalLinkStatusField())
    def get_status(self, link: ExternalReviewLink) -> str:
        return svc.external_link_status(link)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_created_by(self, link: ExternalReviewLink) -> str | None:
        return link.created_by.user.name if link.created_by else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_revoked_by(self, link: ExternalReviewLink) -> str | None:
        return link.revoked_by.user.name if link.revoked_by else None

    @extend_schema_field(serializers.IntegerField())
    def get_comment_count(self, link: ExternalReviewLink) -> int:
        count = getattr(link, "comment_count", None)
        return int(count) if count is not None else link.comments.count()

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_url(self, link: ExternalReviewLink) -> str | None:
        viewer = self.context.get("actor")
        shown = self.context.get("show_url") or (
            viewer is not None and link.created_by_id == viewer.pk
        )
        if shown and svc.external_link_status(link) == svc.LinkStatus.ACTIVE:
            return svc.external_link_url(link)
        return None


class ExternalLinkInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=svc.NAME_MAX, help_text="The expert's name.")
    email = serializers.EmailField(help_text="Where the link is sent.")
    days = serializers.IntegerField(
        required=False,
        default=svc.DAYS_DEFAULT,
        min_value=1,
        max_value=svc.DAYS_MAX,
        help_text="How many days the link works (1–60).",
    )


def _actor(request: Request) -> Membership:
    actor = request_membership(request)
    if actor is None:  # HasCapability admitted an active membership; defence in depth
        raise NotFound(_("Not found."))
    return actor


def _link_data(link: ExternalReviewLink, actor: Membership, *, show_url: bool = False) -> Any:
    fresh = svc.external_link_for_actor(actor=actor, link_uuid=link.uuid)
    return ExternalLinkSerializer(fresh, context={"actor": actor, "show_url": show_url}).data


@extend_schema_view(
    list=extend_schema(
        summary="External review links of a round",
        parameters=[_REVIEW_UUID],
        responses={200: ExternalLinkSerializer(many=True), **error_responses(401, 403, 404)},
    ),
)
class ReviewExternalLinkViewSet(mixins.ListModelMixin, TenantViewSet):
    """GET/POST /api/v1/reviews/{review_uuid}/external-links/."""

    model = ExternalReviewLink
    serializer_class = ExternalLinkSerializer
    pagination_class = ExternalLinkCursorPagination
    capabilities = {"*": Capability.COURSE_SUBMIT}

    def scoped_queryset(self, actor: Membership) -> QuerySet[ExternalReviewLink]:
        review = review_for_actor(actor=actor, review_uuid=self.kwargs["review_uuid"])
        return svc.external_links_for_review(actor=actor, review=review)

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if not getattr(self, "swagger_fake_view", False):
            context["actor"] = self.actor
        return context

    @extend_schema(
        summary="Invite an outside expert to comment on this round (e-mails the link)",
        parameters=[_REVIEW_UUID],
        request=ExternalLinkInputSerializer,
        responses={201: ExternalLinkSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def create(self, request: Request, review_uuid: str) -> Response:
        actor = self.actor
        review = review_for_actor(actor=actor, review_uuid=review_uuid)
        form = ExternalLinkInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        link, _url = svc.external_link_create(actor=actor, review=review, **form.validated_data)
        return Response(_link_data(link, actor, show_url=True), status=status.HTTP_201_CREATED)


class ExternalLinkRevokeView(APIView):
    """POST /api/v1/external-links/{link_uuid}/revoke/: the link stops working at once."""

    capability = Capability.COURSE_SUBMIT

    @extend_schema(
        summary="Withdraw an external review link (idempotent)",
        parameters=[_LINK_UUID],
        request=None,
        responses={200: ExternalLinkSerializer, **error_responses(401, 403, 404)},
    )
    def post(self, request: Request, link_uuid: str) -> Response:
        actor = _actor(request)
        link = svc.external_link_for_actor(actor=actor, link_uuid=link_uuid)
        svc.external_link_revoke(actor=actor, link=link)
        return Response(_link_data(link, actor))
