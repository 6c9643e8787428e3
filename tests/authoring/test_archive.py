"""Course archives: export → import into another tenant → export gives the same document;
bad archives are refused with every problem listed, and leave nothing behind.

Ids: an import keeps the document's ids (ids are unique per tenant), so a course exported
from acme and imported into globex has the same course, section, page, block and asset ids
there. Only `copy=True` (needed for a second import into the same tenant) re-keys them.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import stat
import struct
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from authoring import archive as archive_module
from authoring.archive import (
    ARCHIVE_FORMAT,
    InvalidArchive,
    archive_read,
    archive_write,
    course_import_archive,
)
from authoring.document import course_document_build, course_document_load
from authoring.models import Asset, Course, Page, Revision, RevisionReason, Section
from authoring.services.courses import course_estimated_minutes
from egl_platform.errors import Conflict, Forbidden
from tenants.models import AuditEvent
from tenants.tenancy import TenantOwnedManager
from tests.authoring.test_blocks import EXAMPLES
from tests.authoring.test_document_roundtrip import all_ids, normalise_ids
from tests.authoring.test_document_schema import block_path, document

# --- building a course with every block type, with real files ----------------------------------


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


SAMPLE_FILES: dict[str, bytes] = {
    "image/png": png_bytes(),
    "video/mp4": b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 200,
    "text/vtt": b"WEBVTT\n\n00:00.000 --> 00:01.000\nHello, caller.\n",
    "audio/mpeg": b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 300,
    "application/pdf": b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n",
}


def course_files(doc: dict[str, Any]) -> dict[str, tuple[bytes, str]]:
    """Give every listed asset a real file of its type, and the document its checksum/size."""
    files = {}
    for item in doc["assets"]:
        content = SAMPLE_FILES[item["content_type"]]
        item["size"] = len(content)
        item["checksum"] = "sha256:" + hashlib.sha256(content).hexdigest()
        files[item["id"]] = (content, item["content_type"])
    return files


def every_block_document() -> tuple[dict[str, Any], dict[str, tuple[bytes, str]]]:
    doc = document()
    doc["assets"].sort(key=lambda a: a["id"])
    # As the editor keeps it: computed from the content (revisions refresh it).
    doc["course"]["estimated_minutes"] = course_estimated_minutes(doc)
    return doc, course_files(doc)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file())


@pytest.fixture
def acme_course(acme, media):
    """A course in acme holding every block type, with its files in storage."""
    doc, files = every_block_document()
    with acme.scope():
        return course_document_load(actor=acme.author, document=doc, assets=files)


def export_bytes(world: Any, course: Course) -> bytes:
    out = io.BytesIO()
    with world.scope():
        archive_write(course=course, out=out)
    return out.getvalue()


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def counts() -> tuple[int, int, int, int, int]:
    return (
        Course.objects.count(),
        Section.objects.count(),
        Page.objects.count(),
        Asset.objects.count(),
        Revision.objects.count(),
    )


# --- writing -----------------------------------------------------------------------------------


def test_an_archive_holds_manifest_document_and_every_listed_file(acme, acme_course):
    data = export_bytes(acme, acme_course)
    members = members_of(data)
    with acme.scope():
        built = course_document_build(acme_course)
    media_names = {
        f"media/{item['id']}/{item['filename']}": item["content_type"] for item in built["assets"]
    }
    assert set(members) == {"manifest.json", "course.json", *media_names}
    assert json.loads(members["course.json"]) == built
    manifest = json.loads(members["manifest.json"])
    assert manifest["format"] == ARCHIVE_FORMAT
    assert manifest["format_version"] == 1
    assert manifest["schema_version"] == built["schema_version"] == 1
    assert manifest["created_at"]
    assert manifest["course_json_sha256"] == hashlib.sha256(members["course.json"]).hexdigest()
    for name, content_type in media_names.items():
        assert members[name] == SAMPLE_FILES[content_type]


# --- the round trip ("Done when") ------------------------------------------------------------------


def test_export_import_into_another_tenant_then_export_gives_the_same_document(
    acme, globex, acme_course, media
):
    """Every block type survives acme → archive → globex → archive, ids kept."""
    first = export_bytes(acme, acme_course)
    with acme.scope():
        original = course_document_build(acme_course)
    types = {b["type"] for s in original["sections"] for p in s["pages"] for b in p["blocks"]}
    assert types == set(EXAMPLES)

    with globex.scope():
        before = counts()
        imported = course_import_archive(actor=globex.author, file=io.BytesIO(first))
        assert imported.tenant_id == globex.tenant.pk
        assert imported.owner == globex.author
        assert str(imported.uuid) == original["course"]["id"]  # ids are kept across tenants
        again = course_document_build(imported)
        assert counts()[3] == before[3] + len(original["assets"])
        revision = Revision.objects.get(course=imported)
        assert revision.reason == RevisionReason.IMPORT
        assert revision.number == 1
        assert revision.document == again
        assert AuditEvent.objects.filter(verb="course.imported", target_uuid=imported.uuid).exists()
    second = export_bytes(globex, imported)

    assert again == original
    assert all_ids(again) == all_ids(original)
    first_members, second_members = members_of(first), members_of(second)
    assert first_members["course.json"] == second_members["course.json"]
    assert {k: v for k, v in first_members.items() if k.startswith("media/")} == {
        k: v for k, v in second_members.items() if k.startswith("media/")
    }
    # globex's files live under globex's storage folder.
    with globex.scope():
        for asset in Asset.objects.all():
            assert asset.file.name.startswith(f"tenants/{globex.tenant.uuid}/assets/")
    with acme.scope():
        assert Course.objects.count() == 1


def test_import_into_the_same_tenant_is_refused_unless_as_a_copy(acme, acme_course, media):
    data = export_bytes(acme, acme_course)
    with acme.scope():
        before = counts()
        files_before = stored_files(media)
        with pytest.raises(Conflict) as refused:
            course_import_archive(actor=acme.author, file=io.BytesIO(data))
        assert acme_course.title in str(refused.value.message)
        assert "copy" in str(refused.value.message)
        assert counts() == before
        assert stored_files(media) == files_before

        duplicate = course_import_archive(actor=acme.author, file=io.BytesIO(data), copy=True)
        assert duplicate.uuid != acme_course.uuid
        assert duplicate.slug != acme_course.slug
        assert Asset.objects.count() == before[3]  # the tenant's files are reused
        assert stored_files(media) == files_before
        original, copied = course_document_build(acme_course), course_document_build(duplicate)
    assert normalise_ids(copied) == normalise_ids(original)
    assert all_ids(copied) & all_ids(original) == {a["id"] for a in original["assets"]}


def test_a_learner_may_not_import(globex, acme, acme_course, media):
    data = export_bytes(acme, acme_course)
    with globex.scope():
        with pytest.raises(Forbidden):
            course_import_archive(actor=globex.learner, file=io.BytesIO(data))
        assert counts() == (0, 0, 0, 0, 0)
    assert all(
        not p.is_relative_to(media / "tenants" / str(globex.tenant.uuid))
        for p in stored_files(media)
    )


def test_a_failure_after_files_were_stored_leaves_nothing(
    globex, acme, acme_course, media, monkeypatch
):
    """All or nothing: rows roll back and the files saved on the way are deleted."""
    data = export_bytes(acme, acme_course)
    acme_files = stored_files(media)

    def broken(**kwargs: Any) -> None:
        # The files are in storage by now; prove it, then fail.
        assert len(stored_files(media)) > len(acme_files)
        raise RuntimeError("revision store down")

    monkeypatch.setattr(archive_module, "_record_revision", broken)
    with globex.scope():
        with pytest.raises(RuntimeError):
            course_import_archive(actor=globex.author, file=io.BytesIO(data))
        assert counts() == (0, 0, 0, 0, 0)
    assert stored_files(media) == acme_files


# --- reading bad archives --------------------------------------------------------------------------


@pytest.fixture
def good_members(acme, acme_course) -> dict[str, bytes]:
    return members_of(export_bytes(acme, acme_course))


def zip_of(
    members: dict[str, bytes] | list[tuple[Any, bytes]],
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    out = io.BytesIO()
    items = members.items() if isinstance(members, dict) else members
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names, on purpose
        with zipfile.ZipFile(out, "w", compression=compression) as zf:
            for name, content in items:
                zf.writestr(name, content)
    return out.getvalue()


def doc_of(members: dict[str, bytes]) -> dict[str, Any]:
    return json.loads(members["course.json"])


def with_doc(members: dict[str, bytes], doc: dict[str, Any]) -> dict[str, bytes]:
    """The members with a new course.json (and a manifest that matches it)."""
    members = dict(members)
    members["course.json"] = json.dumps(doc).encode()
    manifest = json.loads(members["manifest.json"])
    manifest["course_json_sha256"] = hashlib.sha256(members["course.json"]).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()
    return members


def media_name(members: dict[str, bytes], content_type: str) -> tuple[str, int]:
    doc = doc_of(members)
    for i, item in enumerate(doc["assets"]):
        if item["content_type"] == content_type:
            return f"media/{item['id']}/{item['filename']}", i
    raise AssertionError(content_type)


def info(name: str, **attrs: Any) -> zipfile.ZipInfo:
    zinfo = zipfile.ZipInfo(name)
    zinfo.compress_type = zipfile.ZIP_DEFLATED
    for key, value in attrs.items():
        setattr(zinfo, key, value)
    return zinfo


def _not_a_zip(m: dict[str, bytes]) -> tuple[bytes, str, str]:
    return b"This is a text file, not a zip.", "(archive)", "not_zip"


def _absolute(m: dict[str, bytes]) -> tuple[bytes, str, str]:
    return zip_of({**m, "/etc/passwd": b"x"}), "/etc/passwd", "unsafe_name"


def _dot_dot(m: dict[str, bytes]) -> tuple[bytes, str, str]:
    return zip_of({**m, "media/../../evil.sh": b"x"}), "media/../../evil.sh", "unsafe_name"


def _backslash(m: dict[str, bytes]) -> tuple[bytes, str, str]:
    # zipfile turns "\\" into "/" when writing on Windows only; here it stays.
    return zip_of({**m, "media\\evil.png": b"x"}), "media\\evil.png", "unsafe_name"


def _drive_letter(m: dict[str, bytes]) -> tuple[bytes, str, str]:
    items = [*m.items(), (info("C:/Windows/evil.dll"), b"x")]
    return zip_of(items), "C:/Windows/evil.dll", "unsafe_name"


def _symlink(m: dict[str, bytes]) -> tuple[bytes, str, str]:
    name, _i = media_name(m, "image/png")
    link = info(name, create_system=3, external_attr=(stat.S_IFLNK | 0o777) << 16)
    items = [(k, v) for k, v in m.items() if k != name] + [(link, b"/etc/passwd")]
    return zip_of(items), name, "not_regular_file"


def _duplicate(m: dict[str, bytes]) -> tuple[bytes, str, str]:
    return zip_of([*m.items(), ("course.json", m["course.json"])]), "course.json", "duplicate_name"


def _too_many(m: dict[str, bytes]) -> tuple[bytes, str, str]:
    # MAX_MEMBERS is lowered to 20 for this case (see the test).
    extra = [(f"media/x{n}.txt", b"") for n in range(25)]
    return zip_of([*m.items(), *extra]), "(archive)", "too_many_members"


def _too_large(m: dict[str, bytes]) -> tuple[bytes, str, str]:
    # EGL_ARCHIVE_MAX_MB is 1 for these cases; random bytes do not compress.
    import os

    return zip_of({**m, "media/big.bin": os.urandom(1_200_000)}), "(archive)", "too_large"


def _bomb(m: dict[str, bytes]) -> tuple[bytes, str, str]:
    return zip_of({**m, "media/zeros.bin": b"\0" * 900_000}), "media/zeros.bin", "compression_ratio"


def patch_entry(data: bytes, name: str, *, central: int, local: int, fmt: str, value: Any) -> bytes:
    """Overwrite one header field of member `name`, in the central directory entry (at
    offset `central`) and in the local header (at `local`): what zipfile will not write."""
    out = bytearray(data)
    size = struct.calcsize(fmt)
    entry = out.find(b"PK\x01\x02")
    while entry != -1:
        name_length = struct.unpack("<H", out[entry + 28 : entry + 30])[0]
        if out[entry + 46 : entry + 46 + name_length] == name.encode():
            old = struct.unpack(fmt, out[entry + central : entry + central + size])[0]
            new = value(old)
            out[entry + central : entry + central + size] = struct.pack(fmt, new)
            header = struct.unpack("<I", out[entry + 42 : entry + 46])[0]
            out[header + local : header + local + size] = struct.pack(fmt, new)
            return bytes(out)
        entry = out.find(b"PK\x01\x02", entry + 4)
    raise AssertionError(f"no entry {name}")


def _encrypted(m: dict[str, bytes]) -> tuple[bytes, str, str]:
    """The "encrypted" flag (bit 0 of the general-purpose flags) on a member."""
    data = patch_entry(
        zip_of(m), "course.json", central=8, local=6, fmt="<H", value=lambda v: v | 1
    )
    return data, "course.json", "encrypted"


def _bigger_than_declared(m: dict[str, bytes]) -> tuple[bytes, str, str]:
    """course.json declares fewer bytes than it holds: reading stops at the declared size."""
    data = patch_entry(
        zip_of(m), "course.json", central=24, local=22, fmt="<I", value=lambda v: 100
    )
    return data, "course.json", "corrupt|size_mismatch"


def _unknown_file(m: dict[str, bytes]) -> tuple[bytes, str, str]:
    return zip_of({**m, "notes.txt": b"hello"}), "notes.txt", "unknown_file"


def _unlisted_media(m: dict[str, bytes]) -> tuple[bytes, str, str]:
    name = "media/00000000-0000-4000-8000-000000000000/x.png"
    return zip_of({**m, name: SAMPLE_FILES["image/png"]}), name, "unknown_file"


def _missing_course_json(m: dict[str, bytes]) -> tuple[bytes, str, str]:
    return (
        zip_of({k: v for k, v in m.items() if k != "course.json"}),
        "course.json",
        "missing_document",
    )


def _invalid_json(m: dict[str, bytes]) -> tuple[bytes, str, str]:
    return zip_of({**m, "course.json": b'{"schema_version": 1,'}), "course.json", "invalid_json"


def _unknown_block_type(m: dict[str, bytes]) -> tuple[bytes, str, str]:
    doc = doc_of(m)
    doc["sections"][0]["pages"][0]["blocks"][0]["type"] = "marquee"
    where = "course.json#/sections/0/pages/0/blocks/0/type"
    return zip_of(with_doc(m, doc)), where, "*"


def _invalid_block_data(m: dict[str, bytes]) -> tuple[bytes, str, str]:
    doc = doc_of(m)
    path, block = block_path(doc, "image")
    block["data"]["alt"] = ""
    return zip_of(with_doc(m, doc)), f"course.json#{path}/data/alt", "alt_required"


def _checksum_mismatch(m: dict[str, bytes]) -> tuple[bytes, str, str]:
    name, _i = media_name(m, "application/pdf")
    content = m[name]
    tampered = content[:-2] + b"X\n"
    assert len(tampered) == len(content)
    return zip_of({**m, name: tampered}), name, "media_mismatch"


def _size_mismatch(m: dict[str, bytes]) -> tuple[bytes, str, str]:
    name, _i = media_name(m, "text/vtt")
    return zip_of({**m, name: m[name] + b"More.\n"}), name, "media_mismatch"


def _missing_media(m: dict[str, bytes]) -> tuple[bytes, str, str]:
    name, i = media_name(m, "audio/mpeg")
    return (
        zip_of({k: v for k, v in m.items() if k != name}),
        f"course.json#/assets/{i}",
        "missing_media",
    )


def _executable_as_pdf(m: dict[str, bytes]) -> tuple[bytes, str, str]:
    """A program under a document's name, checksum and size made to match: still refused."""
    name, i = media_name(m, "application/pdf")
    program = b"MZ\x90\x00" + b"\x00" * 60
    doc = doc_of(m)
    doc["assets"][i]["size"] = len(program)
    doc["assets"][i]["checksum"] = "sha256:" + hashlib.sha256(program).hexdigest()
    return zip_of({**with_doc(m, doc), name: program}), name, "media_type"


