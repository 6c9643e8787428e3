"""The inbox's unread count for the header, on every page of a signed-in member."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest

from reviews.notifications import unread_count


def inbox(request: HttpRequest) -> dict[str, Any]:
    """`inbox_unread`: a lazy count, one COUNT query the first time a template reads it;
    nothing for requests without a membership (platform pages, signed-out visitors)."""
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}

    @cache
    def count() -> int:
        return unread_count(membership)

    return {"inbox_unread": count}
