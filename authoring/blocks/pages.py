"""Page kinds and their settings.

A content page teaches; a knowledge check asks questions that are not graded; a quiz is
graded with the settings below. Any page may hold any block: a quiz may open with text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from authoring.blocks.values import Problem, pointer


class PageKind(models.TextChoices):
    CONTENT = "content", gettext_lazy("Content")
    KNOWLEDGE_CHECK = "knowledge_check", gettext_lazy("Knowledge check")
    QUIZ = "quiz", gettext_lazy("Quiz")


QUIZ_SETTINGS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        # Percentage of the quiz's points needed to pass.
        "passing_score": {"type": "integer", "minimum": 0, "maximum": 100},
        # 0 means unlimited attempts.
        "attempts": {"type": "integer", "minimum": 0, "maximum": 100},
        "random_order": {"type": "boolean"},
        # Draw this many questions from the page's pool per attempt; null: all of them.
        "draw_count": {"type": ["integer", "null"], "minimum": 1},
    },
    "required": ["passing_score", "attempts", "random_order"],
    "additionalProperties": False,
}

# Content pages and knowledge checks have no settings yet; an empty object keeps the
# page shape the same for every kind and leaves room to add some.
NO_SETTINGS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {},
    "additionalProperties": False,
}


def settings_schema(kind: str) -> dict[str, Any]:
    return QUIZ_SETTINGS_SCHEMA if kind == PageKind.QUIZ else NO_SETTINGS_SCHEMA


def default_settings(kind: str) -> dict[str, Any]:
    if kind == PageKind.QUIZ:
        return {"passing_score": 80, "attempts": 0, "random_order": False, "draw_count": None}
    return {}


def settings_problems(
    kind: str, settings: Mapping[str, Any], *, question_count: int
) -> list[Problem]:
    """Rules of a page's settings beyond their schema, given how many questions it has."""
    draw_count = settings.get("draw_count") if kind == PageKind.QUIZ else None
    if isinstance(draw_count, int) and draw_count > question_count:
        return [
            Problem(
                pointer("draw_count"),
                _("The quiz has only %(n)d questions to draw from.") % {"n": question_count},
                "draw_count",
            )
        ]
    return []
