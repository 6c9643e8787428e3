"""Publishing: a course's draft (or its approved version) becomes release n, and goes live.

`release_publish` checks who may publish and the category's policy up front (a refusal says
why at once, without a job), then starts a `courses.publish` job. The job (`publish_run`):
checks the policy again, builds and validates the released document outside any
transaction (so its progress shows), then in ONE transaction marks the course published
(reviews.services.course_mark_published: status, PUBLISH revision), stores the immutable
Release n+1 and points the catalog entry at it. Any failure rolls all of it back: the
previous release stays live and the course keeps its status.

Which document is released: where the course's category requires approval, the revision
pinned by the latest approved review round (exactly what the reviewers approved; later
draft edits are not released); otherwise the PUBLISH revision made at that moment.

`release_rollback` (reviewers) points the catalog at an earlier release again, in one
UPDATE; no Release row is added.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from authoring.access import can_edit_course, parse_uuid, require_authoring
from authoring.blocks import get_block_type
from authoring.blocks.values import UnknownBlockType, visible_text
from authoring.document import course_document_build
from authoring.document_schema import sanitize_document, validate_document
from authoring.models import Course, CourseStatus, Revision, RevisionReason
from authoring.sanitize import sanitize_plain_text
from authoring.services.courses import course_estimated_minutes
from courses.models import CatalogEntry, Release
from egl_platform.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from egl_platform.jobs import STALE_AFTER, job_start, run_job
from egl_platform.models import Job, JobStatus
from reviews.models import ReviewRequest, ReviewStatus
from reviews.services import (
    category_for_course,
    course_mark_published,
    course_publish_allowed,
    is_course_author,
)
from reviews.transitions import Action, transition_target
from tenants.models import Membership
from tenants.permissions import Capability, has_capability, require_capability
from tenants.services.audit import audit_record

__all__ = [
    "JOB_KIND",
    "NOTES_MAX",
    "ReleasesView",
    "checked_document",
    "course_for_publishing",
    "publish_refusal",
    "publish_run",
    "release_for_actor",
    "release_publish",
    "release_rollback",
    "release_store_existing",
    "releases_of_course",
    "releases_queryset",
    "search_text_of",
]

JOB_KIND = "courses.publish"
NOTES_MAX = 5_000
# How many problems of an invalid document the job's message names.
PROBLEMS_SHOWN = 3

Report = Callable[[int, str], None]


# --- permission and policy ----------------------------------------------------------------------


def _require_publisher(actor: Membership, course: Course) -> None:
    """As reviews.services.course_mark_published: the course's authors and reviewers."""
    require_capability(actor, Capability.COURSE_SUBMIT)
    if not can_edit_course(actor, course):
        raise NotFound(_("Not found."))
    if not (has_capability(actor, Capability.COURSE_REVIEW) or is_course_author(actor, course)):
        raise Forbidden(_("Only the course's authors or a reviewer can publish it."))


def _approval_required(course: Course) -> bool:
    category = category_for_course(course)
    return category is not None and category.approval_required


def publish_refusal(course: Course) -> str:
    """Why the course cannot be published now; "" when it can."""
    try:
        transition_target(course.status, Action.PUBLISH)
    except Conflict as error:
        if course.status in (CourseStatus.IN_REVIEW, CourseStatus.CHANGES_REQUESTED):
            return _("This course is in review: it can be published once it is approved.")
        return str(error.message)
    if not course_publish_allowed(course):
        return _("This course's category requires approval before publishing.")
    return ""


def _check_policy(course: Course) -> None:
    reason = publish_refusal(course)
    if reason:
        raise Conflict(reason)


def _clean_notes(notes: Any) -> str:
    text = "" if notes is None else str(notes)
    if len(text) > NOTES_MAX:
        message = _("Release notes can be at most %(max)d characters.") % {"max": NOTES_MAX}
        raise Invalid(message, fields={"notes": [message]})
    return sanitize_plain_text(text, max_length=NOTES_MAX, multiline=True)


