"""What changed between two course documents, for the review of a resubmission.

    diff = document_diff(old_document, new_document)
    diff = review_diff(actor=membership, review=review)   # against the last reviewed round
    payload = diff.as_dict()

Pure: `document_diff` reads two course documents (authoring/schema/course-document.schema.json)
and touches no database. Sections, pages and blocks are matched by id. Lists come in the new
revision's document order, removed items placed where they were. An item counts as moved when
its container changed or its order relative to the items kept around it changed; an item that
only shifted because another was added or removed before it has not moved.

Texts come as plain text (rich text converted with authoring.sanitize.rich_text_to_plain),
never HTML: render them escaped. A changed text is a list of word-level runs
`{"op": "equal" | "insert" | "delete", "text": ...}`.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from authoring.blocks import UnknownBlockType, get_block_type
from authoring.sanitize import rich_text_to_plain
from reviews.models import ReviewRequest, ReviewStatus
from reviews.selectors import review_for_actor
from tenants.models import Membership

__all__ = [
    "BlockDiff",
    "CourseFieldDiff",
    "DocumentDiff",
    "ObjectiveDiff",
    "OtherChange",
    "PageDiff",
    "SectionDiff",
    "SegmentDiff",
    "TextRun",
    "document_diff",
    "review_diff",
    "word_diff",
]

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"
EQUAL, INSERT, DELETE = "equal", "insert", "delete"

# Course fields compared as texts (with runs) and as plain values.
TEXT_COURSE_FIELDS = ("title", "description")
VALUE_COURSE_FIELDS = ("language", "category", "tags", "estimated_minutes", "cover_image")

_TOKENS = re.compile(r"\s+|[^\s]+")


# --- the shapes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextRun:
    op: str
    text: str


@dataclass
class SegmentDiff:
    """One translatable text of a block (its stable segment key) that differs."""

    key: str
    status: str
    runs: list[TextRun]


@dataclass
class OtherChange:
    """A value outside the texts that differs, at a path like `options.<id>.correct`."""

    path: str
    status: str


@dataclass
class CourseFieldDiff:
    field: str
    old: Any
    new: Any
    runs: list[TextRun] = dataclasses.field(default_factory=list)


@dataclass
class ObjectiveDiff:
    id: str
    status: str
    text: str
    runs: list[TextRun] = field(default_factory=list)


@dataclass
class SectionDiff:
    id: str
    status: str
    moved: bool
    title: str
    old_title: str | None
    changes: list[str] = field(default_factory=list)


@dataclass
class PageDiff:
    id: str
    status: str
    moved: bool
    title: str
    old_title: str | None
    section_id: str | None
    old_section_id: str | None
    kind: str
    old_kind: str | None
    changes: list[str] = field(default_factory=list)
    settings_changes: list[OtherChange] = field(default_factory=list)


@dataclass
class BlockDiff:
    id: str
    type: str
    status: str
    moved: bool
    page_id: str | None
    old_page_id: str | None
    index: int | None
    old_index: int | None
    segments: list[SegmentDiff] = field(default_factory=list)
    other_changes: list[OtherChange] = field(default_factory=list)


@dataclass
class DocumentDiff:
    """Everything that changed; `summary` counts each kind, unchanged items included."""

    course: list[CourseFieldDiff] = field(default_factory=list)
    objectives: list[ObjectiveDiff] = field(default_factory=list)
    sections: list[SectionDiff] = field(default_factory=list)
    pages: list[PageDiff] = field(default_factory=list)
    blocks: list[BlockDiff] = field(default_factory=list)
    summary: dict[str, dict[str, int]] = field(default_factory=dict)
    old_revision: int | None = None
    new_revision: int | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.course or self.objectives or self.sections or self.pages or self.blocks)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- texts --------------------------------------------------------------------------------------


def _runs_from(ops: Iterable[tuple[str, str]]) -> list[TextRun]:
    """Merge into runs; every stretch of changes becomes one delete then one insert."""
    runs: list[TextRun] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        if deleted:
            runs.append(TextRun(DELETE, "".join(deleted)))
        if inserted:
            runs.append(TextRun(INSERT, "".join(inserted)))
        deleted.clear()
        inserted.clear()

    for op, text in ops:
        if not text:
            continue
        if op == DELETE:
            deleted.append(text)
        elif op == INSERT:
            inserted.append(text)
        else:
            flush()
            if runs and runs[-1].op == EQUAL:
                runs[-1] = TextRun(EQUAL, runs[-1].text + text)
            else:
                runs.append(TextRun(EQUAL, text))
    flush()
    return runs


def word_diff(old: str, new: str) -> list[TextRun]:
    """Word-level runs turning `old` into `new` (plain texts)."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    ops: list[tuple[str, str]] = []
    opcodes = matcher.get_opcodes()
    for n, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == EQUAL:
            text = "".join(a[i1:i2])
            between_changes = 0 < n < len(opcodes) - 1
            if between_changes and not text.strip():
                # A lone space between two changes: part of the change, not a match.
                ops += [(DELETE, text), (INSERT, text)]
            else:
                ops.append((EQUAL, text))
            continue
        if tag in ("delete", "replace"):
            ops.append((DELETE, "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            ops.append((INSERT, "".join(b[j1:j2])))
    return _runs_from(ops)


def _plain(text: Any, *, html: bool) -> str:
    if not isinstance(text, str):
        return "" if text is None else str(text)
    return rich_text_to_plain(text).strip() if html else text


# --- ordering -----------------------------------------------------------------------------------


def _merged_order(old_ids: Sequence[str], new_ids: Sequence[str]) -> list[str]:
    """The new order with each removed id placed after the id that preceded it before."""
    kept = set(new_ids)
    result = list(new_ids)
    placed = set(new_ids)
    for n, item in enumerate(old_ids):
        if item in kept:
            continue
        position = 0
        for before in reversed(old_ids[:n]):
            if before in placed:
                position = result.index(before) + 1
                break
        result.insert(position, item)
        placed.add(item)
    return result


def _moved_ids(
    old: Mapping[str, tuple[str | None, int]], new: Mapping[str, tuple[str | None, int]]
) -> set[str]:
    """Ids (in both) whose container changed, or whose relative order in it changed."""
    moved = {i for i in new if i in old and old[i][0] != new[i][0]}
    containers = {new[i][0] for i in new if i in old and i not in moved}
    for container in sorted(containers, key=str):
        common = [i for i in new if i in old and i not in moved and new[i][0] == container]
        before = sorted(common, key=lambda i: old[i][1])
        after = sorted(common, key=lambda i: new[i][1])
        matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
        in_order = {before[m.a + k] for m in matcher.get_matching_blocks() for k in range(m.size)}
        moved.update(i for i in common if i not in in_order)
    return moved


# --- generic value comparison (outside the texts) ------------------------------------------------


def _is_keyed_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, Mapping) and isinstance(v.get("id"), str) for v in value)
    )


