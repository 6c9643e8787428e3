"""Review policies per category, review rounds on a pinned revision, and decisions.

Every model is tenant-owned; constraints and indexes lead with `tenant`. Many-to-many
relations use explicit tenant-owned through models, so row-level security guards them too.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from authoring.models import Course, Revision
from tenants.models import Group, Membership
from tenants.tenancy import TenantOwnedModel


class ReviewCategory(TenantOwnedModel):
    """A category's review policy: whether approval is required, how many, and by whom."""

    uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    slug = models.SlugField(_("slug"), max_length=100)
    name = models.CharField(_("name"), max_length=120)
    approval_required = models.BooleanField(_("approval required"), default=False)
    approvals_needed = models.PositiveSmallIntegerField(
        _("approvals needed"), choices=[(1, "1"), (2, "2")], default=1
    )
    # Where approval is not required: L&D still reviews what an author published directly,
    # in a round that does not hold the course back (ReviewRequest.after_publication).
    review_after_publication = models.BooleanField(_("review after publication"), default=False)
    reviewer_members = models.ManyToManyField(
        Membership,
        through="CategoryReviewer",
        related_name="review_categories",
        blank=True,
        verbose_name=_("reviewers"),
    )
    reviewer_groups = models.ManyToManyField(
        Group,
        through="CategoryReviewerGroup",
        related_name="review_categories",
        blank=True,
        verbose_name=_("reviewer groups"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("name", "id")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "slug"], name="review_category_slug"),
            models.UniqueConstraint(fields=["tenant", "uuid"], name="review_category_uuid"),
            models.CheckConstraint(
                condition=models.Q(approvals_needed__in=[1, 2]),
                name="review_category_approvals_1_or_2",
            ),
        ]
        verbose_name = _("review category")
        verbose_name_plural = _("review categories")

    def __str__(self) -> str:
        return self.name


class CategoryReviewer(TenantOwnedModel):
    category = models.ForeignKey(ReviewCategory, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "category", "membership"], name="category_reviewer_once"
            ),
        ]


class CategoryReviewerGroup(TenantOwnedModel):
    category = models.ForeignKey(ReviewCategory, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "category", "group"], name="category_reviewer_group_once"
            ),
        ]


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("Open")
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ReviewRequest(TenantOwnedModel):
    """One review round of a course, on the revision pinned when it was submitted."""

    uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="review_requests")
    round = models.PositiveIntegerField(_("round"))
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="review_requests")
    status = models.CharField(
        _("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    message = models.TextField(_("message"), blank=True)
    # A look back at a course already published without approval: decisions close the round
    # and tell the author, but do not move the course (it stays published).
    after_publication = models.BooleanField(_("after publication"), default=False)
    reviewers = models.ManyToManyField(
        Membership,
        through="RequestedReviewer",
        related_name="requested_reviews",
        blank=True,
        verbose_name=_("requested reviewers"),
    )
    created_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # When the last reminder about this open round went out (Celery beat, tenant setting).
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "uuid"], name="review_uuid"),
            models.UniqueConstraint(
                fields=["tenant", "course", "round"], name="review_round_per_course"
            ),
            models.UniqueConstraint(
                fields=["tenant", "course"],
                condition=models.Q(status="open"),
                name="review_one_open_per_course",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "created_at"], name="review_queue"),
        ]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.course_id} round {self.round}"


class RequestedReviewer(TenantOwnedModel):
    review = models.ForeignKey(ReviewRequest, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "review", "membership"], name="requested_reviewer_once"
            ),
        ]


class DecisionKind(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REQUEST_CHANGES = "request_changes", _("Request changes")
    REJECT = "reject", _("Reject")


class Decision(TenantOwnedModel):
    """A reviewer's decision on a review round, about the revision it names."""

    review = models.ForeignKey(ReviewRequest, on_delete=models.CASCADE, related_name="decisions")
    reviewer = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="review_decisions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DecisionKind.choices)
    note = models.TextField(_("note"), blank=True)
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("review", "created_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "review", "reviewer"],
                condition=models.Q(kind="approve"),
                name="decision_one_approval_per_reviewer",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "review"], name="decision_review")]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.kind} · {self.review_id}"


