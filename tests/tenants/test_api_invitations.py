"""/api/v1/invitations/: list, create (the link token never in a response), retrieve, resend, revoke."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tenants.models import Invitation
from tenants.services.invitations import invitation_create
from tests.api_helpers import assert_error

pytestmark = pytest.mark.django_db

LIST = "/api/v1/invitations/"
FIELDS = {
    "uuid",
    "email",
    "roles",
    "status",
    "language",
    "invited_by",
    "created_at",
    "expires_at",
    "last_sent_at",
    "send_count",
    "accepted_at",
    "revoked_at",
}


def detail(invitation, suffix=""):
    return f"/api/v1/invitations/{invitation.uuid}/{suffix}"


def invite(world, email="new@example.test", roles=("author",)):
    with world.scope():
        return invitation_create(actor=world.admin, email=email, roles=list(roles)).invitation


def snapshot(world, invitation):
    with world.scope():
        fresh = Invitation.objects.get(pk=invitation.pk)
        return (
            fresh.token_hash,
            fresh.expires_at,
            fresh.send_count,
            fresh.revoked_at,
            fresh.accepted_at,
        )


def count(world):
    with world.scope():
        return Invitation.objects.count()


def test_admin_invites_and_the_response_carries_no_token(acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = acme.client_for(acme.admin).post(
            LIST,
            {"email": "New.Person@Example.test", "roles": ["author"], "language": "nl"},
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == FIELDS
    assert body["email"] == "new.person@example.test"
    assert body["roles"] == ["author"]
    assert body["status"] == "pending"
    assert body["invited_by"]["uuid"] == str(acme.admin.uuid)
    assert "token" not in response.content.decode().lower()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.test"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not-an-address", "roles": []}, "email"),
        ({"email": "", "roles": []}, "email"),
        ({"email": "x@example.test", "roles": ["emperor"]}, "roles"),
        ({"email": "x@example.test", "roles": "author"}, "roles"),
        ({"roles": ["author"]}, "email"),
        ({"email": "x@example.test", "language": "xx"}, "language"),
    ],
)
def test_bad_invitation_input_is_a_400_and_creates_nothing(acme, payload, field):
    response = acme.client_for(acme.admin).post(LIST, payload, content_type="application/json")
    error = assert_error(response, 400, "invalid")
    assert field in error["fields"]
    assert count(acme) == 0


def test_inviting_an_address_with_a_pending_invitation_is_refused(acme):
    invite(acme, "dup@example.test")
    response = acme.client_for(acme.admin).post(
        LIST, {"email": "dup@example.test"}, content_type="application/json"
    )
    assert_error(response, 400, "invalid")
    assert count(acme) == 1


def test_inviting_a_current_member_is_refused(acme):
    response = acme.client_for(acme.admin).post(
        LIST, {"email": "learner@acme.test"}, content_type="application/json"
    )
    assert "email" in assert_error(response, 400, "invalid")["fields"]
    assert count(acme) == 0


def test_reviewer_cannot_invite(acme):
    response = acme.client_for(acme.reviewer).post(
        LIST, {"email": "x@example.test"}, content_type="application/json"
    )
    assert_error(response, 403, "forbidden")
    assert count(acme) == 0


def test_admin_lists_and_retrieves_invitations_of_this_tenant_only(
    acme, globex, django_assert_max_num_queries
):
    mine = invite(acme, "one@example.test")
    invite(acme, "two@example.test")
    invite(globex, "theirs@example.test")
    client = acme.client_for(acme.admin)
    client.get("/api/v1/me/")
    with django_assert_max_num_queries(5):
        body = client.get(LIST).json()
    assert [row["email"] for row in body["results"]] == ["two@example.test", "one@example.test"]
    assert client.get(detail(mine)).json()["email"] == "one@example.test"


def test_other_tenants_invitation_is_not_found(acme, globex):
    theirs = invite(globex, "theirs@example.test")
    before = snapshot(globex, theirs)
    client = acme.client_for(acme.admin)
    assert_error(client.get(detail(theirs)), 404, "not_found")
    assert_error(client.post(detail(theirs, "resend/")), 404, "not_found")
    assert_error(client.post(detail(theirs, "revoke/")), 404, "not_found")
    assert snapshot(globex, theirs) == before


def test_resend_issues_a_new_link_and_mails_it(acme, django_capture_on_commit_callbacks):
    invitation = invite(acme)
    before = snapshot(acme, invitation)
    with django_capture_on_commit_callbacks(execute=True):
        response = acme.client_for(acme.admin).post(detail(invitation, "resend/"))
    assert response.status_code == 200, response.content
    assert response.json()["send_count"] == 2
    after = snapshot(acme, invitation)
    assert after[0] != before[0]  # the old link stops working
    assert len(mail.outbox) == 1


def test_revoke_then_revoke_again_is_a_409_and_changes_nothing(acme):
    invitation = invite(acme)
    client = acme.client_for(acme.admin)
    response = client.post(detail(invitation, "revoke/"))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "revoked"
    before = snapshot(acme, invitation)
    assert_error(client.post(detail(invitation, "revoke/")), 409, "conflict")
    assert_error(client.post(detail(invitation, "resend/")), 409, "conflict")
    assert snapshot(acme, invitation) == before


def test_an_expired_invitation_can_be_resent(acme):
    invitation = invite(acme)
    with acme.scope():
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(days=1)
        )
    response = acme.client_for(acme.admin).post(detail(invitation, "resend/"))
    assert response.status_code == 200
    assert response.json()["status"] == "pending"


def test_author_cannot_revoke(acme):
    invitation = invite(acme)
    before = snapshot(acme, invitation)
    assert_error(acme.client_for(acme.author).post(detail(invitation, "revoke/")), 403, "forbidden")
    assert snapshot(acme, invitation) == before


def test_invitations_cannot_be_deleted_or_edited(acme):
    invitation = invite(acme)
    client = acme.client_for(acme.admin)
    assert_error(client.delete(detail(invitation)), 405, "method_not_allowed")
    assert_error(
        client.patch(
            detail(invitation), {"email": "x@example.test"}, content_type="application/json"
        ),
        405,
        "method_not_allowed",
    )
