"""A person's own account on a tenant host: sign in and out, password reset, profile and API
tokens, the hop to another organisation's host, and accepting an invitation.

Only active members of this tenant sign in here; the one exception is a person who signs
in to accept an invitation to this tenant (the `next` link of the invitation page).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.generic import View

from egl_platform.errors import Conflict, Invalid, NotFound
from tenants.decorators import capability_required, public_view
from tenants.forms.accounts import (
    ApiTokenForm,
    InvitationSignupForm,
    LoginForm,
    ProfileForm,
    TenantPasswordResetForm,
    add_domain_error,
)
from tenants.hosts import tenant_url
from tenants.models import User
from tenants.permissions import Capability
from tenants.selectors import (
    active_membership_of,
    api_tokens_of,
    get_api_token_for,
    tenants_of_user,
)
from tenants.services.accounts import (
    IssuedToken,
    api_token_create,
    api_token_revoke,
    handoff_token_issue,
    handoff_token_redeem,
    login_clear_failures,
    login_is_locked,
    login_record_failure,
    profile_update,
)
from tenants.services.invitations import invitation_accept as accept_invitation
from tenants.services.invitations import invitation_for_token

T = "tenants/accounts/"


# --- helpers ---------------------------------------------------------------------------------


def _safe_next(request: HttpRequest) -> str:
    """The `next` URL when it stays on this host, else ''."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _use_language(response: HttpResponse, language: str) -> HttpResponse:
    """Remember the person's UI language in the cookie (it outlives the session); '' forgets it."""
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    elif language == "":
        response.delete_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


def _sign_in(request: HttpRequest, user: User, next_url: str = "") -> HttpResponse:
    """Log in (a fresh session id), switch to the person's language, go on."""
    auth_login(request, user)
    if user.language in dict(settings.LANGUAGES):
        translation.activate(user.language)
        return _use_language(redirect(next_url or settings.LOGIN_REDIRECT_URL), user.language)
    return redirect(next_url or settings.LOGIN_REDIRECT_URL)


def _no_access_message(request: HttpRequest) -> str:
    return _("This account has no access to %(tenant)s.") % {"tenant": request.tenant.name}  # type: ignore[attr-defined]


