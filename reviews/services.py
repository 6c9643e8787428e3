"""The review workflow: the only code that moves a course along its lifecycle.

Every service is keyword-only with `actor` first and runs in one transaction: it locks the
course row (`select_for_update`), checks the actor's permission, then the state against
reviews.transitions, appends a ReviewRequest or Decision row and an audit event, and only
then writes the course's new status. A refused action (Forbidden, NotFound, Invalid,
Conflict) changes nothing. Notifications (reviews.notifications) go out on commit only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from authoring.access import can_edit_course
from authoring.models import Course, CourseAuthor, CourseStatus, Revision, RevisionReason
from authoring.services.revisions import revision_create
from egl_platform.errors import Conflict, Forbidden, Invalid, NotFound
from reviews import notifications
from reviews.models import (
    CategoryReviewer,
    CategoryReviewerGroup,
    Comment,
    CommentStatus,
    Decision,
    DecisionKind,
    RequestedReviewer,
    ReviewCategory,
    ReviewRequest,
    ReviewStatus,
)
from reviews.transitions import AFTER_PUBLICATION_DECISIONS, Action, transition_target
from tenants.models import GroupMember, Membership
from tenants.permissions import Capability, has_capability, require_capability
from tenants.services.audit import audit_record

__all__ = [
    "DEFAULT_CATEGORIES",
    "categories_ensure_defaults",
    "category_for_course",
    "category_pool",
    "category_update",
    "course_mark_published",
    "course_publish_allowed",
    "is_course_author",
    "review_approve",
    "review_reject",
    "review_request_changes",
    "review_submit",
    "review_withdraw",
]

MESSAGE_MAX = 5_000
REVIEWERS_MAX = 20

# (slug, name, approval required): seeded into every tenant on first use.
DEFAULT_CATEGORIES = (
    ("compliance", gettext_lazy("Compliance"), True),
    ("safety", gettext_lazy("Safety"), True),
    ("product", gettext_lazy("Product"), False),
    ("customer-service", gettext_lazy("Customer service"), False),
    ("tools-tips", gettext_lazy("Tools & tips"), False),
    ("soft-skills", gettext_lazy("Soft skills"), False),
)


# --- categories -------------------------------------------------------------------------------


def categories_ensure_defaults() -> None:
    """Seed the active tenant's default categories that are missing. Idempotent, race-safe."""
    existing = set(ReviewCategory.objects.values_list("slug", flat=True))
    missing = [
        ReviewCategory(slug=slug, name=str(name), approval_required=required)
        for slug, name, required in DEFAULT_CATEGORIES
        if slug not in existing
    ]
    if not missing:
        return
    with transaction.atomic():
        for category in missing:
            try:
                with transaction.atomic():
                    category.save()
            except IntegrityError:  # seeded at the same moment by another request
                continue


def category_for_course(course: Course) -> ReviewCategory | None:
    """The policy for the course's category slug; None when empty or unknown (no approval)."""
    if not course.category:
        return None
    categories_ensure_defaults()
    return ReviewCategory.objects.filter(slug=course.category).first()


def _approvals_needed(course: Course) -> int:
    """0 when the policy does not require approval; else 1 or 2."""
    category = category_for_course(course)
    if category is None or not category.approval_required:
        return 0
    return category.approvals_needed


def category_update(
    *,
    actor: Membership,
    category: ReviewCategory,
    approval_required: bool | None = None,
    approvals_needed: int | None = None,
    review_after_publication: bool | None = None,
) -> ReviewCategory:
    """Change a category's policy (TENANT_MANAGE). Invalid for approvals other than 1 or 2."""
    require_capability(actor, Capability.TENANT_MANAGE)
    if approvals_needed is not None and approvals_needed not in (1, 2):
        raise Invalid(
            _("One or two approvals."), fields={"approvals_needed": [_("Choose 1 or 2.")]}
        )
    with transaction.atomic():
        locked = ReviewCategory.objects.select_for_update().get(pk=category.pk)
        changes: dict[str, Any] = {}
        if approval_required is not None:
            changes["approval_required"] = approval_required
        if approvals_needed is not None:
            changes["approvals_needed"] = approvals_needed
        if review_after_publication is not None:
            changes["review_after_publication"] = review_after_publication
        for field, value in changes.items():
            setattr(locked, field, value)
        if changes:
            locked.save(update_fields=list(changes))
            audit_record(actor=actor, verb="review_category.updated", target=locked, **changes)
    return locked


