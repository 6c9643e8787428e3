"""JSON Schema errors as Problems: a JSON pointer to the offending value and a translated message.

jsonschema's own messages are English and name Python reprs; authors see these instead.
The schemas avoid `oneOf`/`anyOf` (dispatch is `if`/`then` on the block type), so every
error jsonschema yields is a leaf that maps to one clear message here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from jsonschema import Draft202012Validator, ValidationError

from authoring.blocks.fields import LANGUAGE_PATTERN, UUID_PATTERN
from authoring.blocks.values import Problem, pointer

_TYPE_NAMES = {
    "string": lambda: _("text"),
    "integer": lambda: _("a whole number"),
    "number": lambda: _("a number"),
    "boolean": lambda: _("true or false"),
    "array": lambda: _("a list"),
    "object": lambda: _("an object"),
    "null": lambda: _("empty"),
}


def schema_problems(
    validator: Draft202012Validator,
    instance: Any,
    *,
    block_types: Iterable[str] = (),
) -> list[Problem]:
    """Every schema error of `instance`, one Problem per offending value, sorted by path.

    `block_types` lets an enum of block type names read as "unknown block type".
    """
    known_types = list(block_types)
    problems: dict[tuple[str, str], Problem] = {}
    for error in validator.iter_errors(instance):
        for problem in _translate(error, known_types):
            # `required` reports each missing key as its own error; keep one of each.
            problems.setdefault((problem.path, problem.code), problem)
    return sorted(problems.values(), key=lambda p: (p.path, p.code))


def _translate(error: ValidationError, known_types: list[str]) -> list[Problem]:
    path = pointer(*error.absolute_path)
    keyword, expected, value = error.validator, error.validator_value, error.instance

    if keyword == "required" and isinstance(value, Mapping):
        return [
            Problem(path + pointer(name), _("This field is required."), "required")
            for name in expected
            if name not in value
        ]
    if keyword == "additionalProperties" and isinstance(value, Mapping):
        allowed = error.schema.get("properties", {}) if isinstance(error.schema, Mapping) else {}
        return [
            Problem(
                path + pointer(name),
                _("Unknown field “%(name)s”.") % {"name": name},
                "unknown_field",
            )
            for name in value
            if name not in allowed
        ]
    return [Problem(path, *_message(keyword, expected, value, path, known_types))]


def _message(
    keyword: str, expected: Any, value: Any, path: str, known_types: list[str]
) -> tuple[str, str]:
    if keyword == "type":
        names = expected if isinstance(expected, list) else [expected]
        wanted = " / ".join(str(_TYPE_NAMES[n]()) for n in names if n in _TYPE_NAMES)
        return _("This must be %(type)s.") % {"type": wanted}, "type"
    if keyword == "enum":
        if known_types and list(expected) == known_types and path.endswith("/type"):
            return _("Unknown block type “%(type)s”.") % {"type": value}, "unknown_block_type"
        choices = ", ".join(str(v) for v in expected)
        return _("Choose one of: %(choices)s.") % {"choices": choices}, "choice"
    if keyword == "const":
        return _("This must be %(value)s.") % {"value": expected}, "const"
    if keyword == "minLength":
        if expected == 1:
            return _("This field is required."), "required"
        return ngettext(
            "Use at least %(n)d character.", "Use at least %(n)d characters.", expected
        ) % {"n": expected}, "min_length"
    if keyword == "maxLength":
        return ngettext(
            "Use at most %(n)d character.", "Use at most %(n)d characters.", expected
        ) % {"n": expected}, "max_length"
    if keyword == "pattern":
        if expected == UUID_PATTERN:
            return _("This must be a UUID in lowercase."), "uuid"
        if expected == LANGUAGE_PATTERN:
            return _("This must be a language code such as “en” or “nl-BE”."), "language"
        return _("This value has the wrong format."), "pattern"
    if keyword in ("minimum", "exclusiveMinimum"):
        return _("This must be at least %(n)s.") % {"n": expected}, "minimum"
    if keyword in ("maximum", "exclusiveMaximum"):
        return _("This must be at most %(n)s.") % {"n": expected}, "maximum"
    if keyword == "minItems":
        return ngettext("Add at least %(n)d item.", "Add at least %(n)d items.", expected) % {
            "n": expected
        }, "min_items"
    if keyword == "maxItems":
        return ngettext("Use at most %(n)d item.", "Use at most %(n)d items.", expected) % {
            "n": expected
        }, "max_items"
    if keyword == "uniqueItems":
        return _("The list repeats a value."), "unique_items"
    if keyword == "propertyNames":
        return _("This object has a key that is not allowed."), "key"
    return _("This value is not valid."), "invalid"
