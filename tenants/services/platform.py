"""Platform-level writes: creating tenants. Not reachable from a tenant's host."""

import re

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from egl_platform.errors import Invalid
from tenants.models import Membership, Tenant, User
from tenants.services.tenant_settings import clean_languages
from tenants.tenancy import tenant_scope

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
RESERVED_SLUGS = frozenset({"www", "api", "admin", "static", "media", "mail", "platform", "app"})


def tenant_create(
    *,
    slug: str,
    name: str,
    admin_email: str,
    languages: list[str] | None = None,
    admin_password: str | None = None,
) -> tuple[Tenant, Membership]:
    """Create a tenant and its first admin (the account is created when it does not exist).

    Without a password an existing account is linked as is; a new one gets an unusable
    password and signs in after a password reset.
    """
    slug = (slug or "").strip().lower()
    if not SLUG.match(slug) or slug in RESERVED_SLUGS:
        raise Invalid(
            _("The address must be 1–40 lowercase letters, digits or hyphens and not reserved.")
        )
    if Tenant.objects.filter(slug=slug).exists():
        raise Invalid(_("A tenant with the address “%(slug)s” exists already.") % {"slug": slug})
    languages = languages or [settings.LANGUAGE_CODE]
    languages, default_language = clean_languages(languages, languages[0])
    from tenants.services.invitations import clean_email

    admin_email = clean_email(admin_email)
    with transaction.atomic():
        tenant = Tenant.objects.create(
            slug=slug,
            name=name.strip() or slug,
            languages=languages,
            default_language=default_language,
        )
        user = User.objects.filter(email=admin_email).first() or User.objects.create_user(
            admin_email, admin_password
        )
        with tenant_scope(tenant):
            membership = Membership(user=user)
            membership.set_roles(["admin", "reviewer", "author"])
            membership.save()
            from tenants.services.audit import audit_record

            audit_record(actor=None, verb="tenant.created", target=tenant)
    return tenant, membership
