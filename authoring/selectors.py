"""Reads of the authoring app (STYLE.md: selectors): the author's courses, the editor's data.

The editor page of a 200-page, 2,000-block course costs a handful of queries: the outline
never loads block JSON (it counts blocks in the database), and only the open page's blocks
are read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Exists,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils.translation import gettext as _

from authoring.access import editable_courses, require_authoring
from authoring.blocks import UnknownBlockType, get_block_type
from authoring.models import Asset, Course, CourseAuthor, CourseStatus, Page, Revision, Section
from egl_platform.errors import Forbidden, Invalid
from tenants.models import Membership, MembershipStatus
from tenants.permissions import Capability, has_capability

__all__ = [
    "EditorPage",
    "JSONArrayLength",
    "course_authors",
    "courses_for_author",
    "editable_courses",
    "editor_outline",
    "editor_page",
    "owner_deactivated",
    "revisions_of",
]

SCOPES = ("mine", "all")
SEARCH_MAX = 200


class JSONArrayLength(Func):
    """The length of a JSON array column, computed by the database (no JSON transferred)."""

    function = "JSON_ARRAY_LENGTH"
    output_field = IntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function="JSONB_ARRAY_LENGTH", **extra)


def courses_for_author(
    *, actor: Membership, search: str = "", status: str = "", scope: str = "mine"
) -> QuerySet[Course]:
    """The courses the actor owns or co-authors ("mine"), or every course ("all", reviewers).

    Newest edit first. Each course comes with its owner and last editor (and their users)
    joined and its co-authors prefetched: no N+1 for a list. `owner_deactivated(course)`
    tells a course whose owner was deactivated and had no co-author to take over.
    """
    require_authoring(actor)
    if scope not in SCOPES:
        raise Invalid(_("Unknown scope."), fields={"scope": [_("Choose mine or all.")]})
    if status and status not in CourseStatus.values:
        raise Invalid(_("Unknown status."), fields={"status": [_("Choose a course status.")]})
    if scope == "all":
        if not has_capability(actor, Capability.COURSE_REVIEW):
            raise Forbidden(_("Only reviewers can list every course."))
        courses = Course.objects.all()
    else:
        courses = Course.objects.filter(
            Q(owner=actor)
            | Q(Exists(CourseAuthor.objects.filter(course=OuterRef("pk"), membership=actor)))
        )
    search = (search or "").strip()[:SEARCH_MAX]
    if search:
        courses = courses.filter(Q(title__icontains=search) | Q(description__icontains=search))
    if status:
        courses = courses.filter(status=status)
    return (
        courses.select_related("owner__user", "updated_by__user", "cover")
        .prefetch_related(
            Prefetch(
                "course_authors",
                queryset=CourseAuthor.objects.select_related("membership__user").order_by(
                    "created_at", "pk"
                ),
            )
        )
        .order_by("-updated_at", "-pk")
    )


def owner_deactivated(course: Course) -> bool:
    return course.owner.status == MembershipStatus.DEACTIVATED


def course_authors(course: Course) -> list[Membership]:
    """The co-authors of a course, longest-standing first (uses a prefetch when present)."""
    return [author.membership for author in course.course_authors.all()]


def editor_outline(*, course: Course) -> list[Section]:
    """The course's sections in order, each with `outline_pages`: its pages in order,
    without their block JSON, each with `block_count`. Two queries."""
    pages = (
        Page.objects.defer("blocks", "block_versions")
        .annotate(block_count=JSONArrayLength("blocks"))
        .order_by("position", "pk")
    )
    return list(
        Section.objects.filter(course=course)
        .order_by("position", "pk")
        .prefetch_related(Prefetch("pages", queryset=pages, to_attr="outline_pages"))
    )


@dataclass(frozen=True)
class EditorPage:
    """What the page editor needs: the page (blocks loaded), its course's objectives and the
    assets its blocks use (uuid → Asset, one query)."""

    page: Page
    blocks: list[dict[str, Any]]
    block_versions: dict[str, int]
    version: int
    objectives: list[dict[str, Any]]
    assets: dict[str, Asset] = field(default_factory=dict)


def _asset_ids(blocks: list[dict[str, Any]]) -> set[str]:
    ids: set[str] = set()
    for block in blocks:
        try:
            block_type = get_block_type(str(block.get("type")))
        except UnknownBlockType:
            continue
        ids.update(
            r.value for r in block_type.references(block.get("data") or {}) if r.kind == "asset"
        )
    return ids


def editor_page(*, page: Page) -> EditorPage:
    """The open page for the editor; `page` comes from access.page_for_edit (course loaded).

    One query (the assets), none when the page uses no files.
    """
    blocks = page.blocks
    ids = _asset_ids(blocks)
    assets = {str(a.uuid): a for a in Asset.objects.filter(uuid__in=ids)} if ids else {}
    return EditorPage(
        page=page,
        blocks=blocks,
        block_versions=dict(page.block_versions),
        version=page.version,
        objectives=list(page.section.course.objectives or []),
        assets=assets,
    )


def revisions_of(course: Course) -> QuerySet[Revision]:
    """The course's revisions, newest first, without their documents."""
    return (
        Revision.objects.filter(course=course)
        .defer("document")
        .select_related("created_by__user")
        .order_by("-number")
    )