def _publish_running(course: Course) -> bool:
    """A publish of the course is queued or running (and not stale: a job left behind by a
    lost worker does not block publishing for ever)."""
    return Job.objects.filter(
        kind=JOB_KIND,
        params__course=str(course.uuid),
        status__in=(JobStatus.QUEUED, JobStatus.RUNNING),
        created_at__gte=timezone.now() - STALE_AFTER,
    ).exists()


# --- starting the job ---------------------------------------------------------------------------


def release_publish(
    *, actor: Membership, course: Course, notes: str = "", run_now: bool = False
) -> Job:
    """Start the `courses.publish` job for `course`; returns the Job.

    Refused at once (nothing started) when the actor may not publish (Forbidden/NotFound),
    the notes are too long (Invalid), or the policy or state forbids it, or another publish
    of the course is still under way (Conflict). `run_now` runs the job here and now (the
    `publish_course` command) instead of queueing it for a worker.
    """
    _require_publisher(actor, course)
    clean = _clean_notes(notes)
    _check_policy(course)
    if _publish_running(course):
        raise Conflict(_("This course is being published already. Wait for that job to finish."))
    params = {"course": str(course.uuid), "notes": clean}
    if not run_now:
        return job_start(actor=actor, kind=JOB_KIND, params=params)
    job = Job.objects.create(kind=JOB_KIND, params=params, created_by=actor, message=_("Starting…"))
    run_job.apply(kwargs={"tenant_id": job.tenant_id, "job_id": job.pk})
    job.refresh_from_db()
    return job


# --- the job ------------------------------------------------------------------------------------


def _approved_revision(course: Course) -> Revision:
    """The revision pinned by the course's latest approved round (not a look-back round)."""
    review = (
        ReviewRequest.objects.select_related("revision")
        .filter(course=course, status=ReviewStatus.APPROVED, after_publication=False)
        .order_by("-closed_at", "-round")
        .first()
    )
    if review is None:
        raise Conflict(_("This course has no approved version to publish."))
    return review.revision


def _problems_message(problems: Iterable[Any]) -> str:
    items = list(problems)
    shown = "; ".join(f"{p.path or '/'}: {p.message}" for p in items[:PROBLEMS_SHOWN])
    return _(
        "The course cannot be published: its document has %(count)d problem(s). %(problems)s"
    ) % {"count": len(items), "problems": shown}


def checked_document(document: Any) -> dict[str, Any]:
    """The document validated, sanitised (and validated again when that changed it).

    Invalid, naming the first problems, when it is not a valid course document.
    """
    problems = validate_document(document)
    if problems:
        raise Invalid(_problems_message(problems))
    clean = sanitize_document(document)
    if clean != document:
        problems = validate_document(clean)
        if problems:
            raise Invalid(_problems_message(problems))
    return clean


def _block_texts(block: Mapping[str, Any]) -> list[str]:
    try:
        block_type = get_block_type(str(block.get("type", "")))
    except (UnknownBlockType, KeyError, LookupError):
        return []
    data = block.get("data")
    if not isinstance(data, Mapping):
        return []
    return [visible_text(s.text, is_html=s.html) for s in block_type.text_segments(data)]


def search_text_of(document: Mapping[str, Any]) -> str:
    """The plain text of a release for the catalog's search: titles, descriptions,
    objectives, tags and every block's visible text, one piece a line."""
    course = document.get("course") or {}
    pieces: list[str] = [str(course.get("title") or ""), str(course.get("description") or "")]
    pieces += [str(tag) for tag in course.get("tags") or []]
    pieces += [str(o.get("text", "")) for o in course.get("objectives") or []]
    for section in document.get("sections") or []:
        pieces.append(str(section.get("title") or ""))
        for page in section.get("pages") or []:
            pieces.append(str(page.get("title") or ""))
            for block in page.get("blocks") or []:
                pieces += _block_texts(block)
    return "\n".join(" ".join(p.split()) for p in pieces if p and p.strip())


