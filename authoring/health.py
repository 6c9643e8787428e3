"""Course health: didactic advice on a course document, from one list of small rules.

    findings = course_health(course_document_build(course), language=course.language)

Each rule has a stable id, a severity (`warning`: worth fixing; `info`: worth considering),
a translated why and how-to-fix, and yields findings that point at a page and/or block.
Advisory only: nothing here blocks saving, review or publishing. Rules read the block
registry (families, word counts, text segments, references) rather than lists of types,
except where the judgement itself is about kinds of content (TEXT_ONLY_TYPES).

Adding a rule: write a function taking a CourseView and yielding Hits, decorate it with
`@rule(...)`, and give it a test that makes it fire and one that keeps it quiet.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from authoring.blocks import QUESTION, BlockType, Reference, UnknownBlockType, get_block_type
from authoring.blocks.pages import PageKind
from authoring.blocks.values import count_words, visible_text
from authoring.readability import FORMULAS, readability
from authoring.services.courses import (
    MINUTES_PER_MEDIA,
    MINUTES_PER_QUESTION,
    WORDS_PER_MINUTE,
)

__all__ = [
    "INFO",
    "RULES",
    "WARNING",
    "CourseView",
    "Finding",
    "Rule",
    "course_health",
]

WARNING = "warning"
INFO = "info"
SEVERITIES = (WARNING, INFO)

# Thresholds: the "about" numbers of the guidance.
PAGE_WORDS_MAX = 300
COURSE_MINUTES_MAX = 15
QUIZ_QUESTIONS_MIN = 3
READABILITY_MIN = 50
READABILITY_MIN_WORDS = 40
TEXT_ONLY_RUN = 3

# Blocks a learner only reads. A page made of nothing else is "text only"; any other block
# (media, accordion, tabs, steps, a question, an embed) counts as something to do or see.
TEXT_ONLY_TYPES = frozenset({"rich_text", "callout", "quote", "table", "divider", "button_link"})

# Alt texts that describe nothing.
_GENERIC_ALT = frozenset(
    {
        "image",
        "picture",
        "photo",
        "img",
        "graphic",
        "screenshot",
        "afbeelding",
        "plaatje",
        "foto",
        "schermafbeelding",
        "illustratie",
        "illustration",
    }
)
_FILENAME_ALT = re.compile(r"^\S+\.(?:png|jpe?g|gif|webp|svg|bmp|tiff?|heic)$", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    """One piece of advice. `page_id`/`block_id` are the document ids it points at, if any."""

    rule: str
    severity: str
    message: str
    why: str
    how_to_fix: str
    page_id: str | None = None
    block_id: str | None = None


# --- the document, read once -------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _visible(text: str, is_html: bool) -> str:
    """Plain text of a segment. Cached across calls: the panel reloads after every save,
    and parsing rich text is the expensive part while most blocks did not change."""
    return visible_text(text, is_html=is_html)


@dataclass(frozen=True)
class BlockView:
    id: str
    type: str
    block_type: BlockType
    data: Mapping[str, Any]
    position: int

    @property
    def is_question(self) -> bool:
        return self.block_type.family == QUESTION

    # Drafts are validated on every write, so block data has its type's shape; should a
    # malformed block slip through anyway, it counts as empty rather than break the panel.
    _MALFORMED = (TypeError, AttributeError, KeyError, IndexError, ValueError)

    @cached_property
    def texts(self) -> list[tuple[str, str]]:
        """(segment key, visible text) of every translatable text of the block."""
        try:
            return [
                (segment.key, _visible(segment.text, segment.html))
                for segment in self.block_type.text_segments(self.data)
            ]
        except self._MALFORMED:
            return []

    @cached_property
    def references(self) -> list[Reference]:
        try:
            return self.block_type.references(self.data)
        except self._MALFORMED:
            return []

    @cached_property
    def words(self) -> int:
        """The registry's word count, from the texts already made plain."""
        if type(self.block_type).word_count is not BlockType.word_count:
            try:  # a type with its own way to count
                return self.block_type.word_count(self.data)
            except self._MALFORMED:
                return 0
        return sum(count_words(text, is_html=False) for _key, text in self.texts)

    @cached_property
    def words_shown(self) -> int:
        """Words a learner reads on the page: a question's answers and feedback left out, as
        they show only after answering (and would make every question page look long)."""
        if not self.is_question:
            return self.words
        try:
            public = self.block_type.public_data(self.data)
            return sum(
                count_words(s.text, is_html=s.html) for s in self.block_type.text_segments(public)
            )
        except self._MALFORMED:
            return 0


