"""Sections and pages: create, rename, page kind and settings, move, delete.

Each write locks the course row first, so positions renumbered by two editors at once
queue instead of interleaving; positions are always 0..n-1 afterwards. Deleting a section
or page that holds content snapshots a revision first: nothing is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

from authoring.blocks import QUESTION, UnknownBlockType, get_block_type
from authoring.blocks.pages import PageKind, default_settings, settings_problems, settings_schema
from authoring.blocks.schema_errors import schema_problems
from authoring.models import Course, Page, RevisionReason, Section
from authoring.selectors import JSONArrayLength
from authoring.services.courses import clean_title, course_touch, require_edit
from authoring.services.revisions import revision_snapshot
from egl_platform.errors import Invalid, NotFound
from tenants.models import Membership
from tenants.services.audit import audit_record

__all__ = [
    "page_create",
    "page_delete",
    "page_move",
    "page_update",
    "section_create",
    "section_delete",
    "section_move",
    "section_update",
]


def _lock_course(course: Course) -> Course:
    return Course.objects.select_for_update().get(pk=course.pk)


def _clean_index(index: Any, *, size: int) -> int:
    """A position 0..size; None means the end."""
    if index is None:
        return size
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise Invalid(
            _("The position must be a whole number from 0."),
            fields={"index": [_("Enter a whole number from 0.")]},
        )
    return min(index, size)


def _renumber[T: (Section, Page)](rows: list[T]) -> None:
    """Positions 0..n-1 in list order; writes only the rows that moved."""
    changed = []
    for position, row in enumerate(rows):
        if row.position != position:
            row.position = position
            changed.append(row)
    if changed:
        type(changed[0]).objects.bulk_update(changed, ["position"])


def _sections(course: Course) -> list[Section]:
    return list(Section.objects.filter(course=course).order_by("position", "id"))


def _pages(section: Section) -> list[Page]:
    return list(
        Page.objects.filter(section=section)
        .order_by("position", "id")
        .only("pk", "uuid", "position", "section_id", "tenant_id")
    )


def _question_count(blocks: list[Mapping[str, Any]]) -> int:
    count = 0
    for block in blocks:
        try:
            count += get_block_type(str(block.get("type"))).family == QUESTION
        except UnknownBlockType:
            continue
    return count


def _clean_settings(kind: str, value: Any, *, blocks: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Page settings checked against the page kind's schema and rules (authoring.blocks.pages)."""
    problems = schema_problems(Draft202012Validator(settings_schema(kind)), value)
    if not problems:
        problems = settings_problems(kind, value, question_count=_question_count(blocks))
    if problems:
        fields: dict[str, list[str]] = {}
        for problem in problems:
            fields.setdefault("settings" + problem.path, []).append(str(problem.message))
        raise Invalid(_("The page settings need attention."), fields=fields)
    return dict(value)


# --- sections ------------------------------------------------------------------------------------


def section_create(
    *, actor: Membership, course: Course, title: str | None = None, index: int | None = None
) -> Section:
    """A new empty section at `index` (default: the end)."""
    require_edit(actor, course)
    with transaction.atomic():
        locked = _lock_course(course)
        sections = _sections(locked)
        position = _clean_index(index, size=len(sections))
        if title is None or not str(title).strip():
            title = _("Section %(n)d") % {"n": len(sections) + 1}
        section = Section.objects.create(course=locked, title=clean_title(title), position=position)
        sections.insert(position, section)
        _renumber(sections)
        course_touch(course=locked, actor=actor)
        audit_record(actor=actor, verb="section.created", target=section, course=str(locked.uuid))
    section.course = locked
    return section


def section_update(*, actor: Membership, section: Section, title: str) -> Section:
    """Rename a section."""
    require_edit(actor, section.course)
    with transaction.atomic():
        locked = _lock_course(section.course)
        section.title = clean_title(title)
        section.save(update_fields=["title"])
        course_touch(course=locked, actor=actor)
        audit_record(actor=actor, verb="section.updated", target=section)
    return section


def section_move(*, actor: Membership, section: Section, index: int) -> Section:
    """Move a section to `index` among the course's sections (0 = first)."""
    require_edit(actor, section.course)
    with transaction.atomic():
        locked = _lock_course(section.course)
        sections = [s for s in _sections(locked) if s.pk != section.pk]
        position = _clean_index(index, size=len(sections))
        sections.insert(position, section)
        _renumber(sections)
        course_touch(course=locked, actor=actor)
        audit_record(actor=actor, verb="section.moved", target=section, index=position)
    return section


