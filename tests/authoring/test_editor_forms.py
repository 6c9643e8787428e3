"""Editor forms generated from block fields: every value reachable, nothing unsafe, defaults valid."""

from __future__ import annotations

import copy
import re
import uuid
from typing import Any

import pytest

from authoring.blocks import block_types, get_block_type
from authoring.editor_forms import BLOCK_HINTS, default_data, palette, render_block_editor
from tests.authoring.editor_dom import (
    Node,
    absolute_path,
    data_controls,
    parse,
    resolve,
    serialize,
)
from tests.authoring.test_blocks import ALL_TYPES, EXAMPLES, IMAGE, OBJECTIVE

BLOCK_ID = "0f0e0d0c-0b0a-4908-8706-050403020100"
OBJECTIVES = [{"id": OBJECTIVE, "text": "Answer the phone"}]
# Problems a new block may have: what only the author can fill in. No shape problems.
AUTHOR_MUST_FILL = {"required", "alt_required", "video_source", "correct_count"}


class Info:
    url = "/media/picture.png"
    filename = "picture.png"
    content_type = "image/png"
    width = 640
    height = 480


def form_of(type_name: str, data: dict[str, Any]) -> Node:
    html = render_block_editor(
        {"id": BLOCK_ID, "type": type_name, "version": 1, "data": data},
        objectives=OBJECTIVES,
        assets={IMAGE: Info()},
    )
    return parse(str(html))


def _leaves(value: Any, path: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _leaves(v, f"{path}/{k}")]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in _leaves(v, f"{path}/{i}")]
    return [(path, value)]


def _number(text: str) -> float:
    return float(text)


def _check_value(type_name: str, path: str, node: Node, value: Any) -> None:
    kind = node.get("data-kind")
    where = f"{type_name} {path}"
    if kind == "bool":
        assert node.has("checked") == (value is True), where
    elif kind == "uuid-list":
        assert isinstance(value, list), where
        assert node.has("checked") == (node.get("value") in value), where
    elif kind == "lines":
        assert node.text_content().split("\n") == value, where
    elif kind == "number":
        assert _number(node.get("value")) == value, where
    elif kind == "choice":
        selected = [o for o in node.iter() if o.tag == "option" and o.has("selected")]
        assert [o.get("value") for o in selected] == [value], where
    elif kind == "html":
        assert isinstance(value, str), where
        assert value, where
        assert node.has("contenteditable"), where
        assert node.get("role") == "textbox", where
    elif kind in ("text", "asset"):
        text = node.text_content() if node.tag == "textarea" else node.get("value")
        assert text == value, where


@pytest.mark.parametrize("type_name", ALL_TYPES)
def test_every_control_of_an_example_points_at_its_value(type_name: str) -> None:
    data = copy.deepcopy(EXAMPLES[type_name])
    root = form_of(type_name, data)
    controls = data_controls(root)
    for path, node in controls:
        assert node.get("data-kind") or node.has("data-items"), f"{type_name}: {path} kind"
        found, value = resolve(data, path)
        if node.has("data-items"):
            assert found, f"{type_name}: list {path}"
            assert isinstance(value, list), f"{type_name}: list {path}"
            items = [c for c in node.children if c.has("data-item")]
            assert len(items) == len(value), f"{type_name}: {path} items"
            for item, entry in zip(items, value, strict=True):
                if "id" in entry and not node.has("data-item-key"):
                    assert item.get("data-item-id") == entry["id"], f"{type_name}: {path}"
            continue
        if not found:
            # Only an optional field the data does not hold yet may point nowhere, and its
            # parent must exist.
            assert node.has("data-absent"), f"{type_name}: {path} points at nothing"
            parent = path.rsplit("/", 1)[0]
            if node.get("data-kind") == "number" and parent.endswith("/coords"):
                parent = parent.rsplit("/", 1)[0]
            assert resolve(data, parent)[0] or any(
                a.has("data-absent") for a in node.ancestors()
            ), f"{type_name}: {path} has no parent"
            continue
        assert not node.has("data-absent"), f"{type_name}: {path} is there"
        _check_value(type_name, path, node, value)


@pytest.mark.parametrize("type_name", ALL_TYPES)
def test_every_value_of_an_example_has_a_control(type_name: str) -> None:
    """The round trip the other way: nothing the block holds is left out of its form."""
    data = copy.deepcopy(EXAMPLES[type_name])
    root = form_of(type_name, data)
    addressed = {path for path, node in data_controls(root)}
    item_ids = {n.get("data-item-id") for n in root.iter() if n.has("data-item-id")}
    for path, value in _leaves(data):
        if path.endswith("/id") and value in item_ids:
            continue
        prefixes = [*[path[: m.start()] for m in re.finditer(r"/", path)][1:], path]
        assert any(p in addressed for p in prefixes), f"{type_name}: no control for {path}"


