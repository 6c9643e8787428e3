"""Jobs in the browser: the list of one's jobs, a job's page with a live progress bar, and
the download of what a finished job produced.

Everyone follows their own jobs; admins see every job of the tenant (egl_platform.jobs).
Another person's job answers 404, like a missing one.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from egl_platform.errors import NotFound
from egl_platform.jobs import get_job_for, jobs_visible_to
from egl_platform.models import Job, JobStatus
from tenants.decorators import capability_required
from tenants.permissions import Capability

PER_PAGE = 25

# What people call each kind of job; a kind not listed shows its technical name.
JOB_KIND_LABELS: dict[str, Any] = {
    "members.export_csv": gettext_lazy("Export members as CSV"),
    "courses.publish": gettext_lazy("Publish a course"),
}


def job_kind_label(kind: str) -> str:
    return str(JOB_KIND_LABELS.get(kind, kind))


def _downloadable(job: Job) -> bool:
    return job.status == JobStatus.SUCCEEDED and bool((job.result or {}).get("file"))


def _context(job: Job) -> dict[str, Any]:
    return {"job": job, "kind_label": job_kind_label(job.kind), "downloadable": _downloadable(job)}


@capability_required(Capability.JOBS_OWN)
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    """The viewer's jobs, newest first (admins: every job of the tenant)."""
    actor = request.membership  # type: ignore[attr-defined]
    page = Paginator(jobs_visible_to(actor), PER_PAGE).get_page(request.GET.get("page"))
    rows = [(job, job_kind_label(job.kind)) for job in page]
    return render(request, "jobs/list.html", {"page_obj": page, "rows": rows})


@capability_required(Capability.JOBS_OWN)
@require_GET
def job_detail(request: HttpRequest, job_uuid: Any) -> HttpResponse:
    job = get_job_for(request.membership, job_uuid)  # type: ignore[attr-defined]
    return render(request, "jobs/detail.html", _context(job))


@capability_required(Capability.JOBS_OWN)
@never_cache
@require_GET
def job_progress(request: HttpRequest, job_uuid: Any) -> HttpResponse:
    """The progress fragment; it polls itself every second until the job has finished."""
    job = get_job_for(request.membership, job_uuid)  # type: ignore[attr-defined]
    return render(request, "jobs/detail.html#progress", _context(job))


@capability_required(Capability.JOBS_OWN)
@require_GET
def job_download(request: HttpRequest, job_uuid: Any) -> HttpResponse:
    """Stream the file a succeeded job produced, as an attachment; 404 when there is none."""
    job = get_job_for(request.membership, job_uuid)  # type: ignore[attr-defined]
    if not _downloadable(job):
        raise NotFound(_("This job has no file to download."))
    path = str(job.result["file"])
    if not default_storage.exists(path):
        raise NotFound(_("The file of this job is no longer available."))
    filename = str(job.result.get("filename") or path.rsplit("/", 1)[-1])
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"  # our exports are written as UTF-8
    response = FileResponse(
        default_storage.open(path, "rb"),
        as_attachment=True,
        filename=filename,
        content_type=content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response  # type: ignore[return-value]  # a streaming response; the guard's type says HttpResponse
