"""Course archives (DESIGN.md §5, §11): a zip of the course document and its media.

    archive_write(course=course, out="course.zip")
    document, files = archive_read(open("course.zip", "rb"))
    course = course_import_archive(actor=membership, file=upload)

Layout of an archive:

    manifest.json              {"format", "format_version", "schema_version", "created_at",
                                "course_json_sha256"}
    course.json                the course document (authoring.document.course_document_build)
    media/<asset id>/<name>    one file per asset the document lists

Reading trusts nothing: every problem found is listed (InvalidArchive, each with the member
name, or `course.json#<JSON pointer>` for the document) before any byte is used. Members are
never extracted to disk; each is read in memory up to its declared size and no further.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from authoring.blocks import Problem
from authoring.document import InvalidDocument, course_document_build, course_document_load
from authoring.document_schema import validate_document
from authoring.media.sniff import UnsupportedFile, sniff
from authoring.media.svg import sanitize_svg
from authoring.models import Asset, Course, Revision, RevisionReason, safe_filename
from egl_platform.errors import Conflict, Invalid
from tenants.models import Membership
from tenants.permissions import Capability, require_capability
from tenants.services.audit import audit_record
from tenants.tenancy import require_active_tenant

__all__ = [
    "ARCHIVE_FORMAT",
    "ARCHIVE_FORMAT_VERSION",
    "COURSE_EXPORTERS",
    "InvalidArchive",
    "archive_read",
    "archive_write",
    "course_exporter_register",
    "course_import_archive",
]

ARCHIVE_FORMAT = "egl-course-archive"
ARCHIVE_FORMAT_VERSION = 1
COURSE_JSON = "course.json"
MANIFEST_JSON = "manifest.json"
MEDIA = "media"

# Limits. The total size comes from settings (EGL_ARCHIVE_MAX_MB); these are structural.
MAX_MEMBERS = 5_000
# A member that unpacks to more than this many times its packed size is treated as a bomb;
# small members are exempt (a few kilobytes of JSON whitespace compress very well).
MAX_RATIO = 100
RATIO_EXEMPT_BYTES = 64 * 1024
MANIFEST_MAX_BYTES = 64 * 1024
# A course of 2,000 blocks is a few megabytes of JSON; far more is not a course we made.
COURSE_JSON_MAX_BYTES = 64 * 1024 * 1024
# How many problems one refusal lists at most; the count says how many there were.
MAX_PROBLEMS = 200

_CHUNK = 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# Media types that are compressed already: storing them again with deflate gains nothing.
_STORED_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "video/", "audio/")


def archive_max_bytes() -> int:
    return int(getattr(settings, "EGL_ARCHIVE_MAX_MB", 1024)) * 1024 * 1024


# --- errors --------------------------------------------------------------------------------------


class InvalidArchive(Invalid):
    """An archive that cannot be imported. `problems` lists each with where it is: a member
    name, `(archive)` for the file itself, or `course.json#<pointer>` inside the document."""

    code = "invalid_archive"

    def __init__(self, problems: list[Problem]) -> None:
        fields: dict[str, list[str]] = {}
        for problem in problems[:MAX_PROBLEMS]:
            fields.setdefault(problem.path or ARCHIVE_ITSELF, []).append(str(problem.message))
        super().__init__(
            _("The archive has %(count)d problem(s); nothing was imported.")
            % {"count": len(problems)},
            fields=fields,
        )
        self.problems = problems


ARCHIVE_ITSELF = "(archive)"


def _in_document(pointer: str) -> str:
    return f"{COURSE_JSON}#{pointer}"


# --- writing -------------------------------------------------------------------------------------


def _media_name(item: Mapping[str, Any]) -> str:
    return f"{MEDIA}/{item['id']}/{safe_filename(item['filename'])}"


def _compression_for(content_type: str) -> int:
    stored = content_type.startswith(_STORED_TYPES)
    return zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED


def archive_write(*, course: Course, out: str | os.PathLike[str] | IO[bytes]) -> dict[str, Any]:
    """Write `course` as an archive to `out` (a path or a binary file); returns the manifest.

    Runs in the active tenant; asset files are copied from default storage in chunks, so a
    large video never sits in memory whole. Raises Invalid if a listed file is missing.
    """
    document = course_document_build(course)
    course_json = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    manifest = {
        "format": ARCHIVE_FORMAT,
        "format_version": ARCHIVE_FORMAT_VERSION,
        "schema_version": document["schema_version"],
        "created_at": timezone.now().isoformat(),
        "course_json_sha256": hashlib.sha256(course_json).hexdigest(),
    }
    listed = document["assets"]
    rows = {str(a.uuid): a for a in Asset.objects.filter(uuid__in=[i["id"] for i in listed])}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST_JSON, json.dumps(manifest, indent=2).encode("utf-8"))
        archive.writestr(COURSE_JSON, course_json)
        for item in listed:
            asset = rows.get(item["id"])
            if (
                asset is None
                or not asset.file.name
                or not asset.file.storage.exists(asset.file.name)
            ):
                raise Invalid(
                    _("The file “%(name)s” of this course is missing from storage.")
                    % {"name": item["filename"]}
                )
            info = zipfile.ZipInfo(_media_name(item), date_time=_zip_time(asset.created_at))
            info.compress_type = _compression_for(item["content_type"])
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            with asset.file.open("rb") as source, archive.open(info, "w") as target:
                shutil.copyfileobj(source, target, _CHUNK)
    return manifest


def _zip_time(moment: Any) -> tuple[int, int, int, int, int, int]:
    value = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    year = min(max(value.year, 1980), 2107)
    return (year, value.month, value.day, value.hour, value.minute, value.second)


# --- reading -------------------------------------------------------------------------------------


@dataclass
class _Member:
    info: zipfile.ZipInfo
    safe: bool  # name and kind are fine, so the member may be read


def _name_problems(name: str) -> list[str]:
    """Why a member name is unsafe, if it is: absolute, `..`, backslashes, drive letters."""
    reasons = []
    if "\\" in name:
        reasons.append(_("The name contains a backslash."))
    if name.startswith("/"):
        reasons.append(_("The name is an absolute path."))
    if _DRIVE.match(name):
        reasons.append(_("The name starts with a drive letter."))
    parts = name.rstrip("/").split("/")
    if ".." in parts:
        reasons.append(_("The name climbs out of the archive (“..”)."))
    elif any(part in ("", ".") for part in parts) and not name.startswith("/"):
        reasons.append(_("The name has an empty or “.” part."))
    if "\x00" in name or any(ord(ch) < 32 for ch in name):
        reasons.append(_("The name contains control characters."))
    return reasons


def _file_kind_problem(info: zipfile.ZipInfo) -> str | None:
    """Symlinks, devices and other non-regular files (from Unix mode bits) are refused."""
    mode = info.external_attr >> 16
    if not mode:
        return None  # no Unix mode recorded (Windows tools): a plain file or folder
    kind = stat.S_IFMT(mode)
    if kind == stat.S_IFLNK:
        return _("The member is a symbolic link.")
    if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
        return _("The member is not a regular file.")
    return None


def _open_zip(file: Any, problems: list[Problem]) -> zipfile.ZipFile | None:
    try:
        if hasattr(file, "seek"):
            file.seek(0)
        return zipfile.ZipFile(file)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        ValueError,
        EOFError,
        NotImplementedError,
    ):
        problems.append(Problem(ARCHIVE_ITSELF, _("This is not a zip archive."), "not_zip"))
        return None


def _file_size(file: Any) -> int | None:
    if isinstance(file, str | os.PathLike):
        return Path(file).stat().st_size
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    if hasattr(file, "seek") and hasattr(file, "tell"):
        file.seek(0, io.SEEK_END)
        end = int(file.tell())
        file.seek(0)
        return end
    return None


def _survey(archive: zipfile.ZipFile, problems: list[Problem]) -> dict[str, _Member]:
    """Every member's name, kind, encryption and declared sizes; files by name."""
    infos = archive.infolist()
    limit = archive_max_bytes()
    if len(infos) > MAX_MEMBERS:
        problems.append(
            Problem(
                ARCHIVE_ITSELF,
                _("The archive has %(count)d members; at most %(max)d are allowed.")
                % {"count": len(infos), "max": MAX_MEMBERS},
                "too_many_members",
            )
        )
        return {}
    members: dict[str, _Member] = {}
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        safe = True
        for reason in _name_problems(name):
            problems.append(Problem(name, reason, "unsafe_name"))
            safe = False
        if name in seen:
            problems.append(
                Problem(name, _("The archive holds two members with this name."), "duplicate_name")
            )
            safe = False
        seen.add(name)
        kind_problem = _file_kind_problem(info)
        if kind_problem:
            problems.append(Problem(name, kind_problem, "not_regular_file"))
            safe = False
        if info.flag_bits & 0x1:
            problems.append(Problem(name, _("The member is encrypted."), "encrypted"))
            safe = False
        total += info.file_size
        if info.file_size > RATIO_EXEMPT_BYTES and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            problems.append(
                Problem(
                    name,
                    _("The member unpacks to more than %(ratio)d times its packed size.")
                    % {"ratio": MAX_RATIO},
                    "compression_ratio",
                )
            )
            safe = False
        if not info.is_dir():
            members.setdefault(name, _Member(info, safe))
            if not safe:
                members[name].safe = False
    if total > limit:
        problems.append(
            Problem(
                ARCHIVE_ITSELF,
                _("The archive unpacks to %(size)s MB; at most %(max)s MB is allowed.")
                % {"size": _megabytes(total), "max": _megabytes(limit)},
                "too_large",
            )
        )
    return members


