"""Managing external review links in HTML: the card, create (shown once, e-mailed), refused
input re-rendered with nothing created, withdraw, and roles/tenants 403/404."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import RequestFactory

from reviews import external as svc
from reviews import services
from reviews.models import ExternalReviewLink
from reviews.views.external_links import external_links_context
from tests.reviews.test_comments import make_setup

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(acme):
    with acme.scope():
        return make_setup(acme)


def card_url(review) -> str:
    return f"/reviews/{review.uuid}/external-links/"


def revoke_url(review, link) -> str:
    return f"/reviews/{review.uuid}/external-links/{link.uuid}/revoke/"


FORM = {"name": "Dr. Ada Expert", "email": "ada@example.test", "days": "7"}


def test_the_card_lists_links_with_their_status_and_a_labelled_form(acme, setup):
    with acme.scope():
        link, _url = svc.external_link_create(
            actor=acme.reviewer, review=setup.review, name="Old Expert", email="o@example.test"
        )
        svc.external_link_revoke(actor=acme.reviewer, link=link)
    response = acme.client_for(acme.reviewer).get(card_url(setup.review))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="external-links"' in html
    assert "Old Expert" in html
    assert "Withdrawn" in html
    for field in ("name", "email", "days"):
        assert f'for="external-link-{field}"' in html
    assert "style=" not in html.split('id="external-links"')[1]


def test_create_redirects_and_shows_the_link_once(acme, setup, django_capture_on_commit_callbacks):
    client = acme.client_for(setup.cast.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(card_url(setup.review), FORM)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/reviews/{setup.review.uuid}/#external-links")
    with acme.scope():
        link = ExternalReviewLink.objects.get()
        url = svc.external_link_url(link)
    assert link.created_by_id == setup.cast.owner.pk
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.test"]
    first = client.get(card_url(setup.review)).content.decode()
    assert url in first
    assert "on its way to Dr. Ada Expert" in first
    assert "data-copy=" in first
    again = client.get(card_url(setup.review)).content.decode()
    assert url not in again  # shown once


@pytest.mark.parametrize(
    ("form", "words"),
    [
        ({**FORM, "name": ""}, "This field is required"),
        ({**FORM, "email": "nope"}, "not a valid e-mail"),
        ({**FORM, "days": "0"}, "greater than or equal to 1"),
        ({**FORM, "days": "61"}, "less than or equal to 60"),
    ],
)
def test_refused_input_is_shown_and_creates_nothing(acme, setup, form, words):
    response = acme.client_for(acme.reviewer).post(card_url(setup.review), form)
    assert response.status_code == 400
    assert words in response.content.decode()
    with acme.scope():
        assert not ExternalReviewLink.objects.exists()
    assert mail.outbox == []


def test_a_closed_round_is_409_and_offers_no_form(acme, setup):
    with acme.scope():
        services.review_withdraw(actor=setup.cast.owner, review=setup.review)
    client = acme.client_for(acme.reviewer)
    response = client.post(card_url(setup.review), FORM)
    assert response.status_code == 409
    assert "closed" in response.content.decode()
    with acme.scope():
        assert not ExternalReviewLink.objects.exists()
    html = client.get(card_url(setup.review)).content.decode()
    assert "Send the review link" not in html


def test_withdraw_from_the_card(acme, setup):
    with acme.scope():
        link, _url = svc.external_link_create(
            actor=acme.reviewer, review=setup.review, name="Ada", email="a@example.test"
        )
    client = acme.client_for(setup.cast.coauthor)
    response = client.post(revoke_url(setup.review, link))
    assert response.status_code == 302
    with acme.scope():
        assert ExternalReviewLink.objects.get(pk=link.pk).revoked_by_id == setup.cast.coauthor.pk
    assert client.post(revoke_url(setup.review, link)).status_code == 302  # idempotent
    assert client.get(revoke_url(setup.review, link)).status_code == 405


def test_roles_and_tenants(acme, globex, setup):
    with acme.scope():
        link, _url = svc.external_link_create(
            actor=acme.reviewer, review=setup.review, name="Ada", email="a@example.test"
        )
        other = make_setup(acme, tag="2")
    learner = acme.client_for(acme.learner)
    assert learner.get(card_url(setup.review)).status_code == 403
    assert learner.post(card_url(setup.review), FORM).status_code == 403
    assert learner.post(revoke_url(setup.review, link)).status_code == 403
    stranger = acme.client_for(setup.cast.other_author)
    assert stranger.get(card_url(setup.review)).status_code == 404
    assert stranger.post(card_url(setup.review), FORM).status_code == 404
    assert stranger.post(revoke_url(setup.review, link)).status_code == 404
    # A link named under another round of the same tenant is not found there.
    reviewer = acme.client_for(acme.reviewer)
    assert reviewer.post(revoke_url(other.review, link)).status_code == 404
    outsider = globex.client_for(globex.admin)
    assert outsider.get(card_url(setup.review)).status_code == 404
    assert outsider.post(revoke_url(setup.review, link)).status_code == 404
    with acme.scope():
        assert ExternalReviewLink.objects.count() == 1
        assert ExternalReviewLink.objects.get(pk=link.pk).revoked_at is None


def test_the_context_is_disabled_for_someone_who_may_not_manage(acme, setup):
    request = RequestFactory().get("/")
    request.session = {}
    with acme.scope():
        request.membership = setup.cast.other_author
        assert external_links_context(request, setup.review) == {"external_links_enabled": False}
        request.membership = acme.reviewer
        context = external_links_context(request, setup.review)
        assert context["external_links_enabled"] is True
        assert context["external_links_open"] is True


def test_review_mode_shows_the_card_and_the_new_link_once(acme, setup):
    client = acme.client_for(acme.reviewer)
    response = client.post(card_url(setup.review), FORM)
    assert response.status_code == 302
    with acme.scope():
        url = svc.external_link_url(ExternalReviewLink.objects.get())
    page = client.get(response["Location"].split("#")[0])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="external-links"' in html
    assert url in html
    assert url not in client.get(response["Location"].split("#")[0]).content.decode()
