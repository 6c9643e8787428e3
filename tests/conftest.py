"""Test set-up shared by every test.

On PostgreSQL the test database is created and migrated as the owner role, and the tests
then run as the application role, so row-level security is in force for every test.
Tenancy fixtures give two tenants, `acme` and `globex`, each with a member of every role.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from egl_platform.db.roles import as_owner
from tenants.models import Membership, Tenant
from tenants.selectors import tenant_cache_forget_local
from tenants.tenancy import tenant_scope
from tests.factories import (
    PASSWORD,  # noqa: F401  (re-exported for tests)
    MembershipFactory,
    TenantFactory,
)


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_keepdb):
    """pytest-django's set-up, but creating and migrating the test database as the owner."""
    from django.test.utils import setup_databases, teardown_databases

    verbosity = request.config.option.verbose
    with django_db_blocker.unblock(), as_owner():
        db_cfg = setup_databases(verbosity=verbosity, interactive=False, keepdb=django_db_keepdb)
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock(), as_owner():
            teardown_databases(db_cfg, verbosity=verbosity)


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """A test that activates Dutch (a view does, for a Dutch member) must not leak it."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    cache.clear()
    tenant_cache_forget_local()
    yield
    cache.clear()
    tenant_cache_forget_local()


@dataclass
class TenantWorld:
    tenant: Tenant
    learner: Membership
    author: Membership
    reviewer: Membership
    admin: Membership

    def host(self) -> str:
        return f"{self.tenant.slug}.localhost"

    def client_for(self, membership: Membership) -> Client:
        client = Client(HTTP_HOST=self.host())
        # In the tenant's scope: with cache-backed sessions (REDIS_URL) the session key is
        # namespaced by tenant, exactly as when signing in on the tenant's host.
        with self.scope():
            client.force_login(membership.user)
        return client

    def scope(self):  # type: ignore[no-untyped-def]
        return tenant_scope(self.tenant)


def build_world(slug: str) -> TenantWorld:
    tenant = TenantFactory(slug=slug, name=slug.capitalize())
    with tenant_scope(tenant):
        return TenantWorld(
            tenant=tenant,
            learner=MembershipFactory(roles=[], user__email=f"learner@{slug}.test"),
            author=MembershipFactory(roles=["author"], user__email=f"author@{slug}.test"),
            reviewer=MembershipFactory(roles=["reviewer"], user__email=f"reviewer@{slug}.test"),
            admin=MembershipFactory(
                roles=["admin", "reviewer", "author"], user__email=f"admin@{slug}.test"
            ),
        )


@pytest.fixture
def acme(db) -> TenantWorld:
    return build_world("acme")


@pytest.fixture
def globex(db) -> TenantWorld:
    return build_world("globex")
