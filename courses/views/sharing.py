"""Public course links (courses/sharing.py).

    /share/<token>/                           public: "Your name" → a guest, into the player
    /share/manage/<course_uuid>/              authors and reviewers: the link and embed code
    /share/manage/<course_uuid>/create/       POST create the link (or keep the active one)
    /share/manage/<course_uuid>/revoke/       POST revoke the active link

The public page may be framed by other sites (courses/guests.py relaxes X-Frame-Options and
frame-ancestors for it and for a guest's player pages). Embedding across sites needs the
session and CSRF cookies in a third-party iframe, which browsers only send with
SameSite=None; Secure — the site keeps SameSite=Lax, so an embed works on pages of the same
site (the tenant's own domain) and the link itself works everywhere; see the report/docs.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from authoring.access import can_edit_course, parse_uuid
from authoring.models import Course
from authoring.views.common import actor_of
from courses import sharing
from courses.models import CatalogEntry, PublicLink
from egl_platform.errors import Conflict, Forbidden, Invalid, NotFound
from tenants.decorators import capability_required, public_view
from tenants.permissions import Capability

__all__ = ["manage", "manage_create", "manage_revoke", "visit"]

T = "courses/sharing/"
NOINDEX = "noindex, nofollow"


class GuestNameForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Your name"),
        max_length=sharing.NAME_MAX_LENGTH,
        help_text=gettext_lazy("Shown on your progress and certificate."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def clean_name(self) -> str:
        try:
            return sharing.clean_guest_name(self.cleaned_data["name"])
        except Invalid as invalid:
            raise forms.ValidationError(str(invalid.message)) from None


def _player(entry: CatalogEntry) -> HttpResponse:
    return redirect(reverse("player:resume", kwargs={"course_uuid": entry.course.uuid}))


def _noindex(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = NOINDEX
    response["Cache-Control"] = "private, no-store"
    return response


@public_view
@require_http_methods(["GET", "POST"])
def visit(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link, entry = sharing.public_link_resolve(token)
    except NotFound as missing:
        response = render(request, T + "gone.html", {"message": str(missing)}, status=404)
        return _noindex(response)
    except sharing.LinkGone as gone:
        response = render(request, T + "gone.html", {"message": gone.message}, status=410)
        return _noindex(response)
    membership = getattr(request, "membership", None)
    if membership is not None:  # a returning guest or a signed-in member
        sharing.guest_enrol(actor=membership, link=link, entry=entry)
        return _player(entry)
    form = GuestNameForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            guest = sharing.guest_create(
                name=form.cleaned_data["name"],
                link=link,
                entry=entry,
                client_ip=request.META.get("REMOTE_ADDR", ""),
            )
        except sharing.TooManyGuests as throttled:
            context = {"entry": entry, "form": form, "token": link.token}
            context["error"] = throttled.message
            return _noindex(render(request, T + "visit.html", context, status=429))
        login(request, guest.membership.user, backend=settings.AUTHENTICATION_BACKENDS[0])
        return _player(entry)
    status = 400 if form.is_bound else 200
    context = {"entry": entry, "form": form, "token": link.token}
    return _noindex(render(request, T + "visit.html", context, status=status))


def _course(request: HttpRequest, course_uuid: Any) -> Course:
    course = Course.objects.filter(uuid=parse_uuid(course_uuid)).first()
    if course is None:
        raise NotFound(_("Not found."))
    if actor_of(request).is_guest or not can_edit_course(actor_of(request), course):
        raise Forbidden(_("Only the course's authors and reviewers can share it."))
    return course


def _manage_context(request: HttpRequest, course: Course) -> dict[str, Any]:
    link = sharing.public_link_active(course)
    entry = CatalogEntry.objects.filter(course=course).first()
    url = (
        request.build_absolute_uri(reverse("sharing:visit", kwargs={"token": link.token}))
        if link
        else ""
    )
    title = entry.title if entry else course.title
    return {
        "course": course,
        "entry": entry,
        "link": link,
        "allowed": sharing.tenant_allows_public_links(),
        "published": entry is not None and entry.live_release_id is not None,
        "url": url,
        "embed_code": sharing.embed_code(url=url, title=title) if link else "",
        "can_manage_settings": request.membership.is_admin,  # type: ignore[attr-defined]
    }


@require_http_methods(["GET"])
@capability_required(Capability.COURSE_CREATE)
def manage(request: HttpRequest, course_uuid: Any) -> HttpResponse:
    course = _course(request, course_uuid)
    return render(request, T + "manage.html", _manage_context(request, course))


@require_POST
@capability_required(Capability.COURSE_CREATE)
def manage_create(request: HttpRequest, course_uuid: Any) -> HttpResponse:
    course = _course(request, course_uuid)
    try:
        sharing.public_link_create(actor=actor_of(request), course=course)
    except Conflict as refused:
        context = {**_manage_context(request, course), "error": refused.message}
        return render(request, T + "manage.html", context, status=409)
    messages.success(request, _("The public link is ready to share."))
    return redirect("sharing:manage", course_uuid=course.uuid)


@require_POST
@capability_required(Capability.COURSE_CREATE)
def manage_revoke(request: HttpRequest, course_uuid: Any) -> HttpResponse:
    course = _course(request, course_uuid)
    link: PublicLink | None = sharing.public_link_active(course)
    if link is not None:
        sharing.public_link_revoke(actor=actor_of(request), link=link)
    messages.success(request, _("The public link no longer works."))
    return redirect("sharing:manage", course_uuid=course.uuid)
