"""The block-type registry: every type validates, sanitises, segments and (questions) scores.

EXAMPLES holds one valid data example per block type; test_document_schema builds a
document from them, so a new type without an example fails here first.
"""

from __future__ import annotations

import copy
import json
import math
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from authoring.blocks import (
    CONTENT,
    QUESTION,
    InvalidResponse,
    QuestionType,
    Score,
    UnknownBlockType,
    block_types,
    get_block_type,
)
from authoring.blocks.fields import EmbedUrl, Field, Group, Items, Text, TextList, Url
from egl_platform.errors import Invalid


def uid(name: str) -> str:
    """A fixed UUID per name, so examples are stable and ids never collide by accident."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"egl-test:{name}"))


IMAGE, VIDEO, CAPTIONS, AUDIO, PDF = (
    uid("image"),
    uid("video"),
    uid("vtt"),
    uid("audio"),
    uid("pdf"),
)
ASSET_TYPES = {
    IMAGE: "image/png",
    VIDEO: "video/mp4",
    CAPTIONS: "text/vtt",
    AUDIO: "audio/mpeg",
    PDF: "application/pdf",
}
OBJECTIVE = uid("objective-1")
YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


def _titled(prefix: str) -> list[dict[str, str]]:
    return [
        {"id": uid(f"{prefix}-1"), "title": "First", "body": "<p>One thing.</p>"},
        {"id": uid(f"{prefix}-2"), "title": "Second", "body": "<p>Another <em>thing</em>.</p>"},
    ]


def _question(prompt: str, **data: Any) -> dict[str, Any]:
    return {
        "prompt": f"<p>{prompt}</p>",
        **data,
        "points": 2,
        "feedback": {"correct": "<p>Well done.</p>", "incorrect": "<p>Not quite.</p>"},
        "objective_ids": [OBJECTIVE],
    }


def _options(prefix: str, correct: set[int]) -> list[dict[str, Any]]:
    return [
        {
            "id": uid(f"{prefix}-{n}"),
            "text": f"Option {n}",
            "correct": n in correct,
            "feedback": f"<p>About {n}.</p>",
        }
        for n in range(4)
    ]


EXAMPLES: dict[str, dict[str, Any]] = {
    "rich_text": {
        "text": '<h2>Welcome</h2><p>Hello <strong>world</strong>, see <a href="https://example.com/" rel="noopener noreferrer">this</a>.</p>'
    },
    "callout": {"variant": "tip", "text": "<p>Save often.</p>"},
    "accordion": {"items": _titled("accordion")},
    "tabs": {"items": _titled("tab")},
    "process_steps": {"steps": _titled("step")},
    "table": {
        "header_row": True,
        "caption": "Opening hours",
        "columns": [{"id": uid("col-day")}, {"id": uid("col-hours")}],
        "rows": [
            {"id": uid("row-head"), "cells": ["Day", "Hours"]},
            {"id": uid("row-mon"), "cells": ["Monday", "9–17"]},
            {"id": uid("row-sun"), "cells": ["Sunday", ""]},
        ],
    },
    "quote": {"text": "Less is more.", "attribution": "Ludwig Mies van der Rohe"},
    "divider": {},
    "button_link": {"label": "Open the handbook", "url": "https://example.com/handbook"},
    "image": {
        "asset": IMAGE,
        "alt": "A headset on a desk",
        "decorative": False,
        "caption": "Our desk",
    },
    "video": {
        "asset": VIDEO,
        "tracks": [{"asset": CAPTIONS, "language": "en", "label": "English"}],
        "caption": "The new phone system",
    },
    "audio": {"asset": AUDIO, "transcript": "<p>Good morning, how can I help?</p>"},
    "file": {"asset": PDF, "label": "Checklist (PDF)"},
    "embed": {"url": YOUTUBE, "title": "Introduction video"},
    "single_choice": _question("Which colour?", options=_options("single", {1})),
    "multiple_choice": _question("Which are fruit?", options=_options("multi", {0, 2})),
    "true_false": _question("Water is wet.", correct_answer=True),
    "fill_in_blanks": _question(
        "Fill in the capitals.",
        text=f"<p>France: [[{uid('gap-fr')}]]. Spain: [[{uid('gap-es')}]].</p>",
        gaps=[
            {"id": uid("gap-fr"), "answers": ["Paris"], "case_sensitive": False},
            {"id": uid("gap-es"), "answers": ["Madrid", "Madrid city"], "case_sensitive": True},
        ],
    ),
    "matching": _question(
        "Match the country to its capital.",
        pairs=[
            {"id": uid(f"pair-{c}"), "left": c, "right_id": uid(f"right-{c}"), "right": capital}
            for c, capital in (("France", "Paris"), ("Spain", "Madrid"), ("Italy", "Rome"))
        ],
        distractors=[{"id": uid("right-distractor"), "text": "Lisbon"}],
    ),
    "ordering": _question(
        "Put the steps in order.",
        items=[{"id": uid(f"order-{n}"), "text": f"Step {n}"} for n in range(4)],
    ),
    "hotspot": _question(
        "Click the power button.",
        image=IMAGE,
        alt="The front of the phone",
        regions=[
            {
                "id": uid("region-rect"),
                "shape": "rect",
                "coords": [0.1, 0.1, 0.2, 0.2],
                "correct": True,
                "feedback": "<p>That is it.</p>",
            },
            {
                "id": uid("region-circle"),
                "shape": "circle",
                "coords": [0.7, 0.7, 0.1],
                "correct": False,
                "label": "Volume",
                "feedback": "<p>That is the volume.</p>",
            },
            {
                "id": uid("region-poly"),
                "shape": "polygon",
                "coords": [0.5, 0.1, 0.9, 0.1, 0.7, 0.4],
                "correct": False,
            },
        ],
    ),
    "open_question": {
        "prompt": "<p>What would you say to an angry caller?</p>",
        "max_length": 500,
        "sample_answer": "<p>I understand; let me help.</p>",
        "feedback": {"general": "<p>Thanks for your thoughts.</p>"},
        "objective_ids": [OBJECTIVE],
    },
    "likert": {
        "prompt": "<p>How sure are you?</p>",
        "statements": [
            {"id": uid("stmt-1"), "text": "I can use the phone."},
            {"id": uid("stmt-2"), "text": "I can transfer a call."},
        ],
        "scale": [
            {"id": uid(f"scale-{n}"), "label": label}
            for n, label in enumerate(["Not at all", "Somewhat", "Very"])
        ],
    },
}


def example(type_name: str) -> dict[str, Any]:
    return copy.deepcopy(EXAMPLES[type_name])


ALL_TYPES = [bt.type for bt in block_types()]
QUESTION_TYPES = [bt.type for bt in block_types(QUESTION)]


# --- the registry ------------------------------------------------------------------------------


def test_every_registered_type_has_an_example_and_every_example_a_type():
    assert set(ALL_TYPES) == set(EXAMPLES)
    assert len(ALL_TYPES) == 23


def test_content_types_are_listed_before_questions():
    families = [bt.family for bt in block_types()]
    assert families == sorted(families, key=[CONTENT, QUESTION].index)
    assert {bt.type for bt in block_types(CONTENT)} | set(QUESTION_TYPES) == set(ALL_TYPES)


def test_unknown_block_type_is_a_clear_domain_error():
    with pytest.raises(UnknownBlockType) as raised:
        get_block_type("hologram")
    assert isinstance(raised.value, Invalid)
    assert isinstance(raised.value, LookupError)
    assert "hologram" in str(raised.value.message)


@pytest.mark.parametrize("type_name", ALL_TYPES)
def test_type_describes_itself(type_name):
    bt = get_block_type(type_name)
    assert bt.type == type_name
    assert bt.version >= 1
    assert str(bt.label)
    assert bt.family in (CONTENT, QUESTION)
    assert isinstance(bt, QuestionType) == (bt.family == QUESTION)
    Draft202012Validator.check_schema(bt.data_schema)
    json.dumps(bt.data_schema)  # JSON-native, so the document schema can embed it


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize("type_name", ALL_TYPES)
def test_example_is_valid_before_and_after_sanitising(type_name):
    bt = get_block_type(type_name)
    assert bt.validate(example(type_name)) == []
    assert bt.validate(bt.sanitize(example(type_name))) == []


def _set(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `data` with the value at a JSON pointer set; `...` deletes it."""
    data = copy.deepcopy(data)
    *parents, last = path.strip("/").split("/")
    target: Any = data
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    key: Any = int(last) if isinstance(target, list) else last
    if value is ...:
        del target[key]
    else:
        target[key] = value
    return data


