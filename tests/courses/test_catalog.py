"""The catalog: search (title, description, course text, ranking), filters, isolation between
tenants, the course page and the API, and a page whose query count does not grow with results."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.catalog import catalog_search
from courses.enrolments import assign, enrol_self
from courses.models import Enrollment, EnrollmentStatus
from egl_platform.errors import Invalid
from reviews.selectors import categories_list
from tests.courses.factories import publish

pytestmark = pytest.mark.django_db


def titles(entries) -> list[str]:
    return [entry.title for entry in entries]


# --- search -------------------------------------------------------------------------------------


def test_search_covers_title_description_and_course_text(acme):
    with acme.scope():
        publish(acme, title="Fire safety", description="Evacuation routes")
        publish(acme, title="Privacy basics", body="Personal data and consent forms")
        publish(acme, title="Onboarding", description="Your first week")
        actor = acme.learner
        assert titles(catalog_search(actor=actor, q="fire")) == ["Fire safety"]
        assert titles(catalog_search(actor=actor, q="evacuation")) == ["Fire safety"]
        assert titles(catalog_search(actor=actor, q="consent")) == ["Privacy basics"]
        assert titles(catalog_search(actor=actor, q="nothing-like-this")) == []
        assert len(catalog_search(actor=actor)) == 3


def test_a_title_match_ranks_above_a_body_match(acme):
    with acme.scope():
        publish(acme, title="Working safely", body="A word about ladders")
        publish(acme, title="Ladders", description="Ladders, steps and ladders")
        ranked = titles(catalog_search(actor=acme.learner, q="ladders"))
    assert ranked == ["Ladders", "Working safely"]


def test_postgres_uses_full_text_search(acme):
    if connection.vendor != "postgresql":
        pytest.skip("full-text search is PostgreSQL only")
    with acme.scope():
        publish(acme, title="Handling complaints", body="Listen, apologise, act")
        found = catalog_search(actor=acme.learner, q="apologise act")
        assert "to_tsvector" in str(found.query)
        assert titles(found) == ["Handling complaints"]


def test_unlisted_courses_are_not_found(acme):
    with acme.scope():
        publish(acme, title="Hidden gem", listed=False)
        assert titles(catalog_search(actor=acme.learner, q="gem")) == []


# --- filters ------------------------------------------------------------------------------------


def test_filters_category_language_duration_and_recency(acme):
    now = timezone.now()
    with acme.scope():
        slug = categories_list()[0].slug
        publish(acme, title="Short", minutes=5, category=slug)
        publish(acme, title="Medium", minutes=20, language="nl")
        publish(acme, title="Long", minutes=90, first_published_at=now - timedelta(days=100))
        publish(
            acme,
            title="Refreshed",
            minutes=30,
            first_published_at=now - timedelta(days=200),
            updated_at=now - timedelta(days=2),
        )
        actor = acme.learner
        assert titles(catalog_search(actor=actor, category=slug)) == ["Short"]
        assert titles(catalog_search(actor=actor, language="nl")) == ["Medium"]
        assert titles(catalog_search(actor=actor, duration="short")) == ["Short"]
        assert titles(catalog_search(actor=actor, duration="medium")) == ["Medium", "Refreshed"]
        assert titles(catalog_search(actor=actor, duration="long")) == ["Long"]
        assert titles(catalog_search(actor=actor, recency="new")) == ["Medium", "Short"]
        assert titles(catalog_search(actor=actor, recency="updated")) == ["Refreshed"]
        assert titles(catalog_search(actor=actor, sort="shortest")) == [
            "Short",
            "Medium",
            "Refreshed",
            "Long",
        ]


@pytest.mark.parametrize("bad", [{"duration": "ages"}, {"recency": "old"}, {"sort": "random"}])
def test_unknown_filter_values_are_refused(acme, bad):
    with acme.scope(), pytest.raises(Invalid):
        catalog_search(actor=acme.learner, **bad)


# --- the pages ----------------------------------------------------------------------------------


def test_the_catalog_page_lists_searches_and_filters(acme):
    with acme.scope():
        publish(acme, title="Fire safety", description="Evacuation routes", minutes=5)
        publish(acme, title="Privacy basics", minutes=45)
    client = acme.client_for(acme.learner)
    page = client.get("/catalog/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Fire safety" in body
    assert "Privacy basics" in body
    assert 'role="search"' in body
    assert 'for="id_q"' in body
    body = client.get("/catalog/", {"q": "evacuation"}).content.decode()
    assert "Fire safety" in body
    assert "Privacy basics" not in body
    body = client.get("/catalog/", {"duration": "long"}).content.decode()
    assert "Privacy basics" in body
    assert "Fire safety" not in body
    body = client.get("/catalog/", {"q": "zebra"}).content.decode()
    assert "No courses match your search and filters." in body
    # A bad value in the address falls back to the default instead of failing.
    assert client.get("/catalog/", {"duration": "ages"}).status_code == 200


def test_the_catalog_shows_the_viewers_own_badges(acme):
    with acme.scope():
        assigned = publish(acme, title="Assigned one")
        started = publish(acme, title="Started one")
        assign(actor=acme.reviewer, course=assigned.course, members=[acme.learner])
        enrolment = enrol_self(actor=acme.learner, course=started.course)
        Enrollment.objects.filter(pk=enrolment.pk).update(status=EnrollmentStatus.IN_PROGRESS)
    body = acme.client_for(acme.learner).get("/catalog/").content.decode()
    assert ">Assigned<" in body
    assert ">In progress<" in body
    other = acme.client_for(acme.author).get("/catalog/").content.decode()
    assert ">Assigned<" not in other
    assert ">In progress<" not in other


def test_the_catalog_page_does_not_run_more_queries_for_more_results(acme):
    with acme.scope():
        publish(acme, title="First")
        publish(acme, title="Second")
    client = acme.client_for(acme.learner)
    client.get("/catalog/")  # warm up: default categories seeded, session loaded
    with CaptureQueriesContext(connection) as few:
        assert client.get("/catalog/").status_code == 200
    with acme.scope():
        for n in range(12):
            entry = publish(acme, title=f"More {n}")
            if n % 3 == 0:
                enrol_self(actor=acme.learner, course=entry.course)
    with CaptureQueriesContext(connection) as many:
        body = client.get("/catalog/").content.decode()
    assert "More 11" in body
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_course_page_shows_objectives_outline_authors_and_the_action(acme):
    with acme.scope():
        entry = publish(
            acme,
            title="Fire safety",
            minutes=12,
            objectives=("Know the exits", "Use an extinguisher"),
            coauthors=(acme.reviewer,),
            rating=("4.50", 8),
        )
    client = acme.client_for(acme.learner)
    url = f"/catalog/{entry.course.uuid}/"
    body = client.get(url).content.decode()
    assert "Know the exits" in body
    assert "Use an extinguisher" in body
    assert "Fire safety basics" in body
    assert "Fire safety introduction" in body
    assert acme.author.user.name in body
    assert acme.reviewer.user.name in body
    assert "12 minutes" in body
    assert "4.5 out of 5" in body
    assert ">Enrol<" in body
    assert "Assign this course" not in body  # learners do not assign

    response = client.post(f"{url}enrol/")
    assert response.status_code == 302
    with acme.scope():
        assert Enrollment.objects.filter(course=entry.course, learner=acme.learner).count() == 1
    body = client.get(url).content.decode()
    assert ">Enrol<" not in body
    assert "Not started" in body

    reviewer_page = acme.client_for(acme.reviewer).get(url).content.decode()
    assert "Assign this course" in reviewer_page


def test_a_course_without_a_live_release_is_404(acme):
    from tests.factories import CourseFactory

    with acme.scope():
        draft = CourseFactory(owner=acme.author)
    client = acme.client_for(acme.admin)
    assert client.get(f"/catalog/{draft.uuid}/").status_code == 404
    assert client.post(f"/catalog/{draft.uuid}/enrol/").status_code == 404


# --- isolation ----------------------------------------------------------------------------------


def test_tenants_never_see_each_others_catalog(acme, globex):
    with acme.scope():
        secret = publish(acme, title="Acme secret sauce", body="marmalade")
    with globex.scope():
        publish(globex, title="Globex handbook")
        assert titles(catalog_search(actor=globex.admin)) == ["Globex handbook"]
        assert titles(catalog_search(actor=globex.admin, q="marmalade")) == []
    client = globex.client_for(globex.admin)
    body = client.get("/catalog/", {"q": "Acme"}).content.decode()
    assert "Acme secret sauce" not in body
    assert client.get(f"/catalog/{secret.course.uuid}/").status_code == 404
    assert client.post(f"/catalog/{secret.course.uuid}/enrol/").status_code == 404
    assert client.get(f"/api/v1/catalog/{secret.course.uuid}/").status_code == 404
    listed = client.get("/api/v1/catalog/").json()
    assert [row["title"] for row in listed["results"]] == ["Globex handbook"]
    with acme.scope():
        assert not Enrollment.objects.exists()


# --- the API ------------------------------------------------------------------------------------


def test_the_catalog_api_lists_with_filters_and_cursor_pagination(acme):
    with acme.scope():
        for n in range(3):
            publish(acme, title=f"Course {n}", minutes=5 + 20 * n)
        entry = publish(acme, title="Fire safety", objectives=("Know the exits",), minutes=50)
    client = acme.client_for(acme.learner)
    first = client.get("/api/v1/catalog/", {"page_size": 2}).json()
    assert [r["title"] for r in first["results"]] == ["Course 0", "Course 1"]
    second = client.get(first["next"]).json()
    assert [r["title"] for r in second["results"]] == ["Course 2", "Fire safety"]
    longer = client.get("/api/v1/catalog/", {"duration": "long"}).json()
    assert [r["title"] for r in longer["results"]] == ["Course 2", "Fire safety"]
    assert client.get("/api/v1/catalog/", {"duration": "ages"}).status_code == 400
    found = client.get("/api/v1/catalog/", {"q": "fire"}).json()
    assert [r["title"] for r in found["results"]] == ["Fire safety"]
    detail = client.get(f"/api/v1/catalog/{entry.course.uuid}/").json()
    assert detail["objectives"] == ["Know the exits"]
    assert detail["authors"] == [acme.author.user.name]
    assert detail["outline"] == [
        {"title": "Fire safety basics", "pages": ["Fire safety introduction"]}
    ]
