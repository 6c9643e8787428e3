"""External reviewers: a signed, expiring, revocable link for a named expert outside the platform.

A member taking part in a round (a reviewer, or an author of the course) creates a link for a
name and e-mail address; the expert gets it by e-mail and may comment on the round's pinned
revision — comment and reply, nothing else (no resolve, reopen, edit or decision). Their
comments carry `author=None` and the link, name and e-mail they were given.

The URL carries `django.core.signing.Signer(salt="reviews.external-link").sign_object({"l":
<link uuid>, "t": <tenant id>})` — `signing.dumps` without its timestamp, so the token is
deterministic (expiry is the row's `expires_at`) and the URL can be shown again to
members who manage the round (`external_link_url`); it holds no secret beyond the signature,
and the row decides whether it still works: not revoked, round still open, not expired.
Another tenant's token is refused on this tenant's host (its "t" differs), and so is a
token whose link is not in the active tenant.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core import signing
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from authoring.access import parse_uuid
from authoring.sanitize import sanitize_plain_text
from egl_platform.errors import Conflict, Invalid, NotFound
from reviews import tasks_external  # loaded with the service, so workers know the task
from reviews.comments import _check_anchor, _clean_body, _require_participant, parse_mentions
from reviews.models import (
    Comment,
    ExternalReviewLink,
    ReviewRequest,
    ReviewStatus,
)
from tenants.hosts import tenant_url
from tenants.models import Membership, Tenant
from tenants.services.audit import audit_record
from tenants.services.invitations import clean_email
from tenants.tenancy import get_active_tenant, require_active_tenant

__all__ = [
    "DAYS_DEFAULT",
    "DAYS_MAX",
    "LINKS_ACTIVE_MAX",
    "NAME_MAX",
    "SALT",
    "LinkStatus",
    "LinkUnusable",
    "external_comment_add",
    "external_comment_for_link",
    "external_comment_reply",
    "external_link_create",
    "external_link_for_actor",
    "external_link_path",
    "external_link_resolve",
    "external_link_revoke",
    "external_link_status",
    "external_link_token",
    "external_link_url",
    "external_links_for_review",
]

SALT = "reviews.external-link"
NAME_MAX = 120
DAYS_DEFAULT = 14
DAYS_MAX = 60
LINKS_ACTIVE_MAX = 20
# last_used_at is written at most this often per link.
LAST_USED_EVERY = timedelta(minutes=1)


class LinkStatus:
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"
    CLOSED = "closed"
    values = (ACTIVE, EXPIRED, REVOKED, CLOSED)


class LinkUnusable(Exception):
    """The link does not (or no longer) let anyone in; `reason` says why, in the reader's words.

    `status` is 404 for a token that names no link here (tampered, another tenant's, unknown)
    and 410 for a real link that stopped working (revoked, expired, round closed).
    """

    def __init__(self, reason: str, *, status: int = 410) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


# --- token and URL ----------------------------------------------------------------------------


def external_link_token(link: ExternalReviewLink) -> str:
    """The signed token naming the link and its tenant (deterministic: the same every time)."""
    return _signer().sign_object({"l": str(link.uuid), "t": link.tenant_id}, compress=True)


def _signer() -> signing.Signer:
    # No timestamp (unlike signing.dumps): the row's expires_at decides expiry, and the same
    # link always gets the same token, so its URL can be shown again.
    return signing.Signer(salt=SALT)


def external_link_path(token: str) -> str:
    try:
        return reverse("external-review", kwargs={"token": token})
    except NoReverseMatch:  # the public view is not routed (yet): its documented path
        return f"/external-review/{token}/"


def external_link_url(link: ExternalReviewLink, tenant: Tenant | None = None) -> str:
    """The absolute URL on the tenant's own host that the expert opens."""
    tenant = tenant or require_active_tenant()
    return tenant_url(tenant, external_link_path(external_link_token(link)))


def external_link_status(link: ExternalReviewLink, *, now: Any = None) -> str:
    """active, or why not: revoked, closed (the round), expired — in that order of precedence."""
    if link.revoked_at is not None:
        return LinkStatus.REVOKED
    if link.review.status != ReviewStatus.OPEN:
        return LinkStatus.CLOSED
    if link.expires_at <= (now or timezone.now()):
        return LinkStatus.EXPIRED
    return LinkStatus.ACTIVE


# --- input ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _LinkInput:
    name: str
    email: str
    days: int


def _clean_input(name: Any, email: Any, days: Any) -> _LinkInput:
    """Every field checked at once; Invalid names each wrong field with its own message."""
    errors: dict[str, list[str]] = {}
    messages: list[str] = []
    clean_name = sanitize_plain_text(str(name or "")).strip()
    if not clean_name:
        messages.append(_("Give the reviewer's name."))
        errors["name"] = [_("This field is required.")]
    elif len(clean_name) > NAME_MAX:
        messages.append(_("A name is at most %(max)s characters.") % {"max": NAME_MAX})
        errors["name"] = [_("Shorten the name.")]
    clean_address = ""
    try:
        clean_address = clean_email(str(email or ""))
    except Invalid as error:
        messages.append(str(error.message))
        errors["email"] = [str(m) for m in error.fields.get("email", [])]
    try:
        clean_days = int(str(days).strip()) if days not in (None, "") else DAYS_DEFAULT
    except ValueError:
        clean_days = 0
    if not 1 <= clean_days <= DAYS_MAX:
        messages.append(
            _("A link is valid for 1 to %(max)s days.") % {"max": DAYS_MAX},
        )
        errors["days"] = [_("Enter a whole number from 1 to %(max)s.") % {"max": DAYS_MAX}]
    if errors:
        message = messages[0] if len(messages) == 1 else _("Check the highlighted fields.")
        raise Invalid(message, fields=errors)
    return _LinkInput(clean_name, clean_address, clean_days)


def _sender_name(link: ExternalReviewLink) -> str:
    if link.created_by is not None:
        return link.created_by.user.name
    return require_active_tenant().name


# --- services ---------------------------------------------------------------------------------


def external_link_create(
    *,
    actor: Membership,
    review: ReviewRequest,
    name: str,
    email: str,
    days: Any = DAYS_DEFAULT,
) -> tuple[ExternalReviewLink, str]:
    """A link for a named outside expert to comment on an open round; returns it and its URL.

    Reviewers and the course's authors (403 without a role, 404 for another course's author).
    Invalid (nothing created) for a missing or long name, a malformed e-mail, days outside
    1–60; Conflict when the round is not open or has LINKS_ACTIVE_MAX active links. The
    invitation e-mail is queued on commit, in the tenant's default language; audited.
    """
    _require_participant(actor, review.course)
    clean = _clean_input(name, email, days)
    tenant = require_active_tenant()
    with transaction.atomic():
        locked = (
            ReviewRequest.objects.select_for_update(no_key=True, of=("self",))
            .select_related("course", "revision")
            .get(pk=review.pk)
        )
        if locked.status != ReviewStatus.OPEN:
            raise Conflict(
                _(
                    "This review round is closed (%(status)s); invite outside reviewers to an open round."
                )
                % {"status": ReviewStatus(locked.status).label}
            )
        now = timezone.now()
        active = ExternalReviewLink.objects.filter(
            review=locked, revoked_at__isnull=True, expires_at__gt=now
        ).count()
        if active >= LINKS_ACTIVE_MAX:
            raise Conflict(
                _(
                    "This round already has %(max)s active review links; withdraw one before "
                    "inviting someone else."
                )
                % {"max": LINKS_ACTIVE_MAX}
            )
        link = ExternalReviewLink.objects.create(
            review=locked,
            name=clean.name,
            email=clean.email,
            created_by=actor,
            expires_at=now + timedelta(days=clean.days),
        )
        audit_record(
            actor=actor,
            verb="review_external_link.created",
            target=link,
            review=str(locked.uuid),
            name=link.name,
            email=link.email,
            expires_at=link.expires_at.isoformat(),
        )
        _schedule_invite(link)
    link.review = locked
    return link, external_link_url(link, tenant)


def _schedule_invite(link: ExternalReviewLink) -> None:
    tenant_id, link_id = link.tenant_id, link.pk
    transaction.on_commit(
        lambda: tasks_external.external_invite_send_email.delay(
            tenant_id=tenant_id, link_id=link_id
        )
    )


def external_link_revoke(*, actor: Membership, link: ExternalReviewLink) -> ExternalReviewLink:
    """Withdraw a link: it stops working at once. Same permission as create; idempotent."""
    _require_participant(actor, link.review.course)
    with transaction.atomic():
        locked = (
            ExternalReviewLink.objects.select_for_update(of=("self",))
            .select_related("review__course", "revoked_by__user", "created_by__user")
            .get(pk=link.pk)
        )
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=actor,
            verb="review_external_link.revoked",
            target=locked,
            review=str(locked.review.uuid),
            name=locked.name,
            email=locked.email,
        )
    return locked


