"""The editor form of each block, generated from its type's declared fields.

    html = render_block_editor(block, objectives=course.objectives, assets=asset_infos(ids))
    data = default_data("single_choice")

Every field kind has one template under `templates/blocks/editor/fields/`; a type may
replace the generated form with `templates/blocks/editor/types/<type>.html` (it gets the
generated HTML of each field too, so it overrides only what it must).

The DOM follows docs/authoring-contract.md ("The editor page's DOM") and the way the
editor's JavaScript (frontend/editor/serialize.js) reads a block's data back from it:

- every control carries `data-path` (a JSON pointer) and `data-kind` (`text`, `html`,
  `number`, `bool`, `choice`, `uuid-list`, `asset`, `json`, and `lines` for a list of
  plain strings, one per line). Paths are relative to the enclosing item: an option's
  text is `/text` inside `<li data-item>` of `<ol data-items data-path="/options">`;
  element ids and labels use the path from the data root (`…-options-2-text`).
- `data-optional` marks a field the data may leave out; `data-absent` an optional field
  the block's data does not hold yet.
- an item's id is its `data-item-id` (lists keyed otherwise, such as caption tracks keyed
  by their asset, carry `data-item-key` on the list and no item id).
- `<template data-item-template>` holds one new item; `__id__` in its element ids stands
  for the new item's id. A hidden control marked `data-fresh-id` (the right-hand id of a
  matching pair) should get a fresh UUID when the item is cloned.
- a `uuid-list` is a group of checkboxes sharing one `data-path`; their values are the ids.
- rich text is a contenteditable `role="textbox"` labelled by `aria-labelledby`, with a
  toolbar of `data-rt-command` buttons; its content is sanitised here again before it is
  marked safe, so whatever the stored data holds, nothing runs in the editor.

This module and authoring.rendering are the only places block HTML is marked safe.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from authoring.blocks import UnknownBlockType, get_block_type
from authoring.blocks.defaults import default_data, default_item
from authoring.blocks.fields import (
    EmbedUrl,
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
from authoring.blocks.values import pointer
from authoring.sanitize import sanitize_rich_text

__all__ = [
    "BLOCK_HINTS",
    "RICH_TEXT_COMMANDS",
    "default_data",
    "palette",
    "render_block_editor",
]

FIELDS = "blocks/editor/fields/"
NEW_ID = "__id__"

# Labels of fields by name; a few names mean something else in one type (TYPE_LABELS).
FIELD_LABELS: dict[str, Promise] = {
    "text": gettext_lazy("Text"),
    "variant": gettext_lazy("Kind of callout"),
    "items": gettext_lazy("Items"),
    "title": gettext_lazy("Title"),
    "body": gettext_lazy("Content"),
    "steps": gettext_lazy("Steps"),
    "header_row": gettext_lazy("The first row is a header row"),
    "caption": gettext_lazy("Caption"),
    "columns": gettext_lazy("Columns"),
    "rows": gettext_lazy("Rows"),
    "cells": gettext_lazy("Cells"),
    "attribution": gettext_lazy("Who said it"),
    "label": gettext_lazy("Label"),
    "url": gettext_lazy("Link"),
    "asset": gettext_lazy("File"),
    "alt": gettext_lazy("Alternative text"),
    "decorative": gettext_lazy("Decorative image (no alternative text needed)"),
    "tracks": gettext_lazy("Caption tracks"),
    "language": gettext_lazy("Language code"),
    "transcript": gettext_lazy("Transcript"),
    "prompt": gettext_lazy("Question"),
    "options": gettext_lazy("Answer options"),
    "correct": gettext_lazy("Correct"),
    "feedback": gettext_lazy("Feedback"),
    "points": gettext_lazy("Points"),
    "partial_credit": gettext_lazy("Give points for a partly right answer"),
    "incorrect": gettext_lazy("Feedback when the answer is wrong"),
    "general": gettext_lazy("Feedback after answering"),
    "objective_ids": gettext_lazy("Learning objectives this question assesses"),
    "correct_answer": gettext_lazy("The statement is true"),
    "gaps": gettext_lazy("Gaps"),
    "answers": gettext_lazy("Accepted answers"),
    "case_sensitive": gettext_lazy("Upper and lower case must match"),
    "pairs": gettext_lazy("Pairs"),
    "left": gettext_lazy("Item"),
    "right": gettext_lazy("Its match"),
    "distractors": gettext_lazy("Extra matches that belong to nothing"),
    "regions": gettext_lazy("Regions"),
    "shape": gettext_lazy("Shape"),
    "coords": gettext_lazy("Coordinates"),
    "image": gettext_lazy("Image"),
    "max_length": gettext_lazy("Longest answer (characters)"),
    "sample_answer": gettext_lazy("Sample answer (shown after answering)"),
    "statements": gettext_lazy("Statements"),
    "scale": gettext_lazy("Scale"),
}
# (type, path without indexes) → label, where the name alone says too little.
TYPE_LABELS: dict[tuple[str, str], Promise] = {
    ("quote", "/text"): gettext_lazy("Quotation"),
    ("button_link", "/label"): gettext_lazy("Button text"),
    ("file", "/label"): gettext_lazy("What the file is"),
    ("file", "/asset"): gettext_lazy("File to download"),
    ("image", "/asset"): gettext_lazy("Image"),
    ("video", "/asset"): gettext_lazy("Video file"),
    ("video", "/url"): gettext_lazy("Or: a link to a video (YouTube, Vimeo, Loom, Stream)"),
    ("video", "/tracks/asset"): gettext_lazy("Caption file (WebVTT)"),
    ("video", "/tracks/label"): gettext_lazy("Label shown to learners"),
    ("audio", "/asset"): gettext_lazy("Audio file"),
    ("embed", "/url"): gettext_lazy("Link to the content"),
    ("fill_in_blanks", "/text"): gettext_lazy("Text with gaps"),
    ("hotspot", "/alt"): gettext_lazy("Alternative text of the image"),
    ("hotspot", "/regions/label"): gettext_lazy("Name of the region (for screen readers)"),
    ("hotspot", "/regions/correct"): gettext_lazy("Clicking here is right"),
    ("hotspot", "/regions/feedback"): gettext_lazy("Feedback when this region is clicked"),
    ("likert", "/statements/text"): gettext_lazy("Statement"),
    ("likert", "/scale/label"): gettext_lazy("Point on the scale"),
    ("single_choice", "/options/text"): gettext_lazy("Option text"),
    ("multiple_choice", "/options/text"): gettext_lazy("Option text"),
    ("single_choice", "/options/correct"): gettext_lazy("This is the correct answer"),
    ("multiple_choice", "/options/correct"): gettext_lazy("This answer is correct"),
    ("single_choice", "/options/feedback"): gettext_lazy("Feedback when this option is chosen"),
    ("multiple_choice", "/options/feedback"): gettext_lazy("Feedback when this option is chosen"),
    ("open_question", "/feedback"): gettext_lazy("Feedback"),
}
# The correct/incorrect feedback of scored questions.
GROUP_CHILD_LABELS: dict[str, Promise] = {
    "correct": gettext_lazy("Feedback when the answer is right"),
    "incorrect": gettext_lazy("Feedback when the answer is wrong"),
}
FIELD_HELP: dict[tuple[str, str], Promise] = {
    ("image", "/alt"): gettext_lazy(
        "Say what the image shows and why it matters, in a sentence. "
        "Leave it empty only for a decorative image."
    ),
    ("hotspot", "/alt"): gettext_lazy("Describe the image without giving the answer away."),
    ("video", "/tracks/language"): gettext_lazy("For example en, nl or nl-BE."),
    ("embed", "/url"): gettext_lazy(
        "Paste the address of the video, slides or board. Only well-known providers "
        "can be embedded."
    ),
    ("ordering", "/items"): gettext_lazy(
        "List the items in the right order; learners see them shuffled."
    ),
    ("matching", "/pairs"): gettext_lazy("Learners see the matches shuffled."),
    ("button_link", "/url"): gettext_lazy("An address starting with https://"),
}
# One item of a list: its name (numbered in the form) and the "add" button's text.
ITEM_NAMES: dict[str, tuple[Promise, Promise]] = {
    "items": (gettext_lazy("Item"), gettext_lazy("Add item")),
    "steps": (gettext_lazy("Step"), gettext_lazy("Add step")),
    "columns": (gettext_lazy("Column"), gettext_lazy("Add column")),
    "rows": (gettext_lazy("Row"), gettext_lazy("Add row")),
    "tracks": (gettext_lazy("Caption track"), gettext_lazy("Add caption track")),
    "options": (gettext_lazy("Option"), gettext_lazy("Add option")),
    "gaps": (gettext_lazy("Gap"), gettext_lazy("Add gap")),
    "answers": (gettext_lazy("Answer"), gettext_lazy("Add accepted answer")),
    "pairs": (gettext_lazy("Pair"), gettext_lazy("Add pair")),
    "distractors": (gettext_lazy("Extra match"), gettext_lazy("Add extra match")),
    "regions": (gettext_lazy("Region"), gettext_lazy("Add region")),
    "statements": (gettext_lazy("Statement"), gettext_lazy("Add statement")),
    "scale": (gettext_lazy("Scale point"), gettext_lazy("Add scale point")),
    "cells": (gettext_lazy("Cell"), gettext_lazy("Add cell")),
}
TYPE_ITEM_NAMES: dict[tuple[str, str], tuple[Promise, Promise]] = {
    ("tabs", "items"): (gettext_lazy("Tab"), gettext_lazy("Add tab")),
    ("accordion", "items"): (gettext_lazy("Panel"), gettext_lazy("Add panel")),
}
CHOICE_LABELS: dict[str, Promise] = {
    "tip": gettext_lazy("Tip"),
    "note": gettext_lazy("Note"),
    "warning": gettext_lazy("Warning"),
    "rect": gettext_lazy("Rectangle"),
    "circle": gettext_lazy("Circle"),
    "polygon": gettext_lazy("Polygon"),
}
# The palette's one-line hint per block type.
BLOCK_HINTS: dict[str, Promise] = {
    "rich_text": gettext_lazy("Paragraphs, headings, lists and links."),
    "callout": gettext_lazy("A tip, note or warning that stands out."),
    "accordion": gettext_lazy("Panels that open one at a time."),
    "tabs": gettext_lazy("Content side by side under tabs."),
    "process_steps": gettext_lazy("Numbered steps of a procedure."),
    "table": gettext_lazy("Rows and columns of short text."),
    "quote": gettext_lazy("A quotation and who said it."),
    "divider": gettext_lazy("A line between parts of the page."),
    "button_link": gettext_lazy("A button that opens a link."),
    "image": gettext_lazy("A picture with alternative text."),
    "video": gettext_lazy("An uploaded video or one from YouTube, Vimeo and the like."),
    "audio": gettext_lazy("A sound file with its transcript."),
    "file": gettext_lazy("A document to download."),
    "embed": gettext_lazy("Slides, a board or a form from an allowed provider."),
    "single_choice": gettext_lazy("Pick the one right answer."),
    "multiple_choice": gettext_lazy("Pick every right answer."),
    "true_false": gettext_lazy("Say whether a statement is true."),
    "fill_in_blanks": gettext_lazy("Type the missing words in a text."),
    "matching": gettext_lazy("Match each item with its partner."),
    "ordering": gettext_lazy("Put items in the right order."),
    "hotspot": gettext_lazy("Click the right place on an image."),
    "open_question": gettext_lazy("Answer in your own words; not scored."),
    "likert": gettext_lazy("Rate statements on a scale; not scored."),
}
# Rich-text toolbar: command → label (the editor's JS performs the command).
# (command, what the button shows, its accessible name)
RICH_TEXT_COMMANDS: tuple[tuple[str, str, Promise], ...] = (
    ("bold", "B", gettext_lazy("Bold")),
    ("italic", "I", gettext_lazy("Italic")),
    ("h2", "H2", gettext_lazy("Heading")),
    ("h3", "H3", gettext_lazy("Subheading")),
    ("bulletList", "•", gettext_lazy("Bulleted list")),
    ("orderedList", "1.", gettext_lazy("Numbered list")),
    ("link", "Link", gettext_lazy("Link")),
    ("quote", "❝", gettext_lazy("Quote")),
)


@dataclass
class _Context:
    """What the fields of one block are rendered with."""

    block_id: str
    block_type: str
    objectives: Sequence[Mapping[str, Any]]
    assets: Mapping[str, Any]
    picker_url: str
    # Paths of item lists that end in an index placeholder (inside an item template).
    counters: dict[str, int] = field(default_factory=dict)

    def dom_id(self, path: str) -> str:
        """A page-unique element id for the control at `path` (placeholders survive)."""
        slug = re.sub(r"[^A-Za-z0-9_]+", "-", path).strip("-") or "data"
        return f"b-{self.block_id}-{slug}"


def _shape(dom: str) -> str:
    """The absolute path without item indexes: `/options/2/text` → `/options/text`."""
    return re.sub(r"/(\d+|__id__)(?=/|$)", "", dom)


def _label(ctx: _Context, f: Field, dom: str, *, parent: str = "") -> str:
    shape = _shape(dom)
    if (ctx.block_type, shape) in TYPE_LABELS:
        return str(TYPE_LABELS[(ctx.block_type, shape)])
    if parent == "feedback" and f.name in GROUP_CHILD_LABELS:
        return str(GROUP_CHILD_LABELS[f.name])
    label = FIELD_LABELS.get(f.name)
    return str(label) if label is not None else f.name.replace("_", " ").capitalize()


def _item_names(ctx: _Context, name: str) -> tuple[str, str]:
    names = TYPE_ITEM_NAMES.get((ctx.block_type, name)) or ITEM_NAMES.get(name)
    if names is None:
        return _("Item"), _("Add item")
    return str(names[0]), str(names[1])


def _picker_url() -> str:
    for name in ("media-picker", "authoring:media-picker"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return ""


def _value_kind(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if "enum" in schema:
        return "choice"
    if kind == "boolean":
        return "bool"
    if kind in ("integer", "number"):
        return "number"
    if kind == "string":
        return "text"
    return "json"


@dataclass(frozen=True)
class _At:
    """Where a field is: `path` as the control's data-path (relative to the enclosing item),
    `dom` from the block's data root (an item's index, or `__id__` inside an item template),
    which makes element ids unique and picks labels."""

    path: str
    dom: str

    def child(self, name: str) -> _At:
        return _At(self.path + pointer(name), self.dom + pointer(name))

    def item(self, index: int | str) -> _At:
        # Inside an item, paths start again from the item (the editor's JS reads items apart).
        return _At("", self.dom + "/" + str(index))


def _common(ctx: _Context, f: Field, at: _At, present: bool, *, parent: str = "") -> dict[str, Any]:
    help_text = FIELD_HELP.get((ctx.block_type, _shape(at.dom)))
    return {
        "id": ctx.dom_id(at.dom),
        "path": at.path,
        "label": _label(ctx, f, at.dom, parent=parent),
        "help": str(help_text) if help_text is not None else "",
        "required": f.required,
        "absent": not present,
        "name": f.name,
        "block_id": ctx.block_id,
    }


def render_field(
    ctx: _Context, f: Field, value: Any, at: _At, present: bool, *, parent: str = ""
) -> SafeString:
    """The HTML of one field's control(s), from its kind's template."""
    common = _common(ctx, f, at, present, parent=parent)
    if isinstance(f, Items):
        return _render_items(ctx, f, value, at, common)
    if isinstance(f, Group):
        children = _render_object(
            ctx, f.fields, value if isinstance(value, Mapping) else {}, at, parent=f.name
        )
        return render_to_string(FIELDS + "group.html", {**common, "children": children})
    if isinstance(f, TextList):
        lines = [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
        return render_to_string(
            FIELDS + "lines.html",
            {**common, "value": "\n".join(lines), "rows": max(2, len(lines) + 1)},
        )
    if isinstance(f, UuidList):
        return _render_uuid_list(ctx, value, common)
    if isinstance(f, Uuid):
        if f.kind == "asset":
            return _render_asset(ctx, f, value, common)
        return render_to_string(
            FIELDS + "hidden.html",
            {**common, "value": value or "", "fresh": "__id__" in at.dom},
        )
    if isinstance(f, Text):
        if f.html:
            html = sanitize_rich_text(value) if isinstance(value, str) else ""
            return render_to_string(
                FIELDS + "html.html",
                {
                    **common,
                    "value": mark_safe(html),  # noqa: S308  (sanitised on the line above)
                    "commands": [(c, glyph, str(label)) for c, glyph, label in RICH_TEXT_COMMANDS],
                },
            )
        return render_to_string(
            FIELDS + "text.html",
            {
                **common,
                "value": value if isinstance(value, str) else "",
                "max_length": f.max_length,
                "multiline": f.multiline or f.max_length > 1_000,
            },
        )
    if isinstance(f, Url):
        return render_to_string(
            FIELDS + "url.html",
            {
                **common,
                "value": value if isinstance(value, str) else "",
                "embed": isinstance(f, EmbedUrl),
            },
        )
    if isinstance(f, Value):
        return _render_value(f, value, common)
    raise TypeError(f"no editor for field {type(f).__name__}")


def _render_value(f: Value, value: Any, common: dict[str, Any]) -> SafeString:
    schema = f.schema()
    kind = _value_kind(schema)
    if kind == "bool":
        return render_to_string(FIELDS + "bool.html", {**common, "checked": value is True})
    if kind == "choice":
        options = [(str(v), str(CHOICE_LABELS.get(str(v), v))) for v in schema["enum"]]
        return render_to_string(
            FIELDS + "choice.html", {**common, "options": options, "value": str(value or "")}
        )
    if kind == "number":
        return render_to_string(
            FIELDS + "number.html",
            {
                **common,
                "value": "" if value is None else value,
                "min": schema.get("minimum"),
                "max": schema.get("maximum"),
                "step": "1" if schema.get("type") == "integer" else "any",
            },
        )
    if kind == "text":
        return render_to_string(
            FIELDS + "text.html",
            {
                **common,
                "value": value if isinstance(value, str) else "",
                "max_length": schema.get("maxLength"),
                "multiline": False,
            },
        )
    return render_to_string(
        FIELDS + "json.html",
        {**common, "value": "" if value is None else json.dumps(value, ensure_ascii=False)},
    )


def _render_asset(ctx: _Context, f: Uuid, value: Any, common: dict[str, Any]) -> SafeString:
    info = ctx.assets.get(value) if isinstance(value, str) else None
    accept = ",".join(f.accept)
    picker_url = ctx.picker_url
    if picker_url and accept:
        picker_url += "?" + urlencode({"accept": accept})
    return render_to_string(
        FIELDS + "asset.html",
        {
            **common,
            "value": value if isinstance(value, str) else "",
            "accept": accept,
            "url": getattr(info, "url", "") or "",
            "filename": getattr(info, "filename", "") or "",
            "is_image": any(a.startswith("image/") for a in f.accept),
            "picker_url": picker_url,
        },
    )


def _render_uuid_list(ctx: _Context, value: Any, common: dict[str, Any]) -> SafeString:
    chosen = [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
    known = {str(o.get("id")) for o in ctx.objectives}
    choices = [
        {"id": str(o.get("id")), "text": o.get("text", ""), "checked": str(o.get("id")) in chosen}
        for o in ctx.objectives
    ]
    # An id the course no longer has stays ticked, so saving the form does not drop it silently.
    choices += [
        {"id": v, "text": _("An objective that is no longer in the course"), "checked": True}
        for v in chosen
        if v not in known
    ]
    return render_to_string(FIELDS + "uuid_list.html", {**common, "choices": choices})


def _render_object(
    ctx: _Context, fields: Sequence[Field], obj: Mapping[str, Any], at: _At, *, parent: str = ""
) -> list[SafeString]:
    rendered = []
    for f in fields:
        if at.path == "" and f.name == "id" and at.dom != "" and isinstance(f, Uuid):
            continue  # an item's own id is its data-item-id
        child = at.child(f.name)
        if f.name == "coords" and isinstance(obj.get("shape"), str):
            rendered.append(_render_coords(ctx, f, obj, child))
        else:
            rendered.append(
                render_field(ctx, f, obj.get(f.name), child, f.name in obj, parent=parent)
            )
    return rendered


# Coordinates of a hotspot region, one number input each, named for the region's shape.
SHAPE_COORDS: dict[str, tuple[tuple[Promise, float], ...]] = {
    "rect": (
        (gettext_lazy("Left edge (0–1)"), 0.25),
        (gettext_lazy("Top edge (0–1)"), 0.25),
        (gettext_lazy("Width (0–1)"), 0.5),
        (gettext_lazy("Height (0–1)"), 0.5),
    ),
    "circle": (
        (gettext_lazy("Centre, from the left (0–1)"), 0.5),
        (gettext_lazy("Centre, from the top (0–1)"), 0.5),
        (gettext_lazy("Radius (0–1)"), 0.25),
    ),
}


def _render_coords(ctx: _Context, f: Field, obj: Mapping[str, Any], at: _At) -> SafeString:
    """A region's coordinates: numbers for a rectangle or circle, a list for a polygon."""
    coords = obj.get("coords")
    named = SHAPE_COORDS.get(str(obj.get("shape")))
    if named is None or not isinstance(coords, list) or len(coords) not in (0, len(named)):
        return render_field(ctx, f, coords, at, "coords" in obj)
    values = coords or [default for _label, default in named]
    inputs = [
        {
            "id": ctx.dom_id(at.dom + pointer(index)),
            "path": at.path + pointer(index),
            "label": str(label),
            "value": values[index],
        }
        for index, (label, _default) in enumerate(named)
    ]
    return render_to_string(
        FIELDS + "coords.html",
        {**_common(ctx, f, at, "coords" in obj), "inputs": inputs, "shape": obj.get("shape")},
    )


