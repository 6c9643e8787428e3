"""The small values block types hand out: problems, segments, scores, references, errors.

Kept apart from base.py so that fields and the schema-error translator can use them
without importing the BlockType machinery.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from authoring.sanitize import rich_text_to_plain
from egl_platform.errors import Invalid

CONTENT = "content"
QUESTION = "question"
FAMILIES = (CONTENT, QUESTION)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a block or document.

    `path` is a JSON pointer (RFC 6901): relative to the block's data for block checks,
    from the document root for document checks. `code` is stable for programs and tests;
    `message` is translated for people.
    """

    path: str
    message: str
    code: str = "invalid"


@dataclass(frozen=True)
class Segment:
    """One translatable text. `key` stays the same across edits: it names items by UUID."""

    key: str
    text: str
    html: bool


@dataclass(frozen=True)
class Score:
    """`correct` is None for questions that are not scored (open question, Likert)."""

    points_awarded: float
    points_possible: int
    correct: bool | None


@dataclass(frozen=True)
class Reference:
    """A UUID inside block data that the document must account for.

    kind "id": an identifier the block owns (option, item, …), unique across the document;
    kind "asset": an Asset the document must list, of a content type in `accept` if given;
    kind "objective": a learning objective of the course.
    """

    kind: str
    path: str
    value: str
    accept: tuple[str, ...] = ()


class UnknownBlockType(Invalid, LookupError):
    code = "unknown_block_type"

    def __init__(self, type_name: object) -> None:
        super().__init__(_("Unknown block type “%(type)s”.") % {"type": type_name})
        self.type_name = type_name


class InvalidResponse(Invalid, ValueError):
    """A learner's response that does not fit the question: refused, never scored.

    Also a ValueError, so plain callers can catch it without knowing our hierarchy.
    """

    code = "invalid_response"


def pointer(*parts: object) -> str:
    """A JSON pointer from path parts, escaped per RFC 6901."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


# Gap markers of fill-in-the-blanks are structure, not words.
GAP_MARKER = re.compile(r"\[\[([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\]\]")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def visible_text(text: str, *, is_html: bool = True) -> str:
    """The text a reader sees: tags and gap markers removed, entities decoded."""
    if is_html:
        text = rich_text_to_plain(text)
    return GAP_MARKER.sub(" ", text).strip()


def count_words(text: str, *, is_html: bool) -> int:
    return len(_WORD.findall(visible_text(text, is_html=is_html)))
