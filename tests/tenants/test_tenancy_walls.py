"""The two walls between tenants: the fail-closed manager, and PostgreSQL row-level security."""

import pytest
from django.db import connection, models
from django.test.utils import isolate_apps

from tenants.checks import check_tenant_owned
from tenants.models import GroupMember, Membership
from tenants.rls import tenant_owned_tables
from tenants.tenancy import (
    CrossTenantWrite,
    NoActiveTenant,
    TenantOwnedModel,
    dangerously_unscoped,
    no_tenant_scope,
    tenant_scope,
)
from tests.factories import GroupMemberFactory

pytestmark = pytest.mark.django_db


def test_manager_raises_outside_a_tenant_scope(acme):
    with no_tenant_scope(), pytest.raises(NoActiveTenant):
        list(Membership.objects.all())


def test_manager_sees_only_the_active_tenant(acme, globex):
    with tenant_scope(acme.tenant):
        emails = set(Membership.objects.values_list("user__email", flat=True))
    assert emails == {
        "learner@acme.test",
        "author@acme.test",
        "reviewer@acme.test",
        "admin@acme.test",
    }


def test_unscoped_escape_hatch_sees_every_tenant(acme, globex):
    with dangerously_unscoped():
        assert Membership.objects.count() == 8


def test_saving_a_row_under_another_tenants_scope_is_refused(acme, globex):
    with tenant_scope(globex.tenant), pytest.raises(CrossTenantWrite):
        acme.learner.save()


def test_every_model_in_a_tenant_app_is_tenant_owned():
    assert check_tenant_owned() == []


@isolate_apps("authoring")
def test_check_fails_for_a_model_that_is_not_tenant_owned():
    class Loose(models.Model):
        title = models.CharField(max_length=10)

        class Meta:
            app_label = "authoring"

    errors = check_tenant_owned([Loose])
    assert [error.id for error in errors] == ["egl.E001"]


@isolate_apps("authoring")
def test_check_fails_for_a_unique_constraint_not_led_by_tenant():
    class Keyed(TenantOwnedModel):
        code = models.CharField(max_length=10, unique=True)

        class Meta:
            app_label = "authoring"

    errors = check_tenant_owned([Keyed])
    assert [error.id for error in errors] == ["egl.E002"]


# --- row-level security, on PostgreSQL as the application role --------------------------------

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row-level security is PostgreSQL's"
)


@postgres_only
def test_application_role_is_neither_superuser_nor_bypassrls():
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False)


@postgres_only
def test_every_tenant_owned_table_has_forced_row_level_security():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relrowsecurity AND relforcerowsecurity AND relname = ANY(%s)",
            [tenant_owned_tables()],
        )
        protected = {row[0] for row in cursor.fetchall()}
    assert protected == set(tenant_owned_tables())
    assert {"tenants_membership", "egl_platform_job", "tenants_groupmember"} <= protected


@postgres_only
@pytest.mark.parametrize("table", tenant_owned_tables())
def test_raw_sql_sees_no_rows_without_a_tenant_and_only_the_tenants_rows_with_one(
    acme, globex, table
):
    with tenant_scope(acme.tenant):
        GroupMemberFactory(membership=acme.learner)  # a row in the join table too
    with tenant_scope(globex.tenant):
        GroupMemberFactory(membership=globex.learner)
    with no_tenant_scope(), connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - table names come from the model registry
        assert cursor.fetchone() == (0,)
    with tenant_scope(acme.tenant), connection.cursor() as cursor:
        cursor.execute(f'SELECT DISTINCT tenant_id FROM "{table}"')  # noqa: S608
        assert {row[0] for row in cursor.fetchall()} <= {acme.tenant.pk}


@postgres_only
def test_raw_sql_with_tenant_set_returns_exactly_that_tenants_memberships(acme, globex):
    with tenant_scope(acme.tenant), connection.cursor() as cursor:
        cursor.execute("SELECT count(*), min(tenant_id), max(tenant_id) FROM tenants_membership")
        assert cursor.fetchone() == (4, acme.tenant.pk, acme.tenant.pk)
    assert GroupMember  # the join table is covered by the parametrised test above


@postgres_only
def test_policy_refuses_writing_a_row_into_another_tenant(acme, globex):
    from django.db import DatabaseError, transaction

    with (
        tenant_scope(acme.tenant),
        pytest.raises(DatabaseError),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE tenants_membership SET tenant_id = %s", [globex.tenant.pk])
