from typing import Any

from django.http import HttpRequest

from tenants.permissions import Capability, capabilities_for_roles
from tenants.selectors import tenants_of_user


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


def _other_tenants(request: HttpRequest) -> list[Any]:
    tenant = getattr(request, "tenant", None)
    if tenant is None or not request.user.is_authenticated:
        return []
    return [other for other in tenants_of_user(request.user) if other.pk != tenant.pk]
