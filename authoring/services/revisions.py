"""Revisions: immutable course-document snapshots, restoring one, autosave revisions.

A revision's number is the course's highest + 1, taken under the course row's lock (and a
unique constraint backs it). Restoring never loses anything: the current draft is saved
as a revision first, the draft is replaced from the chosen revision (ids kept), and the
result is saved as a new RESTORE revision.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from authoring.document import course_document_build, course_document_replace
from authoring.models import Course, Revision, RevisionReason
from authoring.services.courses import course_estimated_minutes, course_touch, require_edit
from egl_platform.errors import Invalid, NotFound
from tenants.models import Membership
from tenants.services.audit import audit_record

__all__ = [
    "AUTOSAVE_INTERVAL",
    "autosave_due",
    "revision_autosave_schedule",
    "revision_create",
    "revision_restore",
    "revision_snapshot",
]

# Editing makes an autosave revision at most this often.
AUTOSAVE_INTERVAL = timedelta(minutes=10)


def revision_snapshot(
    *, course: Course, actor: Membership | None, reason: str = RevisionReason.MANUAL
) -> Revision:
    """Save the draft as the next revision. No permission check: callers did it.

    Locks the course row (inside the caller's transaction, or its own), refreshes the
    course's estimated minutes from the document and sets `revised_at`.
    """
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        document = course_document_build(locked)
        minutes = course_estimated_minutes(document)
        document["course"]["estimated_minutes"] = minutes
        number = (Revision.objects.filter(course=locked).aggregate(n=Max("number"))["n"] or 0) + 1
        now = timezone.now()
        revision = Revision.objects.create(
            course=locked,
            number=number,
            document=document,
            reason=reason,
            created_by=actor,
            created_at=now,
        )
        # Not a write of the draft: version and updated_at stay as they are.
        Course.objects.filter(pk=locked.pk).update(revised_at=now, estimated_minutes=minutes)
    course.revised_at = now
    course.estimated_minutes = minutes
    return revision


def revision_create(
    *, actor: Membership, course: Course, reason: str = RevisionReason.MANUAL
) -> Revision:
    """Save a version of the course ("save version", submit, publish)."""
    require_edit(actor, course)
    if reason not in RevisionReason.values:
        raise Invalid(_("Unknown reason."), fields={"reason": [_("Unknown reason.")]})
    with transaction.atomic():
        revision = revision_snapshot(course=course, actor=actor, reason=reason)
        audit_record(
            actor=actor,
            verb="revision.created",
            target=course,
            number=revision.number,
            reason=reason,
        )
    return revision


def revision_restore(*, actor: Membership, course: Course, number: int) -> Revision:
    """Make revision `number` the draft again; returns the new RESTORE revision.

    The draft as it was is saved as a revision first, so the restore itself can be undone.
    """
    require_edit(actor, course)
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        revision = Revision.objects.filter(course=locked, number=number).first()
        if revision is None:
            raise NotFound(_("That version does not exist."))
        before = revision_snapshot(course=locked, actor=actor, reason=RevisionReason.AUTOSAVE)
        course_document_replace(actor=actor, course=locked, document=revision.document)
        course_touch(course=locked, actor=actor)
        restored = revision_snapshot(course=locked, actor=actor, reason=RevisionReason.RESTORE)
        audit_record(
            actor=actor,
            verb="revision.restored",
            target=locked,
            number=number,
            saved_before=before.number,
            revision=restored.number,
        )
    course.refresh_from_db()
    return restored


def autosave_due(course: Course) -> bool:
    """True when editing should make an autosave revision now (none in the last 10 minutes)."""
    return course.revised_at is None or timezone.now() - course.revised_at >= AUTOSAVE_INTERVAL


def revision_autosave_schedule(*, course: Course, actor: Membership | None) -> None:
    """After commit, enqueue the autosave revision task when one is due. No query."""
    if not autosave_due(course):
        return
    from authoring.tasks import revision_autosave  # tasks import the services

    tenant_id, course_id = course.tenant_id, course.pk
    membership_id = actor.pk if actor is not None else None
    transaction.on_commit(
        lambda: revision_autosave.delay(
            tenant_id=tenant_id, course_id=course_id, membership_id=membership_id
        )
    )
