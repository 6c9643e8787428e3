"""The e-mail that brings an outside expert their review link (reviews.external)."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

# The module, not its names: reviews.external imports this module to register the task.
from reviews import external
from reviews.models import ExternalReviewLink
from tenants.tasking import TRANSIENT_ERRORS, tenant_task
from tenants.tenancy import require_active_tenant

T = "reviews/email/"
# SMTP trouble is worth a retry (with backoff); OSError covers refused and reset connections.
MAIL_ERRORS: tuple[type[BaseException], ...] = (smtplib.SMTPException, OSError)


@tenant_task(
    name="reviews.external_invite_send_email",
    autoretry_for=(*TRANSIENT_ERRORS, *MAIL_ERRORS),
)
def external_invite_send_email(*, link_id: int) -> None:
    """E-mail the link to the expert in the tenant's default language.

    Skips a link that no longer works (withdrawn, expired, round closed) or is gone, so a
    late or retried task never sends a dead link. The token is derived from the row, so no
    secret travels in the task's arguments.
    """
    link = (
        ExternalReviewLink.objects.select_related(
            "review__course", "review__revision", "created_by__user"
        )
        .filter(pk=link_id)
        .first()
    )
    if link is None or external.external_link_status(link) != external.LinkStatus.ACTIVE:
        return
    tenant = require_active_tenant()
    language = tenant.default_language
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "tenant": tenant,
            "link": link,
            "course": link.review.course,
            "review": link.review,
            "sender": link.created_by.user.name if link.created_by else tenant.name,
            "message": link.review.message,
            "url": external.external_link_url(link, tenant),
        }
        subject = " ".join(render_to_string(T + "external_invite_subject.txt", context).split())
        body = render_to_string(T + "external_invite.txt", context)
        html = render_to_string(T + "external_invite.html", context)
    email = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [link.email])
    email.attach_alternative(html, "text/html")
    email.send()
