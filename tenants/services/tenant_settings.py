"""The tenant's own settings: name, languages, logo, brand colour (WCAG AA checked)."""

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from egl_platform.errors import Invalid
from tenants.branding import HEX_COLOUR, TEXT_ON_BRAND, WCAG_AA_TEXT, contrast_ratio
from tenants.models import CONTENT_LANGUAGE_CODES, Membership, Tenant
from tenants.permissions import Capability, require_capability
from tenants.selectors import tenant_cache_forget
from tenants.services.audit import audit_record

LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}


def clean_brand_colour(colour: str) -> str:
    colour = (colour or "").strip().lower()
    if not HEX_COLOUR.match(colour):
        raise Invalid(
            _("Write the colour as # and six hexadecimal digits, like #1d4ed8."),
            fields={"brand_colour": [_("Not a colour.")]},
        )
    ratio = contrast_ratio(TEXT_ON_BRAND, colour)
    if ratio < WCAG_AA_TEXT:
        message = _(
            "White text on %(colour)s has a contrast ratio of %(ratio).1f:1; WCAG AA needs at least 4.5:1. "
            "Choose a darker colour."
        ) % {"colour": colour, "ratio": ratio}
        raise Invalid(message, fields={"brand_colour": [message]})
    return colour


def clean_languages(languages: list[str], default_language: str) -> tuple[list[str], str]:
    languages = list(dict.fromkeys(code for code in languages if code))
    unknown = [code for code in languages if code not in CONTENT_LANGUAGE_CODES]
    if unknown or not languages:
        raise Invalid(
            _("Offer at least one language from the list."),
            fields={
                "languages": [_("Unknown language: %(codes)s") % {"codes": ", ".join(unknown)}]
                if unknown
                else [_("Choose at least one.")]
            },
        )
    if default_language not in languages:
        raise Invalid(
            _("The default language must be one of the languages offered."),
            fields={"default_language": [_("Not offered.")]},
        )
    return languages, default_language


def clean_logo(logo: UploadedFile) -> UploadedFile:
    if logo.size and logo.size > settings.EGL_LOGO_MAX_BYTES:
        raise Invalid(_("The logo may be at most 2 MB."), fields={"logo": [_("File too large.")]})
    try:
        with Image.open(logo) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise Invalid(
            _("The logo must be a PNG, JPEG or WebP image."), fields={"logo": [_("Not an image.")]}
        ) from None
    if image_format not in LOGO_FORMATS:
        raise Invalid(
            _("The logo must be a PNG, JPEG or WebP image."),
            fields={"logo": [_("Unsupported format.")]},
        )
    logo.seek(0)
    logo.name = f"logo.{LOGO_FORMATS[image_format]}"
    return logo


def clean_upload_limit(value: Any) -> int:
    """Whole megabytes, from 1 up to the platform's maximum (EGL_UPLOAD_MAX_MB)."""
    ceiling = int(getattr(settings, "EGL_UPLOAD_MAX_MB", 500))
    try:
        megabytes = int(value)
    except (TypeError, ValueError):
        megabytes = 0
    if not 1 <= megabytes <= ceiling:
        message = _("Choose a limit from 1 to %(max)d MB.") % {"max": ceiling}
        raise Invalid(message, fields={"upload_limit_mb": [message]})
    return megabytes


REMINDER_DAYS_MAX = 60


def clean_reminder_days(value: Any) -> int:
    """Whole days from 0 (no reminders) to 60."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = -1
    if not 0 <= days <= REMINDER_DAYS_MAX:
        message = _("Choose from 0 to %(max)d days; 0 turns review reminders off.") % {
            "max": REMINDER_DAYS_MAX
        }
        raise Invalid(message, fields={"review_reminder_days": [message]})
    return days


def tenant_update_settings(*, actor: Membership, tenant: Tenant, **changes: Any) -> Tenant:
    """Validate everything first, then save; on any error nothing changes."""
    require_capability(actor, Capability.TENANT_MANAGE)
    name = str(changes.get("name", tenant.name)).strip()
    if not name or len(name) > 120:
        raise Invalid(_("The name must be 1 to 120 characters."), fields={"name": [_("Required.")]})
    languages, default_language = clean_languages(
        list(changes.get("languages", tenant.languages)),
        str(changes.get("default_language", tenant.default_language)),
    )
    colour = clean_brand_colour(str(changes.get("brand_colour", tenant.brand_colour)))
    upload_limit = clean_upload_limit(changes.get("upload_limit_mb", tenant.upload_limit_mb))
    reminder_days = clean_reminder_days(
        changes.get("review_reminder_days", tenant.review_reminder_days)
    )
    allow_public_links = bool(changes.get("allow_public_links", tenant.allow_public_links))
    logo = changes.get("logo")
    if logo:
        logo = clean_logo(logo)
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        locked.name, locked.languages, locked.default_language, locked.brand_colour = (
            name,
            languages,
            default_language,
            colour,
        )
        locked.upload_limit_mb = upload_limit
        locked.review_reminder_days = reminder_days
        locked.allow_public_links = allow_public_links
        if logo:
            locked.logo.save(str(logo.name), logo, save=False)
        elif changes.get("remove_logo"):
            locked.logo = ""
        locked.save()
        audit_record(actor=actor, verb="tenant.settings_changed", target=locked)
        transaction.on_commit(lambda: tenant_cache_forget(locked))
    return locked
