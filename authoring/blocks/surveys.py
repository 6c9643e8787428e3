"""Questions that are answered but not scored: open question and Likert scale.

`score` still checks the response's shape, then returns Score(0, 0, correct=None).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy

from authoring.blocks.base import QuestionType, question_fields, register
from authoring.blocks.fields import Items, Text, Value

OPEN_ANSWER_DEFAULT_MAX = 2_000


@register
class OpenQuestion(QuestionType):
    """A question answered in the learner's own words; not scored. Response: the text.

    The optional sample answer is shown with the feedback, after answering.
    """

    type = "open_question"
    label = gettext_lazy("Open question")
    scored = False
    fields = question_fields(
        Value(
            "max_length",
            {
                "type": "integer",
                "minimum": 1,
                "maximum": 10_000,
                "default": OPEN_ANSWER_DEFAULT_MAX,
            },
        ),
        Text("sample_answer", html=True, required=False, secret=True),
        scored=False,
    )

    def response_schema(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"type": "string", "maxLength": data.get("max_length", OPEN_ANSWER_DEFAULT_MAX)}

    def response_feedback(self, data: Mapping[str, Any], response: Any) -> list[str]:
        return [data.get("sample_answer", "")]


@register
class LikertQuestion(QuestionType):
    """Statements rated on one scale (e.g. disagree … agree); not scored.

    Response: an object from statement id to scale point id; statements may be skipped.
    """

    type = "likert"
    label = gettext_lazy("Likert scale")
    scored = False
    fields = question_fields(
        Items("statements", [Text("text", max_length=500)], min_items=1, max_items=30),
        Items("scale", [Text("label", max_length=100)], min_items=2, max_items=11),
        scored=False,
    )

    def response_schema(self, data: Mapping[str, Any]) -> dict[str, Any]:
        statements = [s["id"] for s in data["statements"]]
        scale = [point["id"] for point in data["scale"]]
        return {
            "type": "object",
            "propertyNames": {"enum": statements},
            "additionalProperties": {"type": "string", "enum": scale},
            "maxProperties": len(statements),
        }
