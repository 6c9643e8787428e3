"""My courses, and the course workspace: settings, outline, co-authors and revisions.

Every structure change (add, rename, move, delete of sections and pages) is a plain POST
form that works without JavaScript; the editor's JS adds drag-and-drop on top through the
API. A refused change (Invalid 400, Conflict 409) comes back as a message on the workspace
and nothing is changed. A course the member may not edit is 404, a learner gets 403.
"""

from __future__ import annotations

import uuid as uuid_lib
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from authoring.access import course_for_edit, page_for_edit, section_for_edit
from authoring.blocks.pages import PageKind
from authoring.forms import (
    NEW_OBJECTIVE_ROWS,
    CourseFilterForm,
    CourseSettingsForm,
    MoveForm,
    PageAddForm,
    TitleForm,
    objectives_from,
)
from authoring.models import Course, CourseStatus, Page, Revision, Section
from authoring.rendering import asset_infos, render_page
from authoring.selectors import course_authors, courses_for_author, editor_outline, revisions_of
from authoring.services import coauthors as coauthor_services
from authoring.services import revisions as revision_services
from authoring.services import structure
from authoring.services.courses import course_update
from authoring.views.common import actor_of, back, form_errors, optional_url, report
from egl_platform.errors import DomainError, Invalid, NotFound
from tenants.decorators import capability_required
from tenants.models import Membership, MembershipStatus
from tenants.permissions import Capability, has_capability

T = "authoring/"
PER_PAGE = 25
# A position past any end: the structure services clamp it to "last".
END = 1_000_000


