"""Course templates: the shipped starter templates and the tenant's own.

A starter template is a course document in `authoring/starter_templates/<key>.<lang>.json`,
shipped in English and Dutch with the same structure. A tenant template is any course a
reviewer marked `is_template`; using it copies the course as it is now. Either way the new
course is a re-keyed copy owned by the author (`course_create_from_document`).

Template keys: `starter:<key>.<lang>` (e.g. `starter:job-aid.nl`) or `course:<uuid>`.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from authoring.document import course_document_build
from authoring.models import Course, Page, Section
from authoring.services.courses import course_create_from_document
from egl_platform.errors import NotFound
from tenants.models import Membership
from tenants.permissions import Capability, require_capability
from tenants.services.audit import audit_record

__all__ = [
    "STARTER_KEYS",
    "STARTER_LANGUAGES",
    "OutlineSection",
    "TemplateInfo",
    "course_create_from_template",
    "course_for_curation",
    "course_mark_template",
    "starter_document",
    "starter_language",
    "template_list",
]

STARTER_DIR = Path(__file__).parent / "starter_templates"
# In the order the "Start a course" page offers them.
STARTER_KEYS = (
    "microlearning",
    "job-aid",
    "onboarding",
    "product-update",
    "process-training",
    "customer-conversation",
)
STARTER_LANGUAGES = ("en", "nl")
FALLBACK_LANGUAGE = "en"
STARTER = "starter"
TENANT = "tenant"

_STARTER_KEY = re.compile(r"^starter:(?P<key>[a-z-]+)\.(?P<language>[a-z]{2})$")
_COURSE_KEY = re.compile(r"^course:(?P<uuid>[0-9a-fA-F-]{32,36})$")


@dataclass(frozen=True)
class OutlineSection:
    title: str
    pages: tuple[str, ...]


@dataclass(frozen=True)
class TemplateInfo:
    """What the template picker shows about one template."""

    key: str
    title: str
    description: str
    minutes: int | None
    source: str  # "starter" | "tenant"
    language: str
    category: str = ""
    objectives: tuple[str, ...] = ()
    outline: tuple[OutlineSection, ...] = ()


# --- starter templates -------------------------------------------------------------------------


def starter_language(language: str | None) -> str:
    """The shipped language closest to `language` ("nl-be" → "nl"), else English."""
    code = (language or "").lower().split("-")[0].split("_")[0]
    return code if code in STARTER_LANGUAGES else FALLBACK_LANGUAGE


@cache
def _starter_text(key: str, language: str) -> str:
    return (STARTER_DIR / f"{key}.{language}.json").read_text(encoding="utf-8")


def starter_document(key: str, language: str) -> dict[str, Any]:
    """A fresh copy of one shipped starter template; NotFound for an unknown key or language."""
    if key not in STARTER_KEYS or language not in STARTER_LANGUAGES:
        raise NotFound(_("There is no such template."))
    document: dict[str, Any] = json.loads(_starter_text(key, language))
    return copy.deepcopy(document)


def _starter_info(key: str, language: str) -> TemplateInfo:
    document = starter_document(key, language)
    course = document["course"]
    return TemplateInfo(
        key=f"{STARTER}:{key}.{language}",
        title=course["title"],
        description=course.get("description") or "",
        minutes=course.get("estimated_minutes"),
        source=STARTER,
        language=course["language"],
        category=course.get("category") or "",
        objectives=tuple(o["text"] for o in course["objectives"]),
        outline=tuple(
            OutlineSection(s["title"], tuple(p["title"] for p in s["pages"]))
            for s in document["sections"]
        ),
    )


# --- tenant templates --------------------------------------------------------------------------


def _tenant_templates() -> list[TemplateInfo]:
    """The active tenant's courses marked as template, by title: three queries in all."""
    courses = list(Course.objects.filter(is_template=True).order_by("title", "id"))
    if not courses:
        return []
    ids = [c.pk for c in courses]
    sections: dict[int, list[tuple[int, str]]] = {}
    for section_id, course_id, title in (
        Section.objects.filter(course_id__in=ids)
        .order_by("position", "id")
        .values_list("id", "course_id", "title")
    ):
        sections.setdefault(course_id, []).append((section_id, title))
    pages: dict[int, list[str]] = {}
    for section_id, title in (
        Page.objects.filter(section__course_id__in=ids)
        .order_by("position", "id")
        .values_list("section_id", "title")
    ):
        pages.setdefault(section_id, []).append(title)
    return [
        TemplateInfo(
            key=f"course:{course.uuid}",
            title=course.title,
            description=course.description,
            minutes=course.estimated_minutes,
            source=TENANT,
            language=course.language,
            category=course.category,
            objectives=tuple(str(o.get("text", "")) for o in course.objectives),
            outline=tuple(
                OutlineSection(title, tuple(pages.get(section_id, ())))
                for section_id, title in sections.get(course.pk, [])
            ),
        )
        for course in courses
    ]