def _manifest_mismatch(m: dict[str, bytes]) -> tuple[bytes, str, str]:
    doc = doc_of(m)
    doc["course"]["title"] = "Changed after export"
    return (
        zip_of({**m, "course.json": json.dumps(doc).encode()}),
        "course.json",
        "manifest_checksum",
    )


BAD_ARCHIVES = [
    _not_a_zip,
    _encrypted,
    _absolute,
    _dot_dot,
    _backslash,
    _drive_letter,
    _symlink,
    _duplicate,
    _too_many,
    _too_large,
    _bomb,
    _bigger_than_declared,
    _unknown_file,
    _unlisted_media,
    _missing_course_json,
    _invalid_json,
    _unknown_block_type,
    _invalid_block_data,
    _checksum_mismatch,
    _size_mismatch,
    _missing_media,
    _executable_as_pdf,
    _manifest_mismatch,
]


@pytest.mark.parametrize("spoil", BAD_ARCHIVES, ids=[f.__name__.strip("_") for f in BAD_ARCHIVES])
def test_a_bad_archive_is_refused_with_its_problem_and_creates_nothing(
    globex, good_members, media, settings, monkeypatch, spoil
):
    settings.EGL_ARCHIVE_MAX_MB = 1
    monkeypatch.setattr(archive_module, "MAX_MEMBERS", 20)
    data, where, code = spoil(good_members)
    files_before = stored_files(media)
    with globex.scope():
        with pytest.raises(InvalidArchive) as refused:
            course_import_archive(actor=globex.author, file=io.BytesIO(data))
        assert counts() == (0, 0, 0, 0, 0)
    assert stored_files(media) == files_before
    found = [(p.path, p.code) for p in refused.value.problems]
    assert any(
        path == where and (code == "*" or p_code in code.split("|")) for path, p_code in found
    ), found
    error = refused.value
    assert error.status == 400
    assert where in error.fields
    assert all(str(p.message) for p in error.problems)
    assert "problem" in str(error.message)