def _wants_fragment(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def _workspace_url(course: Course, anchor: str = "") -> str:
    url = reverse("authoring:course-edit", kwargs={"course_uuid": course.uuid})
    return f"{url}#{anchor}" if anchor else url


# --- My courses ----------------------------------------------------------------------------------


def _role_of(course: Course, actor: Membership) -> str:
    if course.owner_id == actor.pk:
        return str(_("Owner"))
    if any(a.pk == actor.pk for a in course_authors(course)):
        return str(_("Co-author"))
    return str(_("Reviewer"))


@capability_required(Capability.COURSE_CREATE)
@require_GET
def course_list(request: HttpRequest) -> HttpResponse:
    """The courses the member owns or co-authors (reviewers may show all); htmx gets the results."""
    actor = actor_of(request)
    can_see_all = has_capability(actor, Capability.COURSE_REVIEW)
    form = CourseFilterForm(request.GET or None, can_see_all=can_see_all)
    filters = form.filters()
    courses = courses_for_author(actor=actor, **filters)
    page = Paginator(courses, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page,
        "rows": [(course, _role_of(course, actor)) for course in page],
        "filtered": bool(filters["search"] or filters["status"]),
        "scope": filters["scope"],
        "can_see_all": can_see_all,
        "start_url": optional_url("templates:start"),
        "import_url": optional_url("course-import"),
    }
    template = T + ("course_list.html#results" if _wants_fragment(request) else "course_list.html")
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- the workspace -------------------------------------------------------------------------------


def outline_context(course: Course) -> dict[str, Any]:
    """The outline with what its buttons need: first/last flags and the other sections."""
    sections = editor_outline(course=course)
    outline: list[dict[str, Any]] = []
    for s_index, section in enumerate(sections):
        pages = list(section.outline_pages)  # type: ignore[attr-defined]  # prefetched by the selector
        outline.append(
            {
                "section": section,
                "first": s_index == 0,
                "last": s_index == len(sections) - 1,
                "pages": [
                    {"page": page, "first": p_index == 0, "last": p_index == len(pages) - 1}
                    for p_index, page in enumerate(pages)
                ],
            }
        )
    all_pages = [(entry["section"], page["page"]) for entry in outline for page in entry["pages"]]
    return {
        "outline": outline,
        # One reverse() for the whole outline; each link appends the section's or page's part.
        "course_url": reverse("authoring:course-edit", kwargs={"course_uuid": course.uuid}),
        "section_options": format_html_join(
            "", '<option value="{}">{}</option>', ((s.uuid, s.title) for s in sections)
        ),
        "sections": sections,
        "all_pages": all_pages,
        "page_kinds": PageKind.choices,
    }


def _author_candidates(course: Course) -> list[Membership]:
    taken = {course.owner_id, *(a.pk for a in course_authors(course))}
    members = (
        Membership.objects.filter(status=MembershipStatus.ACTIVE)
        .filter(is_author=True)
        .select_related("user")
        .order_by("user__display_name", "user__email")
    )
    return [m for m in members if m.pk not in taken]


def _tenant_languages(request: HttpRequest, course: Course) -> list[str]:
    tenant = request.tenant  # type: ignore[attr-defined]  # set by TenantMiddleware
    languages = list(dict.fromkeys([*(tenant.languages or []), tenant.default_language]))
    if course.language not in languages:
        languages.append(course.language)
    return languages


def _settings_form(request: HttpRequest, course: Course, data: Any = None) -> CourseSettingsForm:
    initial = {
        "title": course.title,
        "description": course.description,
        "language": course.language,
        "category": course.category,
        "tags": ", ".join(course.tags or []),
        "cover": str(course.cover.uuid) if course.cover else "",
    }
    return CourseSettingsForm(data, initial=initial, languages=_tenant_languages(request, course))


def _render_workspace(
    request: HttpRequest,
    course: Course,
    *,
    form: CourseSettingsForm | None = None,
    objectives: list[dict[str, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = actor_of(request)
    is_reviewer = has_capability(actor, Capability.COURSE_REVIEW)
    manages_authors = course.owner_id == actor.pk or is_reviewer
    authors = course_authors(course)
    cover_info = asset_infos([str(course.cover.uuid)]) if course.cover else {}
    context = {
        "course": course,
        "form": form or _settings_form(request, course),
        "objectives": objectives if objectives is not None else list(course.objectives or []),
        "new_objective_rows": range(NEW_OBJECTIVE_ROWS),
        "authors": authors,
        "manages_authors": manages_authors,
        "is_owner": course.owner_id == actor.pk,
        "is_reviewer": is_reviewer,
        "candidates": _author_candidates(course) if manages_authors else [],
        "revisions": list(revisions_of(course)[:50]),
        "cover_info": cover_info.get(str(course.cover.uuid)) if course.cover else None,
        "picker_url": optional_url("media-picker"),
        "health_url": optional_url("course-health", course_uuid=course.uuid),
        "export_url": optional_url("course-export", course_uuid=course.uuid),
        "toggle_url": optional_url("templates:toggle", course_uuid=course.uuid)
        if is_reviewer
        else "",
        "status_label": CourseStatus(course.status).label
        if course.status in CourseStatus.values
        else course.status,
        **outline_context(course),
    }
    return render(request, T + "course_edit.html", context, status=status)


@capability_required(Capability.COURSE_CREATE)
@require_http_methods(["GET", "POST"])
def course_edit(request: HttpRequest, course_uuid: Any) -> HttpResponse:
    """The course workspace; POST saves the settings."""
    actor = actor_of(request)
    course = course_for_edit(actor=actor, course_uuid=course_uuid)
    if request.method == "GET":
        return _render_workspace(request, course)
    form = _settings_form(request, course, request.POST)
    objectives = objectives_from(request.POST)
    if not form.is_valid():
        return _render_workspace(request, course, form=form, objectives=objectives, status=400)
    data = form.cleaned_data
    try:
        course_update(
            actor=actor,
            course=course,
            title=data["title"],
            description=data["description"],
            language=data["language"],
            category=data["category"],
            tags=data["tags"],
            objectives=objectives,
            cover=data["cover"] or None,
        )
    except DomainError as error:
        form_errors(form, error)
        return _render_workspace(
            request, course, form=form, objectives=objectives, status=error.status
        )
    messages.success(request, _("The course settings were saved."))
    return redirect(_workspace_url(course, "settings"))


# --- outline: sections ---------------------------------------------------------------------------


def _structure_done(request: HttpRequest, course: Course, message: str) -> HttpResponseRedirect:
    messages.success(request, message)
    return back(request, _workspace_url(course, "outline"))


def _structure_failed(
    request: HttpRequest, course: Course, error: DomainError
) -> HttpResponseRedirect:
    report(request, error)
    return back(request, _workspace_url(course, "outline"))


@capability_required(Capability.COURSE_CREATE)
@require_POST
def section_add(request: HttpRequest, course_uuid: Any) -> HttpResponse:
    actor = actor_of(request)
    course = course_for_edit(actor=actor, course_uuid=course_uuid)
    title = request.POST.get("title", "")
    try:
        section = structure.section_create(actor=actor, course=course, title=title or None)
    except DomainError as error:
        return _structure_failed(request, course, error)
    return _structure_done(
        request, course, _("Section “%(title)s” added.") % {"title": section.title}
    )


def _section(request: HttpRequest, course_uuid: Any, section_uuid: Any) -> Any:
    actor = actor_of(request)
    section = section_for_edit(actor=actor, section_uuid=section_uuid)
    if str(section.course.uuid) != str(course_uuid):
        raise NotFound(_("Not found."))
    return actor, section


@capability_required(Capability.COURSE_CREATE)
@require_POST
def section_rename(request: HttpRequest, course_uuid: Any, section_uuid: Any) -> HttpResponse:
    actor, section = _section(request, course_uuid, section_uuid)
    form = TitleForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_("Give the section a title."))
        structure.section_update(actor=actor, section=section, title=form.cleaned_data["title"])
    except DomainError as error:
        return _structure_failed(request, section.course, error)
    return _structure_done(request, section.course, _("Section renamed."))


@capability_required(Capability.COURSE_CREATE)
@require_POST
def section_move(request: HttpRequest, course_uuid: Any, section_uuid: Any) -> HttpResponse:
    actor, section = _section(request, course_uuid, section_uuid)
    form = MoveForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_("Say where to move the section."))
        index = form.cleaned_data.get("index")
        if index is None:
            direction = form.cleaned_data.get("direction")
            if direction not in ("up", "down"):
                raise Invalid(_("Say where to move the section."))
            index = max(0, section.position + (-1 if direction == "up" else 1))
        structure.section_move(actor=actor, section=section, index=index)
    except DomainError as error:
        return _structure_failed(request, section.course, error)
    return _structure_done(request, section.course, _("Section moved."))


@capability_required(Capability.COURSE_CREATE)
@require_POST
def section_delete(request: HttpRequest, course_uuid: Any, section_uuid: Any) -> HttpResponse:
    actor, section = _section(request, course_uuid, section_uuid)
    try:
        structure.section_delete(actor=actor, section=section)
    except DomainError as error:
        return _structure_failed(request, section.course, error)
    return _structure_done(
        request,
        section.course,
        _(
            "Section “%(title)s” deleted. A version of the course from before is kept under Versions."
        )
        % {"title": section.title},
    )


# --- outline: pages ------------------------------------------------------------------------------


@capability_required(Capability.COURSE_CREATE)
@require_POST
def page_add(request: HttpRequest, course_uuid: Any, section_uuid: Any) -> HttpResponse:
    actor, section = _section(request, course_uuid, section_uuid)
    form = PageAddForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_("Choose the kind of page."))
        page = structure.page_create(
            actor=actor,
            section=section,
            title=form.cleaned_data.get("title") or None,
            kind=form.cleaned_data["kind"],
        )
    except DomainError as error:
        return _structure_failed(request, section.course, error)
    messages.success(request, _("Page “%(title)s” added.") % {"title": page.title})
    if request.POST.get("open"):
        return redirect("authoring:page-edit", course_uuid=section.course.uuid, page_uuid=page.uuid)
    return back(request, _workspace_url(section.course, "outline"))


def _page(request: HttpRequest, course_uuid: Any, page_uuid: Any) -> Any:
    actor = actor_of(request)
    page = page_for_edit(actor=actor, page_uuid=page_uuid, defer_blocks=True)
    if str(page.section.course.uuid) != str(course_uuid):
        raise NotFound(_("Not found."))
    return actor, page


@capability_required(Capability.COURSE_CREATE)
@require_POST
def page_rename(request: HttpRequest, course_uuid: Any, page_uuid: Any) -> HttpResponse:
    actor, page = _page(request, course_uuid, page_uuid)
    form = TitleForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_("Give the page a title."))
        structure.page_update(actor=actor, page=page, title=form.cleaned_data["title"])
    except DomainError as error:
        return _structure_failed(request, page.section.course, error)
    return _structure_done(request, page.section.course, _("Page renamed."))


