"""Resolve the tenant from the host and the member from the session.

TenantMiddleware: `<slug>.<EGL_BASE_DOMAIN>` → request.tenant, active for the whole request
(tenants.tenancy.tenant_scope). The bare base domain serves the platform URLs with no
tenant. An unknown or inactive tenant host answers 404, in the browser's language.
MembershipMiddleware: request.membership is the signed-in user's active membership of
this tenant, or None; the user's chosen UI language wins over the browser's.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from tenants.selectors import tenant_for_slug
from tenants.tenancy import no_tenant_scope, tenant_scope


def host_slug(request: HttpRequest) -> str | None:
    """The tenant slug of the request's host; '' for the bare base domain; None if foreign."""
    hostname = request.get_host().lower().rsplit(":", 1)[0]
    base = settings.EGL_BASE_DOMAIN
    if hostname == base:
        return ""
    if hostname.endswith(f".{base}"):
        return hostname[: -len(base) - 1]
    return None


class TenantMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        slug = host_slug(request)
        if slug == "":
            request.tenant = None  # type: ignore[attr-defined]
            request.urlconf = settings.PLATFORM_URLCONF
            with no_tenant_scope():
                return self.get_response(request)
        tenant = tenant_for_slug(slug) if slug else None
        if tenant is None:
            translation.activate(translation.get_language_from_request(request))
            return render(
                request, "errors/unknown_tenant.html", {"host": request.get_host()}, status=404
            )
        request.tenant = tenant  # type: ignore[attr-defined]
        with tenant_scope(tenant):
            return self.get_response(request)


class MembershipMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from tenants.selectors import active_membership_of

        tenant = getattr(request, "tenant", None)
        membership = None
        if tenant is not None and request.user.is_authenticated:
            membership = active_membership_of(request.user)
        request.membership = membership  # type: ignore[attr-defined]
        if request.user.is_authenticated and request.user.language in dict(settings.LANGUAGES):
            translation.activate(request.user.language)
            request.LANGUAGE_CODE = request.user.language
        return self.get_response(request)
