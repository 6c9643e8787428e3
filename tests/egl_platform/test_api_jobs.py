"""/api/v1/jobs/: follow long operations — own jobs; admins see all; no storage paths leak."""

import pytest
from django.test import Client

from egl_platform.models import Job, JobStatus
from tests.api_helpers import assert_error
from tests.factories import JobFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/jobs/"
FIELDS = {
    "uuid",
    "kind",
    "status",
    "progress",
    "message",
    "result",
    "download_url",
    "created_by",
    "created_at",
    "started_at",
    "finished_at",
}


def detail(job):
    return f"/api/v1/jobs/{job.uuid}/"


def make_job(world, membership, **kwargs):
    with world.scope():
        return JobFactory(created_by=membership, **kwargs)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_members_export_runs_and_the_job_shows_its_result_without_the_storage_path(
    acme, media, django_capture_on_commit_callbacks
):
    client = acme.client_for(acme.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/members/export/")
    assert response.status_code == 202, response.content
    body = client.get(f"/api/v1/jobs/{response.json()['uuid']}/").json()
    assert set(body) == FIELDS
    assert (body["status"], body["progress"]) == ("succeeded", 100)
    assert body["result"] == {"filename": "members-acme.csv", "rows": 4}
    assert "tenants/" not in response.content.decode() + str(body)
    assert body["finished_at"]
    # The file itself comes from the HTML download view (jobs:download), when it exists.
    if body["download_url"] is not None:
        download = client.get(body["download_url"].removeprefix("http://acme.localhost"))
        assert download.status_code == 200
        csv = b"".join(download.streaming_content).decode("utf-8-sig")
        assert csv.splitlines()[0].startswith("email,")
        assert "learner@acme.test" in csv


def test_a_job_with_a_file_links_the_download_view_when_it_exists(acme):
    from django.urls import NoReverseMatch, reverse

    job = make_job(
        acme,
        acme.admin,
        status=JobStatus.SUCCEEDED,
        progress=100,
        result={"file": "tenants/x/exports/a.csv", "rows": 1, "filename": "a.csv"},
    )
    body = acme.client_for(acme.admin).get(detail(job)).json()
    assert body["result"] == {"rows": 1, "filename": "a.csv"}
    try:
        expected = "http://acme.localhost" + reverse("jobs:download", kwargs={"job_uuid": job.uuid})
    except NoReverseMatch:
        expected = None
    assert body["download_url"] == expected


def test_a_running_job_shows_progress_and_message(acme):
    job = make_job(
        acme, acme.learner, status=JobStatus.RUNNING, progress=40, message="40 of 100 members"
    )
    body = acme.client_for(acme.learner).get(detail(job)).json()
    assert (body["status"], body["progress"], body["message"], body["download_url"]) == (
        "running",
        40,
        "40 of 100 members",
        None,
    )


def test_a_failed_job_shows_its_message(acme):
    job = make_job(
        acme, acme.learner, status=JobStatus.FAILED, message="The job failed unexpectedly."
    )
    body = acme.client_for(acme.learner).get(detail(job)).json()
    assert (body["status"], body["message"], body["result"]) == (
        "failed",
        "The job failed unexpectedly.",
        {},
    )


def test_members_see_only_their_own_jobs(acme, django_assert_max_num_queries):
    mine = make_job(acme, acme.learner)
    theirs = make_job(acme, acme.author)
    for _ in range(10):
        make_job(acme, acme.learner)
    client = acme.client_for(acme.learner)
    client.get("/api/v1/me/")
    with django_assert_max_num_queries(5):
        body = client.get(LIST).json()
    uuids = {row["uuid"] for row in body["results"]}
    assert str(mine.uuid) in uuids
    assert str(theirs.uuid) not in uuids
    assert len(uuids) == 11
    assert_error(client.get(detail(theirs)), 404, "not_found")


def test_admins_see_every_job_of_their_tenant(acme, globex):
    learners = make_job(acme, acme.learner)
    make_job(globex, globex.admin)
    body = acme.client_for(acme.admin).get(LIST).json()
    assert [row["uuid"] for row in body["results"]] == [str(learners.uuid)]
    assert acme.client_for(acme.admin).get(detail(learners)).status_code == 200


def test_other_tenants_job_is_not_found(acme, globex):
    theirs = make_job(globex, globex.admin)
    assert_error(acme.client_for(acme.admin).get(detail(theirs)), 404, "not_found")
    assert_error(acme.client_for(acme.admin).get("/api/v1/jobs/not-a-uuid/"), 404, "not_found")


def test_jobs_cannot_be_changed_through_the_api(acme):
    job = make_job(acme, acme.admin)
    client = acme.client_for(acme.admin)
    assert_error(
        client.post(LIST, {"kind": "members.export_csv"}, content_type="application/json"),
        405,
        "method_not_allowed",
    )
    assert_error(
        client.patch(detail(job), {"status": "succeeded"}, content_type="application/json"),
        405,
        "method_not_allowed",
    )
    assert_error(client.delete(detail(job)), 405, "method_not_allowed")
    with acme.scope():
        assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED


def test_jobs_need_authentication(acme):
    assert_error(Client(HTTP_HOST=acme.host()).get(LIST), 401, "not_authenticated")


def test_non_member_cannot_see_jobs(acme, globex):
    client = Client(HTTP_HOST=acme.host())
    with acme.scope():  # the session lives in the host's tenant namespace
        client.force_login(globex.admin.user)
    assert_error(client.get(LIST), 403, "forbidden")
