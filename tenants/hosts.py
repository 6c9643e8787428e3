"""Absolute URLs on a tenant's own host (e-mails, the tenant switcher)."""

from django.conf import settings

from tenants.models import Tenant


def tenant_origin(tenant: Tenant) -> str:
    port = f":{settings.EGL_PUBLIC_PORT}" if settings.EGL_PUBLIC_PORT else ""
    return f"{settings.EGL_SCHEME}://{tenant.slug}.{settings.EGL_BASE_DOMAIN}{port}"


def tenant_url(tenant: Tenant, path: str) -> str:
    return tenant_origin(tenant) + path
