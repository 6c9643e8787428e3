"""Manage → Invitations: invite, resend (a new link), revoke; bad input changes nothing."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tenants.models import Invitation
from tenants.services.invitations import invitation_create, invitation_for_token

pytestmark = pytest.mark.django_db

INVITATIONS = "/manage/invitations/"
LINK = re.compile(r"http://acme\.localhost:8000/accounts/invitations/([^/\s]+)/")


def invite(world, email="new@example.test", roles=("author",)):
    with world.scope():
        return invitation_create(actor=world.admin, email=email, roles=list(roles)).invitation


def count(world):
    with world.scope():
        return Invitation.objects.count()


def fresh(world, invitation):
    with world.scope():
        return Invitation.objects.get(pk=invitation.pk)


def token_in(message):
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def test_admin_invites_with_roles_and_the_email_carries_the_link(
    acme, django_capture_on_commit_callbacks
):
    client = acme.client_for(acme.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            INVITATIONS,
            {"email": "New.Person@Example.test", "roles": ["author", "reviewer"], "language": "nl"},
        )
    assert response.status_code == 302
    with acme.scope():
        invitation = Invitation.objects.get()
        assert invitation.email == "new.person@example.test"
        assert invitation.roles == ["author", "reviewer"]
        assert invitation.language == "nl"
        assert invitation.invited_by_id == acme.admin.pk
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.test"]
    token = token_in(mail.outbox[0])
    with acme.scope():
        assert invitation_for_token(token).pk == invitation.pk
    body = client.get(INVITATIONS).content.decode()
    assert "new.person@example.test" in body
    assert "badge--pending" in body


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"email": "not-an-address", "language": "en"}, "is not a valid e-mail address"),
        ({"email": "", "language": "en"}, "This field is required"),
        ({"email": "x@example.test", "roles": ["emperor"], "language": "en"}, "emperor"),
        ({"email": "x@example.test", "language": "xx"}, "Select a valid choice"),
    ],
)
def test_bad_invitation_input_is_explained_next_to_the_field_and_creates_nothing(
    acme, django_capture_on_commit_callbacks, payload, message
):
    with django_capture_on_commit_callbacks(execute=True):
        response = acme.client_for(acme.admin).post(INVITATIONS, payload)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert 'aria-invalid="true"' in body
    assert count(acme) == 0
    assert mail.outbox == []


def test_duplicate_pending_invitation_is_refused(acme, django_capture_on_commit_callbacks):
    invite(acme, "twice@example.test")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = acme.client_for(acme.admin).post(
            INVITATIONS, {"email": "twice@example.test", "language": "en"}
        )
    assert response.status_code == 400
    assert "has already been invited" in response.content.decode()
    assert count(acme) == 1
    assert mail.outbox == []


def test_inviting_an_existing_member_is_refused(acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = acme.client_for(acme.admin).post(
            INVITATIONS, {"email": "author@acme.test", "language": "en"}
        )
    assert response.status_code == 400
    assert "already a member" in response.content.decode()
    assert count(acme) == 0
    assert mail.outbox == []


def test_resend_changes_the_link_and_sends_it_again(acme, django_capture_on_commit_callbacks):
    client = acme.client_for(acme.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            INVITATIONS, {"email": "again@example.test", "roles": ["author"], "language": "en"}
        )
    old_token = token_in(mail.outbox[0])
    with acme.scope():
        invitation = Invitation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/manage/invitations/{invitation.uuid}/resend/")
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    new_token = token_in(mail.outbox[1])
    assert new_token != old_token
    assert fresh(acme, invitation).send_count == 2
    # The old link stops working; the new one works.
    assert (
        acme.client_for(acme.learner).get(f"/accounts/invitations/{old_token}/").status_code == 410
    )
    with acme.scope():
        assert invitation_for_token(new_token).pk == invitation.pk


def test_resend_renews_an_expired_invitation(acme):
    invitation = invite(acme)
    with acme.scope():
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(days=1)
        )
    body = acme.client_for(acme.admin).get(INVITATIONS).content.decode()
    assert "badge--expired" in body
    acme.client_for(acme.admin).post(f"/manage/invitations/{invitation.uuid}/resend/")
    assert fresh(acme, invitation).expires_at > timezone.now()


def test_revoke_then_resend_is_a_conflict_and_changes_nothing(
    acme, django_capture_on_commit_callbacks
):
    invitation = invite(acme)
    client = acme.client_for(acme.admin)
    assert client.post(f"/manage/invitations/{invitation.uuid}/revoke/").status_code == 302
    revoked = fresh(acme, invitation)
    assert revoked.revoked_at is not None
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/manage/invitations/{invitation.uuid}/resend/")
    assert response.status_code == 409
    assert "already revoked" in response.content.decode()
    after = fresh(acme, invitation)
    assert (after.token_hash, after.send_count, after.expires_at) == (
        revoked.token_hash,
        revoked.send_count,
        revoked.expires_at,
    )
    assert mail.outbox == []
    # Revoking twice is a conflict too.
    assert client.post(f"/manage/invitations/{invitation.uuid}/revoke/").status_code == 409


def test_invitations_list_has_an_empty_state(acme):
    body = acme.client_for(acme.admin).get(INVITATIONS).content.decode()
    assert "No invitations have been sent yet." in body


def test_resend_and_revoke_need_post(acme):
    invitation = invite(acme)
    client = acme.client_for(acme.admin)
    assert client.get(f"/manage/invitations/{invitation.uuid}/revoke/").status_code == 405
    assert fresh(acme, invitation).revoked_at is None