def _render_items(
    ctx: _Context, f: Items, value: Any, at: _At, common: dict[str, Any]
) -> SafeString:
    singular, add_label = _item_names(ctx, f.name)
    items = [i for i in value if isinstance(i, Mapping)] if isinstance(value, list) else []
    own_id = f.key == "id"
    rendered = []
    for index, item in enumerate(items):
        key = str(item.get(f.key, ""))
        rendered.append(
            {
                "item_id": key if own_id else "",
                "number": index + 1,
                "title": f"{singular} {index + 1}",
                "children": _render_object(ctx, f.fields, item, at.item(index)),
                "extra": _item_extra(ctx, f, key),
            }
        )
    new_item = default_item(f)
    if own_id:
        new_item["id"] = NEW_ID
    template_item = {
        "item_id": NEW_ID if own_id else "",
        "number": "",
        "title": singular,
        "children": _render_object(ctx, f.fields, new_item, at.item(NEW_ID)),
        "extra": _item_extra(ctx, f, NEW_ID),
    }
    return render_to_string(
        FIELDS + "items.html",
        {
            **common,
            "items": rendered,
            "template_item": template_item,
            "own_id": own_id,
            "item_key": f.key,
            "singular": singular,
            "add_label": add_label,
            "min_items": f.min_items,
            "max_items": f.max_items,
        },
    )


