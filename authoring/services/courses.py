"""Courses: create (blank or from a course document), update settings, delete, estimate.

Every write bumps `course.version` and records `updated_by` / `updated_at` (`course_touch`).
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from authoring.access import can_edit_course, parse_uuid, require_authoring
from authoring.blocks import QUESTION, UnknownBlockType, get_block_type
from authoring.blocks.fields import UUID_PATTERN
from authoring.blocks.pages import PageKind, default_settings
from authoring.categories import category_choices, category_requires_approval
from authoring.document import _unique_slug, course_document_load
from authoring.models import (
    Asset,
    Course,
    CourseStatus,
    Page,
    Revision,
    RevisionReason,
    Section,
)
from authoring.sanitize import sanitize_plain_text
from egl_platform.errors import Conflict, Forbidden, Invalid, NotFound
from tenants.models import CONTENT_LANGUAGE_CODES, Membership
from tenants.permissions import Capability, has_capability, require_capability
from tenants.services.audit import audit_record
from tenants.tenancy import require_active_tenant

__all__ = [
    "course_create",
    "course_create_from_document",
    "course_delete",
    "course_estimated_minutes",
    "course_touch",
    "course_update",
]

TITLE_MAX = 200
DESCRIPTION_MAX = 5_000
CATEGORY_MAX = 100
TAG_MAX = 50
TAGS_MAX = 30
OBJECTIVE_MAX = 500
OBJECTIVES_MAX = 50

# Reading speed and the time other blocks take, for the estimated duration.
WORDS_PER_MINUTE = 200
MINUTES_PER_QUESTION = 1.0
MINUTES_PER_MEDIA = {"video": 2.0, "audio": 2.0, "embed": 2.0, "image": 0.2}

UPDATABLE_FIELDS = frozenset(
    {"title", "description", "language", "category", "tags", "objectives", "cover"}
)


# --- shared helpers ------------------------------------------------------------------------------


def course_touch(*, course: Course, actor: Membership | None, **extra: Any) -> None:
    """Record a write on the course: version + 1, updated_by, updated_at (one UPDATE)."""
    now = timezone.now()
    Course.objects.filter(pk=course.pk).update(
        version=F("version") + 1, updated_at=now, updated_by=actor, **extra
    )
    course.version += 1
    course.updated_at = now
    course.updated_by = actor
    for key, value in extra.items():
        setattr(course, key, value)


def clean_title(value: Any, *, field: str = "title") -> str:
    title = sanitize_plain_text(str(value or ""), max_length=TITLE_MAX)
    if not title:
        raise Invalid(_("A title is needed."), fields={field: [_("This field is required.")]})
    return title


def require_edit(actor: Membership, course: Course) -> None:
    """NotFound unless the actor may edit the course (403 first when they may not author)."""
    require_authoring(actor)
    if not can_edit_course(actor, course):
        raise NotFound(_("Not found."))


def _clean_language(value: Any) -> str:
    tenant = require_active_tenant()
    offered = set(tenant.languages or []) | {tenant.default_language}
    language = str(value or "").strip()
    if language not in offered or language not in CONTENT_LANGUAGE_CODES:
        raise Invalid(
            _("Choose one of this organisation's languages: %(languages)s.")
            % {"languages": ", ".join(sorted(offered))},
            fields={"language": [_("Not offered here.")]},
        )
    return language


def _clean_tags(value: Any) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise Invalid(_("Tags must be a list."), fields={"tags": [_("Expected a list.")]})
    tags: list[str] = []
    for item in value:
        tag = sanitize_plain_text(str(item), max_length=TAG_MAX)
        if tag and tag.casefold() not in {t.casefold() for t in tags}:
            tags.append(tag)
    if len(tags) > TAGS_MAX:
        raise Invalid(
            _("Use at most %(n)d tags.") % {"n": TAGS_MAX}, fields={"tags": [_("Too many.")]}
        )
    return tags


def clean_objectives(value: Any) -> list[dict[str, str]]:
    """[{"id", "text"}]: texts sanitised and required; ids kept when given, new otherwise.

    An objective without an id, or with one that is not a lowercase UUID, gets a new id;
    ids stay stable across edits, because questions name the objectives they assess.
    """
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise Invalid(
            _("Learning objectives must be a list."),
            fields={"objectives": [_("Expected a list.")]},
        )
    seen: set[str] = set()
    cleaned: list[dict[str, str]] = []
    problems: dict[str, list[str]] = {}
    for index, item in enumerate(value):
        if isinstance(item, str):
            item = {"text": item}
        if not isinstance(item, Mapping):
            problems[f"objectives/{index}"] = [_("Expected an object with a text.")]
            continue
        text = sanitize_plain_text(str(item.get("text") or ""), max_length=OBJECTIVE_MAX)
        if not text:
            problems[f"objectives/{index}/text"] = [_("This field is required.")]
            continue
        objective_id = str(item.get("id") or "")
        if not re.fullmatch(UUID_PATTERN, objective_id) or objective_id in seen:
            objective_id = str(uuid.uuid4())
        seen.add(objective_id)
        cleaned.append({"id": objective_id, "text": text})
    if problems:
        raise Invalid(_("Some learning objectives need attention."), fields=problems)
    if len(cleaned) > OBJECTIVES_MAX:
        raise Invalid(
            _("Use at most %(n)d learning objectives.") % {"n": OBJECTIVES_MAX},
            fields={"objectives": [_("Too many.")]},
        )
    return cleaned


def _cover(value: Any) -> Asset | None:
    if value in (None, ""):
        return None
    asset = Asset.objects.filter(uuid=parse_uuid(value)).first() if value else None
    if asset is None:
        raise Invalid(_("That image does not exist."), fields={"cover": [_("Not found.")]})
    if not asset.content_type.startswith("image/"):
        raise Invalid(_("The cover must be an image."), fields={"cover": [_("Not an image.")]})
    return asset


def _strip_objective_references(course: Course, removed: set[str], actor: Membership) -> None:
    """Questions stop naming objectives that were removed (the document stays valid)."""
    pages = list(
        Page.objects.filter(section__course=course).only(
            "pk", "blocks", "version", "block_versions"
        )
    )
    for page in pages:
        changed = False
        new_version = page.version + 1
        for block in page.blocks:
            data = block.get("data") or {}
            ids = data.get("objective_ids")
            if isinstance(ids, list) and removed.intersection(ids):
                data["objective_ids"] = [i for i in ids if i not in removed]
                page.block_versions[block["id"]] = new_version
                changed = True
        if changed:
            page.version = new_version
            page.save(update_fields=["blocks", "version", "block_versions"])


# --- estimated duration --------------------------------------------------------------------------


def page_minutes(blocks: Iterable[Mapping[str, Any]]) -> float:
    """Minutes a learner needs for these blocks (unrounded)."""
    minutes = 0.0
    for block in blocks:
        try:
            block_type = get_block_type(str(block.get("type")))
        except UnknownBlockType:
            continue
        data = block.get("data") or {}
        if block_type.family == QUESTION:
            minutes += MINUTES_PER_QUESTION
        else:
            minutes += block_type.word_count(data) / WORDS_PER_MINUTE
        minutes += MINUTES_PER_MEDIA.get(block_type.type, 0.0)
    return minutes


def course_estimated_minutes(document: Mapping[str, Any]) -> int:
    """Minutes to take the course: words / 200 wpm, ~1 minute per question, media time.

    A course with any block takes at least one minute; an empty one none.
    """
    total = 0.0
    any_block = False
    for section in document.get("sections") or []:
        for page in section.get("pages") or []:
            blocks = page.get("blocks") or []
            any_block = any_block or bool(blocks)
            total += page_minutes(blocks)
    if not any_block:
        return 0
    return max(1, math.ceil(total - 1e-9))


def _clean_category(value: Any) -> str:
    """Empty, or one of the tenant's categories (when a category policy is registered)."""
    category = sanitize_plain_text(str(value or ""), max_length=CATEGORY_MAX)
    choices = category_choices()
    if category and choices and category not in dict(choices):
        raise Invalid(
            _("Choose one of your organisation's categories."),
            fields={"category": [_("Unknown category.")]},
        )
    return category


