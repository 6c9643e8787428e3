"""Recognition pages: rating a course, the author's impact overview and one course's impact
with its ratings and feedback, and thanking a learner.

Rating needs COURSE_TAKE and a started enrolment (403 with the reason otherwise); a course
not in the catalog (another tenant's included) is 404. Impact needs RESULTS_OWN (learners
403) and a course the member may edit (404 otherwise). A refusal re-renders the form with
the message (400) or says why (403, 409); nothing is changed.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from authoring.views.common import actor_of, back, error_message, form_errors
from courses import catalog, recognition
from egl_platform.errors import Conflict, Invalid
from tenants.decorators import capability_required
from tenants.permissions import Capability

T = "courses/recognition/"
FEEDBACK_PER_PAGE = 20

STARS_MESSAGE = gettext_lazy("Choose a rating from 1 to 5 stars.")


def star_label(star: int) -> str:
    return ngettext("%(count)d star", "%(count)d stars", star) % {"count": star}


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=gettext_lazy("Your rating"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": STARS_MESSAGE, "invalid_choice": STARS_MESSAGE},
    )
    feedback = forms.CharField(
        label=gettext_lazy("Feedback (optional)"),
        required=False,
        strip=False,
        max_length=recognition.FEEDBACK_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "What worked for you, and what could be better? Plain text. "
            "The course's authors see it with your name."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "rating-%s")
        super().__init__(*args, **kwargs)
        stars = cast(forms.TypedChoiceField, self.fields["stars"])
        stars.choices = [(star, star_label(star)) for star in recognition.STARS]
        feedback = self.fields["feedback"]
        feedback.error_messages["max_length"] = _("Feedback can be at most %(max)d characters.") % {
            "max": recognition.FEEDBACK_MAX
        }


class ThanksForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Thank-you note (optional)"),
        required=False,
        strip=False,
        max_length=recognition.THANKS_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def rating_form_for(state: recognition.RatingState) -> RatingForm:
    rating = state.rating
    initial = {"stars": rating.stars, "feedback": rating.feedback} if rating else {}
    return RatingForm(initial=initial)


# --- rating -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@capability_required(Capability.COURSE_TAKE)
def rate(request: HttpRequest, course_uuid: Any) -> HttpResponse:
    """GET: the rating form on its own page. POST: save the rating, then back to `next`."""
    actor = actor_of(request)
    entry = catalog.catalog_entry_for(actor=actor, course_uuid=course_uuid)
    state = recognition.rating_state(actor=actor, course=entry.course)
    course_url = reverse("catalog:course", kwargs={"course_uuid": entry.course.uuid})
    form = rating_form_for(state)
    status = 200
    if request.method == "POST":
        form = RatingForm(request.POST)
        if form.is_valid():
            try:
                recognition.rating_set(
                    actor=actor,
                    course=entry.course,
                    stars=form.cleaned_data["stars"],
                    feedback=form.cleaned_data["feedback"],
                )
            except Invalid as error:
                form_errors(form, error)
            else:
                messages.success(request, _("Thank you: your rating is saved."))
                return back(request, course_url)
        status = 400
    context = {
        "entry": entry,
        "state": state,
        "form": form,
        "next": request.POST.get("next") or request.GET.get("next") or course_url,
        "course_url": course_url,
    }
    return render(request, T + "rate.html", context, status=status)


# --- impact -------------------------------------------------------------------------------------


@require_GET
@capability_required(Capability.RESULTS_OWN)
def impact(request: HttpRequest) -> HttpResponse:
    """The author's courses: learners reached, completions and ratings, with totals."""
    overview = recognition.my_impact(actor=actor_of(request))
    return render(request, T + "impact.html", {"overview": overview})


def _course_page(
    request: HttpRequest,
    course_uuid: Any,
    *,
    forms_by_rating: dict[Any, ThanksForm] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    actor = actor_of(request)
    course = recognition.course_for_impact(actor=actor, course_uuid=course_uuid)
    figures = recognition.course_impact(actor=actor, course=course)
    page_obj = Paginator(
        recognition.course_feedback(actor=actor, course=course), FEEDBACK_PER_PAGE
    ).get_page(request.GET.get("page"))
    forms_by_rating = forms_by_rating or {}
    items = [
        {
            "rating": rating,
            "form": forms_by_rating.get(rating.uuid)
            or ThanksForm(auto_id=f"thanks-{rating.uuid}-%s"),
            "can_thank": rating.thanked_at is None and rating.learner_id != actor.pk,
        }
        for rating in page_obj.object_list
    ]
    context = {
        "course": course,
        "figures": figures,
        "page_obj": page_obj,
        "items": items,
        "error": error,
    }
    return render(request, T + "course_impact.html", context, status=status)


@require_GET
@capability_required(Capability.RESULTS_OWN)
def course_impact(request: HttpRequest, course_uuid: Any) -> HttpResponse:
    """One course: the figures, the rating distribution and the feedback, newest first."""
    return _course_page(request, course_uuid)


@require_POST
@capability_required(Capability.COURSE_CREATE)
def thank(request: HttpRequest, rating_uuid: Any) -> HttpResponse:
    """Thank the learner for a rating, once; then back to the course's impact page."""
    actor = actor_of(request)
    rating = recognition.rating_for_thanks(actor=actor, rating_uuid=rating_uuid)
    course_uuid = rating.course.uuid
    form = ThanksForm(request.POST, auto_id=f"thanks-{rating.uuid}-%s")
    if form.is_valid():
        try:
            recognition.rating_thank(
                actor=actor, rating=rating, message=form.cleaned_data["message"]
            )
        except Conflict as error:
            return _course_page(request, course_uuid, error=error_message(error), status=409)
        except Invalid as error:
            form_errors(form, error)
        else:
            messages.success(
                request,
                _("Your thanks are on their way to %(name)s.") % {"name": rating.learner.user.name},
            )
            return redirect(
                reverse("recognition:course", kwargs={"course_uuid": course_uuid})
                + f"#rating-{rating.uuid}"
            )
    return _course_page(
        request,
        course_uuid,
        forms_by_rating={rating.uuid: form},
        error=_("Check the thank-you note."),
        status=400,
    )