def _store_release(
    *,
    actor: Membership | None,
    course: Course,
    revision: Revision,
    document: dict[str, Any],
    notes: str,
    search_text: str | None = None,
) -> Release:
    """Release n+1 and the catalog entry pointing at it. Inside the caller's transaction,
    with the course row locked."""
    number = (Release.objects.filter(course=course).aggregate(n=Max("number"))["n"] or 0) + 1
    now = timezone.now()
    release = Release.objects.create(
        course=course,
        number=number,
        revision=revision,
        document=document,
        notes=notes,
        published_by=actor,
        published_at=now,
    )
    _point_catalog(course, release, now=now, search_text=search_text)
    audit_record(
        actor=actor,
        verb="release.published",
        target=course,
        release=number,
        revision=revision.number,
    )
    return release


def _catalog_fields(
    course: Course, release: Release, *, search_text: str | None = None
) -> dict[str, Any]:
    info = release.document.get("course") or {}
    return {
        "live_release": release,
        "title": str(info.get("title") or course.title)[:200],
        "description": str(info.get("description") or ""),
        "category": str(info.get("category") or course.category or "")[:100],
        "language": str(info.get("language") or course.language)[:8],
        "estimated_minutes": int(info.get("estimated_minutes") or 0),
        "search_text": search_text if search_text is not None else search_text_of(release.document),
    }


def _point_catalog(
    course: Course, release: Release, *, now: Any, search_text: str | None = None
) -> None:
    fields = _catalog_fields(course, release, search_text=search_text)
    updated = CatalogEntry.objects.filter(course=course).update(updated_at=now, **fields)
    if not updated:
        CatalogEntry.objects.create(course=course, first_published_at=now, updated_at=now, **fields)


def _draft_document(course: Course) -> dict[str, Any]:
    """The draft as the PUBLISH revision will hold it (revision_snapshot sets the minutes)."""
    document = course_document_build(course)
    document["course"]["estimated_minutes"] = course_estimated_minutes(document)
    return document


def publish_run(
    *, actor: Membership | None, course_uuid: Any, notes: str, report: Report
) -> Release:
    """The work of a `courses.publish` job. All or nothing: see the module's docstring."""
    if actor is None or not actor.is_active:
        raise DomainError(_("The member who started this publish can no longer publish."))
    course = Course.objects.filter(uuid=parse_uuid(course_uuid)).first()
    try:
        if course is None:
            raise NotFound(_("Not found."))
        report(5, _("Checking the publishing policy"))
        _require_publisher(actor, course)
        _check_policy(course)
        approval = _approval_required(course)

        report(20, _("Building the release document"))
        approved = _approved_revision(course) if approval else None
        candidate = approved.document if approved is not None else _draft_document(course)

        report(40, _("Validating the release document"))
        checked = checked_document(candidate)

        report(60, _("Preparing the catalog entry"))
        search_text = search_text_of(checked)

        report(80, _("Storing the release and switching the live version"))
        with transaction.atomic():
            # Locks the course row until the end: releases of a course are numbered in turn.
            publish_revision = course_mark_published(actor=actor, course=course)
            source = _approved_revision(course) if approval else publish_revision
            if source.document != candidate:  # changed while we were validating
                checked = checked_document(source.document)
                search_text = search_text_of(checked)
            return _store_release(
                actor=actor,
                course=course,
                revision=source,
                document=checked,
                notes=notes,
                search_text=search_text,
            )
    except (NotFound, Forbidden) as error:
        # Not DomainErrors: give the job a message for people rather than "failed unexpectedly".
        raise DomainError(str(error) or _("You cannot publish this course.")) from error


# --- rollback -----------------------------------------------------------------------------------


