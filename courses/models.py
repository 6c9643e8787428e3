"""Learner delivery: releases, the catalog, enrolments, progress, answers and attempts.

A Release is an immutable, validated course document (DESIGN.md §5, §8): the player renders
only releases, never the draft. `CatalogEntry` is the one row per course learners see; its
`live_release` pointer is what publishing and rollback switch, in one UPDATE.
"""

from __future__ import annotations

import uuid
from typing import Any
from uuid import uuid4

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from authoring.models import Course, Revision
from tenants.models import Group, Membership
from tenants.tenancy import TenantOwnedModel


class ReleaseImmutable(Exception):
    pass


class Release(TenantOwnedModel):
    """Release n of a course: the document learners get, never changed after it is stored."""

    uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="releases")
    number = models.PositiveIntegerField(_("release"))
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="releases")
    document = models.JSONField(_("document"))
    notes = models.TextField(_("release notes"), blank=True)
    published_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("course", "-number")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "uuid"], name="release_uuid"),
            models.UniqueConstraint(
                fields=["tenant", "course", "number"], name="release_number_per_course"
            ),
        ]
        verbose_name = _("release")
        verbose_name_plural = _("releases")

    def __str__(self) -> str:
        return f"{self.course_id} release {self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Insert only: learners' progress and exported packages refer to what it says.
        if not self._state.adding:
            raise ReleaseImmutable(f"Release {self.pk} is immutable; publish a new one")
        super().save(*args, **kwargs)


class CatalogEntry(TenantOwnedModel):
    """What learners see of a published course: the live release and what the catalog
    searches and filters on, copied from that release when it goes live."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    live_release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=8)
    estimated_minutes = models.PositiveIntegerField(_("estimated time (minutes)"), default=0)
    # Plain text of the whole release (titles, blocks) for search.
    search_text = models.TextField(blank=True)
    first_published_at = models.DateTimeField(_("first published"))
    updated_at = models.DateTimeField(_("updated"))
    is_listed = models.BooleanField(_("listed in the catalog"), default=True)
    rating_average = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    rating_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("title", "id")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "course"], name="catalog_entry_per_course"),
        ]
        indexes = [
            models.Index(fields=["tenant", "is_listed", "updated_at"], name="catalog_recent"),
            models.Index(fields=["tenant", "category"], name="catalog_category"),
        ]
        verbose_name = _("catalog entry")
        verbose_name_plural = _("catalog entries")

    def __str__(self) -> str:
        return self.title


class EnrollmentSource(models.TextChoices):
    SELF = "self", _("Self-enrolled")
    ASSIGNED = "assigned", _("Assigned")


class EnrollmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class Assignment(TenantOwnedModel):
    """A course assigned to a person or a group, with an optional due date."""

    uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assignments")
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "uuid"], name="assignment_uuid"),
            models.CheckConstraint(
                condition=models.Q(membership__isnull=False, group__isnull=True)
                | models.Q(membership__isnull=True, group__isnull=False),
                name="assignment_person_or_group",
            ),
        ]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")


class Enrollment(TenantOwnedModel):
    """A learner on a course: where they are, on which release, and how far."""

    uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    learner = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="enrollments")
    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(
        max_length=10, choices=EnrollmentSource.choices, default=EnrollmentSource.SELF
    )
    assignment = models.ForeignKey(
        Assignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="enrollments"
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ENROLLED
    )
    # The page (stable uuid in the release document) to resume on.
    last_page_id = models.CharField(max_length=64, blank=True)
    progress_percent = models.PositiveSmallIntegerField(default=0)
    # xAPI registration: one per enrolment, stable across releases.
    registration = models.UUIDField(default=uuid4, editable=False)
    enrolled_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-enrolled_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "uuid"], name="enrollment_uuid"),
            models.UniqueConstraint(
                fields=["tenant", "course", "learner"], name="enrollment_once_per_learner"
            ),
            models.CheckConstraint(
                condition=models.Q(progress_percent__lte=100), name="enrollment_progress_max_100"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "learner", "status"], name="enrollment_my_learning"),
            models.Index(fields=["tenant", "course", "status"], name="enrollment_course"),
            models.Index(fields=["tenant", "status", "due_at"], name="enrollment_due"),
        ]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")

    def __str__(self) -> str:
        return f"{self.learner_id} on {self.course_id}"


class PageProgress(TenantOwnedModel):
    """A page of the course a learner has seen (by its stable id, so it survives releases)."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="pages")
    page_id = models.CharField(max_length=64)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "enrollment", "page_id"], name="page_progress_once"
            ),
        ]


