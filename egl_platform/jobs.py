"""Long operations as Jobs: one row reports progress and outcome; one task runs any kind.

A kind registers its handler with `@job_handler("kind")` in its app's tasks.py. The handler
gets the Job and a `report(progress, message)` callback and returns a small JSON result.
Delivery is at-least-once (acks_late); the runner makes the work happen once: it claims
the job under a row lock and skips a job that is finished or being run by another worker.
A handler builds its output aside (a new file) and the runner switches the job row to
succeeded with the result in one statement.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django.utils.translation import override

from egl_platform.errors import DomainError, NotFound
from egl_platform.models import Job, JobStatus
from tenants.models import Membership
from tenants.permissions import Capability, has_capability, require_capability
from tenants.tasking import TRANSIENT_ERRORS, tenant_task

logger = logging.getLogger(__name__)

Report = Callable[[int, str], None]
Handler = Callable[[Job, Report], dict[str, Any]]

_HANDLERS: dict[str, tuple[Handler, Capability]] = {}
_DISCOVERED = False
# A job still "running" after this long lost its worker; another delivery may take it over.
STALE_AFTER = timedelta(minutes=35)


def job_handler(kind: str, *, capability: Capability) -> Callable[[Handler], Handler]:
    """Register the handler for a job kind and the capability needed to start it."""

    def register(handler: Handler) -> Handler:
        _HANDLERS[kind] = (handler, capability)
        return handler

    return register


def _handlers() -> dict[str, tuple[Handler, Capability]]:
    """The registry, after every app's tasks module (where kinds register) has been imported.

    A web process imports no tasks module by itself (Celery's autodiscovery is lazy), so
    without this the first job_start there would not know any kind.
    """
    global _DISCOVERED
    if not _DISCOVERED:
        autodiscover_modules("tasks")
        _DISCOVERED = True
    return _HANDLERS


def job_kinds() -> list[str]:
    return sorted(_handlers())


def job_start(*, actor: Membership, kind: str, params: dict[str, Any] | None = None) -> Job:
    """Create the Job row and queue it once the transaction commits."""
    handlers = _handlers()
    if kind not in handlers:
        raise DomainError(_("Unknown job kind."))
    require_capability(actor, handlers[kind][1])
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind, params=params or {}, created_by=actor, message=_("Waiting for a worker…")
        )
        run_job.delay_on_commit(tenant_id=job.tenant_id, job_id=job.pk)
    return job


def jobs_visible_to(actor: Membership) -> Any:
    """Own jobs; admins see every job of the tenant."""
    require_capability(actor, Capability.JOBS_OWN)
    queryset = Job.objects.select_related("created_by__user")
    if not has_capability(actor, Capability.MEMBERS_MANAGE):
        queryset = queryset.filter(created_by=actor)
    return queryset.order_by("-created_at")


def get_job_for(actor: Membership, job_uuid: Any) -> Job:
    from tenants.selectors import _parse_uuid

    job = jobs_visible_to(actor).filter(uuid=_parse_uuid(job_uuid)).first()
    if job is None:
        raise NotFound(_("That job does not exist."))
    return job


def _claim(job_id: int) -> Job | None:
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return None
        now = timezone.now()
        if (
            job.status == JobStatus.RUNNING
            and job.started_at
            and now - job.started_at < STALE_AFTER
        ):
            return None
        job.status = JobStatus.RUNNING
        job.started_at = now
        job.attempts += 1
        job.message = _("Started")
        job.save(update_fields=["status", "started_at", "attempts", "message"])
        return job


def _reporter(job: Job) -> Report:
    def report(progress: int, message: str = "") -> None:
        progress = max(0, min(100, int(progress)))
        Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            progress=progress, message=str(message)[:500]
        )

    return report


def _finish(
    job: Job, status: JobStatus, *, message: str, result: dict[str, Any] | None = None
) -> None:
    fields: dict[str, Any] = {
        "status": status,
        "message": str(message)[:500],
        "finished_at": timezone.now(),
    }
    if status == JobStatus.SUCCEEDED:
        fields.update(progress=100, result=result or {})
    Job.objects.filter(pk=job.pk).update(**fields)


@tenant_task(name="egl_platform.run_job", bind=True, autoretry_for=())
def run_job(task: Any, *, job_id: int) -> None:
    """Run one job once: claim it, run its handler, record success or failure on the row."""
    job = _claim(job_id)
    if job is None:
        logger.info("job %s: finished or taken by another worker; nothing to do", job_id)
        return
    handler, _capability = _handlers()[job.kind]
    language = (
        job.created_by.user.language if job.created_by and job.created_by.user.language else None
    )
    try:
        with override(language):
            result = handler(job, _reporter(job))
    except TRANSIENT_ERRORS as error:
        if task.request.retries < task.max_retries:
            Job.objects.filter(pk=job.pk).update(
                status=JobStatus.QUEUED, message=_("Retrying after a temporary error…")
            )
            raise task.retry(
                exc=error, countdown=min(300, 2 ** (task.request.retries + 1))
            ) from error
        _finish(
            job,
            JobStatus.FAILED,
            message=_("The job failed after several attempts. Try again later."),
        )
        return
    except DomainError as error:
        _finish(job, JobStatus.FAILED, message=str(error.message))
        return
    except Exception:
        logger.exception("job %s (%s) failed", job.uuid, job.kind)
        _finish(
            job,
            JobStatus.FAILED,
            message=_(
                "The job failed unexpectedly. Try again; if it keeps failing, contact support."
            ),
        )
        return
    _finish(job, JobStatus.SUCCEEDED, message=_("Done"), result=result)
