"""Jobs on a REAL Celery worker over Redis, against the PostgreSQL test database.

A worker subprocess (`celery -A egl_platform worker`, prefork with two processes, so a
duplicate delivery can arrive while the job runs) is started once for this module. It connects to the test database as the application role (so row-level security
binds it, as in production) and to the broker in CELERY_TEST_BROKER_URL. The tests run
with committed transactions (`transaction=True`) so the worker sees their rows, and the
test process sends tasks to the broker for real: no eager mode anywhere.

Skipped unless the database is PostgreSQL and CELERY_TEST_BROKER_URL is set (.ci/run
sets both).
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import override_settings

from egl_platform.celery import app as celery_app
from egl_platform.jobs import _HANDLERS, job_start, run_job
from egl_platform.models import Job, JobStatus
from tenants.models import Membership, User
from tenants.tenancy import require_active_tenant, tenant_scope

BROKER_URL = os.environ.get("CELERY_TEST_BROKER_URL", "")

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not BROKER_URL, reason="set CELERY_TEST_BROKER_URL=redis://… to run the real-worker tests"
    ),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the worker needs a shared PostgreSQL database"
    ),
]

WORKER_START_SECONDS = 60
JOB_SECONDS = 60


# --- the worker ----------------------------------------------------------------------------


def _database_url(settings_dict: dict[str, Any]) -> str:
    """The test database, as the application role (what the worker must use)."""
    user = quote(settings_dict["USER"] or "", safe="")
    password = quote(settings_dict["PASSWORD"] or "", safe="")
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or "5432"
    return f"postgres://{user}:{password}@{host}:{port}/{settings_dict['NAME']}"


class Worker:
    def __init__(self, process: subprocess.Popen[bytes], log_path: Path, nodename: str) -> None:
        self.process, self.log_path, self.nodename = process, log_path, nodename

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def ping(self) -> bool:
        replies = celery_app.control.ping(destination=[self.nodename], timeout=1.0)
        return any(self.nodename in reply for reply in replies)


def forget_broker_connections() -> None:
    """Drop pooled broker connections, so the next send connects to the broker now configured.

    What Celery itself does after a fork (Celery._after_fork), without the signal.
    """
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture(scope="module")
def worker(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Worker]:
    """A real worker for the module; the test process sends to the same broker and queue."""
    from tests.egl_platform import worker_jobs  # registers the test-only job kinds here too

    media_root = tmp_path_factory.mktemp("worker-media")
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    saved_conf = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    celery_app.conf.update(broker_url=BROKER_URL, task_always_eager=False)
    forget_broker_connections()
    media = override_settings(MEDIA_ROOT=str(media_root))
    media.enable()

    with django_db_blocker.unblock():
        database_url = _database_url(connection.settings_dict)
    nodename = f"egl-test-{uuid.uuid4().hex[:8]}@localhost"
    env = {
        **{
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DATABASE_", "EGL_TEST_"))
        },
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_QUEUE": queue,
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "MEDIA_ROOT": str(media_root),
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "false",
        "CONN_MAX_AGE": "0",
        "PYTHONUNBUFFERED": "1",
    }
    with celery_app.connection_for_write() as broker:  # nothing left over from an earlier run
        broker.default_channel.queue_purge(queue)
    log_path = media_root.parent / "worker.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "egl_platform", "worker",
                "--pool", "prefork", "--concurrency", "2", "--queues", queue, "--hostname", nodename,
                "--include", "tests.egl_platform.worker_jobs",
                "--without-gossip", "--without-mingle", "--loglevel", "INFO",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    running = Worker(process, log_path, nodename)
    try:
        deadline = time.monotonic() + WORKER_START_SECONDS
        while not running.ping():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Celery worker did not start:\n{running.log()[-4000:]}")
            time.sleep(0.25)
        yield running
    finally:
        process.terminate()  # warm shutdown: finishes the task at hand
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        media.disable()
        celery_app.conf.update(saved_conf)
        forget_broker_connections()
        for kind in worker_jobs.KINDS:
            _HANDLERS.pop(kind, None)


def job_state(tenant: Any, job_id: int) -> dict[str, Any]:
    with tenant_scope(tenant):
        return Job.objects.filter(pk=job_id).values(
            "status", "progress", "message", "result", "attempts", "started_at", "finished_at"
        )[0]


def wait_for(
    worker: Worker,
    tenant: Any,
    job_id: int,
    until: Callable[[dict[str, Any]], bool] = lambda s: s["status"] in ("succeeded", "failed"),
) -> tuple[dict[str, Any], list[tuple[str, int, str]]]:
    """Poll the job row until `until` holds; return the last state and every state seen."""
    seen: list[tuple[str, int, str]] = []
    deadline = time.monotonic() + JOB_SECONDS
    while True:
        state = job_state(tenant, job_id)
        observed = (state["status"], state["progress"], state["message"])
        if not seen or seen[-1] != observed:
            seen.append(observed)
        if until(state):
            return state, seen
        if worker.process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(
                f"job {job_id} stuck at {state}; seen {seen}\nworker log:\n{worker.log()[-4000:]}"
            )
        time.sleep(0.05)


def skipped_line(job: Job) -> str:
    """What egl_platform.jobs.run_job logs when it leaves a delivery alone."""
    return f"job {job.pk}: finished or taken by another worker"


def wait_for_log(worker: Worker, text: str, *, count: int) -> None:
    deadline = time.monotonic() + JOB_SECONDS
    while worker.log().count(text) < count:
        if worker.process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{text!r} not logged {count} time(s):\n{worker.log()[-4000:]}")
        time.sleep(0.05)


def add_members(count: int) -> None:
    """`count` more learners in the active tenant, quickly."""
    users = User.objects.bulk_create(
        User(
            email=f"member{index:04d}@bulk.test", display_name=f"Member {index}", password="!"
        )  # unusable
        for index in range(count)
    )
    tenant = require_active_tenant()  # bulk_create skips save(), which fills the tenant in
    Membership.objects.bulk_create(Membership(tenant=tenant, user=user) for user in users)


def export_files(tenant: Any, job_uuid: Any) -> list[str]:
    folder = f"tenants/{tenant.uuid}/exports"
    if not default_storage.exists(folder):
        return []
    _dirs, files = default_storage.listdir(folder)
    return sorted(name for name in files if name.startswith(f"members-{job_uuid}"))


# --- the tests -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_members_export_runs_on_the_worker_with_visible_progress_and_writes_every_member(
    worker: Worker, acme
) -> None:
    with acme.scope():
        add_members(450)  # the export reports progress every 200 rows
        job = job_start(actor=acme.admin, kind="members.export_csv")
        expected = set(Membership.objects.values_list("user__email", flat=True))

    state, seen = wait_for(worker, acme.tenant, job.pk)

    assert state["status"] == JobStatus.SUCCEEDED, (state, worker.log()[-3000:])
    assert (state["progress"], state["message"]) == (100, "Done")
    assert state["attempts"] == 1
    assert seen[0][0] in (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.SUCCEEDED)
    assert len(expected) == 454
    assert state["result"]["rows"] == len(expected)
    with default_storage.open(state["result"]["file"]) as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read().decode("utf-8-sig"))))
    assert {row["email"] for row in rows} == expected
    assert state["result"]["file"].startswith(f"tenants/{acme.tenant.uuid}/exports/")


@pytest.mark.django_db(transaction=True)
def test_progress_reported_by_a_running_job_is_visible_on_its_row(worker: Worker, acme) -> None:
    from tests.egl_platform.worker_jobs import STEPS_KIND

    with acme.scope():
        job = job_start(actor=acme.learner, kind=STEPS_KIND, params={"pause": 0.4})

    state, seen = wait_for(worker, acme.tenant, job.pk)

    assert state["status"] == JobStatus.SUCCEEDED
    intermediate = [
        (progress, message)
        for status, progress, message in seen
        if status == JobStatus.RUNNING and 0 < progress < 100
    ]
    assert intermediate, seen
    assert all(message.startswith("step ") for _progress, message in intermediate)
    progresses = [progress for _status, progress, _message in seen]
    assert progresses == sorted(progresses)  # never goes backwards
    assert (state["progress"], state["result"]) == (100, {"steps": 3})


@pytest.mark.django_db(transaction=True)
def test_a_failing_job_is_marked_failed_with_its_message(worker: Worker, acme) -> None:
    from tests.egl_platform.worker_jobs import FAIL_KIND, FAIL_MESSAGE

    with acme.scope():
        job = job_start(actor=acme.learner, kind=FAIL_KIND)

    state, _seen = wait_for(worker, acme.tenant, job.pk)

    assert state["status"] == JobStatus.FAILED
    assert state["message"] == FAIL_MESSAGE
    assert state["finished_at"] is not None
    assert state["progress"] < 100
    assert state["result"] == {}
    assert state["attempts"] == 1


@pytest.mark.django_db(transaction=True)
def test_a_crashing_job_is_marked_failed_with_a_message_for_people_not_the_traceback(
    worker: Worker, acme
) -> None:
    from tests.egl_platform.worker_jobs import CRASH_KIND

    with acme.scope():
        job = job_start(actor=acme.learner, kind=CRASH_KIND)

    state, _seen = wait_for(worker, acme.tenant, job.pk)

    assert state["status"] == JobStatus.FAILED
    assert "failed unexpectedly" in state["message"]
    assert "boom" not in state["message"]
    assert "RuntimeError: boom" in worker.log()  # the traceback goes to the log instead


@pytest.mark.django_db(transaction=True)
def test_a_task_delivered_twice_does_its_work_once(worker: Worker, acme) -> None:
    with acme.scope():
        job = job_start(actor=acme.admin, kind="members.export_csv")
    first, _seen = wait_for(worker, acme.tenant, job.pk)
    assert first["status"] == JobStatus.SUCCEEDED
    assert len(export_files(acme.tenant, job.uuid)) == 1

    # The broker hands the same message out again (a redelivery after a lost ack), twice.
    for _delivery in range(2):
        run_job.apply_async(kwargs={"tenant_id": acme.tenant.pk, "job_id": job.pk})
    wait_for_log(worker, skipped_line(job), count=2)

    again = job_state(acme.tenant, job.pk)
    assert again == first  # same attempts (1), same finished_at, same result
    assert export_files(acme.tenant, job.uuid) == [Path(first["result"]["file"]).name]


@pytest.mark.django_db(transaction=True)
def test_a_task_delivered_again_while_it_runs_does_its_work_once(worker: Worker, acme) -> None:
    from tests.egl_platform.worker_jobs import STEPS_KIND

    with acme.scope():
        job = job_start(actor=acme.learner, kind=STEPS_KIND, params={"pause": 0.5})
    wait_for(worker, acme.tenant, job.pk, until=lambda state: state["status"] == JobStatus.RUNNING)
    # The second worker process takes the copy while the first is still running the job.
    run_job.apply_async(kwargs={"tenant_id": acme.tenant.pk, "job_id": job.pk})
    wait_for_log(worker, skipped_line(job), count=1)
    assert job_state(acme.tenant, job.pk)["status"] == JobStatus.RUNNING

    state, _seen = wait_for(worker, acme.tenant, job.pk)

    assert state["status"] == JobStatus.SUCCEEDED
    assert state["attempts"] == 1
    assert worker.log().count(skipped_line(job)) == 1
