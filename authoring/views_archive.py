"""Course archives in the browser: "Export archive" (a download) and "Import course".

Thin views: the archive module does the work. An import runs in the request for now (it
reads the upload once, validates everything, and writes in one transaction); archives up to
EGL_ARCHIVE_MAX_MB are accepted, so very large ones belong in a background job later.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from authoring.access import course_for_edit
from authoring.archive import InvalidArchive, course_import_archive, spooled_archive
from authoring.models import Course
from egl_platform.errors import Conflict, Invalid
from tenants.decorators import capability_required
from tenants.permissions import Capability
from tenants.services.audit import audit_record

T = "authoring/archive/"


class ArchiveImportForm(forms.Form):
    archive = forms.FileField(
        label=gettext_lazy("Course archive (.zip)"),
        help_text=gettext_lazy(
            "A file made with “Export archive” on this or another EGL platform."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    copy = forms.BooleanField(
        label=gettext_lazy("Import as a copy"),
        required=False,
        help_text=gettext_lazy(
            "Gives the course new ids, so it can sit next to the course it came from."
        ),
    )


def course_editor_url(course: Course) -> str:
    """The course editor if it exists, else the home page."""
    try:
        return reverse("authoring:course-edit", kwargs={"course_uuid": course.uuid})
    except NoReverseMatch:
        return reverse("home")


@capability_required(Capability.COURSE_CREATE)
@require_GET
def course_export(request: HttpRequest, course_uuid: Any) -> HttpResponseBase:
    """Download the course as an archive (course document and media): editors only."""
    actor = request.membership  # type: ignore[attr-defined]
    course = course_for_edit(actor=actor, course_uuid=course_uuid)
    try:
        archive = spooled_archive(course)
    except Invalid as error:
        return render(
            request, T + "export_failed.html", {"course": course, "error": error}, status=409
        )
    audit_record(actor=actor, verb="course.exported", target=course, format="archive")
    return FileResponse(
        archive,
        as_attachment=True,
        filename=f"{course.slug}.zip",
        content_type="application/zip",
    )


@capability_required(Capability.COURSE_CREATE)
@require_http_methods(["GET", "POST"])
def course_import(request: HttpRequest) -> HttpResponse:
    """Upload an archive; on refusal list every problem, on success open the new course."""
    post = request.method == "POST"
    form = ArchiveImportForm(request.POST, request.FILES) if post else ArchiveImportForm()
    context: dict[str, Any] = {"form": form, "problems": [], "problem_count": 0, "error": ""}
    status = 200
    if post:
        if form.is_valid():
            try:
                course = course_import_archive(
                    actor=request.membership,  # type: ignore[attr-defined]
                    file=form.cleaned_data["archive"],
                    copy=form.cleaned_data["copy"],
                )
            except InvalidArchive as error:
                context["error"] = str(error.message)
                context["problems"] = error.problems[:200]
                context["problem_count"] = len(error.problems)
                status = 400
            except Conflict as error:
                context["error"] = str(error.message)
                status = 409
            except Invalid as error:
                context["error"] = str(error.message)
                status = 400
            else:
                messages.success(request, _("Imported “%(title)s”.") % {"title": course.title})
                return HttpResponseRedirect(course_editor_url(course))
        else:
            status = 400
    return render(request, T + "import.html", context, status=status)
