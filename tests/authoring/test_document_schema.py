"""The course document: its committed JSON Schema, and validation with cross-checks."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from authoring.blocks import QUESTION, block_types, get_block_type
from authoring.document_schema import (
    SCHEMA_PATH,
    build_document_schema,
    render_document_schema,
    sanitize_document,
    validate_block,
    validate_document,
)
from tests.authoring.test_blocks import ASSET_TYPES, EXAMPLES, OBJECTIVE, uid


def block(
    type_name: str, data: dict[str, Any] | None = None, *, name: str | None = None
) -> dict[str, Any]:
    return {
        "id": uid(f"block-{name or type_name}"),
        "type": type_name,
        "version": get_block_type(type_name).version,
        "data": copy.deepcopy(EXAMPLES[type_name] if data is None else data),
    }


def page(
    name: str, kind: str, blocks: list[dict[str, Any]], settings: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "id": uid(f"page-{name}"),
        "title": name.title(),
        "kind": kind,
        "settings": settings or {},
        "blocks": blocks,
    }


def document() -> dict[str, Any]:
    """A course holding every block type: content, a knowledge check and a quiz."""
    content = [block(bt.type) for bt in block_types() if bt.family != QUESTION]
    questions = [block(bt.type) for bt in block_types(QUESTION)]
    return {
        "schema_version": 1,
        "course": {
            "id": uid("course"),
            "title": "Answering the phone",
            "description": "Five minutes on greeting callers.",
            "language": "en",
            "category": "Customer service",
            "tags": ["phone", "onboarding"],
            "objectives": [{"id": OBJECTIVE, "text": "Greet a caller by name."}],
            "estimated_minutes": 5,
            "cover_image": uid("image"),
        },
        "sections": [
            {
                "id": uid("section-1"),
                "title": "Basics",
                "pages": [
                    page("learn", "content", content),
                    page("check", "knowledge_check", questions[:3]),
                ],
            },
            {
                "id": uid("section-2"),
                "title": "Test",
                "pages": [
                    page(
                        "quiz",
                        "quiz",
                        questions[3:],
                        {"passing_score": 80, "attempts": 3, "random_order": True, "draw_count": 4},
                    )
                ],
            },
        ],
        "assets": [
            {
                "id": asset_id,
                "filename": f"file.{content_type.split('/')[1]}",
                "content_type": content_type,
                "size": 1024,
                "checksum": "sha256:" + "0" * 64,
            }
            for asset_id, content_type in ASSET_TYPES.items()
        ],
    }


LEARN = "/sections/0/pages/0"
QUIZ = "/sections/1/pages/0"


def block_path(doc: dict[str, Any], type_name: str) -> tuple[str, dict[str, Any]]:
    for s, section in enumerate(doc["sections"]):
        for p, pg in enumerate(section["pages"]):
            for b, blk in enumerate(pg["blocks"]):
                if blk["type"] == type_name:
                    return f"/sections/{s}/pages/{p}/blocks/{b}", blk
    raise AssertionError(type_name)


def problems_of(doc: Any) -> list[tuple[str, str]]:
    return [(p.path, p.code) for p in validate_document(doc)]


# --- the schema --------------------------------------------------------------------------------


def test_committed_schema_file_is_the_generated_one():
    committed = SCHEMA_PATH.read_text(encoding="utf-8")
    assert committed == render_document_schema(), (
        "authoring/schema/course-document.schema.json is out of date: "
        "run `.venv/bin/python -m authoring.document_schema`"
    )


def test_schema_is_valid_draft_2020_12_and_embeds_every_block_type():
    schema = build_document_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    for bt in block_types():
        assert schema["$defs"][f"data.{bt.type}"] == bt.data_schema
    assert schema["$defs"]["block"]["properties"]["type"]["enum"] == [
        bt.type for bt in block_types()
    ]


def test_a_document_with_every_block_type_is_valid():
    doc = document()
    assert {blk["type"] for s in doc["sections"] for p in s["pages"] for blk in p["blocks"]} == set(
        EXAMPLES
    )
    assert validate_document(doc) == []
    # The committed file alone, as another tool would use it, accepts it too.
    Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))).validate(doc)


def test_a_minimal_document_is_valid():
    doc = {
        "schema_version": 1,
        "course": {"id": uid("c"), "title": "T", "language": "nl-BE", "objectives": []},
        "sections": [],
        "assets": [],
    }
    assert validate_document(doc) == []


# --- problems, each at its path -----------------------------------------------------------------


def test_duplicate_ids_are_reported_where_they_repeat():
    doc = document()
    doc["sections"][1]["id"] = doc["sections"][0]["id"]
    path, blk = block_path(doc, "ordering")
    blk["data"]["items"][0]["id"] = EXAMPLES["single_choice"]["options"][0][
        "id"
    ]  # an option of another block
    problems = validate_document(doc)
    assert ("/sections/1/id", "duplicate_id") in [(p.path, p.code) for p in problems]
    assert (f"{path}/data/items/0/id", "duplicate_id") in [(p.path, p.code) for p in problems]
    message = next(p.message for p in problems if p.path == "/sections/1/id")
    assert "/sections/0/id" in message


def test_unknown_block_type_is_reported():
    doc = document()
    doc["sections"][0]["pages"][0]["blocks"][0]["type"] = "hologram"
    assert problems_of(doc) == [(f"{LEARN}/blocks/0/type", "unknown_block_type")]


def test_question_naming_a_missing_objective_is_reported():
    doc = document()
    path, blk = block_path(doc, "matching")
    blk["data"]["objective_ids"] = [uid("no-such-objective")]
    assert problems_of(doc) == [(f"{path}/data/objective_ids/0", "unknown_objective")]


def test_missing_asset_and_wrong_asset_type_are_reported():
    doc = document()
    image_path, image = block_path(doc, "image")
    image["data"]["asset"] = uid("missing")
    video_path, video = block_path(doc, "video")
    video["data"]["tracks"][0]["asset"] = uid("pdf")
    doc["course"]["cover_image"] = uid("audio")
    assert problems_of(doc) == [
        ("/course/cover_image", "asset_type"),
        (f"{image_path}/data/asset", "unknown_asset"),
        (f"{video_path}/data/tracks/0/asset", "asset_type"),
    ]


def test_block_rules_and_block_schema_errors_carry_the_full_path():
    doc = document()
    image_path, image = block_path(doc, "image")
    del image["data"]["alt"]
    callout_path, callout = block_path(doc, "callout")
    callout["data"]["variant"] = "danger"
    assert problems_of(doc) == [
        (f"{callout_path}/data/variant", "choice"),
        (f"{image_path}/data/alt", "alt_required"),
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(schema_version=2), [("/schema_version", "const")]),
        (lambda d: d["course"].pop("title"), [("/course/title", "required")]),
        (lambda d: d["course"].update(language="English"), [("/course/language", "language")]),
        (
            lambda d: d["sections"][0]["pages"][0].update(kind="lecture"),
            [(f"{LEARN}/kind", "choice")],
        ),
        (
            lambda d: d["sections"][0]["pages"][0]["settings"].update(passing_score=50),
            [(f"{LEARN}/settings/passing_score", "unknown_field")],
        ),
        (
            lambda d: d["sections"][1]["pages"][0]["settings"].update(passing_score=101),
            [(f"{QUIZ}/settings/passing_score", "maximum")],
        ),
        (
            lambda d: d["sections"][1]["pages"][0]["settings"].update(draw_count=9),
            [(f"{QUIZ}/settings/draw_count", "draw_count")],
        ),
        (
            lambda d: d["sections"][0]["pages"][0]["blocks"][0].update(version=99),
            [(f"{LEARN}/blocks/0/version", "const")],
        ),
        (
            lambda d: d["sections"][0]["pages"][0]["blocks"][0].update(data="<p>x</p>"),
            [(f"{LEARN}/blocks/0/data", "type")],
        ),
        (
            lambda d: d["assets"][0].update(filename="../../etc/passwd"),
            [("/assets/0/filename", "pattern")],
        ),
        (lambda d: d["assets"][0].update(size=-1), [("/assets/0/size", "minimum")]),
    ],
)
def test_document_problems(change, expected):
    doc = document()
    change(doc)
    assert problems_of(doc) == expected


def test_not_a_document_at_all():
    assert problems_of([]) == [("", "type")]
    assert {code for _, code in problems_of({})} == {"required"}


def test_problems_come_in_document_order():
    doc = document()
    for section in doc["sections"]:
        for pg in section["pages"]:
            pg["blocks"][0]["id"] = "bad"
    paths = [p.path for p in validate_document(doc)]
    assert paths == [
        f"{LEARN}/blocks/0/id",
        "/sections/0/pages/1/blocks/0/id",
        f"{QUIZ}/blocks/0/id",
    ]


# --- single blocks and sanitising ---------------------------------------------------------------


def test_validate_block_checks_envelope_and_data():
    assert validate_block(block("image")) == []
    bad = block("image")
    del bad["data"]["alt"]
    assert [(p.path, p.code) for p in validate_block(bad)] == [("/data/alt", "alt_required")]
    assert [(p.path, p.code) for p in validate_block({**block("image"), "type": "x"})] == [
        ("/type", "unknown_block_type")
    ]


def test_sanitize_document_cleans_every_text_again():
    doc = document()
    doc["course"]["title"] = "Phones<script>alert(1)</script>"
    doc["sections"][0]["title"] = "<b>Basics</b>"
    _path, blk = block_path(doc, "rich_text")
    blk["data"]["text"] = '<p onmouseover="alert(1)">Hi</p>'
    clean = sanitize_document(doc)
    dumped = json.dumps(clean)
    assert "alert" not in dumped
    assert "<script" not in dumped
    assert clean["course"]["title"] == "Phones"
    assert clean["sections"][0]["title"] == "Basics"
    assert block_path(clean, "rich_text")[1]["data"]["text"] == "<p>Hi</p>"
    assert doc["course"]["title"].endswith("</script>"), (
        "sanitize_document must not mutate its input"
    )
    assert validate_document(clean) == []