# --- resolving a token ------------------------------------------------------------------------


def _invalid() -> LinkUnusable:
    return LinkUnusable(_("This review link is not valid."), status=404)


def _check_usable(link: ExternalReviewLink) -> None:
    """LinkUnusable (410) unless the link works now: not revoked, round open, not expired."""
    status = external_link_status(link)
    if status == LinkStatus.REVOKED:
        who = link.revoked_by.user.name if link.revoked_by is not None else ""
        if who:
            reason = _("This review link was withdrawn by %(name)s.") % {"name": who}
        else:
            reason = _("This review link was withdrawn.")
        raise LinkUnusable(reason)
    if status == LinkStatus.CLOSED:
        raise LinkUnusable(_("This review round has closed; thank you."))
    if status == LinkStatus.EXPIRED:
        date = formats.date_format(timezone.localtime(link.expires_at), "DATE_FORMAT")
        raise LinkUnusable(
            _("This review link expired on %(date)s. Ask %(sender)s for a new one.")
            % {"date": date, "sender": _sender_name(link)}
        )


def _links() -> QuerySet[ExternalReviewLink]:
    return ExternalReviewLink.objects.select_related(
        "review__course", "review__revision", "created_by__user", "revoked_by__user"
    )


def external_link_resolve(token: str) -> ExternalReviewLink:
    """The usable link a token names in the active tenant; LinkUnusable otherwise.

    404-kind: a bad signature, another tenant's token, a link not in this tenant. 410-kind:
    withdrawn, round closed, expired (each with its own message). Records `last_used_at`, at
    most once a minute.
    """
    tenant = get_active_tenant()
    if tenant is None:
        raise _invalid()
    try:
        payload = _signer().unsign_object(str(token or ""))
    except (signing.BadSignature, ValueError, zlib.error):  # bad signature, or not our shape
        raise _invalid() from None
    if not isinstance(payload, dict) or payload.get("t") != tenant.pk:
        raise _invalid()
    try:
        key = parse_uuid(payload.get("l"))
    except NotFound:
        raise _invalid() from None
    link = _links().filter(uuid=key).first()
    if link is None:
        raise _invalid()
    _check_usable(link)
    now = timezone.now()
    if link.last_used_at is None or link.last_used_at <= now - LAST_USED_EVERY:
        ExternalReviewLink.objects.filter(pk=link.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_EVERY)
        ).update(last_used_at=now)
        link.last_used_at = now
    return link