def _step(page: Page, direction: str) -> tuple[Section, int]:
    """One step up or down; past the edge of its section, into the neighbouring section
    (the end of the one above, the start of the one below), as the outline's JS does."""
    section = page.section
    if direction == "up" and page.position > 0:
        return section, page.position - 1
    if (
        direction == "down"
        and Page.objects.filter(section=section, position__gt=page.position).exists()
    ):
        return section, page.position + 1
    sections = Section.objects.filter(course_id=section.course_id)
    if direction == "up":
        neighbour = sections.filter(position__lt=section.position).order_by("-position").first()
        return (neighbour, END) if neighbour is not None else (section, 0)
    neighbour = sections.filter(position__gt=section.position).order_by("position").first()
    return (neighbour, 0) if neighbour is not None else (section, page.position)


@capability_required(Capability.COURSE_CREATE)
@require_POST
def page_move(request: HttpRequest, course_uuid: Any, page_uuid: Any) -> HttpResponse:
    """One step up or down in its section, or to the end of another section of the course."""
    actor, page = _page(request, course_uuid, page_uuid)
    course = page.section.course
    form = MoveForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_("Say where to move the page."))
        target_uuid = form.cleaned_data.get("section")
        index = form.cleaned_data.get("index")
        target = page.section
        if target_uuid is not None and target_uuid != page.section.uuid:
            target = section_for_edit(actor=actor, section_uuid=target_uuid)
            if target.course_id != course.pk:
                raise NotFound(_("That section is not part of this course."))
            index = END if index is None else index
        elif index is None:
            direction = form.cleaned_data.get("direction")
            if direction not in ("up", "down"):
                raise Invalid(_("Say where to move the page."))
            target, index = _step(page, direction)
        structure.page_move(actor=actor, page=page, section=target, index=index)
    except DomainError as error:
        return _structure_failed(request, course, error)
    return _structure_done(request, course, _("Page moved."))