INVALID = [
    # (type, pointer to change, new value (... deletes), expected problem path, code)
    ("rich_text", "/text", "<p> </p>", "/text", "required"),
    ("rich_text", "/text", "<script>alert(1)</script>", "/text", "required"),
    ("rich_text", "/text", 5, "/text", "type"),
    ("callout", "/variant", "danger", "/variant", "choice"),
    ("accordion", "/items", [], "/items", "min_items"),
    ("tabs", "/items/0/title", ..., "/items/0/title", "required"),
    ("process_steps", "/steps/1/id", uid("step-1"), "/steps/1/id", "duplicate_id"),
    ("table", "/rows/1/cells", ["Monday"], "/rows/1/cells", "cell_count"),
    ("table", "/columns", [], "/columns", "min_items"),
    ("quote", "/text", ..., "/text", "required"),
    ("divider", "/colour", "red", "/colour", "unknown_field"),
    ("button_link", "/url", "javascript:alert(1)", "/url", "unsafe_url"),
    ("image", "/alt", ..., "/alt", "alt_required"),
    ("image", "/alt", "   ", "/alt", "alt_required"),
    ("video", "/url", YOUTUBE, "/url", "video_source"),
    ("video", "/asset", ..., "/asset", "video_source"),
    ("video", "/tracks/0/language", "English", "/tracks/0/language", "language"),
    ("audio", "/transcript", ..., "/transcript", "required"),
    ("file", "/asset", "not-a-uuid", "/asset", "uuid"),
    ("file", "/asset", uid("x").upper(), "/asset", "uuid"),
    ("embed", "/url", "https://evil.example/video", "/url", "embed_not_allowed"),
    ("embed", "/title", "", "/title", "required"),
    ("single_choice", "/options/0/correct", True, "/options", "correct_count"),
    ("single_choice", "/points", -1, "/points", "minimum"),
    ("single_choice", "/prompt", ..., "/prompt", "required"),
    ("single_choice", "/objective_ids/0", "objective", "/objective_ids/0", "uuid"),
    ("multiple_choice", "/options/2/correct", False, "/options", None),  # still one correct: valid
    ("multiple_choice", "/options/1/id", uid("multi-0"), "/options/1/id", "duplicate_id"),
    ("true_false", "/correct_answer", "yes", "/correct_answer", "type"),
    (
        "fill_in_blanks",
        "/text",
        f"<p>France: [[{uid('gap-fr')}]].</p>",
        "/gaps/1",
        "gap_not_placed",
    ),
    (
        "fill_in_blanks",
        "/text",
        f"<p>[[{uid('gap-fr')}]] [[{uid('gap-es')}]] [[{uid('nope')}]]</p>",
        "/text",
        "unknown_gap",
    ),
    ("fill_in_blanks", "/gaps/0/answers", [], "/gaps/0/answers", "min_items"),
    ("matching", "/pairs/0/right_id", uid("pair-France"), "/pairs/0/right_id", "duplicate_id"),
    ("matching", "/pairs", [], "/pairs", "min_items"),
    ("ordering", "/items", [{"id": uid("order-0"), "text": "Only"}], "/items", "min_items"),
    ("hotspot", "/regions/0/coords", [0.1, 0.1, 0.2], "/regions/0/coords", "shape"),
    ("hotspot", "/regions/0/coords", [0.9, 0.1, 0.2, 0.2], "/regions/0/coords", "shape"),
    ("hotspot", "/regions/0/coords/1", 1.5, "/regions/0/coords/1", "maximum"),
    ("hotspot", "/regions/0/correct", False, "/regions", "correct_count"),
    ("hotspot", "/alt", ..., "/alt", "required"),
    ("open_question", "/points", 1, "/points", "unknown_field"),
    ("likert", "/scale", [{"id": uid("scale-0"), "label": "Only"}], "/scale", "min_items"),
]


