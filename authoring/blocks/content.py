"""Content blocks made of text: rich text, callout, accordion, tabs, process steps, table,
quote, divider and button link. Media blocks live in media.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from authoring.blocks.base import BlockType, register
from authoring.blocks.fields import Choice, Flag, Items, Text, TextList, Url
from authoring.blocks.values import Problem, Segment, pointer

TITLE_MAX = 200
# Cells may be empty; their segments are keyed by column UUID, which TableBlock adds itself.
_CELLS = TextList("cells", allow_blank=True, max_length=1_000, translatable=False)


def _titled_items(name: str, *, max_items: int) -> Items:
    return Items(
        name,
        [Text("title", max_length=TITLE_MAX), Text("body", html=True)],
        min_items=1,
        max_items=max_items,
    )


@register
class RichTextBlock(BlockType):
    """Formatted text: headings, emphasis, lists, links and quotes."""

    type = "rich_text"
    label = gettext_lazy("Text")
    fields = (Text("text", html=True),)


@register
class CalloutBlock(BlockType):
    """A highlighted box: a tip, a note or a warning."""

    type = "callout"
    label = gettext_lazy("Callout")
    fields = (Choice("variant", ("tip", "note", "warning")), Text("text", html=True))


@register
class AccordionBlock(BlockType):
    """Panels that open one at a time: a title each, and rich text inside."""

    type = "accordion"
    label = gettext_lazy("Accordion")
    fields = (_titled_items("items", max_items=50),)


@register
class TabsBlock(BlockType):
    """Tabs: a title each, and rich text inside."""

    type = "tabs"
    label = gettext_lazy("Tabs")
    fields = (_titled_items("items", max_items=12),)


@register
class ProcessStepsBlock(BlockType):
    """Numbered steps in order: a title and rich text each."""

    type = "process_steps"
    label = gettext_lazy("Process steps")
    fields = (_titled_items("steps", max_items=50),)


@register
class TableBlock(BlockType):
    """A table of plain-text cells, with an optional header row and a caption.

    Columns have UUIDs too, so that a cell's segment key (`rows.<row>.cells.<column>`)
    survives inserting, moving or deleting a column. Each row's `cells` lines up with
    `columns`.
    """

    type = "table"
    label = gettext_lazy("Table")
    fields = (
        Flag("header_row"),
        Text("caption", required=False, max_length=TITLE_MAX * 5),
        Items("columns", [], min_items=1, max_items=20),
        Items(
            "rows",
            [_CELLS],
            min_items=1,
            max_items=500,
        ),
    )

    def check(self, data: Mapping[str, Any]) -> list[Problem]:
        problems = super().check(data)
        width = len(data["columns"])
        for index, row in enumerate(data["rows"]):
            if len(row["cells"]) != width:
                problems.append(
                    Problem(
                        pointer("rows", index, "cells"),
                        _("Every row needs one cell per column (%(n)d).") % {"n": width},
                        "cell_count",
                    )
                )
        return problems

    def _cells(self, data: Mapping[str, Any]) -> list[tuple[str, int, int]]:
        """(segment key, row index, cell index) for every cell that lines up with a column."""
        columns = [c.get("id") for c in data.get("columns", []) if isinstance(c, Mapping)]
        cells = []
        for r, row in enumerate(data.get("rows", [])):
            if isinstance(row, Mapping) and isinstance(row.get("cells"), list):
                for c, column in enumerate(columns[: len(row["cells"])]):
                    cells.append((f"rows.{row.get('id')}.cells.{column}", r, c))
        return cells

    def text_segments(self, data: Mapping[str, Any]) -> list[Segment]:
        segments = super().text_segments(data)
        for key, r, c in self._cells(data):
            text = data["rows"][r]["cells"][c]
            if isinstance(text, str) and text.strip():
                segments.append(Segment(key, text, False))
        return segments

    def apply_segments(self, data: Mapping[str, Any], texts: Mapping[str, str]) -> dict[str, Any]:
        result = super().apply_segments(data, texts)
        for key, r, c in self._cells(data):
            if key in texts:
                result["rows"][r]["cells"][c] = _CELLS.clean(texts[key])
        return result


@register
class QuoteBlock(BlockType):
    """A quotation and who said it."""

    type = "quote"
    label = gettext_lazy("Quote")
    fields = (
        Text("text", max_length=2_000, multiline=True),
        Text("attribution", required=False, max_length=TITLE_MAX),
    )


@register
class DividerBlock(BlockType):
    """A visual break between parts of a page; it has no data."""

    type = "divider"
    label = gettext_lazy("Divider")
    fields = ()


@register
class ButtonLinkBlock(BlockType):
    """A button that opens a link (whatever `safe_url` allows)."""

    type = "button_link"
    label = gettext_lazy("Button link")
    fields = (Text("label", max_length=100), Url("url"))