def test_the_good_archive_itself_passes_the_same_reader(good_members):
    document, files = archive_read(io.BytesIO(zip_of(good_members)))
    assert set(files) == {item["id"] for item in document["assets"]}


def test_every_problem_is_listed_in_one_refusal(good_members, media):
    doc = doc_of(good_members)
    doc["sections"][0]["pages"][0]["blocks"][0]["type"] = "marquee"
    members = with_doc(good_members, doc)
    missing, i = media_name(members, "audio/mpeg")
    del members[missing]
    members["notes.txt"] = b"hello"
    members["/abs.txt"] = b"x"
    with pytest.raises(InvalidArchive) as refused:
        archive_read(io.BytesIO(zip_of(members)))
    paths = {p.path for p in refused.value.problems}
    assert {
        "course.json#/sections/0/pages/0/blocks/0/type",
        f"course.json#/assets/{i}",
        "notes.txt",
        "/abs.txt",
    } <= paths


def test_reading_stops_at_the_declared_size_of_a_member(good_members, monkeypatch):
    """Even if the zip library handed out more bytes than declared, we stop and refuse."""
    real_open = zipfile.ZipFile.open

    class Endless(io.RawIOBase):
        def __init__(self) -> None:
            self.handed = 0

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            chunk = b"x" * (size if size > 0 else 1024)
            self.handed += len(chunk)
            return chunk

    streams: list[Endless] = []

    def fake_open(self, name, *args, **kwargs):
        target = name.filename if isinstance(name, zipfile.ZipInfo) else name
        if target == "course.json":
            streams.append(Endless())
            return streams[-1]
        return real_open(self, name, *args, **kwargs)

    data = zip_of(good_members)
    monkeypatch.setattr(zipfile.ZipFile, "open", fake_open)
    with pytest.raises(InvalidArchive) as refused:
        archive_read(io.BytesIO(data))
    assert ("course.json", "size_mismatch") in [(p.path, p.code) for p in refused.value.problems]
    declared = len(good_members["course.json"])
    assert streams[0].handed <= declared + 1


