"""Review notifications: who hears about what, the inbox, and the e-mail preference.

`notify_*` create Notification rows for the people concerned (never the person who acted,
never a deactivated member) and, for those who want e-mail immediately, queue
`reviews.notification_send_email` once the rows are committed. The review services call
them through `transaction.on_commit`, so a refused action notifies nobody.

The inbox services below work on the actor's own notifications only: another member's
notification is answered 404, like a missing one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from authoring.access import parse_uuid
from authoring.models import Course, CourseAuthor
from egl_platform.errors import Invalid, NotFound
from reviews import services
from reviews.models import (
    Comment,
    Decision,
    DecisionKind,
    EmailFrequency,
    Notification,
    NotificationKind,
    NotificationPreference,
    RequestedReviewer,
    ReviewRequest,
)
from tenants.models import Membership, MembershipStatus
from tenants.permissions import (
    ASSIGNABLE_ROLES,
    ROLE_CAPABILITIES,
    Capability,
    has_capability,
    require_capability,
)

__all__ = [
    "EXCERPT_MAX",
    "email_frequency_for",
    "notification_for_actor",
    "notification_mark_read",
    "notification_preference_get",
    "notification_preference_set",
    "notification_summary",
    "notifications_for_actor",
    "notifications_mark_all_read",
    "notify_comment",
    "notify_decision",
    "notify_reminder",
    "notify_review_requested",
    "notify_thanks",
    "unread_count",
]

logger = logging.getLogger(__name__)

EXCERPT_MAX = 200


# --- who ----------------------------------------------------------------------------------------


def _course_author_ids(course: Course) -> set[int]:
    """The course's owner and co-authors."""
    ids = set(CourseAuthor.objects.filter(course=course).values_list("membership_id", flat=True))
    if course.owner_id:
        ids.add(course.owner_id)
    return ids


def _reviewer_role_filter() -> Q:
    """Members holding a role that grants COURSE_REVIEW."""
    condition = Q(pk__in=[])
    for role in ASSIGNABLE_ROLES:
        if Capability.COURSE_REVIEW in ROLE_CAPABILITIES[role]:
            condition |= Q(**{f"is_{role.value}": True})
    return condition


def _reviewer_ids(review: ReviewRequest) -> set[int]:
    """Who is asked to review: the requested reviewers; when none were picked, the category's
    pool; without a pool, every reviewer of the tenant. Never an author of the course."""
    ids = set(
        RequestedReviewer.objects.filter(review=review).values_list("membership_id", flat=True)
    )
    if not ids:
        category = services.category_for_course(review.course)
        pool = services.category_pool(category) if category is not None else set()
        reviewers = Membership.objects.filter(_reviewer_role_filter())
        if pool:
            reviewers = reviewers.filter(pk__in=pool)
        ids = set(reviewers.values_list("pk", flat=True))
    return ids - _course_author_ids(review.course)


def _active_members(ids: Iterable[int]) -> list[Membership]:
    """Active members among `ids`, with their user, whose account is active too."""
    ids = set(ids)
    if not ids:
        return []
    return list(
        Membership.objects.select_related("user")
        .filter(pk__in=ids, status=MembershipStatus.ACTIVE, user__is_active=True)
        .order_by("pk")
    )


# --- where --------------------------------------------------------------------------------------


def _review_path(review: ReviewRequest) -> str:
    """Review mode for reviewers (built by the review-mode slice; a plain path until then)."""
    try:
        return reverse("reviews:review", kwargs={"review_uuid": review.uuid})
    except NoReverseMatch:
        return f"/reviews/{review.uuid}/"


def _course_path(course: Course) -> str:
    """The course's workspace in the editor, where authors act."""
    return reverse("authoring:course-edit", kwargs={"course_uuid": course.uuid})


def _excerpt(text: str) -> str:
    plain = " ".join(str(text or "").split())
    return Truncator(plain).chars(EXCERPT_MAX)


# --- what ---------------------------------------------------------------------------------------


def email_frequency_for(membership_ids: Iterable[int]) -> dict[int, str]:
    """Each member's e-mail preference; no row means immediately."""
    ids = list(membership_ids)
    stored = dict(
        NotificationPreference.objects.filter(membership_id__in=ids).values_list(
            "membership_id", "email_frequency"
        )
    )
    return {pk: stored.get(pk, EmailFrequency.IMMEDIATELY) for pk in ids}


def _queue_emails(notifications: list[Notification]) -> None:
    """After commit, queue one e-mail per notification whose recipient wants it at once."""
    frequencies = email_frequency_for({n.recipient_id for n in notifications})
    due = [
        (n.tenant_id, n.pk)
        for n in notifications
        if frequencies.get(n.recipient_id) == EmailFrequency.IMMEDIATELY
    ]
    if not due:
        return

    def send() -> None:
        from reviews.tasks import notification_send_email

        for tenant_id, notification_id in due:
            notification_send_email.delay(tenant_id=tenant_id, notification_id=notification_id)

    transaction.on_commit(send, robust=True)