def _megabytes(size: int) -> str:
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.0f}" if megabytes >= 100 else f"{megabytes:.1f}"


def _read(archive: zipfile.ZipFile, member: _Member, problems: list[Problem]) -> bytes | None:
    """The member's bytes, read no further than its declared size; None (and a problem) if
    it turns out bigger than declared or corrupt."""
    info = member.info
    chunks: list[bytes] = []
    read = 0
    try:
        with archive.open(info) as source:
            while True:
                chunk = source.read(min(_CHUNK, info.file_size - read + 1))
                if not chunk:
                    break
                read += len(chunk)
                if read > info.file_size:
                    problems.append(
                        Problem(
                            info.filename,
                            _("The member is larger than the archive says."),
                            "size_mismatch",
                        )
                    )
                    return None
                chunks.append(chunk)
    except (
        zipfile.BadZipFile,
        EOFError,
        zlib.error,
        OSError,
        NotImplementedError,
        RuntimeError,
        ValueError,
    ):
        problems.append(Problem(info.filename, _("The member is damaged."), "corrupt"))
        return None
    if read != info.file_size:
        problems.append(
            Problem(info.filename, _("The member is smaller than the archive says."), "corrupt")
        )
        return None
    return b"".join(chunks)


def _json(content: bytes, where: str, problems: list[Problem]) -> Any:
    try:
        return json.loads(content.decode("utf-8"))
    except UnicodeDecodeError:
        problems.append(Problem(where, _("The file is not UTF-8 text."), "invalid_json"))
    except json.JSONDecodeError as error:
        problems.append(
            Problem(
                where,
                _("The file is not valid JSON (line %(line)d, column %(column)d).")
                % {"line": error.lineno, "column": error.colno},
                "invalid_json",
            )
        )
    except (ValueError, RecursionError):
        problems.append(Problem(where, _("The file is not valid JSON."), "invalid_json"))
    return None