# --- helpers ----------------------------------------------------------------------------------


def is_course_author(actor: Membership, course: Course) -> bool:
    """The course's owner or one of its co-authors."""
    if course.owner_id == actor.pk:
        return True
    return CourseAuthor.objects.filter(course=course, membership=actor).exists()


def _has_open_thread(review: ReviewRequest) -> bool:
    """An open comment thread was started in this round."""
    return Comment.objects.filter(
        review=review, parent__isnull=True, status=CommentStatus.OPEN
    ).exists()


def _has_open_review(course: Course) -> bool:
    return ReviewRequest.objects.filter(course=course, status=ReviewStatus.OPEN).exists()


def _lock_course(course: Course) -> Course:
    return Course.objects.select_for_update().get(pk=course.pk)


def _set_status(course: Course, locked: Course, status: str) -> None:
    Course.objects.filter(pk=locked.pk).update(status=status)
    locked.status = status
    course.status = status


def _lock_open_review(review: ReviewRequest) -> tuple[Course, ReviewRequest]:
    """Lock the course, then the review; Conflict when the review is no longer open."""
    locked_course = _lock_course(review.course)
    locked = ReviewRequest.objects.select_for_update().select_related("revision").get(pk=review.pk)
    if locked.status != ReviewStatus.OPEN:
        raise Conflict(
            _("This review is already closed (%(status)s).")
            % {"status": ReviewStatus(locked.status).label}
        )
    return locked_course, locked


def _require_decider(actor: Membership, review: ReviewRequest) -> None:
    """Reviewers decide; never an author (owner or co-author) of the course under review."""
    require_capability(actor, Capability.COURSE_REVIEW)
    if is_course_author(actor, review.course):
        raise Forbidden(_("You cannot decide on a review of your own course."))


def _require_pinned(review: ReviewRequest, revision_number: int) -> None:
    pinned = review.revision.number
    if int(revision_number) != pinned:
        raise Conflict(
            _(
                "This review is of version %(pinned)s, not version %(given)s. "
                "Reload the review and decide on the version it pins."
            )
            % {"pinned": pinned, "given": revision_number}
        )


def _close(review: ReviewRequest, status: str) -> None:
    review.status = status
    review.closed_at = timezone.now()
    review.save(update_fields=["status", "closed_at"])


def _decide(
    *, actor: Membership, review: ReviewRequest, revision_number: int, kind: str, note: str
) -> tuple[Course, ReviewRequest, Decision, str]:
    """Lock, check the review is open, on the pinned revision, and the course in a state
    that allows the decision; returns the course's state after it."""
    locked_course, locked = _lock_open_review(review)
    _require_pinned(locked, revision_number)
    target = _course_target(locked_course, locked, kind)
    decision = Decision.objects.create(
        review=locked, reviewer=actor, kind=kind, note=note, revision=locked.revision
    )
    return locked_course, locked, decision, target


def category_pool(category: ReviewCategory) -> set[int]:
    """Membership ids in the category's reviewer pool (people and groups' members); empty: anyone
    with COURSE_REVIEW."""
    people = set(
        CategoryReviewer.objects.filter(category=category).values_list("membership_id", flat=True)
    )
    groups = CategoryReviewerGroup.objects.filter(category=category).values("group_id")
    members = GroupMember.objects.filter(group_id__in=groups).values_list(
        "membership_id", flat=True
    )
    return people | set(members)


