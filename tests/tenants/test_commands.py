"""Operator commands: create_tenant and seed_demo (DESIGN.md §11, §12)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation

from egl_platform.models import Job
from tenants.models import (
    ApiToken,
    AuditEvent,
    Group,
    GroupMember,
    Invitation,
    InvitationStatus,
    Membership,
    Tenant,
    User,
)
from tenants.tenancy import dangerously_unscoped, tenant_scope
from tests.factories import UserFactory

DEMO_PASSWORD = "demo-pass-123"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def run_from_shell(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str]:
    """The command as `manage.py` runs it: (exit status, stderr)."""
    from django.core.management import base

    # run_from_argv closes every connection afterwards; the test's transaction must survive.
    monkeypatch.setattr(base.connections, "close_all", lambda: None)
    command = load_command_class("tenants", argv[0])
    with pytest.raises(SystemExit) as exit_info:
        command.run_from_argv(["manage.py", *argv])
    return int(exit_info.value.code or 0), capsys.readouterr().err


# --- create_tenant -------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_tenant_creates_tenant_and_first_admin_with_all_staff_roles() -> None:
    output = run(
        "create_tenant",
        "initech",
        "--name",
        "Initech",
        "--admin-email",
        "Boss@Initech.test",
        "--languages",
        "nl,en",
        "--admin-password",
        "a-long-enough-password",
    )

    tenant = Tenant.objects.get(slug="initech")
    assert (tenant.name, tenant.languages, tenant.default_language) == (
        "Initech",
        ["nl", "en"],
        "nl",
    )
    assert "http://initech.localhost" in output
    user = User.objects.get(email="boss@initech.test")
    assert user.check_password("a-long-enough-password")
    with tenant_scope(tenant):
        membership = Membership.objects.get(user=user)
        assert membership.roles == ["learner", "author", "reviewer", "admin"]
        assert AuditEvent.objects.filter(verb="tenant.created").count() == 1


@pytest.mark.django_db
def test_create_tenant_without_password_leaves_new_account_to_password_reset() -> None:
    output = run(
        "create_tenant", "initech", "--name", "Initech", "--admin-email", "boss@initech.test"
    )

    assert not User.objects.get(email="boss@initech.test").has_usable_password()
    assert "no password yet" in output


@pytest.mark.django_db
def test_create_tenant_links_an_existing_account_and_keeps_its_password() -> None:
    user = UserFactory(email="someone@example.test")
    old_hash = user.password

    output = run(
        "create_tenant", "initech", "--name", "Initech", "--admin-email", "someone@example.test",
        "--admin-password", "ignored-for-existing-accounts",
    )  # fmt: skip

    user.refresh_from_db()
    assert user.password == old_hash
    assert "password was left unchanged" in output
    assert User.objects.filter(email="someone@example.test").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["Not A Slug", "--name", "X", "--admin-email", "a@b.test"], "lowercase letters"),
        (["admin", "--name", "X", "--admin-email", "a@b.test"], "not reserved"),
        (
            ["initech", "--name", "X", "--admin-email", "not-an-address"],
            "not a valid e-mail address",
        ),
        (
            ["initech", "--name", "X", "--admin-email", "a@b.test", "--languages", "xx"],
            "Unknown language: xx",
        ),
    ],
)
def test_create_tenant_refuses_bad_input_with_a_one_line_reason_and_creates_nothing(
    argv: list[str], reason: str
) -> None:
    # In English for the operator, even when a caller (or an earlier test) left Dutch active.
    with translation.override("nl"), pytest.raises(CommandError) as error:
        run("create_tenant", *argv)

    message = str(error.value)
    assert reason in message
    assert "\n" not in message
    assert error.value.returncode == 1
    assert not Tenant.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_create_tenant_for_an_existing_slug_exits_non_zero_with_one_line_on_stderr(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run("create_tenant", "initech", "--name", "Initech", "--admin-email", "boss@initech.test")

    status, stderr = run_from_shell(
        monkeypatch,
        capsys,
        "create_tenant",
        "initech",
        "--name",
        "Other",
        "--admin-email",
        "other@initech.test",
    )

    assert status != 0
    assert stderr.strip().count("\n") == 0
    assert "exists already" in stderr
    assert Tenant.objects.get(slug="initech").name == "Initech"
    assert not User.objects.filter(email="other@initech.test").exists()


# --- seed_demo -----------------------------------------------------------------------------


def snapshot() -> dict[str, object]:
    """Everything seed_demo may write, in a comparable form."""
    with dangerously_unscoped():
        return {
            "tenants": sorted(
                Tenant.objects.values_list(
                    "slug", "name", "languages", "default_language", "is_active"
                )
            ),
            "users": sorted(
                User.objects.values_list("email", "display_name", "password", "is_active")
            ),
            "memberships": sorted(
                Membership.objects.values_list(
                    "tenant__slug", "user__email", "is_author", "is_reviewer", "is_admin", "status"
                )
            ),
            "groups": sorted(Group.objects.values_list("tenant__slug", "kind", "name")),
            "group_members": sorted(
                GroupMember.objects.values_list("group__name", "membership__user__email")
            ),
            "invitations": sorted(
                Invitation.objects.values_list("tenant__slug", "email", "token_hash", "expires_at")
            ),
            "audit": AuditEvent.objects.count(),
            "tokens": ApiToken.objects.count(),
            "jobs": Job.objects.count(),
        }


@pytest.mark.django_db
def test_seed_demo_creates_the_demo_contract() -> None:
    run("seed_demo")

    acme, globex = Tenant.objects.get(slug="acme"), Tenant.objects.get(slug="globex")
    assert acme.languages == ["nl", "en"]
    assert globex.languages == ["en"]
    expected = {
        acme: {
            "admin@acme.test": ["learner", "author", "reviewer", "admin"],
            "reviewer@acme.test": ["learner", "reviewer"],
            "author@acme.test": ["learner", "author"],
            "author2@acme.test": ["learner", "author"],
            "learner@acme.test": ["learner"],
        },
        globex: {
            "admin@globex.test": ["learner", "author", "reviewer", "admin"],
            "author@globex.test": ["learner", "author"],
            "learner@globex.test": ["learner"],
        },
    }
    for tenant, people in expected.items():
        with tenant_scope(tenant):
            roles = {m.user.email: m.roles for m in Membership.objects.select_related("user")}
            assert roles == people
            assert all(m.user.display_name for m in Membership.objects.select_related("user"))
            assert Group.objects.count() >= 3
            assert {group.kind for group in Group.objects.all()} == {"team", "region", "department"}
            assert all(group.group_members.exists() for group in Group.objects.all())
    for email in [email for people in expected.values() for email in people]:
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD)
    with tenant_scope(acme):
        assert [(i.email, i.status) for i in Invitation.objects.all()] == [
            ("new.hire@acme.test", InvitationStatus.PENDING)
        ]
    with tenant_scope(globex):
        assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing() -> None:
    run("seed_demo")
    before = snapshot()

    output = run("seed_demo")

    assert snapshot() == before
    assert "nothing changed" in output
    assert "courses" in output.lower()  # the sample courses summary line


@pytest.mark.django_db
def test_seed_demo_repairs_a_broken_demo_login_and_keeps_the_rest() -> None:
    run("seed_demo")
    learner = User.objects.get(email="learner@acme.test")
    learner.set_password("something-else-entirely")
    learner.is_active = False
    learner.save()
    acme = Tenant.objects.get(slug="acme")
    with tenant_scope(acme):
        Membership.objects.filter(user__email="author@acme.test").update(is_author=False)
    before_groups = snapshot()["groups"]

    run("seed_demo")

    learner.refresh_from_db()
    assert learner.is_active
    assert learner.check_password(DEMO_PASSWORD)
    with tenant_scope(acme):
        assert Membership.objects.get(user__email="author@acme.test").is_author
    assert snapshot()["groups"] == before_groups


def sign_in(host: str, email: str, password: str) -> tuple[Client, int]:
    """Through the real sign-in form on `host`; returns the client and the POST's status."""
    client = Client(HTTP_HOST=host)
    response = client.post("/accounts/login/", {"email": email, "password": password})
    return client, response.status_code


@pytest.mark.django_db
def test_seed_demo_logins_work_on_their_own_tenant_host_only() -> None:
    run("seed_demo")

    learner, status = sign_in("acme.localhost", "learner@acme.test", DEMO_PASSWORD)
    assert status == 302
    assert learner.get("/").status_code == 200

    stranger, status = sign_in("acme.localhost", "learner@acme.test", "wrong-password")
    assert status != 302  # the form again, with an error
    assert stranger.get("/").status_code == 302  # still signed out

    # The account exists once for the whole platform, but it is no member of globex.
    outsider, _status = sign_in("globex.localhost", "learner@acme.test", DEMO_PASSWORD)
    assert outsider.get("/").status_code in (302, 403)

    admin, status = sign_in("globex.localhost", "admin@globex.test", DEMO_PASSWORD)
    assert status == 302
    assert admin.get("/").status_code == 200