def _value_changes(old: Any, new: Any, path: str) -> list[OtherChange]:
    """Paths where `old` and `new` differ; lists of objects with ids are matched by id."""
    if old == new:
        return []
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        changes: list[OtherChange] = []
        keys = list(new) + [k for k in old if k not in new]
        for key in keys:
            sub = f"{path}.{key}" if path else str(key)
            if key not in old:
                changes.append(OtherChange(sub, ADDED))
            elif key not in new:
                changes.append(OtherChange(sub, REMOVED))
            else:
                changes += _value_changes(old[key], new[key], sub)
        return changes
    if _is_keyed_list(old) and _is_keyed_list(new):
        old_by_id = {item["id"]: item for item in old}
        new_by_id = {item["id"]: item for item in new}
        changes = []
        old_ids, new_ids = list(old_by_id), list(new_by_id)
        for item_id in _merged_order(old_ids, new_ids):
            sub = f"{path}.{item_id}"
            if item_id not in old_by_id:
                changes.append(OtherChange(sub, ADDED))
            elif item_id not in new_by_id:
                changes.append(OtherChange(sub, REMOVED))
            else:
                changes += _value_changes(old_by_id[item_id], new_by_id[item_id], sub)
        common_old = [i for i in old_ids if i in new_by_id]
        common_new = [i for i in new_ids if i in old_by_id]
        if common_old != common_new:
            changes.append(OtherChange(path, "reordered"))
        return changes
    return [OtherChange(path or "data", CHANGED)]


# --- blocks -------------------------------------------------------------------------------------


def _segments(block: Mapping[str, Any]) -> dict[str, tuple[str, bool]]:
    try:
        block_type = get_block_type(str(block.get("type")))
    except UnknownBlockType:
        return {}
    return {s.key: (s.text, s.html) for s in block_type.text_segments(block.get("data") or {})}


def _without_texts(block: Mapping[str, Any]) -> Any:
    """The block's data with every text segment emptied: what is left is not text."""
    data = block.get("data") or {}
    try:
        block_type = get_block_type(str(block.get("type")))
    except UnknownBlockType:
        return data
    return block_type.apply_segments(data, {s.key: "" for s in block_type.text_segments(data)})


