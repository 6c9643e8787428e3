"""Authoring tasks: the autosave revision made at most every 10 minutes of editing."""

from __future__ import annotations

from django.db import transaction

from authoring.models import Course, RevisionReason
from authoring.services.revisions import autosave_due, revision_snapshot
from tenants.models import Membership
from tenants.tasking import tenant_task


@tenant_task(name="authoring.revision_autosave")
def revision_autosave(*, course_id: int, membership_id: int | None = None) -> int | None:
    """Snapshot the course as an AUTOSAVE revision unless one was made in the last 10 minutes
    or nothing changed since the last one. Idempotent: both checks run under the course lock.
    Returns the new revision's number, or None when none was due."""
    with transaction.atomic():
        course = Course.objects.select_for_update().filter(pk=course_id).first()
        if course is None or not autosave_due(course):
            return None
        if course.revised_at is not None and course.updated_at <= course.revised_at:
            return None
        actor = Membership.objects.filter(pk=membership_id).first() if membership_id else None
        return revision_snapshot(course=course, actor=actor, reason=RevisionReason.AUTOSAVE).number
