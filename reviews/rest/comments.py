"""The comment API: threads on a review round, on a course, and actions on one comment.

Reading and commenting needs COURSE_SUBMIT or COURSE_REVIEW (learners: 403); a review,
course or comment the member may not see — another tenant's included — is 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from authoring.models import Course
from egl_platform.errors import NotFound
from egl_platform.rest.errors import error_responses
from egl_platform.rest.permissions import request_membership
from egl_platform.rest.viewsets import TenantViewSet
from reviews import comments as svc
from reviews.models import Comment, CommentAnchor, CommentStatus
from reviews.selectors import review_for_actor
from tenants.models import Membership
from tenants.permissions import Capability
from tenants.rest.serializers import MemberRefSerializer

_READ_ERRORS = error_responses(400, 401, 403, 404)
_WRITE_ERRORS = error_responses(400, 401, 403, 404, 409)
_REVIEW_UUID = OpenApiParameter("review_uuid", OpenApiTypes.UUID, OpenApiParameter.PATH)


# --- shapes -----------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "enum": CommentStatus.values})
class CommentStatusField(serializers.CharField):
    """A thread's status, inlined in the schema: "status" names several enums already."""


@extend_schema_field({"type": "string", "enum": CommentAnchor.values})
class CommentAnchorField(serializers.CharField):
    """What a comment is anchored to, inlined in the schema."""


