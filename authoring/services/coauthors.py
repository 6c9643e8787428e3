"""Co-authors and ownership of a course.

The owner (or a reviewer) adds and removes co-authors and hands the course to someone
else; a co-author may also leave a course. Co-authors and owners must be active members
with the author capability. When an owner is deactivated (tenants.signals), each of their
courses goes to its longest-standing active co-author; a course without one keeps its
owner and stays listed for reviewers ("owner deactivated"), so nothing is orphaned.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from authoring.models import Course, CourseAuthor
from authoring.services.courses import course_touch, require_edit
from egl_platform.errors import Conflict, Forbidden, Invalid, NotFound
from tenants.models import Membership, MembershipStatus
from tenants.permissions import Capability, has_capability
from tenants.services.audit import audit_record

__all__ = [
    "course_author_add",
    "course_author_remove",
    "course_owner_transfer",
    "courses_hand_over",
]


def _require_manager(actor: Membership, course: Course) -> None:
    """The owner or a reviewer manages the authors; a co-author is refused with 403."""
    require_edit(actor, course)
    if course.owner_id != actor.pk and not has_capability(actor, Capability.COURSE_REVIEW):
        raise Forbidden(_("Only the course's owner or a reviewer can manage its authors."))


def _require_author(member: Membership) -> None:
    if member.status != MembershipStatus.ACTIVE or not has_capability(
        member, Capability.COURSE_CREATE
    ):
        raise Invalid(
            _("%(name)s cannot author courses: they need to be an active author.")
            % {"name": member.user.name},
            fields={"member": [_("Not an active author.")]},
        )


def _lock(course: Course) -> Course:
    return Course.objects.select_for_update().get(pk=course.pk)


def course_author_add(*, actor: Membership, course: Course, member: Membership) -> CourseAuthor:
    """Make `member` a co-author (409 when they already are, or own the course)."""
    _require_manager(actor, course)
    _require_author(member)
    try:
        with transaction.atomic():
            locked = _lock(course)
            if locked.owner_id == member.pk:
                raise Conflict(_("%(name)s owns this course.") % {"name": member.user.name})
            author = CourseAuthor.objects.create(course=locked, membership=member)
            course_touch(course=locked, actor=actor)
            audit_record(
                actor=actor, verb="course.author_added", target=locked, member=str(member.uuid)
            )
    except IntegrityError:
        raise Conflict(
            _("%(name)s already co-authors this course.") % {"name": member.user.name}
        ) from None
    return author


def course_author_remove(*, actor: Membership, course: Course, member: Membership) -> None:
    """Take `member` off the co-authors. A co-author may remove themselves."""
    if member.pk == actor.pk:
        require_edit(actor, course)
    else:
        _require_manager(actor, course)
    with transaction.atomic():
        locked = _lock(course)
        deleted, _detail = CourseAuthor.objects.filter(course=locked, membership=member).delete()
        if not deleted:
            raise NotFound(_("That person is not a co-author of this course."))
        course_touch(course=locked, actor=actor)
        audit_record(
            actor=actor, verb="course.author_removed", target=locked, member=str(member.uuid)
        )


def _transfer(*, actor: Membership | None, course: Course, member: Membership) -> None:
    """Inside a transaction, with the course locked: `member` owns it, the old owner co-authors."""
    previous = course.owner
    CourseAuthor.objects.filter(course=course, membership=member).delete()
    if previous.status == MembershipStatus.ACTIVE:
        CourseAuthor.objects.get_or_create(course=course, membership=previous)
    Course.objects.filter(pk=course.pk).update(owner=member)
    course.owner = member
    course_touch(course=course, actor=actor)
    audit_record(
        actor=actor,
        verb="course.owner_transferred",
        target=course,
        previous=str(previous.uuid),
        owner=str(member.uuid),
    )


def course_owner_transfer(*, actor: Membership, course: Course, member: Membership) -> Course:
    """Hand the course to `member` (an active author); the previous owner stays a co-author."""
    _require_manager(actor, course)
    _require_author(member)
    with transaction.atomic():
        locked = _lock(course)
        if locked.owner_id == member.pk:
            raise Conflict(_("%(name)s already owns this course.") % {"name": member.user.name})
        _transfer(actor=actor, course=locked, member=member)
    course.owner = member
    course.version, course.updated_at, course.updated_by = (
        locked.version,
        locked.updated_at,
        locked.updated_by,
    )
    return course


def courses_hand_over(*, membership: Membership, actor: Membership | None) -> int:
    """Give each course `membership` owns to its longest-standing active co-author.

    Called when the member is deactivated (inside that transaction). Courses without an
    eligible co-author keep their owner. Returns how many courses changed hands.
    """
    moved = 0
    with transaction.atomic():
        courses = list(Course.objects.select_for_update().filter(owner=membership).order_by("pk"))
        for course in courses:
            candidates = (
                CourseAuthor.objects.filter(
                    course=course, membership__status=MembershipStatus.ACTIVE
                )
                .exclude(membership=membership)
                .select_related("membership__user")
                .order_by("created_at", "pk")
            )
            heir = next(
                (
                    c.membership
                    for c in candidates
                    if has_capability(c.membership, Capability.COURSE_CREATE)
                ),
                None,
            )
            if heir is not None:
                course.owner = membership
                _transfer(actor=actor, course=course, member=heir)
                moved += 1
    return moved
