"""The course-health panel: an htmx fragment the editor loads into its sidebar.

GET only, for people who may edit the course (another tenant's or a course you may not
edit: 404; no authoring role: 403). It builds the document (three queries) and runs the
rules. The editor reloads the panel after every save, and on a very large course the rules
take about half a second, so the result is cached per course version (every write to the
draft bumps it) and UI language; the cache key carries the tenant.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from authoring.access import course_for_edit
from authoring.document import course_document_build
from authoring.health import INFO, WARNING, Finding, course_health
from tenants.decorators import capability_required
from tenants.permissions import Capability


def _page_url(course_uuid: Any, page_id: str) -> str:
    """The page's editor, when the editor names such a route; "" otherwise."""
    for kwargs in ({"course_uuid": course_uuid, "page_uuid": page_id}, {"page_uuid": page_id}):
        try:
            return reverse("authoring:page-edit", kwargs=kwargs)
        except NoReverseMatch:
            continue
    return ""


def _entry(finding: Finding, titles: dict[str, str], course_uuid: Any) -> dict[str, Any]:
    anchor = ""
    if finding.block_id:
        anchor = f"block-{finding.block_id}"
    elif finding.page_id:
        anchor = f"page-{finding.page_id}"
    page_url = _page_url(course_uuid, finding.page_id) if finding.page_id else ""
    return {
        "finding": finding,
        "anchor": anchor,
        "href": f"{page_url}#{anchor}" if anchor else "",
        "page_title": titles.get(finding.page_id or "", ""),
    }


HEALTH_CACHE_SECONDS = 60 * 60


def _findings_of(course: Any) -> tuple[list[Finding], dict[str, str]]:
    """The course's findings and page titles, computed once per course version."""
    state = f"{course.version}:{course.estimated_minutes}:{get_language()}"
    key = f"authoring:health:{course.uuid}:{state}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    document = course_document_build(course)
    findings = course_health(document, language=course.language)
    titles = {
        page["id"]: page["title"] for section in document["sections"] for page in section["pages"]
    }
    cache.set(key, (findings, titles), HEALTH_CACHE_SECONDS)
    return findings, titles


@capability_required(Capability.COURSE_CREATE)
@require_GET
def course_health_panel(request: HttpRequest, course_uuid: Any) -> HttpResponse:
    course = course_for_edit(actor=request.membership, course_uuid=course_uuid)  # type: ignore[attr-defined]
    findings, titles = _findings_of(course)
    entries = [_entry(f, titles, course.uuid) for f in findings]
    groups = [
        {
            "severity": severity,
            "label": label,
            "entries": [e for e in entries if e["finding"].severity == severity],
        }
        for severity, label in ((WARNING, _("Worth fixing")), (INFO, _("Worth considering")))
    ]
    context = {
        "course": course,
        "count": len(findings),
        "groups": [g for g in groups if g["entries"]],
    }
    response = render(request, "authoring/health/panel.html", context)
    response["Cache-Control"] = "no-store"
    return response
