"""System checks that keep the tenancy architecture honest.

egl.E001: every model in a tenant app derives from TenantOwnedModel, unless it is one of
the few platform models named below. Auto-created many-to-many tables are flagged too:
they would carry no tenant column, so RLS could not guard them.
egl.E002: a tenant-owned model's unique constraints and indexes lead with `tenant`.
"""

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core import checks
from django.db import models

from tenants.tenancy import TenantOwnedModel

TENANT_APPS = frozenset({"egl_platform", "tenants", "authoring", "reviews", "courses", "analytics"})
# Platform-level models: one account per person, and the tenant itself.
PLATFORM_MODELS = frozenset(
    {"tenants.tenant", "tenants.user", "tenants.user_groups", "tenants.user_user_permissions"}
)


def check_tenant_owned(
    models_to_check: Iterable[type[models.Model]] | None = None,
) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    candidates = (
        apps.get_models(include_auto_created=True) if models_to_check is None else models_to_check
    )
    for model in candidates:
        meta = model._meta
        if meta.app_label not in TENANT_APPS or meta.label_lower in PLATFORM_MODELS:
            continue
        if meta.abstract or meta.proxy:
            continue
        if not issubclass(model, TenantOwnedModel):
            hint = (
                "Give the many-to-many field an explicit through model that derives from TenantOwnedModel."
                if meta.auto_created
                else "Derive it from tenants.tenancy.TenantOwnedModel, or add it to PLATFORM_MODELS with a reason."
            )
            errors.append(
                checks.Error(
                    f"{meta.label} is in a tenant app but is not tenant-owned.",
                    hint=hint,
                    obj=model,
                    id="egl.E001",
                )
            )
            continue
        leading = [
            *(
                c.fields
                for c in meta.constraints
                if isinstance(c, models.UniqueConstraint) and c.fields
            ),
            *(index.fields for index in meta.indexes),
            *meta.unique_together,
        ]
        leading += [
            (field.name,) for field in meta.local_fields if field.unique and not field.primary_key
        ]
        for fields in leading:
            if fields and fields[0].lstrip("-") != "tenant":
                errors.append(
                    checks.Error(
                        f"{meta.label}: index or unique constraint on {tuple(fields)} does not lead with tenant.",
                        hint="Put 'tenant' first, so PostgreSQL can scope it and distribute by tenant.",
                        obj=model,
                        id="egl.E002",
                    )
                )
    return errors


def _check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    return check_tenant_owned()


def register() -> None:
    checks.register(_check, checks.Tags.models)
