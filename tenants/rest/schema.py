"""How our authentication classes appear in the OpenAPI schema (drf-spectacular extensions).

Imported for its side effect by tenants.rest.urls: defining the classes registers them.
"""

from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "tenants.rest.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token from your profile page: `Authorization: Bearer egl_…`.",
        }


class TenantSessionScheme(OpenApiAuthenticationExtension):
    target_class = "tenants.rest.authentication.TenantSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": "The browser session of the tenant's host; unsafe methods need the CSRF token.",
        }
