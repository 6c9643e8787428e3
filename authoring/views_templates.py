"""Starting a course: blank, from a template, or through the wizard (new-course/).

Thin views: a form parses the input, one service creates the course, and the author lands
in the editor (or back here while the editor is not installed). The wizard is one form
over four steps: the answers given so far travel along as hidden fields, so it works as
full-page posts without JavaScript and as htmx fragment swaps with it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from authoring.models import Course
from authoring.services.courses import course_create
from authoring.template_library import (
    STARTER_LANGUAGES,
    course_create_from_template,
    course_for_curation,
    course_mark_template,
    starter_language,
    template_list,
)
from authoring.wizard import (
    AUDIENCE_MAX,
    BEHAVIOUR_MAX,
    Barrier,
    Experience,
    Format,
    Frequency,
    WizardAnswers,
    wizard_answers,
    wizard_course_create,
    wizard_recommend,
)
from egl_platform.errors import Invalid
from tenants.decorators import capability_required
from tenants.forms.accounts import add_domain_error
from tenants.models import CONTENT_LANGUAGES, Membership
from tenants.permissions import Capability
from tenants.tenancy import require_active_tenant

T = "authoring/"
TITLE_MAX = 200

# Wizard steps: the fields each one asks. The recommendation comes after the last.
STEPS: dict[int, tuple[str, ...]] = {
    1: ("behaviour",),
    2: ("audience", "experience"),
    3: ("frequency",),
    4: ("barrier",),
}
STEP_LABELS = {
    1: gettext_lazy("What should change"),
    2: gettext_lazy("Who it is for"),
    3: gettext_lazy("How often"),
    4: gettext_lazy("Is training the answer?"),
}
LAST_STEP = max(STEPS)
RESULT = LAST_STEP + 1


# --- forms ---------------------------------------------------------------------------------------


def _offered_languages() -> list[tuple[str, str]]:
    tenant = require_active_tenant()
    offered = set(tenant.languages or []) | {tenant.default_language}
    return [(code, str(name)) for code, name in CONTENT_LANGUAGES if code in offered]


def _default_language() -> str:
    tenant = require_active_tenant()
    current = get_language() or ""
    offered = {code for code, _name in _offered_languages()}
    return current if current in offered else tenant.default_language


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language of the course"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _offered_languages()
        field.initial = _default_language()


class BlankCourseForm(LanguageForm):
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=TITLE_MAX,
        help_text=gettext_lazy("You can change it later."),
    )

    field_order = ("title", "language")


class UseTemplateForm(forms.Form):
    template_key = forms.CharField(max_length=100, widget=forms.HiddenInput)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=TITLE_MAX, required=False)


class WizardForm(forms.Form):
    behaviour = forms.CharField(
        label=gettext_lazy("What should people do differently after the course?"),
        help_text=gettext_lazy(
            "Describe what they do, not what they know: “greet every caller by name”. "
            "Several things? Put each on its own line (at most three)."
        ),
        max_length=BEHAVIOUR_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    audience = forms.CharField(
        label=gettext_lazy("Who are they?"),
        help_text=gettext_lazy("For example: new call-centre agents, field engineers."),
        max_length=AUDIENCE_MAX,
        required=False,
    )
    experience = forms.ChoiceField(
        label=gettext_lazy("How experienced are they with this?"),
        choices=Experience.choices,
        widget=forms.RadioSelect,
    )
    frequency = forms.ChoiceField(
        label=gettext_lazy("How often do they do it?"),
        choices=Frequency.choices,
        widget=forms.RadioSelect,
    )
    barrier = forms.ChoiceField(
        label=gettext_lazy("What stops them from doing it today?"),
        help_text=gettext_lazy("Be honest: training only helps with the first one."),
        choices=Barrier.choices,
        widget=forms.RadioSelect,
    )


class WizardCreateForm(LanguageForm):
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=TITLE_MAX,
        required=False,
        help_text=gettext_lazy("Leave empty to use the first objective."),
    )


# --- helpers -------------------------------------------------------------------------------------


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]  # set by TenantMiddleware


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def course_landing_url(course: Course) -> str:
    """Where a new course opens: the editor when it is installed, else this page."""
    try:
        return reverse("authoring:course-edit", kwargs={"course_uuid": course.uuid})
    except NoReverseMatch:
        return reverse("templates:start")


def _created(request: HttpRequest, course: Course) -> HttpResponse:
    messages.success(request, _("“%(title)s” was created.") % {"title": course.title})
    url = course_landing_url(course)
    if _is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


# --- start ---------------------------------------------------------------------------------------


def _render_start(
    request: HttpRequest,
    *,
    blank_form: BlankCourseForm | None = None,
    use_error: str = "",
    status: int = 200,
) -> HttpResponse:
    wanted = request.GET.get("template_language") or get_language()
    language = starter_language(wanted)
    context = {
        "blank_form": blank_form or BlankCourseForm(),
        "templates": template_list(actor=_actor(request), language=language),
        "template_language": language,
        "starter_languages": [
            (code, name) for code, name in CONTENT_LANGUAGES if code in STARTER_LANGUAGES
        ],
        "use_error": use_error,
    }
    return render(request, T + "templates/start.html", context, status=status)


@capability_required(Capability.COURSE_CREATE)
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """Start a course: blank (POST here), from a template, or with the wizard."""
    if request.method == "GET":
        return _render_start(request)
    form = BlankCourseForm(request.POST)
    if not form.is_valid():
        return _render_start(request, blank_form=form, status=400)
    try:
        course = course_create(
            actor=_actor(request),
            title=form.cleaned_data["title"],
            language=form.cleaned_data["language"],
        )
    except Invalid as error:
        add_domain_error(form, error)
        return _render_start(request, blank_form=form, status=400)
    return _created(request, course)


@capability_required(Capability.COURSE_CREATE)
@require_POST
def use(request: HttpRequest) -> HttpResponse:
    """Create a course from the template named in the form; an unknown template is 404."""
    form = UseTemplateForm(request.POST)
    if not form.is_valid():
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _render_start(request, use_error=message, status=400)
    try:
        course = course_create_from_template(
            actor=_actor(request),
            template_key=form.cleaned_data["template_key"],
            title=form.cleaned_data["title"] or None,
        )
    except Invalid as error:
        return _render_start(request, use_error=str(error.message), status=400)
    return _created(request, course)


# --- the wizard ----------------------------------------------------------------------------------


def _step_of(data: Any) -> int:
    try:
        step = int(data.get("step", 1))
    except (TypeError, ValueError):
        return 1
    return min(max(step, 1), RESULT)


def _raw(data: Any) -> dict[str, str]:
    return {name: data.get(name, "") for name in WizardForm.base_fields}


def _render_wizard(
    request: HttpRequest, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    context = {
        "steps": [(n, STEP_LABELS[n]) for n in STEPS],
        "last_step": LAST_STEP,
        "result_step": RESULT,
        **context,
    }
    # htmx swaps only the panel, and does not swap error statuses: errors come back 200.
    fragment = _is_htmx(request)
    context["fragment"] = fragment
    template = T + "wizard/wizard.html" + ("#panel" if fragment else "")
    response = render(request, template, context, status=200 if fragment else status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _render_step(
    request: HttpRequest, form: WizardForm, step: int, *, status: int = 200
) -> HttpResponse:
    first = STEPS[step][0]
    form.fields[first].widget.attrs["autofocus"] = True
    context = {"form": form, "step": step, "step_fields": STEPS[step]}
    return _render_wizard(request, context, status=status)


def _render_result(
    request: HttpRequest,
    form: WizardForm,
    answers: WizardAnswers,
    *,
    create_form: WizardCreateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    recommendation = wizard_recommend(answers)
    context = {
        "form": form,
        "step": RESULT,
        "answers": answers,
        "summary": [
            (STEP_LABELS[1], answers.behaviour),
            (_("Who they are"), answers.audience or "—"),
            (_("Experience"), Experience(answers.experience).label),
            (STEP_LABELS[3], Frequency(answers.frequency).label),
            (_("What stops them"), Barrier(answers.barrier).label),
        ],
        "recommendation": recommendation,
        "not_training": recommendation.format == Format.NOT_TRAINING,
        "create_form": create_form or WizardCreateForm(),
    }
    return _render_wizard(request, context, status=status)


@capability_required(Capability.COURSE_CREATE)
@require_http_methods(["GET", "POST"])
def wizard(request: HttpRequest) -> HttpResponse:
    """The wizard: one question per step (back / next), then the recommendation and
    "Create the skeleton" (or, when training is not the answer, "Create a job aid anyway")."""
    if request.method == "GET":
        return _render_step(request, WizardForm(), 1)
    data = request.POST
    step, action = _step_of(data), data.get("action", "next")
    if action == "back":
        return _render_step(request, WizardForm(initial=_raw(data)), max(step - 1, 1))
    creating = action in ("create", "create_job_aid")
    form = WizardForm(data)
    form.is_valid()
    answers: WizardAnswers | None = None
    if not form.errors:
        try:
            answers = wizard_answers(form.cleaned_data)
        except Invalid as error:
            add_domain_error(form, error)
    # Go to the first step (so far) with a problem: also catches edited hidden fields.
    upto = LAST_STEP if creating or step >= LAST_STEP else step
    for number in range(1, upto + 1):
        if any(name in form.errors for name in STEPS[number]):
            return _render_step(request, form, number, status=400)
    if step < LAST_STEP and not creating:
        return _render_step(request, WizardForm(initial=_raw(data)), step + 1)
    assert answers is not None  # every step validated above
    if not creating:
        return _render_result(request, form, answers)
    create_form = WizardCreateForm(data)
    if not create_form.is_valid():
        return _render_result(request, form, answers, create_form=create_form, status=400)
    try:
        course = wizard_course_create(
            actor=_actor(request),
            answers=answers,
            format=Format.JOB_AID.value if action == "create_job_aid" else None,
            language=create_form.cleaned_data["language"],
            title=create_form.cleaned_data["title"] or None,
        )
    except Invalid as error:
        add_domain_error(create_form, error)
        return _render_result(request, form, answers, create_form=create_form, status=400)
    return _created(request, course)


# --- marking a course as template ----------------------------------------------------------------


@capability_required(Capability.CONTENT_CURATE)
@require_POST
def toggle(request: HttpRequest, course_uuid: Any) -> HttpResponse:
    """Offer a course as a template, or stop offering it (reviewers). POST `is_template`
    ("1"/"0"; without it the flag flips); another tenant's course is 404."""
    actor = _actor(request)
    course = course_for_curation(actor=actor, course_uuid=course_uuid)
    wanted = request.POST.get("is_template")
    is_template = (wanted in ("1", "true", "on")) if wanted is not None else not course.is_template
    course = course_mark_template(actor=actor, course=course, is_template=is_template)
    if _is_htmx(request):
        response = render(request, T + "templates/_toggle.html", {"course": course})
        patch_vary_headers(response, ("HX-Request",))
        return response
    if course.is_template:
        messages.success(
            request, _("“%(title)s” is now offered as a template.") % {"title": course.title}
        )
    else:
        messages.success(
            request, _("“%(title)s” is no longer offered as a template.") % {"title": course.title}
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = course_landing_url(course)
    return redirect(target)
