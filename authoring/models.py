"""The draft of a course: Course → Section → Page rows, blocks as JSON inside each page.

Every model here is tenant-owned (tenants.tenancy); its unique constraints and indexes lead
with `tenant`. Public identifiers are UUIDs, unique per tenant, so a course document may be
loaded into another tenant with its ids kept (DESIGN.md §5).
"""

from __future__ import annotations

import os
import uuid
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from authoring.blocks.pages import PageKind
from tenants.models import Membership
from tenants.tenancy import TenantOwnedModel

FILENAME_MAX = 100


def safe_filename(name: str) -> str:
    """A bare, storage-safe file name: no folders, no odd characters, bounded length."""
    base = os.path.basename(str(name).replace("\\", "/")).strip()
    try:
        cleaned = get_valid_filename(base)
    except Exception:  # SuspiciousFileOperation for "", ".", ".."
        cleaned = ""
    cleaned = cleaned.lstrip(".") or "file"
    if len(cleaned) > FILENAME_MAX:
        stem, dot, extension = cleaned.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            cleaned = f"{stem[: FILENAME_MAX - len(extension) - 1]}.{extension}"
        else:
            cleaned = cleaned[:FILENAME_MAX]
    return cleaned


def asset_upload_path(instance: Asset, filename: str) -> str:
    """tenants/<tenant uuid>/assets/<asset uuid>/<safe filename>."""
    return "/".join(
        [
            "tenants",
            str(instance.tenant.uuid),
            "assets",
            str(instance.uuid),
            safe_filename(filename),
        ]
    )


class Asset(TenantOwnedModel):
    """A file used by blocks (image, video, captions, audio, PDF), in default storage."""

    uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    file = models.FileField(_("file"), upload_to=asset_upload_path, max_length=500)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    # "sha256:<64 hex digits>", as in the course document.
    checksum = models.CharField(_("checksum"), max_length=71)
    # image / video / audio / captions / document: what the library filters and pickers offer.
    kind = models.CharField(_("kind"), max_length=16, default="document")
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    # Replacing an asset "everywhere" points the draft at a new asset and keeps this one, so
    # revisions that name it still resolve.
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replaced by"),
    )
    # Smaller copies of an image: {"<width>": "<storage name>"}.
    renditions = models.JSONField(_("renditions"), default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="uploaded_assets",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("-created_at", "id")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "uuid"], name="asset_uuid"),
        ]
        indexes = [models.Index(fields=["tenant", "checksum"], name="asset_checksum")]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")

    def __str__(self) -> str:
        return self.filename


class CourseStatus(models.TextChoices):
    """The lifecycle (DESIGN.md §6); only the reviews services move a course along it."""

    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")


class Course(TenantOwnedModel):
    """A course's draft: settings and objectives; its sections hold the pages."""

    uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    slug = models.SlugField(_("address"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    # A category slug for now; categories as rows arrive with the review issue.
    category = models.CharField(_("category"), max_length=100, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    # [{"id": "<uuid>", "text": "…"}]; questions name the objectives they assess by id.
    objectives = models.JSONField(_("learning objectives"), default=list, blank=True)
    estimated_minutes = models.PositiveIntegerField(_("estimated minutes"), null=True, blank=True)
    owner = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        related_name="owned_courses",
        verbose_name=_("owner"),
    )
    authors = models.ManyToManyField(
        Membership,
        through="CourseAuthor",
        related_name="coauthored_courses",
        blank=True,
        verbose_name=_("co-authors"),
    )
    cover = models.ForeignKey(
        Asset,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cover image"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CourseStatus.choices, default=CourseStatus.DRAFT
    )
    # Reviewers offer any course as a starting point for new ones.
    is_template = models.BooleanField(_("template"), default=False)
    # Optimistic concurrency: a write names the version it started from.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # When the last revision was made: autosave makes one at most every 10 minutes of editing.
    revised_at = models.DateTimeField(_("last revision at"), null=True, blank=True)
    updated_by = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last edited by"),
    )

    class Meta:
        ordering = ("title", "id")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "uuid"], name="course_uuid"),
            models.UniqueConstraint(fields=["tenant", "slug"], name="course_slug"),
        ]
        indexes = [
            models.Index(fields=["tenant", "owner"], name="course_owner"),
            models.Index(fields=["tenant", "-updated_at"], name="course_updated"),
            models.Index(
                fields=["tenant", "title"],
                condition=models.Q(is_template=True),
                name="course_templates",
            ),
        ]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.title


class CourseAuthor(TenantOwnedModel):
    """A co-author of a course (the owner is on Course itself)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="course_authors")
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="course_authorships"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("course", "created_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "course", "membership"], name="course_author_once"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "membership"], name="course_author_member")]
        verbose_name = _("co-author")
        verbose_name_plural = _("co-authors")

    def __str__(self) -> str:
        return f"{self.membership} · {self.course}"


class Section(TenantOwnedModel):
    """An ordered group of pages in a course."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sections")
    uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    title = models.CharField(_("title"), max_length=200)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ("course", "position", "id")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "uuid"], name="section_uuid"),
        ]
        indexes = [
            models.Index(fields=["tenant", "course", "position"], name="section_position"),
        ]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.title


class Page(TenantOwnedModel):
    """A page of a section: its body is an ordered JSON list of blocks {id, type, version, data}."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="pages")
    uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=PageKind.choices, default=PageKind.CONTENT
    )
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    blocks = models.JSONField(_("blocks"), default=list, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    # Optimistic concurrency for block operations on this page: `version` counts the page's
    # writes; `block_versions` holds, per block id, the page version that last changed it,
    # so an edit based on an older version conflicts only when its own block moved on.
    version = models.PositiveIntegerField(default=1, editable=False)
    block_versions = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ("section", "position", "id")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "uuid"], name="page_uuid"),
        ]
        indexes = [
            models.Index(fields=["tenant", "section", "position"], name="page_position"),
        ]
        verbose_name = _("page")
        verbose_name_plural = _("pages")

    def __str__(self) -> str:
        return self.title


class RevisionReason(models.TextChoices):
    MANUAL = "manual", _("Saved by hand")
    SUBMIT = "submit", _("Submitted for review")
    PUBLISH = "publish", _("Published")
    AUTOSAVE = "autosave", _("Autosaved")
    RESTORE = "restore", _("Restored")
    IMPORT = "import", _("Imported")


class RevisionImmutable(Exception):
    """A revision is a snapshot: it is written once and never changed."""


class Revision(TenantOwnedModel):
    """An immutable snapshot of a course as a course document, numbered per course."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("number"))
    document = models.JSONField(_("document"))
    reason = models.CharField(
        _("reason"), max_length=16, choices=RevisionReason.choices, default=RevisionReason.MANUAL
    )
    created_by = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("course", "-number")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "course", "number"], name="revision_number_per_course"
            ),
        ]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")

    def __str__(self) -> str:
        return f"{self.course_id} #{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Insert only: there is no update path for a revision.
        if not self._state.adding:
            raise RevisionImmutable(f"Revision {self.pk} is immutable")
        super().save(*args, **kwargs)
