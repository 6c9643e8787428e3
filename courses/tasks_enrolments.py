"""Due-date reminders: an e-mail to learners whose course is due within three days or overdue.

The beat task `courses.due_reminders_send` (daily) fans out one task per active tenant; each
runs inside its tenant (tenants.tasking.tenant_task). An enrolment is reminded at most once per
REMIND_EVERY: `reminded_at` is set in the same transaction as the e-mail is sent, so a failed
send leaves it unset and the retry sends it. The member's notification preference is
respected: "off" sends nothing; "daily" is fine, as this is a once-a-day e-mail.
E-mails are in the recipient's language (their own, else the tenant's default), from
`templates/courses/email/due_reminder_subject.txt`, `.txt` and `.html`.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from courses.models import CatalogEntry, Enrollment, EnrollmentStatus
from reviews.models import EmailFrequency
from reviews.notifications import email_frequency_for
from reviews.tasks import MAIL_ERRORS, recipient_language
from tenants.hosts import tenant_url
from tenants.models import MembershipStatus, Tenant
from tenants.tasking import TRANSIENT_ERRORS, tenant_task
from tenants.tenancy import require_active_tenant

logger = logging.getLogger(__name__)

# Remind when the due date is this close (or past) ...
DUE_WITHIN = timedelta(days=3)
# ... and not more often than this.
REMIND_EVERY = timedelta(days=3)

__all__ = ["DUE_WITHIN", "REMIND_EVERY", "due_reminders_send", "due_reminders_send_tenant"]


def _due(now: Any) -> Q:
    return (
        Q(due_at__isnull=False, due_at__lte=now + DUE_WITHIN)
        & ~Q(status=EnrollmentStatus.COMPLETED)
        & (Q(reminded_at__isnull=True) | Q(reminded_at__lte=now - REMIND_EVERY))
        & Q(learner__status=MembershipStatus.ACTIVE, learner__user__is_active=True)
    )


def _url(tenant: Tenant, name: str, **kwargs: Any) -> str:
    try:
        return tenant_url(tenant, reverse(name, kwargs=kwargs or None))
    except NoReverseMatch:
        return ""


def _send_reminder(enrollment: Enrollment, tenant: Tenant, now: Any) -> None:
    member = enrollment.learner
    entry = CatalogEntry.objects.filter(course_id=enrollment.course_id).only("title").first()
    language = recipient_language(member, tenant)
    course_uuid = enrollment.course.uuid
    context = {
        "tenant": tenant,
        "recipient_name": member.user.name,
        "course_title": entry.title if entry is not None else enrollment.course.title,
        "due_at": enrollment.due_at,
        "overdue": enrollment.due_at is not None and enrollment.due_at < now,
        "course_url": _url(tenant, "player:resume", course_uuid=course_uuid)
        or _url(tenant, "catalog:course", course_uuid=course_uuid),
        "my_learning_url": _url(tenant, "catalog:my-learning"),
        "inbox_url": _url(tenant, "inbox:list"),
        "preferences_url": _url(tenant, "inbox:preferences"),
    }
    with translation.override(language):
        subject = render_to_string("courses/email/due_reminder_subject.txt", context)
        text = render_to_string("courses/email/due_reminder.txt", context)
        html = render_to_string("courses/email/due_reminder.html", context)
    message = EmailMultiAlternatives(
        " ".join(str(subject).split()),
        str(text),
        settings.DEFAULT_FROM_EMAIL,
        [member.user.email],
        headers={"Content-Language": language, "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(str(html), "text/html")
    mailers.default.send_messages([message])


@tenant_task(
    name="courses.due_reminders_send_tenant",
    autoretry_for=(*TRANSIENT_ERRORS, *MAIL_ERRORS),
)
def due_reminders_send_tenant() -> int:
    """Remind every learner whose enrolment is due soon or overdue and was not reminded in the
    last REMIND_EVERY. Returns how many were reminded."""
    tenant = require_active_tenant()
    now = timezone.now()
    candidates = list(Enrollment.objects.filter(_due(now)).values_list("pk", "learner_id"))
    if not candidates:
        return 0
    frequencies = email_frequency_for({learner_id for _pk, learner_id in candidates})
    reminded, failure = 0, None
    for pk, learner_id in candidates:
        if frequencies.get(learner_id) == EmailFrequency.OFF:
            continue
        try:
            with transaction.atomic():
                enrollment = (
                    Enrollment.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("learner__user", "course")
                    .filter(_due(now), pk=pk)
                    .first()
                )
                if enrollment is None:  # completed, or reminded by a parallel run, meanwhile
                    continue
                Enrollment.objects.filter(pk=pk).update(reminded_at=now)
                _send_reminder(enrollment, tenant, now)
                reminded += 1
        except MAIL_ERRORS as error:
            logger.warning("due reminder for enrolment %s failed: %s", pk, error)
            failure = error
    if failure is not None:
        raise failure
    return reminded


@shared_task(name="courses.due_reminders_send", acks_late=True, reject_on_worker_lost=True)
def due_reminders_send() -> int:
    """Beat, daily: one due-reminder task per active tenant."""
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        due_reminders_send_tenant.delay(tenant_id=tenant_id)
    return len(tenant_ids)