def _locked_message() -> str:
    minutes = max(1, settings.EGL_LOGIN_LOCKOUT_SECONDS // 60)
    return ngettext(
        "Too many failed attempts. Wait %(minutes)d minute or reset your password.",
        "Too many failed attempts. Wait %(minutes)d minutes or reset your password.",
        minutes,
    ) % {"minutes": minutes}


def _invitation_admits(next_url: str, user: User) -> bool:
    """True when `next_url` is an open invitation to this tenant for `user`'s address.

    Such a person is not a member yet, but must sign in to accept.
    """
    if not next_url:
        return False
    try:
        match = resolve(urlsplit(next_url).path)
    except Resolver404:
        return False
    if match.view_name != "accounts:invitation_accept":
        return False
    try:
        invitation = invitation_for_token(match.kwargs.get("token", ""))
    except Invalid:
        return False
    return invitation.email == user.email.lower()


def _account_exists(email: str) -> bool:
    # Platform-level read (users are not tenant-owned); kept here as it serves only this page.
    return User.objects.filter(email=email.lower()).exists()


def _render_login(
    request: HttpRequest, form: LoginForm, *, next_url: str = "", error: str = "", status: int = 200
) -> HttpResponse:
    context = {"form": form, "next": next_url, "error": error}
    return render(request, T + "login.html", context, status=status)


# --- sign in and out ---------------------------------------------------------------------------


@public_view
@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """E-mail and password; only active members of this tenant; throttled after repeated failures."""
    next_url = _safe_next(request)
    if request.method == "GET":
        if getattr(request, "membership", None) is not None:
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
        return _render_login(request, LoginForm(), next_url=next_url)

    form = LoginForm(request.POST)
    if not form.is_valid():
        return _render_login(request, form, next_url=next_url, status=400)
    email, password = form.cleaned_data["email"], form.cleaned_data["password"]
    client_ip = request.META.get("REMOTE_ADDR", "")
    # While locked, the password is not even checked: guessing gains nothing.
    if login_is_locked(email=email, client_ip=client_ip):
        form.add_error(None, _locked_message())
        return _render_login(request, form, next_url=next_url, status=429)
    user = authenticate(request, email=email, password=password)
    if user is None:
        login_record_failure(email=email, client_ip=client_ip)
        if login_is_locked(email=email, client_ip=client_ip):
            form.add_error(None, _locked_message())
            return _render_login(request, form, next_url=next_url, status=429)
        # One message whether or not the account exists.
        form.add_error(None, _("E-mail address or password is incorrect."))
        return _render_login(request, form, next_url=next_url, status=400)
    if active_membership_of(user) is None and not _invitation_admits(next_url, user):
        form.add_error(None, _no_access_message(request))
        return _render_login(request, form, next_url=next_url, status=403)
    login_clear_failures(email=email)
    return _sign_in(request, user, next_url)


@public_view
@never_cache
@require_http_methods(["GET", "POST"])
def logout(request: HttpRequest) -> HttpResponse:
    """POST signs out; GET only asks to confirm (a link must not sign anyone out)."""
    next_url = _safe_next(request)
    if request.method == "GET":
        if not request.user.is_authenticated:
            return redirect(settings.LOGOUT_REDIRECT_URL)
        return render(request, T + "logout.html", {"next": next_url})
    auth_logout(request)
    messages.success(request, _("You have signed out."))
    return redirect(next_url or settings.LOGOUT_REDIRECT_URL)


# --- password reset (Django's views, our form and templates) --------------------------------------


class _PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = T + "password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # "Wait 15 minutes or reset your password": a new password lifts the lock.
        login_clear_failures(email=form.user.email)
        return response


def _public_class_view(
    view_class: type[View[Any]], **initkwargs: Any
) -> Callable[..., HttpResponseBase]:
    """A Django class-based view, marked public."""
    return public_view(view_class.as_view(**initkwargs))


password_reset = _public_class_view(
    auth_views.PasswordResetView,
    template_name=T + "password_reset_form.html",
    form_class=TenantPasswordResetForm,
    email_template_name="tenants/email/password_reset.txt",
    subject_template_name="tenants/email/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = _public_class_view(
    auth_views.PasswordResetDoneView, template_name=T + "password_reset_done.html"
)
password_reset_confirm = _public_class_view(_PasswordResetConfirmView)
password_reset_complete = _public_class_view(
    auth_views.PasswordResetCompleteView, template_name=T + "password_reset_complete.html"
)


# --- profile and API tokens ----------------------------------------------------------------------


def _render_profile(
    request: HttpRequest,
    *,
    profile_form: ProfileForm | None = None,
    token_form: ApiTokenForm | None = None,
    issued: IssuedToken | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    context = {
        "profile_form": profile_form
        or ProfileForm(initial={"display_name": user.display_name, "language": user.language}),  # type: ignore[union-attr]
        "token_form": token_form or ApiTokenForm(),
        "issued": issued,
        "tokens": list(api_tokens_of(request.membership)),  # type: ignore[attr-defined]
        "organisations": tenants_of_user(user),  # type: ignore[arg-type]
    }
    return render(request, T + "profile.html", context, status=status)


@capability_required(Capability.PROFILE_OWN)
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """Display name and UI language; the page also lists API tokens and organisations."""
    if request.method == "GET":
        return _render_profile(request)
    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            user = profile_update(
                user=request.user,  # type: ignore[arg-type]
                display_name=form.cleaned_data["display_name"],
                language=form.cleaned_data["language"],
            )
        except Invalid as error:
            add_domain_error(form, error)
        else:
            if user.language:
                translation.activate(user.language)
            messages.success(request, _("Your profile has been saved."))
            return _use_language(redirect("accounts:profile"), user.language)
    return _render_profile(request, profile_form=form, status=400)


@capability_required(Capability.PROFILE_OWN)
@never_cache
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Create a token and show its key this once (the response is never cached)."""
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _render_profile(request, token_form=form, status=400)
    try:
        issued = api_token_create(actor=request.membership, name=form.cleaned_data["name"])  # type: ignore[attr-defined]
    except Invalid as error:
        add_domain_error(form, error)
        return _render_profile(request, token_form=form, status=400)
    except Conflict as error:
        form.add_error(None, str(error.message))
        return _render_profile(request, token_form=form, status=409)
    return _render_profile(request, issued=issued)


@capability_required(Capability.PROFILE_OWN)
@require_POST
def token_revoke(request: HttpRequest, token_uuid: Any) -> HttpResponse:
    token = get_api_token_for(request.membership, token_uuid)  # type: ignore[attr-defined]
    api_token_revoke(actor=request.membership, token=token)  # type: ignore[attr-defined]
    messages.success(
        request,
        _("The token “%(name)s” was revoked. Integrations that use it stop working now.")
        % {"name": token.name},
    )
    return redirect("accounts:profile")


# --- hop to another organisation -------------------------------------------------------------------


@capability_required(Capability.PROFILE_OWN)
@never_cache
@require_http_methods(["GET", "POST"])
def switch(request: HttpRequest, slug: str) -> HttpResponse:
    """To another tenant of the user's, signed in there by a one-minute, one-time token."""
    target = next((tenant for tenant in tenants_of_user(request.user) if tenant.slug == slug), None)  # type: ignore[arg-type]
    if target is None:
        raise NotFound(_("You are not a member of that organisation."))
    if target.pk == request.tenant.pk:  # type: ignore[attr-defined]
        return redirect("home")
    token = handoff_token_issue(user=request.user, tenant=target)  # type: ignore[arg-type]
    return HttpResponseRedirect(
        tenant_url(target, reverse("accounts:handoff") + "?" + urlencode({"token": token}))
    )


@public_view
@never_cache
@require_GET
def handoff(request: HttpRequest) -> HttpResponse:
    """Redeem a switcher token: signed in here if an active member, else the login page says why."""
    try:
        user = handoff_token_redeem(token=request.GET.get("token", ""), tenant=request.tenant)  # type: ignore[attr-defined]
    except Invalid as error:
        return _render_login(request, LoginForm(), error=str(error.message), status=400)
    if active_membership_of(user) is None:
        return _render_login(request, LoginForm(), error=_no_access_message(request), status=403)
    return _sign_in(request, user)


# --- accepting an invitation -------------------------------------------------------------------------


def _welcome(request: HttpRequest, user: User) -> HttpResponse:
    if user.language in dict(settings.LANGUAGES):
        translation.activate(user.language)
    messages.success(request, _("Welcome to %(tenant)s!") % {"tenant": request.tenant.name})  # type: ignore[attr-defined]
    return _use_language(redirect("home"), user.language) if user.language else redirect("home")


@public_view
@sensitive_post_parameters("password", "password2")
@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link. New address: create the account. Known address: sign in, then accept.

    Signed in as somebody else: explain and offer to sign out. Nothing changes on any error.
    """
    try:
        invitation = invitation_for_token(token)
    except Invalid as error:
        return render(request, T + "invitation_invalid.html", {"reason": error.message}, status=410)
    context: dict[str, Any] = {"invitation": invitation, "error": ""}

    if request.user.is_authenticated:
        user: User = request.user
        context["case"] = "confirm" if user.email.lower() == invitation.email else "other_account"
        if request.method == "POST":
            try:
                accept_invitation(token=token, user=user)
            except (Invalid, Conflict) as error:
                context["error"] = error.message
                return render(request, T + "invitation.html", context, status=error.status)
            return _welcome(request, user)
        return render(request, T + "invitation.html", context)

    if _account_exists(invitation.email):
        context["case"] = "sign_in"
        context["login_url"] = reverse("accounts:login") + "?" + urlencode({"next": request.path})
        return render(request, T + "invitation.html", context)

    context["case"] = "signup"
    form = InvitationSignupForm(request.POST or None, initial={"language": invitation.language})
    if request.method == "POST" and form.is_valid():
        try:
            membership = accept_invitation(
                token=token,
                display_name=form.cleaned_data["display_name"],
                password=form.cleaned_data["password"],
                language=form.cleaned_data["language"],
            )
        except (Invalid, Conflict) as error:
            add_domain_error(form, error)
        else:
            auth_login(request, membership.user)
            return _welcome(request, membership.user)
    context["form"] = form
    return render(request, T + "invitation.html", context, status=400 if form.errors else 200)
