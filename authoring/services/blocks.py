"""Block operations on a page (DESIGN.md §5): insert, update, move, delete, duplicate.

    result = page_apply_operations(actor=m, page=page, base_version=7, operations=[
        {"op": "update", "block_id": "…", "data": {...}},
    ])

A batch is all or nothing and runs under the page row's lock. `base_version` is the page
version the author's editor started from; `Page.block_versions` says, per block, at which
page version it last changed. An update, move or delete of a block that changed after
`base_version` (or no longer exists) raises BlockConflict and changes nothing; operations
on other blocks merge. `force` on an update overwrites after the author chose "keep mine".
Data is validated and sanitised by the block's type (authoring.blocks).

Cost of an autosave (one update): lock-and-read the page, write it, bump the course — three
queries; an autosave revision, when due, is a task enqueued on commit.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from authoring.access import can_edit_course, require_authoring
from authoring.blocks import QUESTION, BlockType, Problem, UnknownBlockType, get_block_type
from authoring.blocks.fields import UUID_PATTERN
from authoring.blocks.pages import PageKind, settings_problems
from authoring.blocks.values import pointer
from authoring.models import Asset, Course, Page
from authoring.services.courses import course_touch
from authoring.services.revisions import revision_autosave_schedule
from egl_platform.errors import Conflict, Invalid, NotFound
from tenants.models import Membership

__all__ = [
    "BlockConflict",
    "BlockMoveResult",
    "InvalidBlocks",
    "OperationsResult",
    "block_move_to_page",
    "page_apply_operations",
]

MAX_OPERATIONS = 200
MAX_BLOCKS_PER_PAGE = 500
OPS = ("insert", "update", "move", "delete", "duplicate")
_UUID = re.compile(UUID_PATTERN)


class InvalidBlocks(Invalid):
    """Block data that does not pass its type's checks. `fields` are keyed by JSON pointer
    `/blocks/<block id>/data/<pointer>` (or `/operations/<n>/…` for a malformed operation)."""

    def __init__(self, problems: Mapping[str, list[str]]) -> None:
        super().__init__(_("Some blocks need attention; nothing was saved."), fields=dict(problems))


class BlockConflict(Conflict):
    """Someone changed (or removed) the block after the version this edit started from."""

    def __init__(self, *, block_id: str, theirs: dict[str, Any] | None, version: int) -> None:
        message = (
            _("Someone else changed this block since you started editing it.")
            if theirs is not None
            else _("Someone else removed this block since you started editing it.")
        )
        super().__init__(message)
        self.block_id = block_id
        self.theirs = theirs
        self.version = version


@dataclass(frozen=True)
class OperationsResult:
    version: int
    block_versions: dict[str, int]
    blocks: list[dict[str, Any]]


@dataclass(frozen=True)
class BlockMoveResult:
    source: OperationsResult
    target: OperationsResult


def _result(page: Page) -> OperationsResult:
    return OperationsResult(page.version, dict(page.block_versions), page.blocks)


class _Batch:
    """Applies operations to a copy of the page's blocks; the page is written only at the end."""

    def __init__(self, page: Page, course: Course, base_version: int) -> None:
        self.page = page
        self.course = course
        self.base_version = base_version
        self.blocks: list[dict[str, Any]] = copy.deepcopy(page.blocks)
        self.block_versions: dict[str, int] = dict(page.block_versions)
        self.new_version = page.version + 1
        self.touched: set[str] = set()  # blocks this batch already changed
        self.changed = False
        self.problems: dict[str, list[str]] = {}
        self.new_assets: dict[str, tuple[str, tuple[str, ...]]] = {}  # id → (path, accept)

    # --- helpers ---------------------------------------------------------------------------

    def problem(self, path: str, message: str) -> None:
        self.problems.setdefault(path, []).append(str(message))

    def index_of(self, block_id: str) -> int | None:
        for index, block in enumerate(self.blocks):
            if block.get("id") == block_id:
                return index
        return None

    def existing(self, n: int, op: Mapping[str, Any], *, check_version: bool) -> int | None:
        """The index of the operation's block; BlockConflict when it is gone or moved on."""
        block_id = op.get("block_id")
        if not isinstance(block_id, str):
            self.problem(pointer("operations", n, "block_id"), _("Name the block."))
            return None
        index = self.index_of(block_id)
        if index is None:
            raise BlockConflict(block_id=block_id, theirs=None, version=self.page.version)
        if (
            check_version
            and block_id not in self.touched
            and self.block_versions.get(block_id, 0) > self.base_version
        ):
            raise BlockConflict(
                block_id=block_id,
                theirs=copy.deepcopy(self.page.blocks[self.page_index(block_id)]),
                version=self.page.version,
            )
        return index

    def page_index(self, block_id: str) -> int:
        return next(i for i, b in enumerate(self.page.blocks) if b.get("id") == block_id)

    def mark(self, block_id: str) -> None:
        self.block_versions[block_id] = self.new_version
        self.touched.add(block_id)
        self.changed = True

    def clean_data(
        self, block_type: BlockType, block_id: str, data: Any, old: Mapping[str, Any] | None
    ) -> dict[str, Any] | None:
        """Validated and sanitised data, or None with the problems recorded."""
        prefix = pointer("blocks", block_id, "data")
        problems = block_type.validate(data)
        if problems:
            for p in problems:
                self.problem(prefix + p.path, p.message)
            return None
        clean = block_type.sanitize(data)
        problems = block_type.validate(clean)  # sanitising may empty a required text
        problems += self.reference_problems(block_type, clean, old, prefix)
        if problems:
            for p in problems:
                self.problem(prefix + p.path, p.message)
            return None
        return clean

    def reference_problems(
        self,
        block_type: BlockType,
        data: Mapping[str, Any],
        old: Mapping[str, Any] | None,
        prefix: str,
    ) -> list[Problem]:
        """Objectives must be the course's; assets new to the block are checked in one query."""
        objectives = {str(o.get("id")) for o in self.course.objectives or []}
        known_assets = set()
        if old is not None:
            known_assets = {r.value for r in block_type.references(old) if r.kind == "asset"}
        problems = []
        for ref in block_type.references(data):
            if ref.kind == "objective" and ref.value not in objectives:
                problems.append(
                    Problem(ref.path, _("The course has no learning objective with this id."))
                )
            elif ref.kind == "asset" and ref.value not in known_assets:
                self.new_assets[ref.value] = (prefix + ref.path, ref.accept)
        return problems

    def new_block_id(self, n: int, wanted: Any) -> str | None:
        if wanted is None:
            return str(uuid.uuid4())
        if not isinstance(wanted, str) or not _UUID.fullmatch(wanted):
            self.problem(
                pointer("operations", n, "block", "id"), _("A block id is a lowercase UUID.")
            )
            return None
        return wanted

    # --- operations ------------------------------------------------------------------------

    def insert(self, n: int, op: Mapping[str, Any]) -> None:
        block = op.get("block")
        if not isinstance(block, Mapping):
            self.problem(pointer("operations", n, "block"), _("Give the block to insert."))
            return
        block_id = self.new_block_id(n, block.get("id"))
        if block_id is None:
            return
        try:
            block_type = get_block_type(str(block.get("type")))
        except UnknownBlockType as error:
            self.problem(pointer("operations", n, "block", "type"), error.message)
            return
        data = self.clean_data(block_type, block_id, block.get("data", {}), None)
        if data is None:
            return
        new = {"id": block_id, "type": block_type.type, "version": block_type.version, "data": data}
        existing = self.index_of(block_id)
        if existing is not None:
            if self.blocks[existing] == new:
                return  # the same insert sent again (a retry after a lost answer)
            self.problem(
                pointer("operations", n, "block", "id"),
                _("This page already has a block with this id."),
            )
            return
        index = self._index(n, op.get("index"), size=len(self.blocks))
        if index is None:
            return
        self.blocks.insert(index, new)
        self.mark(block_id)

    def update(self, n: int, op: Mapping[str, Any]) -> None:
        force = op.get("force", False) is True
        index = self.existing(n, op, check_version=False)
        if index is None:
            return
        block = self.blocks[index]
        block_type = get_block_type(str(block.get("type")))
        data = self.clean_data(block_type, block["id"], op.get("data"), block.get("data") or {})
        if data is None:
            return
        unchanged = data == block.get("data") and block.get("version") == block_type.version
        if unchanged:
            return  # nothing to write, and nothing to conflict about
        if not force:
            self.existing(n, op, check_version=True)
        self.blocks[index] = {**block, "version": block_type.version, "data": data}
        self.mark(block["id"])

    def move(self, n: int, op: Mapping[str, Any]) -> None:
        index = self.existing(n, op, check_version=True)
        if index is None:
            return
        target = self._index(n, op.get("index"), size=len(self.blocks) - 1)
        if target is None or target == index:
            return
        block = self.blocks.pop(index)
        self.blocks.insert(target, block)
        self.mark(block["id"])

    def delete(self, n: int, op: Mapping[str, Any]) -> None:
        block_id = op.get("block_id")
        if isinstance(block_id, str) and self.index_of(block_id) is None:
            return  # already gone (or moved to another page): deleting again loses nothing
        index = self.existing(n, op, check_version=True)
        if index is None:
            return
        block = self.blocks.pop(index)
        self.block_versions.pop(block["id"], None)
        self.touched.add(block["id"])
        self.changed = True

    def duplicate(self, n: int, op: Mapping[str, Any]) -> None:
        index = self.existing(n, op, check_version=False)
        if index is None:
            return
        block = self.blocks[index]
        block_type = get_block_type(str(block.get("type")))
        copy_id = str(uuid.uuid4())
        data = block_type.rekey(block.get("data") or {})
        self.blocks.insert(index + 1, {**copy.deepcopy(block), "id": copy_id, "data": data})
        self.mark(copy_id)

    def _index(self, n: int, value: Any, *, size: int) -> int | None:
        if value is None:
            return size
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.problem(pointer("operations", n, "index"), _("Enter a whole number from 0."))
            return None
        return min(value, size)

    # --- whole-page checks -----------------------------------------------------------------

    def check_page(self) -> None:
        if len(self.blocks) > MAX_BLOCKS_PER_PAGE:
            self.problem(
                "/blocks",
                _("A page holds at most %(n)d blocks; split it.") % {"n": MAX_BLOCKS_PER_PAGE},
            )
        self._check_owned_ids()
        self._check_assets()
        self._check_settings()

    def _check_settings(self) -> None:
        """A quiz may not draw more questions than it has (the document would be invalid)."""
        if self.page.kind != PageKind.QUIZ or not self.changed:
            return
        questions = 0
        for block in self.blocks:
            try:
                questions += get_block_type(str(block.get("type"))).family == QUESTION
            except UnknownBlockType:  # pragma: no cover - stored blocks were validated
                continue
        for problem in settings_problems(
            self.page.kind, self.page.settings or {}, question_count=questions
        ):
            self.problem(
                "/settings" + problem.path,
                _("%(problem)s Lower the number of questions drawn first.")
                % {"problem": problem.message},
            )

    def _check_owned_ids(self) -> None:
        """Ids inside the blocks this batch wrote are unique in the page.

        Costs a look at every block only when a written block owns ids (options, items).
        """
        refs_of: dict[str, list[str]] = {}
        for block in self.blocks:
            if block["id"] in self.touched:
                refs_of[block["id"]] = self._owned(block)
        if not any(refs_of.values()):
            return
        owners: dict[str, set[str]] = {}
        for block in self.blocks:
            owners.setdefault(block["id"], set()).add(block["id"])
            refs = refs_of[block["id"]] if block["id"] in refs_of else self._owned(block)
            for value in refs:
                owners.setdefault(value, set()).add(block["id"])
        for block_id, refs in refs_of.items():
            for value in refs:
                if owners[value] - {block_id}:
                    self.problem(
                        pointer("blocks", block_id, "data"),
                        _("The identifier %(id)s is already used elsewhere on the page.")
                        % {"id": value},
                    )

    @staticmethod
    def _owned(block: Mapping[str, Any]) -> list[str]:
        try:
            block_type = get_block_type(str(block.get("type")))
        except UnknownBlockType:  # pragma: no cover - stored blocks were validated
            return []
        return [r.value for r in block_type.references(block.get("data") or {}) if r.kind == "id"]

    def _check_assets(self) -> None:
        if not self.new_assets:
            return
        found = {
            str(asset.uuid): asset.content_type
            for asset in Asset.objects.filter(uuid__in=list(self.new_assets)).only(
                "uuid", "content_type"
            )
        }
        for asset_id, (path, accept) in self.new_assets.items():
            content_type = found.get(asset_id)
            if content_type is None:
                self.problem(path, _("This file is not in the media library."))
            elif accept and not content_type.startswith(accept):
                self.problem(
                    path,
                    _("This needs a file of type %(accept)s, not %(type)s.")
                    % {"accept": ", ".join(a.rstrip("/") for a in accept), "type": content_type},
                )


