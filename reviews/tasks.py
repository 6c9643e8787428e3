"""Review tasks: a notification's e-mail, the daily digest and the reminders about waiting reviews.

E-mails are rendered in the recipient's language (their own, else the tenant's default) from
`templates/reviews/email/<kind>_subject.txt`, `<kind>.txt` and `<kind>.html`, with absolute
links on the tenant's host, and go out through Django's default mailer (SMTP in production).
A notification is e-mailed at most once: `emailed_at` is claimed before sending and given
back when sending fails, so a retry sends it then.

The beat tasks `reviews.digests_send` and `reviews.reminders_send` fan out one task per
active tenant; each runs inside its tenant (tenants.tasking.tenant_task).
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from reviews.models import (
    DecisionKind,
    EmailFrequency,
    Notification,
    NotificationPreference,
    ReviewRequest,
    ReviewStatus,
)
from reviews.notifications import email_frequency_for, notification_summary, notify_reminder
from tenants.hosts import tenant_url
from tenants.models import Membership, MembershipStatus, Tenant
from tenants.tasking import TRANSIENT_ERRORS, tenant_task
from tenants.tenancy import require_active_tenant

logger = logging.getLogger(__name__)

# SMTP trouble is worth a retry (with backoff); OSError covers refused and reset connections.
MAIL_ERRORS: tuple[type[BaseException], ...] = (smtplib.SMTPException, OSError)

# A digest lists what arrived in this many days and was not e-mailed yet.
DIGEST_WINDOW = timedelta(days=7)
DIGEST_MAX_ITEMS = 50


# --- rendering ----------------------------------------------------------------------------------


def recipient_language(member: Membership, tenant: Tenant) -> str:
    """The member's own language, else the tenant's default, else the platform's."""
    offered = {code for code, _name in settings.LANGUAGES}
    for code in (member.user.language, tenant.default_language):
        if code and code in offered:
            return code
    return str(settings.LANGUAGE_CODE)


def _base_context(member: Membership, tenant: Tenant) -> dict[str, Any]:
    return {
        "tenant": tenant,
        "recipient": member,
        "recipient_name": member.user.name,
        "inbox_url": tenant_url(tenant, reverse("inbox:list")),
        "preferences_url": tenant_url(tenant, reverse("inbox:preferences")),
    }


def _notification_context(notification: Notification, tenant: Tenant) -> dict[str, Any]:
    """What one notification's templates show; called inside translation.override()."""
    data = notification.data or {}
    decision = data.get("decision")
    return {
        "notification": notification,
        "summary": notification_summary(notification),
        "actor_name": notification.actor_name,
        "course_title": data.get("course_title", ""),
        "round": data.get("round"),
        "excerpt": data.get("excerpt", ""),
        "decision": decision,
        "decision_label": DecisionKind(decision).label if decision in DecisionKind.values else "",
        "review_complete": data.get("review_status") not in (None, ReviewStatus.OPEN),
        "action_url": tenant_url(tenant, notification.url or reverse("inbox:list")),
    }


