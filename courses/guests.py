"""Guests (members who came in through a public course link) stay inside their courses.

GuestConfinementMiddleware runs after MembershipMiddleware. For a guest membership it lets
through only: the player of a course the guest is enrolled on, their certificate download,
the public pages (/share/, /verify/), the language switch, sign-out and the tenant logo.
Anything else answers 404 (or, for a plain page view, redirects to their course).

It also marks the responses that may be framed by other sites — the public link page
(`sharing:visit`, for everyone) and a guest's player pages — so XFrameOptionsMiddleware
and ContentSecurityPolicyMiddleware relax X-Frame-Options and `frame-ancestors` for those
responses alone. It is listed after both in settings.MIDDLEWARE so that it sees the
response first.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, ResolverMatch, resolve, reverse

from courses.models import Enrollment

__all__ = ["GuestConfinementMiddleware", "embeddable_csp"]

# (namespace, url_name) pairs a guest may reach; None: any name in that namespace.
_GUEST_ALLOWED: set[tuple[str, str | None]] = {
    ("certificates", "download"),
    ("certificates", "verify"),
    ("certificates", "verify-code"),
    ("sharing", "visit"),
    ("", "set_language"),
    ("", "tenant-logo"),
    ("accounts", "logout"),
}


def embeddable_csp() -> dict[str, Any]:
    """The site CSP with `frame-ancestors` opened: any https site (any site on plain-http
    development hosts, where nothing is https)."""
    config: dict[str, Any] = copy.deepcopy(settings.SECURE_CSP)
    config["frame-ancestors"] = ["https:"] if getattr(settings, "EGL_HTTPS", False) else ["*"]
    return config


def _match(request: HttpRequest) -> ResolverMatch | None:
    try:
        return resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
    except Resolver404:
        return None


def _allow_framing(response: HttpResponse) -> None:
    response.xframe_options_exempt = True
    response._csp_config = embeddable_csp()  # type: ignore[attr-defined]


class GuestConfinementMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = getattr(request, "membership", None)
        match = _match(request)
        namespace = match.namespace if match else ""
        name = match.url_name if match else ""
        if membership is not None and membership.is_guest:
            course_uuids = {
                str(u)
                for u in Enrollment.objects.filter(learner=membership).values_list(
                    "course__uuid", flat=True
                )
            }
            in_player = namespace == "player"
            if in_player:
                assert match is not None
                if str(match.kwargs.get("course_uuid")) not in course_uuids:
                    raise Http404
            elif match is not None and (namespace, name) not in _GUEST_ALLOWED:
                page_view = request.method in ("GET", "HEAD") and not request.path.startswith(
                    "/api/"
                )
                if page_view and course_uuids:
                    first = sorted(course_uuids)[0]
                    return redirect(reverse("player:resume", kwargs={"course_uuid": first}))
                raise Http404
            response = self.get_response(request)
            if in_player:
                _allow_framing(response)
            return response
        response = self.get_response(request)
        if (namespace, name) == ("sharing", "visit"):
            _allow_framing(response)
        return response
