"""Celery tasks and job handlers of the courses app (delivery).

Each handler is a thin wrapper: the work lives in the module named for its area.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from courses import publishing
from egl_platform.jobs import Report, job_handler
from egl_platform.models import Job
from tenants.permissions import Capability

# --- publishing ---------------------------------------------------------------------------------


@job_handler(publishing.JOB_KIND, capability=Capability.COURSE_SUBMIT)
def course_publish(job: Job, report: Report) -> dict[str, Any]:
    """Publish a course as its next release (courses.publishing.publish_run)."""
    params = job.params if isinstance(job.params, dict) else {}
    release = publishing.publish_run(
        actor=job.created_by,
        course_uuid=params.get("course"),
        notes=str(params.get("notes") or ""),
        report=report,
    )
    return {
        "course": str(release.course.uuid),
        "release": str(release.uuid),
        "number": release.number,
        "summary": _("Release %(number)d is live.") % {"number": release.number},
    }


# Celery's autodiscovery imports `courses.tasks` only: the other areas' task modules are
# imported here so the worker (and beat) know their tasks.
from courses import tasks_enrolments  # noqa: E402, F401  (courses.due_reminders_send)
