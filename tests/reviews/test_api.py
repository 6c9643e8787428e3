"""The review API: shapes, roles, the error envelope, and other tenants' reviews as 404."""

from __future__ import annotations

import json

import pytest

from authoring.models import CourseStatus
from authoring.services.courses import course_create
from reviews import services
from reviews.models import Decision, ReviewCategory, ReviewStatus
from tests.factories import MembershipFactory
from tests.reviews.helpers import make_cast

pytestmark = pytest.mark.django_db


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def cast(acme):
    with acme.scope():
        return make_cast(acme)


def submit(acme, cast, **body):
    client = acme.client_for(cast.owner)
    return post(client, "/api/v1/review-submissions/", {"course": str(cast.course.uuid), **body})


def test_submit_answers_the_new_round(acme, cast):
    response = submit(acme, cast, message="Please look", reviewers=[str(acme.reviewer.uuid)])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["round"] == 1
    assert body["status"] == "open"
    assert body["message"] == "Please look"
    assert body["course"]["uuid"] == str(cast.course.uuid)
    assert body["course"]["status"] == "in_review"
    assert body["reviewers"] == [
        {"uuid": str(acme.reviewer.uuid), "display_name": acme.reviewer.user.name}
    ]
    assert body["approval_count"] == 0
    assert body["decisions"] == []
    assert isinstance(body["revision_number"], int)


def test_submit_twice_is_a_conflict_in_the_error_envelope(acme, cast):
    assert submit(acme, cast).status_code == 201
    response = submit(acme, cast)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_submit_with_unknown_reviewer_is_invalid(acme, globex, cast):
    response = submit(acme, cast, reviewers=[str(globex.reviewer.uuid)])
    assert response.status_code == 400
    assert "reviewers" in response.json()["error"]["fields"]
    with acme.scope():
        assert cast.reload().status == CourseStatus.DRAFT


def test_learner_cannot_submit_or_list(acme, cast):
    client = acme.client_for(acme.learner)
    assert (
        post(client, "/api/v1/review-submissions/", {"course": str(cast.course.uuid)}).status_code
        == 403
    )
    assert client.get("/api/v1/reviews/").status_code == 403


def test_decide_through_the_api(acme, cast):
    review = submit(acme, cast).json()
    url = f"/api/v1/reviews/{review['uuid']}/"
    client = acme.client_for(acme.reviewer)
    stale = post(client, url + "approve/", {"revision_number": review["revision_number"] + 7})
    assert stale.status_code == 409
    assert "version" in stale.json()["error"]["message"]
    no_note = post(client, url + "request-changes/", {"revision_number": review["revision_number"]})
    assert no_note.status_code == 400
    assert "note" in no_note.json()["error"]["fields"]
    owner = acme.client_for(cast.owner)
    assert (
        post(owner, url + "approve/", {"revision_number": review["revision_number"]}).status_code
        == 403
    )
    approved = post(
        client, url + "approve/", {"revision_number": review["revision_number"], "note": "Good"}
    )
    assert approved.status_code == 200, approved.content
    body = approved.json()
    assert body["status"] == "approved"
    assert body["course"]["status"] == "approved"
    assert body["approval_count"] == 1
    assert body["decisions"][0]["kind"] == "approve"
    assert body["decisions"][0]["note"] == "Good"
    assert body["decisions"][0]["reviewer"]["uuid"] == str(acme.reviewer.uuid)


def test_author_withdraws(acme, cast):
    review = submit(acme, cast).json()
    response = post(acme.client_for(cast.owner), f"/api/v1/reviews/{review['uuid']}/withdraw/")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert response.json()["course"]["status"] == "draft"


def test_reject_needs_a_reason(acme, cast):
    review = submit(acme, cast).json()
    client = acme.client_for(acme.reviewer)
    url = f"/api/v1/reviews/{review['uuid']}/reject/"
    assert (
        post(client, url, {"revision_number": review["revision_number"], "reason": ""}).status_code
        == 400
    )
    response = post(
        client, url, {"revision_number": review["revision_number"], "reason": "Off topic"}
    )
    assert response.status_code == 200
    assert response.json()["course"]["status"] == "draft"