def _create(
    recipients: Iterable[Membership],
    *,
    kind: str | dict[int, str],
    actor_name: str,
    course: Course,
    review: ReviewRequest | None,
    comment: Comment | None = None,
    data: dict[str, Any],
    url: str | dict[int, str],
) -> list[Notification]:
    """One Notification per recipient (bulk), then the immediate e-mails on commit."""
    rows = [
        Notification(
            tenant_id=course.tenant_id,
            recipient=member,
            kind=kind if isinstance(kind, str) else kind[member.pk],
            actor_name=(actor_name or "")[:120],
            course=course,
            review=review,
            comment=comment,
            data=data,
            url=url if isinstance(url, str) else url[member.pk],
        )
        for member in recipients
    ]
    if not rows:
        return []
    with transaction.atomic():
        created = Notification.objects.bulk_create(rows)
        _queue_emails(created)
    return created


def _member_name(member: Membership | None) -> str:
    return member.user.name if member is not None else ""


def notify_review_requested(review: ReviewRequest) -> list[Notification]:
    """The requested reviewers (or the pool, or every reviewer) hear of a new round."""
    review = ReviewRequest.objects.select_related("course", "created_by__user").get(pk=review.pk)
    recipients = [m for m in _active_members(_reviewer_ids(review)) if m.pk != review.created_by_id]
    return _create(
        recipients,
        kind=NotificationKind.REVIEW_REQUESTED,
        actor_name=_member_name(review.created_by),
        course=review.course,
        review=review,
        data={
            "course_title": review.course.title,
            "round": review.round,
            "excerpt": _excerpt(review.message),
        },
        url=_review_path(review),
    )


def notify_reminder(review: ReviewRequest) -> list[Notification]:
    """The same people as for the request, less those who already decided on this round."""
    review = ReviewRequest.objects.select_related("course").get(pk=review.pk)
    decided = set(Decision.objects.filter(review=review).values_list("reviewer_id", flat=True))
    recipients = _active_members(_reviewer_ids(review) - decided)
    return _create(
        recipients,
        kind=NotificationKind.REMINDER,
        actor_name="",
        course=review.course,
        review=review,
        data={
            "course_title": review.course.title,
            "round": review.round,
            "waiting_since": review.created_at.isoformat(),
            "excerpt": _excerpt(review.message),
        },
        url=_review_path(review),
    )


def _can_take_part(member: Membership, author_ids: set[int]) -> bool:
    """Reviewers and the course's authors take part in its comments."""
    return member.pk in author_ids or has_capability(member, Capability.COURSE_REVIEW)


def notify_comment(comment: Comment) -> list[Notification]:
    """The course's authors, the thread's participants and the round's requested reviewers,
    except the writer; people @mentioned (who may take part) get a MENTION instead."""
    comment = Comment.objects.select_related("course", "review", "author__user", "parent").get(
        pk=comment.pk
    )
    course = comment.course
    author_ids = _course_author_ids(course)
    root = comment.parent or comment
    thread = Comment.objects.filter(Q(pk=root.pk) | Q(parent_id=root.pk))
    participants = {pk for pk in thread.values_list("author_id", flat=True) if pk is not None}
    requested: set[int] = set()
    if comment.review_id is not None:
        requested = set(
            RequestedReviewer.objects.filter(review_id=comment.review_id).values_list(
                "membership_id", flat=True
            )
        )
    mentioned_uuids = [str(key) for key in comment.mentions or []]
    mentioned = set(
        Membership.objects.filter(uuid__in=mentioned_uuids).values_list("pk", flat=True)
        if mentioned_uuids
        else []
    )
    everyone = (author_ids | participants | requested | mentioned) - {comment.author_id}
    recipients = [
        m
        for m in _active_members(everyone)
        if m.pk not in mentioned or _can_take_part(m, author_ids)
    ]
    kinds: dict[int, str] = {
        m.pk: NotificationKind.MENTION if m.pk in mentioned else NotificationKind.COMMENT
        for m in recipients
    }
    course_path = _course_path(course)
    review_path = _review_path(comment.review) if comment.review is not None else course_path
    urls = {m.pk: course_path if m.pk in author_ids else review_path for m in recipients}
    actor_name = (
        _member_name(comment.author) if comment.author is not None else comment.external_name
    )
    return _create(
        recipients,
        kind=kinds,
        actor_name=actor_name,
        course=course,
        review=comment.review,
        comment=comment,
        data={
            "course_title": course.title,
            "round": comment.review.round if comment.review is not None else None,
            "reply": comment.parent_id is not None,
            "external": comment.author_id is None and bool(comment.external_name),
            "excerpt": _excerpt(comment.body),
        },
        url=urls,
    )


