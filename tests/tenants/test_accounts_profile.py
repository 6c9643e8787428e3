"""The profile page: display name and UI language, API tokens, the list of organisations."""

import re
import uuid

import pytest
from django.conf import settings
from django.test import Client

from tenants.models import ApiToken, AuditEvent, User
from tenants.services.accounts import api_token_authenticate, api_token_create
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"
TOKENS = "/accounts/profile/tokens/"


def active_tokens(world, membership):
    with world.scope():
        return list(ApiToken.objects.filter(membership=membership, revoked_at__isnull=True))


def issue(world, membership, name="Sync"):
    with world.scope():
        return api_token_create(actor=membership, name=name)


# --- details -------------------------------------------------------------------------------------


def test_profile_needs_a_signed_in_member(acme):
    response = Client(HTTP_HOST=acme.host()).get(PROFILE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_profile_page_shows_the_form_tokens_and_organisations(acme, django_assert_max_num_queries):
    client = acme.client_for(acme.author)
    for index in range(5):
        issue(acme, acme.author, name=f"Token {index}")
    client.get(PROFILE)  # the first page of a session also stores the switcher's list in it
    with django_assert_max_num_queries(8):
        response = client.get(PROFILE)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_display_name">' in html
    assert '<label for="id_language">' in html
    assert html.count('data-confirm="Revoke the token') == 5
    assert "Acme" in html


def test_profile_update_saves_name_and_language(acme):
    client = acme.client_for(acme.learner)
    response = client.post(PROFILE, {"display_name": "Lea Learner", "language": "nl"})
    assert response.status_code == 302
    assert response["Location"] == PROFILE
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"
    user = User.objects.get(pk=acme.learner.user_id)
    assert (user.display_name, user.language) == ("Lea Learner", "nl")


def test_profile_update_to_follow_the_browser_forgets_the_language(acme):
    User.objects.filter(pk=acme.learner.user_id).update(language="nl")
    client = acme.client_for(acme.learner)
    response = client.post(PROFILE, {"display_name": "Lea", "language": ""})
    assert response.status_code == 302
    assert User.objects.get(pk=acme.learner.user_id).language == ""


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"display_name": "", "language": "en"}, "display_name"),
        ({"display_name": "Lea", "language": "xx"}, "language"),
    ],
)
def test_bad_profile_input_is_refused_next_to_the_field_and_changes_nothing(acme, data, field):
    before = User.objects.get(pk=acme.learner.user_id)
    response = acme.client_for(acme.learner).post(PROFILE, data)
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    after = User.objects.get(pk=acme.learner.user_id)
    assert (after.display_name, after.language) == (before.display_name, before.language)


def test_profile_lists_your_organisations_with_switch_links(acme, globex):
    with globex.scope():
        MembershipFactory(user=acme.learner.user)
    html = acme.client_for(acme.learner).get(PROFILE).content.decode()
    assert 'href="/accounts/switch/globex/"' in html
    assert 'href="/accounts/switch/acme/"' not in html  # the current one is not a link


# --- API tokens -----------------------------------------------------------------------------------


def test_creating_a_token_shows_the_key_once_and_the_key_works(acme):
    client = acme.client_for(acme.learner)
    response = client.post(TOKENS, {"name": "HR sync"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    html = response.content.decode()
    key = re.search(r'id="new-token-key">(egl_[^<]+)<', html).group(1)
    assert 'data-copy="#new-token-key"' in html
    assert "it will not be shown again" in html

    # Shown once: the page after that lists the token, not its key.
    again = client.get(PROFILE).content.decode()
    assert "HR sync" in again
    assert key not in again

    with acme.scope():
        assert api_token_authenticate(key) == acme.learner
        assert AuditEvent.objects.filter(verb="api_token.created").count() == 1
    response = Client(HTTP_HOST=acme.host(), HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["user"]["email"] == "learner@acme.test"


def test_a_token_does_not_work_on_another_tenants_host(acme, globex):
    key = issue(acme, acme.learner).key
    response = Client(HTTP_HOST=globex.host(), HTTP_AUTHORIZATION=f"Bearer {key}").get(
        "/api/v1/me/"
    )
    assert response.status_code == 401


def test_creating_a_token_without_a_name_is_refused(acme):
    response = acme.client_for(acme.learner).post(TOKENS, {"name": "  "})
    assert response.status_code == 400
    assert 'id="id_name_error"' in response.content.decode()
    assert active_tokens(acme, acme.learner) == []


def test_creating_a_twenty_first_token_is_refused(acme):
    for index in range(20):
        issue(acme, acme.learner, name=f"Token {index}")
    response = acme.client_for(acme.learner).post(TOKENS, {"name": "One too many"})
    assert response.status_code == 409
    assert "You have 20 active tokens" in response.content.decode()
    assert len(active_tokens(acme, acme.learner)) == 20


def test_token_create_needs_a_post(acme):
    assert acme.client_for(acme.learner).get(TOKENS).status_code == 405


def test_revoking_a_token_stops_it_working(acme):
    issued = issue(acme, acme.learner)
    client = acme.client_for(acme.learner)
    response = client.post(f"{TOKENS}{issued.token.uuid}/revoke/")
    assert response.status_code == 302
    assert response["Location"] == PROFILE
    assert active_tokens(acme, acme.learner) == []
    with acme.scope():
        assert api_token_authenticate(issued.key) is None
    assert (
        Client(HTTP_HOST=acme.host(), HTTP_AUTHORIZATION=f"Bearer {issued.key}")
        .get("/api/v1/me/")
        .status_code
        == 401
    )


def test_revoke_needs_a_post(acme):
    issued = issue(acme, acme.learner)
    assert (
        acme.client_for(acme.learner).get(f"{TOKENS}{issued.token.uuid}/revoke/").status_code == 405
    )
    assert len(active_tokens(acme, acme.learner)) == 1


def test_revoking_another_members_token_is_404_and_changes_nothing(acme):
    issued = issue(acme, acme.author)
    response = acme.client_for(acme.reviewer).post(f"{TOKENS}{issued.token.uuid}/revoke/")
    assert response.status_code == 404
    assert len(active_tokens(acme, acme.author)) == 1


def test_revoking_another_tenants_token_is_404(acme, globex):
    issued = issue(globex, globex.learner)
    response = acme.client_for(acme.learner).post(f"{TOKENS}{issued.token.uuid}/revoke/")
    assert response.status_code == 404
    assert len(active_tokens(globex, globex.learner)) == 1


def test_revoking_an_unknown_token_is_404(acme):
    response = acme.client_for(acme.learner).post(f"{TOKENS}{uuid.uuid4()}/revoke/")
    assert response.status_code == 404
