"""The course workspace's "Review and publishing" card and its actions.

The authoring workspace loads the card with htmx from here (authoring may not import
reviews); without JavaScript its link opens the same card as a page. The actions are plain
POST forms: success redirects back to the workspace with a message; a refusal (400, 409)
renders the card as a page with the message and what was typed, and nothing is changed.
A course the member may not edit (another tenant's included) is 404; learners get 403.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from authoring.views.common import actor_of, back, error_message, form_errors, optional_url
from egl_platform.errors import Conflict, DomainError, Forbidden
from reviews import services
from reviews.queue import WorkspaceState, workspace_state
from reviews.services import MESSAGE_MAX
from reviews.transitions import Action, transition_target
from tenants.decorators import capability_required
from tenants.permissions import Capability, has_capability

T = "reviews/"


class SubmitForm(forms.Form):
    """Submit for review: a message and, optionally, reviewers from the category's pool."""

    message = forms.CharField(
        label=gettext_lazy("Message to the reviewers"),
        required=False,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What should they look at? What changed since the last round?"),
    )
    reviewers = forms.MultipleChoiceField(
        label=gettext_lazy("Reviewers"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Choose reviewers, or choose no one to leave it to the L&D review queue."
        ),
    )

    def __init__(self, *args: Any, state: WorkspaceState, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "review-submit-%s")
        super().__init__(*args, **kwargs)
        self.candidates = {str(m.uuid): m for m in state.candidates}
        cast(forms.ChoiceField, self.fields["reviewers"]).choices = [
            (key, member.user.name) for key, member in self.candidates.items()
        ]


def _card_context(
    request: HttpRequest,
    state: WorkspaceState,
    *,
    form: SubmitForm | None = None,
    error: str = "",
) -> dict[str, Any]:
    course = state.course
    open_round = state.open_round
    return {
        "state": state,
        "course": course,
        "form": form or SubmitForm(state=state),
        "error": error,
        "workspace_url": reverse("authoring:course-edit", kwargs={"course_uuid": course.uuid}),
        "history_url": reverse("reviews:history", kwargs={"course_uuid": course.uuid}),
        "open_round_url": optional_url("reviews:review", review_uuid=open_round.uuid)
        if open_round is not None
        else "",
    }


def _render_card(
    request: HttpRequest,
    state: WorkspaceState,
    *,
    status: int = 200,
    fragment: bool = False,
    **extra: Any,
) -> HttpResponse:
    template = T + ("_workspace_review.html" if fragment else "workspace.html")
    response = render(request, template, _card_context(request, state, **extra), status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _done(request: HttpRequest, state: WorkspaceState, message: str) -> HttpResponse:
    messages.success(request, message)
    url = reverse("authoring:course-edit", kwargs={"course_uuid": state.course.uuid})
    return back(request, url + "#review")


def _refused(
    request: HttpRequest, actor: Any, course_uuid: Any, error: DomainError, **extra: Any
) -> HttpResponse:
    """The card as a page, fresh from the database, with the refusal's message."""
    state = workspace_state(actor=actor, course_uuid=course_uuid)
    if "form" in extra:  # keep what was typed, on a form built for the fresh state
        typed = extra.pop("form")
        form = SubmitForm(request.POST, state=state)
        form.is_valid()
        for field, errors in typed.errors.items():
            for message in errors:
                if message not in form.errors.get(field, []):
                    form.add_error(field if field in form.fields else None, message)
        extra["form"] = form
    return _render_card(request, state, status=error.status, error=error_message(error), **extra)


@capability_required(Capability.COURSE_SUBMIT)
@require_GET
def workspace_card(request: HttpRequest, course_uuid: Any) -> HttpResponse:
    """The card: a fragment for htmx, a page otherwise."""
    state = workspace_state(actor=actor_of(request), course_uuid=course_uuid)
    htmx = getattr(request, "htmx", None)
    fragment = bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]
    return _render_card(request, state, fragment=fragment)


@capability_required(Capability.COURSE_SUBMIT)
@require_POST
def review_submit(request: HttpRequest, course_uuid: Any) -> HttpResponse:
    """Submit the course for review with a message and the chosen reviewers (or none)."""
    actor = actor_of(request)
    state = workspace_state(actor=actor, course_uuid=course_uuid)
    form = SubmitForm(request.POST, state=state)
    if not form.is_valid():
        error = DomainError(_("Check the form: some entries are not right."))
        return _refused(request, actor, course_uuid, error, form=form)
    chosen = [form.candidates[key] for key in form.cleaned_data["reviewers"]]
    try:
        review = services.review_submit(
            actor=actor,
            course=state.course,
            message=form.cleaned_data["message"],
            reviewers=chosen,
        )
    except DomainError as error:
        form_errors(form, error)
        return _refused(request, actor, course_uuid, error, form=form)
    if chosen:
        text = _("Round %(round)s submitted. The reviewers you chose were asked to review it.")
    else:
        text = _("Round %(round)s submitted to the L&D review queue.")
    return _done(request, state, text % {"round": review.round})


@capability_required(Capability.COURSE_SUBMIT)
@require_POST
def review_withdraw(request: HttpRequest, course_uuid: Any) -> HttpResponse:
    """Take the course back out of review; it becomes a draft."""
    actor = actor_of(request)
    state = workspace_state(actor=actor, course_uuid=course_uuid)
    try:
        if state.open_round is None:
            raise Conflict(_("This course has no open review to withdraw."))
        services.review_withdraw(actor=actor, review=state.open_round)
    except DomainError as error:
        return _refused(request, actor, course_uuid, error)
    return _done(request, state, _("The course was withdrawn from review. It is a draft again."))


@capability_required(Capability.COURSE_SUBMIT)
@require_POST
def course_publish(request: HttpRequest, course_uuid: Any) -> HttpResponse:
    """Publishing makes a release in a job (the courses app's publishing pages, by URL name:
    reviews never imports courses). This address checks who may publish and the policy,
    answering a refusal as before, and otherwise leads to the releases page, whose form
    (with release notes) starts the job. It never publishes by itself: a course is never
    published without a release."""
    actor = actor_of(request)
    state = workspace_state(actor=actor, course_uuid=course_uuid)
    course = state.course
    if not (
        services.is_course_author(actor, course) or has_capability(actor, Capability.COURSE_REVIEW)
    ):
        raise Forbidden(_("Only the course's authors or a reviewer can publish it."))
    try:
        transition_target(course.status, Action.PUBLISH)
        if not services.course_publish_allowed(course):
            raise Conflict(_("This course's category requires approval before publishing."))
    except DomainError as error:
        return _refused(request, actor, course_uuid, error)
    releases = optional_url("publishing:releases", course_uuid=course.uuid)
    workspace = reverse("authoring:course-edit", kwargs={"course_uuid": course.uuid})
    return redirect((releases + "#publish") if releases else workspace + "#review")
