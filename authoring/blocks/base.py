"""The BlockType base, the QuestionType base and the registry.

A block is `{"id", "type", "version", "data"}` (DESIGN.md §5). A block type describes its
`data` declaratively with fields (authoring.blocks.fields); from those come its JSON Schema,
sanitising, translatable segments, references and public (answer-free) data, so each type
only writes the checks and scoring that are really its own.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

from authoring.blocks.fields import (
    Field,
    Flag,
    Group,
    Text,
    UuidList,
    Value,
    object_apply,
    object_check,
    object_public,
    object_references,
    object_sanitize,
    object_schema,
    object_segments,
)
from authoring.blocks.schema_errors import schema_problems
from authoring.blocks.values import (
    CONTENT,
    FAMILIES,
    QUESTION,
    InvalidResponse,
    Problem,
    Reference,
    Score,
    Segment,
    UnknownBlockType,
    count_words,
)


class BlockType:
    """One kind of block. Subclasses set the class attributes and may add `check` rules.

    Every method takes and returns plain JSON-like data and never mutates its input.
    """

    type: ClassVar[str]
    version: ClassVar[int] = 1
    label: ClassVar[str | Promise]
    family: ClassVar[str] = CONTENT
    fields: ClassVar[tuple[Field, ...]] = ()

    def __repr__(self) -> str:
        return f"<BlockType {self.type} v{self.version}>"

    # --- schema and validation ---------------------------------------------------------------

    @cached_property
    def data_schema(self) -> dict[str, Any]:
        """JSON Schema of `data`; self-contained, so it also works outside the document."""
        schema = object_schema(self.fields)
        description = (self.__doc__ or "").strip().split("\n\n")[0]
        return {"title": self.type, "description": " ".join(description.split()), **schema}

    @cached_property
    def _validator(self) -> Draft202012Validator:
        return Draft202012Validator(self.data_schema)

    def validate(self, data: Any) -> list[Problem]:
        """All problems of `data`: its JSON Schema first, then the type's own rules."""
        problems = schema_problems(self._validator, data)
        if problems:
            # The rules below assume the shape is right; they would only add noise.
            return problems
        return self.check(data)

    def check(self, data: Mapping[str, Any]) -> list[Problem]:
        """Rules beyond JSON Schema. Assumes `data` matches `data_schema`."""
        problems = list(object_check(self.fields, data, ""))
        seen: set[str] = set()
        for ref in self.references(data):
            if ref.kind == "id":
                if ref.value in seen:
                    problems.append(
                        Problem(
                            ref.path,
                            _("This identifier is used twice in the block."),
                            "duplicate_id",
                        )
                    )
                seen.add(ref.value)
        return problems

    # --- transformations ---------------------------------------------------------------------

    def sanitize(self, data: Any) -> dict[str, Any]:
        """A sanitised copy: rich text, plain text, URLs and embeds cleaned; unknown keys dropped.

        Idempotent. Validate first: dropping unknown keys is not a way to report them.
        """
        return object_sanitize(self.fields, data if isinstance(data, Mapping) else {})

    def text_segments(self, data: Mapping[str, Any]) -> list[Segment]:
        return list(object_segments(self.fields, data, ""))

    def apply_segments(self, data: Mapping[str, Any], texts: Mapping[str, str]) -> dict[str, Any]:
        """A copy of `data` with the texts of `texts` (segment key → text) put in, sanitised.

        Keys that name no segment are ignored: the caller compares keys to report stale
        translations. The result may be invalid (a translator emptied a required text), so
        the caller validates it.
        """
        return object_apply(self.fields, data, "", texts)

    def word_count(self, data: Mapping[str, Any]) -> int:
        """Words in every translatable text, feedback and accepted answers included."""
        return sum(count_words(s.text, is_html=s.html) for s in self.text_segments(data))

    def references(self, data: Mapping[str, Any]) -> list[Reference]:
        """Ids, assets and objectives inside `data`, for the document's cross-checks."""
        return list(object_references(self.fields, data, ""))

    def public_data(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """What a learner's page may hold: `data` without answers and answer feedback."""
        return object_public(self.fields, data)

    def rekey(
        self, data: Mapping[str, Any], new_id: Callable[[], str] = lambda: str(uuid.uuid4())
    ) -> dict[str, Any]:
        """A copy with fresh UUIDs for every id the block owns (options, items, …).

        For duplicating a block: ids are unique across the whole document, and a copy that
        kept them would share comments, translations and xAPI activity ids with the original.
        """
        mapping = {ref.value: new_id() for ref in self.references(data) if ref.kind == "id"}
        return self.replace_ids(copy.deepcopy(dict(data)), mapping)

    def replace_ids(self, data: dict[str, Any], mapping: Mapping[str, str]) -> dict[str, Any]:
        """Put `mapping`'s new ids in place of the old, in `data` itself (a fresh copy).

        Types that mention their ids elsewhere (gap markers in a text) extend this.
        """
        for ref in self.references(data):
            if ref.kind == "id" and ref.value in mapping:
                *parents, last = [
                    part.replace("~1", "/").replace("~0", "~") for part in ref.path.split("/")[1:]
                ]
                target: Any = data
                for part in parents:
                    target = target[int(part)] if isinstance(target, list) else target[part]
                target[int(last) if isinstance(target, list) else last] = mapping[ref.value]
        return data


def question_fields(
    *specific: Field, scored: bool = True, partial_credit: bool = False
) -> tuple[Field, ...]:
    """The fields every question has around its own: prompt, points, feedback, objectives.

    Unscored questions (open, Likert) have no points and one general feedback instead of
    correct/incorrect. `partial_credit` offers the author the per-part scoring switch.
    """
    tail: list[Field]
    if scored:
        tail = [Value("points", {"type": "integer", "minimum": 0, "maximum": 1000, "default": 1})]
        if partial_credit:
            tail.append(Flag("partial_credit"))
        feedback = [
            Text("correct", html=True, required=False),
            Text("incorrect", html=True, required=False),
        ]
    else:
        tail, feedback = [], [Text("general", html=True, required=False)]
    # Feedback says whether the answer was right, so it reaches the learner only after
    # the server has scored the response (DESIGN.md §8).
    tail.append(Group("feedback", feedback, secret=True))
    tail.append(UuidList("objective_ids", kind="objective"))
    return (Text("prompt", html=True), *specific, *tail)


class QuestionType(BlockType):
    """A block the learner answers. Scored types implement `response_schema` and `grade`.

    Scoring rule, for every scored type: `grade` counts the parts answered right; the
    response is correct when all parts are. Without `partial_credit` (the default, and the
    only option for single-part types) a response earns all points or none; with it, points
    × right / parts, rounded to two decimals.
    """

    family = QUESTION
    scored: ClassVar[bool] = True

    def response_schema(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """JSON Schema of a learner's response to this question (it names the real ids)."""
        raise NotImplementedError

    def check_response(self, data: Mapping[str, Any], response: Any) -> None:
        """Raise InvalidResponse unless `response` fits. The learner's input is never trusted."""
        validator = Draft202012Validator(self.response_schema(data))
        problems = schema_problems(validator, response)
        if problems:
            raise InvalidResponse(
                _("This answer does not fit the question."),
                fields={p.path or "/": [p.message] for p in problems},
            )

    def grade(self, data: Mapping[str, Any], response: Any) -> tuple[int, int]:
        """(parts right, parts) of a response that passed `check_response`."""
        raise NotImplementedError

    def score(self, data: Mapping[str, Any], response: Any) -> Score:
        """Score a learner's response; InvalidResponse (a ValueError) if it does not fit."""
        self.check_response(data, response)
        if not self.scored:
            return Score(points_awarded=0, points_possible=0, correct=None)
        right, parts = self.grade(data, response)
        correct = parts > 0 and right >= parts
        points = int(data.get("points", 1))
        if correct:
            awarded: float = points
        elif data.get("partial_credit") and parts:
            awarded = round(points * max(right, 0) / parts, 2)
        else:
            awarded = 0
        return Score(points_awarded=awarded, points_possible=points, correct=correct)

    def feedback_for(self, data: Mapping[str, Any], response: Any) -> list[str]:
        """The feedback (sanitised HTML) to show after this response, general first."""
        self.check_response(data, response)
        feedback = data.get("feedback") or {}
        if self.scored:
            right, parts = self.grade(data, response)
            general = feedback.get("correct" if parts and right >= parts else "incorrect")
        else:
            general = feedback.get("general")
        texts = [general, *self.response_feedback(data, response)]
        return [t for t in texts if isinstance(t, str) and t.strip()]

    def response_feedback(self, data: Mapping[str, Any], response: Any) -> list[str]:
        """Feedback tied to what was chosen (an option, a region); none by default."""
        return []


_registry: dict[str, BlockType] = {}


def register[T: type[BlockType]](cls: T) -> T:
    """Class decorator: adds one instance of the block type to the registry."""
    type_name = getattr(cls, "type", None)
    if not isinstance(type_name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", type_name):
        raise TypeError(f"{cls.__name__}.type must be a snake_case string")
    if type_name in _registry:
        raise TypeError(f"block type {type_name!r} is registered twice")
    # `is None`, not truthiness: evaluating a lazy label at import time would translate it.
    if cls.family not in FAMILIES or getattr(cls, "label", None) is None:
        raise TypeError(f"{cls.__name__} needs a family in {FAMILIES} and a label")
    _registry[type_name] = cls()
    return cls


def get_block_type(type_name: str) -> BlockType:
    try:
        return _registry[type_name]
    except (KeyError, TypeError):
        raise UnknownBlockType(type_name) from None


def block_types(family: str | None = None) -> list[BlockType]:
    """Registered block types, content before questions, each family in registration order."""
    ordered = sorted(_registry.values(), key=lambda bt: FAMILIES.index(bt.family))
    return [bt for bt in ordered if family is None or bt.family == family]
