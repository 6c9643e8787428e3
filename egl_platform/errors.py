"""One error hierarchy for services. Views and the API map it to one response shape.

NotFound and Forbidden derive from Django's own exceptions, so HTML views answer 404/403
pages and DRF answers its 404/403 without extra code. Conflict means HTTP 409: the request
was understood but the object's state does not allow it (nothing was changed).
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404


class DomainError(Exception):
    """Base of the errors a service may raise, with a translated, user-facing message."""

    code = "error"
    status = 400

    def __init__(self, message: Any = "", *, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class Invalid(DomainError):
    """The input is wrong; `fields` maps field names to messages."""

    code = "invalid"
    status = 400


class NotFound(Http404):
    """Missing or not yours: both answer the same."""

    code = "not_found"
    status = 404


class Forbidden(PermissionDenied):
    code = "forbidden"
    status = 403


class Conflict(DomainError):
    """The object's state does not allow the action now; nothing was changed."""

    code = "conflict"
    status = 409