def _item_extra(ctx: _Context, f: Items, item_id: str) -> SafeString | str:
    """What an item shows besides its fields: a gap says how to place it in the text."""
    if ctx.block_type == "fill_in_blanks" and f.name == "gaps":
        return render_to_string(
            FIELDS + "gap_marker.html",
            {"marker": f"[[{item_id}]]", "id": ctx.dom_id("/gaps/" + item_id)},
        )
    return ""


def _table_context(ctx: _Context, data: Mapping[str, Any]) -> dict[str, Any]:
    columns = [c for c in data.get("columns", []) if isinstance(c, Mapping)]
    column_titles = [_("Column %(n)d") % {"n": n + 1} for n in range(len(columns))]

    def row(index: int | str, row_id: str, cells: list[Any]) -> dict[str, Any]:
        dom = "/rows/" + str(index)
        title = _("Row %(n)d") % {"n": index + 1} if isinstance(index, int) else _("Row")
        return {
            "id": row_id,
            "title": title,
            "cells": [
                {
                    "id": ctx.dom_id(dom + pointer("cells", c)),
                    "path": pointer("cells", c),
                    "value": value if isinstance(value, str) else "",
                    "label": f"{title}, {column_titles[c] if c < len(column_titles) else c + 1}",
                }
                for c, value in enumerate(cells)
            ],
        }

    rows = [r for r in data.get("rows", []) if isinstance(r, Mapping)]
    return {
        "table_columns": [{"title": t} for t in column_titles],
        "table_rows": [
            row(index, str(r.get("id", "")), list(r.get("cells") or []))
            for index, r in enumerate(rows)
        ],
        "table_row_template": row(NEW_ID, NEW_ID, ["" for _ in columns]),
    }