def _require_recategorise(actor: Membership, old: str, new: str) -> None:
    """Only L&D moves a course out of a category whose policy requires approval, so an
    author cannot sidestep review by changing the category."""
    if has_capability(actor, Capability.COURSE_REVIEW):
        return
    if category_requires_approval(old) and not category_requires_approval(new):
        raise Forbidden(
            _(
                "This course's category requires approval; only L&D can move it to a "
                "category that does not."
            )
        )


# --- services ------------------------------------------------------------------------------------


def course_create(
    *,
    actor: Membership,
    title: str,
    language: str | None = None,
    description: str = "",
    category: str = "",
    tags: Iterable[str] = (),
    objectives: Iterable[Any] = (),
) -> Course:
    """A blank course owned by `actor`: one section ("Section 1") with one page.

    The first section and page are named in the course's language when the UI speaks it.
    """
    require_capability(actor, Capability.COURSE_CREATE)
    tenant = require_active_tenant()
    title = clean_title(title)
    language = _clean_language(language or tenant.default_language)
    description = sanitize_plain_text(description or "", max_length=DESCRIPTION_MAX, multiline=True)
    category = _clean_category(category)
    cleaned_tags = _clean_tags(tags)
    cleaned_objectives = clean_objectives(objectives)
    ui_language = language if language in dict(settings.LANGUAGES) else translation.get_language()
    with translation.override(ui_language):
        section_title, page_title = _("Section 1"), _("Page 1")
    for attempt in range(3):
        try:
            with transaction.atomic():
                course = Course.objects.create(
                    slug=_unique_slug(title),
                    title=title,
                    description=description,
                    language=language,
                    category=category,
                    tags=cleaned_tags,
                    objectives=cleaned_objectives,
                    estimated_minutes=0,
                    owner=actor,
                    updated_by=actor,
                )
                section = Section.objects.create(course=course, title=section_title, position=0)
                Page.objects.create(
                    section=section,
                    title=page_title,
                    kind=PageKind.CONTENT,
                    settings=default_settings(PageKind.CONTENT),
                    position=0,
                )
                audit_record(actor=actor, verb="course.created", target=course, title=title)
            return course
        except IntegrityError:  # two courses took the same slug at once: pick again
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def course_create_from_document(
    *, actor: Membership, document: Any, title: str | None = None
) -> Course:
    """A re-keyed copy of a course document, owned by `actor` (templates, wizard, import).

    The document is validated and sanitised by the loader (InvalidDocument, nothing
    created); the copy is a draft, not a template, with its duration computed.
    """
    require_capability(actor, Capability.COURSE_CREATE)
    if not isinstance(document, Mapping) or not isinstance(document.get("course"), Mapping):
        raise Invalid(_("This is not a course document."))
    document = dict(document)
    if title is not None:
        document["course"] = {**document["course"], "title": clean_title(title)}
    with transaction.atomic():
        course = course_document_load(actor=actor, document=document, rekey=True)
        minutes = course_estimated_minutes(document)
        Course.objects.filter(pk=course.pk).update(estimated_minutes=minutes, updated_by=actor)
        course.estimated_minutes = minutes
        course.updated_by = actor
        audit_record(
            actor=actor,
            verb="course.created",
            target=course,
            title=course.title,
            source="document",
        )
    return course


