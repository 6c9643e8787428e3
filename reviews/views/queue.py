"""The L&D review queue, a course's review history, and the categories' policies and pools.

The queue is for reviewers (COURSE_REVIEW); authors are told where their reviews are (403),
learners get 403. The history is for reviewers and the course's authors; a course the member
may not edit — another tenant's included — is 404. Categories: reviewers read them, whoever
may change the policy (reviews.pools.POOL_CAPABILITY) changes policy and pool.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from authoring.access import parse_uuid
from authoring.views.common import actor_of, form_errors, optional_url
from egl_platform.errors import DomainError, Forbidden, Invalid, NotFound
from reviews import pools, queue
from reviews.figures import review_figures
from reviews.models import ReviewCategory, ReviewStatus
from tenants.decorators import capability_required
from tenants.models import Group, Membership
from tenants.permissions import Capability, has_capability

T = "reviews/"
PER_PAGE = 25


def _wants_fragment(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


# --- the queue -----------------------------------------------------------------------------------


def _choices(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


class QueueFilterForm(forms.Form):
    """The queue's filters (GET). An invalid value falls back to its default."""

    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    reviewer = forms.ChoiceField(label=gettext_lazy("Reviewer"), required=False)
    age = forms.TypedChoiceField(
        label=gettext_lazy("Waiting"), required=False, coerce=int, empty_value=None
    )
    sort = forms.ChoiceField(
        label=gettext_lazy("Order"), required=False, choices=queue.SORT_CHOICES
    )

    def __init__(
        self,
        *args: Any,
        categories: dict[str, ReviewCategory],
        reviewers: list[Membership],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.fields[name].widget.attrs["data-autosubmit"] = ""
        _choices(self, "status").choices = [
            *ReviewStatus.choices,
            (queue.STATUS_ALL, _("Any status")),
        ]
        _choices(self, "category").choices = [
            ("", _("Any category")),
            *((slug, c.name) for slug, c in categories.items()),
        ]
        _choices(self, "reviewer").choices = [
            ("", _("Anyone")),
            (queue.REVIEWER_ME, _("Requested from me")),
            (queue.REVIEWER_UNASSIGNED, _("No one requested (L&D queue)")),
            *((str(m.uuid), m.user.name) for m in reviewers),
        ]
        _choices(self, "age").choices = [("", _("Any time")), *queue.AGE_CHOICES]

    def filters(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()  # the valid fields land in cleaned_data, the others fall back
            data = self.cleaned_data
        return {
            "status": data.get("status") or ReviewStatus.OPEN,
            "category": data.get("category") or "",
            "reviewer": data.get("reviewer") or "",
            "age_days": data.get("age") or 0,
            "sort": data.get("sort") or queue.SORT_OLDEST,
        }


def _figures_view(figures: dict[str, Any]) -> dict[str, Any]:
    """Durations as hours and days for the template."""

    def hours(seconds: float | None) -> float | None:
        return None if seconds is None else round(seconds / 3600, 1)

    first = figures["time_to_first_response"]
    cycle = figures["cycle_time"]
    rounds = figures["rounds_to_approval"]
    return {
        "counts": figures["counts"],
        "first_response_median_hours": hours(first["median_seconds"]),
        "first_response_average_hours": hours(first["average_seconds"]),
        "first_response_count": first["count"],
        "cycle_median_days": None
        if cycle["median_seconds"] is None
        else round(cycle["median_seconds"] / 86400, 1),
        "cycle_average_days": None
        if cycle["average_seconds"] is None
        else round(cycle["average_seconds"] / 86400, 1),
        "cycle_count": cycle["count"],
        "rounds_median": rounds["median"],
        "rounds_average": None if rounds["average"] is None else round(rounds["average"], 1),
    }


@capability_required(Capability.COURSE_SUBMIT)
@require_GET
def queue_page(request: HttpRequest) -> HttpResponse:
    """The review queue with filters, sorting, pages and the headline figures."""
    actor = actor_of(request)
    if not has_capability(actor, Capability.COURSE_REVIEW):
        raise Forbidden(
            _(
                "The review queue is for the L&D review team. The reviews of your own courses "
                "are on each course's page, under “Review and publishing”."
            )
        )
    categories = queue.categories_by_slug()
    reviewers = queue.reviewers_of_tenant()
    form = QueueFilterForm(request.GET or None, categories=categories, reviewers=reviewers)
    filters = form.filters()
    try:
        reviews = queue.queue_reviews(actor=actor, **filters)
    except NotFound:  # a reviewer filter that is not a uuid: ignore it
        filters["reviewer"] = ""
        reviews = queue.queue_reviews(actor=actor, **filters)
    page = Paginator(reviews, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page,
        "rows": queue.queue_rows(page.object_list, categories),
        "filters": filters,
        "filtered": any(
            [
                filters["category"],
                filters["reviewer"],
                filters["age_days"],
                filters["status"] != ReviewStatus.OPEN,
            ]
        ),
        "figures": _figures_view(review_figures(actor=actor, category=filters["category"] or None)),
        "categories_url": reverse("reviews:categories"),
    }
    template = T + ("queue.html#results" if _wants_fragment(request) else "queue.html")
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- a course's history --------------------------------------------------------------------------


@capability_required(Capability.COURSE_SUBMIT)
@require_GET
def history_page(request: HttpRequest, course_uuid: Any) -> HttpResponse:
    """Every review round of the course with its decisions and comment counts."""
    actor = actor_of(request)
    course, rounds = queue.course_history(actor=actor, course_uuid=course_uuid)
    review_urls = {r.pk: optional_url("reviews:review", review_uuid=r.uuid) for r in rounds}
    context = {
        "course": course,
        "rounds": [(r, review_urls[r.pk]) for r in rounds],
        "workspace_url": reverse("authoring:course-edit", kwargs={"course_uuid": course.uuid}),
        "is_reviewer": has_capability(actor, Capability.COURSE_REVIEW),
    }
    return render(request, T + "history.html", context)


# --- categories: policy and pool -----------------------------------------------------------------


class AnyUuidChoices(forms.MultipleChoiceField):
    """Checkboxes whose posted values the service checks (reviewers of this tenant only), so
    a refusal comes back with its reason rather than "not one of the choices"."""

    def valid_value(self, value: Any) -> bool:
        return True


class CategoryForm(forms.Form):
    """One category's policy and pool (POST). Choices are the tenant's reviewers and groups."""

    category = forms.UUIDField(widget=forms.HiddenInput)
    approval_required = forms.BooleanField(
        label=gettext_lazy("Approval required before publishing"), required=False
    )
    approvals_needed = forms.TypedChoiceField(
        label=gettext_lazy("Approvals needed"),
        choices=[(1, "1"), (2, "2")],
        coerce=int,
    )
    review_after_publication = forms.BooleanField(
        label=gettext_lazy("Without required approval: review after the author publishes"),
        required=False,
        help_text=gettext_lazy("The course goes live at once; L&D looks at it afterwards."),
    )
    members = AnyUuidChoices(
        label=gettext_lazy("Reviewers"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    groups = AnyUuidChoices(
        label=gettext_lazy("Groups"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Every reviewer in these groups joins the pool."),
    )

    def __init__(
        self,
        *args: Any,
        category: ReviewCategory,
        reviewers: list[Membership],
        groups: list[Group],
        **kwargs: Any,
    ) -> None:
        # One form per category on the page: the same names, ids of their own.
        kwargs.setdefault("auto_id", f"category-{category.uuid}-%s")
        if not args or args[0] is None:
            kwargs.setdefault(
                "initial",
                {
                    "category": category.uuid,
                    "approval_required": category.approval_required,
                    "approvals_needed": category.approvals_needed,
                    "review_after_publication": category.review_after_publication,
                    "members": [str(m.uuid) for m in category.reviewer_members.all()],
                    "groups": [str(g.uuid) for g in category.reviewer_groups.all()],
                },
            )
        super().__init__(*args, **kwargs)
        self.target = category
        known = {str(m.uuid): m.user.name for m in reviewers}
        for member in category.reviewer_members.all():
            known.setdefault(str(member.uuid), member.user.name)
        _choices(self, "members").choices = list(known.items())
        _choices(self, "groups").choices = [(str(g.uuid), g.name) for g in groups]


def _resolve(model: Any, keys: list[str], field: str) -> list[Any]:
    """The tenant's objects with these uuids; Invalid when any is unknown (or another
    tenant's: the manager only sees this tenant's rows)."""
    try:
        uuids = {parse_uuid(k) for k in keys}
    except NotFound:
        uuids = None
    found = list(model.objects.filter(uuid__in=uuids or [])) if uuids is not None else []
    if uuids is None or len(found) != len(uuids):
        raise Invalid(
            _("Some of the chosen entries do not exist."),
            fields={field: [_("Choose from the list.")]},
        )
    return found


@capability_required(Capability.COURSE_REVIEW)
@require_http_methods(["GET", "POST"])
def categories_page(request: HttpRequest) -> HttpResponse:
    """Each category's approval policy and reviewer pool; POST saves one category."""
    actor = actor_of(request)
    categories = list(pools.categories_with_pools())
    reviewers, groups = pools.pool_candidates()
    can_manage = has_capability(actor, pools.POOL_CAPABILITY)
    bound: CategoryForm | None = None
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise Forbidden(_("Only admins can change the review policies."))
        key = request.POST.get("category", "")
        target = next((c for c in categories if str(c.uuid) == key), None)
        if target is None:
            raise NotFound(_("Not found."))
        bound = CategoryForm(request.POST, category=target, reviewers=reviewers, groups=groups)
        if bound.is_valid():
            data = bound.cleaned_data
            try:
                pools.category_configure(
                    actor=actor,
                    category=target,
                    approval_required=data["approval_required"],
                    approvals_needed=data["approvals_needed"],
                    review_after_publication=data["review_after_publication"],
                    members=_resolve(Membership, data["members"], "members"),
                    groups=_resolve(Group, data["groups"], "groups"),
                )
            except DomainError as error:
                form_errors(bound, error)
                status = error.status
            else:
                messages.success(
                    request, _("The policy of “%(name)s” was saved.") % {"name": target.name}
                )
                return redirect(reverse("reviews:categories") + f"#category-{target.uuid}")
        else:
            status = 400
    entries = []
    for category in categories:
        if bound is not None and bound.target.pk == category.pk:
            form = bound
        else:
            form = CategoryForm(None, category=category, reviewers=reviewers, groups=groups)
        entries.append({"category": category, "form": form})
    context = {"entries": entries, "can_manage": can_manage}
    return render(request, T + "categories.html", context, status=status)
