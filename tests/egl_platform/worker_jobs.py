"""Job kinds that exist only for the real-worker tests (tests/egl_platform/test_jobs_worker.py).

The test starts its Celery worker with `--include tests.egl_platform.worker_jobs`, so the
worker registers these kinds; the test process imports this module too (so job_start
accepts the kinds) and unregisters them afterwards. Production never imports it, so
no "always fails" kind exists outside the tests.
"""

from __future__ import annotations

import time
from typing import Any

from egl_platform.errors import DomainError
from egl_platform.jobs import Report, job_handler
from egl_platform.models import Job
from tenants.permissions import Capability

STEPS_KIND = "tests.steps"
FAIL_KIND = "tests.fail"
CRASH_KIND = "tests.crash"
KINDS = (STEPS_KIND, FAIL_KIND, CRASH_KIND)
FAIL_MESSAGE = "The diagnostics job failed on purpose."


@job_handler(STEPS_KIND, capability=Capability.JOBS_OWN)
def steps(job: Job, report: Report) -> dict[str, Any]:
    """Report progress in slow steps, so a poller can see it move."""
    pause = float(job.params.get("pause", 0.4))
    for progress in (25, 50, 75):
        report(progress, f"step {progress // 25} of 3")
        time.sleep(pause)
    return {"steps": 3}


@job_handler(FAIL_KIND, capability=Capability.JOBS_OWN)
def fail(job: Job, report: Report) -> dict[str, Any]:
    """Fail the way a service does: a DomainError whose message the person should read."""
    report(10, "about to fail")
    raise DomainError(FAIL_MESSAGE)


@job_handler(CRASH_KIND, capability=Capability.JOBS_OWN)
def crash(job: Job, report: Report) -> dict[str, Any]:
    """Fail the way a bug does: an unexpected exception."""
    raise RuntimeError("boom")
