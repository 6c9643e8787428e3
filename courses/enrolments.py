"""Enrolments: taking a course yourself, assignments by reviewers and admins, "My learning".

An enrolment is on the course's live release (the catalog entry's pointer) at the time it is
made; there is one per learner and course. Self-enrolment is idempotent. An assignment names
people and/or groups (group members are resolved when assigning) and an optional due date;
everyone it reaches gets an enrolment (an existing one becomes "assigned" and takes the new
due date). Assigning needs COURSE_REVIEW or TENANT_MANAGE; authors and learners get 403.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from authoring.models import Course
from courses.catalog import can_assign
from courses.models import (
    Assignment,
    CatalogEntry,
    Enrollment,
    EnrollmentSource,
    EnrollmentStatus,
)
from egl_platform.errors import Forbidden, Invalid, NotFound
from tenants.models import Group, GroupMember, Membership, MembershipStatus
from tenants.permissions import Capability, require_capability
from tenants.services.audit import audit_record
from tenants.tenancy import require_active_tenant

__all__ = [
    "AssignResult",
    "MyLearning",
    "assign",
    "assignments_for_course",
    "course_enrolments",
    "enrol_self",
    "enrolment_for",
    "my_learning",
    "require_assigner",
]


def _live_entry(course: Course) -> CatalogEntry:
    entry = CatalogEntry.objects.select_related("live_release").filter(course=course).first()
    if entry is None or course.tenant_id != require_active_tenant().pk:
        raise NotFound(_("Not found."))
    return entry


def require_assigner(actor: Membership) -> None:
    if not can_assign(actor):
        raise Forbidden(_("Only reviewers and administrators can assign courses."))


# --- self-enrolment -----------------------------------------------------------------------------


def enrol_self(*, actor: Membership, course: Course) -> Enrollment:
    """Enrol the actor on the course's live release; their existing enrolment when they have
    one. An unlisted course is 404 unless it was assigned to them."""
    require_capability(actor, Capability.COURSE_TAKE)
    entry = _live_entry(course)
    existing = Enrollment.objects.filter(course=course, learner=actor).first()
    if existing is not None:
        return existing
    if not entry.is_listed:
        raise NotFound(_("Not found."))
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(
                course=course,
                learner=actor,
                release=entry.live_release,
                source=EnrollmentSource.SELF,
            )
            audit_record(actor=actor, verb="enrollment.created", target=enrollment, source="self")
    except IntegrityError:  # a parallel request enrolled them first
        return Enrollment.objects.get(course=course, learner=actor)
    return enrollment


# --- assignment ---------------------------------------------------------------------------------


@dataclass
class AssignResult:
    assignments: list[Assignment] = field(default_factory=list)
    enrolled: int = 0  # new enrolments
    updated: int = 0  # existing enrolments that became assigned / took the due date


def _check_targets(
    members: Iterable[Membership], groups: Iterable[Group]
) -> tuple[list[Membership], list[Group]]:
    tenant_id = require_active_tenant().pk
    people = list({m.pk: m for m in members}.values())
    teams = list({g.pk: g for g in groups}.values())
    errors: dict[str, list[str]] = {}
    if any(m.tenant_id != tenant_id for m in people) or any(
        g.tenant_id != tenant_id for g in teams
    ):
        raise NotFound(_("Not found."))
    if any(m.status != MembershipStatus.ACTIVE for m in people):
        errors["members"] = [_("Deactivated members cannot be assigned courses.")]
    if not people and not teams:
        errors["members"] = [_("Choose at least one person or group.")]
    if errors:
        raise Invalid(_("The assignment was not made."), fields=errors)
    return people, teams


def assign(
    *,
    actor: Membership,
    course: Course,
    members: Iterable[Membership] = (),
    groups: Iterable[Group] = (),
    due_at: datetime | None = None,
) -> AssignResult:
    """Assign the course to people and/or groups, with an optional due date (in the future).
    One Assignment row per person and group; an enrolment for every active member reached."""
    require_assigner(actor)
    entry = _live_entry(course)
    people, teams = _check_targets(members, groups)
    if due_at is not None and due_at <= timezone.now():
        message = _("The due date must be in the future.")
        raise Invalid(message, fields={"due_at": [message]})
    tenant = require_active_tenant()
    result = AssignResult()
    with transaction.atomic():
        # Who each assignment reaches: a person's own assignment wins over a group's.
        reach: dict[int, Assignment] = {}
        for group in teams:
            assignment = Assignment.objects.create(
                course=course, group=group, due_at=due_at, assigned_by=actor
            )
            result.assignments.append(assignment)
            member_ids = GroupMember.objects.filter(
                group=group,
                membership__status=MembershipStatus.ACTIVE,
                membership__user__is_active=True,
            ).values_list("membership_id", flat=True)
            for member_id in member_ids:
                reach.setdefault(member_id, assignment)
        for member in people:
            assignment = Assignment.objects.create(
                course=course, membership=member, due_at=due_at, assigned_by=actor
            )
            result.assignments.append(assignment)
            reach[member.pk] = assignment

        existing = {
            e.learner_id: e
            for e in Enrollment.objects.select_for_update().filter(
                course=course, learner_id__in=list(reach)
            )
        }
        changed = []
        for learner_id, enrollment in existing.items():
            enrollment.source = EnrollmentSource.ASSIGNED
            enrollment.assignment = reach[learner_id]
            if due_at is not None:
                enrollment.due_at = due_at
                enrollment.reminded_at = None
            changed.append(enrollment)
        Enrollment.objects.bulk_update(
            changed, ["source", "assignment", "due_at", "reminded_at"], batch_size=500
        )
        new = [
            Enrollment(
                tenant=tenant,
                course=course,
                learner_id=learner_id,
                release=entry.live_release,
                source=EnrollmentSource.ASSIGNED,
                assignment=assignment,
                due_at=due_at,
            )
            for learner_id, assignment in reach.items()
            if learner_id not in existing
        ]
        Enrollment.objects.bulk_create(new, batch_size=500)
        result.enrolled, result.updated = len(new), len(changed)
        audit_record(
            actor=actor,
            verb="course.assigned",
            target=course,
            members=[str(m.uuid) for m in people],
            groups=[str(g.uuid) for g in teams],
            due_at=due_at.isoformat() if due_at else None,
            enrolled=result.enrolled,
            updated=result.updated,
        )
    return result


def assignments_for_course(
    *, actor: Membership, course: Course | None = None
) -> QuerySet[Assignment]:
    """The assignments reviewers and admins see, newest first (one course's, or all)."""
    require_assigner(actor)
    assignments = Assignment.objects.select_related(
        "course", "membership__user", "group", "assigned_by__user"
    )
    if course is not None:
        assignments = assignments.filter(course=course)
    return assignments.order_by("-created_at", "-id")


def course_enrolments(*, actor: Membership, course: Course) -> QuerySet[Enrollment]:
    """Who is assigned or enrolled on the course (reviewers and admins), by name."""
    require_assigner(actor)
    return (
        Enrollment.objects.filter(course=course)
        .select_related("learner__user")
        .order_by("learner__user__display_name", "learner__user__email", "id")
    )


def enrolment_for(*, actor: Membership, course: Course) -> Enrollment | None:
    return Enrollment.objects.filter(course=course, learner=actor).first()


# --- My learning --------------------------------------------------------------------------------


@dataclass
class LearningItem:
    enrollment: Enrollment
    entry: CatalogEntry | None
    overdue: bool

    @property
    def title(self) -> str:
        return self.entry.title if self.entry is not None else self.enrollment.course.title


@dataclass
class MyLearning:
    """The member's enrolments in four buckets that do not overlap: overdue (due date passed,
    not completed), assigned (assigned, not completed, not overdue), in progress (their own
    choice, not completed) and completed."""

    overdue: list[LearningItem] = field(default_factory=list)
    assigned: list[LearningItem] = field(default_factory=list)
    in_progress: list[LearningItem] = field(default_factory=list)
    completed: list[LearningItem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.overdue) + len(self.assigned) + len(self.in_progress) + len(self.completed)

    def counts(self) -> dict[str, int]:
        return {
            "overdue": len(self.overdue),
            "assigned": len(self.assigned),
            "in_progress": len(self.in_progress),
            "completed": len(self.completed),
        }


def my_learning(*, actor: Membership) -> MyLearning:
    """The actor's enrolments, bucketed; two queries."""
    require_capability(actor, Capability.COURSE_TAKE)
    now = timezone.now()
    enrollments = list(
        Enrollment.objects.filter(learner=actor)
        .select_related("course")
        .only(
            "uuid",
            "course__uuid",
            "course__title",
            "source",
            "status",
            "due_at",
            "progress_percent",
            "enrolled_at",
            "started_at",
            "completed_at",
            "last_page_id",
            "tenant_id",
            "learner_id",
            "release_id",
        )
    )
    entries = {
        e.course_id: e
        for e in CatalogEntry.objects.filter(course_id__in={x.course_id for x in enrollments}).only(
            "course_id", "title", "estimated_minutes", "tenant_id"
        )
    }
    result = MyLearning()
    for enrollment in enrollments:
        done = enrollment.status == EnrollmentStatus.COMPLETED
        overdue = not done and enrollment.due_at is not None and enrollment.due_at < now
        item = LearningItem(enrollment, entries.get(enrollment.course_id), overdue)
        if done:
            result.completed.append(item)
        elif overdue:
            result.overdue.append(item)
        elif enrollment.source == EnrollmentSource.ASSIGNED:
            result.assigned.append(item)
        else:
            result.in_progress.append(item)

    far = datetime.max.replace(tzinfo=now.tzinfo)

    def by_due(item: LearningItem) -> Any:
        return (item.enrollment.due_at or far, item.title.lower())

    result.overdue.sort(key=by_due)
    result.assigned.sort(key=by_due)
    result.in_progress.sort(
        key=lambda i: i.enrollment.started_at or i.enrollment.enrolled_at, reverse=True
    )
    result.completed.sort(
        key=lambda i: i.enrollment.completed_at or i.enrollment.enrolled_at, reverse=True
    )
    return result
