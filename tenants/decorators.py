"""Guards for HTML views. Every view carries one: `capability_required(...)` or `public_view`.

A test walks every URL pattern and fails on a view with neither (default deny).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from egl_platform.errors import Forbidden
from tenants.permissions import Capability, require_capability

View = Callable[..., HttpResponseBase]


def capability_required(capability: Capability) -> Callable[[View], View]:
    """Signed in, an active member of this tenant, and holding `capability`; else login / 403."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = getattr(request, "membership", None)
            if membership is None:
                raise Forbidden(_("Your account is not an active member of this organisation."))
            require_capability(membership, capability)
            return view(request, *args, **kwargs)

        guarded.egl_capability = capability  # type: ignore[attr-defined]
        return guarded

    return decorate


def public_view(view: View) -> View:
    """Mark a view as deliberately open to anyone (sign-in, invitation links, error pages)."""
    view.egl_public = True  # type: ignore[attr-defined]
    return view