def _hotspot_context(ctx: _Context, data: Mapping[str, Any]) -> dict[str, Any]:
    image = data.get("image")
    info = ctx.assets.get(image) if isinstance(image, str) else None
    regions = []
    for region in data.get("regions", []):
        if not isinstance(region, Mapping) or not isinstance(region.get("coords"), list):
            continue
        coords = [c for c in region["coords"] if isinstance(c, int | float)]
        regions.append(
            {
                "shape": region.get("shape"),
                "coords": coords,
                "points": " ".join(
                    f"{x},{y}" for x, y in zip(coords[::2], coords[1::2], strict=False)
                ),
                "correct": bool(region.get("correct")),
            }
        )
    return {"hotspot_image_url": getattr(info, "url", "") or "", "hotspot_regions": regions}


TYPE_CONTEXT = {"table": _table_context, "hotspot": _hotspot_context}


def _override_template(type_name: str) -> Any:
    try:
        return get_template(f"blocks/editor/types/{type_name}.html")
    except TemplateDoesNotExist:
        return None


def render_block_editor(
    block: Mapping[str, Any],
    *,
    objectives: Sequence[Mapping[str, Any]] = (),
    assets: Mapping[str, Any] | None = None,
) -> SafeString:
    """The `<form data-block-form>` of one block, with an error region for the editor's JS."""
    type_name = str(block.get("type"))
    block_id = str(block.get("id"))
    data = block.get("data")
    data = data if isinstance(data, Mapping) else {}
    ctx = _Context(
        block_id=block_id,
        block_type=type_name,
        objectives=[o for o in objectives if isinstance(o, Mapping)],
        assets=assets or {},
        picker_url=_picker_url(),
    )
    try:
        block_type = get_block_type(type_name)
    except UnknownBlockType:
        return render_to_string(
            "blocks/editor/unknown.html",
            {"block_id": block_id, "type": type_name, "value": json.dumps(dict(data))},
        )
    root = _At("", "")
    fields = {
        f.name: html
        for f, html in zip(
            block_type.fields, _render_object(ctx, block_type.fields, data, root), strict=True
        )
    }
    context = {
        "block_id": block_id,
        "type": type_name,
        "label": str(block_type.label),
        "data": data,
        "fields": fields,
        "field_list": list(fields.values()),
        "objectives": ctx.objectives,
        "assets": ctx.assets,
        "ctx": ctx,
    }
    override = _override_template(type_name)
    body = ""
    if override is not None:
        extra = TYPE_CONTEXT.get(type_name)
        if extra is not None:
            context.update(extra(ctx, data))
        body = override.render(context)
    return render_to_string(
        "blocks/editor/form.html", {**context, "body": body, "overridden": bool(body)}
    )


def palette() -> list[tuple[str, list[dict[str, str]]]]:
    """The block palette: (group label, [{type, label, hint}]), content before questions."""
    from authoring.blocks import CONTENT, QUESTION, block_types

    groups = ((CONTENT, _("Content")), (QUESTION, _("Questions")))
    return [
        (
            label,
            [
                {
                    "type": bt.type,
                    "label": str(bt.label),
                    "hint": str(BLOCK_HINTS.get(bt.type, "")),
                }
                for bt in block_types(family)
            ],
        )
        for family, label in groups
    ]
