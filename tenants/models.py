"""Tenants, people and their roles.

Platform-level (not tenant-owned): Tenant and User — a person has one account and may
belong to several tenants. Everything else here is tenant-owned (tenants.tenancy).
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.permissions import ASSIGNABLE_ROLES, Role
from tenants.tenancy import TenantOwnedModel

# Languages a tenant can offer its content in (ISO 639-1). The UI itself is English and Dutch.
CONTENT_LANGUAGES = [
    ("ar", _("Arabic")),
    ("bg", _("Bulgarian")),
    ("cs", _("Czech")),
    ("da", _("Danish")),
    ("de", _("German")),
    ("el", _("Greek")),
    ("en", _("English")),
    ("es", _("Spanish")),
    ("et", _("Estonian")),
    ("fi", _("Finnish")),
    ("fr", _("French")),
    ("hr", _("Croatian")),
    ("hu", _("Hungarian")),
    ("it", _("Italian")),
    ("ja", _("Japanese")),
    ("ko", _("Korean")),
    ("lt", _("Lithuanian")),
    ("lv", _("Latvian")),
    ("nl", _("Dutch")),
    ("no", _("Norwegian")),
    ("pl", _("Polish")),
    ("pt", _("Portuguese")),
    ("ro", _("Romanian")),
    ("ru", _("Russian")),
    ("sk", _("Slovak")),
    ("sl", _("Slovenian")),
    ("sv", _("Swedish")),
    ("tr", _("Turkish")),
    ("uk", _("Ukrainian")),
    ("zh", _("Chinese")),
]
CONTENT_LANGUAGE_CODES = frozenset(code for code, _name in CONTENT_LANGUAGES)


def tenant_logo_path(instance: Tenant, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "png"
    return f"tenants/{instance.uuid}/branding/logo-{uuid.uuid4().hex[:8]}.{extension}"


class Tenant(models.Model):
    """An organisation. Addressed by host: <slug>.<EGL_BASE_DOMAIN>."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("address"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    languages = models.JSONField(_("languages offered"), default=list)
    default_language = models.CharField(_("default language"), max_length=8, default="en")
    logo = models.ImageField(_("logo"), upload_to=tenant_logo_path, blank=True)
    brand_colour = models.CharField(_("brand colour"), max_length=7, default="#1d4ed8")
    # Largest single media upload, in megabytes; the platform's maximum caps it.
    upload_limit_mb = models.PositiveIntegerField(_("upload limit (MB)"), default=200)
    # Remind reviewers of a review round that has waited this many days; 0: no reminders.
    review_reminder_days = models.PositiveSmallIntegerField(
        _("review reminder after (days)"), default=3
    )
    # Course authors may share a course through a public link (anonymous guests, embeds).
    allow_public_links = models.BooleanField(_("allow public course links"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("name",)
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """One person, one account, signing in with e-mail and password."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=120, blank=True)
    # Empty: follow the browser's language.
    language = models.CharField(_("language"), max_length=8, blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("platform staff"), default=False)
    date_joined = models.DateTimeField(default=timezone.now, editable=False)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def name(self) -> str:
        return self.display_name or self.email.split("@")[0]


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DEACTIVATED = "deactivated", _("Deactivated")


class Membership(TenantOwnedModel):
    """A user's place in a tenant: a set of roles. Deactivated members keep their content."""

    uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    is_author = models.BooleanField(_("author"), default=False)
    is_reviewer = models.BooleanField(_("reviewer"), default=False)
    is_admin = models.BooleanField(_("admin"), default=False)
    # A guest came in through a course's public link: no roles, only that course's player.
    is_guest = models.BooleanField(_("guest"), default=False)
    status = models.CharField(
        max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="membership_one_per_user"),
            models.UniqueConstraint(fields=["tenant", "uuid"], name="membership_uuid"),
        ]
        indexes = [models.Index(fields=["tenant", "status"], name="membership_status")]
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE

    @property
    def roles(self) -> list[str]:
        """The assigned roles, learner always included, in a stable order."""
        return [Role.LEARNER.value] + [
            role.value for role in ASSIGNABLE_ROLES if getattr(self, f"is_{role.value}")
        ]

    def set_roles(self, roles: list[str] | set[str] | tuple[str, ...]) -> None:
        for role in ASSIGNABLE_ROLES:
            setattr(self, f"is_{role.value}", role.value in roles)


class GroupKind(models.TextChoices):
    TEAM = "team", _("Team")
    REGION = "region", _("Region")
    DEPARTMENT = "department", _("Department")


class Group(TenantOwnedModel):
    """A team, region or department: used for assignments, reviewer pools and figures."""

    uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(
        _("kind"), max_length=16, choices=GroupKind.choices, default=GroupKind.TEAM
    )
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(Membership, through="GroupMember", related_name="groups")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("kind", "name")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "kind", "name"], name="group_name_per_kind"),
            models.UniqueConstraint(fields=["tenant", "uuid"], name="group_uuid"),
        ]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self) -> str:
        return self.name


class GroupMember(TenantOwnedModel):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="group_members")
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="group_members"
    )
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "group", "membership"], name="group_member_once"
            ),
        ]


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    EXPIRED = "expired", _("Expired")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Revoked")


class Invitation(TenantOwnedModel):
    """An e-mail address invited with roles. The link carries a token; only its hash is kept."""

    uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    email = models.EmailField(_("e-mail address"))
    roles = models.JSONField(default=list)
    token_hash = models.CharField(max_length=64)
    invited_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(max_length=8, default="en")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    last_sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveIntegerField(default=0)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
            models.UniqueConstraint(fields=["tenant", "uuid"], name="invitation_uuid"),
            models.UniqueConstraint(fields=["tenant", "token_hash"], name="invitation_token"),
        ]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.email

    @property
    def status(self) -> InvitationStatus:
        if self.accepted_at:
            return InvitationStatus.ACCEPTED
        if self.revoked_at:
            return InvitationStatus.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING


class ApiToken(TenantOwnedModel):
    """A personal API token for integrations, bound to one membership. Only a hash is kept."""

    uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(fields=["tenant", "prefix"], name="api_token_prefix"),
            models.UniqueConstraint(fields=["tenant", "uuid"], name="api_token_uuid"),
        ]

    def __str__(self) -> str:
        return self.name


class AuditEvent(TenantOwnedModel):
    """Who did what to which object, and when. Written by services; never edited."""

    actor = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64)
    target_uuid = models.UUIDField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("-created_at",)
        indexes = [
            models.Index(fields=["tenant", "target_type", "target_uuid"], name="audit_target")
        ]

    def __str__(self) -> str:
        return f"{self.verb} {self.target_type} {self.target_uuid}"