def release_rollback(*, actor: Membership, release: Release) -> CatalogEntry:
    """Make an earlier release live again (reviewers and admins): one UPDATE of the catalog
    entry, no new Release. Conflict when it is live already or the course has no entry."""
    require_capability(actor, Capability.COURSE_REVIEW)
    if release.tenant_id != actor.tenant_id:
        raise NotFound(_("Not found."))
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=release.course_id)
        entry = CatalogEntry.objects.select_for_update().filter(course=course).first()
        if entry is None:
            raise Conflict(_("This course is not in the catalog."))
        if entry.live_release_id == release.pk:
            raise Conflict(_("Release %(number)d is already live.") % {"number": release.number})
        previous = (
            Release.objects.filter(pk=entry.live_release_id)
            .values_list("number", flat=True)
            .first()
        )
        now = timezone.now()
        CatalogEntry.objects.filter(pk=entry.pk).update(
            updated_at=now, **_catalog_fields(course, release)
        )
        audit_record(
            actor=actor,
            verb="release.rolled_back",
            target=course,
            release=release.number,
            previous=previous,
        )
    entry.refresh_from_db()
    return entry


# --- reads --------------------------------------------------------------------------------------


@dataclass
class ReleasesView:
    course: Course
    releases: list[Release]
    live_release_id: int | None
    can_publish: bool
    refusal: str
    can_rollback: bool


def _course_for_publishing(actor: Membership, course_uuid: Any) -> Course:
    require_capability(actor, Capability.COURSE_SUBMIT)
    require_authoring(actor)
    course = Course.objects.filter(uuid=parse_uuid(course_uuid)).first()
    if course is None or not can_edit_course(actor, course):
        raise NotFound(_("Not found."))
    return course


def releases_queryset(course: Course) -> QuerySet[Release]:
    return (
        Release.objects.filter(course=course)
        .select_related("published_by__user", "revision")
        .defer("document")
        .order_by("-number")
    )


def releases_of_course(*, actor: Membership, course_uuid: Any) -> ReleasesView:
    """A course's releases, newest first, and what the actor may do with them.

    Learners: Forbidden; a course the actor may not edit (another tenant's included): NotFound.
    """
    course = _course_for_publishing(actor, course_uuid)
    entry = CatalogEntry.objects.filter(course=course).values_list("live_release_id", flat=True)
    may_publish = has_capability(actor, Capability.COURSE_REVIEW) or is_course_author(actor, course)
    refusal = publish_refusal(course) if may_publish else ""
    return ReleasesView(
        course=course,
        releases=list(releases_queryset(course)),
        live_release_id=entry.first(),
        can_publish=may_publish and not refusal,
        refusal=refusal,
        can_rollback=has_capability(actor, Capability.COURSE_REVIEW),
    )


def course_for_publishing(*, actor: Membership, course_uuid: Any) -> Course:
    return _course_for_publishing(actor, course_uuid)


def release_for_actor(*, actor: Membership, release_uuid: Any) -> Release:
    """A release of a course the actor may edit; NotFound otherwise (another tenant's too)."""
    require_capability(actor, Capability.COURSE_SUBMIT)
    release = Release.objects.select_related("course").filter(uuid=parse_uuid(release_uuid)).first()
    if release is None or not can_edit_course(actor, release.course):
        raise NotFound(_("Not found."))
    return release


# --- existing published courses (demo data, courses published before releases existed) --------


def release_store_existing(*, course: Course) -> Release | None:
    """Release 1 for a published course that has none: the approved revision where the
    category requires approval, else its latest PUBLISH revision. None when it has a release
    already or nothing to release. No permission check: for management commands."""
    if course.status != CourseStatus.PUBLISHED:
        return None
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        if Release.objects.filter(course=locked).exists():
            return None
        if _approval_required(locked):
            revision: Revision | None = _approved_revision(locked)
        else:
            revision = (
                Revision.objects.filter(course=locked, reason=RevisionReason.PUBLISH)
                .order_by("-number")
                .first()
            )
        if revision is None:
            return None
        document = checked_document(revision.document)
        return _store_release(
            actor=revision.created_by,
            course=locked,
            revision=revision,
            document=document,
            notes="",
        )