@dataclass(frozen=True)
class PageView:
    id: str
    title: str
    kind: str
    settings: Mapping[str, Any]
    blocks: list[BlockView]
    position: int

    @property
    def questions(self) -> list[BlockView]:
        return [b for b in self.blocks if b.is_question]

    def words(self) -> int:
        return sum(b.words for b in self.blocks)

    def words_shown(self) -> int:
        return sum(b.words_shown for b in self.blocks)

    def text(self) -> str:
        """The page's visible text, one segment per line (so each ends a sentence)."""
        return "\n".join(text for b in self.blocks for _key, text in b.texts if text)


@dataclass(frozen=True)
class CourseView:
    """A course document as the rules read it. Tolerant: malformed parts are skipped (the
    document's validation reports those), so advice never fails on a half-valid draft."""

    course: Mapping[str, Any]
    language: str
    pages: list[PageView]
    assets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def objectives(self) -> list[Mapping[str, Any]]:
        items = self.course.get("objectives")
        return [o for o in items if isinstance(o, Mapping)] if isinstance(items, list) else []

    def blocks(self) -> Iterator[tuple[PageView, BlockView]]:
        for page in self.pages:
            for block in page.blocks:
                yield page, block

    @classmethod
    def of(cls, document: Mapping[str, Any], *, language: str) -> CourseView:
        def items(value: Any) -> list[Mapping[str, Any]]:
            return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []

        pages: list[PageView] = []
        for section in items(document.get("sections")):
            for page in items(section.get("pages")):
                blocks = []
                for position, block in enumerate(items(page.get("blocks"))):
                    try:
                        block_type = get_block_type(str(block.get("type")))
                    except UnknownBlockType:
                        continue
                    data = block.get("data")
                    blocks.append(
                        BlockView(
                            id=str(block.get("id", "")),
                            type=block_type.type,
                            block_type=block_type,
                            data=data if isinstance(data, Mapping) else {},
                            position=position,
                        )
                    )
                settings = page.get("settings")
                pages.append(
                    PageView(
                        id=str(page.get("id", "")),
                        title=str(page.get("title", "")),
                        kind=str(page.get("kind", PageKind.CONTENT)),
                        settings=settings if isinstance(settings, Mapping) else {},
                        blocks=blocks,
                        position=len(pages),
                    )
                )
        course = document.get("course")
        return cls(
            course=course if isinstance(course, Mapping) else {},
            language=language,
            pages=pages,
            assets={str(a.get("id")): a for a in items(document.get("assets"))},
        )


# --- rules ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """What a rule found: the message, and where."""

    message: str
    page: PageView | None = None
    block: BlockView | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    why: str | Promise
    how_to_fix: str | Promise
    check: Callable[[CourseView], Iterable[Hit]]


RULES: list[Rule] = []


def rule(
    rule_id: str, severity: str, *, why: Promise, how_to_fix: Promise
) -> Callable[[Callable[[CourseView], Iterable[Hit]]], Callable[[CourseView], Iterable[Hit]]]:
    """Register a rule. Ids are stable: the panel, tests and (later) dismissals use them."""
    if severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}")
    if any(existing.id == rule_id for existing in RULES):
        raise ValueError(f"rule {rule_id!r} is registered twice")

    def decorate(
        check: Callable[[CourseView], Iterable[Hit]],
    ) -> Callable[[CourseView], Iterable[Hit]]:
        RULES.append(Rule(rule_id, severity, why, how_to_fix, check))
        return check

    return decorate


@rule(
    "objectives_missing",
    WARNING,
    why=gettext_lazy(
        "Objectives say what learners will be able to do afterwards. They keep the course "
        "focused and tell learners why it is worth their time."
    ),
    how_to_fix=gettext_lazy(
        "Add one to three objectives in the course settings, each starting with a verb: "
        "“Greet a caller by name”, “Log a return in the system”."
    ),
)
def _objectives_missing(view: CourseView) -> Iterator[Hit]:
    if not any(str(o.get("text", "")).strip() for o in view.objectives):
        yield Hit(_("The course has no learning objectives."))


def _assessed_objectives(view: CourseView) -> set[str]:
    return {
        ref.value
        for _page, block in view.blocks()
        if block.is_question
        for ref in block.references
        if ref.kind == "objective"
    }


