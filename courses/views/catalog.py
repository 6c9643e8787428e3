"""The catalog pages: search and filters, one course's page with its action (enrol, continue,
review), and for reviewers and admins the assignment form and who is assigned or enrolled.

Every member (learners included) may browse; a course without a live release — another
tenant's included — is 404; assigning needs COURSE_REVIEW or TENANT_MANAGE (403 otherwise).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from authoring.access import can_edit_course
from authoring.views.common import actor_of, form_errors, optional_url
from courses import catalog, enrolments
from courses.models import CatalogEntry, Enrollment, EnrollmentSource, EnrollmentStatus
from egl_platform.errors import DomainError
from reviews.selectors import categories_list
from tenants.decorators import capability_required
from tenants.models import Group, Membership, MembershipStatus
from tenants.permissions import Capability

PER_PAGE = 20
LEARNERS_PER_PAGE = 50


def language_name(code: str) -> str:
    names = dict(settings.LANGUAGES)
    if code in names:
        return str(names[code])
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


# --- the catalog --------------------------------------------------------------------------------


class CatalogFilterForm(forms.Form):
    """The catalog's search and filters (GET). An invalid value falls back to its default."""

    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=200)
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    language = forms.ChoiceField(label=gettext_lazy("Language"), required=False)
    duration = forms.ChoiceField(label=gettext_lazy("Duration"), required=False)
    recency = forms.ChoiceField(label=gettext_lazy("New or updated"), required=False)
    sort = forms.ChoiceField(
        label=gettext_lazy("Order"), required=False, choices=catalog.SORT_CHOICES
    )

    def __init__(
        self, *args: Any, categories: dict[str, str], languages: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TextInput, self.fields["q"].widget).input_type = "search"
        choices: dict[str, list[tuple[str, Any]]] = {
            "category": [("", _("Any category")), *categories.items()],
            "language": [("", _("Any language")), *((c, language_name(c)) for c in languages)],
            "duration": [("", _("Any duration")), *catalog.DURATION_CHOICES],
            "recency": [("", _("Any time")), *catalog.RECENCY_CHOICES],
        }
        for name, options in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = options

    def values(self) -> dict[str, str]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: str(data.get(name) or "") for name in self.fields}


@require_GET
@capability_required(Capability.COURSE_TAKE)
def catalog_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    categories = {c.slug: c.name for c in categories_list()}
    languages = sorted(
        set(
            CatalogEntry.objects.filter(is_listed=True)
            .values_list("language", flat=True)
            .distinct()
        )
    )
    form = CatalogFilterForm(request.GET or None, categories=categories, languages=languages)
    filters = form.values()
    entries = catalog.catalog_search(actor=actor, **filters)
    page_obj = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    course_ids = [entry.course_id for entry in page_obj.object_list]
    mine = {
        e.course_id: e
        for e in Enrollment.objects.filter(learner=actor, course_id__in=course_ids).only(
            "course_id", "status", "source", "due_at", "progress_percent", "tenant_id"
        )
    }
    cards = [
        {
            "entry": entry,
            "category_name": categories.get(entry.category, entry.category),
            "language_name": language_name(entry.language),
            "enrollment": mine.get(entry.course_id),
        }
        for entry in page_obj.object_list
    ]
    return render(
        request,
        "courses/catalog/list.html",
        {
            "form": form,
            "filters": filters,
            "filtered": any(filters.values()),
            "page_obj": page_obj,
            "cards": cards,
            "statuses": EnrollmentStatus,
            "sources": EnrollmentSource,
        },
    )


# --- one course ---------------------------------------------------------------------------------


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.user.name} ({obj.user.email})"