def _lock_usable(link: ExternalReviewLink) -> ExternalReviewLink:
    """Inside a transaction: the link row locked (a revoke waits or has won) and still usable."""
    locked = _links().select_for_update(of=("self",)).filter(pk=link.pk, uuid=link.uuid).first()
    if locked is None:
        raise _invalid()
    # The round too, so a decision closing it either committed before (seen here) or waits.
    review = (
        ReviewRequest.objects.select_for_update(no_key=True, of=("self",))
        .select_related("course", "revision")
        .get(pk=locked.review_id)
    )
    locked.review = review
    _check_usable(locked)
    return locked


def _external_comment(
    link: ExternalReviewLink, *, text: str, parent: Comment | None, **anchor: Any
) -> Comment:
    return Comment.objects.create(
        course=link.review.course,
        review=link.review,
        parent=parent,
        author=None,
        external_link=link,
        external_name=link.name,
        external_email=link.email,
        body=text,
        mentions=parse_mentions(text),
        **anchor,
    )


def _notify(comment: Comment) -> None:
    """Tell the course's authors, the thread and the requested reviewers, once committed."""
    from reviews.notifications import notify_comment

    transaction.on_commit(lambda: notify_comment(comment))


def external_comment_add(
    *,
    link: ExternalReviewLink,
    anchor: str,
    page_uuid: Any = None,
    block_id: Any = None,
    body: str,
) -> Comment:
    """A new thread by the link's expert on its round, anchored like a member's comment.

    LinkUnusable when the link was revoked, expired or its round closed (checked on the
    locked row, so a revoke committed in between wins); Invalid for an anchor not in the
    pinned revision or an empty/long body (nothing created). Audited without an actor.
    """
    with transaction.atomic():
        locked = _lock_usable(link)
        page_key, block_key = _check_anchor(locked.review, anchor, page_uuid, block_id)
        text = _clean_body(body)
        comment = _external_comment(
            locked, text=text, parent=None, anchor=anchor, page_uuid=page_key, block_id=block_key
        )
        audit_record(
            actor=None,
            verb="review_comment.added",
            target=comment,
            review=str(locked.review.uuid),
            anchor=anchor,
            mentions=comment.mentions,
            external_link=str(locked.uuid),
            external_name=locked.name,
        )
        _notify(comment)
    return comment


