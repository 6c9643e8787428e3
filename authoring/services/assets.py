"""The media library: upload (sniffed, size-limited, checksummed, deduplicated, with image
renditions), where an asset is used in the draft, and replacing it everywhere.

Files go to Django's default storage under tenants/<tenant>/assets/<asset>/ (local files or
S3). An upload whose checksum is already in the tenant returns the existing asset and stores
nothing (deduplication). Stored files of a failed upload are deleted again.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import posixpath
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from authoring.access import can_edit_course
from authoring.blocks import UnknownBlockType, get_block_type
from authoring.media import sniff
from authoring.media.captions import srt_to_vtt
from authoring.media.images import image_inspect, image_renditions
from authoring.media.svg import sanitize_svg
from authoring.models import Asset, Course, CourseAuthor, Page, safe_filename
from egl_platform.errors import DomainError, Forbidden, Invalid, NotFound
from tenants.models import Membership, Tenant
from tenants.permissions import Capability, require_capability
from tenants.services.audit import audit_record
from tenants.tenancy import CrossTenantWrite, require_active_tenant

__all__ = [
    "AssetUse",
    "UploadOutcome",
    "asset_get",
    "asset_replace",
    "asset_upload",
    "asset_upload_many",
    "asset_where_used",
    "assets_list",
    "upload_limit_mb",
]

MB = 1024 * 1024
CHUNK = 64 * 1024


@dataclass(frozen=True)
class AssetUse:
    """One place in the draft that uses an asset: a block of a page, or a course's cover
    (then `page_uuid` is None and `block_id` empty). `path` points inside the block's data."""

    course_uuid: uuid.UUID
    course_title: str
    page_uuid: uuid.UUID | None = None
    page_title: str = ""
    block_id: str = ""
    block_type: str = ""
    path: str = ""

    @property
    def is_cover(self) -> bool:
        return self.page_uuid is None


@dataclass(frozen=True)
class UploadOutcome:
    """The result for one file of a multi-file upload: an asset (new, or the existing one
    with the same content: `created` False) or the reason it was refused."""

    filename: str
    asset: Asset | None = None
    created: bool = False
    error: DomainError | None = None

    @property
    def message(self) -> str:
        return str(self.error.message) if self.error is not None else ""


@dataclass
class _Prepared:
    """A checked upload, not yet stored."""

    file_type: sniff.FileType
    filename: str
    content: File[Any]
    size: int
    checksum: str
    stream: IO[bytes]
    width: int | None = None
    height: int | None = None
    # Raster images that are not animated get renditions (made when stored, not for duplicates).
    wants_renditions: bool = False


# --- limits and preparation --------------------------------------------------------------------


def upload_limit_mb(tenant: Tenant) -> int:
    """The tenant's upload limit in MB, capped by the platform's EGL_UPLOAD_MAX_MB."""
    cap = int(getattr(settings, "EGL_UPLOAD_MAX_MB", 500))
    return max(1, min(int(tenant.upload_limit_mb or cap), cap))


def _too_large(size: int, limit_mb: int) -> Invalid:
    shown = math.ceil(size * 10 / MB) / 10
    message = _("This file is %(size)s MB; the limit is %(limit)d MB.") % {
        "size": number_format(shown, 1),
        "limit": limit_mb,
    }
    error = Invalid(message, fields={"file": [message]})
    error.code = "file_too_large"
    return error


def _file_size(file: File[Any]) -> int:
    try:
        return int(file.size)
    except (AttributeError, TypeError, ValueError, OSError):
        return -1


def _display_name(name: str, file_type: sniff.FileType) -> str:
    """The upload's own name when its extension fits the sniffed type; otherwise the type's
    extension replaces it (a PDF called report.png is kept as report.pdf, so nobody
    downloads a file whose name lies about it)."""
    clean = safe_filename(name or "file")
    stem, dot, extension = clean.rpartition(".")
    if dot and extension.lower() in file_type.extensions:
        return clean
    return f"{stem if dot else clean}.{file_type.extension}"


def _as_file(file: Any) -> File[Any]:
    if isinstance(file, File):
        return file
    return File(file, name=getattr(file, "name", None) or "file")