def test_an_archive_file_over_the_limit_is_refused_before_it_is_opened(settings):
    settings.EGL_ARCHIVE_MAX_MB = 1
    with pytest.raises(InvalidArchive) as refused:
        archive_read(io.BytesIO(b"\0" * (1024 * 1024 + 1)))
    assert [p.code for p in refused.value.problems] == ["too_large"]


def test_an_svg_with_a_script_is_refused(acme, media):
    doc, files = every_block_document()
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    image = next(a for a in doc["assets"] if a["content_type"] == "image/png")
    image.update(
        content_type="image/svg+xml",
        filename="drawing.svg",
        size=len(svg),
        checksum="sha256:" + hashlib.sha256(svg).hexdigest(),
    )
    manifest = {"format": ARCHIVE_FORMAT, "format_version": 1}
    members = {
        "manifest.json": json.dumps(manifest).encode(),
        "course.json": json.dumps(doc).encode(),
        **{
            f"media/{item['id']}/{item['filename']}": (
                svg if item is image else files[item["id"]][0]
            )
            for item in doc["assets"]
        },
    }
    with pytest.raises(InvalidArchive) as refused:
        archive_read(io.BytesIO(zip_of(members)))
    assert [(p.path, p.code) for p in refused.value.problems] == [
        (f"media/{image['id']}/drawing.svg", "media_type")
    ]