def section_delete(*, actor: Membership, section: Section) -> None:
    """Delete a section and its pages; a revision is saved first when it holds any block."""
    require_edit(actor, section.course)
    with transaction.atomic():
        locked = _lock_course(section.course)
        has_content = (
            Page.objects.filter(section=section)
            .annotate(n=JSONArrayLength("blocks"))
            .filter(n__gt=0)
            .exists()
        )
        if has_content:
            revision_snapshot(course=locked, actor=actor, reason=RevisionReason.AUTOSAVE)
        audit_record(
            actor=actor,
            verb="section.deleted",
            target=section,
            title=section.title,
            course=str(locked.uuid),
        )
        section.delete()
        _renumber(_sections(locked))
        course_touch(course=locked, actor=actor)


# --- pages ---------------------------------------------------------------------------------------


def page_create(
    *,
    actor: Membership,
    section: Section,
    title: str | None = None,
    kind: str = PageKind.CONTENT,
    index: int | None = None,
) -> Page:
    """A new empty page of `kind` at `index` of the section (default: the end)."""
    require_edit(actor, section.course)
    if kind not in PageKind.values:
        raise Invalid(_("Unknown page kind."), fields={"kind": [_("Choose a page kind.")]})
    with transaction.atomic():
        locked = _lock_course(section.course)
        pages = _pages(section)
        position = _clean_index(index, size=len(pages))
        if title is None or not str(title).strip():
            count = Page.objects.filter(section__course=locked).count()
            title = _("Page %(n)d") % {"n": count + 1}
        page = Page.objects.create(
            section=section,
            title=clean_title(title),
            kind=kind,
            settings=default_settings(kind),
            position=position,
        )
        pages.insert(position, page)
        _renumber(pages)
        course_touch(course=locked, actor=actor)
        audit_record(actor=actor, verb="page.created", target=page, course=str(locked.uuid))
    page.section = section
    section.course = locked
    return page


def page_update(*, actor: Membership, page: Page, **fields: Any) -> Page:
    """Rename a page, change its kind and/or its settings (checked for the kind).

    A new kind without settings takes that kind's default settings.
    """
    course = page.section.course
    require_edit(actor, course)
    unknown = sorted(set(fields) - {"title", "kind", "settings"})
    if unknown:
        raise Invalid(
            _("These cannot be changed here: %(fields)s.") % {"fields": ", ".join(unknown)},
            fields={name: [_("Unknown field.")] for name in unknown},
        )
    with transaction.atomic():
        locked_course = _lock_course(course)
        locked = Page.objects.select_for_update().get(pk=page.pk)
        changes: dict[str, Any] = {}
        if "title" in fields:
            changes["title"] = clean_title(fields["title"])
        kind = fields.get("kind", locked.kind)
        if kind not in PageKind.values:
            raise Invalid(_("Unknown page kind."), fields={"kind": [_("Choose a page kind.")]})
        if kind != locked.kind:
            changes["kind"] = kind
        if "settings" in fields or kind != locked.kind:
            value = fields.get("settings")
            if value is None:
                value = default_settings(kind) if kind != locked.kind else locked.settings
            changes["settings"] = _clean_settings(kind, value, blocks=locked.blocks)
        for name, value in changes.items():
            setattr(locked, name, value)
            setattr(page, name, value)
        if changes:
            locked.save(update_fields=list(changes))
        course_touch(course=locked_course, actor=actor)
        audit_record(actor=actor, verb="page.updated", target=locked, fields=sorted(changes))
    return page


def page_move(*, actor: Membership, page: Page, section: Section, index: int) -> Page:
    """Move a page to `index` of `section` (possibly another section of the same course)."""
    course = page.section.course
    require_edit(actor, course)
    if section.course_id != course.pk:
        raise NotFound(_("That section is not part of this course."))
    with transaction.atomic():
        locked = _lock_course(course)
        source = page.section
        if source.pk != section.pk:
            remaining = [p for p in _pages(source) if p.pk != page.pk]
            _renumber(remaining)
        pages = [p for p in _pages(section) if p.pk != page.pk]
        position = _clean_index(index, size=len(pages))
        Page.objects.filter(pk=page.pk).update(section=section, position=position)
        page.section, page.position = section, position
        pages.insert(position, page)
        _renumber(pages)
        course_touch(course=locked, actor=actor)
        audit_record(
            actor=actor,
            verb="page.moved",
            target=page,
            section=str(section.uuid),
            index=position,
        )
    section.course = locked
    return page


def page_delete(*, actor: Membership, page: Page) -> None:
    """Delete a page; a revision is saved first when it holds any block."""
    course = page.section.course
    require_edit(actor, course)
    with transaction.atomic():
        locked = _lock_course(course)
        has_content = (
            Page.objects.filter(pk=page.pk)
            .annotate(n=JSONArrayLength("blocks"))
            .filter(n__gt=0)
            .exists()
        )
        if has_content:
            revision_snapshot(course=locked, actor=actor, reason=RevisionReason.AUTOSAVE)
        audit_record(
            actor=actor,
            verb="page.deleted",
            target=page,
            title=page.title,
            course=str(locked.uuid),
        )
        section = page.section
        page.delete()
        _renumber(_pages(section))
        course_touch(course=locked, actor=actor)
