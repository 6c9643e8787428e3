"""Tenant-owned models: the abstract base and its fail-closed manager.

The scope itself (which tenant is active) lives in tenants.scope and is re-exported here.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from tenants.scope import (
    CrossTenantWrite,
    NoActiveTenant,
    _active_tenant,
    _unscoped,
    dangerously_unscoped,
    get_active_tenant,
    is_unscoped,
    no_tenant_scope,
    require_active_tenant,
    scope_key,
    tenant_cache_key,
    tenant_scope,
    tenant_storage_path,
)

__all__ = [
    "CrossTenantWrite",
    "NoActiveTenant",
    "TenantOwnedManager",
    "TenantOwnedModel",
    "dangerously_unscoped",
    "get_active_tenant",
    "is_unscoped",
    "no_tenant_scope",
    "require_active_tenant",
    "scope_key",
    "tenant_cache_key",
    "tenant_scope",
    "tenant_storage_path",
]


class TenantOwnedQuerySet(models.QuerySet):
    pass


class TenantOwnedManager(models.Manager):
    """Filters to the active tenant; raises outside a tenant scope."""

    def get_queryset(self) -> models.QuerySet:
        queryset = super().get_queryset()
        if _unscoped.get():
            return queryset
        return queryset.filter(tenant_id=require_active_tenant().pk)


class TenantOwnedModel(models.Model):
    """Base of every tenant-owned model: a non-null tenant leads its indexes and constraints."""

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="+", editable=False
    )

    objects = TenantOwnedManager()
    # Django follows relations (membership.user, job.created_by) with the base manager; a
    # plain one keeps that working, while row-level security still hides other tenants'
    # rows on PostgreSQL. Its name says it is no way to write queries.
    dangerously_unscoped_base = models.Manager()  # noqa: DJ012 - a manager, not a field

    class Meta:
        abstract = True
        base_manager_name = "dangerously_unscoped_base"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # New rows take the active tenant; a row is never written under another tenant's scope.
        active = _active_tenant.get()
        if self.tenant_id is None:
            self.tenant = require_active_tenant()
        elif active is not None and active.pk != self.tenant_id and not _unscoped.get():
            raise CrossTenantWrite(
                f"{type(self).__name__} of tenant {self.tenant_id} saved in tenant {active.pk}'s scope"
            )
        super().save(*args, **kwargs)
