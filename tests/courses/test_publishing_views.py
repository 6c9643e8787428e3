"""The releases page, the publish form (a job with a progress page), rollback, and the API."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from authoring.models import Course, CourseStatus
from authoring.services.courses import course_update
from courses import publishing
from courses.models import CatalogEntry, Release
from egl_platform.models import Job, JobStatus
from tests.reviews.helpers import bring_to, make_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(acme):
    with acme.scope():
        return make_cast(acme, category="product", tag="p")


@pytest.fixture
def compliance(acme):
    with acme.scope():
        return make_cast(acme, category="compliance", tag="c")


def page_url(cast):
    return f"/publishing/courses/{cast.course.uuid}/"


def publish_url(cast):
    return f"/publishing/courses/{cast.course.uuid}/publish/"


def rollback_url(release):
    return f"/publishing/releases/{release.uuid}/rollback/"


def api_releases(cast):
    return f"/api/v1/courses/{cast.course.uuid}/releases/"


def api_rollback(release):
    return f"/api/v1/releases/{release.uuid}/rollback/"


def publish_now(cast, notes=""):
    return publishing.release_publish(
        actor=cast.owner, course=Course.objects.get(pk=cast.course.pk), notes=notes, run_now=True
    )


def two_releases(acme, cast):
    with acme.scope():
        publish_now(cast, "One")
        course_update(actor=cast.owner, course=cast.reload(), title="Second title")
        publish_now(cast, "Two")
        return Release.objects.get(course=cast.course, number=1)


def live_number(acme, cast):
    with acme.scope():
        return CatalogEntry.objects.get(course=cast.course).live_release.number


# --- HTML -----------------------------------------------------------------------------------------


def test_publish_form_starts_the_job_and_leads_to_its_progress_page(
    acme, product, django_capture_on_commit_callbacks
):
    client = acme.client_for(product.owner)
    page = client.get(page_url(product)).content.decode()
    assert publish_url(product) in page
    assert "no releases yet" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(publish_url(product), {"notes": "Launch"})
    assert response.status_code == 302
    with acme.scope():
        job = Job.objects.get()
        assert response["Location"] == reverse("jobs:detail", kwargs={"job_uuid": job.uuid})
        assert (job.kind, job.status, job.progress) == ("courses.publish", JobStatus.SUCCEEDED, 100)
        release = Release.objects.get(course=product.course)
        assert release.notes == "Launch"
    detail = client.get(response["Location"]).content.decode()
    assert "Publish a course" in detail
    assert page_url(product) in detail  # back to the releases
    page = client.get(page_url(product)).content.decode()
    assert "Launch" in page
    assert "Live" in page


def test_refused_publish_renders_the_page_with_the_reason(acme, compliance):
    client = acme.client_for(compliance.owner)
    page = client.get(page_url(compliance)).content.decode()
    assert publish_url(compliance) not in page
    assert "requires approval" in page
    response = client.post(publish_url(compliance), {"notes": "Typed notes"})
    assert response.status_code == 409
    assert "requires approval" in response.content.decode()
    with acme.scope():
        assert not Job.objects.exists()
        assert compliance.reload().status == CourseStatus.DRAFT


def test_too_long_notes_are_refused_and_kept(acme, product):
    response = acme.client_for(product.owner).post(publish_url(product), {"notes": "x" * 5001})
    assert response.status_code == 400
    with acme.scope():
        assert not Job.objects.exists()


def test_rollback_button_for_reviewers(acme, product):
    first = two_releases(acme, product)
    author_page = acme.client_for(product.owner).get(page_url(product)).content.decode()
    assert rollback_url(first) not in author_page
    client = acme.client_for(acme.reviewer)
    assert rollback_url(first) in client.get(page_url(product)).content.decode()
    response = client.post(rollback_url(first))
    assert response.status_code == 302
    assert response["Location"] == page_url(product)
    assert live_number(acme, product) == 1
    again = client.post(rollback_url(first))
    assert again.status_code == 409
    assert "already live" in again.content.decode()


def test_rollback_roles_and_tenants(acme, globex, product):
    first = two_releases(acme, product)
    assert acme.client_for(product.owner).post(rollback_url(first)).status_code == 403
    assert acme.client_for(acme.learner).post(rollback_url(first)).status_code == 403
    assert globex.client_for(globex.admin).post(rollback_url(first)).status_code == 404
    assert live_number(acme, product) == 2


@pytest.mark.parametrize(("method", "which"), [("get", "page"), ("post", "publish")])
def test_page_roles_and_tenants(acme, globex, product, method, which):
    url = page_url(product) if which == "page" else publish_url(product)
    assert getattr(acme.client_for(acme.learner), method)(url).status_code == 403
    assert getattr(acme.client_for(product.other_author), method)(url).status_code == 404
    assert getattr(globex.client_for(globex.admin), method)(url).status_code == 404
    with acme.scope():
        assert not Job.objects.exists()


def test_workspace_card_publishes_through_the_release_form(acme, product):
    client = acme.client_for(product.owner)
    card = client.get(f"/reviews/courses/{product.course.uuid}/workspace/").content.decode()
    assert publish_url(product) in card
    assert 'name="notes"' in card
    assert page_url(product) in card
    # The old address no longer publishes by itself: it leads to the releases page.
    response = client.post(f"/reviews/courses/{product.course.uuid}/publish/")
    assert response.status_code == 302
    assert response["Location"].startswith(page_url(product))
    with acme.scope():
        assert product.reload().status == CourseStatus.DRAFT
        assert not Release.objects.exists()


# --- API ------------------------------------------------------------------------------------------


def test_api_publish_answers_202_with_the_job_and_lists_releases(
    acme, product, django_capture_on_commit_callbacks
):
    client = acme.client_for(product.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            api_releases(product), {"notes": "Via API"}, content_type="application/json"
        )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["kind"] == "courses.publish"
    job = client.get(f"/api/v1/jobs/{body['uuid']}/").json()
    assert (job["status"], job["progress"], job["result"]["number"]) == ("succeeded", 100, 1)
    listing = client.get(api_releases(product)).json()
    (release,) = listing["results"]
    assert (release["number"], release["notes"], release["is_live"]) == (1, "Via API", True)
    assert release["uuid"] == job["result"]["release"]


def test_api_publish_refusals(acme, globex, compliance):
    client = acme.client_for(compliance.owner)
    refused = client.post(api_releases(compliance), {}, content_type="application/json")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "conflict"
    too_long = client.post(
        api_releases(compliance), {"notes": "x" * 5001}, content_type="application/json"
    )
    assert too_long.status_code == 400
    learner = acme.client_for(acme.learner)
    assert learner.get(api_releases(compliance)).status_code == 403
    assert (
        learner.post(api_releases(compliance), {}, content_type="application/json").status_code
        == 403
    )
    foreign = globex.client_for(globex.admin)
    assert foreign.get(api_releases(compliance)).status_code == 404
    assert (
        foreign.post(api_releases(compliance), {}, content_type="application/json").status_code
        == 404
    )
    with acme.scope():
        assert not Job.objects.exists()


def test_api_rollback(acme, globex, product):
    first = two_releases(acme, product)
    assert acme.client_for(product.owner).post(api_rollback(first)).status_code == 403
    assert globex.client_for(globex.admin).post(api_rollback(first)).status_code == 404
    client = acme.client_for(acme.reviewer)
    response = client.post(api_rollback(first))
    assert response.status_code == 200
    assert (response.json()["number"], response.json()["is_live"]) == (1, True)
    assert client.post(api_rollback(first)).status_code == 409
    assert live_number(acme, product) == 1
    listing = client.get(api_releases(product)).json()["results"]
    assert [(r["number"], r["is_live"]) for r in listing] == [(2, False), (1, True)]


def test_approved_course_published_through_the_api(
    acme, compliance, django_capture_on_commit_callbacks
):
    with acme.scope():
        bring_to(compliance, CourseStatus.APPROVED)
    client = acme.client_for(acme.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(api_releases(compliance), {}, content_type="application/json")
    assert response.status_code == 202
    with acme.scope():
        assert compliance.reload().status == CourseStatus.PUBLISHED
        assert (
            json.loads(json.dumps(Release.objects.get().document))["course"]["title"] == "Course c"
        )