def _reviewers(members: Iterable[Membership], course: Course) -> list[Membership]:
    """The requested reviewers: reviewers of the tenant, not authors of the course, and in the
    category's pool when it has one. Invalid otherwise."""
    members = list(members)
    category = category_for_course(course) if members else None
    pool = category_pool(category) if category is not None else set()
    chosen: list[Membership] = []
    for member in members:
        if pool and member.pk not in pool:
            raise Invalid(
                _("%(name)s is not in this category's reviewer pool.") % {"name": member},
                fields={"reviewers": [_("Choose reviewers from the category's pool.")]},
            )
        if not has_capability(member, Capability.COURSE_REVIEW):
            raise Invalid(
                _("%(name)s cannot review this course.") % {"name": member},
                fields={"reviewers": [_("Choose reviewers from the review team.")]},
            )
        if is_course_author(member, course):
            raise Invalid(
                _("%(name)s co-authors this course.") % {"name": member},
                fields={"reviewers": [_("An author cannot review their own course.")]},
            )
        if member not in chosen:
            chosen.append(member)
    if len(chosen) > REVIEWERS_MAX:
        raise Invalid(_("Too many reviewers."), fields={"reviewers": [_("Too many.")]})
    return chosen


def _open_round(
    actor: Membership,
    locked: Course,
    revision: Revision,
    *,
    message: str = "",
    after_publication: bool = False,
) -> ReviewRequest:
    """Round n+1 on `revision`; Conflict when another open round won the race."""
    number = ReviewRequest.objects.filter(course=locked).aggregate(n=Max("round"))["n"] or 0
    try:
        with transaction.atomic():
            return ReviewRequest.objects.create(
                course=locked,
                round=number + 1,
                revision=revision,
                message=message,
                created_by=actor,
                after_publication=after_publication,
            )
    except IntegrityError:
        raise Conflict(_("This course already has an open review.")) from None


def _supersede_after_publication(actor: Membership, locked: Course) -> None:
    """A newer version replaces the one L&D was looking back at: close that round as
    withdrawn (its open threads carry over to the next round)."""
    for stale in ReviewRequest.objects.select_for_update().filter(
        course=locked, status=ReviewStatus.OPEN, after_publication=True
    ):
        _close(stale, ReviewStatus.WITHDRAWN)
        audit_record(actor=actor, verb="review.superseded", target=locked, review=str(stale.uuid))


def _course_target(course: Course, review: ReviewRequest, action: str) -> str:
    """The course's state after a decision. A round after publication leaves the course
    published (Conflict when it is not); any other round follows the transition table."""
    if review.after_publication and action in AFTER_PUBLICATION_DECISIONS:
        if course.status != CourseStatus.PUBLISHED:
            raise Conflict(_("This course is no longer published; the review round is stale."))
        return str(course.status)
    return transition_target(course.status, action)


# --- the workflow -----------------------------------------------------------------------------


def review_submit(
    *,
    actor: Membership,
    course: Course,
    message: str = "",
    reviewers: Iterable[Membership] = (),
) -> ReviewRequest:
    """Submit the course for review: pin a new SUBMIT revision and open round n+1.

    The owner or a co-author with COURSE_SUBMIT (others who can see the course: 403; who
    cannot: 404). From draft, changes requested, approved or published; Conflict when a
    review is already open. Later edits do not change the pinned revision.
    """
    require_capability(actor, Capability.COURSE_SUBMIT)
    if not can_edit_course(actor, course):
        raise NotFound(_("Not found."))
    if not is_course_author(actor, course):
        raise Forbidden(_("Only the course's authors can submit it for review."))
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise Invalid(
            _("The message is too long."), fields={"message": [_("At most 5000 characters.")]}
        )
    chosen = _reviewers(reviewers, course)
    with transaction.atomic():
        locked = _lock_course(course)
        _supersede_after_publication(actor, locked)
        if _has_open_review(locked):
            raise Conflict(_("This course already has an open review."))
        target = transition_target(locked.status, Action.SUBMIT)
        revision = revision_create(actor=actor, course=locked, reason=RevisionReason.SUBMIT)
        review = _open_round(actor, locked, revision, message=message)
        RequestedReviewer.objects.bulk_create(
            [
                RequestedReviewer(tenant_id=locked.tenant_id, review=review, membership=m)
                for m in chosen
            ]
        )
        audit_record(
            actor=actor,
            verb="review.submitted",
            target=locked,
            review=str(review.uuid),
            round=review.round,
            revision=revision.number,
            reviewers=[str(m.uuid) for m in chosen],
        )
        _set_status(course, locked, target)
        transaction.on_commit(lambda: notifications.notify_review_requested(review), robust=True)
    return review