def test_rich_text_is_sanitised_in_the_form() -> None:
    data = copy.deepcopy(EXAMPLES["single_choice"])
    payload = '<p>Hi<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">x</a></p>'
    data["prompt"] = payload
    data["options"][0]["text"] = '"><script>alert(4)</script>'
    data["options"][0]["feedback"] = '<svg onload="alert(5)"></svg><p onclick="alert(6)">ok</p>'
    html = str(render_block_editor({"id": BLOCK_ID, "type": "single_choice", "data": data}))
    for raw in ("<script", "onerror", "javascript:", "onload", "onclick", "<svg", "<img"):
        assert raw not in html.lower(), raw
    # The plain text is escaped, not dropped: the author sees what is stored.
    assert "&quot;&gt;&lt;script&gt;alert(4)&lt;/script&gt;" in html
    prompt = next(
        n
        for n in parse(html).iter()
        if n.get("data-path") == "/prompt" and n.has("contenteditable")
    )
    assert prompt.text_content() == "Hix"


def test_rich_text_has_a_labelled_textbox_and_a_toolbar() -> None:
    root = form_of("rich_text", copy.deepcopy(EXAMPLES["rich_text"]))
    box = next(n for n in root.iter() if n.get("data-kind") == "html")
    assert box.get("contenteditable") == "true"
    assert box.get("aria-multiline") == "true"
    labels = [n for n in root.iter() if n.get("id") == box.get("aria-labelledby")]
    assert labels
    assert labels[0].tag == "label"
    assert labels[0].text_content().strip()
    commands = [n.get("data-rt-command") for n in root.iter() if n.has("data-rt-command")]
    assert commands == ["bold", "italic", "h2", "h3", "bulletList", "orderedList", "link", "quote"]
    assert all(n.get("aria-label") for n in root.iter() if n.has("data-rt-command"))


@pytest.mark.parametrize("type_name", ALL_TYPES)
def test_every_control_is_labelled(type_name: str) -> None:
    root = parse(
        str(
            render_block_editor(
                {"id": BLOCK_ID, "type": type_name, "data": EXAMPLES[type_name]},
                objectives=OBJECTIVES,
            )
        )
    )
    ids = {n.get("id") for n in root.iter(into_templates=True) if n.has("id")}
    label_for = {n.get("for") for n in root.iter(into_templates=True) if n.tag == "label"}
    for node in root.iter(into_templates=True):
        if node.tag in ("input", "select", "textarea") and node.get("type") != "hidden":
            wrapped = any(a.tag == "label" for a in node.ancestors())
            assert node.get("id") in label_for or wrapped, f"{type_name}: {node.attrs}"
        if node.has("contenteditable"):
            assert node.get("aria-labelledby") in ids, f"{type_name}: {node.attrs}"
        if node.tag == "button":
            assert node.get("aria-label") or node.text_content().strip(), node.attrs
    # Element ids are unique on the page (outside item templates, whose ids are renamed).
    outside = [n.get("id") for n in root.iter() if n.has("id")]
    assert len(outside) == len(set(outside)), type_name


def test_item_lists_follow_the_contract() -> None:
    root = form_of("single_choice", copy.deepcopy(EXAMPLES["single_choice"]))
    options = next(n for n in root.iter() if n.get("data-path") == "/options")
    assert options.tag == "ol"
    assert options.has("data-items")
    items = [c for c in options.children if c.has("data-item")]
    assert [i.get("data-item-id") for i in items] == [
        o["id"] for o in EXAMPLES["single_choice"]["options"]
    ]
    actions = {n.get("data-action") for n in items[0].iter() if n.has("data-action")}
    assert {"item-up", "item-down", "item-remove"} <= actions
    field = options.parent
    assert field is not None
    template = next(c for c in field.children if c.tag == "template")
    assert template.has("data-item-template")
    new_item = next(n for n in template.iter(into_templates=True) if n.has("data-item"))
    assert new_item.get("data-item-id") == "__id__"
    paths = {n.get("data-path") for n in new_item.iter(into_templates=True) if n.has("data-path")}
    assert {"/text", "/correct", "/feedback"} <= paths
    assert any(n.get("data-action") == "item-add" for n in field.children)
    # Inside the item, the option's text is addressed from the item.
    text = next(n for n in items[1].iter() if n.get("data-path") == "/text")
    assert absolute_path(text) == "/options/1/text"


def test_objective_links_are_checkboxes_of_the_course_objectives() -> None:
    other = str(uuid.uuid4())
    data = copy.deepcopy(EXAMPLES["true_false"])
    html = render_block_editor(
        {"id": BLOCK_ID, "type": "true_false", "data": data},
        objectives=[*OBJECTIVES, {"id": other, "text": "Transfer a call"}],
    )
    boxes = [n for n in parse(str(html)).iter() if n.get("data-kind") == "uuid-list"]
    assert [(b.get("value"), b.has("checked")) for b in boxes] == [
        (OBJECTIVE, True),
        (other, False),
    ]
    assert all(
        b.get("data-path") == "/objective_ids" and b.get("type") == "checkbox" for b in boxes
    )
    assert "Transfer a call" in html


