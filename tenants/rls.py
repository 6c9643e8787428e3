"""PostgreSQL row-level security on every tenant-owned table: the second wall.

Applied after every `migrate` (post_migrate), so a table added later is covered without
anyone remembering to. Each table gets RLS enabled and *forced* (binding its owner too)
and one policy: a row is visible and writable only when its tenant_id equals the session
setting `egl.tenant_id`, or when platform code has said `egl.unscoped = on`
(tenants.tenancy.dangerously_unscoped). With nothing set, no tenant-owned row is seen.
The application role also receives its table grants here.
See docs/decisions/0001-tenant-isolation.md.
"""

from typing import Any

from django.apps import apps
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from egl_platform.db.roles import application_role
from tenants.tenancy import TenantOwnedModel

POLICY_NAME = "tenant_isolation"
POLICY_CONDITION = (
    "current_setting('egl.unscoped', true) = 'on' "
    "OR tenant_id = NULLIF(current_setting('egl.tenant_id', true), '')::bigint"
)


def tenant_owned_tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, TenantOwnedModel) and not model._meta.proxy and model._meta.managed
    )


def apply_row_level_security(connection: BaseDatabaseWrapper) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in tenant_owned_tables():
            name = quote(table)
            cursor.execute(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY")
            cursor.execute(f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY")
            cursor.execute(f"DROP POLICY IF EXISTS {POLICY_NAME} ON {name}")
            cursor.execute(
                f"CREATE POLICY {POLICY_NAME} ON {name} "
                f"USING ({POLICY_CONDITION}) WITH CHECK ({POLICY_CONDITION})"
            )


def grant_application_role(connection: BaseDatabaseWrapper, role: str) -> None:
    quoted = connection.ops.quote_name(role)
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {quoted}")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}"
        )
        cursor.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {quoted}")


def after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    apply_row_level_security(connection)
    if role := application_role():
        grant_application_role(connection, role)
