"""The inbox: one's own notifications, newest first, and how often they come by e-mail.

Every member has an inbox (PROFILE_OWN). Opening a notification is a POST that marks it read
and redirects to where one acts on it; another member's notification is 404, like a missing
one. GET never changes anything.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egl_platform.errors import Invalid
from reviews import notifications as svc
from reviews.models import EmailFrequency
from tenants.decorators import capability_required
from tenants.forms.accounts import add_domain_error
from tenants.models import Membership
from tenants.permissions import Capability

T = "reviews/"
PER_PAGE = 25
SHOW_CHOICES = (("unread", gettext_lazy("Unread")), ("all", gettext_lazy("All")))


class PreferencesForm(forms.Form):
    email_frequency = forms.ChoiceField(
        label=gettext_lazy("E-mail me about notifications"),
        choices=EmailFrequency.choices,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "Your inbox on this site always shows every notification, whatever you choose."
        ),
    )


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _show(request: HttpRequest) -> str:
    show = request.GET.get("show", "all")
    return show if show in dict(SHOW_CHOICES) else "all"


def _render_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    show = _show(request)
    rows = svc.notifications_for_actor(actor=actor, unread=show == "unread")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    items = [(n, svc.notification_summary(n)) for n in page]
    context: dict[str, Any] = {
        "page_obj": page,
        "items": items,
        "show": show,
        "show_choices": SHOW_CHOICES,
        "unread": svc.unread_count(actor),
        "email_frequency": EmailFrequency(svc.notification_preference_get(actor=actor)).label,
    }
    return render(request, T + "inbox.html", context)


@capability_required(Capability.PROFILE_OWN)
@require_GET
def inbox_list(request: HttpRequest) -> HttpResponse:
    """The member's notifications (all, or only unread), newest first, paginated."""
    return _render_list(request)


@capability_required(Capability.PROFILE_OWN)
@require_POST
def notification_open(request: HttpRequest, notification_uuid: Any) -> HttpResponse:
    """Mark one's notification read and go where it points (a path on this host)."""
    actor = _actor(request)
    notification = svc.notification_for_actor(actor=actor, notification_uuid=notification_uuid)
    svc.notification_mark_read(actor=actor, notification=notification)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect("inbox:list")
    return HttpResponseRedirect(target)


@capability_required(Capability.PROFILE_OWN)
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = svc.notifications_mark_all_read(actor=_actor(request))
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d notification marked as read.",
                "%(count)d notifications marked as read.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("There was nothing unread."))
    return redirect("inbox:list")


@capability_required(Capability.PROFILE_OWN)
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """How often notifications come by e-mail: immediately, a daily digest, or never."""
    actor = _actor(request)
    if request.method == "GET":
        form = PreferencesForm(
            initial={"email_frequency": svc.notification_preference_get(actor=actor)}
        )
        return render(request, T + "notification_preferences.html", {"form": form})
    form = PreferencesForm(request.POST)
    if form.is_valid():
        try:
            svc.notification_preference_set(
                actor=actor, email_frequency=form.cleaned_data["email_frequency"]
            )
        except Invalid as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Your e-mail preference was saved."))
            return redirect("inbox:preferences")
    return render(request, T + "notification_preferences.html", {"form": form}, status=400)