@pytest.mark.parametrize(("type_name", "path", "value", "problem_path", "code"), INVALID)
def test_invalid_data_gets_a_clear_problem_at_the_right_path(
    type_name, path, value, problem_path, code
):
    problems = get_block_type(type_name).validate(_set(example(type_name), path, value))
    if code is None:
        assert problems == []
        return
    assert (problem_path, code) in [(p.path, p.code) for p in problems], problems
    assert all(isinstance(p.message, str) and p.message for p in problems)


def test_every_type_has_an_invalid_case():
    assert set(ALL_TYPES) <= {case[0] for case in INVALID}


def test_decorative_image_needs_no_alt_text():
    data = _set(_set(example("image"), "/alt", ...), "/decorative", True)
    assert get_block_type("image").validate(data) == []


@pytest.mark.parametrize(
    ("change", "path", "code"),
    [
        ({"url": YOUTUBE, "title": "Demo"}, "/tracks", "tracks_need_file"),
        (
            {
                "url": "https://docs.google.com/presentation/d/e/2PACX-1vAbCdEfGhIjKlMnOpQrStUvWx/pub"
            },
            "/url",
            "embed_not_allowed",
        ),
    ],
)
def test_video_embed_rules(change, path, code):
    data = {k: v for k, v in example("video").items() if k != "asset"} | change
    problems = get_block_type("video").validate(data)
    assert (path, code) in [(p.path, p.code) for p in problems]


