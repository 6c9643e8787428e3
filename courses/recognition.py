"""Recognition: learners rate a course (1–5) with optional feedback; authors see what their
courses reach and thank people back.

Who may rate: a member enrolled on the course who has *started* it (seen at least one page),
completed or not. Requiring completion would hear only from those who finished — the
learners who gave up on a confusing or too long course are the feedback an author most
needs; enrolment alone is not enough, since a learner who never opened the course has
nothing to judge. The course's own authors (owner, co-authors) may not rate it: their
stars would inflate the catalog's average. A course not in this tenant's catalog is 404;
a course in the catalog the actor may not rate is 403 with the reason.

One rating per learner and course (a database constraint): rating again updates it. The
catalog entry's `rating_average`/`rating_count` are recomputed from the ratings with one
aggregate in the same transaction, after locking the entry row, so concurrent ratings of one
course serialise and the figures are always those of the stored rows.

Thanks: the course's authors and reviewers (whoever may edit the course) thank a rating
once (a second thank-you is 409); the learner gets a THANKS notification (in-app, and
e-mail per their preference). Learners may not thank (403); a rating of a course the
actor may not edit, another tenant's included, is 404.

Impact (`course_impact`, `my_impact`): RESULTS_OWN (learners 403); a course the actor may
not edit is 404. Each selector costs a fixed number of queries, whatever the number of
enrolments and ratings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django.db import transaction
from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from authoring.access import can_edit_course, course_for_edit, parse_uuid, require_authoring
from authoring.models import Course, CourseAuthor
from authoring.sanitize import sanitize_plain_text
from courses.catalog import catalog_entry_for
from courses.models import CatalogEntry, Enrollment, EnrollmentStatus, PageProgress, Rating
from egl_platform.errors import Conflict, Forbidden, Invalid, NotFound
from tenants.models import Membership
from tenants.permissions import Capability, require_capability
from tenants.scope import require_active_tenant, tenant_scope
from tenants.services.audit import audit_record

__all__ = [
    "FEEDBACK_MAX",
    "STARS",
    "THANKS_MAX",
    "CourseImpact",
    "ImpactRow",
    "MyImpact",
    "RatingState",
    "course_feedback",
    "course_for_impact",
    "course_impact",
    "my_impact",
    "rating_for_thanks",
    "rating_refusal",
    "rating_set",
    "rating_state",
    "rating_thank",
]

FEEDBACK_MAX = 2000
THANKS_MAX = 1000
STARS = (1, 2, 3, 4, 5)


# --- rating -------------------------------------------------------------------------------------


def _is_author(actor: Membership, course: Course) -> bool:
    if course.owner_id == actor.pk:
        return True
    return CourseAuthor.objects.filter(course=course, membership=actor).exists()


def _has_started(enrollment: Enrollment) -> bool:
    """Seen at least one page: the player stamps started_at and records PageProgress."""
    if enrollment.started_at is not None or enrollment.status != EnrollmentStatus.ENROLLED:
        return True
    return PageProgress.objects.filter(enrollment=enrollment).exists()


def rating_refusal(*, actor: Membership, course: Course) -> str:
    """Why the actor may not rate the course now ("" when they may)."""
    if _is_author(actor, course):
        return _("You cannot rate a course you wrote.")
    enrollment = Enrollment.objects.filter(course=course, learner=actor).first()
    if enrollment is None:
        return _("Enrol on the course and start it before you rate it.")
    if not _has_started(enrollment):
        return _("Start the course before you rate it: open at least one page.")
    return ""


@dataclass
class RatingState:
    """The actor's rating of a course (None when not rated yet) and whether they may rate."""

    course: Course
    rating: Rating | None
    refusal: str

    @property
    def can_rate(self) -> bool:
        return not self.refusal


