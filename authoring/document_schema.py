"""The course document's JSON Schema and its validation (DESIGN.md §5).

The schema is built from the block registry (`build_document_schema`) and committed as
authoring/schema/course-document.schema.json for people and other tools; a test fails when
the two drift. Regenerate with:

    .venv/bin/python -m authoring.document_schema

`validate_document` reports, each with a JSON pointer from the document root: schema errors,
each block type's own rules, and what a schema cannot say: ids unique across the document,
questions naming existing objectives, asset references naming listed assets of a fitting
type, a quiz drawing no more questions than it has.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

from authoring.blocks import QUESTION, BlockType, Problem, block_types, get_block_type
from authoring.blocks.fields import LANGUAGE_PATTERN, uuid_schema
from authoring.blocks.pages import (
    NO_SETTINGS_SCHEMA,
    QUIZ_SETTINGS_SCHEMA,
    PageKind,
    settings_problems,
)
from authoring.blocks.schema_errors import schema_problems
from authoring.blocks.values import UnknownBlockType, pointer
from authoring.sanitize import sanitize_plain_text

SCHEMA_VERSION = 1
SCHEMA_ID = "urn:egl-platform:course-document:1"
SCHEMA_PATH = Path(__file__).parent / "schema" / "course-document.schema.json"
TITLE_MAX = 200


def _text(max_length: int, *, required: bool = True) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "maxLength": max_length}
    if required:
        schema["minLength"] = 1
    return schema


def _object(properties: dict[str, Any], required: Iterable[str], **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
        **extra,
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/$defs/{name}"}


def build_document_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a course document, block data from the registry."""
    types = block_types()
    uuid_or_null = {"type": ["string", "null"], "pattern": uuid_schema()["pattern"]}
    defs: dict[str, Any] = {
        "uuid": uuid_schema(),
        "course": _object(
            {
                "id": _ref("uuid"),
                "title": _text(TITLE_MAX),
                "description": _text(5_000, required=False),
                "language": {"type": "string", "pattern": LANGUAGE_PATTERN},
                "category": {"type": ["string", "null"], "maxLength": 100},
                "tags": {
                    "type": "array",
                    "items": _text(50),
                    "uniqueItems": True,
                    "maxItems": 30,
                },
                "objectives": {"type": "array", "items": _ref("objective"), "maxItems": 50},
                "estimated_minutes": {"type": ["integer", "null"], "minimum": 0},
                "cover_image": uuid_or_null,
            },
            ["id", "title", "language", "objectives"],
        ),
        "objective": _object({"id": _ref("uuid"), "text": _text(500)}, ["id", "text"]),
        "section": _object(
            {
                "id": _ref("uuid"),
                "title": _text(TITLE_MAX),
                "pages": {"type": "array", "items": _ref("page")},
            },
            ["id", "title", "pages"],
        ),
        "page": _object(
            {
                "id": _ref("uuid"),
                "title": _text(TITLE_MAX),
                "kind": {"type": "string", "enum": [k.value for k in PageKind]},
                "settings": {"type": "object"},
                "blocks": {"type": "array", "items": _ref("block")},
            },
            ["id", "title", "kind", "settings", "blocks"],
            **{
                "if": {
                    "properties": {"kind": {"const": PageKind.QUIZ.value}},
                    "required": ["kind"],
                },
                "then": {"properties": {"settings": _ref("quiz_settings")}},
                "else": {"properties": {"settings": _ref("no_settings")}},
            },
        ),
        "quiz_settings": QUIZ_SETTINGS_SCHEMA,
        "no_settings": NO_SETTINGS_SCHEMA,
        "block": _object(
            {
                "id": _ref("uuid"),
                "type": {"type": "string", "enum": [bt.type for bt in types]},
                "version": {"type": "integer", "minimum": 1},
                "data": {"type": "object"},
            },
            ["id", "type", "version", "data"],
            # if/then per type rather than oneOf: an error then names the real field,
            # not "valid under none of 23 schemas".
            allOf=[
                {
                    "if": {"properties": {"type": {"const": bt.type}}, "required": ["type"]},
                    "then": {
                        "properties": {
                            "version": {"const": bt.version},
                            "data": _ref(f"data.{bt.type}"),
                        }
                    },
                }
                for bt in types
            ],
        ),
        "asset": _object(
            {
                "id": _ref("uuid"),
                # A bare name: archives never hold paths that come from the document.
                "filename": {**_text(255), "pattern": r"^[^/\\\x00]+$"},
                "content_type": {"type": "string", "pattern": r"^[a-z0-9.+-]+/[a-z0-9.+-]+$"},
                "size": {"type": "integer", "minimum": 0},
                "checksum": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"},
                "width": {"type": ["integer", "null"], "minimum": 1},
                "height": {"type": ["integer", "null"], "minimum": 1},
            },
            ["id", "filename", "content_type", "size", "checksum"],
        ),
    }
    for bt in types:
        defs[f"data.{bt.type}"] = bt.data_schema
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Course document",
        "description": (
            "A whole course: settings, objectives, sections of pages of blocks, and the "
            "assets the blocks use. Generated from authoring.blocks; do not edit by hand."
        ),
        **_object(
            {
                "schema_version": {"const": SCHEMA_VERSION},
                "course": _ref("course"),
                "sections": {"type": "array", "items": _ref("section")},
                "assets": {"type": "array", "items": _ref("asset")},
            },
            ["schema_version", "course", "sections", "assets"],
        ),
        "$defs": defs,
    }


