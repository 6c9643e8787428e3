"""The Django admin for platform staff: tenants and accounts on the bare host only."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client

from tenants.models import Membership, Tenant, User
from tenants.tenancy import TenantOwnedModel, tenant_scope
from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def staff_client(db) -> Client:
    staff = UserFactory(email="ops@platform.test", is_staff=True, is_superuser=True)
    client = Client(HTTP_HOST="localhost")
    client.force_login(staff)
    return client


def test_admin_registers_tenants_and_accounts_but_no_tenant_owned_model() -> None:
    registered = set(admin.site._registry)
    assert {Tenant, User} <= registered
    assert not [model for model in registered if issubclass(model, TenantOwnedModel)]


def test_staff_see_tenants_and_accounts_on_the_bare_host(staff_client: Client, acme) -> None:
    tenants_page = staff_client.get("/django-admin/tenants/tenant/")
    users_page = staff_client.get("/django-admin/tenants/user/")

    assert tenants_page.status_code == 200
    assert b"acme" in tenants_page.content
    assert users_page.status_code == 200
    assert b"admin@acme.test" in users_page.content


def test_account_page_lists_the_organisations_of_the_account(staff_client: Client, acme) -> None:
    response = staff_client.get(f"/django-admin/tenants/user/{acme.admin.user.pk}/change/")

    assert response.status_code == 200
    assert b"acme (learner, author, reviewer, admin; Active)" in response.content


def test_adding_a_tenant_in_the_admin_creates_its_first_admin(staff_client: Client) -> None:
    response = staff_client.post(
        "/django-admin/tenants/tenant/add/",
        {
            "slug": "initech",
            "name": "Initech",
            "content_languages": ["en"],
            "admin_email": "boss@initech.test",
        },
    )

    assert response.status_code == 302
    tenant = Tenant.objects.get(slug="initech")
    with tenant_scope(tenant):
        assert Membership.objects.get(user__email="boss@initech.test").is_admin


def test_adding_a_tenant_with_a_reserved_address_is_refused_and_changes_nothing(
    staff_client: Client,
) -> None:
    response = staff_client.post(
        "/django-admin/tenants/tenant/add/",
        {
            "slug": "admin",
            "name": "X",
            "content_languages": ["en"],
            "admin_email": "boss@initech.test",
        },
    )

    assert response.status_code == 200
    assert b"not reserved" in response.content
    assert not Tenant.objects.filter(slug="admin").exists()
    assert not User.objects.filter(email="boss@initech.test").exists()


def test_tenants_and_accounts_cannot_be_deleted_in_the_admin(staff_client: Client, acme) -> None:
    assert (
        staff_client.get(f"/django-admin/tenants/tenant/{acme.tenant.pk}/delete/").status_code
        == 403
    )
    assert (
        staff_client.get(f"/django-admin/tenants/user/{acme.learner.user.pk}/delete/").status_code
        == 403
    )


def test_admin_is_not_served_on_a_tenant_host(acme) -> None:
    staff = UserFactory(email="ops@platform.test", is_staff=True, is_superuser=True)
    client = Client(HTTP_HOST="acme.localhost")
    with acme.scope():  # signed in on the tenant's host: the session lives in its namespace
        client.force_login(staff)

    assert client.get("/django-admin/").status_code == 404


def test_non_staff_are_sent_to_the_admin_login(acme) -> None:
    client = Client(HTTP_HOST="localhost")
    assert client.login(email="admin@acme.test", password=PASSWORD)

    response = client.get("/django-admin/tenants/tenant/")

    assert response.status_code == 302
    assert "/django-admin/login/" in response["Location"]
