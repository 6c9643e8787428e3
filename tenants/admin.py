"""Django admin for platform staff: tenants and accounts, nothing tenant-owned.

Served only on the bare base host (egl_platform/urls_platform.py), never on a tenant's
host. Tenant-owned models (members, groups, invitations, jobs…) are deliberately not
registered: they are run by each tenant's own admins in the tenant UI, and row-level
security would hide them here anyway. Tenants and accounts are deactivated, never
deleted: their rows in tenant tables are out of sight of the admin's delete collector.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from egl_platform.errors import DomainError
from tenants.hosts import tenant_origin
from tenants.models import CONTENT_LANGUAGES, Membership, Tenant, User
from tenants.selectors import tenant_cache_forget
from tenants.services.invitations import clean_email
from tenants.services.platform import RESERVED_SLUGS, SLUG, tenant_create
from tenants.services.tenant_settings import clean_languages
from tenants.tenancy import dangerously_unscoped


class TenantAddForm(forms.ModelForm):
    """Adding a tenant goes through tenants.services.platform.tenant_create, first admin included."""

    admin_email = forms.EmailField(label=_("first admin's e-mail address"))
    content_languages = forms.MultipleChoiceField(
        label=_("languages offered"),
        choices=CONTENT_LANGUAGES,
        initial=["en"],
        help_text=_("The first one in the list order becomes the default language."),
    )

    class Meta:
        model = Tenant
        fields = ("slug", "name")

    def clean_slug(self) -> str:
        slug = (self.cleaned_data.get("slug") or "").strip().lower()
        if not SLUG.match(slug) or slug in RESERVED_SLUGS:
            raise ValidationError(
                _("The address must be 1–40 lowercase letters, digits or hyphens and not reserved.")
            )
        return slug

    def clean_admin_email(self) -> str:
        try:
            return clean_email(self.cleaned_data.get("admin_email", ""))
        except DomainError as error:
            raise ValidationError(str(error.message)) from None

    def clean_content_languages(self) -> list[str]:
        languages = list(self.cleaned_data.get("content_languages") or [])
        try:
            return clean_languages(languages, languages[0] if languages else "")[0]
        except DomainError as error:
            raise ValidationError(str(error.message)) from None


class TenantChangeForm(forms.ModelForm):
    class Meta:
        model = Tenant
        fields = ("name", "is_active", "languages", "default_language")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            cleaned["languages"], cleaned["default_language"] = clean_languages(
                list(cleaned.get("languages") or []), str(cleaned.get("default_language") or "")
            )
        except DomainError as error:
            raise ValidationError(str(error.message)) from None
        return cleaned


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "is_active", "default_language", "created_at")
    list_filter = ("is_active",)
    search_fields = ("slug", "name")
    ordering = ("slug",)
    readonly_fields = ("slug", "uuid", "address", "brand_colour", "logo", "created_at")

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["form"] = TenantChangeForm if obj is not None else TenantAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Tenant | None = None) -> Any:
        if obj is None:
            return ("slug", "name", "content_languages", "admin_email")
        return (
            "slug",
            "address",
            "name",
            "is_active",
            "languages",
            "default_language",
            "brand_colour",
            "logo",
            "uuid",
            "created_at",
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Tenant | None = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    @admin.display(description=_("address"))
    def address(self, tenant: Tenant) -> str:
        return f"{tenant_origin(tenant)}/"

    def save_model(self, request: HttpRequest, obj: Tenant, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            tenant_cache_forget(obj)
            return
        created, _membership = tenant_create(
            slug=form.cleaned_data["slug"],
            name=form.cleaned_data["name"],
            admin_email=form.cleaned_data["admin_email"],
            languages=form.cleaned_data["content_languages"],
        )
        obj.pk, obj.uuid, obj.created_at = created.pk, created.uuid, created.created_at
        obj.languages, obj.default_language = created.languages, created.default_language
        obj._state.adding = False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead (is_active): see the module docstring


class PlatformUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "display_name")


class PlatformUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = PlatformUserChangeForm
    add_form = PlatformUserCreationForm
    list_display = ("email", "display_name", "is_active", "is_staff", "date_joined", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser")
    search_fields = ("email", "display_name")
    ordering = ("email",)
    readonly_fields = ("uuid", "organisations", "date_joined", "last_login")
    filter_horizontal = ()
    fieldsets = (
        (None, {"fields": ("email", "password", "uuid")}),
        (_("Profile"), {"fields": ("display_name", "language", "organisations")}),
        (_("Platform access"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("date_joined", "last_login")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "display_name", "usable_password", "password1", "password2"),
            },
        ),
    )

    @admin.display(description=_("organisations"))
    def organisations(self, user: User) -> str:
        # Platform code reading memberships across tenants: the one loud bypass.
        with dangerously_unscoped():
            memberships = (
                Membership.objects.filter(user=user)
                .select_related("tenant")
                .order_by("tenant__slug")
            )
            rows = [
                f"{membership.tenant.slug} ({', '.join(membership.roles)}; {membership.get_status_display()})"
                for membership in memberships
            ]
        return "; ".join(rows) or "—"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead (is_active): their content and memberships stay