def _segment_diffs(
    old: Mapping[str, Any] | None, new: Mapping[str, Any] | None
) -> list[SegmentDiff]:
    before = _segments(old) if old is not None else {}
    after = _segments(new) if new is not None else {}
    diffs = []
    for key in _merged_order(list(before), list(after)):
        old_text = _plain(before[key][0], html=before[key][1]) if key in before else ""
        new_text = _plain(after[key][0], html=after[key][1]) if key in after else ""
        if key in before and key in after and old_text == new_text:
            continue
        status = ADDED if key not in before else REMOVED if key not in after else CHANGED
        runs = word_diff(old_text, new_text)
        if runs:
            diffs.append(SegmentDiff(key, status, runs))
    return diffs


def _block_diff(
    block_id: str,
    old: tuple[Mapping[str, Any], str, int] | None,
    new: tuple[Mapping[str, Any], str, int] | None,
    moved: bool,
) -> BlockDiff:
    old_block, old_page, old_index = old if old is not None else ({}, None, None)
    new_block, new_page, new_index = new if new is not None else ({}, None, None)
    block_type = str((new_block or old_block).get("type"))
    diff = BlockDiff(
        id=block_id,
        type=block_type,
        status=UNCHANGED,
        moved=moved,
        page_id=new_page,
        old_page_id=old_page,
        index=new_index,
        old_index=old_index,
    )
    if old is None or new is None:
        diff.status = ADDED if old is None else REMOVED
        diff.segments = _segment_diffs(old_block if old else None, new_block if new else None)
        return diff
    if old_block.get("type") != new_block.get("type") or old_block.get("data") != new_block.get(
        "data"
    ):
        diff.status = CHANGED
        diff.segments = _segment_diffs(old_block, new_block)
        if old_block.get("type") != new_block.get("type"):
            diff.other_changes.append(OtherChange("type", CHANGED))
        else:
            diff.other_changes = _value_changes(
                _without_texts(old_block), _without_texts(new_block), ""
            )
    if old_block.get("version") != new_block.get("version"):
        diff.status = CHANGED
        diff.other_changes.append(OtherChange("version", CHANGED))
    return diff


# --- the document -------------------------------------------------------------------------------