def _parse_base_version(base_version: Any, page: Page) -> int:
    if isinstance(base_version, bool) or not isinstance(base_version, int) or base_version < 0:
        raise Invalid(
            _("base_version must be a whole number."),
            fields={"base_version": [_("Enter a whole number from 0.")]},
        )
    if base_version > page.version:
        raise Invalid(
            _("This page has no version %(n)d yet; reload the page.") % {"n": base_version},
            fields={"base_version": [_("Unknown version.")]},
        )
    return base_version


def page_apply_operations(
    *, actor: Membership, page: Page, base_version: int, operations: Any
) -> OperationsResult:
    """Apply a batch of block operations to `page`, all or nothing; see the module docstring.

    Raises InvalidBlocks (400) for bad operations or data, BlockConflict (409) for a block
    that changed since `base_version`, NotFound when the page is not editable. Nothing is
    written when the batch changes nothing.
    """
    require_authoring(actor)
    course = page.section.course
    if not can_edit_course(actor, course):
        raise NotFound(_("Not found."))
    if not isinstance(operations, list) or not operations:
        raise Invalid(
            _("Send a list of operations."), fields={"operations": [_("Expected a list.")]}
        )
    if len(operations) > MAX_OPERATIONS:
        raise Invalid(
            _("Send at most %(n)d operations at once.") % {"n": MAX_OPERATIONS},
            fields={"operations": [_("Too many.")]},
        )
    with transaction.atomic():
        locked = Page.objects.select_for_update().get(pk=page.pk)
        base = _parse_base_version(base_version, locked)
        batch = _Batch(locked, course, base)
        for n, op in enumerate(operations):
            name = op.get("op") if isinstance(op, Mapping) else None
            if name not in OPS:
                batch.problem(
                    pointer("operations", n, "op"),
                    _("Unknown operation; use one of %(ops)s.") % {"ops": ", ".join(OPS)},
                )
                continue
            getattr(batch, str(name))(n, op)
        if not batch.problems:
            batch.check_page()
        if batch.problems:
            raise InvalidBlocks(batch.problems)
        if batch.changed:
            locked.blocks = batch.blocks
            locked.block_versions = batch.block_versions
            locked.version = batch.new_version
            locked.save(update_fields=["blocks", "block_versions", "version"])
            course_touch(course=course, actor=actor)
            revision_autosave_schedule(course=course, actor=actor)
    page.blocks, page.block_versions, page.version = (
        locked.blocks,
        locked.block_versions,
        locked.version,
    )
    return _result(locked)