class Attempt(TenantOwnedModel):
    """One attempt at a quiz page: its question order and, once submitted, its score."""

    uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="attempts")
    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="+")
    page_id = models.CharField(max_length=64)
    number = models.PositiveSmallIntegerField()
    # The block ids drawn for this attempt, in the order shown (random order and pools).
    block_ids = models.JSONField(default=list)
    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(null=True)

    class Meta:
        ordering = ("enrollment", "page_id", "number")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "uuid"], name="attempt_uuid"),
            models.UniqueConstraint(
                fields=["tenant", "enrollment", "page_id", "number"], name="attempt_number"
            ),
        ]


class Answer(TenantOwnedModel):
    """A learner's answer to one question, scored on the server."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="answers")
    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, null=True, blank=True, related_name="answers"
    )
    page_id = models.CharField(max_length=64)
    block_id = models.CharField(max_length=64)
    response = models.JSONField()
    correct = models.BooleanField(null=True)  # None: not scored (a survey)
    score = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    max_score = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("enrollment", "answered_at", "id")
        indexes = [
            models.Index(fields=["tenant", "enrollment", "block_id"], name="answer_block"),
        ]


class Certificate(TenantOwnedModel):
    """Proof of completion: what it certifies is copied in, so it reads the same for ever;
    the code verifies it on the tenant's public verification page."""

    uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="certificates"
    )
    code = models.CharField(_("verification code"), max_length=32)
    learner_name = models.CharField(_("learner"), max_length=200)
    course_title = models.CharField(_("course"), max_length=200)
    release_number = models.PositiveIntegerField(_("release"))
    completed_at = models.DateTimeField(_("completed"))
    issued_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("-issued_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "uuid"], name="certificate_uuid"),
            models.UniqueConstraint(fields=["tenant", "code"], name="certificate_code"),
            models.UniqueConstraint(
                fields=["tenant", "enrollment"], name="certificate_once_per_enrollment"
            ),
        ]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.code


class Rating(TenantOwnedModel):
    """A learner's rating (1–5) and feedback on a course; the authors may thank them."""

    uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="ratings")
    learner = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    stars = models.PositiveSmallIntegerField(_("rating"))
    feedback = models.TextField(_("feedback"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    thanked_at = models.DateTimeField(_("thanked"), null=True, blank=True)
    thanked_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    thanks_message = models.TextField(_("thank-you note"), blank=True)

    class Meta:
        ordering = ("-updated_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "uuid"], name="rating_uuid"),
            models.UniqueConstraint(
                fields=["tenant", "course", "learner"], name="rating_once_per_learner"
            ),
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="rating_stars_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "course", "updated_at"], name="rating_course")]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")


class PublicLink(TenantOwnedModel):
    """A course's public link: anyone with the token may take the course as a named guest
    (courses/sharing.py). Revoking stamps revoked_at; a new link gets a new token."""

    uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="public_links")
    token = models.CharField(_("token"), max_length=43)
    created_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "uuid"], name="public_link_uuid"),
            models.UniqueConstraint(fields=["tenant", "token"], name="public_link_token"),
            models.UniqueConstraint(
                fields=["tenant", "course"],
                condition=models.Q(revoked_at__isnull=True),
                name="public_link_one_active_per_course",
            ),
        ]
        verbose_name = _("public link")
        verbose_name_plural = _("public links")

    def __str__(self) -> str:
        return f"{self.course_id} public link"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
