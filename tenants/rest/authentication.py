"""API authentication: personal tokens (`Authorization: Bearer egl_…`) and the browser session.

A token is bound to one membership of one tenant; on another tenant's host it is unknown.
Session authentication enforces CSRF (DRF's SessionAuthentication does).
"""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from tenants.services.accounts import api_token_authenticate


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _sep, key = header.partition(" ")
        if keyword not in (self.keyword, "Token"):
            return None
        membership = api_token_authenticate(key.strip())
        if membership is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked API token."))
        return membership.user, membership

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class TenantSessionAuthentication(authentication.SessionAuthentication):
    pass
