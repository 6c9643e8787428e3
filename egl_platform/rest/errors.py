"""One error shape for the whole API:

{"error": {"code": "invalid", "message": "…", "fields": {"email": ["…"]}}}
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from egl_platform.errors import DomainError


def error_body(code: str, message: Any, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def _flatten(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            key: [str(item) for item in (value if isinstance(value, list) else [value])]
            for key, value in detail.items()
        }
    if isinstance(detail, list):
        return {"non_field_errors": [str(item) for item in detail]}
    return {}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status)
    if isinstance(exc, Http404):
        message = exc.args[0] if exc.args and isinstance(exc.args[0], str) else _("Not found.")
        return Response(error_body("not_found", message), status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, PermissionDenied) and not isinstance(exc, exceptions.APIException):
        message = exc.args[0] if exc.args else _("You do not have permission to do this.")
        return Response(error_body("forbidden", message), status=status.HTTP_403_FORBIDDEN)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        response.data = error_body("invalid", _("Some fields need attention."), fields)
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        message = detail if not isinstance(detail, dict | list) else _("Request failed.")
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
        if isinstance(exc, exceptions.PermissionDenied):
            code = "forbidden"  # one code for 403, whether DRF or a service refused
        response.data = error_body(str(code), message)
    return response


# --- the error shape in the OpenAPI schema ----------------------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Machine-readable: invalid, not_found, forbidden, conflict, …"
    )
    message = serializers.CharField(help_text="Translated, for people.")
    # A field called "fields" (the error shape's); DRF's metaclass takes it off the class.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field name → messages; empty when the error is not about one field.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


_ERROR_DESCRIPTIONS = {
    400: "Invalid input; nothing was changed.",
    401: "Not signed in, or the API token is unknown or revoked.",
    403: "Your roles do not allow this.",
    404: "Not found (also when it belongs to another organisation).",
    409: "The object's state does not allow this now; nothing was changed.",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """OpenAPI responses in the one error shape, for @extend_schema(responses=...)."""
    return {
        code: OpenApiResponse(ErrorSerializer, description=_ERROR_DESCRIPTIONS[code])
        for code in codes
    }