@rule(
    "objective_unassessed",
    WARNING,
    why=gettext_lazy(
        "Without a question on an objective, neither you nor the learner knows whether it "
        "was reached."
    ),
    how_to_fix=gettext_lazy(
        "Add a question that asks the learner to do what the objective says, and link it to "
        "the objective in the question's settings."
    ),
)
def _objective_unassessed(view: CourseView) -> Iterator[Hit]:
    assessed = _assessed_objectives(view)
    for objective in view.objectives:
        text = str(objective.get("text", "")).strip()
        if text and objective.get("id") not in assessed:
            yield Hit(
                _("No question assesses the objective “%(objective)s”.")
                % {"objective": text.rstrip(".")}
            )


@rule(
    "page_too_long",
    INFO,
    why=gettext_lazy(
        "Long pages are skimmed, especially on a phone. Short pages with one idea each are "
        "easier to follow and to come back to."
    ),
    how_to_fix=gettext_lazy(
        "Split the page into two or more pages, one idea each, or cut what learners do not "
        "need to act."
    ),
)
def _page_too_long(view: CourseView) -> Iterator[Hit]:
    for page in view.pages:
        words = page.words_shown()
        if words > PAGE_WORDS_MAX:
            yield Hit(
                _("The page “%(page)s” has %(words)d words (more than about %(max)d).")
                % {"page": page.title, "words": words, "max": PAGE_WORDS_MAX},
                page=page,
            )


def estimated_minutes(view: CourseView) -> int:
    """The course's own estimate if it has one (revisions keep it up to date), else the
    same estimate computed now: reading time, a minute a question, media time."""
    own = view.course.get("estimated_minutes")
    if isinstance(own, int) and not isinstance(own, bool) and own > 0:
        return own
    # course_estimated_minutes' arithmetic, on the word counts the view already has.
    total = 0.0
    for _page, block in view.blocks():
        if block.is_question:
            total += MINUTES_PER_QUESTION
        else:
            total += block.words / WORDS_PER_MINUTE
        total += MINUTES_PER_MEDIA.get(block.type, 0.0)
    return math.ceil(total - 1e-9)


@rule(
    "course_too_long",
    INFO,
    why=gettext_lazy(
        "People learn at work in short moments. A course of a few minutes gets finished; "
        "a long one gets postponed."
    ),
    how_to_fix=gettext_lazy(
        "Split the course into micro-courses of five to ten minutes, each with its own "
        "objective, or move reference material into a downloadable job aid."
    ),
)
def _course_too_long(view: CourseView) -> Iterator[Hit]:
    minutes = estimated_minutes(view)
    if minutes > COURSE_MINUTES_MAX:
        yield Hit(
            _("The course takes about %(minutes)d minutes (more than about %(max)d).")
            % {"minutes": minutes, "max": COURSE_MINUTES_MAX}
        )


def _alt_problem(alt: Any, filename: str) -> str | None:
    text = alt.strip() if isinstance(alt, str) else ""
    if not text:
        return _("An image has no alt text.")
    if text.lower().strip(".") in _GENERIC_ALT or _FILENAME_ALT.match(text) or text == filename:
        return _("The alt text “%(alt)s” does not describe the image.") % {"alt": text}
    return None


def _image_of(block: BlockView) -> str | None:
    """The image asset a block shows, if it has an alt text to go with one (image, hotspot
    and any type declared the same way: an `alt` field and an image asset reference)."""
    if "alt" not in {f.name for f in block.block_type.fields}:
        return None
    for ref in block.references:
        if ref.kind == "asset" and any(a.startswith("image/") for a in ref.accept):
            return ref.value
    return None


@rule(
    "image_alt_missing",
    WARNING,
    why=gettext_lazy(
        "People who use a screen reader hear the alt text instead of seeing the image. "
        "Without a real description they miss what it shows."
    ),
    how_to_fix=gettext_lazy(
        "Describe in one sentence what the image shows and why it is there. If it is only "
        "decoration, mark it as decorative."
    ),
)
def _image_alt_missing(view: CourseView) -> Iterator[Hit]:
    for page, block in view.blocks():
        asset_id = _image_of(block)
        if asset_id is None or block.data.get("decorative"):
            continue
        filename = str(view.assets.get(asset_id, {}).get("filename", ""))
        problem = _alt_problem(block.data.get("alt"), filename)
        if problem:
            yield Hit(problem, page=page, block=block)


def _has_feedback(block: BlockView) -> bool:
    return any("feedback" in key.split(".") and text for key, text in block.texts)


