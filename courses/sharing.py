"""Public course links: anyone with the link takes the course as a named guest.

A course's authors and reviewers create (or revoke) the link when the tenant allows public
links (Tenant.allow_public_links, an admin setting). Visiting `/share/<token>/` asks for a
name and creates a guest: a User with no usable password and a synthetic address, and a
Membership with `is_guest=True` and no roles, enrolled on the course. Guests are confined
to the player of their courses by courses.guests.GuestConfinementMiddleware.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from authoring.access import can_edit_course
from authoring.models import Course
from courses.models import CatalogEntry, Enrollment, EnrollmentSource, PublicLink
from egl_platform.errors import Conflict, Forbidden, Invalid, NotFound
from tenants.models import Membership, Tenant, User
from tenants.scope import require_active_tenant
from tenants.services.audit import audit_record

__all__ = [
    "GUEST_EMAIL_DOMAIN",
    "NAME_MAX_LENGTH",
    "LinkGone",
    "TooManyGuests",
    "clean_guest_name",
    "embed_code",
    "guest_create",
    "guest_enrol",
    "public_link_active",
    "public_link_create",
    "public_link_resolve",
    "public_link_revoke",
    "tenant_allows_public_links",
]

GUEST_EMAIL_DOMAIN = "guests.invalid"
NAME_MAX_LENGTH = 80
# New guests one address may create per hour (the cache key is per tenant).
GUESTS_PER_ADDRESS_PER_HOUR = 30


class TooManyGuests(Conflict):
    code = "throttled"
    status = 429


def _guest_throttle(client_ip: str) -> None:
    key = f"public-link-guests:{client_ip}"
    if cache.add(key, 1, 3600):
        return
    try:
        count = cache.incr(key)
    except ValueError:  # expired in between
        cache.set(key, 1, 3600)
        return
    if count > GUESTS_PER_ADDRESS_PER_HOUR:
        raise TooManyGuests(_("Too many new visitors from your network. Try again later."))


class LinkGone(Conflict):
    """The link existed but no longer works (revoked, or public links switched off): 410."""

    code = "gone"
    status = 410


def tenant_allows_public_links() -> bool:
    """Read fresh from the database: the request's tenant may come from a cache."""
    tenant = require_active_tenant()
    return bool(
        Tenant.objects.filter(pk=tenant.pk).values_list("allow_public_links", flat=True).first()
    )


def _require_sharer(actor: Membership | None, course: Course) -> Membership:
    if actor is None or actor.is_guest or not can_edit_course(actor, course):
        raise Forbidden(_("Only the course's authors and reviewers can share it."))
    return actor


def _live_entry(course: Course) -> CatalogEntry:
    entry = CatalogEntry.objects.select_related("live_release").filter(course=course).first()
    if entry is None or entry.live_release_id is None:
        raise Conflict(_("Publish the course before sharing it."))
    return entry


def public_link_active(course: Course) -> PublicLink | None:
    return PublicLink.objects.filter(course=course, revoked_at__isnull=True).first()


def public_link_create(*, actor: Membership, course: Course) -> PublicLink:
    """The course's active public link, created when it has none. 409 when the tenant does
    not allow public links or the course has no live release."""
    _require_sharer(actor, course)
    if not tenant_allows_public_links():
        raise Conflict(
            _("Public links are switched off. An administrator can allow them in the settings.")
        )
    _live_entry(course)
    existing = public_link_active(course)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            link = PublicLink.objects.create(
                course=course, token=secrets.token_urlsafe(32), created_by=actor
            )
            audit_record(actor=actor, verb="public_link.created", target=link)
    except IntegrityError:  # a parallel request created it first
        link = PublicLink.objects.get(course=course, revoked_at__isnull=True)
    return link


def public_link_revoke(*, actor: Membership, link: PublicLink) -> PublicLink:
    """Stop the link working (idempotent). Guests already in keep their progress."""
    _require_sharer(actor, link.course)
    if link.revoked_at is None:
        with transaction.atomic():
            link.revoked_at = timezone.now()
            link.save(update_fields=["revoked_at"])
            audit_record(actor=actor, verb="public_link.revoked", target=link)
    return link


def public_link_resolve(token: str) -> tuple[PublicLink, CatalogEntry]:
    """The working link of `token` and its catalog entry: unknown → 404; revoked, public
    links switched off or the course no longer published → 410."""
    link = (
        PublicLink.objects.select_related("course").filter(token=str(token)[:64]).first()
        if token
        else None
    )
    if link is None:
        raise NotFound(_("This link does not exist. Check that you copied all of it."))
    if link.revoked_at is not None or not tenant_allows_public_links():
        raise LinkGone(_("This link no longer works. Ask whoever shared it for a new one."))
    entry = CatalogEntry.objects.select_related("live_release").filter(course=link.course).first()
    if entry is None or entry.live_release_id is None:
        raise LinkGone(_("This link no longer works. Ask whoever shared it for a new one."))
    return link, entry


def clean_guest_name(name: str) -> str:
    """The name as shown: control characters and angle brackets removed, spaces collapsed."""
    cleaned = "".join(ch for ch in str(name) if ch.isprintable() and ch not in "<>")
    cleaned = " ".join(cleaned.split())
    if not cleaned:
        raise Invalid(_("Type your name."), fields={"name": [_("Type your name.")]})
    if len(cleaned) > NAME_MAX_LENGTH:
        message = _("Use at most %(count)d characters.") % {"count": NAME_MAX_LENGTH}
        raise Invalid(message, fields={"name": [message]})
    return cleaned


@dataclass
class GuestEntry:
    membership: Membership
    enrollment: Enrollment


def guest_enrol(*, actor: Membership, link: PublicLink, entry: CatalogEntry) -> Enrollment:
    """Enrol `actor` (a guest or a member who followed the link) on the link's course, even
    when the course is not listed; their existing enrolment when they have one."""
    existing = Enrollment.objects.filter(course=link.course, learner=actor).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(
                course=link.course,
                learner=actor,
                release=entry.live_release,
                source=EnrollmentSource.SELF,
            )
            audit_record(
                actor=actor, verb="enrollment.created", target=enrollment, source="public_link"
            )
    except IntegrityError:
        return Enrollment.objects.get(course=link.course, learner=actor)
    return enrollment


def guest_create(
    *, name: str, link: PublicLink, entry: CatalogEntry, client_ip: str = ""
) -> GuestEntry:
    """A new guest named `name`, enrolled on the link's course, in one transaction; 429 when
    one address creates too many guests in an hour."""
    display_name = clean_guest_name(name)
    _guest_throttle(client_ip)
    with transaction.atomic():
        user = User(email=f"guest-{uuid.uuid4()}@{GUEST_EMAIL_DOMAIN}", display_name=display_name)
        user.set_unusable_password()
        user.save()
        membership = Membership.objects.create(user=user, is_guest=True)
        membership.set_roles([])
        enrollment = guest_enrol(actor=membership, link=link, entry=entry)
    return GuestEntry(membership=membership, enrollment=enrollment)


def embed_code(*, url: str, title: str) -> str:
    """The HTML to paste into another site: an iframe of the public link. A plain string
    (templates escape it when showing it as text)."""
    return (
        f'<iframe src="{escape(url)}" title="{escape(title)}" width="100%" height="640" '
        'loading="lazy" allow="fullscreen"></iframe>'
    )