def test_embedded_video_needs_a_title_and_no_file():
    video = get_block_type("video")
    assert video.validate({"url": YOUTUBE, "title": "Demo"}) == []
    assert [(p.path, p.code) for p in video.validate({"url": YOUTUBE})] == [
        ("/title", "title_required")
    ]


def test_problem_messages_are_translated():
    from django.utils import translation

    data = _set(example("image"), "/alt", ...)
    with translation.override("nl"):
        problem = get_block_type("image").validate(data)[0]
    assert problem.code == "alt_required"
    assert isinstance(problem.message, str)


# --- sanitising --------------------------------------------------------------------------------

RICH_POISON = '<script>alert(1)</script><img src=x onerror=alert(2)><a href="javascript:alert(3)">x</a><p onclick="alert(4)">ok</p>'
PLAIN_POISON = "<script>alert(1)</script><img src=x onerror=alert(2)>"
URL_POISON = "javascript:alert(1)"
DANGER = ("<script", "onerror", "onclick", "javascript:", "alert(")


def text_fields(
    fields: tuple[Field, ...], data: Any, path: str = ""
) -> Iterator[tuple[str, Field]]:
    """(pointer, field) of every text and URL value in `data`, found through the fields."""
    for f in fields:
        if not isinstance(data, dict) or f.name not in data:
            continue
        here = f"{path}/{f.name}"
        if isinstance(f, Text | Url):
            yield here, f
        elif isinstance(f, TextList):
            yield from ((f"{here}/{i}", f) for i in range(len(data[f.name])))
        elif isinstance(f, Group):
            yield from text_fields(f.fields, data[f.name], here)
        elif isinstance(f, Items):
            for i, item in enumerate(data[f.name]):
                yield from text_fields(f.fields, item, f"{here}/{i}")


@pytest.mark.parametrize("type_name", ALL_TYPES)
def test_sanitize_removes_scripts_handlers_and_javascript_urls_from_every_field(type_name):
    bt = get_block_type(type_name)
    poisoned = example(type_name)
    fields = list(text_fields(bt.fields, poisoned))
    assert fields or type_name == "divider"
    for path, f in fields:
        if isinstance(f, Url):
            poison = URL_POISON
        else:
            poison = RICH_POISON if getattr(f, "html", False) else PLAIN_POISON
            current = _get(poisoned, path)
            poison = current + poison
        poisoned = _set(poisoned, path, poison)
    before = copy.deepcopy(poisoned)

    clean = bt.sanitize(poisoned)

    assert poisoned == before, "sanitize must not mutate its input"
    dumped = json.dumps(clean).lower()
    for danger in DANGER:
        assert danger not in dumped, (danger, dumped)
    assert bt.sanitize(clean) == clean, "sanitize must be idempotent"


