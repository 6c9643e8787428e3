"""The course player's selectors and services: which enrolment, which page, how far, done.

    enrollment = enrollment_for_actor(actor=membership, course_uuid=uuid)   # rule 7 applied
    outline = player_outline(enrollment)          # pages in order, seen / done / locked
    page_view(actor=membership, enrollment=enrollment, page_id=page_id)
    resume_page_id(enrollment)                    # where "continue" goes

The player renders the enrollment's release document, never the draft (DESIGN.md §8).
Course settings the document does not (yet) carry take these defaults, stated here once:

- navigation: `free` (any page, any order). A release document whose `course` holds
  `"navigation": "linear"` opens the next page only when the current one is done: a content
  page or knowledge check once seen, a quiz once passed or out of attempts.
- completion: every page seen AND every quiz passed. Completion is never taken back.

Tracking goes through `emit`, the one seam to `courses.tracking.track`: a package build of
the same player swaps the adapter (SCORM / cmi5 runtime) and nothing else. A tracking failure
is logged and never breaks the learner's page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from authoring.blocks import QuestionType, UnknownBlockType, get_block_type
from authoring.blocks.pages import PageKind
from authoring.models import Course
from courses.certificates import certificate_issue
from courses.models import (
    Attempt,
    CatalogEntry,
    Enrollment,
    EnrollmentStatus,
    PageProgress,
    Release,
)
from egl_platform.errors import NotFound
from tenants.models import Membership

__all__ = [
    "NAVIGATION_FREE",
    "NAVIGATION_LINEAR",
    "NotEnrolled",
    "Outline",
    "OutlinePage",
    "completion_check",
    "course_settings",
    "document_page",
    "document_pages",
    "emit",
    "enrollment_for_actor",
    "page_view",
    "player_exit",
    "player_launch",
    "player_outline",
    "progress_refresh",
    "question_blocks",
    "resume_page_id",
    "set_tracking_adapter",
]

logger = logging.getLogger(__name__)

NAVIGATION_FREE = "free"
NAVIGATION_LINEAR = "linear"


class NotEnrolled(NotFound):
    """The course exists in this tenant but the actor is not enrolled on it."""

    def __init__(self, course: Course) -> None:
        super().__init__(_("You are not enrolled on this course."))
        self.course = course


# --- tracking seam ---------------------------------------------------------------------------


def _app_adapter(event: str, *, enrollment: Enrollment, **details: Any) -> Any:
    from courses import tracking  # late: tests monkeypatch tracking.track

    return tracking.track(event, enrollment=enrollment, **details)


_adapter: Callable[..., Any] = _app_adapter
# Events describe what was stored: they leave once the transaction has committed.
_after_commit: Callable[[Callable[[], None]], None] = transaction.on_commit


def set_tracking_adapter(adapter: Callable[..., Any] | None) -> None:
    """Use `adapter(event, *, enrollment, **details)` for tracking; None: the app's xAPI one."""
    global _adapter
    _adapter = adapter or _app_adapter


def emit(event: str, *, enrollment: Enrollment, **details: Any) -> None:
    """Send a learning event after the transaction commits; failures are only logged."""

    def send() -> None:
        try:
            _adapter(event, enrollment=enrollment, **details)
        except Exception:
            logger.exception("tracking %s failed for enrollment %s", event, enrollment.pk)

    _after_commit(send)


# --- the document ----------------------------------------------------------------------------


def course_settings(document: Mapping[str, Any]) -> dict[str, str]:
    course = document.get("course") or {}
    navigation = course.get("navigation") if isinstance(course, Mapping) else None
    return {
        "navigation": NAVIGATION_LINEAR if navigation == NAVIGATION_LINEAR else NAVIGATION_FREE,
        "completion": "all_pages_and_quizzes",
    }


