"""Sign in and out, failed-login throttling, password reset, unknown tenant hosts."""

import re
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from tenants.models import MembershipStatus, User
from tenants.services.invitations import invitation_create
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
WRONG = "E-mail address or password is incorrect."
LOCKED = "Too many failed attempts. Wait 15 minutes or reset your password."


def anonymous(slug: str = "acme") -> Client:
    return Client(HTTP_HOST=f"{slug}.localhost")


def signed_in_user_id(world, client: Client) -> str | None:
    # In the tenant's scope: cache-backed sessions (REDIS_URL) are namespaced by tenant.
    with world.scope():
        return client.session.get("_auth_user_id")


# --- sign in -------------------------------------------------------------------------------------


def test_member_signs_in_with_email_in_any_case_and_lands_home(acme):
    client = anonymous()
    response = client.post(LOGIN, {"email": "Learner@ACME.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(acme, client) == str(acme.learner.user_id)
    assert client.get("/").status_code == 200


def test_login_page_renders_a_labelled_form(acme):
    response = anonymous().get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_email">' in html
    assert '<label for="id_password">' in html
    assert 'href="/accounts/password-reset/"' in html


def test_signing_in_rotates_the_session_id(acme):
    client = anonymous()
    with acme.scope():
        session = client.session
        session["before"] = True
        session.save()
        before = session.session_key
    client.post(LOGIN, {"email": "learner@acme.test", "password": PASSWORD})
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != before


def test_a_safe_next_is_honoured(acme):
    response = anonymous().post(
        LOGIN, {"email": "learner@acme.test", "password": PASSWORD, "next": "/accounts/profile/"}
    )
    assert response["Location"] == "/accounts/profile/"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "http://globex.localhost/"]
)
def test_an_unsafe_next_is_ignored(acme, next_url):
    response = anonymous().post(
        LOGIN, {"email": "learner@acme.test", "password": PASSWORD, "next": next_url}
    )
    assert response["Location"] == "/"


def test_the_users_language_is_activated_after_login(acme):
    User.objects.filter(pk=acme.learner.user_id).update(language="nl")
    response = anonymous().post(LOGIN, {"email": "learner@acme.test", "password": PASSWORD})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"


def test_wrong_password_gets_one_message_that_does_not_reveal_the_account(acme):
    known = anonymous().post(LOGIN, {"email": "learner@acme.test", "password": "wrong-password"})
    unknown = anonymous().post(LOGIN, {"email": "nobody@acme.test", "password": "wrong-password"})
    assert known.status_code == unknown.status_code == 400
    assert WRONG in known.content.decode()
    assert WRONG in unknown.content.decode()
    assert "no access" not in known.content.decode()