class CommentAnchor(models.TextChoices):
    COURSE = "course", _("Course")
    PAGE = "page", _("Page")
    BLOCK = "block", _("Block")


class CommentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class Comment(TenantOwnedModel):
    """A review comment anchored to the course, a page or a block; replies point at a thread.

    The anchor names the page uuid and block id of the revision the comment was made on; the
    comment outlives its round (`review` may be empty) and stays listed when the anchor has
    gone from the draft since.
    """

    uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="review_comments")
    review = models.ForeignKey(
        ReviewRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments"
    )
    anchor = models.CharField(_("anchor"), max_length=10, choices=CommentAnchor.choices)
    page_uuid = models.UUIDField(_("page"), null=True, blank=True)
    block_id = models.CharField(_("block"), max_length=64, blank=True, default="")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # An external reviewer's comment: `author` is empty, the link and the name and e-mail
    # they gave attribute it (kept as text, so revoking or deleting the link loses nothing).
    external_link = models.ForeignKey(
        "ExternalReviewLink",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    external_name = models.CharField(_("external reviewer"), max_length=120, blank=True)
    external_email = models.EmailField(_("external reviewer's e-mail"), blank=True)
    body = models.TextField(_("comment"))
    mentions = models.JSONField(_("mentions"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CommentStatus.choices, default=CommentStatus.OPEN
    )
    resolved_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)

    class Meta:
        ordering = ("created_at", "id")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "uuid"], name="comment_uuid"),
        ]
        indexes = [
            models.Index(fields=["tenant", "course", "created_at"], name="comment_course"),
            models.Index(fields=["tenant", "review"], name="comment_review"),
            models.Index(fields=["tenant", "parent"], name="comment_parent"),
        ]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return f"{self.anchor} comment {self.uuid}"


class ExternalReviewLink(TenantOwnedModel):
    """A signed, expiring, revocable link that lets a named outside expert comment on a round.

    The URL carries a signed token naming this row (reviews.external); the row decides
    whether it still works: not expired, not revoked, and its round still open. Comment-only:
    an external reviewer never decides.
    """

    uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    review = models.ForeignKey(
        ReviewRequest, on_delete=models.CASCADE, related_name="external_links"
    )
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("e-mail address"))
    created_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "uuid"], name="external_link_uuid"),
        ]
        indexes = [models.Index(fields=["tenant", "review"], name="external_link_review")]
        verbose_name = _("external review link")
        verbose_name_plural = _("external review links")

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class NotificationKind(models.TextChoices):
    REVIEW_REQUESTED = "review_requested", _("Review requested")
    COMMENT = "comment", _("New comment")
    MENTION = "mention", _("Mention")
    DECISION = "decision", _("Decision")
    REMINDER = "reminder", _("Reminder")
    # An author thanks a learner for their rating or feedback (courses.recognition).
    THANKS = "thanks", _("Thanks")


class Notification(TenantOwnedModel):
    """One entry in a member's inbox. E-mail follows the member's preference."""

    uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    # Who caused it, as text: a member's name or an external reviewer's.
    actor_name = models.CharField(_("from"), max_length=120, blank=True)
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    review = models.ForeignKey(
        ReviewRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kind-specific facts kept as they were (course title, decision kind, excerpt, ...).
    data = models.JSONField(default=dict, blank=True)
    # Relative URL on the tenant host where the recipient acts on it.
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Set once the notification went out by e-mail, alone or in a digest; never sent twice.
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "uuid"], name="notification_uuid"),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "recipient", "read_at", "created_at"],
                name="notification_inbox",
            ),
            models.Index(fields=["tenant", "emailed_at"], name="notification_unsent"),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


class EmailFrequency(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately")
    DAILY = "daily", _("Daily digest")
    OFF = "off", _("Off")


class NotificationPreference(TenantOwnedModel):
    """A member's e-mail preference for notifications; no row means immediately."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    email_frequency = models.CharField(
        _("e-mail notifications"),
        max_length=12,
        choices=EmailFrequency.choices,
        default=EmailFrequency.IMMEDIATELY,
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "membership"], name="notification_preference_once"
            ),
        ]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
