"""Data for a new block: the right shape, empty where the author must type.

    default_data("single_choice")  # prompt "", two options with fresh ids, points 1, …

Generated from the type's declared fields, so a new type gets a default without code here.
What the result may still lack is what only the author can give: required texts are empty,
required assets are left out, and for choice questions no option is marked correct. Those
show up as "required"-style problems when validated; the shape itself is always right.
A few types whose fields cannot say enough (a table's cells line up with its columns, a
hotspot region needs coordinates, a gap must stand in the text) add to it below.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from authoring.blocks.base import get_block_type
from authoring.blocks.fields import (
    Field,
    Group,
    Items,
    Text,
    TextList,
    Url,
    Uuid,
    UuidList,
    Value,
)

__all__ = ["default_data", "default_item", "default_value"]


def _new_id() -> str:
    return str(uuid.uuid4())


def _value_default(schema: dict[str, Any]) -> Any:
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = "null" if "null" in kind else kind[0]
    if kind == "boolean":
        return False
    if kind in ("integer", "number"):
        return schema.get("minimum", 0)
    if kind == "string":
        return ""
    if kind == "array":
        return []
    if kind == "object":
        return {}
    return None


def default_value(field: Field) -> tuple[bool, Any]:
    """(include?, value) for one field of a new block or item."""
    if isinstance(field, Items):
        return True, [default_item(field) for _ in range(field.min_items)]
    if isinstance(field, Group):
        return True, object_defaults(field.fields)
    if isinstance(field, TextList):
        return True, ["" for _ in range(field.min_items)]
    if isinstance(field, UuidList):
        return True, []
    if isinstance(field, Uuid):
        # An asset is chosen by the author; an id the block owns is made here.
        if field.kind == "asset":
            return False, None
        return True, _new_id()
    if isinstance(field, Text | Url):
        return True, ""
    if isinstance(field, Value):
        schema = field.schema()
        if not field.required and "default" not in schema and schema.get("type") == "array":
            return False, None
        return True, _value_default(schema)
    return False, None


def object_defaults(fields: Sequence[Field]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in fields:
        include, value = default_value(field)
        if include:
            data[field.name] = value
    return data


def default_item(field: Items) -> dict[str, Any]:
    """A new item of a list: a fresh id (when the list is keyed by `id`) and empty fields."""
    return object_defaults(field.fields)


# --- types whose fields do not say enough ----------------------------------------------------


def _table(data: dict[str, Any]) -> dict[str, Any]:
    columns = [{"id": _new_id()}, {"id": _new_id()}]
    data["columns"] = columns
    data["rows"] = [{"id": _new_id(), "cells": ["" for _ in columns]} for _ in range(2)]
    return data


def _hotspot(data: dict[str, Any]) -> dict[str, Any]:
    for region in data.get("regions", []):
        region["shape"] = "rect"
        region["coords"] = [0.25, 0.25, 0.5, 0.5]
        region["correct"] = True
    return data


def _fill_in_blanks(data: dict[str, Any]) -> dict[str, Any]:
    # The gap stands in the text, so the only thing missing is words around it and answers.
    data["text"] = "".join(f"<p>[[{gap['id']}]]</p>" for gap in data.get("gaps", []))
    return data


def _true_false(data: dict[str, Any]) -> dict[str, Any]:
    data["correct_answer"] = True
    return data


def _likert(data: dict[str, Any]) -> dict[str, Any]:
    # A scale of two points is rarely what anyone wants; five is the usual.
    scale_field = next(f for f in get_block_type("likert").fields if f.name == "scale")
    assert isinstance(scale_field, Items)
    data["scale"] = [default_item(scale_field) for _ in range(5)]
    return data


TYPE_DEFAULTS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "table": _table,
    "hotspot": _hotspot,
    "fill_in_blanks": _fill_in_blanks,
    "true_false": _true_false,
    "likert": _likert,
}


def default_data(type_name: str) -> dict[str, Any]:
    """The data of a new block of `type_name` (UnknownBlockType if there is no such type)."""
    block_type = get_block_type(type_name)
    data = object_defaults(block_type.fields)
    extra = TYPE_DEFAULTS.get(type_name)
    return extra(data) if extra else data