def test_a_newer_format_is_refused(good_members):
    members = dict(good_members)
    manifest = json.loads(members["manifest.json"])
    manifest["format_version"] = 99
    members["manifest.json"] = json.dumps(manifest).encode()
    with pytest.raises(InvalidArchive) as refused:
        archive_read(io.BytesIO(zip_of(members)))
    assert [p.code for p in refused.value.problems] == ["manifest_version"]


def test_imported_rich_text_is_sanitised_again(globex, good_members, media):
    doc = doc_of(good_members)
    _path, text = block_path(doc, "rich_text")
    text["data"]["text"] = '<p>Hi<script>alert(1)</script><a href="javascript:x()">y</a></p>'
    data = zip_of(with_doc(good_members, doc))
    with globex.scope():
        course = course_import_archive(actor=globex.author, file=io.BytesIO(data))
        built = course_document_build(course)
    _path, stored = block_path(built, "rich_text")
    assert "script" not in stored["data"]["text"]
    assert "javascript" not in stored["data"]["text"]


def test_directory_entries_are_allowed(good_members):
    items: list[tuple[Any, bytes]] = [("media/", b"")]
    items += [(name, content) for name, content in good_members.items()]
    document, files = archive_read(io.BytesIO(zip_of(items)))
    assert len(files) == len(document["assets"])


