"""Interactive questions: fill in the blanks, matching, ordering and hotspot.

Scoring (see QuestionType): fill in the blanks counts gaps, matching counts pairs and
ordering counts items in their right place; all or nothing unless the author turns on
`partial_credit`. A hotspot is right when the point lies in any region marked correct.
"""

from __future__ import annotations

import hashlib
import math
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from authoring.blocks.base import QuestionType, question_fields, register
from authoring.blocks.fields import AssetRef, Choice, Flag, Items, Text, TextList, Uuid, Value
from authoring.blocks.values import GAP_MARKER, InvalidResponse, Problem, pointer

ITEM_TEXT_MAX = 500
ANSWER_MAX = 200


def _unrevealing_order(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Items in an order that says nothing about the right one.

    Sorted by a hash of the id: stable (the same page every time, cache-friendly) and, unlike
    sorting by the id itself, not leaking creation order when ids are time-based (UUIDv7).
    The player may shuffle further.
    """
    ordered = sorted(items, key=lambda item: hashlib.sha256(item["id"].encode()).hexdigest())
    return [{"id": item["id"], "text": item["text"]} for item in ordered]


def _object_of(keys: list[str], values: dict[str, Any]) -> dict[str, Any]:
    """Schema of a response object mapping some of `keys` to a value of schema `values`."""
    return {
        "type": "object",
        "propertyNames": {"enum": keys},
        "additionalProperties": values,
        "maxProperties": len(keys),
    }


# --- fill in the blanks ------------------------------------------------------------------------


def normalise_answer(text: str, *, case_sensitive: bool) -> str:
    """What counts as the same answer: Unicode-normalised, spaces collapsed, case folded."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    return text if case_sensitive else text.casefold()


@register
class FillInBlanksQuestion(QuestionType):
    """A text with gaps; each gap accepts several answers, case-sensitive or not.

    The text marks each gap where it goes as `[[<gap id>]]`. Response: an object from gap
    id to the text typed; a gap left out counts as wrong.
    """

    type = "fill_in_blanks"
    label = gettext_lazy("Fill in the blanks")
    fields = question_fields(
        Text("text", html=True),
        Items(
            "gaps",
            [
                TextList("answers", min_items=1, max_items=20, max_length=ANSWER_MAX, secret=True),
                Flag("case_sensitive", secret=True),
            ],
            min_items=1,
            max_items=50,
        ),
        partial_credit=True,
    )

    def check(self, data: Mapping[str, Any]) -> list[Problem]:
        problems = super().check(data)
        markers = GAP_MARKER.findall(data["text"])
        gap_ids = [gap["id"] for gap in data["gaps"]]
        for marker in dict.fromkeys(markers):
            if marker not in gap_ids:
                problems.append(
                    Problem(
                        pointer("text"), _("The text has a gap that is not defined."), "unknown_gap"
                    )
                )
            elif markers.count(marker) > 1:
                problems.append(
                    Problem(pointer("text"), _("The text has the same gap twice."), "duplicate_gap")
                )
        for index, gap_id in enumerate(gap_ids):
            if gap_id not in markers:
                problems.append(
                    Problem(
                        pointer("gaps", index),
                        _("This gap is not placed in the text."),
                        "gap_not_placed",
                    )
                )
        return problems

    def replace_ids(self, data: dict[str, Any], mapping: Mapping[str, str]) -> dict[str, Any]:
        data = super().replace_ids(data, mapping)
        if isinstance(data.get("text"), str):
            data["text"] = GAP_MARKER.sub(
                lambda m: f"[[{mapping.get(m.group(1), m.group(1))}]]", data["text"]
            )
        return data

    def response_schema(self, data: Mapping[str, Any]) -> dict[str, Any]:
        gap_ids = [gap["id"] for gap in data["gaps"]]
        return _object_of(gap_ids, {"type": "string", "maxLength": ANSWER_MAX * 2})

    def grade(self, data: Mapping[str, Any], response: Any) -> tuple[int, int]:
        right = 0
        for gap in data["gaps"]:
            case_sensitive = bool(gap.get("case_sensitive"))
            given = normalise_answer(response.get(gap["id"], ""), case_sensitive=case_sensitive)
            accepted = {normalise_answer(a, case_sensitive=case_sensitive) for a in gap["answers"]}
            right += bool(given) and given in accepted
        return right, len(data["gaps"])


# --- matching ----------------------------------------------------------------------------------


@register
class MatchingQuestion(QuestionType):
    """Pairs to match: each left item has one right item; extra right items may distract.

    Right items have their own UUIDs (`right_id`), so the page can list them apart from
    the left items without showing which belongs where. Response: an object from left id
    (the pair's id) to right id; a left item left out counts as wrong.
    """

    type = "matching"
    label = gettext_lazy("Matching")
    fields = question_fields(
        Items(
            "pairs",
            [
                Text("left", max_length=ITEM_TEXT_MAX),
                Uuid("right_id"),
                Text("right", max_length=ITEM_TEXT_MAX),
            ],
            min_items=2,
            max_items=20,
            secret=True,
        ),
        Items(
            "distractors",
            [Text("text", max_length=ITEM_TEXT_MAX)],
            required=False,
            max_items=10,
            secret=True,
        ),
        partial_credit=True,
    )

    def _right_items(self, data: Mapping[str, Any]) -> list[dict[str, Any]]:
        pairs = [{"id": p["right_id"], "text": p["right"]} for p in data["pairs"]]
        return pairs + list(data.get("distractors", []))

    def response_schema(self, data: Mapping[str, Any]) -> dict[str, Any]:
        right_ids = [item["id"] for item in self._right_items(data)]
        return _object_of([p["id"] for p in data["pairs"]], {"type": "string", "enum": right_ids})

    def grade(self, data: Mapping[str, Any], response: Any) -> tuple[int, int]:
        right = sum(response.get(p["id"]) == p["right_id"] for p in data["pairs"])
        return right, len(data["pairs"])

    def public_data(self, data: Mapping[str, Any]) -> dict[str, Any]:
        public = super().public_data(data)
        public["left"] = [{"id": p["id"], "text": p["left"]} for p in data["pairs"]]
        public["right"] = _unrevealing_order(self._right_items(data))
        return public


# --- ordering ----------------------------------------------------------------------------------


@register
class OrderingQuestion(QuestionType):
    """Items to put in order; the author lists them in the right order.

    Response: every item id once, in the learner's order. Partial credit counts the items
    in their right place.
    """

    type = "ordering"
    label = gettext_lazy("Ordering")
    fields = question_fields(
        Items(
            "items",
            [Text("text", max_length=ITEM_TEXT_MAX)],
            min_items=2,
            max_items=20,
            secret=True,
        ),
        partial_credit=True,
    )

    def response_schema(self, data: Mapping[str, Any]) -> dict[str, Any]:
        ids = [item["id"] for item in data["items"]]
        return {
            "type": "array",
            "items": {"type": "string", "enum": ids},
            "minItems": len(ids),
            "maxItems": len(ids),
            "uniqueItems": True,
        }

    def grade(self, data: Mapping[str, Any], response: Any) -> tuple[int, int]:
        ids = [item["id"] for item in data["items"]]
        return sum(a == b for a, b in zip(ids, response, strict=True)), len(ids)

    def public_data(self, data: Mapping[str, Any]) -> dict[str, Any]:
        public = super().public_data(data)
        public["items"] = _unrevealing_order(data["items"])
        return public


# --- hotspot -----------------------------------------------------------------------------------

# Coordinates are fractions (0–1) of the image's width and height, so regions survive
# renditions of any size. A circle's radius is in the same units, so on a non-square image
# it is an ellipse: the player draws regions in an SVG with viewBox "0 0 1 1" stretched over
# the image, and the hit test below matches what the author saw.
_UNIT = {"type": "number", "minimum": 0, "maximum": 1}
_COORDS = {"type": "array", "items": _UNIT, "minItems": 3, "maxItems": 200}


def _shape_problem(shape: str, coords: list[float]) -> str | None:
    if shape == "rect":
        if len(coords) != 4:
            return _("A rectangle needs x, y, width and height.")
        x, y, w, h = coords
        if w <= 0 or h <= 0 or x + w > 1 or y + h > 1:
            return _("The rectangle must have a size and lie within the image.")
    elif shape == "circle":
        if len(coords) != 3:
            return _("A circle needs a centre x, y and a radius.")
        if coords[2] <= 0:
            return _("The circle needs a radius.")
    elif len(coords) < 6 or len(coords) % 2:
        return _("A polygon needs at least three x, y points.")
    return None


def contains(shape: str, coords: Sequence[float], x: float, y: float) -> bool:
    """Whether the point (x, y) lies in the region (edges included for rect and circle)."""
    if shape == "rect":
        left, top, width, height = coords
        return left <= x <= left + width and top <= y <= top + height
    if shape == "circle":
        cx, cy, r = coords
        return (x - cx) ** 2 + (y - cy) ** 2 <= r**2
    points = list(zip(coords[::2], coords[1::2], strict=True))
    inside = False
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
        # Ray casting: count crossings of a horizontal ray going right from the point.
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


@register
class HotspotQuestion(QuestionType):
    """Click the right place on an image. Regions are rect [x, y, width, height], circle
    [cx, cy, r] or polygon [x1, y1, x2, y2, …] in 0–1 coordinates; response {"x", "y"}."""

    type = "hotspot"
    label = gettext_lazy("Hotspot")
    fields = question_fields(
        AssetRef("image", accept=("image/",)),
        Text("alt", max_length=500),
        # The regions are the answer: the page shows only the image (DESIGN.md §8).
        Items(
            "regions",
            [
                Choice("shape", ("rect", "circle", "polygon")),
                Value("coords", _COORDS, required=True),
                Text("label", required=False, max_length=200),
                Flag("correct"),
                Text("feedback", html=True, required=False),
            ],
            min_items=1,
            max_items=20,
            secret=True,
        ),
    )

    def check(self, data: Mapping[str, Any]) -> list[Problem]:
        problems = super().check(data)
        for index, region in enumerate(data["regions"]):
            message = _shape_problem(region["shape"], region["coords"])
            if message:
                problems.append(Problem(pointer("regions", index, "coords"), message, "shape"))
        if not any(region.get("correct") for region in data["regions"]):
            problems.append(
                Problem(
                    pointer("regions"), _("Mark at least one region as correct."), "correct_count"
                )
            )
        return problems

    def response_schema(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {"x": _UNIT, "y": _UNIT},
            "required": ["x", "y"],
            "additionalProperties": False,
        }

    def check_response(self, data: Mapping[str, Any], response: Any) -> None:
        super().check_response(data, response)
        # NaN passes "minimum"/"maximum" (every comparison with it is false).
        if not all(math.isfinite(response[axis]) for axis in ("x", "y")):
            raise InvalidResponse(_("This answer does not fit the question."))

    def _hits(self, data: Mapping[str, Any], response: Any) -> list[Mapping[str, Any]]:
        x, y = response["x"], response["y"]
        return [
            region
            for region in data["regions"]
            if _shape_problem(region["shape"], region["coords"]) is None
            and contains(region["shape"], region["coords"], x, y)
        ]

    def grade(self, data: Mapping[str, Any], response: Any) -> tuple[int, int]:
        return (1 if any(r.get("correct") for r in self._hits(data, response)) else 0), 1

    def response_feedback(self, data: Mapping[str, Any], response: Any) -> list[str]:
        # Overlapping regions: speak about the one that decided the score.
        hits = sorted(self._hits(data, response), key=lambda r: not r.get("correct"))
        return [r.get("feedback", "") for r in hits[:1]]
