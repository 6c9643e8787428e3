"""document_diff: every kind of change between two course documents, with exact text runs."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from authoring.blocks import block_types, get_block_type
from reviews.diff import document_diff, word_diff
from tests.authoring.test_blocks import EXAMPLES, uid
from tests.authoring.test_document_schema import document


def runs(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"op": op, "text": text} for op, text in pairs]


def text_block(name: str, text: str) -> dict[str, Any]:
    return {"id": uid(f"b-{name}"), "type": "rich_text", "version": 1, "data": {"text": text}}


def small() -> dict[str, Any]:
    """Two sections; s1 holds pages p1 (blocks a, b, c) and p2 (block d); s2 holds p3."""
    return {
        "schema_version": 1,
        "course": {
            "id": uid("course"),
            "title": "Phones",
            "description": "Greeting callers.",
            "language": "en",
            "objectives": [
                {"id": uid("o1"), "text": "Greet a caller."},
                {"id": uid("o2"), "text": "Transfer a call."},
            ],
        },
        "sections": [
            {
                "id": uid("s1"),
                "title": "Basics",
                "pages": [
                    {
                        "id": uid("p1"),
                        "title": "Hello",
                        "kind": "content",
                        "settings": {},
                        "blocks": [
                            text_block("a", "<p>Alpha one.</p>"),
                            text_block("b", "<p>Save often.</p>"),
                            text_block("c", "<p>Gamma three.</p>"),
                        ],
                    },
                    {
                        "id": uid("p2"),
                        "title": "More",
                        "kind": "content",
                        "settings": {},
                        "blocks": [text_block("d", "<p>Delta.</p>")],
                    },
                ],
            },
            {
                "id": uid("s2"),
                "title": "Test",
                "pages": [
                    {
                        "id": uid("p3"),
                        "title": "Quiz",
                        "kind": "quiz",
                        "settings": {"passing_score": 80, "attempts": 3, "random_order": False},
                        "blocks": [],
                    }
                ],
            },
        ],
        "assets": [],
    }


def pages_of(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["id"]: p for s in doc["sections"] for p in s["pages"]}


def only(items: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(items) == 1, items
    return items[0]


# --- words -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "Save often.",
            "Save your work often.",
            [("equal", "Save "), ("insert", "your work "), ("equal", "often.")],
        ),
        (
            "a b c",
            "a x y c",
            [("equal", "a "), ("delete", "b"), ("insert", "x y"), ("equal", " c")],
        ),
        ("Keep it", "Keep", [("equal", "Keep"), ("delete", " it")]),
        ("", "New text", [("insert", "New text")]),
        ("Old text", "", [("delete", "Old text")]),
        ("Same", "Same", [("equal", "Same")]),
    ],
)
def test_word_diff_runs(old, new, expected):
    assert [{"op": r.op, "text": r.text} for r in word_diff(old, new)] == runs(*expected)


# --- whole documents ---------------------------------------------------------------------------


def test_identical_documents_give_an_empty_diff():
    diff = document_diff(small(), small())
    assert diff.is_empty
    data = diff.as_dict()
    assert data["course"] == data["objectives"] == data["sections"] == []
    assert data["pages"] == data["blocks"] == []
    assert data["summary"]["blocks"] == {
        "added": 0,
        "removed": 0,
        "changed": 0,
        "unchanged": 4,
        "moved": 0,
    }
    json.dumps(data)  # plain JSON


def test_include_unchanged_lists_everything_as_unchanged():
    data = document_diff(small(), small(), include_unchanged=True).as_dict()
    assert [b["status"] for b in data["blocks"]] == ["unchanged"] * 4
    assert [p["id"] for p in data["pages"]] == [uid("p1"), uid("p2"), uid("p3")]


def test_changed_text_has_exact_runs_and_no_other_changes():
    new = small()
    pages_of(new)[uid("p1")]["blocks"][1]["data"]["text"] = "<p>Save your work <b>often</b>.</p>"
    diff = document_diff(small(), new).as_dict()
    block = only(diff["blocks"])
    assert block["id"] == uid("b-b")
    assert block["status"] == "changed"
    assert block["moved"] is False
    assert block["other_changes"] == []
    assert block["segments"] == [
        {
            "key": "text",
            "status": "changed",
            "runs": runs(("equal", "Save "), ("insert", "your work "), ("equal", "often.")),
        }
    ]
    assert diff["summary"]["blocks"]["changed"] == 1
    assert diff["summary"]["blocks"]["unchanged"] == 3


def test_markup_only_change_is_a_change_without_text_runs_of_insert_or_delete():
    new = small()
    pages_of(new)[uid("p1")]["blocks"][1]["data"]["text"] = "<p><em>Save often.</em></p>"
    block = only(document_diff(small(), new).as_dict()["blocks"])
    assert block["status"] == "changed"
    assert block["segments"] == []  # the same words: nothing to show word by word


def test_runs_are_plain_text_never_html():
    new = small()
    pages_of(new)[uid("p1")]["blocks"][1]["data"]["text"] = "<p>Save &lt;script&gt; often.</p>"
    block = only(document_diff(small(), new).as_dict()["blocks"])
    texts = "".join(r["text"] for s in block["segments"] for r in s["runs"])
    assert "<p>" not in texts
    assert "<script>" in texts  # the decoded text: rendering escapes it


def test_block_added_and_removed_are_placed_where_they_are_and_were():
    new = small()
    blocks = pages_of(new)[uid("p1")]["blocks"]
    del blocks[1]  # b removed
    blocks.insert(0, text_block("new", "<p>Brand new.</p>"))
    diff = document_diff(small(), new).as_dict()
    assert [(b["id"], b["status"]) for b in diff["blocks"]] == [
        (uid("b-new"), "added"),
        (uid("b-b"), "removed"),
    ]
    added, removed = diff["blocks"]
    assert added["page_id"] == uid("p1")
    assert added["old_page_id"] is None
    assert added["index"] == 0
    assert added["old_index"] is None
    assert added["segments"] == [
        {"key": "text", "status": "added", "runs": runs(("insert", "Brand new."))}
    ]
    assert removed["page_id"] is None
    assert removed["old_page_id"] == uid("p1")
    assert removed["old_index"] == 1
    assert removed["segments"] == [
        {"key": "text", "status": "removed", "runs": runs(("delete", "Save often."))}
    ]
    # a and c only shifted: not moved
    assert diff["summary"]["blocks"] == {
        "added": 1,
        "removed": 1,
        "changed": 0,
        "unchanged": 3,
        "moved": 0,
    }


def test_removed_items_keep_their_place_among_the_new_order():
    new = small()
    blocks = pages_of(new)[uid("p1")]["blocks"]
    del blocks[1]  # b
    blocks[0]["data"]["text"] = "<p>Alpha uno.</p>"
    blocks[1]["data"]["text"] = "<p>Gamma tres.</p>"
    diff = document_diff(small(), new).as_dict()
    assert [b["id"] for b in diff["blocks"]] == [uid("b-a"), uid("b-b"), uid("b-c")]


def test_block_moved_across_pages():
    new = small()
    pages = pages_of(new)
    block = pages[uid("p1")]["blocks"].pop(2)  # c
    pages[uid("p2")]["blocks"].insert(0, block)
    diff = document_diff(small(), new).as_dict()
    moved = only(diff["blocks"])
    assert moved["id"] == uid("b-c")
    assert moved["status"] == "unchanged"
    assert moved["moved"] is True
    assert (moved["old_page_id"], moved["old_index"]) == (uid("p1"), 2)
    assert (moved["page_id"], moved["index"]) == (uid("p2"), 0)
    assert diff["summary"]["blocks"]["moved"] == 1


def test_block_reordered_within_a_page_and_changed():
    new = small()
    blocks = pages_of(new)[uid("p1")]["blocks"]
    blocks[0], blocks[2] = blocks[2], blocks[0]  # c, b, a
    blocks[0]["data"]["text"] = "<p>Gamma four.</p>"
    diff = document_diff(small(), new).as_dict()
    by_id = {b["id"]: b for b in diff["blocks"]}
    assert by_id[uid("b-c")]["status"] == "changed"
    assert by_id[uid("b-c")]["segments"][0]["runs"] == runs(
        ("equal", "Gamma "), ("delete", "three."), ("insert", "four.")
    )
    # c, b, a from a, b, c: one of them keeps its relative order, two moved
    assert sum(b["moved"] for b in diff["blocks"]) == 2
    assert diff["summary"]["blocks"]["moved"] == 2


def test_non_text_changes_are_named_by_path():
    old = {"sections": [], "course": {}}
    new = copy.deepcopy(old)
    question = {
        "id": uid("q"),
        "type": "single_choice",
        "version": 1,
        "data": copy.deepcopy(EXAMPLES["single_choice"]),
    }
    page = {"id": uid("pq"), "title": "Q", "kind": "content", "settings": {}, "blocks": [question]}
    old["sections"] = [{"id": uid("sq"), "title": "S", "pages": [page]}]
    new["sections"] = copy.deepcopy(old["sections"])
    data = new["sections"][0]["pages"][0]["blocks"][0]["data"]
    options = data["options"]
    options[1]["correct"], options[2]["correct"] = False, True
    data["points"] = 5
    block = only(document_diff(old, new).as_dict()["blocks"])
    assert block["status"] == "changed"
    assert block["segments"] == []
    assert block["other_changes"] == [
        {"path": f"options.{options[1]['id']}.correct", "status": "changed"},
        {"path": f"options.{options[2]['id']}.correct", "status": "changed"},
        {"path": "points", "status": "changed"},
    ]


def test_page_renamed_moved_to_another_section_and_settings_changed():
    new = small()
    p2 = new["sections"][0]["pages"].pop(1)
    p2["title"] = "Even more"
    new["sections"][1]["pages"].insert(0, p2)
    new["sections"][1]["pages"][1]["settings"]["attempts"] = 1
    diff = document_diff(small(), new).as_dict()
    assert [(p["id"], p["status"], p["moved"], p["changes"]) for p in diff["pages"]] == [
        (uid("p2"), "changed", True, ["title"]),
        (uid("p3"), "changed", False, ["settings"]),
    ]
    moved = diff["pages"][0]
    assert (moved["old_title"], moved["title"]) == ("More", "Even more")
    assert (moved["old_section_id"], moved["section_id"]) == (uid("s1"), uid("s2"))
    assert diff["pages"][1]["settings_changes"] == [{"path": "attempts", "status": "changed"}]
    # the block on the moved page stays where it is: on its page
    assert diff["blocks"] == []


def test_page_kind_changed_and_page_added_and_removed():
    new = small()
    new["sections"][0]["pages"][0]["kind"] = "knowledge_check"
    removed = new["sections"][0]["pages"].pop(1)
    new["sections"][1]["pages"].append(
        {"id": uid("p4"), "title": "New", "kind": "content", "settings": {}, "blocks": []}
    )
    diff = document_diff(small(), new).as_dict()
    assert [(p["id"], p["status"]) for p in diff["pages"]] == [
        (uid("p1"), "changed"),
        (removed["id"], "removed"),
        (uid("p4"), "added"),
    ]
    assert diff["pages"][0]["changes"] == ["kind"]
    assert (diff["pages"][0]["old_kind"], diff["pages"][0]["kind"]) == (
        "content",
        "knowledge_check",
    )
    gone = only(diff["blocks"])  # the removed page's block
    assert (gone["id"], gone["status"], gone["old_page_id"]) == (uid("b-d"), "removed", uid("p2"))


def test_sections_reordered_renamed_added_removed():
    new = small()
    new["sections"].reverse()
    new["sections"][0]["title"] = "Final test"
    diff = document_diff(small(), new).as_dict()
    # listed in the new order; of two swapped sections one counts as moved
    listed = [(s["id"], s["status"], s["title"], s["old_title"]) for s in diff["sections"]]
    assert listed[0] == (uid("s2"), "changed", "Final test", "Test")
    assert listed[1:] in ([], [(uid("s1"), "unchanged", "Basics", "Basics")])
    assert diff["summary"]["sections"]["moved"] == 1
    assert diff["summary"]["sections"]["changed"] == 1
    assert diff["pages"] == []  # pages stay in their sections


def test_course_fields_and_objectives():
    new = small()
    course = new["course"]
    course["title"] = "Answering phones"
    course["language"] = "nl"
    course["objectives"][0]["text"] = "Greet a caller by name."
    del course["objectives"][1]
    course["objectives"].append({"id": uid("o3"), "text": "End a call."})
    diff = document_diff(small(), new).as_dict()
    assert diff["course"] == [
        {
            "field": "title",
            "old": "Phones",
            "new": "Answering phones",
            "runs": runs(("delete", "Phones"), ("insert", "Answering phones")),
        },
        {"field": "language", "old": "en", "new": "nl", "runs": []},
    ]
    assert diff["objectives"] == [
        {
            "id": uid("o1"),
            "status": "changed",
            "text": "Greet a caller by name.",
            "runs": runs(
                ("equal", "Greet a "), ("delete", "caller."), ("insert", "caller by name.")
            ),
        },
        {
            "id": uid("o2"),
            "status": "removed",
            "text": "Transfer a call.",
            "runs": runs(("delete", "Transfer a call.")),
        },
        {
            "id": uid("o3"),
            "status": "added",
            "text": "End a call.",
            "runs": runs(("insert", "End a call.")),
        },
    ]
    assert diff["summary"]["course"] == {"changed_fields": 2, "objectives": 3}


def test_against_nothing_everything_is_added():
    diff = document_diff(None, small()).as_dict()
    assert {b["status"] for b in diff["blocks"]} == {"added"}
    assert len(diff["blocks"]) == 4
    assert [p["status"] for p in diff["pages"]] == ["added"] * 3
    assert [s["status"] for s in diff["sections"]] == ["added"] * 2
    assert [o["status"] for o in diff["objectives"]] == ["added"] * 2


# --- every block type --------------------------------------------------------------------------


def _retexted(type_name: str, data: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """`data` with its first text segment changed, and that segment's key."""
    block_type = get_block_type(type_name)
    segment = block_type.text_segments(data)[0]
    changed = "<p>Changed words</p>" if segment.html else "Changed words"
    return block_type.apply_segments(data, {segment.key: changed}), segment.key


def test_one_block_of_every_type_changes_its_text():
    old = document()
    new = copy.deepcopy(old)
    expected = {}
    for section in new["sections"]:
        for page in section["pages"]:
            for blk in page["blocks"]:
                if not get_block_type(blk["type"]).text_segments(blk["data"]):
                    continue  # a divider has no text
                blk["data"], key = _retexted(blk["type"], blk["data"])
                expected[blk["id"]] = key
    assert len(expected) == len(block_types()) - 1
    diff = document_diff(old, new).as_dict()
    assert {b["id"] for b in diff["blocks"]} == set(expected)
    for item in diff["blocks"]:
        assert item["status"] == "changed", item
        assert item["moved"] is False
        assert item["other_changes"] == [], item
        segment = only(item["segments"])
        assert segment["key"] == expected[item["id"]]
        assert segment["status"] == "changed"
        assert {"op": "insert", "text": "Changed words"} in segment["runs"]
        assert any(r["op"] == "delete" for r in segment["runs"])
    assert diff["summary"]["blocks"]["changed"] == len(expected)
    assert diff["summary"]["blocks"]["unchanged"] == 1