def render_email(name: str, context: dict[str, Any], language: str) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of `reviews/email/<name>*` in `language`."""
    with translation.override(language):
        subject = render_to_string(f"reviews/email/{name}_subject.txt", context)
        text = render_to_string(f"reviews/email/{name}.txt", context)
        html = render_to_string(f"reviews/email/{name}.html", context)
    # One line: no header injection, no stray breaks.
    return " ".join(str(subject).split()), str(text), str(html)


def _send(*, to: str, subject: str, text: str, html: str, language: str) -> int:
    message = EmailMultiAlternatives(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        [to],
        headers={"Content-Language": language, "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return int(mailers.default.send_messages([message]) or 0)


# --- one notification ---------------------------------------------------------------------------


@tenant_task(
    name="reviews.notification_send_email",
    autoretry_for=(*TRANSIENT_ERRORS, *MAIL_ERRORS),
    max_retries=6,
)
def notification_send_email(*, notification_id: int) -> bool:
    """E-mail one notification to its recipient, once. Skipped when already e-mailed, when the
    recipient no longer wants immediate e-mail, or is no longer an active member."""
    notification = (
        Notification.objects.select_related("recipient__user")
        .filter(pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    if notification is None:
        return False
    member = notification.recipient
    if not member.is_active or not member.user.is_active:
        return False
    if email_frequency_for([member.pk])[member.pk] != EmailFrequency.IMMEDIATELY:
        return False
    # Claim it: of two workers running this at once, only one sends.
    claimed_at = timezone.now()
    claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
        emailed_at=claimed_at
    )
    if not claimed:
        return False
    tenant = require_active_tenant()
    language = recipient_language(member, tenant)
    try:
        with translation.override(language):
            context = {
                **_base_context(member, tenant),
                **_notification_context(notification, tenant),
            }
        subject, text, html = render_email(notification.kind, context, language)
        _send(to=member.user.email, subject=subject, text=text, html=html, language=language)
    except BaseException:
        # Give the claim back, so the retry (or the next digest) can send it.
        Notification.objects.filter(pk=notification.pk, emailed_at=claimed_at).update(
            emailed_at=None
        )
        raise
    return True


# --- the daily digest ---------------------------------------------------------------------------


def _digest_for(member: Membership, tenant: Tenant) -> int:
    """One e-mail listing the member's notifications not e-mailed yet; marks them e-mailed.
    Returns how many it listed (0: nothing to send)."""
    since = timezone.now() - DIGEST_WINDOW
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(recipient=member, emailed_at__isnull=True, created_at__gte=since)
            .order_by("-created_at", "-id")
        )
        if not rows:
            return 0
        language = recipient_language(member, tenant)
        with translation.override(language):
            items = [
                {
                    "notification": n,
                    "summary": notification_summary(n),
                    "excerpt": (n.data or {}).get("excerpt", ""),
                    "url": tenant_url(tenant, n.url or reverse("inbox:list")),
                }
                for n in rows[:DIGEST_MAX_ITEMS]
            ]
            context = {
                **_base_context(member, tenant),
                "items": items,
                "count": len(rows),
                "more": max(len(rows) - DIGEST_MAX_ITEMS, 0),
            }
        subject, text, html = render_email("digest", context, language)
        _send(to=member.user.email, subject=subject, text=text, html=html, language=language)
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(emailed_at=timezone.now())
    return len(rows)


@tenant_task(name="reviews.digests_send_tenant", autoretry_for=(*TRANSIENT_ERRORS, *MAIL_ERRORS))
def digests_send_tenant() -> int:
    """The digest of every active member of the tenant who chose a daily digest. A member whose
    e-mail fails is retried with the task; those already sent are marked and not sent again."""
    tenant = require_active_tenant()
    daily = NotificationPreference.objects.filter(email_frequency=EmailFrequency.DAILY).values(
        "membership_id"
    )
    members = (
        Membership.objects.select_related("user")
        .filter(pk__in=daily, status=MembershipStatus.ACTIVE, user__is_active=True)
        .order_by("pk")
    )
    sent, failure = 0, None
    for member in members:
        try:
            if _digest_for(member, tenant):
                sent += 1
        except MAIL_ERRORS as error:
            logger.warning("digest to membership %s failed: %s", member.pk, error)
            failure = error
    if failure is not None:
        raise failure
    return sent


@shared_task(name="reviews.digests_send", acks_late=True, reject_on_worker_lost=True)
def digests_send() -> int:
    """Beat, daily: one digest task per active tenant."""
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        digests_send_tenant.delay(tenant_id=tenant_id)
    return len(tenant_ids)


# --- reminders ----------------------------------------------------------------------------------


def _due(cutoff: Any) -> Q:
    return Q(status=ReviewStatus.OPEN, created_at__lte=cutoff) & (
        Q(reminded_at__isnull=True) | Q(reminded_at__lte=cutoff)
    )


@tenant_task(name="reviews.reminders_send_tenant")
def reminders_send_tenant() -> int:
    """Remind the reviewers of every open round that has waited `review_reminder_days` and was
    not reminded within that period. Returns how many rounds were reminded."""
    tenant = require_active_tenant()
    days = int(tenant.review_reminder_days or 0)
    if days <= 0:
        return 0
    now = timezone.now()
    cutoff = now - timedelta(days=days)
    reminded = 0
    for review_id in list(ReviewRequest.objects.filter(_due(cutoff)).values_list("pk", flat=True)):
        with transaction.atomic():
            review = (
                ReviewRequest.objects.select_for_update(skip_locked=True)
                .filter(_due(cutoff), pk=review_id)
                .first()
            )
            if review is None:  # decided, or reminded by a parallel run, meanwhile
                continue
            review.reminded_at = now
            review.save(update_fields=["reminded_at"])
            notify_reminder(review)
            reminded += 1
    return reminded


@shared_task(name="reviews.reminders_send", acks_late=True, reject_on_worker_lost=True)
def reminders_send() -> int:
    """Beat, hourly: one reminder task per active tenant that has reminders on."""
    tenant_ids = list(
        Tenant.objects.filter(is_active=True, review_reminder_days__gt=0).values_list(
            "pk", flat=True
        )
    )
    for tenant_id in tenant_ids:
        reminders_send_tenant.delay(tenant_id=tenant_id)
    return len(tenant_ids)


__all__ = [
    "digests_send",
    "digests_send_tenant",
    "notification_send_email",
    "recipient_language",
    "reminders_send",
    "reminders_send_tenant",
    "render_email",
]


# The external reviewer's invitation task lives in its own module; importing it here lets
# Celery's autodiscovery (which loads <app>.tasks) register it in every worker.
from reviews import tasks_external  # noqa: E402, F401