def rating_state(*, actor: Membership, course: Course) -> RatingState:
    """The actor's own rating of the course and whether they may rate it."""
    require_capability(actor, Capability.COURSE_TAKE)
    rating = Rating.objects.filter(course=course, learner=actor).first()
    return RatingState(
        course=course, rating=rating, refusal=rating_refusal(actor=actor, course=course)
    )


def _clean_stars(stars: Any) -> int:
    message = _("Choose a rating from 1 to 5 stars.")
    if isinstance(stars, bool):
        raise Invalid(message, fields={"stars": [message]})
    try:
        value = int(str(stars).strip())
    except (TypeError, ValueError):
        raise Invalid(message, fields={"stars": [message]}) from None
    if value not in STARS:
        raise Invalid(message, fields={"stars": [message]})
    return value


def _clean_text(value: Any, *, name: str, max_length: int, message: str) -> str:
    text = "" if value is None else str(value)
    if len(text) > max_length:
        raise Invalid(message, fields={name: [message]})
    return sanitize_plain_text(text, max_length=max_length, multiline=True)


def _rating_figures(course: Course) -> tuple[Decimal | None, int]:
    """The course's average (2 decimals) and number of ratings, from the rows themselves."""
    figures = Rating.objects.filter(course=course).aggregate(
        average=Avg("stars"), count=Count("id")
    )
    average = figures["average"]
    if average is None:
        return None, 0
    return Decimal(str(average)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), figures["count"]


def rating_set(*, actor: Membership, course: Course, stars: Any, feedback: Any = "") -> Rating:
    """Rate the course (1–5) with optional plain-text feedback; rating again updates it.

    Invariants: one rating per learner and course; the catalog entry's average and count
    are recomputed from all ratings in the same transaction. Errors: NotFound (not in the
    catalog), Forbidden (not enrolled, not started, or an author of the course), Invalid
    (stars not 1–5, feedback over FEEDBACK_MAX characters) — nothing is changed.
    """
    require_capability(actor, Capability.COURSE_TAKE)
    entry = catalog_entry_for(actor=actor, course_uuid=course.uuid)
    refusal = rating_refusal(actor=actor, course=entry.course)
    if refusal:
        raise Forbidden(refusal)
    value = _clean_stars(stars)
    text = _clean_text(
        feedback,
        name="feedback",
        max_length=FEEDBACK_MAX,
        message=_("Feedback can be at most %(max)d characters.") % {"max": FEEDBACK_MAX},
    )
    now = timezone.now()
    with transaction.atomic():
        # Lock the entry first: concurrent ratings of one course queue here, and the
        # aggregate below (a new snapshot under READ COMMITTED) sees every committed rating.
        CatalogEntry.objects.select_for_update().filter(pk=entry.pk).first()
        rating, created = Rating.objects.update_or_create(
            course=entry.course,
            learner=actor,
            defaults={"stars": value, "feedback": text, "updated_at": now},
            create_defaults={
                "stars": value,
                "feedback": text,
                "created_at": now,
                "updated_at": now,
            },
        )
        average, count = _rating_figures(entry.course)
        CatalogEntry.objects.filter(pk=entry.pk).update(rating_average=average, rating_count=count)
        audit_record(
            actor=actor,
            verb="course.rated" if created else "course.rating_changed",
            target=entry.course,
            stars=value,
        )
    return rating


# --- thanks -------------------------------------------------------------------------------------


def rating_for_thanks(*, actor: Membership, rating_uuid: Any) -> Rating:
    """A rating of a course the actor may edit. Learners: Forbidden; a rating of any other
    course (another tenant's included) or a missing one: NotFound."""
    require_authoring(actor)
    rating = (
        Rating.objects.select_related("course", "learner__user", "thanked_by__user")
        .filter(uuid=parse_uuid(rating_uuid))
        .first()
    )
    if rating is None or not can_edit_course(actor, rating.course):
        raise NotFound(_("Not found."))
    return rating