def document_pages(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every page of a release document in order, with `section_title` added (copies)."""
    pages: list[dict[str, Any]] = []
    for section in document.get("sections") or []:
        if not isinstance(section, Mapping):
            continue
        for page in section.get("pages") or []:
            if isinstance(page, Mapping) and page.get("id"):
                pages.append({**page, "section_title": section.get("title") or ""})
    return pages


def document_page(document: Mapping[str, Any], page_id: str) -> dict[str, Any] | None:
    return next((p for p in document_pages(document) if p["id"] == str(page_id)), None)


def is_question(block: Mapping[str, Any]) -> bool:
    try:
        return isinstance(get_block_type(str(block.get("type"))), QuestionType)
    except UnknownBlockType:
        return False


def question_blocks(page: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [dict(b) for b in page.get("blocks") or [] if isinstance(b, Mapping) and is_question(b)]


# --- the actor's enrolment ---------------------------------------------------------------------


def enrollment_for_actor(*, actor: Membership, course_uuid: Any) -> Enrollment:
    """The actor's enrolment on the course, moved to the live release when it changed.

    No such course in this tenant → NotFound; a course the actor is not enrolled on →
    NotEnrolled (a NotFound, so callers that do nothing special answer 404).
    """
    from courses.release_follow import enrollment_follow_release

    # The hot path (every player request) is one query for the enrolment with its release
    # and course, and one for the live release's id: a release document is loaded only once,
    # and the live one only when the learner has to move to it.
    enrollment = (
        Enrollment.objects.select_related("release", "course")
        .filter(course__uuid=course_uuid, learner=actor)
        .first()
    )
    if enrollment is None:
        course = Course.objects.filter(uuid=course_uuid).first()
        if course is None:
            raise NotFound(_("There is no such course."))
        raise NotEnrolled(course)
    if enrollment.status != EnrollmentStatus.COMPLETED:
        live_id = (
            CatalogEntry.objects.filter(course_id=enrollment.course_id)
            .values_list("live_release_id", flat=True)
            .first()
        )
        if live_id is not None and live_id != enrollment.release_id:
            live = Release.objects.get(pk=live_id)
            enrollment = enrollment_follow_release(enrollment, live)
    return enrollment


# --- progress ----------------------------------------------------------------------------------


@dataclass
class OutlinePage:
    id: str
    title: str
    kind: str
    section_title: str
    number: int
    seen: bool = False
    passed: bool = False
    done: bool = False
    locked: bool = False


@dataclass
class Outline:
    pages: list[OutlinePage]
    navigation: str
    seen: set[str] = field(default_factory=set)

    def get(self, page_id: str) -> OutlinePage | None:
        return next((p for p in self.pages if p.id == page_id), None)

    def neighbours(self, page_id: str) -> tuple[OutlinePage | None, OutlinePage | None]:
        ids = [p.id for p in self.pages]
        if page_id not in ids:
            return None, None
        i = ids.index(page_id)
        return (
            self.pages[i - 1] if i > 0 else None,
            self.pages[i + 1] if i + 1 < len(self.pages) else None,
        )

    @property
    def first_open(self) -> OutlinePage | None:
        """The first page not done yet that the learner may open (resume target)."""
        return next((p for p in self.pages if not p.done and not p.locked), None)


def _quiz_state(enrollment: Enrollment) -> tuple[set[str], dict[str, int]]:
    """(quiz page ids passed, submitted attempts per quiz page id), across releases."""
    passed: set[str] = set()
    used: dict[str, int] = {}
    for page_id, ok in Attempt.objects.filter(
        enrollment=enrollment, submitted_at__isnull=False
    ).values_list("page_id", "passed"):
        used[page_id] = used.get(page_id, 0) + 1
        if ok:
            passed.add(page_id)
    return passed, used


def player_outline(enrollment: Enrollment, document: Mapping[str, Any] | None = None) -> Outline:
    """The release's pages in order with what the learner did on each (three queries)."""
    document = document if document is not None else enrollment.release.document
    navigation = course_settings(document)["navigation"]
    seen = set(PageProgress.objects.filter(enrollment=enrollment).values_list("page_id", flat=True))
    passed, used = _quiz_state(enrollment)
    pages: list[OutlinePage] = []
    blocked = False
    for number, page in enumerate(document_pages(document), start=1):
        kind = str(page.get("kind") or PageKind.CONTENT)
        entry = OutlinePage(
            id=page["id"],
            title=str(page.get("title") or ""),
            kind=kind,
            section_title=str(page.get("section_title") or ""),
            number=number,
            seen=page["id"] in seen,
        )
        if kind == PageKind.QUIZ:
            limit = int((page.get("settings") or {}).get("attempts") or 0)
            entry.passed = page["id"] in passed
            exhausted = bool(limit) and used.get(page["id"], 0) >= limit
            entry.done = entry.passed or exhausted
        else:
            entry.done = entry.seen
        entry.locked = navigation == NAVIGATION_LINEAR and blocked
        blocked = blocked or not entry.done
        pages.append(entry)
    return Outline(pages=pages, navigation=navigation, seen=seen)


def _percent(outline: Outline) -> int:
    if not outline.pages:
        return 0
    done = sum(1 for p in outline.pages if (p.passed if p.kind == PageKind.QUIZ else p.seen))
    return min(100, round(100 * done / len(outline.pages)))


def completion_check(enrollment: Enrollment, outline: Outline) -> bool:
    """Mark the enrolment completed when every page is seen and every quiz passed.

    Pages removed by a newer release are not in the outline, so they never block.
    Returns True when this call completed it. Never un-completes.
    """
    if enrollment.status == EnrollmentStatus.COMPLETED or not outline.pages:
        return False
    if not all(p.seen and (p.passed or p.kind != PageKind.QUIZ) for p in outline.pages):
        return False
    now = timezone.now()
    enrollment.status = EnrollmentStatus.COMPLETED
    enrollment.completed_at = now
    enrollment.started_at = enrollment.started_at or now
    enrollment.progress_percent = 100
    enrollment.save(update_fields=["status", "completed_at", "started_at", "progress_percent"])
    certificate_issue(enrollment)  # in the completing transaction: completed means certified
    emit("completed", enrollment=enrollment)
    return True


def progress_refresh(enrollment: Enrollment) -> Outline:
    """Recompute progress % and completion from the rows; returns the fresh outline."""
    outline = player_outline(enrollment)
    if enrollment.status != EnrollmentStatus.COMPLETED:
        percent = _percent(outline)
        if percent != enrollment.progress_percent:
            enrollment.progress_percent = percent
            enrollment.save(update_fields=["progress_percent"])
        completion_check(enrollment, outline)
    return outline


def resume_page_id(enrollment: Enrollment, outline: Outline | None = None) -> str | None:
    """The page to continue on: the last one opened if it still exists and is open, else
    the first page not done, else the first page. None for a release without pages."""
    outline = outline or player_outline(enrollment)
    last = outline.get(enrollment.last_page_id) if enrollment.last_page_id else None
    if last is not None and not last.locked:
        return last.id
    target = outline.first_open or (outline.pages[0] if outline.pages else None)
    return target.id if target else None


@transaction.atomic
def page_view(
    *, actor: Membership, enrollment: Enrollment, page_id: str
) -> tuple[Enrollment, Outline]:
    """Record that the learner opened `page_id` of their release: seen, resume point, status.

    A first page opened without the launch link (a deep link) counts as the launch.

    NotFound for a page the release does not have; a locked page (linear navigation) is the
    caller's to refuse before calling this (it is not recorded).
    """
    if enrollment.learner_id != actor.pk:
        raise NotFound(_("There is no such course."))
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("release", "course")
        .get(pk=enrollment.pk)
    )
    page = document_page(enrollment.release.document, page_id)
    if page is None:
        raise NotFound(_("This page is not part of the course."))
    now = timezone.now()
    fields = ["last_page_id"]
    if enrollment.started_at is None:
        enrollment.started_at = now
        fields.append("started_at")
        emit("launched", enrollment=enrollment)
    if enrollment.status == EnrollmentStatus.ENROLLED:
        enrollment.status = EnrollmentStatus.IN_PROGRESS
        fields.append("status")
    enrollment.last_page_id = page["id"]
    enrollment.save(update_fields=fields)
    updated = PageProgress.objects.filter(enrollment=enrollment, page_id=page["id"]).update(
        last_seen_at=now
    )
    if not updated:
        PageProgress.objects.create(
            enrollment=enrollment, page_id=page["id"], first_seen_at=now, last_seen_at=now
        )
    emit("page_viewed", enrollment=enrollment, page=page["id"])
    return enrollment, progress_refresh(enrollment)