def external_comment_reply(*, link: ExternalReviewLink, comment: Comment, body: str) -> Comment:
    """A reply by the link's expert to a thread of the link's round; NotFound for any other."""
    with transaction.atomic():
        locked = _lock_usable(link)
        target = (
            Comment.objects.select_related("parent")
            .filter(pk=comment.pk, uuid=comment.uuid)
            .first()
        )
        root = target.parent if target is not None and target.parent_id else target
        if root is None or root.review_id != locked.review_id:
            raise NotFound(_("Not found."))
        text = _clean_body(body)
        reply = _external_comment(
            locked,
            text=text,
            parent=root,
            anchor=root.anchor,
            page_uuid=root.page_uuid,
            block_id=root.block_id,
        )
        audit_record(
            actor=None,
            verb="review_comment.replied",
            target=reply,
            thread=str(root.uuid),
            mentions=reply.mentions,
            external_link=str(locked.uuid),
            external_name=locked.name,
        )
        _notify(reply)
    return reply


def external_comment_for_link(*, link: ExternalReviewLink, comment_uuid: Any) -> Comment:
    """A comment of the link's round (for a reply form); NotFound for any other comment."""
    comment = (
        Comment.objects.select_related("parent")
        .filter(uuid=parse_uuid(comment_uuid), review=link.review)
        .first()
    )
    if comment is None:
        raise NotFound(_("Not found."))
    return comment


# --- selectors --------------------------------------------------------------------------------


def external_links_for_review(
    *, actor: Membership, review: ReviewRequest
) -> QuerySet[ExternalReviewLink]:
    """The round's links, newest first, each with `comment_count`. Same access as create."""
    _require_participant(actor, review.course)
    return (
        _links()
        .filter(review=review)
        .annotate(comment_count=Count("comments"))
        .order_by("-created_at", "-id")
    )


def external_link_for_actor(
    *, actor: Membership, link_uuid: Any, review: ReviewRequest | None = None
) -> ExternalReviewLink:
    """One link the actor may manage (of `review`, when given); NotFound otherwise."""
    links = _links().filter(uuid=parse_uuid(link_uuid))
    if review is not None:
        links = links.filter(review=review)
    link = links.annotate(comment_count=Count("comments")).first()
    if link is None:
        raise NotFound(_("Not found."))
    _require_participant(actor, link.review.course)
    return link