def _prepare(file: Any, *, tenant: Tenant) -> _Prepared:
    """Size, type, transformation, checksum and image checks of one upload, storing nothing."""
    upload = _as_file(file)
    limit = upload_limit_mb(tenant)
    size = _file_size(upload)
    if size > limit * MB:
        raise _too_large(size, limit)
    stream: IO[bytes] = upload.file if upload.file is not None else upload
    file_type = sniff.sniff(stream)
    filename = _display_name(str(upload.name or ""), file_type)
    width = height = None

    content: File[Any] = upload
    if file_type.convert:
        raw = stream.read()
        stream.seek(0)
        if file_type.convert == "svg":
            data, width, height = sanitize_svg(raw)
        else:
            data = srt_to_vtt(raw)
        content = ContentFile(data, name=filename)

    digest = hashlib.sha256()
    counted = 0
    content.seek(0)
    for chunk in content.chunks(CHUNK):
        counted += len(chunk)
        if counted > limit * MB:
            raise _too_large(counted, limit)
        digest.update(chunk)
    content.seek(0)
    if counted == 0:
        raise sniff.UnsupportedFile(_("The file is empty."))

    prepared = _Prepared(
        file_type=file_type,
        filename=filename,
        content=content,
        size=counted,
        checksum="sha256:" + digest.hexdigest(),
        stream=stream,
        width=width,
        height=height,
    )
    if file_type.kind == sniff.IMAGE and not file_type.convert:
        info = image_inspect(stream, file_type)
        prepared.width, prepared.height = info.width, info.height
        prepared.wants_renditions = not info.animated
    return prepared


def _check_actor(actor: Membership) -> Tenant:
    require_capability(actor, Capability.COURSE_CREATE)
    tenant = require_active_tenant()
    if actor.tenant_id != tenant.pk:
        raise CrossTenantWrite(f"Membership of tenant {actor.tenant_id} in tenant {tenant.pk}")
    return tenant


def _existing(checksum: str) -> Asset | None:
    return Asset.objects.filter(checksum=checksum).order_by("created_at", "id").first()


def _store(*, actor: Membership, tenant: Tenant, prepared: _Prepared, saved: list[str]) -> Asset:
    """Save the file and its renditions, then the row; names of stored files go to `saved`
    so the caller can delete them when the transaction fails."""
    asset = Asset(
        tenant=tenant,
        filename=prepared.filename,
        content_type=prepared.file_type.content_type,
        kind=prepared.file_type.kind,
        size=prepared.size,
        checksum=prepared.checksum,
        width=prepared.width,
        height=prepared.height,
        uploaded_by=actor,
    )
    renditions = (
        image_renditions(prepared.stream, prepared.file_type) if prepared.wants_renditions else {}
    )
    asset.file.save(prepared.filename, prepared.content, save=False)
    saved.append(str(asset.file.name))
    folder = posixpath.dirname(str(asset.file.name))
    for width, data in sorted(renditions.items()):
        name = default_storage.save(
            posixpath.join(folder, "renditions", f"{width}.webp"), ContentFile(data)
        )
        saved.append(name)
        asset.renditions[str(width)] = name
    asset.save()
    audit_record(
        actor=actor,
        verb="asset.uploaded",
        target=asset,
        filename=asset.filename,
        content_type=asset.content_type,
        size=asset.size,
    )
    return asset


def _delete_files(names: Iterable[str]) -> None:
    for name in names:
        with contextlib.suppress(OSError):  # best effort; the row is what counts
            default_storage.delete(name)


def _upload(*, actor: Membership, tenant: Tenant, file: Any) -> tuple[Asset, bool]:
    prepared = _prepare(file, tenant=tenant)
    existing = _existing(prepared.checksum)
    if existing is not None:
        return existing, False
    saved: list[str] = []
    try:
        with transaction.atomic():
            return _store(actor=actor, tenant=tenant, prepared=prepared, saved=saved), True
    except BaseException:
        _delete_files(saved)
        raise


# --- uploads ---------------------------------------------------------------------------------------


def asset_upload(*, actor: Membership, file: Any) -> Asset:
    """Store one file in the active tenant's library; the actor needs COURSE_CREATE.

    The type is sniffed from the content (authoring.media.sniff); SVG is sanitised, SRT
    converted to WebVTT, raster images checked (bombs, pixel limit) and given WebP
    renditions. Over the tenant's limit (upload_limit_mb) or of a refused type → Invalid
    (`file_too_large`, `unsupported_file`, `unsafe_svg`) and nothing is stored. A file whose
    checksum is already in the tenant returns that asset and stores nothing. Audit:
    asset.uploaded.
    """
    tenant = _check_actor(actor)
    return _upload(actor=actor, tenant=tenant, file=file)[0]