@capability_required(Capability.COURSE_CREATE)
@require_POST
def page_delete(request: HttpRequest, course_uuid: Any, page_uuid: Any) -> HttpResponse:
    actor, page = _page(request, course_uuid, page_uuid)
    course = page.section.course
    try:
        structure.page_delete(actor=actor, page=page)
    except DomainError as error:
        return _structure_failed(request, course, error)
    messages.success(
        request,
        _("Page “%(title)s” deleted. A version of the course from before is kept under Versions.")
        % {"title": page.title},
    )
    # Never back to the editor of the page that is gone.
    return redirect(_workspace_url(course, "outline"))


# --- co-authors ----------------------------------------------------------------------------------


def _member(value: Any) -> Membership:
    try:
        key = uuid_lib.UUID(str(value))
    except ValueError:
        raise Invalid(_("Choose a person."), fields={"member": [_("Choose a person.")]}) from None
    member = Membership.objects.select_related("user").filter(uuid=key).first()
    if member is None:
        raise Invalid(_("Choose a person."), fields={"member": [_("Choose a person.")]})
    return member


@capability_required(Capability.COURSE_CREATE)
@require_POST
def coauthor_add(request: HttpRequest, course_uuid: Any) -> HttpResponse:
    actor = actor_of(request)
    course = course_for_edit(actor=actor, course_uuid=course_uuid)
    try:
        member = _member(request.POST.get("member"))
        coauthor_services.course_author_add(actor=actor, course=course, member=member)
    except DomainError as error:
        report(request, error)
        return redirect(_workspace_url(course, "authors"))
    messages.success(request, _("%(name)s is now a co-author.") % {"name": member.user.name})
    return redirect(_workspace_url(course, "authors"))