def _check_manifest(manifest: Any, course_json: bytes, problems: list[Problem]) -> None:
    if not isinstance(manifest, dict):
        problems.append(Problem(MANIFEST_JSON, _("The manifest is not an object."), "manifest"))
        return
    if manifest.get("format") != ARCHIVE_FORMAT:
        problems.append(
            Problem(MANIFEST_JSON, _("This is not an EGL course archive."), "manifest_format")
        )
        return
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > ARCHIVE_FORMAT_VERSION:
        problems.append(
            Problem(
                MANIFEST_JSON,
                _("The archive was made by a newer version (format %(version)s).")
                % {"version": version},
                "manifest_version",
            )
        )
    expected = manifest.get("course_json_sha256")
    if expected is not None and expected != hashlib.sha256(course_json).hexdigest():
        problems.append(
            Problem(
                COURSE_JSON,
                _("course.json does not match the checksum in the manifest."),
                "manifest_checksum",
            )
        )


def _listed_assets(document: Any) -> list[tuple[int, Mapping[str, Any]]]:
    assets = document.get("assets") if isinstance(document, dict) else None
    if not isinstance(assets, list):
        return []
    return [
        (i, item)
        for i, item in enumerate(assets)
        if isinstance(item, dict) and isinstance(item.get("id"), str)
    ]