def course_update(*, actor: Membership, course: Course, **fields: Any) -> Course:
    """Change the course's settings: title, description, language (one of the tenant's),
    category, tags, learning objectives (ids kept) and cover (an image asset's uuid).

    Removing an objective also removes it from the questions that named it.
    """
    require_edit(actor, course)
    unknown = sorted(set(fields) - UPDATABLE_FIELDS)
    if unknown:
        raise Invalid(
            _("These cannot be changed here: %(fields)s.") % {"fields": ", ".join(unknown)},
            fields={name: [_("Unknown field.")] for name in unknown},
        )
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        changes: dict[str, Any] = {}
        if "title" in fields:
            changes["title"] = clean_title(fields["title"])
        if "description" in fields:
            changes["description"] = sanitize_plain_text(
                str(fields["description"] or ""), max_length=DESCRIPTION_MAX, multiline=True
            )
        if "language" in fields:
            changes["language"] = _clean_language(fields["language"])
        if "category" in fields:
            category = _clean_category(fields["category"])
            if category != locked.category:
                _require_recategorise(actor, locked.category, category)
                changes["category"] = category
        if "tags" in fields:
            changes["tags"] = _clean_tags(fields["tags"])
        removed: set[str] = set()
        if "objectives" in fields:
            changes["objectives"] = clean_objectives(fields["objectives"])
            removed = {str(o["id"]) for o in locked.objectives} - {
                o["id"] for o in changes["objectives"]
            }
        if "cover" in fields:
            changes["cover"] = _cover(fields["cover"])
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*changes])
        if removed:
            _strip_objective_references(locked, removed, actor)
        course_touch(course=locked, actor=actor)
        audit_record(actor=actor, verb="course.updated", target=locked, fields=sorted(changes))
    for name in (*changes, "version", "updated_at", "updated_by"):
        setattr(course, name, getattr(locked, name))
    return course


def course_delete(*, actor: Membership, course: Course) -> None:
    """Delete a draft that was never published. Only its owner may (409 once published)."""
    require_edit(actor, course)
    if course.owner_id != actor.pk:
        raise Forbidden(_("Only the course's owner can delete it."))
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        published = Revision.objects.filter(course=locked, reason=RevisionReason.PUBLISH).exists()
        if locked.status != CourseStatus.DRAFT or published:
            raise Conflict(
                _("Only a draft that was never published can be deleted; this one is %(status)s.")
                % {"status": CourseStatus(locked.status).label.lower()}
            )
        audit_record(
            actor=actor, verb="course.deleted", target=locked, title=locked.title, slug=locked.slug
        )
        locked.delete()
