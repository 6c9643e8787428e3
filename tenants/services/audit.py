from typing import Any

from django.db import models

from tenants.models import AuditEvent, Membership


def audit_record(
    *, actor: Membership | None, verb: str, target: models.Model | None = None, **data: Any
) -> AuditEvent:
    """Append who did what to which object. The active tenant owns the row."""
    return AuditEvent.objects.create(
        actor=actor,
        verb=verb,
        target_type=target._meta.label_lower if target is not None else "",
        target_uuid=getattr(target, "uuid", None),
        data=data,
    )