def block_move_to_page(
    *,
    actor: Membership,
    page: Page,
    block_id: str,
    target_page: Page,
    index: int | None = None,
) -> BlockMoveResult:
    """Move a block, id kept, to `index` of another page of the same course (default: end).

    Both pages are locked in primary-key order, so two moves in opposite directions queue
    instead of deadlocking. A block that is gone raises BlockConflict.
    """
    require_authoring(actor)
    course = page.section.course
    if not can_edit_course(actor, course):
        raise NotFound(_("Not found."))
    if target_page.section.course_id != course.pk:
        raise NotFound(_("That page is not part of this course."))
    if target_page.pk == page.pk:
        raise Invalid(
            _("The block is already on this page."), fields={"target_page": [_("Same page.")]}
        )
    if index is not None and (isinstance(index, bool) or not isinstance(index, int) or index < 0):
        raise Invalid(_("Enter a whole number from 0."), fields={"index": [_("Invalid.")]})
    with transaction.atomic():
        locked = {
            p.pk: p
            for p in Page.objects.select_for_update()
            .filter(pk__in=[page.pk, target_page.pk])
            .order_by("pk")
        }
        source, target = locked[page.pk], locked[target_page.pk]
        position = next((i for i, b in enumerate(source.blocks) if b.get("id") == block_id), None)
        if position is None:
            raise BlockConflict(block_id=str(block_id), theirs=None, version=source.version)
        if any(b.get("id") == block_id for b in target.blocks):  # pragma: no cover - ids unique
            raise Invalid(_("The other page already has this block."))
        block = source.blocks.pop(position)
        source.block_versions.pop(block_id, None)
        source.version += 1
        target.version += 1
        at = len(target.blocks) if index is None else min(index, len(target.blocks))
        target.blocks.insert(at, block)
        target.block_versions[block_id] = target.version
        for row in (source, target):
            row.save(update_fields=["blocks", "block_versions", "version"])
        course_touch(course=course, actor=actor)
        revision_autosave_schedule(course=course, actor=actor)
    return BlockMoveResult(source=_result(source), target=_result(target))
