"""A course's releases page: the list of releases, the publish form, rollback for reviewers.

Publishing starts a job and leads to its page (live progress bar). A refusal (400, 409)
renders the releases page with the message and the notes as typed; nothing is changed.
A course the member may not edit (another tenant's included) is 404; learners get 403.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from authoring.views.common import actor_of, error_message, form_errors
from courses import publishing
from egl_platform.errors import DomainError
from tenants.decorators import capability_required
from tenants.permissions import Capability

T = "courses/publishing/"


class PublishForm(forms.Form):
    notes = forms.CharField(
        label=gettext_lazy("Release notes"),
        required=False,
        max_length=publishing.NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What is new in this release? Plain text; learners may see it."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "publish-%s")
        super().__init__(*args, **kwargs)


def _page(
    request: HttpRequest,
    course_uuid: Any,
    *,
    form: PublishForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    view = publishing.releases_of_course(actor=actor_of(request), course_uuid=course_uuid)
    context = {
        "view": view,
        "course": view.course,
        "form": form or PublishForm(),
        "error": error,
        "workspace_url": reverse("authoring:course-edit", kwargs={"course_uuid": view.course.uuid}),
    }
    return render(request, T + "releases.html", context, status=status)


@capability_required(Capability.COURSE_SUBMIT)
@require_GET
def releases_page(request: HttpRequest, course_uuid: Any) -> HttpResponse:
    """The course's releases, newest first, with the publish form."""
    return _page(request, course_uuid)


@capability_required(Capability.COURSE_SUBMIT)
@require_POST
def publish(request: HttpRequest, course_uuid: Any) -> HttpResponse:
    """Start publishing the course as its next release; then follow the job's progress."""
    actor = actor_of(request)
    course = publishing.course_for_publishing(actor=actor, course_uuid=course_uuid)
    form = PublishForm(request.POST)
    if not form.is_valid():
        message = _("Check the form: some entries are not right.")
        return _page(request, course_uuid, form=form, error=message, status=400)
    try:
        job = publishing.release_publish(
            actor=actor, course=course, notes=form.cleaned_data["notes"]
        )
    except DomainError as error:
        form_errors(form, error)
        return _page(
            request, course_uuid, form=form, error=error_message(error), status=error.status
        )
    messages.success(request, _("Publishing has started. This page shows how far it is."))
    return redirect("jobs:detail", job_uuid=job.uuid)


@capability_required(Capability.COURSE_REVIEW)
@require_POST
def rollback(request: HttpRequest, release_uuid: Any) -> HttpResponse:
    """Make an earlier release live again (reviewers and admins)."""
    actor = actor_of(request)
    release = publishing.release_for_actor(actor=actor, release_uuid=release_uuid)
    try:
        publishing.release_rollback(actor=actor, release=release)
    except DomainError as error:
        return _page(request, release.course.uuid, error=error_message(error), status=error.status)
    messages.success(request, _("Release %(number)d is live again.") % {"number": release.number})
    return redirect("publishing:releases", course_uuid=release.course.uuid)