def test_empty_form_is_refused_next_to_the_fields(acme):
    response = anonymous().post(LOGIN, {"email": "not-an-address", "password": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert 'id="id_email_error"' in html


def test_repeated_wrong_password_locks_and_even_the_right_password_is_refused(acme, settings):
    settings.EGL_LOGIN_MAX_FAILURES = 3
    client = anonymous()
    for _attempt in range(2):
        response = client.post(LOGIN, {"email": "learner@acme.test", "password": "wrong-password"})
        assert WRONG in response.content.decode()
    response = client.post(LOGIN, {"email": "learner@acme.test", "password": "wrong-password"})
    assert LOCKED in response.content.decode()

    with mock.patch("tenants.views.accounts.authenticate") as authenticate:
        response = client.post(LOGIN, {"email": "learner@acme.test", "password": PASSWORD})
    authenticate.assert_not_called()  # while locked, the password is not even checked
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert signed_in_user_id(acme, client) is None


def test_lockout_is_per_address_and_other_members_still_sign_in(acme, settings):
    settings.EGL_LOGIN_MAX_FAILURES = 2
    for _attempt in range(2):
        anonymous().post(LOGIN, {"email": "learner@acme.test", "password": "wrong-password"})
    response = anonymous().post(LOGIN, {"email": "author@acme.test", "password": PASSWORD})
    assert response.status_code == 302


def test_successful_login_clears_earlier_failures(acme, settings):
    settings.EGL_LOGIN_MAX_FAILURES = 3
    for _attempt in range(2):
        anonymous().post(LOGIN, {"email": "learner@acme.test", "password": "wrong-password"})
    assert (
        anonymous().post(LOGIN, {"email": "learner@acme.test", "password": PASSWORD}).status_code
        == 302
    )
    for _attempt in range(2):
        response = anonymous().post(
            LOGIN, {"email": "learner@acme.test", "password": "wrong-password"}
        )
    assert WRONG in response.content.decode()


def test_member_of_another_tenant_is_refused(acme, globex):
    client = anonymous("acme")
    response = client.post(LOGIN, {"email": "learner@globex.test", "password": PASSWORD})
    assert response.status_code == 403
    assert "This account has no access to Acme." in response.content.decode()
    assert signed_in_user_id(acme, client) is None


def test_deactivated_member_is_refused(acme):
    with acme.scope():
        acme.learner.status = MembershipStatus.DEACTIVATED
        acme.learner.save(update_fields=["status"])
    client = anonymous()
    response = client.post(LOGIN, {"email": "learner@acme.test", "password": PASSWORD})
    assert response.status_code == 403
    assert "This account has no access to Acme." in response.content.decode()
    assert signed_in_user_id(acme, client) is None


def test_deactivated_account_gets_the_generic_message(acme):
    User.objects.filter(pk=acme.learner.user_id).update(is_active=False)
    response = anonymous().post(LOGIN, {"email": "learner@acme.test", "password": PASSWORD})
    assert response.status_code == 400
    assert WRONG in response.content.decode()


def test_unknown_tenant_host_answers_404_with_a_message(db):
    response = Client(HTTP_HOST="nowhere.localhost").get(LOGIN, HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 404
    # English until the Dutch catalogue exists; the page is rendered in the browser's language.
    assert "nowhere.localhost" in response.content.decode()


# --- sign out ------------------------------------------------------------------------------------


def test_sign_out_needs_a_post(acme):
    client = acme.client_for(acme.learner)
    response = client.get("/accounts/logout/")
    assert response.status_code == 200
    assert 'action="/accounts/logout/"' in response.content.decode()
    assert signed_in_user_id(acme, client) is not None

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert signed_in_user_id(acme, client) is None


# --- password reset -----------------------------------------------------------------------------


def _reset_link(message) -> str:
    found = re.search(r"http://acme\.localhost(?::\d+)?(/accounts/reset/\S+/)", message.body)
    assert found, message.body
    return found.group(1)


def test_password_reset_emails_one_link_on_the_tenant_host_and_sets_a_new_password(acme, settings):
    settings.EGL_LOGIN_MAX_FAILURES = 2
    client = anonymous()
    for _attempt in range(2):  # locked out first: a reset lifts the lock
        client.post(LOGIN, {"email": "learner@acme.test", "password": "wrong-password"})

    response = client.post("/accounts/password-reset/", {"email": "Learner@acme.test"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["learner@acme.test"]
    assert "Acme" in message.subject
    link = _reset_link(message)

    response = client.get(link)
    assert response.status_code == 302  # Django hides the token behind a session redirect
    form_url = response["Location"]
    new_password = "a-brand-new-passphrase"
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/reset/done/"

    response = anonymous().post(LOGIN, {"email": "learner@acme.test", "password": new_password})
    assert response.status_code == 302
    # The link works once.
    assert "not valid" in anonymous().get(link, follow=True).content.decode()


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(acme):
    response = anonymous().post("/accounts/password-reset/", {"email": "nobody@acme.test"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []


def test_password_reset_for_a_member_of_another_tenant_sends_nothing(acme, globex):
    response = anonymous("acme").post("/accounts/password-reset/", {"email": "learner@globex.test"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_reset_works_for_a_person_invited_here_who_has_an_account(acme, globex):
    with acme.scope():
        invitation_create(actor=acme.admin, email="learner@globex.test", roles=[])
    response = anonymous("acme").post("/accounts/password-reset/", {"email": "learner@globex.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["learner@globex.test"]


def test_password_reset_email_is_written_in_the_users_language(acme):
    User.objects.filter(pk=acme.learner.user_id).update(language="nl")
    seen = []
    from django.utils import translation

    original = translation.override

    def spy(language, *args, **kwargs):
        seen.append(language)
        return original(language, *args, **kwargs)

    with mock.patch("tenants.forms.accounts.translation.override", side_effect=spy):
        anonymous().post(
            "/accounts/password-reset/", {"email": "learner@acme.test"}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert seen == ["nl"]
    assert len(mail.outbox) == 1
