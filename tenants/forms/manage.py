"""Forms for the tenant admin UI ("Manage"). They parse and shape input; the rules live in services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tenants.branding import HEX_COLOUR
from tenants.models import CONTENT_LANGUAGES, GroupKind, MembershipStatus, Tenant
from tenants.permissions import ASSIGNABLE_ROLES

ROLE_CHOICES = [(role.value, role.label) for role in ASSIGNABLE_ROLES]


def _roles_field(*, help_text: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("Roles"),
        choices=ROLE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


class MemberFilterForm(forms.Form):
    """Search and filters of the members list (GET)."""

    q = forms.CharField(
        label=_("Search by name or e-mail"),
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[("", _("All roles")), *ROLE_CHOICES],
        widget=forms.Select(attrs={"data-autosubmit": ""}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *MembershipStatus.choices],
        widget=forms.Select(attrs={"data-autosubmit": ""}),
    )

    def filters(self) -> dict[str, str]:
        """The valid filters; an invalid value is ignored rather than refused."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "search": (data.get("q") or "").strip(),
            "role": data.get("role") or "",
            "status": data.get("status") or "",
        }


class MemberRolesForm(forms.Form):
    roles = _roles_field(
        help_text=_("Everyone is a learner: every member can take published courses.")
    )


class InvitationForm(forms.Form):
    # A plain text field: the service checks the address and says clearly what is wrong.
    email = forms.CharField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    roles = _roles_field(
        help_text=_("Everyone is a learner; tick the roles the person needs on top of that.")
    )
    language = forms.ChoiceField(
        label=_("Language of the invitation e-mail"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
    )


class GroupFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *GroupKind.choices],
        widget=forms.Select(attrs={"data-autosubmit": ""}),
    )

    def kind_value(self) -> str:
        return (self.cleaned_data.get("kind") or "") if self.is_valid() else ""


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=GroupKind.choices)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class GroupAddMembersForm(forms.Form):
    """Pick members (by uuid) among the active members not yet in the group."""

    members = forms.MultipleChoiceField(
        label=_("Members to add"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (Cmd on a Mac) to pick several people."),
    )

    def __init__(self, *args: Any, candidates: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.MultipleChoiceField", self.fields["members"]).choices = candidates


class TenantSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name of the organisation"), max_length=120)
    languages = forms.MultipleChoiceField(
        label=_("Languages offered"),
        choices=CONTENT_LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The languages courses can be written and translated in."),
    )
    default_language = forms.ChoiceField(
        label=_("Default language"),
        choices=CONTENT_LANGUAGES,
        help_text=_("Must be one of the languages offered."),
    )
    # A plain file field: the service sniffs the content and explains what it accepts.
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        help_text=_("PNG, JPEG or WebP, at most 2 MB."),
    )
    remove_logo = forms.BooleanField(label=_("Remove the current logo"), required=False)
    brand_colour = forms.CharField(
        label=_("Brand colour"),
        required=False,
        max_length=7,
        help_text=_(
            "As # and six hexadecimal digits, like #1d4ed8. White text on it must be readable (WCAG AA)."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "size": 8}),
    )
    brand_colour_picker = forms.CharField(
        label=_("Pick the brand colour"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    upload_limit_mb = forms.IntegerField(
        label=_("Largest media upload (MB)"),
        min_value=1,
        required=False,  # left empty: the limit stays as it is
        help_text=_("The largest single file authors may upload to the media library."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    review_reminder_days = forms.IntegerField(
        label=_("Remind reviewers after (days)"),
        required=False,  # left empty: the setting stays as it is
        help_text=_(
            "Reviewers get a reminder when a review has waited this many days, and again "
            "after each further period. 0 turns reminders off; at most 60."
        ),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    allow_public_links = forms.BooleanField(
        label=_("Allow public course links"),
        required=False,
        help_text=_(
            "Course authors may then share a course through a link (and embed it in other "
            "sites); anyone with the link can take the course after typing a name. Switching "
            "this off stops every public link."
        ),
    )

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        self.tenant = tenant
        kwargs.setdefault(
            "initial",
            {
                "name": tenant.name,
                "languages": list(tenant.languages),
                "default_language": tenant.default_language,
                "brand_colour": tenant.brand_colour,
                "brand_colour_picker": tenant.brand_colour,
                "upload_limit_mb": tenant.upload_limit_mb,
                "review_reminder_days": tenant.review_reminder_days,
                "allow_public_links": tenant.allow_public_links,
            },
        )
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Two controls, one value and no script to sync them: whichever one the person
        # changed wins, the text field first (it is the one that says exactly what it holds).
        current = self.tenant.brand_colour.lower()
        text = (cleaned.get("brand_colour") or "").strip().lower()
        picker = (cleaned.get("brand_colour_picker") or "").strip().lower()
        if text and text != current:
            cleaned["brand_colour"] = text
        elif picker and picker != current:
            cleaned["brand_colour"] = picker
        else:
            cleaned["brand_colour"] = text or current
        return cleaned

    def preview_colour(self) -> str:
        """The colour to preview: what was submitted when it is a colour at all, else the saved one."""
        candidate = ""
        if self.is_bound:
            candidate = (getattr(self, "cleaned_data", {}) or {}).get(
                "brand_colour"
            ) or self.data.get("brand_colour", "")
        candidate = str(candidate).strip().lower()
        return candidate if HEX_COLOUR.match(candidate) else self.tenant.brand_colour
