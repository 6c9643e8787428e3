import time
from typing import Any

from django.http import HttpRequest

from tenants.permissions import Capability, capabilities_for_roles
from tenants.selectors import tenants_of_user

# The switcher's list lives in the session (already loaded for every request) and is
# refreshed this often: reading it from the shared cache and unpickling tenants cost half
# a millisecond on every page (docs/benchmarks.md). A new organisation shows up in the
# switcher of an existing session within this time; the switch itself checks afresh.
SWITCHER_SESSION_KEY = "egl_switcher"
SWITCHER_REFRESH_SECONDS = 300


def tenancy(request: HttpRequest) -> dict[str, Any]:
    """The tenant, the membership and its capabilities, for every template."""
    membership = getattr(request, "membership", None)
    capabilities = (
        capabilities_for_roles(membership.roles) if membership is not None else frozenset()
    )
    return {
        "tenant": getattr(request, "tenant", None),
        "membership": membership,
        "can": {cap.name.lower(): cap in capabilities for cap in Capability},
        # Lazy: the template calls it only where the switcher is shown.
        "other_tenants": lambda: _other_tenants(request),
    }


def _other_tenants(request: HttpRequest) -> list[dict[str, str]]:
    """[{"slug", "name"}] of the signed-in user's other organisations."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or not request.user.is_authenticated:
        return []
    stored = request.session.get(SWITCHER_SESSION_KEY)
    if not stored or stored.get("user") != request.user.pk or stored.get("until", 0) < time.time():
        stored = {
            "user": request.user.pk,
            "until": time.time() + SWITCHER_REFRESH_SECONDS,
            "tenants": [{"slug": t.slug, "name": t.name} for t in tenants_of_user(request.user)],
        }
        request.session[SWITCHER_SESSION_KEY] = stored
    return [other for other in stored["tenants"] if other["slug"] != tenant.slug]