def _get(data: Any, path: str) -> Any:
    for part in path.strip("/").split("/"):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def test_sanitize_keeps_allowed_markup_and_drops_unknown_keys():
    bt = get_block_type("rich_text")
    data = {"text": "<p>Hello <strong>world</strong></p>", "extra": "<script>x</script>"}
    assert bt.sanitize(data) == {"text": "<p>Hello <strong>world</strong></p>"}


def test_sanitize_keeps_the_allowed_embed_link_and_drops_others():
    embed = get_block_type("embed")
    assert embed.sanitize({"url": YOUTUBE, "title": "T"})["url"] == YOUTUBE
    assert embed.sanitize({"url": "https://evil.example/x", "title": "T"})["url"] == ""


# --- translatable segments ---------------------------------------------------------------------


@pytest.mark.parametrize("type_name", ALL_TYPES)
def test_segments_round_trip_and_one_change_changes_one_field(type_name):
    bt = get_block_type(type_name)
    data = bt.sanitize(example(type_name))
    segments = bt.text_segments(data)
    texts = {s.key: s.text for s in segments}
    assert len(texts) == len(segments), "segment keys must be unique"
    assert bt.apply_segments(data, texts) == data

    for segment in segments:
        new_text = "<p>Vertaald</p>" if segment.html else "Vertaald"
        changed = bt.apply_segments(data, {segment.key: new_text})
        assert {s.key: s.text for s in bt.text_segments(changed)} == texts | {segment.key: new_text}
        # Putting the old text back restores everything: nothing else was touched.
        assert bt.apply_segments(changed, {segment.key: segment.text}) == data
    assert data == bt.sanitize(example(type_name)), "apply_segments must not mutate its input"


def test_segment_keys_use_item_uuids_not_positions():
    bt = get_block_type("single_choice")
    data = example("single_choice")
    keys = [s.key for s in bt.text_segments(data)]
    assert f"options.{uid('single-1')}.text" in keys
    assert f"options.{uid('single-1')}.feedback" in keys
    assert "feedback.correct" in keys
    assert "prompt" in keys
    reordered = {**data, "options": list(reversed(data["options"]))}
    assert {s.key: s.text for s in bt.text_segments(reordered)} == {
        s.key: s.text for s in bt.text_segments(data)
    }


def test_table_cells_are_keyed_by_row_and_column():
    keys = {s.key: s.text for s in get_block_type("table").text_segments(example("table"))}
    assert keys[f"rows.{uid('row-mon')}.cells.{uid('col-hours')}"] == "9–17"
    assert f"rows.{uid('row-sun')}.cells.{uid('col-hours')}" not in keys  # empty cell


def test_accepted_answers_are_one_segment_a_translator_may_extend():
    bt = get_block_type("fill_in_blanks")
    data = example("fill_in_blanks")
    key = f"gaps.{uid('gap-es')}.answers"
    assert {s.key: s.text for s in bt.text_segments(data)}[key] == "Madrid\nMadrid city"
    translated = bt.apply_segments(data, {key: "Madrid\nla capital\n"})
    assert translated["gaps"][1]["answers"] == ["Madrid", "la capital"]


def test_translations_are_sanitised_and_unknown_keys_ignored():
    bt = get_block_type("rich_text")
    result = bt.apply_segments(
        {"text": "<p>Hi</p>"}, {"text": "<p onclick='x()'>Hoi</p>", "nope": "x"}
    )
    assert result == {"text": "<p>Hoi</p>"}