def render_document_schema() -> str:
    return json.dumps(build_document_schema(), indent=2, ensure_ascii=False) + "\n"


def write_document_schema(path: Path = SCHEMA_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_document_schema(), encoding="utf-8")


@cache
def _validator(root: str = "") -> Draft202012Validator:
    schema = build_document_schema()
    if root:
        # The same $defs, rooted at one of them (a single block for the editor's autosave).
        schema = {key: value for key, value in schema.items() if key.startswith("$")}
        schema["$ref"] = f"#/$defs/{root}"
    return Draft202012Validator(schema)


def _block_type(name: Any) -> BlockType | None:
    try:
        return get_block_type(name)
    except UnknownBlockType:
        return None


def _natural(path: str) -> list[tuple[int, int | str]]:
    # "/sections/2" before "/sections/10".
    return [(0, int(p)) if p.isdigit() else (1, p) for p in path.split("/")]


def _sorted_unique(problems: Iterable[Problem]) -> list[Problem]:
    unique = {(p.path, p.code): p for p in reversed(list(problems))}
    return sorted(unique.values(), key=lambda p: (_natural(p.path), p.code))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def validate_block(block: Any) -> list[Problem]:
    """Problems of one `{id, type, version, data}` block, paths from the block's root."""
    problems = schema_problems(
        _validator("block"), block, block_types=[t.type for t in block_types()]
    )
    block_type = _block_type(_dict(block).get("type"))
    if block_type is None or any(p.path.startswith("/data") for p in problems):
        return problems
    return problems + [
        Problem("/data" + p.path, p.message, p.code) for p in block_type.check(block["data"])
    ]


def validate_document(doc: Any) -> list[Problem]:
    """Every problem of a course document, sorted by path; an empty list means valid."""
    problems = schema_problems(_validator(), doc, block_types=[t.type for t in block_types()])
    return _sorted_unique(problems + _DocumentChecks(problems).run(doc))


