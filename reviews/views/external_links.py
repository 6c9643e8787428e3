"""Managing a round's external review links in HTML: the card, create and withdraw.

The card (`templates/reviews/_external_links.html`) sits in review mode; its context comes
from `external_links_context(request, review)`. Plain POST forms with CSRF: a created link
redirects back to review mode (or this card's own page while review mode is not routed) and
is shown there once, with a copy button; a refused form re-renders the card's page with the
service's message (400 Invalid, 409 Conflict) and nothing is created.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from egl_platform.errors import Conflict, DomainError, Invalid
from reviews import external as svc
from reviews.models import ExternalReviewLink, ReviewRequest, ReviewStatus
from reviews.selectors import review_for_actor
from tenants.decorators import capability_required
from tenants.forms.accounts import add_domain_error
from tenants.models import Membership
from tenants.permissions import Capability

__all__ = [
    "ExternalLinkForm",
    "external_link_revoke",
    "external_links",
    "external_links_context",
]

# The session key holding the uuid of a link just created, shown (with its URL) once.
SHOWN_ONCE = "reviews.external_link_created"


class ExternalLinkForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=svc.NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    # A plain text field: the service checks the address and says clearly what is wrong.
    email = forms.CharField(
        label=gettext_lazy("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"),
        min_value=1,
        max_value=svc.DAYS_MAX,
        initial=svc.DAYS_DEFAULT,
        help_text=gettext_lazy("From 1 to 60 days; the link also stops when the round closes."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "external-link-%s")
        super().__init__(*args, **kwargs)


@dataclass(frozen=True)
class LinkRow:
    link: ExternalReviewLink
    status: str
    can_revoke: bool


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]  # set by the tenant middleware


def external_links_context(
    request: HttpRequest,
    review: ReviewRequest,
    *,
    form: ExternalLinkForm | None = None,
    error: str = "",
) -> dict[str, Any]:
    """What `reviews/_external_links.html` needs; `external_links_enabled` is False for a
    member who may not manage the round's links (the card then renders nothing)."""
    actor = _actor(request)
    try:
        links = list(svc.external_links_for_review(actor=actor, review=review))
    except (Http404, PermissionDenied):
        return {"external_links_enabled": False}
    created = None
    session = getattr(request, "session", None)
    shown = session.get(SHOWN_ONCE) if session is not None else None
    rows = []
    for link in links:
        status = svc.external_link_status(link)
        rows.append(
            LinkRow(
                link=link,
                status=status,
                can_revoke=status in (svc.LinkStatus.ACTIVE, svc.LinkStatus.EXPIRED),
            )
        )
        if shown and str(link.uuid) == shown and session is not None:
            session.pop(SHOWN_ONCE, None)  # shown once, on this round's page
            if link.created_by_id == actor.pk:
                created = {"link": link, "url": svc.external_link_url(link)}
    return {
        "external_links_enabled": True,
        "external_review": review,
        "external_links": rows,
        "external_link_form": form or ExternalLinkForm(),
        "external_link_created": created,
        "external_link_error": error,
        "external_links_open": review.status == ReviewStatus.OPEN,
        "external_links_max": svc.LINKS_ACTIVE_MAX,
    }


def _back(review: ReviewRequest) -> HttpResponseRedirect:
    """Review mode of the round, at the card; this card's own page while that is not routed."""
    try:
        url = reverse("reviews:review", kwargs={"review_uuid": review.uuid})
    except NoReverseMatch:
        url = reverse("reviews:external-links", kwargs={"review_uuid": review.uuid})
    return redirect(url + "#external-links")


def _render(
    request: HttpRequest,
    review: ReviewRequest,
    *,
    form: ExternalLinkForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = external_links_context(request, review, form=form, error=error)
    if not context["external_links_enabled"]:  # the selector refused: same answer as missing
        raise Http404(_("Not found."))
    return render(
        request,
        "reviews/external_links_page.html",
        {"review": review, "course": review.course, **context},
        status=status,
    )


@capability_required(Capability.COURSE_SUBMIT)
@require_http_methods(["GET", "POST"])
def external_links(request: HttpRequest, review_uuid: Any) -> HttpResponse:
    """GET: the round's external review links; POST: invite an expert (name, e-mail, days)."""
    actor = _actor(request)
    review = review_for_actor(actor=actor, review_uuid=review_uuid)
    if request.method == "GET":
        return _render(request, review)
    form = ExternalLinkForm(request.POST)
    if not form.is_valid():
        return _render(request, review, form=form, status=400)
    try:
        link, _url = svc.external_link_create(
            actor=actor,
            review=review,
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            days=form.cleaned_data["days"],
        )
    except Invalid as error:
        add_domain_error(form, error)
        return _render(request, review, form=form, status=400)
    except Conflict as error:
        return _render(request, review, form=form, error=str(error.message), status=409)
    request.session[SHOWN_ONCE] = str(link.uuid)
    messages.success(
        request,
        _("A review link is on its way to %(name)s (%(email)s).")
        % {"name": link.name, "email": link.email},
    )
    return _back(review)


@capability_required(Capability.COURSE_SUBMIT)
@require_POST
def external_link_revoke(request: HttpRequest, review_uuid: Any, link_uuid: Any) -> HttpResponse:
    """Withdraw a link of this round; it stops working at once. Idempotent."""
    actor = _actor(request)
    review = review_for_actor(actor=actor, review_uuid=review_uuid)
    link = svc.external_link_for_actor(actor=actor, link_uuid=link_uuid, review=review)
    try:
        svc.external_link_revoke(actor=actor, link=link)
    except DomainError as error:  # defensive: revoke raises none today
        return _render(request, review, error=str(error.message), status=error.status)
    messages.success(
        request,
        _("The review link for %(name)s was withdrawn; it no longer works.") % {"name": link.name},
    )
    return _back(review)