def test_word_count_counts_visible_words_only():
    assert (
        get_block_type("rich_text").word_count(
            {"text": "<p>Hello <strong>big</strong> world&nbsp;again</p>"}
        )
        == 4
    )
    fill = get_block_type("fill_in_blanks")
    data = {
        "prompt": "<p>Fill in.</p>",
        "text": f"<p>A [[{uid('g')}]] b</p>",
        "gaps": [{"id": uid("g"), "answers": ["x"]}],
    }
    assert fill.word_count(data) == 2 + 2 + 1  # prompt, text without the gap marker, answer
    assert get_block_type("divider").word_count({}) == 0


# --- scoring -----------------------------------------------------------------------------------


def score(type_name: str, response: Any, **changes: Any) -> Score:
    bt = get_block_type(type_name)
    assert isinstance(bt, QuestionType)
    return bt.score(example(type_name) | changes, response)


FR, ES = uid("gap-fr"), uid("gap-es")
PAIRS = {uid(f"pair-{c}"): uid(f"right-{c}") for c in ("France", "Spain", "Italy")}
ORDER = [uid(f"order-{n}") for n in range(4)]

SCORES = [
    # (type, response, changes to the example, expected score)
    ("single_choice", uid("single-1"), {}, Score(2, 2, True)),
    ("single_choice", uid("single-0"), {}, Score(0, 2, False)),
    ("multiple_choice", [uid("multi-2"), uid("multi-0")], {}, Score(2, 2, True)),
    ("multiple_choice", [uid("multi-0")], {}, Score(0, 2, False)),
    ("multiple_choice", [uid("multi-0")], {"partial_credit": True}, Score(1, 2, False)),
    (
        "multiple_choice",
        [uid("multi-0"), uid("multi-1")],
        {"partial_credit": True},
        Score(0, 2, False),
    ),
    (
        "multiple_choice",
        [uid(f"multi-{n}") for n in range(4)],
        {"partial_credit": True},
        Score(0, 2, False),
    ),
    ("multiple_choice", [], {}, Score(0, 2, False)),
    ("true_false", True, {}, Score(2, 2, True)),
    ("true_false", False, {}, Score(0, 2, False)),
    ("true_false", True, {"points": 0}, Score(0, 0, True)),
    ("fill_in_blanks", {FR: " paris ", ES: "Madrid  city"}, {}, Score(2, 2, True)),
    ("fill_in_blanks", {FR: "Paris", ES: "madrid"}, {}, Score(0, 2, False)),
    ("fill_in_blanks", {FR: "Paris", ES: "madrid"}, {"partial_credit": True}, Score(1, 2, False)),
    ("fill_in_blanks", {FR: "Paris"}, {"partial_credit": True}, Score(1, 2, False)),
    ("matching", PAIRS, {}, Score(2, 2, True)),
    ("matching", PAIRS | {uid("pair-Italy"): uid("right-distractor")}, {}, Score(0, 2, False)),
    (
        "matching",
        PAIRS | {uid("pair-Italy"): uid("right-distractor")},
        {"partial_credit": True},
        Score(1.33, 2, False),
    ),
    ("ordering", ORDER, {}, Score(2, 2, True)),
    (
        "ordering",
        [ORDER[1], ORDER[0], ORDER[2], ORDER[3]],
        {"partial_credit": True},
        Score(1, 2, False),
    ),
    ("ordering", list(reversed(ORDER)), {}, Score(0, 2, False)),
    ("hotspot", {"x": 0.2, "y": 0.25}, {}, Score(2, 2, True)),
    ("hotspot", {"x": 0.1, "y": 0.1}, {}, Score(2, 2, True)),  # on the edge counts
    ("hotspot", {"x": 0.7, "y": 0.75}, {}, Score(0, 2, False)),  # the circle, not correct
    ("hotspot", {"x": 0.7, "y": 0.2}, {}, Score(0, 2, False)),  # the polygon
    ("hotspot", {"x": 0, "y": 1}, {}, Score(0, 2, False)),
    ("open_question", "Listen, then help.", {}, Score(0, 0, None)),
    ("likert", {uid("stmt-1"): uid("scale-2")}, {}, Score(0, 0, None)),
]


@pytest.mark.parametrize(("type_name", "response", "changes", "expected"), SCORES)
def test_score(type_name, response, changes, expected):
    assert score(type_name, response, **changes) == expected