def review_approve(
    *, actor: Membership, review: ReviewRequest, revision_number: int, note: str = ""
) -> Decision:
    """Approve the pinned revision. With enough approvals the review and course are approved.

    A reviewer, never an author of the course (Forbidden). Conflict for a closed review, a
    course not in review, a stale `revision_number`, or a second approval by the same person.
    """
    _require_decider(actor, review)
    with transaction.atomic():
        locked_course, locked = _lock_open_review(review)
        _require_pinned(locked, revision_number)
        target = _course_target(locked_course, locked, Action.APPROVE)
        if locked.decisions.filter(reviewer=actor, kind=DecisionKind.APPROVE).exists():
            raise Conflict(_("You have already approved this review."))
        decision = Decision.objects.create(
            review=locked,
            reviewer=actor,
            kind=DecisionKind.APPROVE,
            note=(note or "").strip(),
            revision=locked.revision,
        )
        approvals = locked.decisions.filter(kind=DecisionKind.APPROVE).count()
        needed = max(_approvals_needed(locked_course), 1)
        complete = approvals >= needed
        audit_record(
            actor=actor,
            verb="review.approved",
            target=locked_course,
            review=str(locked.uuid),
            revision=locked.revision.number,
            approvals=approvals,
            needed=needed,
        )
        if complete:
            _close(locked, ReviewStatus.APPROVED)
            _set_status(review.course, locked_course, target)
        transaction.on_commit(lambda: notifications.notify_decision(decision), robust=True)
    review.refresh_from_db()
    return decision


def review_request_changes(
    *, actor: Membership, review: ReviewRequest, revision_number: int, note: str
) -> Decision:
    """Ask for changes: the round closes, the course goes back to the author.

    Needs a note, or at least one open comment thread started in this round (the comments
    then say what to change); Invalid otherwise.
    """
    _require_decider(actor, review)
    note = (note or "").strip()
    if not note and not _has_open_thread(review):
        raise Invalid(
            _("Say what needs to change: write a note, or leave a comment on the course first."),
            fields={"note": [_("A note is required when no comment of this round is open.")]},
        )
    with transaction.atomic():
        locked_course, locked, decision, target = _decide(
            actor=actor,
            review=review,
            revision_number=revision_number,
            kind=DecisionKind.REQUEST_CHANGES,
            note=note,
        )
        _close(locked, ReviewStatus.CHANGES_REQUESTED)
        audit_record(
            actor=actor,
            verb="review.changes_requested",
            target=locked_course,
            review=str(locked.uuid),
            revision=locked.revision.number,
        )
        _set_status(review.course, locked_course, target)
        transaction.on_commit(lambda: notifications.notify_decision(decision), robust=True)
    review.refresh_from_db()
    return decision