@transaction.atomic
def player_exit(*, actor: Membership, enrollment: Enrollment, page_id: str) -> None:
    """The learner leaves the player from `page_id` (kept as the resume point)."""
    if enrollment.learner_id != actor.pk:
        raise NotFound(_("There is no such course."))
    if document_page(enrollment.release.document, page_id) is None:
        raise NotFound(_("This page is not part of the course."))
    Enrollment.objects.filter(pk=enrollment.pk).update(last_page_id=str(page_id))
    emit("exited", enrollment=enrollment, page=str(page_id))


@transaction.atomic
def player_launch(*, actor: Membership, enrollment: Enrollment) -> Enrollment:
    """The learner opens the course (its launch link): started, in progress, "launched"."""
    if enrollment.learner_id != actor.pk:
        raise NotFound(_("There is no such course."))
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("release", "course")
        .get(pk=enrollment.pk)
    )
    fields = []
    if enrollment.started_at is None:
        enrollment.started_at = timezone.now()
        fields.append("started_at")
    if enrollment.status == EnrollmentStatus.ENROLLED:
        enrollment.status = EnrollmentStatus.IN_PROGRESS
        fields.append("status")
    if fields:
        enrollment.save(update_fields=fields)
    emit("launched", enrollment=enrollment)
    return enrollment
