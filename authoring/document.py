"""The course document (DESIGN.md §5): built from the draft's rows, and loaded back into them.

    document = course_document_build(course)
    copy = course_document_load(actor=membership, document=document, rekey=True)

The document's shape is authoring/schema/course-document.schema.json. Building costs a
constant number of queries, whatever the course's size. Loading validates, sanitises and
creates everything in one transaction in the active tenant, or creates nothing.
"""

from __future__ import annotations

import copy
import hashlib
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from authoring.blocks import Problem, UnknownBlockType, get_block_type
from authoring.blocks.values import pointer
from authoring.document_schema import SCHEMA_VERSION, sanitize_document, validate_document
from authoring.models import Asset, Course, Page, Section
from egl_platform.errors import Invalid
from tenants.models import Membership
from tenants.tenancy import CrossTenantWrite, require_active_tenant

__all__ = ["InvalidDocument", "course_document_build", "course_document_load"]

# Files passed along with a document (by an archive import): asset id → (content, type).
AssetFiles = Mapping[str, tuple[bytes, str]]

SLUG_MAX = 80


class InvalidDocument(Invalid):
    """A course document that cannot be loaded; `problems` lists each with its JSON pointer."""

    def __init__(self, problems: list[Problem]) -> None:
        fields: dict[str, list[str]] = {}
        for problem in problems:
            fields.setdefault(problem.path or "/", []).append(str(problem.message))
        super().__init__(
            _("The course document has %(count)d problem(s).") % {"count": len(problems)},
            fields=fields,
        )
        self.problems = problems


# --- building ----------------------------------------------------------------------------------


def _block_asset_ids(blocks: Iterable[Mapping[str, Any]]) -> Iterable[str]:
    for block in blocks:
        try:
            block_type = get_block_type(str(block.get("type")))
        except UnknownBlockType:
            continue
        for ref in block_type.references(block.get("data") or {}):
            if ref.kind == "asset":
                yield ref.value


def _asset_document(asset: Asset) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": str(asset.uuid),
        "filename": asset.filename,
        "content_type": asset.content_type,
        "size": asset.size,
        "checksum": asset.checksum,
    }
    if asset.width is not None:
        item["width"] = asset.width
    if asset.height is not None:
        item["height"] = asset.height
    return item


def course_document_build(course: Course) -> dict[str, Any]:
    """The course as a course document: three queries (sections, pages, assets)."""
    sections = list(
        Section.objects.filter(course=course)
        .order_by("position", "id")
        .prefetch_related(
            Prefetch("pages", queryset=Page.objects.order_by("position", "id"), to_attr="ordered")
        )
    )
    asset_ids: set[str] = set()
    section_documents = []
    for section in sections:
        page_documents = []
        for page in section.ordered:
            blocks = copy.deepcopy(page.blocks)
            asset_ids.update(_block_asset_ids(blocks))
            page_documents.append(
                {
                    "id": str(page.uuid),
                    "title": page.title,
                    "kind": page.kind,
                    "settings": copy.deepcopy(page.settings),
                    "blocks": blocks,
                }
            )
        section_documents.append(
            {"id": str(section.uuid), "title": section.title, "pages": page_documents}
        )

    condition = Q(uuid__in=asset_ids)
    if course.cover_id is not None:
        condition |= Q(pk=course.cover_id)
    assets = list(Asset.objects.filter(condition)) if asset_ids or course.cover_id else []
    cover = next((a for a in assets if a.pk == course.cover_id), None)

    return {
        "schema_version": SCHEMA_VERSION,
        "course": {
            "id": str(course.uuid),
            "title": course.title,
            "description": course.description,
            "language": course.language,
            "category": course.category or None,
            "tags": list(course.tags),
            "objectives": copy.deepcopy(course.objectives),
            "estimated_minutes": course.estimated_minutes,
            "cover_image": str(cover.uuid) if cover is not None else None,
        },
        "sections": section_documents,
        "assets": [_asset_document(a) for a in sorted(assets, key=lambda a: str(a.uuid))],
    }


# --- loading -----------------------------------------------------------------------------------


def _set_at(data: Any, path: str, value: Any) -> None:
    """Put `value` at the JSON pointer `path` inside `data`."""
    *parents, last = [p.replace("~1", "/").replace("~0", "~") for p in path.split("/")[1:]]
    target = data
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    target[int(last) if isinstance(target, list) else last] = value


def _rekey(document: dict[str, Any], new_id: Callable[[], str]) -> dict[str, Any]:
    """A copy with fresh ids for the course, objectives, sections, pages, blocks and every id
    the blocks own; references to objectives follow. Assets keep theirs: they are files that
    may already be in the tenant, and their ids are unique per tenant."""
    doc = copy.deepcopy(document)
    mapping: dict[str, str] = {}

    def fresh(old: str) -> str:
        mapping.setdefault(old, new_id())
        return mapping[old]

    course = doc["course"]
    course["id"] = fresh(course["id"])
    for objective in course["objectives"]:
        objective["id"] = fresh(objective["id"])
    for section in doc["sections"]:
        section["id"] = fresh(section["id"])
        for page in section["pages"]:
            page["id"] = fresh(page["id"])
            for block in page["blocks"]:
                block["id"] = fresh(block["id"])
                block_type = get_block_type(block["type"])
                references = block_type.references(block["data"])
                for ref in references:
                    if ref.kind == "id":
                        fresh(ref.value)
                data = block_type.replace_ids(copy.deepcopy(block["data"]), mapping)
                for ref in references:
                    if ref.kind == "objective" and ref.value in mapping:
                        _set_at(data, ref.path, mapping[ref.value])
                block["data"] = data
    return doc