def asset_upload_many(*, actor: Membership, files: Iterable[Any]) -> list[UploadOutcome]:
    """Upload each file on its own (one refusal does not undo the others)."""
    tenant = _check_actor(actor)
    outcomes: list[UploadOutcome] = []
    for file in files:
        name = safe_filename(getattr(file, "name", "") or "file")
        try:
            asset, created = _upload(actor=actor, tenant=tenant, file=file)
        except DomainError as error:
            outcomes.append(UploadOutcome(filename=name, error=error))
        else:
            outcomes.append(UploadOutcome(filename=name, asset=asset, created=created))
    return outcomes


# --- reading -----------------------------------------------------------------------------------


def assets_list(*, actor: Membership, kind: str = "", search: str = "") -> QuerySet[Asset]:
    """The tenant's assets, newest first, optionally of one kind and matching a file name."""
    queryset = Asset.objects.all()
    if kind:
        queryset = queryset.filter(kind=kind)
    if search.strip():
        queryset = queryset.filter(filename__icontains=search.strip())
    return queryset.order_by("-created_at", "-id")


def asset_get(*, asset_uuid: Any) -> Asset:
    """The asset of the active tenant with this uuid; NotFound when missing or not a uuid."""
    try:
        value = asset_uuid if isinstance(asset_uuid, uuid.UUID) else uuid.UUID(str(asset_uuid))
    except (TypeError, ValueError, AttributeError):
        raise NotFound(_("Not found.")) from None
    asset = Asset.objects.filter(uuid=value).first()
    if asset is None:
        raise NotFound(_("Not found."))
    return asset


def _asset_refs(block: Mapping[str, Any], value: str) -> list[Any]:
    try:
        block_type = get_block_type(str(block.get("type")))
    except UnknownBlockType:
        return []
    data = block.get("data")
    if not isinstance(data, Mapping):
        return []
    return [r for r in block_type.references(data) if r.kind == "asset" and r.value == value]


def _pages_mentioning(asset: Asset) -> QuerySet[Page]:
    # Cheap pre-filter on the JSON text (SQLite and PostgreSQL alike); `references` confirms.
    return Page.objects.filter(blocks__icontains=str(asset.uuid))


def _uses_in(pages: Iterable[Page], value: str) -> Iterator[tuple[Page, dict[str, Any], Any]]:
    for page in pages:
        for block in page.blocks:
            if isinstance(block, dict):
                for ref in _asset_refs(block, value):
                    yield page, block, ref


def asset_where_used(*, asset: Asset) -> list[AssetUse]:
    """Every block of the draft (pages of every course in the tenant) that references the
    asset, and every course that has it as cover. Two queries. Revisions are not looked at."""
    if asset.tenant_id != require_active_tenant().pk:
        raise NotFound(_("Not found."))
    pages = (
        _pages_mentioning(asset)
        .select_related("section__course")
        .order_by(
            "section__course__title", "section__course_id", "section__position", "position", "id"
        )
    )
    uses = [
        AssetUse(
            course_uuid=page.section.course.uuid,
            course_title=page.section.course.title,
            page_uuid=page.uuid,
            page_title=page.title,
            block_id=str(block.get("id", "")),
            block_type=str(block.get("type", "")),
            path=ref.path,
        )
        for page, block, ref in _uses_in(pages, str(asset.uuid))
    ]
    covers = [
        AssetUse(course_uuid=course.uuid, course_title=course.title)
        for course in Course.objects.filter(cover=asset).order_by("title", "id")
    ]
    return covers + uses


# --- replacing ---------------------------------------------------------------------------------


def _set_at(data: Any, path: str, value: Any) -> None:
    *parents, last = [p.replace("~1", "/").replace("~0", "~") for p in path.split("/")[1:]]
    target = data
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    target[int(last) if isinstance(target, list) else last] = value