def _course_diffs(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[CourseFieldDiff]:
    diffs = []
    for name in TEXT_COURSE_FIELDS:
        before, after = old.get(name) or "", new.get(name) or ""
        if before != after:
            diffs.append(CourseFieldDiff(name, before, after, word_diff(before, after)))
    for name in VALUE_COURSE_FIELDS:
        if old.get(name) != new.get(name):
            diffs.append(CourseFieldDiff(name, old.get(name), new.get(name)))
    return diffs


def _objective_diffs(old: Sequence[Any], new: Sequence[Any]) -> list[ObjectiveDiff]:
    before = {o["id"]: o.get("text", "") for o in old}
    after = {o["id"]: o.get("text", "") for o in new}
    diffs = []
    for key in _merged_order(list(before), list(after)):
        if key in before and key in after and before[key] == after[key]:
            continue
        status = ADDED if key not in before else REMOVED if key not in after else CHANGED
        text = after.get(key, before.get(key, ""))
        diffs.append(
            ObjectiveDiff(key, status, text, word_diff(before.get(key, ""), after.get(key, "")))
        )
    return diffs


def _index(
    document: Mapping[str, Any] | None,
) -> tuple[
    dict[str, tuple[Mapping[str, Any], None, int]],
    dict[str, tuple[Mapping[str, Any], str, int]],
    dict[str, tuple[Mapping[str, Any], str, int]],
]:
    """Sections, pages (with their section) and blocks (with their page), in document order."""
    sections: dict[str, tuple[Mapping[str, Any], None, int]] = {}
    pages: dict[str, tuple[Mapping[str, Any], str, int]] = {}
    blocks: dict[str, tuple[Mapping[str, Any], str, int]] = {}
    for s_index, section in enumerate((document or {}).get("sections") or []):
        sections[section["id"]] = (section, None, s_index)
        for p_index, page in enumerate(section.get("pages") or []):
            pages[page["id"]] = (page, section["id"], p_index)
            for b_index, block in enumerate(page.get("blocks") or []):
                blocks[block["id"]] = (block, page["id"], b_index)
    return sections, pages, blocks


def _locations(items: Mapping[str, tuple[Any, Any, int]]) -> dict[str, tuple[str | None, int]]:
    return {key: (container, index) for key, (_item, container, index) in items.items()}


def _count(summary: dict[str, int], status: str, moved: bool) -> None:
    summary[status] += 1
    if moved:
        summary["moved"] += 1


def document_diff(
    old: Mapping[str, Any] | None, new: Mapping[str, Any], *, include_unchanged: bool = False
) -> DocumentDiff:
    """What changed from `old` to `new` (course documents); `old` None: everything is added.

    Unchanged sections, pages and blocks are left out of the lists unless `include_unchanged`;
    the summary counts them either way, so identical documents give an empty diff.
    """
    old_course = (old or {}).get("course") or {}
    new_course = new.get("course") or {}
    diff = DocumentDiff(
        course=_course_diffs(old_course, new_course),
        objectives=_objective_diffs(
            old_course.get("objectives") or [], new_course.get("objectives") or []
        ),
    )
    old_sections, old_pages, old_blocks = _index(old)
    new_sections, new_pages, new_blocks = _index(new)
    kinds = (ADDED, REMOVED, CHANGED, UNCHANGED, "moved")
    summary = {name: dict.fromkeys(kinds, 0) for name in ("sections", "pages", "blocks")}
    summary["course"] = {"changed_fields": len(diff.course), "objectives": len(diff.objectives)}

    moved = _moved_ids(_locations(old_sections), _locations(new_sections))
    for key in _merged_order(list(old_sections), list(new_sections)):
        before, after = old_sections.get(key), new_sections.get(key)
        section = (after or before)[0]  # type: ignore[index]
        status = ADDED if before is None else REMOVED if after is None else UNCHANGED
        item = SectionDiff(
            id=key,
            status=status,
            moved=key in moved,
            title=section.get("title", ""),
            old_title=before[0].get("title") if before else None,
        )
        if before and after and before[0].get("title") != after[0].get("title"):
            item.status, item.changes = CHANGED, ["title"]
        _count(summary["sections"], item.status, item.moved)
        if include_unchanged or item.status != UNCHANGED or item.moved:
            diff.sections.append(item)

    moved = _moved_ids(_locations(old_pages), _locations(new_pages))
    for key in _merged_order(list(old_pages), list(new_pages)):
        p_before, p_after = old_pages.get(key), new_pages.get(key)
        page = (p_after or p_before)[0]  # type: ignore[index]
        old_page = p_before[0] if p_before else None
        page_item = PageDiff(
            id=key,
            status=ADDED if p_before is None else REMOVED if p_after is None else UNCHANGED,
            moved=key in moved,
            title=page.get("title", ""),
            old_title=old_page.get("title") if old_page else None,
            section_id=p_after[1] if p_after else None,
            old_section_id=p_before[1] if p_before else None,
            kind=page.get("kind", ""),
            old_kind=old_page.get("kind") if old_page else None,
        )
        if p_before and p_after:
            for name in ("title", "kind", "settings"):
                if p_before[0].get(name) != p_after[0].get(name):
                    page_item.changes.append(name)
            page_item.settings_changes = _value_changes(
                p_before[0].get("settings") or {}, p_after[0].get("settings") or {}, ""
            )
            if page_item.changes:
                page_item.status = CHANGED
        _count(summary["pages"], page_item.status, page_item.moved)
        if include_unchanged or page_item.status != UNCHANGED or page_item.moved:
            diff.pages.append(page_item)

    moved = _moved_ids(_locations(old_blocks), _locations(new_blocks))
    for key in _merged_order(list(old_blocks), list(new_blocks)):
        block_item = _block_diff(key, old_blocks.get(key), new_blocks.get(key), key in moved)
        _count(summary["blocks"], block_item.status, block_item.moved)
        if include_unchanged or block_item.status != UNCHANGED or block_item.moved:
            diff.blocks.append(block_item)

    diff.summary = summary
    return diff


# --- a review round -------------------------------------------------------------------------------


def previous_reviewed_round(review: ReviewRequest) -> ReviewRequest | None:
    """The latest earlier round of the same course that was reviewed (not withdrawn)."""
    return (
        ReviewRequest.objects.select_related("revision")
        .filter(course_id=review.course_id, round__lt=review.round)
        .exclude(status=ReviewStatus.WITHDRAWN)
        .order_by("-round")
        .first()
    )


def review_diff(
    *, actor: Membership, review: ReviewRequest, include_unchanged: bool = False
) -> DocumentDiff:
    """The pinned revision of `review` against the last reviewed revision of the course.

    Round 1 (or no earlier reviewed round): against nothing, so everything is added. The
    actor must be able to see the review: NotFound otherwise, PermissionDenied for roles
    that see no reviews (learners).
    """
    review = review_for_actor(actor=actor, review_uuid=review.uuid)
    previous = previous_reviewed_round(review)
    old = previous.revision.document if previous is not None else None
    diff = document_diff(old, review.revision.document, include_unchanged=include_unchanged)
    diff.old_revision = previous.revision.number if previous is not None else None
    diff.new_revision = review.revision.number
    return diff
