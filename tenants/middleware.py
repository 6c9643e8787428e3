"""Resolve the tenant from the host and the member from the session.

TenantMiddleware: `<slug>.<EGL_BASE_DOMAIN>` → request.tenant, active for the whole request
(tenants.tenancy.tenant_scope). The bare base domain serves the platform URLs with no
tenant. An unknown or inactive tenant host answers 404, in the browser's language.
MembershipMiddleware: request.membership is the signed-in user's active membership of
this tenant, or None; the user's chosen UI language wins over the browser's.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.crypto import constant_time_compare

from tenants.models import Membership
from tenants.selectors import active_membership_of, active_membership_of_user_id, tenant_for_slug
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
    """request.membership, and request.user taken from the same query when possible.

    For a signed-in member, one query loads the membership with its user; the user is
    accepted only when the session's auth hash matches, exactly as Django's get_user()
    checks it. Everyone else (anonymous, not a member here, a session signed with an old
    key) goes through Django's own lazy request.user.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = None
        if getattr(request, "tenant", None) is not None:
            membership = self._membership_from_session(request)
            if membership is None and request.user.is_authenticated:
                membership = active_membership_of(request.user)
        request.membership = membership  # type: ignore[attr-defined]
        if request.user.is_authenticated and request.user.language in dict(settings.LANGUAGES):
            translation.activate(request.user.language)
            request.LANGUAGE_CODE = request.user.language
        return self.get_response(request)

    @staticmethod
    def _membership_from_session(request: HttpRequest) -> Membership | None:
        session = request.session
        user_id, backend = session.get(SESSION_KEY), session.get(BACKEND_SESSION_KEY)
        if user_id is None or backend not in settings.AUTHENTICATION_BACKENDS:
            return None
        membership = active_membership_of_user_id(user_id)
        if membership is None:
            return None
        user = membership.user
        session_hash = session.get(HASH_SESSION_KEY)
        if not session_hash or not constant_time_compare(
            session_hash, user.get_session_auth_hash()
        ):
            return None  # Django's get_user() decides: fallback keys, or sign out
        user.backend = backend
        request.user = request._cached_user = user  # type: ignore[attr-defined]  # what AuthenticationMiddleware's lazy user caches
        return membership
