"""The authoring API: thin views over authoring.selectors and authoring.services.

Courses, their sections, pages and block operations, revisions, authors, presence and the
course document. Every route needs `Capability.COURSE_CREATE` (learners: 403); a course
the member may not edit — another tenant's included — is 404, as a missing one.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from authoring import selectors
from authoring.access import (
    course_for_edit,
    editable_courses,
    page_for_edit,
    parse_uuid,
    section_for_edit,
)
from authoring.document import course_document_build
from authoring.models import Course, Page, Revision, Section
from authoring.presence import presence_list, presence_touch
from authoring.rest import serializers as s
from authoring.services import coauthors, courses, revisions, structure
from authoring.services.blocks import (
    BlockConflict,
    OperationsResult,
    block_move_to_page,
    page_apply_operations,
)
from egl_platform.errors import Invalid, NotFound
from egl_platform.rest.errors import error_body, error_responses
from egl_platform.rest.viewsets import TenantViewSet
from tenants.models import Membership
from tenants.permissions import Capability, has_capability

_READ_ERRORS = error_responses(401, 403, 404)
_WRITE_ERRORS = error_responses(400, 401, 403, 404)
_WRITE_CONFLICT_ERRORS = error_responses(400, 401, 403, 404, 409)
_REVISION_NUMBER = OpenApiParameter(
    "revision_number", OpenApiTypes.INT, OpenApiParameter.PATH, description="Revision number."
)
_MEMBER_UUID = OpenApiParameter("member_uuid", OpenApiTypes.UUID, OpenApiParameter.PATH)
_BLOCK_ID = OpenApiParameter(
    "block_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The block's id."
)


class CourseCursorPagination(CursorPagination):
    """Most recently edited first."""

    ordering = ("-updated_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200


class RevisionCursorPagination(CursorPagination):
    ordering = "-number"
    page_size_query_param = "page_size"
    max_page_size = 200


def _member(value: Any) -> Membership:
    member = Membership.objects.select_related("user").filter(uuid=parse_uuid(value)).first()
    if member is None:
        raise NotFound(_("That member does not exist."))
    return member


# --- courses ------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Courses you own or co-author (reviewers: scope=all for every course)",
        parameters=[
            OpenApiParameter("search", str, description="Part of the title or description."),
            OpenApiParameter("status", str, enum=[c[0] for c in s.CourseStatus.choices]),
            OpenApiParameter("scope", str, enum=["mine", "all"], description="all: reviewers."),
        ],
        responses={200: s.CourseSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    create=extend_schema(
        summary="Create a blank course (one section with one page)",
        request=s.CourseCreateSerializer,
        responses={201: s.CourseSerializer, **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="One course", responses={200: s.CourseSerializer, **_READ_ERRORS}
    ),
    partial_update=extend_schema(
        summary="Change a course's settings",
        request=s.CourseUpdateSerializer,
        responses={200: s.CourseSerializer, **_WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Delete a never-published draft (its owner only)",
        responses={
            204: OpenApiResponse(description="Deleted."),
            **error_responses(401, 403, 404, 409),
        },
    ),
)
class CourseViewSet(TenantViewSet):
    model = Course
    serializer_class = s.CourseSerializer
    lookup_url_kwarg = "course_uuid"
    capabilities = {"*": Capability.COURSE_CREATE}
    pagination_class = CourseCursorPagination
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def scoped_queryset(self, actor: Membership) -> QuerySet[Course]:
        if self.action == "list":
            form = s.CourseFilterSerializer(data=self.request.query_params)
            form.is_valid(raise_exception=True)
            return selectors.courses_for_author(actor=actor, **form.validated_data)
        scope = "all" if has_capability(actor, Capability.COURSE_REVIEW) else "mine"
        return selectors.courses_for_author(actor=actor, scope=scope)

    def _course(self) -> Course:
        """The course to edit (one query, no prefetching), 404 when not editable."""
        return course_for_edit(actor=self.actor, course_uuid=self.kwargs["course_uuid"])

    def _present(self, course: Course, *, status_code: int = status.HTTP_200_OK) -> Response:
        scope = "all" if has_capability(self.actor, Capability.COURSE_REVIEW) else "mine"
        fresh = selectors.courses_for_author(actor=self.actor, scope=scope).get(pk=course.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, course_uuid: str) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request: Request) -> Response:
        form = s.CourseCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        if "objectives" in data:
            data["objectives"] = _objectives(data["objectives"])
        course = courses.course_create(actor=self.actor, **data)
        return self._present(course, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, course_uuid: str) -> Response:
        course = self._course()
        form = s.CourseUpdateSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        if "objectives" in data:
            data["objectives"] = _objectives(data["objectives"])
        courses.course_update(actor=self.actor, course=course, **data)
        return self._present(course)

    def destroy(self, request: Request, course_uuid: str) -> Response:
        courses.course_delete(actor=self.actor, course=self._course())
        return Response(status=status.HTTP_204_NO_CONTENT)

    # --- sections (the outline) ----------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary="The course outline: sections with their pages (no blocks)",
        responses={200: s.SectionSerializer(many=True), **_READ_ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a section",
        request=s.SectionCreateSerializer,
        responses={201: s.SectionSerializer, **_WRITE_ERRORS},
    )
    @action(detail=True, methods=["get", "post"], url_path="sections")
    def sections(self, request: Request, course_uuid: str) -> Response:
        course = self._course()
        if request.method == "POST":
            form = s.SectionCreateSerializer(data=request.data)
            form.is_valid(raise_exception=True)
            section = structure.section_create(
                actor=self.actor,
                course=course,
                title=form.validated_data.get("title") or None,
                index=form.validated_data.get("index"),
            )
            section.outline_pages = []  # type: ignore[attr-defined]  # a new section is empty
            return Response(s.SectionSerializer(section).data, status=status.HTTP_201_CREATED)
        outline = selectors.editor_outline(course=course)
        return Response(s.SectionSerializer(outline, many=True).data)

    # --- revisions --------------------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary="Saved versions of the course, newest first",
        responses={200: s.RevisionSerializer(many=True), **_READ_ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        summary="Save a version of the course now",
        request=None,
        responses={201: s.RevisionSerializer, **_READ_ERRORS},
    )
    @action(detail=True, methods=["get", "post"], url_path="revisions")
    def revisions(self, request: Request, course_uuid: str) -> Response:
        course = self._course()
        if request.method == "POST":
            revision = revisions.revision_create(actor=self.actor, course=course)
            return Response(s.RevisionSerializer(revision).data, status=status.HTTP_201_CREATED)
        paginator = RevisionCursorPagination()
        page = paginator.paginate_queryset(selectors.revisions_of(course), request, view=self)
        return paginator.get_paginated_response(s.RevisionSerializer(page, many=True).data)

    def _revision(self, course: Course, number: str) -> Revision:
        revision = (
            Revision.objects.select_related("created_by__user")
            .filter(course=course, number=int(number))
            .first()
        )
        if revision is None:
            raise NotFound(_("That version does not exist."))
        return revision

    @extend_schema(
        summary="One saved version, with its course document",
        parameters=[_REVISION_NUMBER],
        responses={200: s.RevisionDetailSerializer, **_READ_ERRORS},
    )
    @action(detail=True, methods=["get"], url_path=r"revisions/(?P<revision_number>[0-9]+)")
    def revision(self, request: Request, course_uuid: str, revision_number: str) -> Response:
        revision = self._revision(self._course(), revision_number)
        return Response(s.RevisionDetailSerializer(revision).data)

    @extend_schema(
        summary="Restore a saved version (the current draft is saved first)",
        description="Answers the new revision that holds the restored draft.",
        parameters=[_REVISION_NUMBER],
        request=None,
        responses={201: s.RevisionSerializer, **_WRITE_ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"revisions/(?P<revision_number>[0-9]+)/restore",
    )
    def restore(self, request: Request, course_uuid: str, revision_number: str) -> Response:
        course = self._course()
        revision = revisions.revision_restore(
            actor=self.actor, course=course, number=int(revision_number)
        )
        return Response(s.RevisionSerializer(revision).data, status=status.HTTP_201_CREATED)

    # --- authors ----------------------------------------------------------------------------

    @extend_schema(
        summary="Add a co-author (owner or reviewer)",
        request=s.MemberChoiceSerializer,
        responses={200: s.CourseSerializer, **_WRITE_CONFLICT_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="authors")
    def authors(self, request: Request, course_uuid: str) -> Response:
        course = self._course()
        form = s.MemberChoiceSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        member = _member(form.validated_data["member"])
        coauthors.course_author_add(actor=self.actor, course=course, member=member)
        return self._present(course)

    @extend_schema(
        summary="Remove a co-author (owner or reviewer; co-authors may remove themselves)",
        parameters=[_MEMBER_UUID],
        request=None,
        responses={204: OpenApiResponse(description="Removed."), **_READ_ERRORS},
    )
    @action(detail=True, methods=["delete"], url_path=r"authors/(?P<member_uuid>[^/.]+)")
    def author_remove(self, request: Request, course_uuid: str, member_uuid: str) -> Response:
        course = self._course()
        coauthors.course_author_remove(actor=self.actor, course=course, member=_member(member_uuid))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Hand the course to another author (the previous owner stays co-author)",
        request=s.MemberChoiceSerializer,
        responses={200: s.CourseSerializer, **_WRITE_CONFLICT_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="owner")
    def owner(self, request: Request, course_uuid: str) -> Response:
        course = self._course()
        form = s.MemberChoiceSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        member = _member(form.validated_data["member"])
        coauthors.course_owner_transfer(actor=self.actor, course=course, member=member)
        return self._present(course)

    # --- presence and the document --------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary="Who else is editing this course now",
        responses={200: s.PresenceListSerializer, **_READ_ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        summary="Heartbeat: I am editing this course (on this page); answers the others",
        request=s.PresenceTouchSerializer,
        responses={200: s.PresenceListSerializer, **_WRITE_ERRORS},
    )
    @action(detail=True, methods=["get", "post"], url_path="presence")
    def presence(self, request: Request, course_uuid: str) -> Response:
        course = self._course()
        if request.method == "POST":
            form = s.PresenceTouchSerializer(data=request.data)
            form.is_valid(raise_exception=True)
            page_uuid = form.validated_data.get("page_uuid")
            if (
                page_uuid is not None
                and not Page.objects.filter(uuid=page_uuid, section__course=course).exists()
            ):
                raise Invalid(
                    _("That page is not part of this course."),
                    fields={"page_uuid": [_("Not a page of this course.")]},
                )
            presence_touch(course=course, actor=self.actor, page_uuid=page_uuid)
        others = presence_list(course=course, exclude=self.actor)
        return Response(s.PresenceListSerializer({"others": others}).data)

    @extend_schema(
        summary="The course document (JSON, schema_version 1) of the draft",
        responses={200: OpenApiTypes.OBJECT, **_READ_ERRORS},
    )
    @action(detail=True, methods=["get"], url_path="document")
    def document(self, request: Request, course_uuid: str) -> Response:
        return Response(course_document_build(self._course()))


def _objectives(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"id": str(item["id"]), "text": item["text"]} if item.get("id") else {"text": item["text"]}
        for item in items
    ]


# --- sections ----------------------------------------------------------------------------------------


@extend_schema_view(
    retrieve=extend_schema(
        summary="One section with its pages", responses={200: s.SectionSerializer, **_READ_ERRORS}
    ),
    partial_update=extend_schema(
        summary="Rename a section",
        request=s.SectionUpdateSerializer,
        responses={200: s.SectionSerializer, **_WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Delete a section and its pages (a version is saved first)",
        responses={204: OpenApiResponse(description="Deleted."), **_READ_ERRORS},
    ),
)
class SectionViewSet(TenantViewSet):
    model = Section
    serializer_class = s.SectionSerializer
    lookup_url_kwarg = "section_uuid"
    capabilities = {"*": Capability.COURSE_CREATE}
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def scoped_queryset(self, actor: Membership) -> QuerySet[Section]:
        return Section.objects.filter(course__in=editable_courses(actor))

    def _section(self) -> Section:
        return section_for_edit(actor=self.actor, section_uuid=self.kwargs["section_uuid"])

    def _present(self, section: Section, *, status_code: int = status.HTTP_200_OK) -> Response:
        outline = selectors.editor_outline(course=section.course)
        fresh = next(item for item in outline if item.pk == section.pk)
        return Response(s.SectionSerializer(fresh).data, status=status_code)

    def retrieve(self, request: Request, section_uuid: str) -> Response:
        return self._present(self._section())

    def partial_update(self, request: Request, section_uuid: str) -> Response:
        section = self._section()
        form = s.SectionUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        structure.section_update(
            actor=self.actor, section=section, title=form.validated_data["title"]
        )
        return self._present(section)

    def destroy(self, request: Request, section_uuid: str) -> Response:
        structure.section_delete(actor=self.actor, section=self._section())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Move a section to another position",
        request=s.IndexSerializer,
        responses={200: s.SectionSerializer, **_WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, section_uuid: str) -> Response:
        section = self._section()
        form = s.IndexSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        structure.section_move(
            actor=self.actor, section=section, index=form.validated_data["index"]
        )
        return self._present(section)

    @extend_schema(
        summary="Add a page to the section",
        request=s.PageCreateSerializer,
        responses={201: s.PageSerializer, **_WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def pages(self, request: Request, section_uuid: str) -> Response:
        section = self._section()
        form = s.PageCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        page = structure.page_create(
            actor=self.actor,
            section=section,
            title=form.validated_data.get("title") or None,
            kind=form.validated_data["kind"],
            index=form.validated_data.get("index"),
        )
        return Response(s.PageSerializer(page).data, status=status.HTTP_201_CREATED)


# --- pages and block operations ----------------------------------------------------------------------


def _versions(result: OperationsResult) -> dict[str, Any]:
    return {"version": result.version, "block_versions": result.block_versions}


def _conflict_response(conflict: BlockConflict) -> Response:
    body = error_body(conflict.code, conflict.message)
    body["conflict"] = {
        "block_id": conflict.block_id,
        "theirs": conflict.theirs,
        "version": conflict.version,
    }
    return Response(body, status=status.HTTP_409_CONFLICT)


@extend_schema_view(
    retrieve=extend_schema(
        summary="One page with its blocks and versions",
        responses={200: s.PageSerializer, **_READ_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Rename a page, change its kind or settings",
        request=s.PageUpdateSerializer,
        responses={200: s.PageSerializer, **_WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Delete a page (a version is saved first when it holds blocks)",
        responses={204: OpenApiResponse(description="Deleted."), **_READ_ERRORS},
    ),
)
class PageViewSet(TenantViewSet):
    model = Page
    serializer_class = s.PageSerializer
    lookup_url_kwarg = "page_uuid"
    capabilities = {"*": Capability.COURSE_CREATE}
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def scoped_queryset(self, actor: Membership) -> QuerySet[Page]:
        return Page.objects.filter(section__course__in=editable_courses(actor))

    def _page(self) -> Page:
        return page_for_edit(actor=self.actor, page_uuid=self.kwargs["page_uuid"])

    def retrieve(self, request: Request, page_uuid: str) -> Response:
        return Response(s.PageSerializer(self._page()).data)

    def partial_update(self, request: Request, page_uuid: str) -> Response:
        page = self._page()
        form = s.PageUpdateSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        structure.page_update(actor=self.actor, page=page, **form.validated_data)
        return Response(s.PageSerializer(page).data)

    def destroy(self, request: Request, page_uuid: str) -> Response:
        structure.page_delete(actor=self.actor, page=self._page())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Move a page to a position in a section of the same course",
        request=s.PageMoveSerializer,
        responses={200: s.PageSerializer, **_WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, page_uuid: str) -> Response:
        page = self._page()
        form = s.PageMoveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        section = Section.objects.filter(
            uuid=form.validated_data["section"], course=page.section.course
        ).first()
        if section is None:
            raise NotFound(_("That section is not part of this course."))
        section.course = page.section.course
        structure.page_move(
            actor=self.actor, page=page, section=section, index=form.validated_data["index"]
        )
        return Response(s.PageSerializer(page).data)

    @extend_schema(
        summary="Apply block operations (autosave), all or nothing",
        description=(
            "Operations on blocks changed since `base_version` by someone else answer 409 "
            "with the current block under `conflict.theirs`; nothing is saved then."
        ),
        request=s.OperationsSerializer,
        responses={
            200: s.OperationsResultSerializer,
            409: OpenApiResponse(
                s.ConflictSerializer, description="A block changed since base_version."
            ),
            **error_responses(400, 401, 403, 404),
        },
    )
    @action(detail=True, methods=["post"])
    def operations(self, request: Request, page_uuid: str) -> Response:
        # The service reads the blocks again under the row lock: don't fetch them twice.
        page = page_for_edit(
            actor=self.actor, page_uuid=self.kwargs["page_uuid"], defer_blocks=True
        )
        form = s.OperationsSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            result = page_apply_operations(
                actor=self.actor,
                page=page,
                base_version=form.validated_data["base_version"],
                operations=form.validated_data["operations"],
            )
        except BlockConflict as conflict:
            return _conflict_response(conflict)
        return Response(
            {
                "version": result.version,
                "block_versions": result.block_versions,
                "blocks": result.blocks,
            }
        )

    @extend_schema(
        summary="Move a block to another page of the course (its id stays)",
        parameters=[_BLOCK_ID],
        request=s.BlockMoveSerializer,
        responses={
            200: s.BlockMoveResultSerializer,
            409: OpenApiResponse(s.ConflictSerializer, description="The block is gone."),
            **error_responses(400, 401, 403, 404),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"blocks/(?P<block_id>[^/.]+)/move-to-page",
        url_name="block-move-to-page",
    )
    def move_to_page(self, request: Request, page_uuid: str, block_id: str) -> Response:
        page = self._page()
        if not any(block.get("id") == block_id for block in page.blocks):
            raise NotFound(_("This page has no such block."))
        form = s.BlockMoveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        target = page_for_edit(actor=self.actor, page_uuid=form.validated_data["target_page"])
        if target.section.course_id != page.section.course_id:
            raise NotFound(_("That page is not part of this course."))
        try:
            result = block_move_to_page(
                actor=self.actor,
                page=page,
                block_id=block_id,
                target_page=target,
                index=form.validated_data.get("index"),
            )
        except BlockConflict as conflict:
            return _conflict_response(conflict)
        return Response({"source": _versions(result.source), "target": _versions(result.target)})
