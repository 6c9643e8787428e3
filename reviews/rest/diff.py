"""GET /api/v1/reviews/{review_uuid}/diff/: what changed since the last reviewed round.

Who may read the review may read its diff (reviews.selectors): learners 403, a review the
member may not see — another tenant's included — 404. Texts are plain text: render escaped.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from egl_platform.errors import NotFound
from egl_platform.rest.errors import error_responses
from egl_platform.rest.permissions import request_membership
from reviews.diff import review_diff
from reviews.selectors import review_for_actor
from tenants.permissions import Capability


class DiffStatusField(serializers.CharField):
    """One of added, removed, changed, unchanged.

    A plain string in the schema: an enum named after "status" would collide with the others.
    """

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("help_text", "added, removed, changed or unchanged")
        super().__init__(**kwargs)  # type: ignore[arg-type]


@extend_schema_field({})
class AnyValueField(serializers.JSONField):
    """Any JSON value (a course field's old or new value)."""


class TextRunSerializer(serializers.Serializer):
    op = serializers.ChoiceField(choices=["equal", "insert", "delete"])
    text = serializers.CharField(help_text="Plain text; render escaped.")


class SegmentDiffSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The block's stable text-segment key.")
    status = DiffStatusField()
    runs = TextRunSerializer(many=True)


class OtherChangeSerializer(serializers.Serializer):
    path = serializers.CharField(help_text="Where in the data, e.g. options.<id>.correct.")
    status = serializers.CharField(help_text="added, removed, changed or reordered.")


class CourseFieldDiffSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = AnyValueField(allow_null=True)
    new = AnyValueField(allow_null=True)
    runs = TextRunSerializer(many=True)


class ObjectiveDiffSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = DiffStatusField()
    text = serializers.CharField(allow_blank=True)
    runs = TextRunSerializer(many=True)


class SectionDiffSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = DiffStatusField()
    moved = serializers.BooleanField()
    title = serializers.CharField(allow_blank=True)
    old_title = serializers.CharField(allow_null=True)
    changes = serializers.ListField(child=serializers.CharField())


class PageDiffSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = DiffStatusField()
    moved = serializers.BooleanField()
    title = serializers.CharField(allow_blank=True)
    old_title = serializers.CharField(allow_null=True)
    section_id = serializers.UUIDField(allow_null=True)
    old_section_id = serializers.UUIDField(allow_null=True)
    kind = serializers.CharField()
    old_kind = serializers.CharField(allow_null=True)
    changes = serializers.ListField(
        child=serializers.CharField(), help_text="Of title, kind, settings."
    )
    settings_changes = OtherChangeSerializer(many=True)


class BlockDiffSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    type = serializers.CharField()
    status = DiffStatusField()
    moved = serializers.BooleanField()
    page_id = serializers.UUIDField(allow_null=True)
    old_page_id = serializers.UUIDField(allow_null=True)
    index = serializers.IntegerField(allow_null=True)
    old_index = serializers.IntegerField(allow_null=True)
    segments = SegmentDiffSerializer(many=True)
    other_changes = OtherChangeSerializer(many=True)


class DiffCountsSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    removed = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    moved = serializers.IntegerField()


class CourseCountsSerializer(serializers.Serializer):
    changed_fields = serializers.IntegerField()
    objectives = serializers.IntegerField()


class DiffSummarySerializer(serializers.Serializer):
    course = CourseCountsSerializer()
    sections = DiffCountsSerializer()
    pages = DiffCountsSerializer()
    blocks = DiffCountsSerializer()


class ReviewDiffSerializer(serializers.Serializer):
    old_revision = serializers.IntegerField(
        allow_null=True, help_text="The last reviewed revision; null: none (round 1)."
    )
    new_revision = serializers.IntegerField(help_text="The revision pinned by this round.")
    summary = DiffSummarySerializer()
    course = CourseFieldDiffSerializer(many=True)
    objectives = ObjectiveDiffSerializer(many=True)
    sections = SectionDiffSerializer(many=True)
    pages = PageDiffSerializer(many=True)
    blocks = BlockDiffSerializer(many=True)


class ReviewDiffQuerySerializer(serializers.Serializer):
    unchanged = serializers.BooleanField(required=False, default=False)


class ReviewDiffView(APIView):
    capability = Capability.COURSE_SUBMIT

    @extend_schema(
        summary="What changed since the last reviewed round (round 1: everything added)",
        parameters=[
            OpenApiParameter("review_uuid", OpenApiTypes.UUID, OpenApiParameter.PATH),
            OpenApiParameter(
                "unchanged", bool, description="Also list unchanged sections, pages and blocks."
            ),
        ],
        responses={200: ReviewDiffSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request, review_uuid: str) -> Response:
        actor = request_membership(request)
        if actor is None:  # HasCapability admitted an active membership; defence in depth
            raise NotFound(_("Not found."))
        form = ReviewDiffQuerySerializer(data=request.query_params)
        form.is_valid(raise_exception=True)
        review = review_for_actor(actor=actor, review_uuid=review_uuid)
        diff = review_diff(
            actor=actor, review=review, include_unchanged=form.validated_data["unchanged"]
        )
        return Response(diff.as_dict())