def test_list_scopes_and_filters(acme, cast):
    review = submit(acme, cast).json()
    with acme.scope():
        someone = MembershipFactory(roles=["author"])
        theirs = course_create(actor=someone, title="Theirs", category="product")
        other_review = services.review_submit(actor=someone, course=theirs)
    reviewer = acme.client_for(acme.reviewer)
    everything = reviewer.get("/api/v1/reviews/").json()["results"]
    assert len(everything) == 2
    compliance = reviewer.get("/api/v1/reviews/?category=compliance").json()["results"]
    assert [r["uuid"] for r in compliance] == [review["uuid"]]
    assert reviewer.get("/api/v1/reviews/?status=approved").json()["results"] == []
    assert reviewer.get("/api/v1/reviews/?status=bogus").status_code == 400
    mine = acme.client_for(cast.owner).get("/api/v1/reviews/").json()["results"]
    assert [r["uuid"] for r in mine] == [review["uuid"]]
    co = acme.client_for(cast.coauthor).get("/api/v1/reviews/").json()["results"]
    assert [r["uuid"] for r in co] == [review["uuid"]]
    # Someone else's review is 404 to an author who does not write that course.
    owner = acme.client_for(cast.owner)
    assert owner.get(f"/api/v1/reviews/{other_review.uuid}/").status_code == 404
    assert owner.get(f"/api/v1/reviews/{review['uuid']}/").status_code == 200


def test_acme_reviewer_cannot_see_or_decide_globex_reviews(acme, globex, cast):
    with globex.scope():
        theirs = make_cast(globex)
        review = services.review_submit(actor=theirs.owner, course=theirs.course)
    client = acme.client_for(acme.admin)
    url = f"/api/v1/reviews/{review.uuid}/"
    assert client.get(url).status_code == 404
    for action in ("approve", "request-changes", "reject", "withdraw"):
        response = post(
            client,
            url + f"{action}/",
            {"revision_number": review.revision.number, "note": "x", "reason": "x"},
        )
        assert response.status_code == 404, action
    assert (
        post(client, "/api/v1/review-submissions/", {"course": str(theirs.course.uuid)}).status_code
        == 404
    )
    assert client.get("/api/v1/reviews/").json()["results"] == []
    with globex.scope():
        review.refresh_from_db()
        assert review.status == ReviewStatus.OPEN
        assert not Decision.objects.exists()


def test_categories_list_and_admin_update(acme):
    author = acme.client_for(acme.author)
    listed = author.get("/api/v1/review-categories/")
    assert listed.status_code == 200
    by_slug = {c["slug"]: c for c in listed.json()}
    assert by_slug["compliance"]["approval_required"] is True
    assert by_slug["product"]["approval_required"] is False
    url = f"/api/v1/review-categories/{by_slug['product']['uuid']}/"
    body = json.dumps({"approval_required": True, "approvals_needed": 2})
    assert author.patch(url, body, content_type="application/json").status_code == 403
    reviewer = acme.client_for(acme.reviewer)
    assert reviewer.patch(url, body, content_type="application/json").status_code == 403
    admin = acme.client_for(acme.admin)
    bad = admin.patch(url, json.dumps({"approvals_needed": 3}), content_type="application/json")
    assert bad.status_code == 400
    response = admin.patch(url, body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["approvals_needed"] == 2
    with acme.scope():
        product = ReviewCategory.objects.get(slug="product")
        assert product.approval_required
        assert product.approvals_needed == 2
    assert acme.client_for(acme.learner).get("/api/v1/review-categories/").status_code == 403


def test_review_list_query_count_does_not_grow(acme, django_assert_max_num_queries):
    client = acme.client_for(acme.reviewer)

    def add_review(tag):
        with acme.scope():
            cast = make_cast(acme, tag=tag)
            review = services.review_submit(
                actor=cast.owner, course=cast.course, reviewers=[acme.reviewer]
            )
            services.review_request_changes(
                actor=acme.reviewer, review=review, revision_number=review.revision.number, note="x"
            )

    add_review("one")
    client.get("/api/v1/reviews/")  # warm the tenant and session caches
    with django_assert_max_num_queries(50) as one:
        assert len(client.get("/api/v1/reviews/").json()["results"]) == 1
    for tag in ("two", "three", "four"):
        add_review(tag)
    with django_assert_max_num_queries(50) as four:
        assert len(client.get("/api/v1/reviews/").json()["results"]) == 4
    assert len(four.captured_queries) == len(one.captured_queries)
