"""Helpers the editor's views share."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from egl_platform.errors import DomainError
from tenants.models import Membership


def actor_of(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]  # set by MembershipMiddleware


def optional_url(name: str, **kwargs: Any) -> str:
    """The URL of a route another part of the app provides, or "" while it does not exist."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


def back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Redirect to the form's `next` (same host only), else to `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = default
    return redirect(target)


def error_message(error: DomainError) -> str:
    """The service's message, with the field messages after it when it has any."""
    text = str(error.message)
    details = [str(m) for messages_ in error.fields.values() for m in messages_]
    if details and not text:
        return " ".join(details)
    return text


def form_errors(form: Any, error: DomainError) -> None:
    """Put a service's refusal on the form: field messages next to their fields, the rest
    (and the summary) at the top."""
    for name, field_messages in error.fields.items():
        target = name if name in form.fields else None
        for message in field_messages:
            form.add_error(target, str(message))
    if str(error.message):
        form.add_error(None, str(error.message))


def report(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, error_message(error))
