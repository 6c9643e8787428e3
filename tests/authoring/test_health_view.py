"""The course-health panel fragment: editors of the course only; findings grouped by
severity with why and how to fix; an all-clear state."""

from __future__ import annotations

import copy

import pytest
from django.urls import reverse

from authoring.document import course_document_load
from authoring.models import Course
from tests.authoring import test_archive
from tests.authoring.test_archive import course_files
from tests.authoring.test_health import good_document
from tests.factories import CourseFactory, MembershipFactory

# Fixtures shared with test_archive.
media = test_archive.media


def health_url(course: Course) -> str:
    return reverse("course-health", kwargs={"course_uuid": course.uuid})


def load(world, document, owner=None) -> Course:
    doc = copy.deepcopy(document)
    files = course_files(doc)
    with world.scope():
        return course_document_load(actor=owner or world.author, document=doc, assets=files)


@pytest.fixture
def healthy(acme, media):
    return load(acme, good_document())


@pytest.fixture
def unhealthy(acme, media):
    doc = good_document()
    doc["course"]["objectives"].append(
        {"id": "2a1c9d9e-0000-4000-8000-000000000001", "text": "Transfer a call."}
    )
    doc["course"]["estimated_minutes"] = 25
    quiz = doc["sections"][0]["pages"][1]
    quiz["blocks"].pop()
    return load(acme, doc), doc


def test_the_url_is_under_course_tools():
    url = reverse("course-health", kwargs={"course_uuid": "6f1c0f0e-0000-4000-8000-000000000000"})
    assert url == "/course-tools/6f1c0f0e-0000-4000-8000-000000000000/health/"


def test_findings_are_grouped_by_severity_with_why_and_how_to_fix(acme, unhealthy):
    course, doc = unhealthy
    response = acme.client_for(acme.author).get(health_url(course), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "<html" not in html  # a fragment
    assert 'data-health-group="warning"' in html
    assert 'data-health-group="info"' in html
    assert html.index('data-health-group="warning"') < html.index('data-health-group="info"')
    assert 'data-rule="objective_unassessed"' in html
    assert 'data-rule="quiz_too_few_questions"' in html
    assert 'data-rule="course_too_long"' in html
    assert "“Transfer a call”" in html
    quiz = doc["sections"][0]["pages"][1]
    assert f'data-health-target="page-{quiz["id"]}"' in html
    assert f"Go to the page “{quiz['title']}”" in html
    assert "<summary>Why, and how to fix it</summary>" in html
    assert 'role="status"' in html
    assert "3 suggestions" in html
    assert "All clear" not in html


def test_a_block_finding_links_to_the_block(acme, media):
    doc = good_document()
    image = doc["sections"][0]["pages"][0]["blocks"][1]
    image["data"]["alt"] = "IMG_1234.jpg"
    course = load(acme, doc)
    html = acme.client_for(acme.author).get(health_url(course)).content.decode()
    assert f'data-block-id="{image["id"]}"' in html
    assert f'href="#block-{image["id"]}"' in html or f'#block-{image["id"]}"' in html


def test_a_healthy_course_is_all_clear(acme, healthy):
    response = acme.client_for(acme.author).get(health_url(healthy))
    html = response.content.decode()
    assert response.status_code == 200
    assert "All clear" in html
    assert "data-health-clear" in html
    assert "data-health-finding" not in html


def test_a_co_author_and_a_reviewer_see_it(acme, healthy):
    from authoring.models import CourseAuthor

    with acme.scope():
        coauthor = MembershipFactory(roles=["author"])
        CourseAuthor.objects.create(course=healthy, membership=coauthor)
    assert acme.client_for(coauthor).get(health_url(healthy)).status_code == 200
    assert acme.client_for(acme.reviewer).get(health_url(healthy)).status_code == 200


def test_another_author_gets_404(acme, healthy):
    with acme.scope():
        other = MembershipFactory(roles=["author"])
    assert acme.client_for(other).get(health_url(healthy)).status_code == 404


def test_a_learner_gets_403(acme, healthy):
    assert acme.client_for(acme.learner).get(health_url(healthy)).status_code == 403


def test_another_tenant_gets_404(acme, globex, healthy):
    assert globex.client_for(globex.admin).get(health_url(healthy)).status_code == 404


def test_a_missing_course_is_404(acme):
    url = reverse("course-health", kwargs={"course_uuid": "6f1c0f0e-0000-4000-8000-000000000000"})
    assert acme.client_for(acme.author).get(url).status_code == 404


def test_get_only(acme, healthy):
    assert acme.client_for(acme.author).post(health_url(healthy)).status_code == 405


def test_an_empty_course_says_objectives_are_missing(acme):
    with acme.scope():
        course = CourseFactory(owner=acme.author)
    html = acme.client_for(acme.author).get(health_url(course)).content.decode()
    assert 'data-rule="objectives_missing"' in html


def test_the_panel_costs_a_bounded_number_of_queries(
    acme, unhealthy, django_assert_max_num_queries
):
    course, _doc = unhealthy
    client = acme.client_for(acme.author)
    client.get(health_url(course))  # warm the session and tenant caches
    with django_assert_max_num_queries(10):
        assert client.get(health_url(course)).status_code == 200


def test_findings_are_computed_once_per_course_version(
    acme, healthy, django_assert_max_num_queries
):
    """The editor reloads the panel after every save: an unchanged course is not re-checked,
    and any write to the draft (it bumps the course version) is."""
    from authoring.services.courses import course_update

    client = acme.client_for(acme.author)
    first = client.get(health_url(healthy), HTTP_HX_REQUEST="true")
    assert first.status_code == 200
    assert "Transfer a call" not in first.content.decode()
    with django_assert_max_num_queries(3):  # session, membership, course: no document build
        again = client.get(health_url(healthy), HTTP_HX_REQUEST="true")
    assert again.content == first.content

    with acme.scope():
        course = Course.objects.get(pk=healthy.pk)
        objectives = [*course.objectives, {"text": "Transfer a call."}]
        course_update(actor=acme.author, course=course, objectives=objectives)
    after = client.get(health_url(healthy), HTTP_HX_REQUEST="true").content.decode()
    assert "Transfer a call" in after  # the new objective is not assessed by any question