def rating_thank(*, actor: Membership, rating: Rating, message: Any = "") -> Rating:
    """Thank the learner for their rating, once, with an optional note (plain text).

    Side effects: the rating records who thanked, when and the note; after commit the learner
    gets a THANKS notification (and e-mail per their preference). Errors: Forbidden
    (learners; thanking your own rating), NotFound (a course the actor may not edit),
    Invalid (note over THANKS_MAX), Conflict (already thanked) — nothing is changed.
    """
    require_authoring(actor)
    if not can_edit_course(actor, rating.course):
        raise NotFound(_("Not found."))
    if rating.learner_id == actor.pk:
        raise Forbidden(_("You cannot thank yourself."))
    note = _clean_text(
        message,
        name="message",
        max_length=THANKS_MAX,
        message=_("A thank-you note can be at most %(max)d characters.") % {"max": THANKS_MAX},
    )
    with transaction.atomic():
        locked = (
            Rating.objects.select_for_update(of=("self",))
            .select_related("course", "learner__user")
            .get(pk=rating.pk)
        )
        if locked.thanked_at is not None:
            raise Conflict(_("This learner has already been thanked for this rating."))
        locked.thanked_at = timezone.now()
        locked.thanked_by = actor
        locked.thanks_message = note
        locked.save(update_fields=["thanked_at", "thanked_by", "thanks_message"])
        audit_record(actor=actor, verb="course.rating_thanked", target=locked.course)

        tenant = require_active_tenant()

        def notify() -> None:
            from reviews.notifications import notify_thanks

            # After commit the request (or task) may have left the tenant: enter it again.
            with tenant_scope(tenant):
                notify_thanks(locked)

        transaction.on_commit(notify, robust=True)
    return locked


# --- impact -------------------------------------------------------------------------------------


def course_for_impact(*, actor: Membership, course_uuid: Any) -> Course:
    """A course whose impact the actor may see: its authors' and reviewers'. Learners:
    Forbidden; any other course (another tenant's included): NotFound."""
    require_capability(actor, Capability.RESULTS_OWN)
    return course_for_edit(actor=actor, course_uuid=course_uuid)


def _percent(part: int, whole: int) -> int | None:
    if not whole:
        return None
    return int((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("1"), ROUND_HALF_UP))


def _average(total: int | None, count: int) -> Decimal | None:
    if not count or total is None:
        return None
    return (Decimal(total) / Decimal(count)).quantize(Decimal("0.01"), ROUND_HALF_UP)


_STARTED = Q(started_at__isnull=False) | ~Q(status=EnrollmentStatus.ENROLLED)
_COMPLETED = Q(status=EnrollmentStatus.COMPLETED)


def _enrolment_figures() -> dict[str, Any]:
    return {
        "learners": Count("id"),
        "started": Count("id", filter=_STARTED),
        "completed": Count("id", filter=_COMPLETED),
    }


def _rating_aggregates() -> dict[str, Any]:
    figures: dict[str, Any] = {
        "rating_count": Count("id"),
        "stars_total": Sum("stars"),
        "feedback_count": Count("id", filter=~Q(feedback="")),
        "unthanked": Count("id", filter=Q(thanked_at__isnull=True)),
    }
    for star in STARS:
        figures[f"stars_{star}"] = Count("id", filter=Q(stars=star))
    return figures


@dataclass
class CourseImpact:
    course: Course
    learners: int
    started: int
    completed: int
    completion_rate: int | None  # percent of learners reached; None without learners
    rating_average: Decimal | None
    rating_count: int
    feedback_count: int
    unthanked: int
    distribution: list[tuple[int, int, int]] = field(default_factory=list)  # star, n, percent


def course_feedback(*, actor: Membership, course: Course) -> QuerySet[Rating]:
    """The course's ratings and feedback, newest first, with learner and thanker loaded."""
    require_capability(actor, Capability.RESULTS_OWN)
    if not can_edit_course(actor, course):
        raise NotFound(_("Not found."))
    return (
        Rating.objects.filter(course=course)
        .select_related("learner__user", "thanked_by__user")
        .order_by("-updated_at", "-id")
    )