def asset_replace(*, actor: Membership, asset: Asset, file: Any) -> Asset:
    """Upload `file` and point every draft reference to `asset` at it (blocks and course
    covers); `asset.replaced_by` is set and the old asset stays, so revisions still resolve.

    Invariants: the new file passes every upload check and is of the same kind (image →
    image, …) and of a type each reference accepts; every course using the asset must be
    editable by the actor. Each changed page gets `version` + 1 and that version in
    `block_versions` of each changed block, and each changed course `version` + 1, so an
    editor open on the old state sees a conflict instead of writing the old asset back.
    Revisions are untouched. Errors: Invalid (file, kind, same file), Forbidden (a course
    the actor may not edit). Audit: asset.replaced.
    """
    tenant = _check_actor(actor)
    if asset.tenant_id != tenant.pk:
        raise NotFound(_("Not found."))
    prepared = _prepare(file, tenant=tenant)
    new_type = prepared.file_type
    if new_type.kind != asset.kind:
        message = _("Replace it with a file of the same kind (%(kind)s); this file is %(new)s.") % {
            "kind": asset.kind,
            "new": new_type.kind,
        }
        raise Invalid(message, fields={"file": [message]})
    if prepared.checksum == asset.checksum:
        message = _("This is the same file; choose a different one to replace it with.")
        raise Invalid(message, fields={"file": [message]})

    saved: list[str] = []
    try:
        with transaction.atomic():
            old = Asset.objects.select_for_update().get(pk=asset.pk)
            value = str(old.uuid)
            pages = list(
                _pages_mentioning(old)
                .select_for_update(of=("self",))
                .select_related("section__course")
                .order_by("id")
            )
            uses = list(_uses_in(pages, value))
            cover_courses = list(Course.objects.filter(cover=old).order_by("id"))
            courses = {page.section.course.pk: page.section.course for page, _b, _r in uses}
            courses.update({course.pk: course for course in cover_courses})
            coauthored = set(
                CourseAuthor.objects.filter(membership=actor, course_id__in=courses).values_list(
                    "course_id", flat=True
                )
            )
            for course in courses.values():
                course.actor_is_coauthor = course.pk in coauthored  # type: ignore[attr-defined]  # read by can_edit_course
            refused = [c for c in courses.values() if not can_edit_course(actor, c)]
            if refused:
                raise Forbidden(
                    ngettext(
                        "This file is also used in %(count)d course you cannot edit; ask its "
                        "authors or a reviewer to replace it.",
                        "This file is also used in %(count)d courses you cannot edit; ask their "
                        "authors or a reviewer to replace it.",
                        len(refused),
                    )
                    % {"count": len(refused)}
                )
            for _page, _block, ref in uses:
                if ref.accept and not new_type.content_type.startswith(tuple(ref.accept)):
                    message = _("A block using this file needs a file of type %(accept)s.") % {
                        "accept": ", ".join(a.rstrip("/") for a in ref.accept)
                    }
                    raise Invalid(message, fields={"file": [message]})
            new = _existing(prepared.checksum)
            created = new is None
            if new is None:
                new = _store(actor=actor, tenant=tenant, prepared=prepared, saved=saved)
            new_value = str(new.uuid)

            changed_blocks: dict[int, set[str]] = {}
            by_id = {page.pk: page for page in pages}
            for page, block, ref in uses:
                _set_at(block["data"], ref.path, new_value)
                changed_blocks.setdefault(page.pk, set()).add(str(block.get("id")))
            for page_pk, block_ids in changed_blocks.items():
                page = by_id[page_pk]
                page.version += 1
                versions = dict(page.block_versions or {})
                for block_id in block_ids:
                    versions[block_id] = page.version
                page.block_versions = versions
                page.save(update_fields=["blocks", "version", "block_versions"])
            if cover_courses:
                Course.objects.filter(pk__in=[c.pk for c in cover_courses]).update(cover=new)
            if courses:
                Course.objects.filter(pk__in=list(courses)).update(
                    version=F("version") + 1, updated_at=timezone.now(), updated_by=actor
                )
            old.replaced_by = new
            old.save(update_fields=["replaced_by"])
            asset.replaced_by = new
            audit_record(
                actor=actor,
                verb="asset.replaced",
                target=old,
                replacement=new_value,
                new_upload=created,
                pages=len(changed_blocks),
                courses=len(courses),
                covers=len(cover_courses),
            )
    except BaseException:
        _delete_files(saved)
        raise
    return new
