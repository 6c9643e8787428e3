"""Forms of the course editor's pages. They parse and shape input; the rules live in services."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from authoring.blocks.pages import PageKind
from authoring.categories import category_choices
from authoring.models import CourseStatus
from tenants.models import CONTENT_LANGUAGES

SCOPE_CHOICES = [("mine", _("My courses")), ("all", _("All courses"))]
LANGUAGE_NAMES = dict(CONTENT_LANGUAGES)
# Objectives added on the settings page without JavaScript: this many empty rows.
NEW_OBJECTIVE_ROWS = 2


class CourseFilterForm(forms.Form):
    """Search and filters of "My courses" (GET)."""

    q = forms.CharField(
        label=_("Search by title or description"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *CourseStatus.choices],
        widget=forms.Select(attrs={"data-autosubmit": ""}),
    )
    scope = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=SCOPE_CHOICES,
        widget=forms.Select(attrs={"data-autosubmit": ""}),
    )

    def __init__(self, *args: Any, can_see_all: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_see_all:
            del self.fields["scope"]

    def filters(self) -> dict[str, str]:
        """The valid filters; an invalid value is ignored rather than refused."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "search": (data.get("q") or "").strip(),
            "status": data.get("status") or "",
            "scope": data.get("scope") or "mine",
        }


class CourseSettingsForm(forms.Form):
    """A course's settings. Objectives come as parallel lists (see `objectives_from`)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One or two sentences: who the course is for and what they will be able to do."
        ),
    )
    language = forms.ChoiceField(label=_("Language of the course"))
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        help_text=_(
            "The category decides whether L&D must approve the course before it is published."
        ),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("Separate tags with commas."),
    )
    cover = forms.CharField(
        label=_("Cover image"),
        required=False,
        widget=forms.HiddenInput(attrs={"data-kind": "asset", "data-accept": "image/"}),
    )

    def __init__(self, *args: Any, languages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language_field = self.fields["language"]
        assert isinstance(language_field, forms.ChoiceField)
        language_field.choices = [(code, LANGUAGE_NAMES.get(code, code)) for code in languages]
        category_field = self.fields["category"]
        assert isinstance(category_field, forms.ChoiceField)
        choices = [("", _("No category")), *category_choices()]
        # A category from before (an import, an old template) stays selectable, so saving the
        # form never drops it silently.
        current = self.initial.get("category") or ""
        if current and current not in dict(choices):
            choices.append((current, current))
        category_field.choices = choices

    def clean_cover(self) -> str:
        value = (self.cleaned_data.get("cover") or "").strip()
        if value:
            try:
                uuid.UUID(value)
            except ValueError:
                raise forms.ValidationError(_("Choose an image from the media library.")) from None
        return value

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        return [tag.strip() for tag in raw.split(",") if tag.strip()]


def objectives_from(data: Any) -> list[dict[str, str]]:
    """Objectives from the settings form: `objective_id` and `objective_text` lists, in order.

    A row whose text was emptied is dropped (that is how an objective is removed without
    JavaScript); a row without an id is new and gets one from the service.
    """
    ids = data.getlist("objective_id")
    texts = data.getlist("objective_text")
    objectives = []
    for index, text in enumerate(texts):
        if not str(text).strip():
            continue
        objective = {"text": str(text)}
        if index < len(ids) and ids[index]:
            objective["id"] = str(ids[index])
        objectives.append(objective)
    return objectives


class TitleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)


class PageAddForm(forms.Form):
    title = forms.CharField(label=_("Title of the new page"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind of page"), choices=PageKind.choices)


class MoveForm(forms.Form):
    """A move without JavaScript: one step up or down, or (pages) to the end of another section."""

    direction = forms.ChoiceField(required=False, choices=[("up", _("Up")), ("down", _("Down"))])
    section = forms.UUIDField(required=False)
    index = forms.IntegerField(required=False, min_value=0)


class PageSettingsForm(forms.Form):
    """A page's title, kind and (quiz) settings."""

    title = forms.CharField(label=_("Page title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of page"), choices=PageKind.choices)
    passing_score = forms.IntegerField(
        label=_("Passing score (%)"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=_("The share of the quiz's points a learner needs to pass."),
    )
    attempts = forms.IntegerField(
        label=_("Attempts allowed"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=_("0 means as many as the learner likes."),
    )
    random_order = forms.BooleanField(label=_("Show the questions in random order"), required=False)
    draw_count = forms.IntegerField(
        label=_("Questions drawn per attempt"),
        required=False,
        min_value=1,
        help_text=_("Leave empty to ask every question on the page."),
    )

    def settings(self) -> dict[str, Any] | None:
        """The settings to save for the chosen kind (None: the kind's defaults)."""
        data = self.cleaned_data
        if data["kind"] != PageKind.QUIZ:
            return {}
        if data.get("passing_score") is None and data.get("attempts") is None:
            return None
        return {
            "passing_score": data.get("passing_score")
            if data.get("passing_score") is not None
            else 80,
            "attempts": data.get("attempts") or 0,
            "random_order": bool(data.get("random_order")),
            "draw_count": data.get("draw_count"),
        }


class MemberForm(forms.Form):
    """Pick a member (a co-author to add, or the new owner) from the active authors."""

    member = forms.ChoiceField(label=_("Person"))

    def __init__(self, *args: Any, members: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        member_field = self.fields["member"]
        assert isinstance(member_field, forms.ChoiceField)
        member_field.choices = [("", _("Choose a person"))] + [
            (str(m.uuid), f"{m.user.name} ({m.user.email})") for m in members
        ]