class CommentSerializer(serializers.ModelSerializer):
    review = serializers.UUIDField(source="review.uuid", read_only=True, allow_null=True)
    round = serializers.IntegerField(source="review.round", read_only=True, allow_null=True)
    anchor = CommentAnchorField(read_only=True)
    parent_uuid = serializers.SerializerMethodField(help_text="The thread a reply belongs to.")
    author = MemberRefSerializer(read_only=True, allow_null=True)
    mentions = serializers.ListField(
        child=serializers.UUIDField(), read_only=True, help_text="Uuids of mentioned members."
    )
    status = CommentStatusField(read_only=True)
    resolved_by = MemberRefSerializer(read_only=True, allow_null=True)
    external_name = serializers.CharField(
        read_only=True, help_text="An outside expert's name, when one wrote it (author is null)."
    )

    class Meta:
        model = Comment
        fields = (
            "uuid",
            "review",
            "round",
            "anchor",
            "page_uuid",
            "block_id",
            "parent_uuid",
            "author",
            "external_name",
            "body",
            "mentions",
            "status",
            "resolved_by",
            "resolved_at",
            "created_at",
            "edited_at",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_parent_uuid(self, comment: Comment) -> str | None:
        return str(comment.parent.uuid) if comment.parent_id and comment.parent else None


class CommentThreadSerializer(serializers.Serializer):
    comment = CommentSerializer(read_only=True)
    replies = CommentSerializer(many=True, read_only=True)
    anchor_missing = serializers.BooleanField(
        read_only=True,
        help_text=(
            "The comment's page or block is no longer in the current draft (for a round's "
            "threads: in the round's pinned revision)."
        ),
    )
    shown_on_page = serializers.UUIDField(
        read_only=True,
        allow_null=True,
        help_text="The page the thread shows on now; null: on the course.",
    )
    block_changed = serializers.BooleanField(
        read_only=True,
        help_text="The block has changed since the revision the comment was made on.",
    )
    carried_over = serializers.BooleanField(
        read_only=True,
        help_text="Started in an earlier round and still open.",
    )


class CommentInputSerializer(serializers.Serializer):
    anchor = serializers.ChoiceField(choices=CommentAnchor.choices)
    page_uuid = serializers.UUIDField(required=False, allow_null=True)
    block_id = serializers.CharField(required=False, allow_null=True, max_length=64)
    body = serializers.CharField(max_length=svc.BODY_MAX)


class CommentBodySerializer(serializers.Serializer):
    body = serializers.CharField(max_length=svc.BODY_MAX)


class CourseCommentsFilterSerializer(serializers.Serializer):
    course = serializers.UUIDField(help_text="The course's uuid.")


def _thread_data(threads: list[svc.CommentThread]) -> Any:
    return CommentThreadSerializer(threads, many=True).data


def _comment_data(comment: Comment) -> Any:
    fresh = Comment.objects.select_related(
        "author__user", "resolved_by__user", "review", "parent"
    ).get(pk=comment.pk)
    return CommentSerializer(fresh).data


def _actor(request: Request) -> Membership:
    actor = request_membership(request)
    if actor is None:  # HasCapability admitted an active membership; defence in depth
        raise NotFound(_("Not found."))
    return actor


# --- views ------------------------------------------------------------------------------------


class ReviewCommentsView(APIView):
    """GET/POST /api/v1/reviews/{review_uuid}/comments/: the threads of one round."""

    capability = Capability.COURSE_SUBMIT

    @extend_schema(
        summary="Comment threads started in this review round",
        parameters=[_REVIEW_UUID],
        responses={200: CommentThreadSerializer(many=True), **_READ_ERRORS},
    )
    def get(self, request: Request, review_uuid: str) -> Response:
        actor = _actor(request)
        review = review_for_actor(actor=actor, review_uuid=review_uuid)
        return Response(_thread_data(svc.comments_for_review(actor=actor, review=review)))

    @extend_schema(
        summary="Comment on the course, a page or a block of the pinned revision",
        parameters=[_REVIEW_UUID],
        request=CommentInputSerializer,
        responses={201: CommentSerializer, **_WRITE_ERRORS},
    )
    def post(self, request: Request, review_uuid: str) -> Response:
        actor = _actor(request)
        review = review_for_actor(actor=actor, review_uuid=review_uuid)
        form = CommentInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        comment = svc.comment_add(actor=actor, review=review, **form.validated_data)
        return Response(_comment_data(comment), status=status.HTTP_201_CREATED)


class CourseCommentsView(APIView):
    """GET /api/v1/review-comments/?course=<uuid>: every thread on a course."""

    capability = Capability.COURSE_SUBMIT

    @extend_schema(
        summary="Every comment thread on a course, flagged against its current draft",
        parameters=[OpenApiParameter("course", str, required=True, description="Course uuid.")],
        responses={200: CommentThreadSerializer(many=True), **_READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        actor = _actor(request)
        form = CourseCommentsFilterSerializer(data=request.query_params)
        form.is_valid(raise_exception=True)
        course = Course.objects.filter(uuid=form.validated_data["course"]).first()
        if course is None:
            raise NotFound(_("Not found."))
        return Response(_thread_data(svc.comments_for_course(actor=actor, course=course)))


class CommentViewSet(TenantViewSet):
    """Edit one's comment; reply to, resolve or reopen a thread."""

    model = Comment
    serializer_class = CommentSerializer
    lookup_url_kwarg = "comment_uuid"
    pagination_class = None
    http_method_names = ["patch", "post", "options"]
    capabilities = {"*": Capability.COURSE_SUBMIT}

    def scoped_queryset(self, actor: Membership) -> QuerySet[Comment]:
        return Comment.objects.none()  # every action fetches through reviews.comments

    def _comment(self) -> Comment:
        return svc.comment_for_actor(actor=self.actor, comment_uuid=self.kwargs["comment_uuid"])

    @extend_schema(
        summary="Edit one's own comment",
        request=CommentBodySerializer,
        responses={200: CommentSerializer, **_WRITE_ERRORS},
    )
    def partial_update(self, request: Request, comment_uuid: str) -> Response:
        comment = self._comment()
        form = CommentBodySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        edited = svc.comment_edit(
            actor=self.actor, comment=comment, body=form.validated_data["body"]
        )
        return Response(_comment_data(edited))

    @extend_schema(
        summary="Reply to a thread",
        request=CommentBodySerializer,
        responses={201: CommentSerializer, **_WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="replies")
    def replies(self, request: Request, comment_uuid: str) -> Response:
        comment = self._comment()
        form = CommentBodySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        reply = svc.comment_reply(
            actor=self.actor, comment=comment, body=form.validated_data["body"]
        )
        return Response(_comment_data(reply), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Resolve a thread",
        request=None,
        responses={200: CommentSerializer, **_WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="resolve")
    def resolve(self, request: Request, comment_uuid: str) -> Response:
        comment = svc.comment_resolve(actor=self.actor, comment=self._comment())
        return Response(_comment_data(comment))

    @extend_schema(
        summary="Reopen a resolved thread",
        request=None,
        responses={200: CommentSerializer, **_WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="reopen")
    def reopen(self, request: Request, comment_uuid: str) -> Response:
        comment = svc.comment_reopen(actor=self.actor, comment=self._comment())
        return Response(_comment_data(comment))
