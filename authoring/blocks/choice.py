"""Choice questions: single choice, multiple choice and true/false.

Scoring (see QuestionType): single choice and true/false are all or nothing. Multiple
choice counts each correct option chosen as +1 and each wrong option chosen as −1 against
the number of correct options; the response is correct only when it is exactly the set of
correct options. Without `partial_credit` (the default) that means all points or none;
with it, points × max(0, hits − wrong picks) / correct options.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from authoring.blocks.base import QuestionType, question_fields, register
from authoring.blocks.fields import Flag, Items, Text, Value
from authoring.blocks.values import Problem, pointer

OPTION_TEXT_MAX = 1_000


def _options() -> Items:
    return Items(
        "options",
        [
            Text("text", max_length=OPTION_TEXT_MAX),
            Flag("correct", secret=True),
            # Feedback on an option tells whether it was right, so it is secret as well.
            Text("feedback", html=True, required=False, secret=True),
        ],
        min_items=2,
        max_items=20,
    )


def _option_ids(data: Mapping[str, Any]) -> list[str]:
    return [option["id"] for option in data["options"]]


def _correct_ids(data: Mapping[str, Any]) -> set[str]:
    return {option["id"] for option in data["options"] if option.get("correct")}


def _feedback_of(data: Mapping[str, Any], chosen: set[str]) -> list[str]:
    return [o.get("feedback", "") for o in data["options"] if o["id"] in chosen]


@register
class SingleChoiceQuestion(QuestionType):
    """A question with one correct option. Response: the chosen option's id."""

    type = "single_choice"
    label = gettext_lazy("Single choice")
    fields = question_fields(_options())

    def check(self, data: Mapping[str, Any]) -> list[Problem]:
        problems = super().check(data)
        if len(_correct_ids(data)) != 1:
            problems.append(
                Problem(
                    pointer("options"),
                    _("Mark exactly one option as correct."),
                    "correct_count",
                )
            )
        return problems

    def response_schema(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"type": "string", "enum": _option_ids(data)}

    def grade(self, data: Mapping[str, Any], response: Any) -> tuple[int, int]:
        return (1 if response in _correct_ids(data) else 0), 1

    def response_feedback(self, data: Mapping[str, Any], response: Any) -> list[str]:
        return _feedback_of(data, {response})


@register
class MultipleChoiceQuestion(QuestionType):
    """A question with one or more correct options. Response: a list of chosen option ids."""

    type = "multiple_choice"
    label = gettext_lazy("Multiple choice")
    fields = question_fields(_options(), partial_credit=True)

    def check(self, data: Mapping[str, Any]) -> list[Problem]:
        problems = super().check(data)
        if not _correct_ids(data):
            problems.append(
                Problem(
                    pointer("options"),
                    _("Mark at least one option as correct."),
                    "correct_count",
                )
            )
        return problems

    def response_schema(self, data: Mapping[str, Any]) -> dict[str, Any]:
        ids = _option_ids(data)
        return {
            "type": "array",
            "items": {"type": "string", "enum": ids},
            "uniqueItems": True,
            "maxItems": len(ids),
        }

    def grade(self, data: Mapping[str, Any], response: Any) -> tuple[int, int]:
        correct, chosen = _correct_ids(data), set(response)
        hits, wrong = len(chosen & correct), len(chosen - correct)
        return max(0, hits - wrong), len(correct)

    def response_feedback(self, data: Mapping[str, Any], response: Any) -> list[str]:
        return _feedback_of(data, set(response))


@register
class TrueFalseQuestion(QuestionType):
    """A statement that is true or false. Response: true or false."""

    type = "true_false"
    label = gettext_lazy("True or false")
    fields = question_fields(
        Value("correct_answer", {"type": "boolean"}, required=True, secret=True)
    )

    def response_schema(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"type": "boolean"}

    def grade(self, data: Mapping[str, Any], response: Any) -> tuple[int, int]:
        return (1 if response is data["correct_answer"] else 0), 1
