"""The L&D review queue (filters, order, pages, query counts, roles) and a course's history."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from egl_platform.errors import Forbidden
from reviews import queue, services
from reviews.models import Comment, ReviewRequest
from tests.factories import MembershipFactory
from tests.reviews.helpers import make_cast

pytestmark = pytest.mark.django_db


def submit(world, tag, *, category="compliance", days_ago=0, reviewers=()):
    """A course with one open round submitted `days_ago` days ago."""
    cast = make_cast(world, category=category, tag=tag)
    review = services.review_submit(
        actor=cast.owner, course=cast.reload(), reviewers=list(reviewers)
    )
    ReviewRequest.objects.filter(pk=review.pk).update(
        created_at=timezone.now() - timedelta(days=days_ago, minutes=1)
    )
    return cast, review


def titles(response):
    """Course titles of the queue's rows, in order."""
    return re.findall(
        r'<th scope="row">\s*(?:<a href="[^"]*">)?(Course [^<]*)<', response.content.decode()
    )


@pytest.fixture
def rounds(acme):
    """Four open rounds of different age, category and reviewers, and one approved round."""
    with acme.scope():
        other = MembershipFactory(roles=["reviewer"], user__email="rita@acme.test")
        submit(acme, "old", days_ago=8, reviewers=[acme.reviewer])
        submit(acme, "mid", category="product", days_ago=4, reviewers=[other])
        submit(acme, "new", days_ago=0)
        submit(acme, "two", category="safety", days_ago=2, reviewers=[acme.reviewer, other])
        _done, review = submit(acme, "done", category="product", days_ago=20)
        services.review_approve(
            actor=acme.reviewer, review=review, revision_number=review.revision.number
        )
    return {"other": other}


def get(acme, params=None, member=None):
    return acme.client_for(member or acme.reviewer).get("/reviews/", params or {})


def test_queue_lists_open_rounds_waiting_longest_first(acme, rounds):
    response = get(acme)
    assert response.status_code == 200
    assert titles(response) == ["Course old", "Course mid", "Course two", "Course new"]
    content = response.content.decode()
    assert "0 of 1" in content  # approvals so far of those needed
    assert "L&amp;D queue" in content  # the round nobody was asked for


def test_queue_sorts_newest_first(acme, rounds):
    response = get(acme, {"sort": "newest"})
    assert titles(response) == ["Course new", "Course two", "Course mid", "Course old"]


def test_queue_filters_by_status_and_category(acme, rounds):
    assert titles(get(acme, {"status": "approved"})) == ["Course done"]
    assert titles(get(acme, {"status": "all", "category": "product"})) == [
        "Course done",
        "Course mid",
    ]
    assert titles(get(acme, {"category": "product"})) == ["Course mid"]


def test_queue_filters_by_reviewer(acme, rounds):
    assert titles(get(acme, {"reviewer": "me"})) == ["Course old", "Course two"]
    assert titles(get(acme, {"reviewer": "unassigned"})) == ["Course new"]
    other = str(rounds["other"].uuid)
    assert titles(get(acme, {"reviewer": other})) == ["Course mid", "Course two"]


def test_queue_filters_by_age(acme, rounds):
    assert titles(get(acme, {"age": "1"})) == ["Course old", "Course mid", "Course two"]
    assert titles(get(acme, {"age": "3"})) == ["Course old", "Course mid"]
    assert titles(get(acme, {"age": "7"})) == ["Course old"]


def test_queue_empty_states_say_why(acme, rounds):
    content = get(acme, {"age": "7", "category": "safety"}).content.decode()
    assert "has waited more than 7 days" in content
    content = get(acme, {"reviewer": "me", "category": "product"}).content.decode()
    assert "Nobody has asked you to review" in content


def test_queue_ignores_invalid_filters(acme, rounds):
    response = get(acme, {"status": "nonsense", "age": "x", "reviewer": "nobody", "sort": "up"})
    assert response.status_code == 200
    assert titles(response) == ["Course old", "Course mid", "Course two", "Course new"]


def test_queue_shows_headline_figures(acme, rounds):
    content = get(acme).content.decode()
    assert "Time to first response" in content
    assert "1 approved" in content


def _many_rounds(world, cast, n):
    for _ in range(n):
        review = services.review_submit(actor=cast.owner, course=cast.reload())
        services.review_withdraw(actor=cast.owner, review=review)