def review_reject(
    *, actor: Membership, review: ReviewRequest, revision_number: int, reason: str
) -> Decision:
    """Reject (a reason is required): the round closes and the course returns to draft."""
    _require_decider(actor, review)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Give a reason."), fields={"reason": [_("A reason is required.")]})
    with transaction.atomic():
        locked_course, locked, decision, target = _decide(
            actor=actor,
            review=review,
            revision_number=revision_number,
            kind=DecisionKind.REJECT,
            note=reason,
        )
        _close(locked, ReviewStatus.REJECTED)
        audit_record(
            actor=actor,
            verb="review.rejected",
            target=locked_course,
            review=str(locked.uuid),
            revision=locked.revision.number,
        )
        _set_status(review.course, locked_course, target)
        transaction.on_commit(lambda: notifications.notify_decision(decision), robust=True)
    review.refresh_from_db()
    return decision


def review_withdraw(*, actor: Membership, review: ReviewRequest) -> ReviewRequest:
    """The author takes the course back out of review: the round closes, the course is a draft."""
    require_capability(actor, Capability.COURSE_SUBMIT)
    if not can_edit_course(actor, review.course):
        raise NotFound(_("Not found."))
    if not is_course_author(actor, review.course):
        raise Forbidden(_("Only the course's authors can withdraw it from review."))
    with transaction.atomic():
        locked_course, locked = _lock_open_review(review)
        target = transition_target(locked_course.status, Action.WITHDRAW)
        _close(locked, ReviewStatus.WITHDRAWN)
        audit_record(
            actor=actor, verb="review.withdrawn", target=locked_course, review=str(locked.uuid)
        )
        _set_status(review.course, locked_course, target)
    review.refresh_from_db()
    return review


# --- publishing -------------------------------------------------------------------------------


def course_publish_allowed(course: Course) -> bool:
    """True when the course may be published now: approved, or a draft (or a published
    course's newer draft) whose policy lets the author publish without approval."""
    if course.status == CourseStatus.APPROVED:
        return True
    if course.status in (CourseStatus.DRAFT, CourseStatus.PUBLISHED):
        return _approvals_needed(course) == 0
    return False


def _review_after_publication(course: Course) -> bool:
    category = category_for_course(course)
    return category is not None and category.review_after_publication


def course_mark_published(*, actor: Membership, course: Course) -> Revision:
    """Mark the course published and save a PUBLISH revision; returns that revision.

    Only the status moves here: the real Release (learner-facing snapshot, release n+1)
    arrives with issue 5, which will call this. Authors of the course (COURSE_SUBMIT) and
    reviewers may publish; approved → published always, draft (or published, for the next
    version) → published only when the category does not require approval (Conflict
    otherwise). Published that way in a category where L&D reviews after publication, the
    course gets a round after publication on the PUBLISH revision, which does not hold it
    back; a round of that kind still open for an older version is superseded.
    """
    require_capability(actor, Capability.COURSE_SUBMIT)
    if not can_edit_course(actor, course):
        raise NotFound(_("Not found."))
    if not (has_capability(actor, Capability.COURSE_REVIEW) or is_course_author(actor, course)):
        raise Forbidden(_("Only the course's authors or a reviewer can publish it."))
    with transaction.atomic():
        locked = _lock_course(course)
        target = transition_target(locked.status, Action.PUBLISH)
        if not course_publish_allowed(locked):
            raise Conflict(_("This course's category requires approval before publishing."))
        revision = revision_create(actor=actor, course=locked, reason=RevisionReason.PUBLISH)
        audit_record(
            actor=actor,
            verb="course.published",
            target=locked,
            revision=revision.number,
            previous=locked.status,
        )
        look_back = locked.status != CourseStatus.APPROVED and _review_after_publication(locked)
        _set_status(course, locked, target)
        if look_back:
            _supersede_after_publication(actor, locked)
            review = _open_round(actor, locked, revision, after_publication=True)
            audit_record(
                actor=actor,
                verb="review.after_publication_opened",
                target=locked,
                review=str(review.uuid),
                revision=revision.number,
            )
            transaction.on_commit(
                lambda: notifications.notify_review_requested(review), robust=True
            )
    return revision