@rule(
    "question_feedback_missing",
    WARNING,
    why=gettext_lazy(
        "Feedback is where learning happens: it tells learners why an answer is right or "
        "wrong, so a mistake becomes a lesson instead of a score."
    ),
    how_to_fix=gettext_lazy(
        "Add feedback for a right and a wrong answer, or per option, explaining why."
    ),
)
def _question_feedback_missing(view: CourseView) -> Iterator[Hit]:
    for page, block in view.blocks():
        # Only scored questions have a right answer to explain.
        scored = block.is_question and getattr(block.block_type, "scored", False)
        if scored and not _has_feedback(block):
            yield Hit(_("A question has no feedback."), page=page, block=block)


@rule(
    "quiz_too_few_questions",
    WARNING,
    why=gettext_lazy(
        "A graded quiz with one or two questions is decided by luck or a slip, not by what "
        "the learner knows."
    ),
    how_to_fix=gettext_lazy(
        "Give the quiz at least three questions (and draw at least three, if it draws from "
        "a pool), or make it an ungraded knowledge check."
    ),
)
def _quiz_too_few_questions(view: CourseView) -> Iterator[Hit]:
    for page in view.pages:
        if page.kind != PageKind.QUIZ:
            continue
        asked = len(page.questions)
        draw = page.settings.get("draw_count")
        if isinstance(draw, int) and not isinstance(draw, bool) and draw > 0:
            asked = min(asked, draw)
        if asked < QUIZ_QUESTIONS_MIN:
            yield Hit(
                _("The quiz “%(page)s” asks %(count)d question(s); at least %(min)d is better.")
                % {"page": page.title, "count": asked, "min": QUIZ_QUESTIONS_MIN},
                page=page,
            )


@rule(
    "page_readability",
    INFO,
    why=gettext_lazy(
        "Long sentences and long words slow every reader down, and lose those reading in a "
        "second language. A reading-ease score under 50 means hard to read."
    ),
    how_to_fix=gettext_lazy(
        "Write shorter sentences (one point each, under about 15 words), prefer short everyday "
        "words, and use lists for steps."
    ),
)
def _page_readability(view: CourseView) -> Iterator[Hit]:
    language = view.language.lower().split("-")[0]
    if language not in FORMULAS:
        return
    for page in view.pages:
        result = readability(page.text(), language=language)
        if result.words < READABILITY_MIN_WORDS or result.score is None:
            continue
        if result.score < READABILITY_MIN:
            yield Hit(
                _(
                    "The page “%(page)s” is hard to read (reading ease %(score)d; aim for 50 or more)."
                )
                % {"page": page.title, "score": round(result.score)},
                page=page,
            )


def _text_only(page: PageView) -> bool:
    return bool(page.blocks) and all(b.type in TEXT_ONLY_TYPES for b in page.blocks)


@rule(
    "text_only_pages",
    INFO,
    why=gettext_lazy(
        "Reading page after page of text is passive; attention drops. Doing something with "
        "what was just read makes it stick."
    ),
    how_to_fix=gettext_lazy(
        "Add an interaction to one of these pages: a question, an image or video, or "
        "process steps, tabs or an accordion for the details."
    ),
)
def _text_only_pages(view: CourseView) -> Iterator[Hit]:
    run: list[PageView] = []
    for page in [*view.pages, None]:
        if page is not None and _text_only(page):
            run.append(page)
            continue
        if len(run) >= TEXT_ONLY_RUN:
            yield Hit(
                _("%(count)d pages in a row are text only, from “%(first)s” to “%(last)s”.")
                % {"count": len(run), "first": run[0].title, "last": run[-1].title},
                page=run[TEXT_ONLY_RUN - 1],
            )
        run = []


# --- running them ---------------------------------------------------------------------------------


def course_health(document: Mapping[str, Any], *, language: str) -> list[Finding]:
    """Every rule's findings on `document`: warnings first, then in course order.

    Pure: reads only the document (no queries). Messages are in the active language;
    `language` is the course's, which picks the readability formula.
    """
    view = CourseView.of(document, language=language)
    found: list[tuple[tuple[int, int, int], Finding]] = []
    for current in RULES:
        for hit in current.check(view):
            finding = Finding(
                rule=current.id,
                severity=current.severity,
                message=str(hit.message),
                why=str(current.why),
                how_to_fix=str(current.how_to_fix),
                page_id=hit.page.id if hit.page else None,
                block_id=hit.block.id if hit.block else None,
            )
            order = (
                SEVERITIES.index(current.severity),
                hit.page.position if hit.page else -1,
                hit.block.position if hit.block else -1,
            )
            found.append((order, finding))
    found.sort(key=lambda pair: pair[0])
    return [finding for _order, finding in found]
