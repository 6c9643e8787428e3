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
from authoring.media.sniff import kind_of
from authoring.models import Asset, Course, Page, Section
from egl_platform.errors import Invalid
from tenants.models import Membership
from tenants.tenancy import CrossTenantWrite, require_active_tenant

__all__ = [
    "InvalidDocument",
    "course_document_build",
    "course_document_load",
    "course_document_replace",
]

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


def _checked(document: Any) -> dict[str, Any]:
    """The document validated, sanitised and validated again; InvalidDocument otherwise."""
    problems = validate_document(document)
    if problems:
        raise InvalidDocument(problems)
    doc = sanitize_document(document)
    problems = validate_document(doc)  # sanitising may empty a required text
    if problems:
        raise InvalidDocument(problems)
    return doc


def _save_assets(
    *,
    actor: Membership,
    existing: dict[str, Asset],
    to_create: list[tuple[int, dict[str, Any], bytes]],
    saved_files: list[str],
) -> dict[str, Asset]:
    """Create the supplied assets; every asset of the document by id. Files saved are noted
    in `saved_files`, so the caller can remove them when the transaction fails."""
    tenant = require_active_tenant()
    by_id = dict(existing)
    for _i, item, content in to_create:
        asset = Asset(
            tenant=tenant,
            uuid=item["id"],
            filename=item["filename"],
            content_type=item["content_type"],
            kind=kind_of(item["content_type"]),
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
    return by_id


def _course_fields(data: Mapping[str, Any], by_id: Mapping[str, Asset]) -> dict[str, Any]:
    cover_id = data.get("cover_image")
    return {
        "title": data["title"],
        "description": data.get("description") or "",
        "language": data["language"],
        "category": data.get("category") or "",
        "tags": list(data.get("tags") or []),
        "objectives": data["objectives"],
        "estimated_minutes": data.get("estimated_minutes"),
        "cover": by_id[cover_id] if cover_id else None,
    }


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

    doc = _checked(document)
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

            by_id = _save_assets(
                actor=actor, existing=existing, to_create=to_create, saved_files=saved_files
            )
            data = doc["course"]
            course = Course(
                tenant=tenant,
                uuid=data["id"],
                slug=_unique_slug(data["title"]),
                owner=actor,
                **_course_fields(data, by_id),
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


def _foreign_id_problems(doc: Mapping[str, Any], course: Course) -> list[Problem]:
    """Ids of the document used by another course of this tenant (they may not move)."""
    taken = _("This id belongs to another course in this organisation.")
    section_paths = {s["id"]: pointer("sections", i, "id") for i, s in enumerate(doc["sections"])}
    page_paths = {
        page["id"]: pointer("sections", i, "pages", j, "id")
        for i, section in enumerate(doc["sections"])
        for j, page in enumerate(section["pages"])
    }
    problems = [
        Problem(section_paths[str(value)], taken, "id_taken")
        for value in Section.objects.filter(uuid__in=section_paths)
        .exclude(course=course)
        .values_list("uuid", flat=True)
    ]
    problems += [
        Problem(page_paths[str(value)], taken, "id_taken")
        for value in Page.objects.filter(uuid__in=page_paths)
        .exclude(section__course=course)
        .values_list("uuid", flat=True)
    ]
    return problems


def course_document_replace(
    *,
    actor: Membership,
    course: Course,
    document: Any,
    assets: AssetFiles | None = None,
) -> Course:
    """Make `course`'s draft equal to `document` (a revision of this course), keeping ids.

    Validated and sanitised like a load; all or nothing. Sections and pages are matched by
    id: kept rows are updated in place (so editors open on them keep working), missing
    ones created, the rest deleted. A page whose blocks changed gets a new version, and
    every block that differs is marked changed at it, so an edit based on the old draft
    conflicts instead of overwriting the restored text. The caller locks the course row
    and checks permission; owner, status and co-authors are not part of a document.
    """
    doc = _checked(document)
    if doc["course"]["id"] != str(course.uuid):
        raise InvalidDocument(
            [Problem("/course/id", _("The document is of another course."), "other_course")]
        )
    tenant = require_active_tenant()
    saved_files: list[str] = []
    try:
        with transaction.atomic():
            problems = _foreign_id_problems(doc, course)
            existing, to_create, asset_problems = _plan_assets(doc, assets or {})
            problems += asset_problems
            if problems:
                raise InvalidDocument(problems)
            by_id = _save_assets(
                actor=actor, existing=existing, to_create=to_create, saved_files=saved_files
            )
            fields = _course_fields(doc["course"], by_id)
            for name, value in fields.items():
                setattr(course, name, value)
            course.save(update_fields=list(fields))

            sections = {str(s.uuid): s for s in Section.objects.filter(course=course)}
            pages = {str(p.uuid): p for p in Page.objects.filter(section__course=course)}
            kept_sections: list[Section] = []
            for position, section_doc in enumerate(doc["sections"]):
                row = sections.get(section_doc["id"])
                if row is None:
                    row = Section(
                        tenant=tenant, course=course, uuid=section_doc["id"], position=position
                    )
                row.title, row.position = section_doc["title"], position
                row.save()
                kept_sections.append(row)
            wanted_pages: set[str] = set()
            for section_row, section_doc in zip(kept_sections, doc["sections"], strict=True):
                for position, page_doc in enumerate(section_doc["pages"]):
                    wanted_pages.add(page_doc["id"])
                    page = pages.get(page_doc["id"])
                    if page is None:
                        page = Page(tenant=tenant, uuid=page_doc["id"])
                        block_versions: dict[str, int] = {}
                    else:
                        old = {b["id"]: b for b in page.blocks}
                        new_version = page.version + 1
                        block_versions = {
                            b["id"]: (
                                page.block_versions.get(b["id"], 0)
                                if old.get(b["id"]) == b
                                else new_version
                            )
                            for b in page_doc["blocks"]
                        }
                        if page.blocks != page_doc["blocks"]:
                            page.version = new_version
                    page.section = section_row
                    page.position = position
                    page.title, page.kind = page_doc["title"], page_doc["kind"]
                    page.settings, page.blocks = page_doc["settings"], page_doc["blocks"]
                    page.block_versions = block_versions
                    page.save()
            Page.objects.filter(section__course=course).exclude(uuid__in=wanted_pages).delete()
            Section.objects.filter(course=course).exclude(
                pk__in=[s.pk for s in kept_sections]
            ).delete()
    except BaseException:
        for name in saved_files:
            default_storage.delete(name)
        raise
    return course