def test_question_forms_show_points_and_feedback() -> None:
    root = form_of("multiple_choice", copy.deepcopy(EXAMPLES["multiple_choice"]))
    paths = {p for p, _n in data_controls(root)}
    assert {"/points", "/feedback/correct", "/feedback/incorrect", "/partial_credit"} <= paths
    assert "/options/0/feedback" in paths


def test_hotspot_form_edits_regions_with_numbers_over_a_preview() -> None:
    root = form_of("hotspot", copy.deepcopy(EXAMPLES["hotspot"]))
    paths = {p for p, _n in data_controls(root)}
    assert {f"/regions/0/coords/{i}" for i in range(4)} <= paths  # x, y, width, height
    assert {f"/regions/1/coords/{i}" for i in range(3)} <= paths  # circle
    assert "/regions/2/coords" in paths  # polygon as a list
    image = next(n for n in root.iter() if n.tag == "img" and "hotspot" in n.get("class"))
    assert image.get("src") == Info.url
    assert [n.tag for n in root.iter() if n.tag in ("rect", "ellipse", "polygon")] == [
        "rect",
        "ellipse",
        "polygon",
    ]


def test_table_form_is_a_grid_of_cells() -> None:
    root = form_of("table", copy.deepcopy(EXAMPLES["table"]))
    cells = [(p, n.get("value")) for p, n in data_controls(root) if "/cells/" in p]
    assert cells == [
        ("/rows/0/cells/0", "Day"),
        ("/rows/0/cells/1", "Hours"),
        ("/rows/1/cells/0", "Monday"),
        ("/rows/1/cells/1", "9–17"),
        ("/rows/2/cells/0", "Sunday"),
        ("/rows/2/cells/1", ""),
    ]


def test_fill_in_blanks_form_explains_the_gap_syntax() -> None:
    data = copy.deepcopy(EXAMPLES["fill_in_blanks"])
    html = str(render_block_editor({"id": BLOCK_ID, "type": "fill_in_blanks", "data": data}))
    for gap in data["gaps"]:
        assert f"[[{gap['id']}]]" in html
    assert "How gaps work" in html


@pytest.mark.parametrize("type_name", ALL_TYPES)
def test_default_data_has_the_shape_of_its_type(type_name: str) -> None:
    data = default_data(type_name)
    problems = get_block_type(type_name).validate(data)
    assert {p.code for p in problems} <= AUTHOR_MUST_FILL, problems
    # A new block's form renders, and every control points into the data.
    root = form_of(type_name, data)
    for path, node in data_controls(root):
        found, _value = resolve(data, path)
        assert found or node.has("data-absent"), f"{type_name}: {path}"


def test_default_data_gives_fresh_ids() -> None:
    first, second = default_data("single_choice"), default_data("single_choice")
    assert len(first["options"]) == 2
    ids = {o["id"] for o in first["options"]} | {o["id"] for o in second["options"]}
    assert len(ids) == 4
    fill = default_data("fill_in_blanks")
    assert f"[[{fill['gaps'][0]['id']}]]" in fill["text"]
    table = default_data("table")
    assert all(len(row["cells"]) == len(table["columns"]) for row in table["rows"])


def test_palette_groups_every_type_with_a_hint() -> None:
    groups = palette()
    assert [label for label, _types in groups] == ["Content", "Questions"]
    listed = [entry["type"] for _label, entries in groups for entry in entries]
    assert listed == [bt.type for bt in block_types()]
    assert set(BLOCK_HINTS) == set(ALL_TYPES)


def test_unknown_block_type_gets_a_read_only_view() -> None:
    html = str(render_block_editor({"id": BLOCK_ID, "type": "nope", "data": {"a": "<b>"}}))
    assert "unknown type" in html
    assert "&lt;b&gt;" in html


@pytest.mark.parametrize("type_name", ALL_TYPES)
def test_reading_the_form_back_gives_the_data_again(type_name: str) -> None:
    """Render an example, read the form the way the editor's JS does: the same data comes
    back (plus optional fields the example left out, as empty values), and it is valid."""
    data = copy.deepcopy(EXAMPLES[type_name])
    root = form_of(type_name, data)
    form = next(n for n in root.iter() if n.has("data-block-form"))
    read = serialize(form)
    block_type = get_block_type(type_name)
    assert block_type.validate(read) == [], read
    clean = block_type.sanitize(data)

    def _compare(expected: Any, actual: Any, path: str) -> None:
        if isinstance(expected, dict):
            assert isinstance(actual, dict), path
            for key, value in expected.items():
                assert key in actual, f"{type_name}: {path}/{key} lost"
                _compare(value, actual[key], f"{path}/{key}")
        elif isinstance(expected, list):
            assert isinstance(actual, list), path
            assert len(actual) == len(expected), path
            for index, (a, b) in enumerate(zip(expected, actual, strict=True)):
                _compare(a, b, f"{path}/{index}")
        else:
            assert actual == expected, f"{type_name}: {path}: {actual!r} != {expected!r}"

    _compare(clean, read, "")
