"""Default deny: every route of every host names who may use it.

- HTML views carry `egl_capability` (tenants.decorators.capability_required) or `egl_public`
  (tenants.decorators.public_view).
- DRF views name a capability per action (`capabilities`, "*" for the rest) or one
  `capability`, and keep HasCapability; only the OpenAPI schema and its docs page are open
  to everyone (AllowAny), by name.
- Django's admin is platform staff's, served only on the bare base domain: skipped there
  (the admin checks is_staff itself) and refused on tenant hosts.
- The error handlers (400/403/404/500) are public views too.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import get_resolver
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from egl_platform.rest.permissions import HasCapability
from tenants.permissions import Capability
from tests.routes import Route, routes_of

URLCONFS = {"tenant": settings.ROOT_URLCONF, "platform": settings.PLATFORM_URLCONF}

# DRF views open to everyone, by URL name, with the reason.
PUBLIC_API_VIEWS = {
    "api-schema": "the OpenAPI schema describes the API, the same for everyone; it holds no rows",
    "api-docs": "the Swagger UI page and its init script; it holds no rows",
}


def all_routes() -> list[tuple[str, Route]]:
    return [(host, route) for host, urlconf in URLCONFS.items() for route in routes_of(urlconf)]


def _ids(items: list[tuple[str, Route]]) -> list[str]:
    return [f"{host}:{route.label}" for host, route in items]


def is_admin_route(route: Route) -> bool:
    return "admin" in route.app_names


def guard_of(callback: Any) -> tuple[str, Any] | None:
    """('capability', Capability) or ('public', True) from the view or anything it wraps."""
    candidates: list[Any] = []
    seen: set[int] = set()
    todo = [callback]
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:  # class-based view: the class, or its decorated dispatch
        todo += [view_class, getattr(view_class, "dispatch", None)]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        candidates.append(current)
        todo.append(getattr(current, "__wrapped__", None))
    for candidate in candidates:
        capability = getattr(candidate, "egl_capability", None)
        if capability is not None:
            return ("capability", capability)
        if getattr(candidate, "egl_public", False) is True:
            return ("public", True)
    return None


def drf_problems(route: Route) -> list[str]:
    view_class: type[APIView] = route.callback.cls
    permissions = list(view_class.permission_classes)
    if route.name in PUBLIC_API_VIEWS:
        return (
            []
            if permissions == [AllowAny]
            else [f"expected permission_classes [AllowAny], got {permissions}"]
        )
    if HasCapability not in permissions:
        return [f"permission_classes {permissions} drop HasCapability (default deny)"]
    if any(permission is AllowAny for permission in permissions):
        return ["AllowAny on a view that is not on the PUBLIC_API_VIEWS list"]
    per_action: dict[str, Any] = getattr(view_class, "capabilities", {}) or {}
    single = getattr(view_class, "capability", None)
    actions = getattr(route.callback, "actions", None)  # viewsets: {"get": "list", ...}
    if actions:
        problems = []
        for method, action in actions.items():
            capability = per_action.get(action, per_action.get("*", single))
            if not isinstance(capability, Capability):
                problems.append(f"{method.upper()} ({action}) names no capability")
        return problems
    handlers = [
        m
        for m in view_class.http_method_names
        if m not in ("options", "head") and hasattr(view_class, m)
    ]
    if not isinstance(single, Capability) and not isinstance(per_action.get("*"), Capability):
        return [f"{view_class.__name__} ({', '.join(handlers)}) names no capability"]
    return []


@pytest.mark.parametrize(("host", "route"), all_routes(), ids=_ids(all_routes()))
def test_every_route_names_who_may_use_it(host, route):
    if is_admin_route(route):
        assert host == "platform", f"Django admin must not be served on tenant hosts: {route.label}"
        pytest.skip(
            "Django admin: platform staff only, on the bare base domain; the admin checks is_staff"
        )
    callback = route.callback
    if hasattr(callback, "cls") and issubclass(callback.cls, APIView):
        problems = drf_problems(route)
        assert not problems, f"{host} {route.label} ({callback.cls.__name__}): {problems}"
        return
    guard = guard_of(callback)
    assert guard is not None, (
        f"{host} {route.label}: the view {getattr(callback, '__qualname__', callback)!r} carries neither "
        "@capability_required(Capability.X) nor @public_view (tenants.decorators)"
    )
    kind, value = guard
    if kind == "capability":
        assert isinstance(value, Capability), (
            f"{route.label}: egl_capability is {value!r}, not a Capability"
        )


@pytest.mark.parametrize("host", list(URLCONFS))
@pytest.mark.parametrize("status", [400, 403, 404, 500])
def test_error_handlers_are_public_views(host, status):
    handler = get_resolver(URLCONFS[host]).resolve_error_handler(status)
    assert guard_of(handler) == ("public", True)


def test_the_walk_sees_the_routes():
    """A broken walk would make every test above pass on nothing."""
    tenant_names = {route.name for route in routes_of(URLCONFS["tenant"])}
    assert {"home", "api-me", "api-member-list", "api-schema", "api-docs"} <= tenant_names
    assert any(is_admin_route(route) for route in routes_of(URLCONFS["platform"]))
    assert not any(is_admin_route(route) for route in routes_of(URLCONFS["tenant"]))


def test_guard_of_sees_through_decorators():
    from django.views.decorators.http import require_POST

    from tenants.decorators import capability_required, public_view

    @require_POST
    @capability_required(Capability.MEMBERS_MANAGE)
    def guarded(request):  # pragma: no cover - never called
        raise AssertionError

    @require_POST
    @public_view
    def open_view(request):  # pragma: no cover
        raise AssertionError

    @require_POST
    def unguarded(request):  # pragma: no cover
        raise AssertionError

    assert guard_of(guarded) == ("capability", Capability.MEMBERS_MANAGE)
    assert guard_of(open_view) == ("public", True)
    assert guard_of(unguarded) is None
