"""Accounts: profile, API tokens, failed-login throttling and the hop between tenant hosts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egl_platform.errors import Conflict, Invalid
from tenants.models import ApiToken, Membership, Tenant, User
from tenants.permissions import Capability, require_capability
from tenants.services.audit import audit_record
from tenants.services.tokens import new_secret, secret_hash, secret_matches
from tenants.tenancy import no_tenant_scope

# --- profile -------------------------------------------------------------------------------


def profile_update(*, user: User, display_name: str, language: str) -> User:
    display_name = (display_name or "").strip()
    if not display_name or len(display_name) > 120:
        raise Invalid(
            _("Your name must be 1 to 120 characters."), fields={"display_name": [_("Required.")]}
        )
    if language and language not in dict(settings.LANGUAGES):
        raise Invalid(
            _("Choose English or Dutch, or follow the browser."),
            fields={"language": [_("Unknown language.")]},
        )
    user.display_name = display_name
    user.language = language
    user.save(update_fields=["display_name", "language"])
    return user


# --- API tokens -----------------------------------------------------------------------------

TOKEN_PREFIX = "egl"  # noqa: S105 - a public marker that starts every key, not a secret


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # shown once; only its hash is stored


def api_token_create(*, actor: Membership, name: str) -> IssuedToken:
    require_capability(actor, Capability.PROFILE_OWN)
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise Invalid(
            _("Give the token a name of up to 80 characters, e.g. “HR sync”."),
            fields={"name": [_("Required.")]},
        )
    if ApiToken.objects.filter(membership=actor, revoked_at__isnull=True).count() >= 20:
        raise Conflict(_("You have 20 active tokens. Revoke one you no longer use first."))
    # Hex: the key is split on "_", which a URL-safe prefix could contain.
    prefix = secrets.token_hex(4)
    secret = new_secret(32)
    key = f"{TOKEN_PREFIX}_{prefix}_{secret}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            membership=actor, name=name, prefix=prefix, key_hash=secret_hash(key)
        )
        audit_record(actor=actor, verb="api_token.created", target=token, name=name)
    return IssuedToken(token, key)


def api_token_revoke(*, actor: Membership, token: ApiToken) -> None:
    require_capability(actor, Capability.PROFILE_OWN)
    if token.membership_id != actor.pk:
        raise Conflict(_("You can only revoke your own tokens."))
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, verb="api_token.revoked", target=token)


def api_token_authenticate(key: str) -> Membership | None:
    """The active membership behind a token of the active tenant, or None."""
    parts = (key or "").split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = (
        ApiToken.objects.filter(prefix=parts[1], revoked_at__isnull=True)
        .select_related("membership__user")
        .first()
    )
    if token is None or not secret_matches(key, token.key_hash):
        return None
    membership = token.membership
    if not membership.is_active or not membership.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # at most once a minute
    return membership


# --- failed sign-in throttling ----------------------------------------------------------------


def _failure_keys(email: str, client_ip: str) -> list[str]:
    # Platform-wide keys: an account is one across tenants, so are its failures.
    return [f"login-failures:email:{email.strip().lower()}", f"login-failures:ip:{client_ip}"]


def login_is_locked(*, email: str, client_ip: str) -> bool:
    with no_tenant_scope():
        email_key, ip_key = _failure_keys(email, client_ip)
        return (cache.get(email_key, 0) >= settings.EGL_LOGIN_MAX_FAILURES) or (
            cache.get(ip_key, 0) >= settings.EGL_LOGIN_MAX_FAILURES * 4
        )


def login_record_failure(*, email: str, client_ip: str) -> None:
    with no_tenant_scope():
        for key in _failure_keys(email, client_ip):
            if not cache.add(key, 1, settings.EGL_LOGIN_LOCKOUT_SECONDS):
                try:
                    cache.incr(key)
                except ValueError:
                    cache.set(key, 1, settings.EGL_LOGIN_LOCKOUT_SECONDS)


def login_clear_failures(*, email: str) -> None:
    with no_tenant_scope():
        cache.delete(_failure_keys(email, "")[0])


# --- hop to another tenant's host (tenant switcher) -------------------------------------------

HANDOFF_SALT = "egl.tenant-handoff"
HANDOFF_MAX_AGE = 60


def handoff_token_issue(*, user: User, tenant: Tenant) -> str:
    """A one-time, one-minute token that signs the user in on `tenant`'s host."""
    return signing.dumps({"u": user.pk, "t": tenant.pk, "n": new_secret(8)}, salt=HANDOFF_SALT)


def handoff_token_redeem(*, token: str, tenant: Tenant) -> User:
    try:
        data = signing.loads(token, salt=HANDOFF_SALT, max_age=HANDOFF_MAX_AGE)
    except signing.BadSignature:
        raise Invalid(
            _("That sign-in link has expired. Sign in here with your e-mail address and password.")
        ) from None
    if data.get("t") != tenant.pk:
        raise Invalid(_("That sign-in link is for another organisation."))
    with no_tenant_scope():
        if not cache.add(f"handoff-used:{data['n']}", 1, HANDOFF_MAX_AGE * 2):
            raise Invalid(
                _(
                    "That sign-in link was already used. Sign in here with your e-mail address and password."
                )
            )
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None:
        raise Invalid(_("That sign-in link is not valid."))
    return user