def _unique_slug(title: str) -> str:
    base = (slugify(title) or "course")[: SLUG_MAX - 6].strip("-") or "course"
    taken = set(Course.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _checksum(content: bytes) -> str:
    return "sha256:" + hashlib.sha256(content).hexdigest()


def _existing_id_problems(doc: Mapping[str, Any]) -> list[Problem]:
    """Ids kept from the document must not already be used in this tenant."""
    problems: list[Problem] = []
    taken = _("This id is already used in this organisation; load the document as a copy.")
    if Course.objects.filter(uuid=doc["course"]["id"]).exists():
        problems.append(Problem("/course/id", taken, "id_taken"))
    section_paths = {s["id"]: pointer("sections", i, "id") for i, s in enumerate(doc["sections"])}
    page_paths = {
        page["id"]: pointer("sections", i, "pages", j, "id")
        for i, section in enumerate(doc["sections"])
        for j, page in enumerate(section["pages"])
    }
    for value in Section.objects.filter(uuid__in=section_paths).values_list("uuid", flat=True):
        problems.append(Problem(section_paths[str(value)], taken, "id_taken"))
    for value in Page.objects.filter(uuid__in=page_paths).values_list("uuid", flat=True):
        problems.append(Problem(page_paths[str(value)], taken, "id_taken"))
    return problems


def _plan_assets(
    doc: Mapping[str, Any], files: AssetFiles
) -> tuple[dict[str, Asset], list[tuple[int, dict[str, Any], bytes]], list[Problem]]:
    """Which listed assets exist in this tenant, which to create from `files`, and problems."""
    listed = doc["assets"]
    existing = {
        str(a.uuid): a for a in Asset.objects.filter(uuid__in=[item["id"] for item in listed])
    }
    to_create: list[tuple[int, dict[str, Any], bytes]] = []
    problems: list[Problem] = []
    for i, item in enumerate(listed):
        path = pointer("assets", i)
        asset = existing.get(item["id"])
        if asset is not None:
            if asset.checksum != item["checksum"]:
                problems.append(
                    Problem(
                        path + "/checksum",
                        _("A different file with this id is already in this organisation."),
                        "asset_conflict",
                    )
                )
            continue
        supplied = files.get(item["id"])
        if supplied is None:
            problems.append(
                Problem(
                    path + "/id",
                    _("This file is not in this organisation and was not supplied."),
                    "missing_asset",
                )
            )
            continue
        content, _content_type = supplied
        if _checksum(content) != item["checksum"] or len(content) != item["size"]:
            problems.append(
                Problem(
                    path + "/checksum",
                    _("The supplied file does not match its checksum or size."),
                    "asset_checksum",
                )
            )
            continue
        to_create.append((i, item, content))
    return existing, to_create, problems


def course_document_load(
    *,
    actor: Membership,
    document: Any,
    rekey: bool = False,
    assets: AssetFiles | None = None,
) -> Course:
    """Create a course from a course document in the active tenant, owned by `actor`.

    The document is validated and sanitised; any problem raises InvalidDocument and nothing
    is created. With `rekey` every id but the assets' is new (a copy); without, the
    document's ids are kept. Assets must exist in the tenant or come in `assets`.
    """
    tenant = require_active_tenant()
    if actor.tenant_id != tenant.pk:
        raise CrossTenantWrite(f"Membership of tenant {actor.tenant_id} in tenant {tenant.pk}")

    problems = validate_document(document)
    if problems:
        raise InvalidDocument(problems)
    doc = sanitize_document(document)
    problems = validate_document(doc)  # sanitising may empty a required text
    if problems:
        raise InvalidDocument(problems)
    if rekey:
        doc = _rekey(doc, lambda: str(uuid.uuid4()))

    saved_files: list[str] = []
    try:
        with transaction.atomic():
            problems = [] if rekey else _existing_id_problems(doc)
            existing, to_create, asset_problems = _plan_assets(doc, assets or {})
            problems += asset_problems
            if problems:
                raise InvalidDocument(problems)

            by_id = dict(existing)
            for _i, item, content in to_create:
                asset = Asset(
                    tenant=tenant,
                    uuid=item["id"],
                    filename=item["filename"],
                    content_type=item["content_type"],
                    size=item["size"],
                    checksum=item["checksum"],
                    width=item.get("width"),
                    height=item.get("height"),
                    uploaded_by=actor,
                )
                asset.file.save(item["filename"], ContentFile(content), save=False)
                saved_files.append(str(asset.file.name))
                asset.save()
                by_id[item["id"]] = asset

            data = doc["course"]
            cover_id = data.get("cover_image")
            course = Course(
                tenant=tenant,
                uuid=data["id"],
                slug=_unique_slug(data["title"]),
                title=data["title"],
                description=data.get("description") or "",
                language=data["language"],
                category=data.get("category") or "",
                tags=list(data.get("tags") or []),
                objectives=data["objectives"],
                estimated_minutes=data.get("estimated_minutes"),
                owner=actor,
                cover=by_id[cover_id] if cover_id else None,
            )
            course.save()

            sections = Section.objects.bulk_create(
                [
                    Section(
                        tenant=tenant,
                        course=course,
                        uuid=section["id"],
                        title=section["title"],
                        position=position,
                    )
                    for position, section in enumerate(doc["sections"])
                ]
            )
            Page.objects.bulk_create(
                [
                    Page(
                        tenant=tenant,
                        section=section_row,
                        uuid=page["id"],
                        title=page["title"],
                        kind=page["kind"],
                        settings=page["settings"],
                        blocks=page["blocks"],
                        position=position,
                    )
                    for section_row, section in zip(sections, doc["sections"], strict=True)
                    for position, page in enumerate(section["pages"])
                ],
                batch_size=500,
            )
    except BaseException:
        for name in saved_files:
            default_storage.delete(name)
        raise
    return course