class _DocumentChecks:
    """The checks that need the whole document. Defensive about shape: they also run on a
    document with schema errors, so that every problem shows up in one report."""

    def __init__(self, schema_problems: list[Problem]) -> None:
        self.bad_paths = [p.path for p in schema_problems]
        self.problems: list[Problem] = []
        self.ids: dict[str, str] = {}
        self.objectives: set[str] = set()
        self.assets: dict[str, str] = {}

    def _clean(self, path: str) -> bool:
        return not any(bad == path or bad.startswith(path + "/") for bad in self.bad_paths)

    def _own(self, path: str, value: Any) -> None:
        # A malformed id was reported by the schema; "repeats" among those are noise.
        if not isinstance(value, str) or not self._clean(path):
            return
        if value in self.ids:
            self.problems.append(
                Problem(
                    path,
                    _("This id is already used at %(path)s.") % {"path": self.ids[value]},
                    "duplicate_id",
                )
            )
        else:
            self.ids[value] = path

    def run(self, doc: Any) -> list[Problem]:
        course = _dict(_dict(doc).get("course"))
        self._own("/course/id", course.get("id"))
        for i, objective in enumerate(_list(course.get("objectives"))):
            objective_id = _dict(objective).get("id")
            self._own(pointer("course", "objectives", i, "id"), objective_id)
            if isinstance(objective_id, str):
                self.objectives.add(objective_id)
        for i, item in enumerate(_list(_dict(doc).get("assets"))):
            asset = _dict(item)
            self._own(pointer("assets", i, "id"), asset.get("id"))
            if isinstance(asset.get("id"), str):
                self.assets[asset["id"]] = str(asset.get("content_type", ""))
        if isinstance(course.get("cover_image"), str):
            self._asset("/course/cover_image", course["cover_image"], ("image/",))
        for s, section in enumerate(_list(_dict(doc).get("sections"))):
            self._own(pointer("sections", s, "id"), _dict(section).get("id"))
            for p, page in enumerate(_list(_dict(section).get("pages"))):
                self._page(pointer("sections", s, "pages", p), _dict(page))
        return self.problems

    def _page(self, path: str, page: Mapping[str, Any]) -> None:
        self._own(path + "/id", page.get("id"))
        questions = 0
        for b, block in enumerate(_list(page.get("blocks"))):
            block_path = path + pointer("blocks", b)
            block = _dict(block)
            self._own(block_path + "/id", block.get("id"))
            block_type = _block_type(block.get("type"))
            if block_type is None:
                continue  # the schema reported it
            questions += block_type.family == QUESTION
            if self._clean(block_path + "/data"):
                self._block(block_path + "/data", block_type, block["data"])
        settings_path = path + "/settings"
        if page.get("kind") in PageKind.values and self._clean(settings_path):
            for problem in settings_problems(
                page["kind"], page["settings"], question_count=questions
            ):
                self.problems.append(
                    Problem(settings_path + problem.path, problem.message, problem.code)
                )

    def _block(self, path: str, block_type: BlockType, data: Mapping[str, Any]) -> None:
        for problem in block_type.check(data):
            self.problems.append(Problem(path + problem.path, problem.message, problem.code))
        for ref in block_type.references(data):
            ref_path = path + ref.path
            if ref.kind == "id":
                self._own(ref_path, ref.value)
            elif ref.kind == "asset":
                self._asset(ref_path, ref.value, ref.accept)
            elif ref.kind == "objective" and ref.value not in self.objectives:
                self.problems.append(
                    Problem(
                        ref_path,
                        _("The course has no learning objective with this id."),
                        "unknown_objective",
                    )
                )

    def _asset(self, path: str, asset_id: str, accept: tuple[str, ...]) -> None:
        content_type = self.assets.get(asset_id)
        if content_type is None:
            self.problems.append(
                Problem(path, _("The document lists no asset with this id."), "unknown_asset")
            )
        elif accept and not content_type.startswith(accept):
            self.problems.append(
                Problem(
                    path,
                    _("This needs a file of type %(accept)s, not %(type)s.")
                    % {"accept": ", ".join(a.rstrip("/") for a in accept), "type": content_type},
                    "asset_type",
                )
            )


def sanitize_document(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a (validated) document with every text and block sanitised again.

    Imported documents come from outside, so they pass the sanitiser like typed input
    (DESIGN.md §5). Blocks of unknown types are left for validation to refuse.
    """
    result = copy.deepcopy(dict(doc))

    def plain(obj: Any, key: str, max_length: int, *, multiline: bool = False) -> None:
        if isinstance(obj, dict) and isinstance(obj.get(key), str):
            obj[key] = sanitize_plain_text(obj[key], max_length=max_length, multiline=multiline)

    course = result.get("course")
    plain(course, "title", TITLE_MAX)
    plain(course, "description", 5_000, multiline=True)
    plain(course, "category", 100)
    if isinstance(course, dict):
        if isinstance(course.get("tags"), list):
            course["tags"] = [
                sanitize_plain_text(t, max_length=50) if isinstance(t, str) else t
                for t in course["tags"]
            ]
        for objective in _list(course.get("objectives")):
            plain(objective, "text", 500)
    for section in _list(result.get("sections")):
        plain(section, "title", TITLE_MAX)
        for page in _list(_dict(section).get("pages")):
            plain(page, "title", TITLE_MAX)
            for block in _list(_dict(page).get("blocks")):
                block_type = _block_type(_dict(block).get("type"))
                if block_type is not None and isinstance(block.get("data"), Mapping):
                    block["data"] = block_type.sanitize(block["data"])
    return result


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egl_platform.settings")
    django.setup()
    write_document_schema()
