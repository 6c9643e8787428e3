"""Review figures on a constructed timeline: exact medians, averages and counts; the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from reviews import services
from reviews.figures import review_figures
from reviews.models import Comment, Decision, ReviewRequest
from tests.reviews.helpers import make_cast

pytestmark = pytest.mark.django_db

H = 3600.0


def _at(review, created, closed=None, decided=None):
    ReviewRequest.objects.filter(pk=review.pk).update(created_at=created, closed_at=closed)
    if decided is not None:
        Decision.objects.filter(review=review).update(created_at=decided)


def _comment(review, author, when, external=False):
    comment = Comment.objects.create(
        course=review.course,
        review=review,
        anchor="course",
        author=None if external else author,
        external_name="Expert" if external else "",
        body="Looks fine",
    )
    Comment.objects.filter(pk=comment.pk).update(created_at=when)


def build_timeline(world):
    """Five courses (see each comment); returns T0."""
    t0 = timezone.now() - timedelta(days=10)
    reviewer = world.reviewer

    # A (compliance): round 1 answered by a reviewer's comment after 2 h, changes requested
    # after 5 h; round 2 a day later, approved 4 h after it. Cycle 28 h, 2 rounds.
    a = make_cast(world, category="compliance", tag="a")
    r1 = services.review_submit(actor=a.owner, course=a.reload())
    _comment(r1, a.coauthor, t0 + timedelta(minutes=30))  # an author: does not count
    _comment(r1, reviewer, t0 + timedelta(hours=2))
    services.review_request_changes(
        actor=reviewer, review=r1, revision_number=r1.revision.number, note="Fix"
    )
    _at(r1, t0, t0 + timedelta(hours=5), decided=t0 + timedelta(hours=5))
    r2 = services.review_submit(actor=a.owner, course=a.reload())
    services.review_approve(actor=reviewer, review=r2, revision_number=r2.revision.number)
    _at(r2, t0 + timedelta(days=1), t0 + timedelta(hours=28), decided=t0 + timedelta(hours=28))

    # B (product): round 1 at +2 h, approved 10 h later (first response = the decision).
    b = make_cast(world, category="product", tag="b")
    rb = services.review_submit(actor=b.owner, course=b.reload())
    services.review_approve(actor=reviewer, review=rb, revision_number=rb.revision.number)
    _at(rb, t0 + timedelta(hours=2), t0 + timedelta(hours=12), decided=t0 + timedelta(hours=12))

    # E (product): an external reviewer comments after 1 h, approved after 1 h too.
    e = make_cast(world, category="product", tag="e")
    re_ = services.review_submit(actor=e.owner, course=e.reload())
    _comment(re_, None, t0 + timedelta(hours=1), external=True)
    services.review_approve(actor=reviewer, review=re_, revision_number=re_.revision.number)
    _at(re_, t0, t0 + timedelta(hours=1), decided=t0 + timedelta(hours=1))

    # C (compliance): open, only its owner commented: no response yet.
    c = make_cast(world, category="compliance", tag="c")
    rc = services.review_submit(actor=c.owner, course=c.reload())
    _comment(rc, c.owner, t0 + timedelta(hours=4))
    _at(rc, t0 + timedelta(hours=3))

    # D (safety): withdrawn without a response.
    d = make_cast(world, category="safety", tag="d")
    rd = services.review_submit(actor=d.owner, course=d.reload())
    services.review_withdraw(actor=d.owner, review=rd)
    _at(rd, t0 + timedelta(hours=6), t0 + timedelta(hours=7))
    return t0


def test_figures_on_a_constructed_timeline(acme, django_assert_max_num_queries):
    with acme.scope():
        build_timeline(acme)
        with django_assert_max_num_queries(4):
            figures = review_figures(actor=acme.reviewer)
    assert figures["counts"] == {
        "total": 6,
        "open": 1,
        "approved": 3,
        "changes_requested": 1,
        "rejected": 0,
        "withdrawn": 1,
    }
    # Responses: E 1 h, A1 2 h, A2 4 h, B 10 h (C and D unanswered).
    assert figures["time_to_first_response"] == {
        "count": 4,
        "median_seconds": 3 * H,
        "average_seconds": 17 / 4 * H,
    }
    # Cycles: E 1 h, B 10 h, A 28 h.
    assert figures["cycle_time"] == {
        "count": 3,
        "median_seconds": 10 * H,
        "average_seconds": 13 * H,
    }
    assert figures["rounds_to_approval"]["count"] == 3
    assert figures["rounds_to_approval"]["median"] == 1
    assert figures["rounds_to_approval"]["average"] == pytest.approx(4 / 3)


def test_figures_by_category_and_period(acme):
    with acme.scope():
        t0 = build_timeline(acme)
        product = review_figures(actor=acme.reviewer, category="product")
        later = review_figures(actor=acme.reviewer, since=t0 + timedelta(hours=3))
        early = review_figures(actor=acme.reviewer, until=t0 + timedelta(hours=2))
    assert product["counts"]["total"] == 2
    assert product["cycle_time"]["median_seconds"] == 5.5 * H
    assert product["time_to_first_response"]["average_seconds"] == 5.5 * H
    # Submitted from +3 h: A2 (+24 h), C (+3 h), D (+6 h); approvals from +3 h: A, B.
    assert later["counts"]["total"] == 3
    assert later["time_to_first_response"]["count"] == 1
    assert later["cycle_time"]["count"] == 2
    # Submitted before +2 h: A1 and E.
    assert early["counts"]["total"] == 2
    assert early["cycle_time"]["count"] == 1  # E's approval at +1 h


def test_cycle_restarts_after_an_earlier_approval(acme):
    with acme.scope():
        t0 = timezone.now() - timedelta(days=5)
        f = make_cast(acme, category="product", tag="f")
        r1 = services.review_submit(actor=f.owner, course=f.reload())
        services.review_approve(actor=acme.reviewer, review=r1, revision_number=r1.revision.number)
        _at(r1, t0, t0 + timedelta(hours=1), decided=t0 + timedelta(hours=1))
        services.course_mark_published(actor=f.owner, course=f.reload())
        r2 = services.review_submit(actor=f.owner, course=f.reload())
        services.review_approve(actor=acme.reviewer, review=r2, revision_number=r2.revision.number)
        later = t0 + timedelta(days=2)
        _at(r2, later, later + timedelta(hours=3), decided=later + timedelta(hours=3))
        figures = review_figures(actor=acme.reviewer)
    assert figures["cycle_time"]["median_seconds"] == 2 * H  # 1 h and 3 h, not 51 h
    assert figures["rounds_to_approval"]["average"] == 1


def test_figures_with_nothing_to_measure(acme):
    with acme.scope():
        figures = review_figures(actor=acme.reviewer)
    assert figures["counts"]["total"] == 0
    assert figures["cycle_time"] == {"count": 0, "median_seconds": None, "average_seconds": None}


@pytest.mark.parametrize("role", ["author", "learner"])
def test_figures_are_for_reviewers_only(acme, role):
    from egl_platform.errors import Forbidden

    with acme.scope(), pytest.raises(Forbidden):
        review_figures(actor=getattr(acme, role))
    response = acme.client_for(getattr(acme, role)).get("/api/v1/review-figures/")
    assert response.status_code == 403


def test_figures_api(acme):
    with acme.scope():
        t0 = build_timeline(acme)
    client = acme.client_for(acme.reviewer)
    body = client.get("/api/v1/review-figures/").json()
    assert body["counts"]["approved"] == 3
    assert body["time_to_first_response"]["median_seconds"] == 3 * H
    assert body["rounds_to_approval"]["median"] == 1
    since = (t0 + timedelta(hours=3)).isoformat()
    body = client.get("/api/v1/review-figures/", {"since": since, "category": "compliance"}).json()
    assert body["counts"]["total"] == 2  # A2 and C


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "yesterday"}, "since"),
        ({"until": "2026-13-01"}, "until"),
        ({"category": "no-such-category"}, "category"),
        ({"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, "until"),
    ],
)
def test_figures_api_refuses_bad_parameters(acme, params, field):
    response = acme.client_for(acme.reviewer).get("/api/v1/review-figures/", params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