def _media_member(name: str) -> tuple[str, str] | None:
    """(asset id, filename) of a `media/<uuid>/<filename>` member name."""
    parts = name.split("/")
    if len(parts) == 3 and parts[0] == MEDIA and _UUID.match(parts[1]) and parts[2]:
        return parts[1], parts[2]
    return None


def archive_read(file: Any) -> tuple[dict[str, Any], dict[str, tuple[bytes, str]]]:
    """(document, files) from an archive: a path or a binary file object (an upload).

    `files` maps asset id → (content, content type from the document), ready for
    `course_document_load(assets=…)`. The document is validated (validate_document) but not
    sanitised: loading does that. Raises InvalidArchive listing every problem found; a
    member that might be dangerous to read (encrypted, a bomb, over the size limit) stops
    the reading, the rest is all reported together.
    """
    problems: list[Problem] = []
    size = _file_size(file)
    limit = archive_max_bytes()
    if size is not None and size > limit:
        raise InvalidArchive(
            [
                Problem(
                    ARCHIVE_ITSELF,
                    _("The archive is %(size)s MB; at most %(max)s MB is allowed.")
                    % {"size": _megabytes(size), "max": _megabytes(limit)},
                    "too_large",
                )
            ]
        )
    archive = _open_zip(file, problems)
    if archive is None:
        raise InvalidArchive(problems)
    with archive:
        members = _survey(archive, problems)
        fatal = {"too_many_members", "too_large", "compression_ratio", "encrypted"}
        if any(p.code in fatal for p in problems):
            raise InvalidArchive(problems)
        document, files = _read_contents(archive, members, problems)
    if problems:
        raise InvalidArchive(problems)
    return document, files


