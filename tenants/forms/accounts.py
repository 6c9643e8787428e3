"""Forms for a person's own account: sign in, profile, API tokens, invitation sign-up, password reset."""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from egl_platform.errors import DomainError
from tenants.hosts import tenant_url
from tenants.models import Invitation, MembershipStatus, User
from tenants.tenancy import require_active_tenant

logger = logging.getLogger(__name__)


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Put a service's error next to the field(s) it names, else at the top of the form.

    One named field gets the service's full message (it says more than the per-field
    note); several get their own notes; none of ours get the message as a form error.
    """
    named = {name: messages for name, messages in error.fields.items() if name in form.fields}
    if len(named) == 1:
        form.add_error(next(iter(named)), str(error.message))
    elif named:
        for name, messages in named.items():
            for message in messages:
                form.add_error(name, str(message))
    else:
        form.add_error(None, str(error.message))


def language_choices() -> list[tuple[str, Any]]:
    return [("", _("Follow my browser")), *((code, name) for code, name in settings.LANGUAGES)]


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("How colleagues see you, e.g. on courses you write."),
    )
    language = forms.ChoiceField(
        label=_("Language of the interface"),
        required=False,
        choices=language_choices,
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=80,
        help_text=_("What the token is for, e.g. “HR sync”."),
    )


class InvitationSignupForm(forms.Form):
    """A new account from an invitation: the address comes from the invitation itself."""

    display_name = forms.CharField(
        label=_("Your name"),
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("How colleagues see you."),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not a common password and not only digits."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    language = forms.ChoiceField(
        label=_("Language of the interface"),
        choices=settings.LANGUAGES,
        help_text=_("You can change it later in your profile."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same."))
        return cleaned


class TenantPasswordResetForm(PasswordResetForm):
    """Django's reset form, limited to members of this organisation, linking to its host.

    The e-mail is written in the person's own UI language, else the language of the request.
    """

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def get_users(self, email: str) -> Any:
        """Active members of this tenant; also a person invited here (to sign in and accept)."""
        tenant = require_active_tenant()
        email = email.strip().lower()
        found = User.objects.filter(email=email, is_active=True)
        invited = Invitation.objects.filter(
            email=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).exists()
        if not invited:
            found = found.filter(
                memberships__tenant_id=tenant.pk, memberships__status=MembershipStatus.ACTIVE
            ).distinct()
        return (user for user in found if user.has_usable_password())

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        tenant = require_active_tenant()
        user = context["user"]
        path = reverse(
            "accounts:password_reset_confirm",
            kwargs={"uidb64": context["uid"], "token": context["token"]},
        )
        context = {**context, "tenant": tenant, "reset_url": tenant_url(tenant, path)}
        language = (
            user.language
            if user.language in dict(settings.LANGUAGES)
            else translation.get_language()
        )
        with translation.override(language):
            subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
            body = loader.render_to_string(email_template_name, context)
        try:
            EmailMultiAlternatives(subject, body, from_email, [to_email]).send()
        except Exception:
            # As Django does: the page must not tell whether the address has an account.
            logger.exception("Failed to send the password reset e-mail to user %s", user.pk)