def template_list(*, actor: Membership, language: str | None) -> list[TemplateInfo]:
    """The templates an author may start from: the starter templates in `language` (the
    UI language; English when not shipped), then the tenant's own templates in any language.

    Needs COURSE_CREATE (Forbidden otherwise). Only the active tenant's courses appear.
    """
    require_capability(actor, Capability.COURSE_CREATE)
    shipped = starter_language(language)
    return [_starter_info(key, shipped) for key in STARTER_KEYS] + _tenant_templates()


def template_document(template_key: str) -> dict[str, Any]:
    """The course document behind a template key; NotFound for anything else, including
    another tenant's course or a course that is not (or no longer) a template."""
    key = str(template_key or "").strip()
    starter = _STARTER_KEY.match(key)
    if starter:
        return starter_document(starter["key"], starter["language"])
    tenant = _COURSE_KEY.match(key)
    if tenant:
        try:
            course_uuid = uuid.UUID(tenant["uuid"])
        except ValueError:
            raise NotFound(_("There is no such template.")) from None
        course = Course.objects.filter(uuid=course_uuid, is_template=True).first()
        if course is not None:
            return course_document_build(course)
    raise NotFound(_("There is no such template."))


def course_create_from_template(
    *, actor: Membership, template_key: str, title: str | None = None
) -> Course:
    """A new draft course owned by `actor`, copied from a template with fresh ids.

    `title` (optional) replaces the template's title. Needs COURSE_CREATE (Forbidden);
    an unknown key is NotFound; nothing is created on any error. Audited as
    `course.created_from_template`.
    """
    require_capability(actor, Capability.COURSE_CREATE)
    document = template_document(template_key)
    wanted = (title or "").strip() or None
    with transaction.atomic():
        course = course_create_from_document(actor=actor, document=document, title=wanted)
        audit_record(
            actor=actor,
            verb="course.created_from_template",
            target=course,
            template=str(template_key),
        )
    return course


# --- marking a course as template ---------------------------------------------------------------


def course_for_curation(*, actor: Membership, course_uuid: Any) -> Course:
    """A course of the active tenant for a curator (CONTENT_CURATE: Forbidden without it);
    NotFound when missing (also when it belongs to another tenant)."""
    require_capability(actor, Capability.CONTENT_CURATE)
    try:
        key = course_uuid if isinstance(course_uuid, uuid.UUID) else uuid.UUID(str(course_uuid))
    except (TypeError, ValueError, AttributeError):
        raise NotFound(_("Not found.")) from None
    course = Course.objects.filter(uuid=key).first()
    if course is None:
        raise NotFound(_("Not found."))
    return course


def course_mark_template(*, actor: Membership, course: Course, is_template: bool) -> Course:
    """Offer a course as a template to the tenant's authors, or stop offering it.

    Needs CONTENT_CURATE (reviewers; Forbidden otherwise). A change is audited as
    `course.template_marked` / `course.template_unmarked`; setting the flag it already has
    changes and records nothing. The course's content and version are untouched.
    """
    require_capability(actor, Capability.CONTENT_CURATE)
    with transaction.atomic():
        locked = Course.objects.select_for_update().filter(pk=course.pk).first()
        if locked is None:
            raise NotFound(_("Not found."))
        if locked.is_template != is_template:
            Course.objects.filter(pk=course.pk).update(is_template=is_template)
            audit_record(
                actor=actor,
                verb="course.template_marked" if is_template else "course.template_unmarked",
                target=locked,
            )
    course.is_template = is_template
    return course