def _read_contents(
    archive: zipfile.ZipFile, members: dict[str, _Member], problems: list[Problem]
) -> tuple[dict[str, Any], dict[str, tuple[bytes, str]]]:
    document: Any = None
    course_member = members.get(COURSE_JSON)
    course_json = b""
    if course_member is None:
        problems.append(
            Problem(COURSE_JSON, _("The archive has no course.json."), "missing_document")
        )
    elif course_member.info.file_size > COURSE_JSON_MAX_BYTES:
        problems.append(
            Problem(
                COURSE_JSON,
                _("course.json is larger than %(max)s MB.")
                % {"max": _megabytes(COURSE_JSON_MAX_BYTES)},
                "too_large",
            )
        )
    elif course_member.safe:
        content = _read(archive, course_member, problems)
        if content is not None:
            course_json = content
            document = _json(content, COURSE_JSON, problems)
            if document is not None:
                problems.extend(
                    Problem(_in_document(p.path), p.message, p.code)
                    for p in validate_document(document)
                )

    manifest_member = members.get(MANIFEST_JSON)
    if manifest_member is not None and manifest_member.safe and course_json:
        if manifest_member.info.file_size > MANIFEST_MAX_BYTES:
            problems.append(Problem(MANIFEST_JSON, _("The manifest is too large."), "manifest"))
        else:
            content = _read(archive, manifest_member, problems)
            if content is not None:
                manifest = _json(content, MANIFEST_JSON, problems)
                if manifest is not None:
                    _check_manifest(manifest, course_json, problems)

    listed = {item["id"]: (i, item) for i, item in _listed_assets(document)}
    found: dict[str, _Member] = {}
    for name, member in members.items():
        if name in (COURSE_JSON, MANIFEST_JSON):
            continue
        media = _media_member(name)
        if media is None or (document is not None and media[0] not in listed):
            problems.append(
                Problem(name, _("The archive holds a file it does not use."), "unknown_file")
            )
        elif media[0] in found:
            problems.append(
                Problem(name, _("There is more than one file for this asset."), "duplicate_media")
            )
        else:
            found[media[0]] = member

    files: dict[str, tuple[bytes, str]] = {}
    for asset_id, (i, item) in listed.items():
        where = _in_document(f"/assets/{i}")
        stored = found.get(asset_id)
        if stored is None:
            problems.append(
                Problem(where, _("The archive holds no file for this asset."), "missing_media")
            )
            continue
        if not stored.safe:
            continue
        name = stored.info.filename
        if stored.info.file_size != item.get("size"):
            problems.append(
                Problem(name, _("The file's size does not match the document."), "media_mismatch")
            )
            continue
        content = _read(archive, stored, problems)
        if content is None:
            continue
        checksum = "sha256:" + hashlib.sha256(content).hexdigest()
        if checksum != item.get("checksum"):
            problems.append(
                Problem(
                    name, _("The file's checksum does not match the document."), "media_mismatch"
                )
            )
            continue
        content_type = str(item.get("content_type", ""))
        refusal = _media_refusal(content, content_type)
        if refusal:
            problems.append(Problem(name, refusal, "media_type"))
            continue
        files[asset_id] = (content, content_type)
    return (document if isinstance(document, dict) else {}), files


def _media_refusal(content: bytes, content_type: str) -> str | None:
    """Why a media file may not be imported, told from its bytes as an upload would be: an
    unsupported type, a type other than the document says, or an SVG that is not clean."""
    try:
        found = sniff(io.BytesIO(content))
    except UnsupportedFile as error:
        return str(error.message)
    if found.content_type != content_type or found.convert == "srt":
        return _("The file is not of the type the document says (%(type)s).") % {
            "type": content_type
        }
    if found.convert == "svg":
        try:
            cleaned, _width, _height = sanitize_svg(content)
        except UnsupportedFile as error:
            return str(error.message)
        if cleaned != content:
            return _("The SVG image holds content that is not allowed.")
    return None


# --- importing -----------------------------------------------------------------------------------


def _record_revision(*, actor: Membership, course: Course) -> Revision:
    """The import's first revision, through the revisions service when it exists."""
    try:
        from authoring.services import revisions
    except ImportError:
        revisions = None  # type: ignore[assignment]
    revision_create = getattr(revisions, "revision_create", None)
    if revision_create is not None:
        return revision_create(actor=actor, course=course, reason=RevisionReason.IMPORT)
    revision = Revision(
        course=course,
        number=1,
        document=course_document_build(course),
        reason=RevisionReason.IMPORT,
        created_by=actor,
    )
    revision.save()
    return revision


def _new_asset_files(asset_ids: Iterable[str], before: set[str]) -> list[str]:
    return [
        name
        for uuid, name in Asset.objects.filter(uuid__in=list(asset_ids)).values_list("uuid", "file")
        if str(uuid) not in before and name
    ]


