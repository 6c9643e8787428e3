"""Who may edit a course, and fetching a course, section or page for editing (STYLE.md).

Editing a course = its owner, a co-author, or a member with `Capability.COURSE_REVIEW`;
the owner and co-authors also need `Capability.COURSE_CREATE` (the author role). A member
with neither capability is refused with 403 (the route needs a role they lack); a course
they may not edit is answered 404, exactly as a missing one.

Each `*_for_edit` helper costs one query: the object, its course, and whether the actor
co-authors it (an EXISTS subquery), so the permission check adds no round trip.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from authoring.models import Course, CourseAuthor, Page, Section
from egl_platform.errors import NotFound
from tenants.models import Membership
from tenants.permissions import Capability, has_capability, require_capability

__all__ = [
    "can_edit_course",
    "course_for_edit",
    "editable_courses",
    "page_for_edit",
    "parse_uuid",
    "require_authoring",
    "section_for_edit",
]


def parse_uuid(value: Any) -> uuid.UUID:
    """A UUID from a URL or body value; NotFound for anything that is not one."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise NotFound(_("Not found.")) from None


def require_authoring(actor: Membership | None) -> None:
    """403 unless the actor may author (COURSE_CREATE) or review (COURSE_REVIEW) at all."""
    if not has_capability(actor, Capability.COURSE_REVIEW):
        require_capability(actor, Capability.COURSE_CREATE)


def can_edit_course(actor: Membership | None, course: Course) -> bool:
    """True when `actor` may change `course` (owner, co-author or reviewer)."""
    if actor is None or not actor.is_active or actor.tenant_id != course.tenant_id:
        return False
    if has_capability(actor, Capability.COURSE_REVIEW):
        return True
    if not has_capability(actor, Capability.COURSE_CREATE):
        return False
    if course.owner_id == actor.pk:
        return True
    # `course_for_edit` and friends annotate this; otherwise ask.
    annotated = getattr(course, "actor_is_coauthor", None)
    if annotated is not None:
        return bool(annotated)
    return CourseAuthor.objects.filter(course=course, membership=actor).exists()


def _coauthor(actor: Membership, course_ref: str) -> Exists:
    return Exists(CourseAuthor.objects.filter(course=OuterRef(course_ref), membership=actor))


def editable_courses(actor: Membership) -> QuerySet[Course]:
    """Every course the actor may edit (all of them for reviewers), as a queryset."""
    require_authoring(actor)
    courses = Course.objects.all()
    if has_capability(actor, Capability.COURSE_REVIEW):
        return courses
    return courses.filter(owner=actor) | courses.filter(
        pk__in=CourseAuthor.objects.filter(membership=actor).values("course_id")
    )


def course_for_edit(*, actor: Membership, course_uuid: Any, lock: bool = False) -> Course:
    """The course to edit; NotFound when missing or not editable, Forbidden without a role.

    With `lock` (inside a transaction) the course row is locked for update.
    """
    require_authoring(actor)
    key = parse_uuid(course_uuid)
    courses = Course.objects.annotate(actor_is_coauthor=_coauthor(actor, "pk"))
    if lock:
        courses = courses.select_for_update(of=("self",))
    course = courses.filter(uuid=key).first()
    if course is None or not can_edit_course(actor, course):
        raise NotFound(_("Not found."))
    return course


def section_for_edit(*, actor: Membership, section_uuid: Any) -> Section:
    """The section (with its course) to edit; same rule as course_for_edit."""
    require_authoring(actor)
    key = parse_uuid(section_uuid)
    section = (
        Section.objects.select_related("course")
        .annotate(actor_is_coauthor=_coauthor(actor, "course_id"))
        .filter(uuid=key)
        .first()
    )
    if section is None:
        raise NotFound(_("Not found."))
    section.course.actor_is_coauthor = section.actor_is_coauthor  # type: ignore[attr-defined]  # annotation handed to the course
    if not can_edit_course(actor, section.course):
        raise NotFound(_("Not found."))
    return section


def page_for_edit(*, actor: Membership, page_uuid: Any, defer_blocks: bool = False) -> Page:
    """The page (with `section__course` loaded) to edit; same rule as course_for_edit."""
    require_authoring(actor)
    key = parse_uuid(page_uuid)
    pages = Page.objects.select_related("section__course").annotate(
        actor_is_coauthor=_coauthor(actor, "section__course_id")
    )
    if defer_blocks:
        pages = pages.defer("blocks", "block_versions")
    page = pages.filter(uuid=key).first()
    if page is None:
        raise NotFound(_("Not found."))
    page.section.course.actor_is_coauthor = page.actor_is_coauthor  # type: ignore[attr-defined]  # as above
    if not can_edit_course(actor, page.section.course):
        raise NotFound(_("Not found."))
    return page