def notify_decision(decision: Decision) -> list[Notification]:
    """The course's authors and whoever submitted the round hear of a reviewer's decision."""
    decision = Decision.objects.select_related(
        "review__course", "review__created_by", "reviewer__user"
    ).get(pk=decision.pk)
    review = decision.review
    ids = _course_author_ids(review.course)
    if review.created_by_id is not None:
        ids.add(review.created_by_id)
    ids.discard(decision.reviewer_id)
    return _create(
        _active_members(ids),
        kind=NotificationKind.DECISION,
        actor_name=_member_name(decision.reviewer),
        course=review.course,
        review=review,
        data={
            "course_title": review.course.title,
            "round": review.round,
            "decision": decision.kind,
            "review_status": review.status,
            "excerpt": _excerpt(decision.note),
        },
        url=_course_path(review.course),
    )


def notify_thanks(rating: Any) -> list[Notification]:
    """The learner hears that an author thanked them for their rating (courses.recognition)."""
    course = rating.course
    learner_ids = {rating.learner_id} - {rating.thanked_by_id}
    try:
        url = reverse("catalog:course", kwargs={"course_uuid": course.uuid})
    except NoReverseMatch:
        url = ""
    return _create(
        _active_members(learner_ids),
        kind=NotificationKind.THANKS,
        actor_name=_member_name(rating.thanked_by),
        course=course,
        review=None,
        data={
            "course_title": course.title,
            "stars": rating.stars,
            "excerpt": _excerpt(rating.thanks_message),
        },
        url=url,
    )


def notification_summary(notification: Notification) -> str:
    """One translated line saying what happened, for the inbox and the digest."""
    data = notification.data or {}
    values = {
        "actor": notification.actor_name or _("Someone"),
        "course": data.get("course_title") or _("a course"),
    }
    kind = notification.kind
    if kind == NotificationKind.REVIEW_REQUESTED:
        return _("%(actor)s asked you to review “%(course)s”.") % values
    if kind == NotificationKind.MENTION:
        return _("%(actor)s mentioned you in a comment on “%(course)s”.") % values
    if kind == NotificationKind.COMMENT:
        return _("%(actor)s commented on “%(course)s”.") % values
    if kind == NotificationKind.REMINDER:
        return _("“%(course)s” is still waiting for your review.") % values
    if kind == NotificationKind.THANKS:
        return _("%(actor)s thanked you for your rating of “%(course)s”.") % values
    if kind == NotificationKind.DECISION:
        decision = data.get("decision")
        if decision == DecisionKind.APPROVE:
            return _("%(actor)s approved “%(course)s”.") % values
        if decision == DecisionKind.REQUEST_CHANGES:
            return _("%(actor)s requested changes to “%(course)s”.") % values
        if decision == DecisionKind.REJECT:
            return _("%(actor)s rejected “%(course)s”.") % values
    return _("News about “%(course)s”.") % values


# --- the inbox ----------------------------------------------------------------------------------


def notifications_for_actor(*, actor: Membership, unread: bool = False) -> QuerySet[Notification]:
    """The actor's own notifications, newest first."""
    require_capability(actor, Capability.PROFILE_OWN)
    rows = Notification.objects.filter(recipient=actor).order_by("-created_at", "-id")
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return rows


def unread_count(actor: Membership) -> int:
    """One COUNT query: the actor's unread notifications."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).count()


def notification_for_actor(*, actor: Membership, notification_uuid: Any) -> Notification:
    """One of the actor's notifications; anyone else's (or a missing one) is NotFound."""
    require_capability(actor, Capability.PROFILE_OWN)
    notification = Notification.objects.filter(
        recipient=actor, uuid=parse_uuid(notification_uuid)
    ).first()
    if notification is None:
        raise NotFound(_("Not found."))
    return notification


def notification_mark_read(*, actor: Membership, notification: Notification) -> Notification:
    """Mark one of the actor's notifications read (idempotent)."""
    if notification.recipient_id != actor.pk:
        raise NotFound(_("Not found."))
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notifications_mark_all_read(*, actor: Membership) -> int:
    """Mark every unread notification of the actor read; returns how many changed."""
    require_capability(actor, Capability.PROFILE_OWN)
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notification_preference_get(*, actor: Membership) -> str:
    """The actor's e-mail frequency (immediately when never chosen)."""
    require_capability(actor, Capability.PROFILE_OWN)
    return email_frequency_for([actor.pk])[actor.pk]


def notification_preference_set(*, actor: Membership, email_frequency: Any) -> str:
    """Choose immediately, a daily digest or no e-mail; Invalid for anything else."""
    require_capability(actor, Capability.PROFILE_OWN)
    value = str(email_frequency or "").strip()
    if value not in EmailFrequency.values:
        message = _("Unknown e-mail frequency “%(value)s”: choose immediately, daily or off.") % {
            "value": value[:40]
        }
        raise Invalid(message, fields={"email_frequency": [message]})
    with transaction.atomic():
        NotificationPreference.objects.update_or_create(
            membership=actor,
            defaults={"email_frequency": value, "updated_at": timezone.now()},
        )
    return value