def course_import_archive(*, actor: Membership, file: Any, copy: bool = False) -> Course:
    """Create a course, owned by `actor`, from an archive, in the active tenant.

    The document's ids are kept (ids are unique per tenant, so importing into another
    organisation keeps them). When the course is already in this tenant the import is
    refused (Conflict) unless `copy`, which gives every id but the files' a new one.
    The course's language must be one the tenant offers (InvalidArchive otherwise).
    All or nothing: a refusal (InvalidArchive, Conflict, Forbidden) leaves no course,
    asset row or stored file behind. Makes an IMPORT revision (through
    authoring.services.revisions, which also computes the estimated minutes) and an audit
    event. Media are held in memory while importing (course_document_load takes bytes).
    """
    require_capability(actor, Capability.COURSE_CREATE)
    document, files = archive_read(file)
    course_id = document["course"]["id"]
    tenant = require_active_tenant()
    offered = {*(tenant.languages or []), tenant.default_language}
    if document["course"]["language"] not in offered:
        raise InvalidArchive(
            [
                Problem(
                    _in_document("/course/language"),
                    _(
                        "This organisation does not offer courses in “%(language)s”; an "
                        "admin can add the language in the settings (offered: %(offered)s)."
                    )
                    % {
                        "language": document["course"]["language"],
                        "offered": ", ".join(sorted(offered)),
                    },
                    "language_not_offered",
                )
            ]
        )
    if not copy:
        existing = Course.objects.filter(uuid=course_id).first()
        if existing is not None:
            raise Conflict(
                _(
                    "The course “%(title)s” is already in this organisation. "
                    "Import the archive as a copy to keep both."
                )
                % {"title": existing.title}
            )
    asset_ids = [item["id"] for item in document["assets"]]
    before = {
        str(u) for u in Asset.objects.filter(uuid__in=asset_ids).values_list("uuid", flat=True)
    }
    saved: list[str] = []
    try:
        with transaction.atomic():
            try:
                course = course_document_load(
                    actor=actor, document=document, rekey=copy, assets=files
                )
            except InvalidDocument as error:
                raise InvalidArchive(
                    [Problem(_in_document(p.path), p.message, p.code) for p in error.problems]
                ) from None
            saved = _new_asset_files(asset_ids, before)
            Course.objects.filter(pk=course.pk).update(updated_by=actor)
            course.updated_by = actor
            _record_revision(actor=actor, course=course)
            audit_record(
                actor=actor,
                verb="course.imported",
                target=course,
                copy=copy,
                assets=len(saved),
                source_course=course_id,
            )
    except BaseException as error:
        # The rows rolled back; the files saved to storage on the way must go too.
        for name in saved:
            default_storage.delete(name)
        if isinstance(error, IntegrityError):
            # Someone imported the same course at the same moment: the ids are taken now.
            raise Conflict(
                _("This course was just imported by someone else. Import it as a copy.")
            ) from None
        raise
    return course


# --- exporters (the command's --format) ------------------------------------------------------


Exporter = Callable[[Course, Path], None]


def _export_archive(course: Course, out: Path) -> None:
    archive_write(course=course, out=out)


# format → function writing the course to a path, in the course's tenant scope. Package
# formats (scorm12, scorm2004, xapi, cmi5, html) register here when package export arrives.
COURSE_EXPORTERS: dict[str, Exporter] = {"archive": _export_archive}
EXPORT_FORMATS = ("scorm12", "scorm2004", "xapi", "cmi5", "html", "archive")


def course_exporter_register(name: str, exporter: Exporter) -> None:
    """Offer `export_course --format <name>`; called from an app's ready()."""
    if name not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {name!r}")
    COURSE_EXPORTERS[name] = exporter


def spooled_archive(course: Course) -> IO[bytes]:
    """The archive in a temporary file (memory first, disk past 8 MB), rewound."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (returned open)
    archive_write(course=course, out=spool)
    spool.seek(0)
    return spool
