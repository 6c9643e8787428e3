"""The tenant scope: which tenant the current request or task works for.

No models here: the database backend imports this module while models load.

Fail closed. The default manager of every tenant-owned model filters to the active tenant
and raises `NoActiveTenant` when there is none. Crossing tenants is possible only inside
`dangerously_unscoped()`, which is meant for platform code and easy to grep for.
On PostgreSQL the same scope is mirrored into the session settings `egl.tenant_id` and
`egl.unscoped` that the row-level-security policies read (egl_platform/db/postgresql).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tenants.models import Tenant


class NoActiveTenant(RuntimeError):
    """A tenant-owned query ran outside any tenant scope."""


class CrossTenantWrite(RuntimeError):
    """A tenant-owned row was about to be saved under another tenant's scope."""


_active_tenant: ContextVar[Tenant | None] = ContextVar("egl_active_tenant", default=None)
_unscoped: ContextVar[bool] = ContextVar("egl_unscoped", default=False)


def get_active_tenant() -> Tenant | None:
    return _active_tenant.get()


def require_active_tenant() -> Tenant:
    tenant = _active_tenant.get()
    if tenant is None:
        raise NoActiveTenant(
            "No tenant is active. Wrap the code in tenant_scope(tenant), or use "
            "dangerously_unscoped() in platform code."
        )
    return tenant


def is_unscoped() -> bool:
    return _unscoped.get()


def scope_key() -> tuple[int | None, bool]:
    """What the database session must be told: (tenant id or None, unscoped?)."""
    tenant = _active_tenant.get()
    return (tenant.pk if tenant is not None else None, _unscoped.get())


@contextmanager
def tenant_scope(tenant: Tenant) -> Iterator[Tenant]:
    """Run the block for `tenant`: queries see only its rows, new rows belong to it."""
    tenant_token = _active_tenant.set(tenant)
    unscoped_token = _unscoped.set(False)
    try:
        yield tenant
    finally:
        _unscoped.reset(unscoped_token)
        _active_tenant.reset(tenant_token)


@contextmanager
def no_tenant_scope() -> Iterator[None]:
    """Run the block with no tenant active (platform pages, tests of the walls)."""
    tenant_token = _active_tenant.set(None)
    unscoped_token = _unscoped.set(False)
    try:
        yield
    finally:
        _unscoped.reset(unscoped_token)
        _active_tenant.reset(tenant_token)


@contextmanager
def dangerously_unscoped() -> Iterator[None]:
    """See every tenant's rows. Platform code only: never in a tenant's request path."""
    token = _unscoped.set(True)
    try:
        yield
    finally:
        _unscoped.reset(token)


def tenant_cache_key(key: str, key_prefix: str, version: int) -> str:
    """Cache keys carry the active tenant, so one tenant never reads another's entries."""
    tenant = _active_tenant.get()
    namespace = f"t{tenant.pk}" if tenant is not None else "platform"
    return f"{key_prefix}:{version}:{namespace}:{key}"


def tenant_storage_path(*parts: str) -> str:
    """A storage path inside the active tenant's folder: tenants/<tenant uuid>/<parts...>."""
    tenant = require_active_tenant()
    return "/".join(["tenants", str(tenant.uuid), *parts])
