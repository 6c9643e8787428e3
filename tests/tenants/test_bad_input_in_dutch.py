"""Bad input gets a clear message in the person's language (here Dutch) and changes nothing."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from tenants.models import Invitation, User
from tenants.services.invitations import invitation_create

pytestmark = pytest.mark.django_db

DUTCH = {"HTTP_ACCEPT_LANGUAGE": "nl"}


def dutch_admin(world) -> Client:
    world.admin.user.language = "nl"
    world.admin.user.save()
    return world.client_for(world.admin)


def test_malformed_invite_address_is_refused_in_dutch(acme):
    response = dutch_admin(acme).post(
        "/manage/invitations/", {"email": "not-an-address", "roles": ["author"], "language": "nl"}
    )
    assert response.status_code == 400
    assert (
        "Voer een geldig e-mailadres in" in response.content.decode()
        or "geen geldig e-mailadres" in response.content.decode()
    )
    with acme.scope():
        assert not Invitation.objects.exists()


def test_duplicate_invite_is_refused_in_dutch_and_sends_nothing(acme):
    with acme.scope():
        invitation_create(actor=acme.admin, email="twice@example.test", roles=["author"])
    mail.outbox.clear()
    response = dutch_admin(acme).post(
        "/manage/invitations/",
        {"email": "twice@example.test", "roles": ["author"], "language": "nl"},
    )
    assert response.status_code == 400
    assert "twice@example.test is al uitgenodigd" in response.content.decode()
    with acme.scope():
        assert Invitation.objects.filter(email="twice@example.test").count() == 1
    assert mail.outbox == []


def test_expired_and_reused_invite_links_say_so_in_dutch(acme):
    with acme.scope():
        issued = invitation_create(actor=acme.admin, email="late@example.test", roles=[])
        Invitation.objects.filter(pk=issued.invitation.pk).update(
            expires_at=timezone.now() - timedelta(days=1)
        )
    page = Client(HTTP_HOST="acme.localhost").get(f"/accounts/invitations/{issued.token}/", **DUTCH)
    assert page.status_code == 410
    assert "Deze uitnodiging is verlopen" in page.content.decode()
    assert not User.objects.filter(email="late@example.test").exists()

    with acme.scope():
        Invitation.objects.filter(pk=issued.invitation.pk).update(
            expires_at=timezone.now() + timedelta(days=1), accepted_at=timezone.now()
        )
    page = Client(HTTP_HOST="acme.localhost").get(f"/accounts/invitations/{issued.token}/", **DUTCH)
    assert "Deze uitnodiging is al gebruikt" in page.content.decode()


def test_unknown_tenant_host_says_so_in_dutch(client):
    response = client.get("/", HTTP_HOST="nergens.localhost", **DUTCH)
    assert response.status_code == 404
    assert "Er is geen organisatie op nergens.localhost" in response.content.decode()


def test_repeated_wrong_password_locks_with_a_dutch_message(acme):
    client = Client(HTTP_HOST="acme.localhost")
    for _attempt in range(settings.EGL_LOGIN_MAX_FAILURES - 1):
        response = client.post(
            "/accounts/login/", {"email": "learner@acme.test", "password": "wrong"}, **DUTCH
        )
        assert "E-mailadres of wachtwoord is onjuist" in response.content.decode()
    response = client.post(
        "/accounts/login/", {"email": "learner@acme.test", "password": "wrong"}, **DUTCH
    )
    assert "Te veel mislukte pogingen" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_invitation_email_is_in_the_invitations_language_with_roles_named_in_it(
    acme, django_capture_on_commit_callbacks
):
    with acme.scope(), django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            actor=acme.admin,
            email="nieuw@example.test",
            roles=["author", "reviewer"],
            language="nl",
        )
    body = mail.outbox[-1].body
    assert "Je rollen: cursist, auteur, reviewer." in body
    assert "http://acme.localhost:8000/accounts/invitations/" in body
    assert "uitgenodigd" in mail.outbox[-1].subject.lower()
