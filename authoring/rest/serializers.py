"""API shapes of the authoring app. Explicit fields; objects named by uuid, never by pk;
input and output shapes separate. Serializers parse and present; services write."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from authoring.blocks.pages import PageKind
from authoring.models import Course, CourseStatus, Page, Revision, RevisionReason, Section
from authoring.selectors import course_authors, owner_deactivated
from egl_platform.rest.errors import ErrorDetailSerializer
from tenants.rest.serializers import MemberRefSerializer

# --- courses ---------------------------------------------------------------------------------------


class ObjectiveSerializer(serializers.Serializer):
    id = serializers.UUIDField(
        required=False, help_text="Kept across edits; omit for a new objective."
    )
    text = serializers.CharField(max_length=500)


class CourseSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=CourseStatus.choices, read_only=True)
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)
    objectives = ObjectiveSerializer(many=True, read_only=True)
    owner = MemberRefSerializer(read_only=True)
    owner_deactivated = serializers.SerializerMethodField(
        help_text="The owner was deactivated and no co-author could take the course over."
    )
    co_authors = serializers.SerializerMethodField()
    updated_by = MemberRefSerializer(read_only=True, allow_null=True)
    cover = serializers.SerializerMethodField(help_text="The cover image's asset uuid.")

    class Meta:
        model = Course
        fields = (
            "uuid",
            "slug",
            "title",
            "description",
            "language",
            "category",
            "tags",
            "objectives",
            "estimated_minutes",
            "cover",
            "status",
            "is_template",
            "version",
            "owner",
            "owner_deactivated",
            "co_authors",
            "created_at",
            "updated_at",
            "updated_by",
            "revised_at",
        )
        read_only_fields = fields

    def get_owner_deactivated(self, course: Course) -> bool:
        return owner_deactivated(course)

    @extend_schema_field(MemberRefSerializer(many=True))
    def get_co_authors(self, course: Course) -> list[dict[str, Any]]:
        return list(MemberRefSerializer(course_authors(course), many=True).data)

    @extend_schema_field(OpenApiTypes.UUID)
    def get_cover(self, course: Course) -> str | None:
        return str(course.cover.uuid) if course.cover is not None else None


class CourseCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    language = serializers.CharField(
        required=False, max_length=8, help_text="One of the organisation's languages."
    )
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    category = serializers.CharField(required=False, allow_blank=True, max_length=100)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=30
    )
    objectives = ObjectiveSerializer(many=True, required=False)


class CourseUpdateSerializer(CourseCreateSerializer):
    title = serializers.CharField(max_length=200, required=False)
    cover = serializers.UUIDField(
        required=False, allow_null=True, help_text="An image asset's uuid; null: no cover."
    )


class CourseFilterSerializer(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    status = serializers.ChoiceField(
        choices=CourseStatus.choices, required=False, allow_blank=True, default=""
    )
    scope = serializers.ChoiceField(
        choices=[("mine", "mine"), ("all", "all")], required=False, default="mine"
    )


# --- sections and pages ------------------------------------------------------------------------------


class PageSummarySerializer(serializers.ModelSerializer):
    block_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Page
        fields = ("uuid", "title", "kind", "position", "block_count")
        read_only_fields = fields


class SectionSerializer(serializers.ModelSerializer):
    pages = serializers.SerializerMethodField()

    class Meta:
        model = Section
        fields = ("uuid", "title", "position", "pages")
        read_only_fields = fields

    @extend_schema_field(PageSummarySerializer(many=True))
    def get_pages(self, section: Section) -> list[dict[str, Any]]:
        pages = getattr(section, "outline_pages", None)
        if pages is None:
            return []
        return list(PageSummarySerializer(pages, many=True).data)


class SectionCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    index = serializers.IntegerField(
        min_value=0, required=False, allow_null=True, help_text="Position; default the end."
    )


class SectionUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)


class IndexSerializer(serializers.Serializer):
    index = serializers.IntegerField(min_value=0, help_text="The new position, 0 = first.")


class PageSerializer(serializers.ModelSerializer):
    """A page with its blocks, as the editor loads it."""

    section = serializers.UUIDField(source="section.uuid", read_only=True)
    course = serializers.UUIDField(source="section.course.uuid", read_only=True)
    kind = serializers.ChoiceField(choices=PageKind.choices, read_only=True)
    settings = serializers.DictField(read_only=True)
    blocks = serializers.ListField(child=serializers.DictField(), read_only=True)
    block_versions = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="Block id → the page version that last changed it.",
    )

    class Meta:
        model = Page
        fields = (
            "uuid",
            "title",
            "kind",
            "settings",
            "position",
            "section",
            "course",
            "version",
            "block_versions",
            "blocks",
        )
        read_only_fields = fields


class PageCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=PageKind.choices, default=PageKind.CONTENT)
    index = serializers.IntegerField(min_value=0, required=False, allow_null=True)


class PageUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=PageKind.choices, required=False)
    settings = serializers.DictField(
        required=False, help_text="Checked against the page kind (quiz: passing score, …)."
    )


class PageMoveSerializer(serializers.Serializer):
    section = serializers.UUIDField(help_text="The section to move to (same course).")
    index = serializers.IntegerField(min_value=0)


# --- block operations ----------------------------------------------------------------------------------


class OperationsSerializer(serializers.Serializer):
    base_version = serializers.IntegerField(
        min_value=0, help_text="The page version the editor started from."
    )
    operations = serializers.ListField(
        child=serializers.DictField(),
        allow_empty=False,
        max_length=200,
        help_text=(
            'Each one of: {"op": "insert", "index", "block": {"id"?, "type", "data"}}, '
            '{"op": "update", "block_id", "data", "force"?}, {"op": "move", "block_id", "index"}, '
            '{"op": "delete", "block_id"}, {"op": "duplicate", "block_id"}.'
        ),
    )


class OperationsResultSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    block_versions = serializers.DictField(child=serializers.IntegerField())
    blocks = serializers.ListField(child=serializers.DictField())


class ConflictDetailSerializer(serializers.Serializer):
    block_id = serializers.CharField()
    theirs = serializers.DictField(allow_null=True, help_text="Their block now; null: removed.")
    version = serializers.IntegerField(help_text="The page's current version.")


class ConflictSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()
    conflict = ConflictDetailSerializer()


class VersionsSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    block_versions = serializers.DictField(child=serializers.IntegerField())


class BlockMoveSerializer(serializers.Serializer):
    target_page = serializers.UUIDField()
    index = serializers.IntegerField(min_value=0, required=False, allow_null=True)


class BlockMoveResultSerializer(serializers.Serializer):
    # A field called "source"; DRF's metaclass takes it off the class, as with "fields".
    source = VersionsSerializer()  # type: ignore[assignment]
    target = VersionsSerializer()


# --- revisions --------------------------------------------------------------------------------------


class RevisionSerializer(serializers.ModelSerializer):
    reason = serializers.ChoiceField(choices=RevisionReason.choices, read_only=True)
    created_by = MemberRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Revision
        fields: tuple[str, ...] = ("number", "reason", "created_by", "created_at")
        read_only_fields = fields


class RevisionDetailSerializer(RevisionSerializer):
    document = serializers.DictField(read_only=True, help_text="The course document.")

    class Meta(RevisionSerializer.Meta):
        fields = (*RevisionSerializer.Meta.fields, "document")
        read_only_fields = fields


# --- authors and presence ---------------------------------------------------------------------------


class MemberChoiceSerializer(serializers.Serializer):
    member = serializers.UUIDField(help_text="The member's uuid.")


class PresenceTouchSerializer(serializers.Serializer):
    page_uuid = serializers.UUIDField(
        required=False, allow_null=True, help_text="The page open in the editor, if any."
    )


class PresenceSerializer(serializers.Serializer):
    member_uuid = serializers.UUIDField()
    name = serializers.CharField()
    page_uuid = serializers.UUIDField(allow_null=True)
    seen_at = serializers.DateTimeField()


class PresenceListSerializer(serializers.Serializer):
    others = PresenceSerializer(many=True)
