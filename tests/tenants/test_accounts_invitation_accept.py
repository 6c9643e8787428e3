"""Accepting an invitation: new account, existing account, wrong account, bad links."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tenants.models import Invitation, Membership, MembershipStatus, User
from tenants.services.invitations import invitation_create, invitation_revoke
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase"


def invite(world, email="new.person@example.test", roles=("author",)):
    with world.scope():
        return invitation_create(actor=world.admin, email=email, roles=list(roles))


def url(token: str) -> str:
    return f"/accounts/invitations/{token}/"


def anonymous(world) -> Client:
    return Client(HTTP_HOST=world.host())


def signup(world, token, **overrides):
    data = {
        "display_name": "Nina New",
        "password": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "language": "en",
    }
    data.update(overrides)
    return anonymous(world).post(url(token), data)


def membership_of(world, email):
    with world.scope():
        return Membership.objects.filter(user__email=email).first()


# --- (b) a new account -------------------------------------------------------------------------------


def test_new_address_sees_a_sign_up_form(acme):
    issued = invite(acme)
    response = anonymous(acme).get(url(issued.token))
    assert response.status_code == 200
    html = response.content.decode()
    assert "new.person@example.test" in html
    for name in ("display_name", "password", "password2", "language"):
        assert f'<label for="id_{name}">' in html


def test_accepting_with_a_new_account_creates_user_and_membership_and_lands_home(acme):
    issued = invite(acme, roles=["author", "reviewer"])
    client = anonymous(acme)
    response = client.post(
        url(issued.token),
        {
            "display_name": "Nina New",
            "password": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "language": "nl",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(email="new.person@example.test")
    assert (user.display_name, user.language) == ("Nina New", "nl")
    assert user.check_password(NEW_PASSWORD)
    membership = membership_of(acme, "new.person@example.test")
    assert membership.roles == ["learner", "author", "reviewer"]
    assert membership.is_active
    with acme.scope():
        assert (
            Invitation.objects.get(pk=issued.invitation.pk).accepted_membership_id == membership.pk
        )

    # Signed in, on the right tenant, welcomed.
    with acme.scope():
        assert client.session["_auth_user_id"] == str(user.pk)
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert home.status_code == 200
    assert "Acme" in home.content.decode()


def test_the_welcome_message_names_the_tenant(acme):
    issued = invite(acme)
    response = anonymous(acme).post(
        url(issued.token),
        {
            "display_name": "Nina New",
            "password": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "language": "en",
        },
        follow=True,
    )
    assert "Welcome to Acme" in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"display_name": ""}, "display_name"),
        ({"password": "short", "password2": "short"}, "password"),
        ({"password": "1234567890123", "password2": "1234567890123"}, "password"),
        ({"password2": "something-else-entirely"}, "password2"),
    ],
)
def test_bad_sign_up_input_is_refused_next_to_the_field_and_creates_nothing(acme, overrides, field):
    issued = invite(acme)
    response = signup(acme, issued.token, **overrides)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert 'aria-invalid="true"' in html
    assert not User.objects.filter(email="new.person@example.test").exists()
    with acme.scope():
        assert Invitation.objects.get(pk=issued.invitation.pk).accepted_at is None


# --- (a) links that cannot be used ---------------------------------------------------------------------


def test_expired_link_says_so_and_creates_nothing(acme):
    issued = invite(acme)
    with acme.scope():
        Invitation.objects.filter(pk=issued.invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    page = anonymous(acme).get(url(issued.token))
    assert page.status_code == 410
    assert "This invitation has expired" in page.content.decode()
    assert 'href="/accounts/login/"' in page.content.decode()

    response = signup(acme, issued.token)
    assert response.status_code == 410
    assert not User.objects.filter(email="new.person@example.test").exists()
    assert membership_of(acme, "new.person@example.test") is None


def test_a_used_link_cannot_be_used_again(acme):
    issued = invite(acme)
    assert signup(acme, issued.token).status_code == 302
    response = signup(acme, issued.token, display_name="Someone Else")
    assert response.status_code == 410
    assert "This invitation has already been used" in response.content.decode()
    assert User.objects.get(email="new.person@example.test").display_name == "Nina New"


def test_a_revoked_link_says_so(acme):
    issued = invite(acme)
    with acme.scope():
        invitation_revoke(actor=acme.admin, invitation=issued.invitation)
    response = anonymous(acme).get(url(issued.token))
    assert response.status_code == 410
    assert "This invitation was withdrawn" in response.content.decode()


def test_an_unknown_link_says_so(acme):
    response = anonymous(acme).get(url("not-a-real-token"))
    assert response.status_code == 410
    assert "This invitation link is not valid" in response.content.decode()


def test_a_link_of_another_tenant_does_not_work_here(acme, globex):
    issued = invite(globex)
    response = signup(acme, issued.token)
    assert response.status_code == 410
    assert not User.objects.filter(email="new.person@example.test").exists()


# --- (c) and (d) an existing account -----------------------------------------------------------------


def test_existing_account_not_signed_in_is_asked_to_sign_in_and_then_accepts(acme, globex):
    # learner@globex.test has an account but no place at Acme yet.
    issued = invite(acme, email="learner@globex.test", roles=["author"])
    client = anonymous(acme)
    page = client.get(url(issued.token))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Sign in to accept" in html
    assert "/accounts/login/?next=%2Faccounts%2Finvitations%2F" in html
    assert membership_of(acme, "learner@globex.test") is None

    # The login admits them, though not a member yet, because they came for this invitation.
    response = client.post(
        "/accounts/login/",
        {"email": "learner@globex.test", "password": PASSWORD, "next": url(issued.token)},
    )
    assert response.status_code == 302
    assert response["Location"] == url(issued.token)

    page = client.get(url(issued.token))
    assert "Accept and join Acme" in page.content.decode()
    response = client.post(url(issued.token))
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert membership_of(acme, "learner@globex.test").roles == ["learner", "author"]
    assert client.get("/").status_code == 200


def test_login_without_the_invitation_still_refuses_a_non_member(acme, globex):
    invite(acme, email="learner@globex.test")
    response = anonymous(acme).post(
        "/accounts/login/", {"email": "learner@globex.test", "password": PASSWORD, "next": "/"}
    )
    assert response.status_code == 403


def test_login_with_someone_elses_invitation_refuses_a_non_member(acme, globex):
    issued = invite(acme, email="someone@example.test")
    response = anonymous(acme).post(
        "/accounts/login/",
        {"email": "learner@globex.test", "password": PASSWORD, "next": url(issued.token)},
    )
    assert response.status_code == 403


def test_signed_in_as_the_invited_person_accepts_with_one_button(acme):
    user = UserFactory(email="known@example.test")
    issued = invite(acme, email="known@example.test", roles=[])
    client = Client(HTTP_HOST=acme.host())
    with acme.scope():
        client.force_login(user)
    response = client.post(url(issued.token))
    assert response.status_code == 302
    assert membership_of(acme, "known@example.test").roles == ["learner"]


def test_a_deactivated_member_invited_again_is_reactivated(acme):
    with acme.scope():
        acme.learner.status = MembershipStatus.DEACTIVATED
        acme.learner.save(update_fields=["status"])
    issued = invite(acme, email="learner@acme.test", roles=["author"])
    client = Client(HTTP_HOST=acme.host())
    with acme.scope():
        client.force_login(acme.learner.user)
    assert client.post(url(issued.token)).status_code == 302
    membership = membership_of(acme, "learner@acme.test")
    assert membership.is_active
    assert membership.roles == ["learner", "author"]


# --- (e) signed in as somebody else ---------------------------------------------------------------------


def test_signed_in_as_somebody_else_is_explained_and_offered_sign_out(acme):
    issued = invite(acme)
    client = acme.client_for(acme.learner)
    page = client.get(url(issued.token))
    assert page.status_code == 200
    html = page.content.decode()
    assert "but you are signed in as learner@acme.test" in html
    assert 'action="/accounts/logout/"' in html


def test_accepting_an_invitation_for_another_address_is_refused_and_changes_nothing(acme):
    issued = invite(acme)
    client = acme.client_for(acme.learner)
    response = client.post(url(issued.token))
    assert response.status_code == 400
    assert "This invitation is for new.person@example.test" in response.content.decode()
    assert not User.objects.filter(email="new.person@example.test").exists()
    with acme.scope():
        invitation = Invitation.objects.get(pk=issued.invitation.pk)
    assert invitation.accepted_at is None
    assert membership_of(acme, "learner@acme.test").roles == ["learner"]


def test_sign_out_from_the_invitation_page_comes_back_to_it(acme):
    issued = invite(acme)
    client = acme.client_for(acme.learner)
    response = client.post("/accounts/logout/", {"next": url(issued.token)})
    assert response["Location"] == url(issued.token)
    assert "Create your account" in client.get(url(issued.token)).content.decode()
