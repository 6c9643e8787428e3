"""The external review link API: list and create a round's links, withdraw one; roles and
tenants answered 403/404 in the error envelope, bad input 400 and a closed round 409."""

from __future__ import annotations

import json

import pytest
from django.core import mail

from reviews import external as svc
from reviews import services
from reviews.models import ExternalReviewLink
from tests.reviews.test_comments import make_setup

pytestmark = pytest.mark.django_db


def send(client, method, url, body=None):
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def setup(acme):
    with acme.scope():
        return make_setup(acme)


def links_url(review) -> str:
    return f"/api/v1/reviews/{review.uuid}/external-links/"


def revoke_url(link) -> str:
    return f"/api/v1/external-links/{link.uuid}/revoke/"


BODY = {"name": "Dr. Ada Expert", "email": "ada@example.test", "days": 10}


def test_create_returns_the_link_with_its_url_and_emails_it(
    acme, setup, django_capture_on_commit_callbacks
):
    client = acme.client_for(acme.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, "post", links_url(setup.review), BODY)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Dr. Ada Expert"
    assert body["email"] == "ada@example.test"
    assert body["status"] == "active"
    assert body["review"] == str(setup.review.uuid)
    assert body["created_by"] == acme.reviewer.user.name
    assert body["comment_count"] == 0
    assert "/external-review/" in body["url"]
    assert len(mail.outbox) == 1
    assert body["url"] in mail.outbox[0].body


def test_list_shows_status_counts_and_the_url_only_to_its_creator(acme, setup):
    with acme.scope():
        mine, _url = svc.external_link_create(
            actor=acme.reviewer, review=setup.review, name="Mine", email="m@example.test"
        )
        theirs, _url = svc.external_link_create(
            actor=setup.cast.owner, review=setup.review, name="Theirs", email="t@example.test"
        )
        svc.external_comment_add(link=mine, anchor="course", body="Looks fine")
        svc.external_link_revoke(actor=setup.cast.owner, link=theirs)
    response = acme.client_for(acme.reviewer).get(links_url(setup.review))
    assert response.status_code == 200, response.content
    rows = {row["name"]: row for row in response.json()["results"]}
    assert rows["Mine"]["status"] == "active"
    assert rows["Mine"]["comment_count"] == 1
    assert rows["Mine"]["url"]
    assert rows["Theirs"]["status"] == "revoked"
    assert rows["Theirs"]["revoked_by"] == setup.cast.owner.user.name
    assert rows["Theirs"]["url"] is None
    # The owner sees the reviewer's link without its URL.
    rows = {
        row["name"]: row
        for row in acme.client_for(setup.cast.owner).get(links_url(setup.review)).json()["results"]
    }
    assert rows["Mine"]["url"] is None


def test_a_closed_round_lists_its_links_as_closed(acme, setup):
    with acme.scope():
        svc.external_link_create(
            actor=acme.reviewer, review=setup.review, name="Ada", email="a@example.test"
        )
        services.review_withdraw(actor=setup.cast.owner, review=setup.review)
    response = acme.client_for(acme.reviewer).get(links_url(setup.review))
    assert [row["status"] for row in response.json()["results"]] == ["closed"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "ada@example.test", "days": 10}, "name"),
        ({**BODY, "email": "not-an-address"}, "email"),
        ({**BODY, "days": 0}, "days"),
        ({**BODY, "days": 61}, "days"),
        ({**BODY, "name": "x" * 121}, "name"),
    ],
)
def test_bad_input_is_400_and_creates_nothing(acme, setup, body, field):
    response = send(acme.client_for(acme.reviewer), "post", links_url(setup.review), body)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    with acme.scope():
        assert not ExternalReviewLink.objects.exists()
    assert mail.outbox == []


def test_a_blank_name_is_refused_by_the_service_with_its_message(acme, setup):
    response = send(
        acme.client_for(acme.reviewer), "post", links_url(setup.review), {**BODY, "name": "<b></b>"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["name"]


def test_a_closed_round_is_409(acme, setup):
    with acme.scope():
        services.review_withdraw(actor=setup.cast.owner, review=setup.review)
    response = send(acme.client_for(acme.reviewer), "post", links_url(setup.review), BODY)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    with acme.scope():
        assert not ExternalReviewLink.objects.exists()


def test_learner_is_403(acme, setup):
    client = acme.client_for(acme.learner)
    assert client.get(links_url(setup.review)).status_code == 403
    response = send(client, "post", links_url(setup.review), BODY)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    with acme.scope():
        link, _url = svc.external_link_create(
            actor=acme.reviewer, review=setup.review, name="Ada", email="a@example.test"
        )
    assert send(client, "post", revoke_url(link)).status_code == 403
    with acme.scope():
        assert ExternalReviewLink.objects.get(pk=link.pk).revoked_at is None


def test_an_author_of_another_course_gets_404(acme, setup):
    client = acme.client_for(setup.cast.other_author)
    assert client.get(links_url(setup.review)).status_code == 404
    assert send(client, "post", links_url(setup.review), BODY).status_code == 404
    with acme.scope():
        link, _url = svc.external_link_create(
            actor=acme.reviewer, review=setup.review, name="Ada", email="a@example.test"
        )
    response = send(client, "post", revoke_url(link))
    assert response.status_code == 404
    with acme.scope():
        assert ExternalReviewLink.objects.count() == 1
        assert ExternalReviewLink.objects.get(pk=link.pk).revoked_at is None


def test_another_tenants_review_and_link_are_404(acme, globex):
    with globex.scope():
        theirs = make_setup(globex)
        link, _url = svc.external_link_create(
            actor=globex.reviewer, review=theirs.review, name="Ada", email="a@example.test"
        )
    client = acme.client_for(acme.admin)
    response = client.get(links_url(theirs.review))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert send(client, "post", links_url(theirs.review), BODY).status_code == 404
    assert send(client, "post", revoke_url(link)).status_code == 404
    with globex.scope():
        assert ExternalReviewLink.objects.count() == 1
        assert ExternalReviewLink.objects.get(pk=link.pk).revoked_at is None


def test_revoke_withdraws_and_is_idempotent(acme, setup):
    with acme.scope():
        link, _url = svc.external_link_create(
            actor=acme.reviewer, review=setup.review, name="Ada", email="a@example.test"
        )
    client = acme.client_for(setup.cast.coauthor)
    response = send(client, "post", revoke_url(link))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "revoked"
    assert response.json()["revoked_by"] == setup.cast.coauthor.user.name
    assert response.json()["url"] is None
    again = send(client, "post", revoke_url(link))
    assert again.status_code == 200
    assert again.json()["revoked_at"] == response.json()["revoked_at"]
    assert send(client, "post", "/api/v1/external-links/not-a-uuid/revoke/").status_code == 404


def test_the_list_query_count_does_not_grow_with_its_links(acme, setup):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(count: int) -> None:
        with acme.scope():
            for n in range(count):
                link, _url = svc.external_link_create(
                    actor=acme.reviewer,
                    review=setup.review,
                    name=f"Expert {n}",
                    email=f"e{n}-{count}@example.test",
                )
                svc.external_comment_add(link=link, anchor="course", body="Hi")

    client = acme.client_for(acme.reviewer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(links_url(setup.review)).status_code == 200
        return len(captured)

    add(2)
    queries()  # warm the session and tenant caches
    few = queries()
    add(6)
    assert queries() == few