def test_queue_pages_by_25(acme):
    with acme.scope():
        cast = make_cast(acme, tag="many")
        _many_rounds(acme, cast, 27)
    first = get(acme, {"status": "all"})
    assert len(titles(first)) == 25
    content = first.content.decode()
    assert 'aria-label="Pages"' in content
    assert "Page 1 of 2" in content
    second = get(acme, {"status": "all", "page": "2"})
    assert len(titles(second)) == 2


def test_queue_query_count_does_not_grow_with_rows(acme, django_assert_max_num_queries):
    with acme.scope():
        cast = make_cast(acme, tag="few")
        _many_rounds(acme, cast, 2)
    client = acme.client_for(acme.reviewer)
    client.get("/reviews/")  # warm the session and the seeded categories
    with django_assert_max_num_queries(22) as few:
        client.get("/reviews/", {"status": "all"})
    with acme.scope():
        other = make_cast(acme, tag="more")
        for n in range(20):
            review = services.review_submit(
                actor=other.owner, course=other.reload(), reviewers=[acme.reviewer]
            )
            services.review_withdraw(actor=other.owner, review=review)
            assert n < 25
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/reviews/", {"status": "all"})
    assert len(titles(response)) == 22


def test_queue_is_for_reviewers(acme, rounds):
    response = get(acme, member=acme.author)
    assert response.status_code == 403
    assert "Review and publishing" in response.content.decode()  # where authors look instead
    assert get(acme, member=acme.learner).status_code == 403
    with acme.scope(), pytest.raises(Forbidden):
        queue.queue_reviews(actor=acme.author)


def test_queue_shows_no_other_tenants_rounds(acme, globex):
    with globex.scope():
        submit(globex, "globex-secret")
    response = get(acme)
    assert "globex-secret" not in response.content.decode()


def test_nav_shows_reviews_to_reviewers_only(acme):
    home_reviewer = acme.client_for(acme.reviewer).get("/").content.decode()
    home_author = acme.client_for(acme.author).get("/").content.decode()
    assert 'href="/reviews/"' in home_reviewer
    assert 'href="/reviews/"' not in home_author


# --- history -------------------------------------------------------------------------------------


@pytest.fixture
def history(acme):
    with acme.scope():
        cast = make_cast(acme, tag="hist")
        first = services.review_submit(actor=cast.owner, course=cast.reload(), message="First go")
        Comment.objects.create(
            course=cast.course, review=first, anchor="course", author=acme.reviewer, body="Hm"
        )
        services.review_request_changes(
            actor=acme.reviewer,
            review=first,
            revision_number=first.revision.number,
            note="Shorten page 2",
        )
        services.review_submit(actor=cast.owner, course=cast.reload(), message="Second go")
    return cast


def test_history_lists_every_round_with_decisions(acme, history):
    response = acme.client_for(acme.reviewer).get(
        f"/reviews/courses/{history.course.uuid}/history/"
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert content.index("Round 2") < content.index("Round 1")
    assert "First go" in content
    assert "Second go" in content
    assert "Shorten page 2" in content
    assert "Changes requested" in content


def test_history_is_for_reviewers_and_the_courses_authors(acme, globex, history):
    url = f"/reviews/courses/{history.course.uuid}/history/"
    assert acme.client_for(history.coauthor).get(url).status_code == 200
    assert acme.client_for(history.other_author).get(url).status_code == 404
    assert acme.client_for(acme.learner).get(url).status_code == 403
    assert globex.client_for(globex.admin).get(url).status_code == 404


def test_history_query_count_does_not_grow_with_rounds(acme, django_assert_max_num_queries):
    with acme.scope():
        cast = make_cast(acme, tag="hq")
        _many_rounds(acme, cast, 2)
    client = acme.client_for(acme.reviewer)
    url = f"/reviews/courses/{cast.course.uuid}/history/"
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    with acme.scope():
        _many_rounds(acme, cast, 10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_queue_answers_htmx_with_the_results_only(acme, rounds):
    response = acme.client_for(acme.reviewer).get(
        "/reviews/", {"category": "product"}, HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert "<html" not in content
    assert titles(response) == ["Course mid"]
    assert "HX-Request" in response["Vary"]