def test_every_question_type_is_scored_in_a_test():
    assert set(QUESTION_TYPES) <= {case[0] for case in SCORES}


def test_hotspot_polygon_hit():
    regions = [
        {
            "id": uid("p"),
            "shape": "polygon",
            "coords": [0.5, 0.1, 0.9, 0.1, 0.7, 0.4],
            "correct": True,
        }
    ]
    assert score("hotspot", {"x": 0.7, "y": 0.2}, regions=regions).correct is True
    assert score("hotspot", {"x": 0.52, "y": 0.35}, regions=regions).correct is False


MALFORMED = [
    ("single_choice", 7),
    ("single_choice", uid("not-an-option")),
    ("single_choice", None),
    ("multiple_choice", uid("multi-0")),
    ("multiple_choice", [uid("multi-0"), uid("multi-0")]),
    ("multiple_choice", [uid("elsewhere")]),
    ("true_false", "true"),
    ("true_false", 1),
    ("fill_in_blanks", {uid("unknown-gap"): "Paris"}),
    ("fill_in_blanks", {FR: 42}),
    ("fill_in_blanks", ["Paris", "Madrid"]),
    ("matching", {uid("right-France"): uid("right-France")}),
    ("matching", {uid("pair-France"): uid("pair-Spain")}),
    ("matching", "France=Paris"),
    ("ordering", ORDER[:3]),
    ("ordering", [*ORDER[:3], ORDER[0]]),
    ("ordering", {"0": ORDER[0]}),
    ("hotspot", {"x": 1.5, "y": 0.5}),
    ("hotspot", {"x": math.nan, "y": 0.5}),
    ("hotspot", {"x": 0.5}),
    ("hotspot", {"x": 0.5, "y": 0.5, "z": 0}),
    ("hotspot", {"x": True, "y": 0.5}),
    ("open_question", 123),
    ("open_question", "x" * 501),
    ("likert", {uid("stmt-1"): uid("stmt-2")}),
    ("likert", {uid("scale-0"): uid("scale-0")}),
]


@pytest.mark.parametrize(("type_name", "response"), MALFORMED)
def test_malformed_response_is_refused_cleanly(type_name, response):
    with pytest.raises(ValueError, match=r".") as raised:
        score(type_name, response)
    assert isinstance(raised.value, InvalidResponse)


def test_feedback_follows_the_response():
    single = get_block_type("single_choice")
    assert isinstance(single, QuestionType)
    data = example("single_choice")
    assert single.feedback_for(data, uid("single-0")) == ["<p>Not quite.</p>", "<p>About 0.</p>"]
    assert single.feedback_for(data, uid("single-1")) == ["<p>Well done.</p>", "<p>About 1.</p>"]
    hotspot = get_block_type("hotspot")
    assert isinstance(hotspot, QuestionType)
    assert (
        hotspot.feedback_for(example("hotspot"), {"x": 0.7, "y": 0.7})[1]
        == "<p>That is the volume.</p>"
    )
    open_question = get_block_type("open_question")
    assert isinstance(open_question, QuestionType)
    assert open_question.feedback_for(example("open_question"), "Hm") == [
        "<p>Thanks for your thoughts.</p>",
        "<p>I understand; let me help.</p>",
    ]


# --- public data -------------------------------------------------------------------------------

SECRET_KEYS = (
    '"correct',
    '"answers"',
    '"feedback"',
    '"sample_answer"',
    '"regions"',
    '"right_id"',
    '"pairs"',
    '"case_sensitive"',
)


@pytest.mark.parametrize("type_name", QUESTION_TYPES)
def test_public_data_holds_no_answers(type_name):
    bt = get_block_type(type_name)
    data = example(type_name)
    public = bt.public_data(data)
    dumped = json.dumps(public)
    for secret in SECRET_KEYS:
        assert secret not in dumped, (secret, dumped)
    assert public["prompt"] == data["prompt"]
    assert data == example(type_name), "public_data must not mutate its input"


