"""Recognition pages and API: the rating form on the catalog and results pages, saving and
refusing a rating, the impact pages (who may see them, query counts that do not grow with the
feedback), thanking, and the same through /api/v1/."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses import recognition
from courses.models import EnrollmentStatus, Rating
from reviews.models import Notification, NotificationKind
from tests.api_helpers import assert_error
from tests.courses.factories import publish
from tests.courses.test_recognition import constructed, enrol, entry_of, rated
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def rate_url(entry) -> str:
    return reverse("recognition:rate", kwargs={"course_uuid": entry.course.uuid})


# --- the rating form ----------------------------------------------------------------------------


def test_the_catalog_page_offers_an_accessible_rating_form_to_a_started_learner(acme):
    with acme.scope():
        entry = publish(acme, title="Ladders")
        enrol(entry, acme.learner)
    page = acme.client_for(acme.learner).get(
        reverse("catalog:course", kwargs={"course_uuid": entry.course.uuid})
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "<legend>Your rating</legend>" in html
    for star, label in [(1, "1 star"), (3, "3 stars"), (5, "5 stars")]:
        assert f'value="{star}"' in html
        assert label in html
    assert 'name="feedback"' in html
    assert f'action="{rate_url(entry)}"' in html


def test_the_results_page_shows_the_rating_and_a_not_started_learner_gets_the_reason(acme):
    with acme.scope():
        entry = publish(acme, title="Ladders")
        enrol(entry, acme.learner, status=EnrollmentStatus.ENROLLED, started=False)
    client = acme.client_for(acme.learner)
    course_page = client.get(reverse("catalog:course", kwargs={"course_uuid": entry.course.uuid}))
    assert "Start the course before you rate it" in course_page.content.decode()
    assert "<legend>Your rating</legend>" not in course_page.content.decode()
    with acme.scope():
        Rating.objects.all().delete()
        enrollment = entry.course.enrollments.get()
        enrollment.status = EnrollmentStatus.COMPLETED
        enrollment.save(update_fields=["status"])
        recognition.rating_set(actor=acme.learner, course=entry.course, stars=4)
    results = client.get(reverse("player:results", kwargs={"course_uuid": entry.course.uuid}))
    html = results.content.decode()
    assert results.status_code == 200
    assert "You rated this course 4 out of 5." in html
    assert html.count(" checked") == 1
    assert 'value="4" id="rating-stars_3" required checked' in html


def test_posting_a_rating_saves_it_and_goes_back(acme):
    with acme.scope():
        entry = publish(acme, title="Ladders")
        enrol(entry, acme.learner)
    client = acme.client_for(acme.learner)
    course_url = reverse("catalog:course", kwargs={"course_uuid": entry.course.uuid})
    response = client.post(
        rate_url(entry), {"stars": "5", "feedback": "Clear <i>and</i> short", "next": course_url}
    )
    assert response.status_code == 302
    assert response["Location"] == course_url
    response = client.post(rate_url(entry), {"stars": "3", "next": "https://evil.test/"})
    assert response["Location"] == course_url
    with acme.scope():
        rating = Rating.objects.get()
        assert (rating.stars, rating.feedback) == (3, "")
        assert entry_of(entry).rating_average == Decimal("3.00")


@pytest.mark.parametrize("stars", ["0", "6", "x", ""])
def test_a_bad_rating_post_is_400_with_the_message_and_changes_nothing(acme, stars):
    with acme.scope():
        entry = publish(acme, title="Ladders")
        enrol(entry, acme.learner)
    response = acme.client_for(acme.learner).post(
        rate_url(entry), {"stars": stars, "feedback": "typed text"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose a rating from 1 to 5 stars." in html
    assert "typed text" in html
    with acme.scope():
        assert not Rating.objects.exists()
        assert entry_of(entry).rating_count == 0


def test_rating_without_a_started_enrolment_is_403_and_another_tenant_404(acme, globex):
    with acme.scope():
        entry = publish(acme, title="Ladders")
    assert acme.client_for(acme.learner).post(rate_url(entry), {"stars": "5"}).status_code == 403
    with globex.scope():
        enrol(publish(globex), globex.learner)
    assert (
        globex.client_for(globex.learner).post(rate_url(entry), {"stars": "5"}).status_code == 404
    )
    with acme.scope():
        assert not Rating.objects.exists()


# --- impact pages -------------------------------------------------------------------------------


def test_the_impact_pages_show_the_authors_figures(acme):
    with acme.scope():
        data = constructed(acme)
    client = acme.client_for(acme.author)
    overview = client.get(reverse("recognition:impact"))
    html = overview.content.decode()
    assert overview.status_code == 200
    assert "A course" in html
    assert "B course" in html
    assert "C course" not in html
    page = client.get(reverse("recognition:course", kwargs={"course_uuid": data["a"].course.uuid}))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Loved it" in html
    assert "4.5 out of 5 (2 ratings)" in html
    assert html.count("Thank ") >= 2
    nav = client.get(reverse("home")).content.decode()
    assert reverse("recognition:impact") in nav


def test_impact_pages_refuse_learners_and_other_courses(acme, globex):
    with acme.scope():
        data = constructed(acme)
    learner = acme.client_for(acme.learner)
    assert learner.get(reverse("recognition:impact")).status_code == 403
    a_url = reverse("recognition:course", kwargs={"course_uuid": data["a"].course.uuid})
    c_url = reverse("recognition:course", kwargs={"course_uuid": data["c"].course.uuid})
    assert learner.get(a_url).status_code == 403
    assert reverse("recognition:impact") not in learner.get(reverse("home")).content.decode()
    assert acme.client_for(acme.author).get(c_url).status_code == 404
    assert globex.client_for(globex.admin).get(a_url).status_code == 404
    assert acme.client_for(acme.reviewer).get(c_url).status_code == 200


def test_the_course_impact_page_costs_the_same_queries_with_more_feedback(acme):
    with acme.scope():
        entry, _rating = rated(acme)
    client = acme.client_for(acme.author)
    url = reverse("recognition:course", kwargs={"course_uuid": entry.course.uuid})
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    with acme.scope():
        for number in range(12):
            learner = MembershipFactory(roles=[])
            enrol(entry, learner, status=EnrollmentStatus.COMPLETED)
            recognition.rating_set(
                actor=learner, course=entry.course, stars=1 + number % 5, feedback=f"Note {number}"
            )
            if number % 3 == 0:
                recognition.rating_thank(
                    actor=acme.author, rating=Rating.objects.get(learner=learner)
                )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert "Note 11" in response.content.decode()
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    overview_url = reverse("recognition:impact")
    with CaptureQueriesContext(connection) as overview:
        assert client.get(overview_url).status_code == 200
    with acme.scope():
        publish(acme, title="Another")
    with CaptureQueriesContext(connection) as overview_more:
        assert client.get(overview_url).status_code == 200
    assert len(overview_more) == len(overview)


def test_thanking_from_the_page_once_then_409(acme, django_capture_on_commit_callbacks):
    with acme.scope():
        _entry, rating = rated(acme)
    client = acme.client_for(acme.author)
    url = reverse("recognition:thank", kwargs={"rating_uuid": rating.uuid})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"message": "Thanks!"})
    assert response.status_code == 302
    second = client.post(url, {"message": "Again"})
    assert second.status_code == 409
    assert "already been thanked" in second.content.decode()
    assert acme.client_for(acme.learner).post(url, {"message": "x"}).status_code == 403
    with acme.scope():
        assert Rating.objects.get(pk=rating.pk).thanks_message == "Thanks!"
        assert Notification.objects.filter(kind=NotificationKind.THANKS).count() == 1


# --- API ----------------------------------------------------------------------------------------


def api(entry, what: str) -> str:
    return f"/api/v1/courses/{entry.course.uuid}/{what}/"


def test_api_rating_get_and_put(acme):
    with acme.scope():
        entry = publish(acme, title="Ladders")
        enrol(entry, acme.learner)
    client = acme.client_for(acme.learner)
    mine = client.get(api(entry, "rating"))
    assert mine.status_code == 200
    assert mine.json()["stars"] is None
    assert mine.json()["can_rate"] is True
    put = client.put(
        api(entry, "rating"), {"stars": 4, "feedback": "Good"}, content_type="application/json"
    )
    assert put.status_code == 200, put.content
    assert (put.json()["stars"], put.json()["feedback"]) == (4, "Good")
    for bad in (0, 6, "x", None):
        refused = client.put(api(entry, "rating"), {"stars": bad}, content_type="application/json")
        error = assert_error(refused, 400, "invalid")
        assert "stars" in error["fields"]
    with acme.scope():
        assert Rating.objects.get().stars == 4
        assert entry_of(entry).rating_average == Decimal("4.00")


def test_api_rating_refusals(acme, globex):
    with acme.scope():
        entry = publish(acme, title="Ladders")
    body = {"stars": 5}
    refused = acme.client_for(acme.learner).put(
        api(entry, "rating"), body, content_type="application/json"
    )
    assert_error(refused, 403, "forbidden")
    other = globex.client_for(globex.admin).put(
        api(entry, "rating"), body, content_type="application/json"
    )
    assert_error(other, 404, "not_found")


def test_api_impact_and_ratings_and_thanks(acme, globex):
    with acme.scope():
        data = constructed(acme)
        a_rating = Rating.objects.get(course=data["a"].course, stars=5)
    author = acme.client_for(acme.author)
    impact = author.get(api(data["a"], "impact"))
    assert impact.status_code == 200
    body = impact.json()
    assert (body["learners"], body["started"], body["completed"]) == (4, 3, 2)
    assert (body["completion_rate"], body["rating_average"], body["rating_count"]) == (
        50,
        "4.50",
        2,
    )
    assert body["distribution"][0] == {"stars": 5, "count": 1, "percent": 50}
    ratings = author.get(api(data["a"], "ratings"))
    assert [r["stars"] for r in ratings.json()["results"]] == [4, 5]
    mine = author.get("/api/v1/impact/")
    assert [c["title"] for c in mine.json()["courses"]] == ["A course", "B course"]
    assert_error(author.get(api(data["c"], "impact")), 404, "not_found")
    assert_error(acme.client_for(acme.learner).get(api(data["a"], "impact")), 403, "forbidden")
    assert_error(globex.client_for(globex.admin).get(api(data["a"], "impact")), 404, "not_found")

    thank_url = f"/api/v1/ratings/{a_rating.uuid}/thank/"
    assert_error(acme.client_for(acme.learner).post(thank_url, {}), 403, "forbidden")
    assert_error(globex.client_for(globex.admin).post(thank_url, {}), 404, "not_found")
    thanked = author.post(thank_url, {"message": "Thank you"}, content_type="application/json")
    assert thanked.status_code == 200, thanked.content
    assert thanked.json()["thanks_message"] == "Thank you"
    assert thanked.json()["thanked_by"]["uuid"] == str(acme.author.uuid)
    again = author.post(thank_url, {"message": "Twice"}, content_type="application/json")
    assert_error(again, 409, "conflict")