def test_read_does_not_touch_the_database(good_members, django_assert_num_queries):
    with django_assert_num_queries(0):
        archive_read(io.BytesIO(zip_of(good_members)))


def test_a_path_on_disk_works_too(good_members, tmp_path):
    path = tmp_path / "course.zip"
    path.write_bytes(zip_of(good_members))
    document, _files = archive_read(str(path))
    assert document == copy.deepcopy(doc_of(good_members))


def test_the_loader_removes_files_it_stored_when_it_fails_later(
    globex, acme, acme_course, media, monkeypatch
):
    """course_document_load deletes the files it saved if its own transaction fails."""
    data = export_bytes(acme, acme_course)
    acme_files = stored_files(media)

    def broken(*args: Any, **kwargs: Any) -> None:
        assert len(stored_files(media)) > len(acme_files)  # the files were saved
        raise RuntimeError("database went away")

    # Sections are bulk-created after the assets and their files are saved.
    monkeypatch.setattr(TenantOwnedManager, "bulk_create", broken)
    with globex.scope():
        with pytest.raises(RuntimeError):
            course_import_archive(actor=globex.author, file=io.BytesIO(data))
        assert counts() == (0, 0, 0, 0, 0)
    assert stored_files(media) == acme_files


def test_a_course_in_a_language_the_tenant_does_not_offer_is_refused(globex, good_members, media):
    with globex.scope():
        globex.tenant.languages = ["en"]
        globex.tenant.default_language = "en"
        globex.tenant.save(update_fields=["languages", "default_language"])
    doc = doc_of(good_members)
    doc["course"]["language"] = "nl"
    data = zip_of(with_doc(good_members, doc))
    with globex.scope():
        with pytest.raises(InvalidArchive) as refused:
            course_import_archive(actor=globex.author, file=io.BytesIO(data))
        assert counts() == (0, 0, 0, 0, 0)
    [problem] = refused.value.problems
    assert (problem.path, problem.code) == ("course.json#/course/language", "language_not_offered")
    assert "“nl”" in problem.message


def test_a_huge_course_json_is_refused_unread(good_members, monkeypatch):
    monkeypatch.setattr(archive_module, "COURSE_JSON_MAX_BYTES", 1000)
    with pytest.raises(InvalidArchive) as refused:
        archive_read(io.BytesIO(zip_of(good_members)))
    assert ("course.json", "too_large") in [(p.path, p.code) for p in refused.value.problems]


def test_the_importer_is_recorded_as_the_last_editor(globex, acme, acme_course, media):
    data = export_bytes(acme, acme_course)
    with globex.scope():
        course = course_import_archive(actor=globex.author, file=io.BytesIO(data))
        course.refresh_from_db()
        assert course.updated_by == globex.author
        assert course.estimated_minutes == acme_course.estimated_minutes


def test_a_concurrent_import_of_the_same_ids_is_a_conflict(
    globex, acme, acme_course, media, monkeypatch
):
    """The unique constraint catches what the existence check could not see in time."""
    from django.db import IntegrityError

    data = export_bytes(acme, acme_course)
    acme_files = stored_files(media)

    def racing(**kwargs: Any) -> None:
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(archive_module, "_record_revision", racing)
    with globex.scope():
        with pytest.raises(Conflict):
            course_import_archive(actor=globex.author, file=io.BytesIO(data))
        assert counts() == (0, 0, 0, 0, 0)
    assert stored_files(media) == acme_files
