"""The jobs UI: a job's page with a progress bar that polls until the job finishes, the
download of its file, the list of one's jobs; other people's jobs answer 404 (admins see all)."""

import csv
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from egl_platform.models import Job, JobStatus
from tests.factories import JobFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def url(job, suffix=""):
    return f"/jobs/{job.uuid}/{suffix}"


def make_job(world, owner, **fields):
    with world.scope():
        return JobFactory(created_by=owner, **fields)


def finished_with_file(world, owner, content=b"email\r\nx@example.test\r\n"):
    with world.scope():
        job = JobFactory(created_by=owner)
        path = default_storage.save(
            f"tenants/{world.tenant.uuid}/exports/members-{job.uuid}.csv", ContentFile(content)
        )
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.SUCCEEDED,
            progress=100,
            message="Done",
            result={"file": path, "filename": "members-acme.csv", "rows": 1},
        )
        job.refresh_from_db()
    return job


def test_job_page_shows_kind_status_and_an_accessible_progress_bar(acme):
    job = make_job(
        acme, acme.admin, status=JobStatus.RUNNING, progress=40, message="12 of 30 members"
    )
    response = acme.client_for(acme.admin).get(url(job))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Export members as CSV" in body
    assert 'role="status"' in body
    assert 'aria-live="polite"' in body
    assert '<progress id="job-progress-bar-' in body
    assert 'max="100" value="40"' in body
    assert f'<label for="job-progress-bar-{job.uuid}">' in body
    assert "40% done" in body
    assert "12 of 30 members" in body


@pytest.mark.parametrize("status", [JobStatus.QUEUED, JobStatus.RUNNING])
def test_progress_fragment_polls_itself_while_the_job_is_not_finished(acme, status):
    job = make_job(acme, acme.author, status=status, progress=10)
    response = acme.client_for(acme.author).get(url(job, "progress/"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert f'hx-get="/jobs/{job.uuid}/progress/"' in body
    assert 'hx-trigger="every 1s"' in body
    assert 'hx-swap="outerHTML"' in body
    assert "no-cache" in response["Cache-Control"]


def test_progress_fragment_stops_polling_and_offers_the_download_when_done(acme):
    job = finished_with_file(acme, acme.author)
    body = acme.client_for(acme.author).get(url(job, "progress/")).content.decode()
    assert "hx-get" not in body
    assert "hx-trigger" not in body
    assert 'value="100"' in body
    assert f'href="/jobs/{job.uuid}/download/"' in body
    assert "members-acme.csv" in body


def test_failed_job_shows_its_message_and_no_download(acme):
    job = make_job(
        acme, acme.author, status=JobStatus.FAILED, message="The export could not be written."
    )
    body = acme.client_for(acme.author).get(url(job)).content.decode()
    assert "The export could not be written." in body
    assert "badge--failed" in body
    assert "/download/" not in body
    assert "hx-trigger" not in body


def test_download_streams_the_file_as_an_attachment(acme):
    job = finished_with_file(acme, acme.author, content=b"email\r\nsomeone@acme.test\r\n")
    response = acme.client_for(acme.author).get(url(job, "download/"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="members-acme.csv"'
    assert b"".join(response.streaming_content) == b"email\r\nsomeone@acme.test\r\n"


def test_download_is_404_without_a_file(acme):
    running = make_job(acme, acme.author, status=JobStatus.RUNNING)
    no_file = make_job(acme, acme.author, status=JobStatus.SUCCEEDED, result={})
    gone = finished_with_file(acme, acme.author)
    default_storage.delete(gone.result["file"])
    client = acme.client_for(acme.author)
    for job in (running, no_file, gone):
        assert client.get(url(job, "download/")).status_code == 404


def test_another_member_cannot_see_my_job_but_an_admin_can(acme):
    job = finished_with_file(acme, acme.author)
    other = acme.client_for(acme.reviewer)
    for suffix in ("", "progress/", "download/"):
        assert other.get(url(job, suffix)).status_code == 404, suffix
    admin = acme.client_for(acme.admin)
    for suffix in ("", "progress/", "download/"):
        assert admin.get(url(job, suffix)).status_code == 200, suffix


def test_another_tenants_job_answers_404_even_to_an_admin(acme, globex):
    job = finished_with_file(globex, globex.admin)
    client = acme.client_for(acme.admin)
    for suffix in ("", "progress/", "download/"):
        assert client.get(url(job, suffix)).status_code == 404, suffix


def test_jobs_list_shows_own_jobs_and_admins_see_all(acme):
    mine = make_job(acme, acme.learner)
    theirs = make_job(acme, acme.author)
    learner_page = acme.client_for(acme.learner).get("/jobs/").content.decode()
    assert url(mine) in learner_page
    assert url(theirs) not in learner_page
    admin_page = acme.client_for(acme.admin).get("/jobs/").content.decode()
    assert url(mine) in admin_page
    assert url(theirs) in admin_page


def test_jobs_list_is_paginated_with_bounded_queries_and_has_an_empty_state(
    acme, django_assert_max_num_queries
):
    client = acme.client_for(acme.admin)
    assert "No jobs yet." in client.get("/jobs/").content.decode()
    with acme.scope():
        for _index in range(30):
            JobFactory(created_by=acme.author)
    client.get("/jobs/")
    with django_assert_max_num_queries(10):
        body = client.get("/jobs/").content.decode()
    assert body.count('<th scope="row">') == 25
    assert "Page 1 of 2" in body


def test_strangers_are_sent_to_sign_in(acme):
    job = make_job(acme, acme.admin)
    client = acme.client_for(acme.admin)
    client.logout()
    assert client.get(url(job)).status_code == 302


def test_members_csv_export_runs_and_lists_every_member(
    acme, globex, django_capture_on_commit_callbacks
):
    with acme.scope():
        for index in range(5):
            MembershipFactory(user__email=f"extra{index}@acme.test")
    client = acme.client_for(acme.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/manage/members/export/")
    job_url = response["Location"]
    with acme.scope():
        job = Job.objects.get()
    assert job_url == url(job)
    assert job.status == JobStatus.SUCCEEDED, job.message
    page = client.get(job_url).content.decode()
    assert f'href="/jobs/{job.uuid}/download/"' in page
    assert "hx-trigger" not in page
    download = client.get(url(job, "download/"))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="members-acme.csv"'
    rows = list(
        csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig")))
    )
    emails = {row["email"] for row in rows}
    assert emails == {
        "learner@acme.test",
        "author@acme.test",
        "reviewer@acme.test",
        "admin@acme.test",
        *(f"extra{index}@acme.test" for index in range(5)),
    }
    assert not any(email.endswith("@globex.test") for email in emails)
    # Someone else without the admin role cannot follow it.
    assert acme.client_for(acme.author).get(job_url).status_code == 404