def course_impact(*, actor: Membership, course: Course) -> CourseImpact:
    """Learners reached (enrolments), started, completed, completion rate, average rating and
    the 1–5 distribution of one course — two queries. The feedback list is
    `course_feedback` (paginated by the caller)."""
    require_capability(actor, Capability.RESULTS_OWN)
    if not can_edit_course(actor, course):
        raise NotFound(_("Not found."))
    people = Enrollment.objects.filter(course=course).aggregate(**_enrolment_figures())
    ratings = Rating.objects.filter(course=course).aggregate(**_rating_aggregates())
    count = ratings["rating_count"]
    return CourseImpact(
        course=course,
        learners=people["learners"],
        started=people["started"],
        completed=people["completed"],
        completion_rate=_percent(people["completed"], people["learners"]),
        rating_average=_average(ratings["stars_total"], count),
        rating_count=count,
        feedback_count=ratings["feedback_count"],
        unthanked=ratings["unthanked"],
        distribution=[
            (star, ratings[f"stars_{star}"], _percent(ratings[f"stars_{star}"], count) or 0)
            for star in reversed(STARS)
        ],
    )


@dataclass
class ImpactRow:
    course: Course
    learners: int = 0
    started: int = 0
    completed: int = 0
    rating_count: int = 0
    stars_total: int = 0
    feedback_count: int = 0
    unthanked: int = 0

    @property
    def completion_rate(self) -> int | None:
        return _percent(self.completed, self.learners)

    @property
    def rating_average(self) -> Decimal | None:
        return _average(self.stars_total, self.rating_count)


@dataclass
class MyImpact:
    rows: list[ImpactRow]
    learners: int
    started: int
    completed: int
    completion_rate: int | None
    rating_average: Decimal | None
    rating_count: int
    unthanked: int


def _authored(actor: Membership) -> QuerySet[Course]:
    coauthored = CourseAuthor.objects.filter(membership=actor).values("course_id")
    return Course.objects.filter(Q(owner=actor) | Q(pk__in=coauthored))


def my_impact(*, actor: Membership) -> MyImpact:
    """Across the courses the actor owns or co-authors: per course and in total, learners
    reached, started, completed, completion rate and ratings — three queries."""
    require_capability(actor, Capability.RESULTS_OWN)
    courses = list(_authored(actor).order_by("title", "id"))
    rows = {course.pk: ImpactRow(course=course) for course in courses}
    ids = list(rows)
    if ids:
        people = cast(
            "list[dict[str, Any]]",
            list(
                Enrollment.objects.filter(course_id__in=ids)
                .values("course_id")
                .annotate(**_enrolment_figures())
                .order_by()
            ),
        )
        for values in people:
            row = rows[values["course_id"]]
            row.learners, row.started = values["learners"], values["started"]
            row.completed = values["completed"]
        ratings = cast(
            "list[dict[str, Any]]",
            list(
                Rating.objects.filter(course_id__in=ids)
                .values("course_id")
                .annotate(**_rating_aggregates())
                .order_by()
            ),
        )
        for values in ratings:
            row = rows[values["course_id"]]
            row.rating_count, row.stars_total = values["rating_count"], values["stars_total"] or 0
            row.feedback_count, row.unthanked = values["feedback_count"], values["unthanked"]
    all_rows = list(rows.values())
    learners = sum(r.learners for r in all_rows)
    completed = sum(r.completed for r in all_rows)
    rating_count = sum(r.rating_count for r in all_rows)
    return MyImpact(
        rows=all_rows,
        learners=learners,
        started=sum(r.started for r in all_rows),
        completed=completed,
        completion_rate=_percent(completed, learners),
        rating_average=_average(sum(r.stars_total for r in all_rows), rating_count),
        rating_count=rating_count,
        unthanked=sum(r.unthanked for r in all_rows),
    )