def test_public_data_keeps_what_the_learner_needs_and_no_more():
    single = get_block_type("single_choice").public_data(example("single_choice"))
    assert single["options"][1] == {"id": uid("single-1"), "text": "Option 1"}
    fill = get_block_type("fill_in_blanks").public_data(example("fill_in_blanks"))
    assert fill["gaps"] == [{"id": FR}, {"id": ES}]
    assert "Paris" not in json.dumps(fill)
    assert "Madrid" not in json.dumps(fill)
    hotspot = get_block_type("hotspot").public_data(example("hotspot"))
    assert hotspot["image"] == IMAGE
    assert "0.1" not in json.dumps(hotspot)
    assert "sample_answer" not in get_block_type("open_question").public_data(
        example("open_question")
    )


def test_public_matching_lists_both_sides_without_the_pairing():
    public = get_block_type("matching").public_data(example("matching"))
    assert [item["text"] for item in public["left"]] == ["France", "Spain", "Italy"]
    assert {item["text"] for item in public["right"]} == {"Paris", "Madrid", "Rome", "Lisbon"}
    assert {item["id"] for item in public["right"]}.isdisjoint(
        {item["id"] for item in public["left"]}
    )


def test_public_ordering_does_not_give_the_order_away():
    public = get_block_type("ordering").public_data(example("ordering"))
    assert sorted(item["id"] for item in public["items"]) == sorted(ORDER)
    assert [item["id"] for item in public["items"]] != ORDER


def test_content_blocks_are_public_as_they_are():
    for bt in block_types(CONTENT):
        assert bt.public_data(example(bt.type)) == example(bt.type)


def test_references_name_ids_assets_and_objectives():
    refs = get_block_type("video").references(example("video"))
    assert {(r.kind, r.path, r.value) for r in refs} == {
        ("asset", "/asset", VIDEO),
        ("asset", "/tracks/0/asset", CAPTIONS),
    }
    assert ("objective", "/objective_ids/0", OBJECTIVE) in {
        (r.kind, r.path, r.value)
        for r in get_block_type("ordering").references(example("ordering"))
    }


def test_embed_url_field_narrows_providers():
    field = EmbedUrl("url", providers=frozenset({"vimeo"}))
    assert field.clean(YOUTUBE) == ""


def test_video_refuses_an_allowed_non_video_embed_by_name():
    slides = "https://docs.google.com/presentation/d/e/2PACX-1vAbCdEfGhIjKlMnOpQrStUvWx/pub"
    assert get_block_type("embed").validate({"url": slides, "title": "Slides"}) == []
    problems = get_block_type("video").validate({"url": slides, "title": "Slides"})
    assert [p.code for p in problems] == ["embed_not_allowed"]
    assert "Google Slides" in problems[0].message


def test_video_providers_are_known_to_the_embed_allowlist():
    from authoring.blocks.media import VIDEO_PROVIDERS
    from authoring.embeds import PROVIDERS

    assert {p.key for p in PROVIDERS} >= VIDEO_PROVIDERS


@pytest.mark.parametrize("type_name", ALL_TYPES)
def test_rekey_gives_a_valid_copy_sharing_no_owned_id(type_name):
    bt = get_block_type(type_name)
    data = example(type_name)
    copy_ = bt.rekey(data)
    assert bt.validate(copy_) == []
    assert data == example(type_name), "rekey must not mutate its input"
    owned = {r.value for r in bt.references(data) if r.kind == "id"}
    assert owned.isdisjoint(r.value for r in bt.references(copy_) if r.kind == "id")
    # Assets and objectives are shared, not owned: they stay.
    shared = {(r.kind, r.value) for r in bt.references(data) if r.kind != "id"}
    assert shared == {(r.kind, r.value) for r in bt.references(copy_) if r.kind != "id"}
    assert [s.text for s in bt.text_segments(copy_)] == [
        s.text for s in bt.text_segments(data)
    ] or type_name == "fill_in_blanks"


def test_rekey_moves_gap_markers_with_their_gaps():
    bt = get_block_type("fill_in_blanks")
    copy_ = bt.rekey(example("fill_in_blanks"))
    for gap in copy_["gaps"]:
        assert f"[[{gap['id']}]]" in copy_["text"]
    assert uid("gap-fr") not in copy_["text"]