@capability_required(Capability.COURSE_CREATE)
@require_POST
def coauthor_remove(request: HttpRequest, course_uuid: Any, member_uuid: Any) -> HttpResponse:
    actor = actor_of(request)
    course = course_for_edit(actor=actor, course_uuid=course_uuid)
    member = next((a for a in course_authors(course) if str(a.uuid) == str(member_uuid)), None)
    if member is None:
        raise NotFound(_("That person is not a co-author of this course."))
    try:
        coauthor_services.course_author_remove(actor=actor, course=course, member=member)
    except DomainError as error:
        report(request, error)
        return redirect(_workspace_url(course, "authors"))
    messages.success(request, _("%(name)s is no longer a co-author.") % {"name": member.user.name})
    # Someone who left a course they cannot edit any more goes back to their list.
    if (
        member.pk == actor.pk
        and course.owner_id != actor.pk
        and not has_capability(actor, Capability.COURSE_REVIEW)
    ):
        return redirect("authoring:course-list")
    return redirect(_workspace_url(course, "authors"))


@capability_required(Capability.COURSE_CREATE)
@require_POST
def owner_transfer(request: HttpRequest, course_uuid: Any) -> HttpResponse:
    actor = actor_of(request)
    course = course_for_edit(actor=actor, course_uuid=course_uuid)
    try:
        member = _member(request.POST.get("member"))
        coauthor_services.course_owner_transfer(actor=actor, course=course, member=member)
    except DomainError as error:
        report(request, error)
        return redirect(_workspace_url(course, "authors"))
    messages.success(request, _("%(name)s now owns the course.") % {"name": member.user.name})
    return redirect(_workspace_url(course, "authors"))


# --- revisions -----------------------------------------------------------------------------------


@capability_required(Capability.COURSE_CREATE)
@require_POST
def revision_save(request: HttpRequest, course_uuid: Any) -> HttpResponse:
    actor = actor_of(request)
    course = course_for_edit(actor=actor, course_uuid=course_uuid)
    try:
        revision = revision_services.revision_create(actor=actor, course=course)
    except DomainError as error:
        report(request, error)
        return redirect(_workspace_url(course, "revisions"))
    messages.success(request, _("Version %(n)d saved.") % {"n": revision.number})
    return redirect(_workspace_url(course, "revisions"))


@capability_required(Capability.COURSE_CREATE)
@require_POST
def revision_restore(request: HttpRequest, course_uuid: Any, revision_number: int) -> HttpResponse:
    actor = actor_of(request)
    course = course_for_edit(actor=actor, course_uuid=course_uuid)
    try:
        restored = revision_services.revision_restore(
            actor=actor, course=course, number=revision_number
        )
    except DomainError as error:
        report(request, error)
        return redirect(_workspace_url(course, "revisions"))
    messages.success(
        request,
        _(
            "Version %(n)d is the draft again (saved as version %(new)d). "
            "The draft as it was before is kept as a version too."
        )
        % {"n": revision_number, "new": restored.number},
    )
    return redirect(_workspace_url(course, "revisions"))


def _document_summary(document: dict[str, Any]) -> dict[str, int]:
    sections = document.get("sections") or []
    pages = [p for s in sections for p in (s.get("pages") or [])]
    return {
        "sections": len(sections),
        "pages": len(pages),
        "blocks": sum(len(p.get("blocks") or []) for p in pages),
        "assets": len(document.get("assets") or []),
    }


@capability_required(Capability.COURSE_CREATE)
@require_GET
def revision_view(request: HttpRequest, course_uuid: Any, revision_number: int) -> HttpResponse:
    """A revision, read-only: its pages rendered as a learner would see them."""
    actor = actor_of(request)
    course = course_for_edit(actor=actor, course_uuid=course_uuid)
    revision = (
        Revision.objects.filter(course=course, number=revision_number)
        .select_related("created_by__user")
        .first()
    )
    if revision is None:
        raise NotFound(_("That version does not exist."))
    document = revision.document if isinstance(revision.document, dict) else {}
    assets = asset_infos(
        str(a.get("id")) for a in document.get("assets") or [] if isinstance(a, dict)
    )
    sections = []
    for section in document.get("sections") or []:
        pages = [
            {"title": page.get("title", ""), "html": render_page(page, assets=assets)}
            for page in section.get("pages") or []
        ]
        sections.append({"title": section.get("title", ""), "pages": pages})
    context = {
        "course": course,
        "revision": revision,
        "document_course": document.get("course") or {},
        "sections": sections,
        "summary": _document_summary(document),
    }
    return render(request, T + "revision_view.html", context)