class AssignForm(forms.Form):
    members = MemberChoiceField(
        label=gettext_lazy("People"),
        queryset=None,
        to_field_name="uuid",
        required=False,
        help_text=gettext_lazy("Hold Ctrl (Cmd on a Mac) to choose more than one."),
    )
    groups: forms.ModelMultipleChoiceField[Group] = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Groups"),
        queryset=None,
        to_field_name="uuid",
        required=False,
        help_text=gettext_lazy("Everyone in the group now is enrolled."),
    )
    due_date = forms.DateField(
        label=gettext_lazy("Due date (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Due at the end of this day."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["members"]).queryset = (
            Membership.objects.filter(
                status=MembershipStatus.ACTIVE, user__is_active=True, is_guest=False
            )
            .select_related("user")
            .order_by("user__display_name", "user__email")
        )
        cast(
            forms.ModelMultipleChoiceField, self.fields["groups"]
        ).queryset = Group.objects.order_by("kind", "name")

    def due_at(self) -> datetime | None:
        day = self.cleaned_data.get("due_date")
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def _course_context(request: HttpRequest, entry: CatalogEntry) -> dict[str, Any]:
    actor = actor_of(request)
    page = catalog.course_page(entry)
    enrollment = enrolments.enrolment_for(actor=actor, course=entry.course)
    course_uuid = entry.course.uuid
    categories = {c.slug: c.name for c in categories_list()} if entry.category else {}
    context: dict[str, Any] = {
        "entry": entry,
        "course": entry.course,
        "page": page,
        "category_name": categories.get(entry.category, entry.category),
        "language_name": language_name(entry.language),
        "enrollment": enrollment,
        "statuses": EnrollmentStatus,
        "now": timezone.now(),
        "player_url": optional_url("player:resume", course_uuid=course_uuid),
        "can_assign": catalog.can_assign(actor),
        "can_share": can_edit_course(actor, entry.course),
    }
    if context["can_assign"]:
        context["assign_form"] = AssignForm()
        context["enrolled_count"] = Enrollment.objects.filter(course=entry.course).count()
    return context


@require_GET
@capability_required(Capability.COURSE_TAKE)
def catalog_course(request: HttpRequest, course_uuid: Any) -> HttpResponse:
    entry = catalog.catalog_entry_for(actor=actor_of(request), course_uuid=course_uuid)
    return render(request, "courses/catalog/course.html", _course_context(request, entry))


@require_POST
@capability_required(Capability.COURSE_TAKE)
def catalog_enrol(request: HttpRequest, course_uuid: Any) -> HttpResponse:
    actor = actor_of(request)
    entry = catalog.catalog_entry_for(actor=actor, course_uuid=course_uuid)
    enrolments.enrol_self(actor=actor, course=entry.course)
    messages.success(request, _("You are enrolled. Start whenever you like."))
    target = optional_url("player:resume", course_uuid=entry.course.uuid)
    return redirect(target or reverse("catalog:course", kwargs={"course_uuid": entry.course.uuid}))


@require_http_methods(["POST"])
@capability_required(Capability.COURSE_REVIEW)
def catalog_assign(request: HttpRequest, course_uuid: Any) -> HttpResponse:
    actor = actor_of(request)
    enrolments.require_assigner(actor)
    entry = catalog.catalog_entry_for(actor=actor, course_uuid=course_uuid)
    form = AssignForm(request.POST)
    if form.is_valid():
        try:
            result = enrolments.assign(
                actor=actor,
                course=entry.course,
                members=form.cleaned_data["members"],
                groups=form.cleaned_data["groups"],
                due_at=form.due_at(),
            )
        except DomainError as error:
            if "due_at" in error.fields:
                error.fields["due_date"] = error.fields.pop("due_at")
            form_errors(form, error)
        else:
            messages.success(
                request,
                _("Assigned: %(new)d newly enrolled, %(updated)d already enrolled.")
                % {"new": result.enrolled, "updated": result.updated},
            )
            return redirect(reverse("catalog:course", kwargs={"course_uuid": entry.course.uuid}))
    context = _course_context(request, entry)
    context["assign_form"] = form
    return render(request, "courses/catalog/course.html", context, status=400)


@require_GET
@capability_required(Capability.COURSE_REVIEW)
def catalog_learners(request: HttpRequest, course_uuid: Any) -> HttpResponse:
    actor = actor_of(request)
    enrolments.require_assigner(actor)
    entry = catalog.catalog_entry_for(actor=actor, course_uuid=course_uuid)
    page_obj = Paginator(
        enrolments.course_enrolments(actor=actor, course=entry.course), LEARNERS_PER_PAGE
    ).get_page(request.GET.get("page"))
    assignments = list(enrolments.assignments_for_course(actor=actor, course=entry.course)[:20])
    return render(
        request,
        "courses/catalog/learners.html",
        {
            "entry": entry,
            "page_obj": page_obj,
            "assignments": assignments,
            "now": timezone.now(),
            "statuses": EnrollmentStatus,
        },
    )
