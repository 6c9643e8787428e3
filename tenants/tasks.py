"""Tenant tasks: invitation e-mail, and the members CSV export job."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from egl_platform.jobs import Report, job_handler
from egl_platform.models import Job
from tenants.hosts import tenant_url
from tenants.models import Invitation, Membership
from tenants.permissions import Capability, Role
from tenants.tasking import tenant_task
from tenants.tenancy import require_active_tenant, tenant_storage_path


@tenant_task(name="tenants.invitation_send_email")
def invitation_send_email(*, invitation_id: int, token: str) -> None:
    """E-mail the invitation link in the invitation's language. Skips a used or revoked one."""
    invitation = (
        Invitation.objects.select_related("invited_by__user").filter(pk=invitation_id).first()
    )
    if invitation is None or invitation.accepted_at or invitation.revoked_at:
        return
    tenant = require_active_tenant()
    with translation.override(invitation.language):
        context = {
            "tenant": tenant,
            "invitation": invitation,
            "inviter": invitation.invited_by.user.name if invitation.invited_by else tenant.name,
            "accept_url": tenant_url(
                tenant, reverse("accounts:invitation_accept", kwargs={"token": token})
            ),
            # Every member learns; the assigned roles come on top, named in the reader's language.
            "roles": ", ".join(
                str(Role(role).label).lower() for role in [Role.LEARNER, *invitation.roles]
            ),
        }
        subject = render_to_string("tenants/email/invitation_subject.txt", context).strip()
        body = render_to_string("tenants/email/invitation.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


MEMBERS_CSV_COLUMNS = ("email", "display_name", "roles", "status", "groups", "joined")


@job_handler("members.export_csv", capability=Capability.MEMBERS_MANAGE)
def members_export_csv(job: Job, report: Report) -> dict[str, Any]:
    """Every member with roles, status and groups, as CSV in the tenant's storage."""
    members = (
        Membership.objects.select_related("user").prefetch_related("groups").order_by("user__email")
    )
    total = members.count()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(MEMBERS_CSV_COLUMNS)
    for index, member in enumerate(members.iterator(chunk_size=500), start=1):
        writer.writerow(
            [
                member.user.email,
                member.user.display_name,
                " ".join(member.roles),
                member.status,
                "; ".join(sorted(group.name for group in member.groups.all())),
                member.created_at.date().isoformat(),
            ]
        )
        if index % 200 == 0 or index == total:
            report(
                int(index * 95 / max(total, 1)),
                _("%(done)d of %(total)d members") % {"done": index, "total": total},
            )
    # Built aside under a name of its own; the job row points at it only when it succeeds.
    path = default_storage.save(
        tenant_storage_path("exports", f"members-{job.uuid}.csv"),
        ContentFile(buffer.getvalue().encode("utf-8-sig")),
    )
    return {"file": path, "rows": total, "filename": f"members-{require_active_tenant().slug}.csv"}
