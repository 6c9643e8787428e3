"""The catalog: what a member may take, searched and filtered, and one course's page.

Every active member (learners included) browses the listed entries of the active tenant.
Search covers the title, the description and the course text (`search_text`): PostgreSQL
full-text search (config "simple", ranked title > description > text) when the database is
PostgreSQL, `icontains` otherwise. A course that has no catalog entry (no live release) —
another tenant's included — is 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from authoring.access import parse_uuid
from authoring.models import CourseAuthor
from courses.models import CatalogEntry, Enrollment
from egl_platform.errors import Invalid, NotFound
from tenants.models import Membership
from tenants.permissions import Capability, has_capability, require_capability

__all__ = [
    "DURATION_CHOICES",
    "RECENCY_CHOICES",
    "RECENT_DAYS",
    "SORT_CHOICES",
    "CoursePage",
    "can_assign",
    "catalog_entry_for",
    "catalog_search",
    "course_page",
]

# "New" and "updated" look this many days back.
RECENT_DAYS = 30

DURATION_CHOICES = [
    ("short", gettext_lazy("Up to 10 minutes")),
    ("medium", gettext_lazy("10 to 30 minutes")),
    ("long", gettext_lazy("More than 30 minutes")),
]
RECENCY_CHOICES = [
    ("new", gettext_lazy("New (last 30 days)")),
    ("updated", gettext_lazy("Updated (last 30 days)")),
]
SORT_CHOICES = [
    ("", gettext_lazy("Best match, then title")),
    ("title", gettext_lazy("Title")),
    ("newest", gettext_lazy("Newest first")),
    ("updated", gettext_lazy("Recently updated")),
    ("rating", gettext_lazy("Best rated")),
    ("shortest", gettext_lazy("Shortest first")),
]

_DURATION = {
    "short": Q(estimated_minutes__lte=10),
    "medium": Q(estimated_minutes__gt=10, estimated_minutes__lte=30),
    "long": Q(estimated_minutes__gt=30),
}
_SORT: dict[str, tuple[Any, ...]] = {
    "title": ("title", "id"),
    "newest": ("-first_published_at", "-id"),
    "updated": ("-updated_at", "-id"),
    "rating": (F("rating_average").desc(nulls_last=True), "title", "id"),
    "shortest": ("estimated_minutes", "title", "id"),
}


def can_assign(actor: Membership | None) -> bool:
    """Reviewers and admins assign courses; authors and learners do not."""
    return has_capability(actor, Capability.COURSE_REVIEW) or has_capability(
        actor, Capability.TENANT_MANAGE
    )


def _invalid(name: str) -> Invalid:
    message = _("Choose one of the options offered.")
    return Invalid(message, fields={name: [message]})


def _text_search(entries: QuerySet[CatalogEntry], q: str) -> QuerySet[CatalogEntry]:
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = (
            SearchVector("title", weight="A", config="simple")
            + SearchVector("description", weight="B", config="simple")
            + SearchVector("search_text", weight="C", config="simple")
        )
        query = SearchQuery(q, search_type="websearch", config="simple")
        # Full-text matches whole words; a title that merely contains the text still counts.
        return (
            entries.annotate(search=vector, rank=SearchRank(vector, query))
            .filter(Q(search=query) | Q(title__icontains=q))
            .order_by("-rank", "title", "id")
        )
    return entries.filter(
        Q(title__icontains=q) | Q(description__icontains=q) | Q(search_text__icontains=q)
    ).order_by("title", "id")


def catalog_search(
    *,
    actor: Membership,
    q: str = "",
    category: str = "",
    language: str = "",
    duration: str = "",
    recency: str = "",
    sort: str = "",
) -> QuerySet[CatalogEntry]:
    """The active tenant's listed entries matching the text and the filters.

    Ordered by relevance when there is a search text (else by title) unless `sort` names
    another order. Unknown filter values are refused (Invalid), so a typo does not quietly
    show everything.
    """
    require_capability(actor, Capability.COURSE_TAKE)
    if duration and duration not in _DURATION:
        raise _invalid("duration")
    if recency and recency not in dict(RECENCY_CHOICES):
        raise _invalid("recency")
    if sort and sort not in _SORT:
        raise _invalid("sort")
    entries = (
        CatalogEntry.objects.filter(is_listed=True).select_related("course").defer("search_text")
    )
    if category:
        entries = entries.filter(category=category)
    if language:
        entries = entries.filter(language=language)
    if duration:
        entries = entries.filter(_DURATION[duration])
    if recency:
        since = timezone.now() - timedelta(days=RECENT_DAYS)
        if recency == "new":
            entries = entries.filter(first_published_at__gte=since)
        else:
            entries = entries.filter(updated_at__gte=since, updated_at__gt=F("first_published_at"))
    q = " ".join(q.split())
    entries = _text_search(entries, q) if q else entries.order_by("title", "id")
    if sort:
        entries = entries.order_by(*_SORT[sort])
    return entries


def catalog_entry_for(*, actor: Membership, course_uuid: Any) -> CatalogEntry:
    """One course's entry with its live release loaded. 404 when the course has no live
    release, belongs to another tenant, or is unlisted (unless the member is enrolled or
    may assign it)."""
    require_capability(actor, Capability.COURSE_TAKE)
    entry = (
        CatalogEntry.objects.select_related("course__owner__user", "live_release")
        .filter(course__uuid=parse_uuid(course_uuid))
        .first()
    )
    if entry is None:
        raise NotFound(_("Not found."))
    hidden = not entry.is_listed and not can_assign(actor)
    if hidden and not Enrollment.objects.filter(course_id=entry.course_id, learner=actor).exists():
        raise NotFound(_("Not found."))
    return entry


@dataclass
class OutlineSection:
    title: str
    pages: list[str] = field(default_factory=list)


@dataclass
class CoursePage:
    """What the course page shows, read from the live release."""

    entry: CatalogEntry
    objectives: list[str]
    outline: list[OutlineSection]
    authors: list[str]
    page_count: int


def course_page(entry: CatalogEntry) -> CoursePage:
    """Objectives and outline from the live release's document; the authors by name."""
    document = entry.live_release.document or {}
    objectives = [
        str(item.get("text", "")) if isinstance(item, dict) else str(item)
        for item in (document.get("course") or {}).get("objectives") or []
    ]
    outline = [
        OutlineSection(
            title=str(section.get("title", "")),
            pages=[str(page.get("title", "")) for page in section.get("pages") or []],
        )
        for section in document.get("sections") or []
    ]
    course = entry.course
    coauthors = (
        CourseAuthor.objects.filter(course=course)
        .select_related("membership__user")
        .order_by("created_at", "id")
    )
    authors = [course.owner.user.name] + [
        a.membership.user.name for a in coauthors if a.membership_id != course.owner_id
    ]
    return CoursePage(
        entry=entry,
        objectives=[text for text in objectives if text],
        outline=outline,
        authors=authors,
        page_count=sum(len(section.pages) for section in outline),
    )
