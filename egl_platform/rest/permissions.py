"""Default deny for the API: a view is open only to members holding the capability it names.

A viewset names its capabilities per action in `capabilities` ("*" for every other
action); an APIView names one in `capability`. A view naming none refuses everyone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import AllowAny, BasePermission

from tenants.models import Membership
from tenants.permissions import Capability, has_capability

if TYPE_CHECKING:  # importing rest_framework.views here would be circular at settings load
    from rest_framework.request import Request
    from rest_framework.views import APIView


def request_membership(request: Request) -> Membership | None:
    """The acting membership: the API token's, else the signed-in session's."""
    if isinstance(request.auth, Membership):
        return request.auth
    return getattr(request._request, "membership", None)


def required_capability(view: APIView) -> Capability | None:
    action = getattr(view, "action", None)
    per_action: dict[str, Capability] = getattr(view, "capabilities", {})
    if action and action in per_action:
        return per_action[action]
    if "*" in per_action:
        return per_action["*"]
    return getattr(view, "capability", None)


class HasCapability(BasePermission):
    message = _("You do not have permission to do this.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        capability = required_capability(view)
        if capability is None:
            return False
        return has_capability(request_membership(request), capability)


def public_schema(view_class: Any) -> Any:
    """The OpenAPI schema and its docs page are the same for everyone: open them."""
    return type(
        view_class.__name__,
        (view_class,),
        {"permission_classes": [AllowAny], "authentication_classes": []},
    )
