"""Media uploads: types sniffed from the bytes, refusals, size limits, SVG sanitising,
decompression bombs, renditions and deduplication (authoring.services.assets)."""

from __future__ import annotations

import io
import struct
import wave
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from authoring.media import images as media_images
from authoring.models import Asset
from authoring.services.assets import asset_upload, asset_upload_many, upload_limit_mb
from egl_platform.errors import Forbidden, Invalid
from tenants.models import AuditEvent

pytestmark = pytest.mark.django_db


# --- sample files, made here ---------------------------------------------------------------------


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 30), **save: object) -> bytes:
    out = io.BytesIO()
    mode = "RGBA" if fmt in ("PNG", "WEBP") else "RGB"
    Image.new(mode, size, (200, 30, 30)).save(out, format=fmt, **save)
    return out.getvalue()


def animated_gif() -> bytes:
    frames = [Image.new("P", (900, 600), colour) for colour in (1, 2, 3)]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    return out.getvalue()


def wav_bytes() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * 800)
    return out.getvalue()


def ooxml(main: str, *, extra: dict[str, bytes] | None = None, content_types: bool = True) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        if content_types:
            archive.writestr(
                "[Content_Types].xml",
                '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                f'<Override PartName="/main.xml" ContentType="{main}"/></Types>',
            )
        archive.writestr("main.xml", "<x/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def bomb_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A small PNG whose header declares a huge image."""
    data = bytearray(image_bytes("PNG", (8, 8)))
    ihdr = 8 + 8  # signature, then the IHDR chunk's length and type
    data[ihdr : ihdr + 8] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[12 : ihdr + 13]))
    data[ihdr + 13 : ihdr + 17] = struct.pack(">I", crc)
    return bytes(data)


OOXML = "application/vnd.openxmlformats-officedocument"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 200
M4A = b"\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00M4A mp42isom" + b"\x00" * 200
WEBM = (
    b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08"
    b"\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02" + b"\x00" * 200
)
MP3_ID3 = b"ID3\x03\x00\x00\x00\x00\x00\x0a" + b"\x00" * 10 + b"\xff\xfb\x90\x64" + b"\x00" * 400
MP3_FRAME = b"\xff\xfb\x90\x64" + b"\x00" * 413
AAC = b"\xff\xf1\x50\x80\x02\x1f\xfc" + b"\x00" * 100
OGG = b"OggS\x00\x02" + b"\x00" * 20 + b"\x01\x1e\x01vorbis" + b"\x00" * 100
VTT = b"WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n"
SRT = b"1\r\n00:00:01,000 --> 00:00:02,500\r\nHello\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\nWorld\r\n"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

ACCEPTED = [
    ("photo.png", image_bytes("PNG"), "image", "image/png"),
    ("photo.jpg", image_bytes("JPEG"), "image", "image/jpeg"),
    ("photo.gif", image_bytes("GIF"), "image", "image/gif"),
    ("photo.webp", image_bytes("WEBP"), "image", "image/webp"),
    (
        "logo.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5"/></svg>',
        "image",
        "image/svg+xml",
    ),
    ("clip.mp4", MP4, "video", "video/mp4"),
    ("clip.webm", WEBM, "video", "video/webm"),
    ("song.mp3", MP3_ID3, "audio", "audio/mpeg"),
    ("frames.mp3", MP3_FRAME, "audio", "audio/mpeg"),
    ("voice.m4a", M4A, "audio", "audio/mp4"),
    ("voice.aac", AAC, "audio", "audio/aac"),
    ("voice.ogg", OGG, "audio", "audio/ogg"),
    ("voice.wav", wav_bytes(), "audio", "audio/wav"),
    ("captions.vtt", VTT, "captions", "text/vtt"),
    ("captions.srt", SRT, "captions", "text/vtt"),
    ("guide.pdf", PDF, "document", "application/pdf"),
    (
        "letter.docx",
        ooxml(f"{OOXML}.wordprocessingml.document.main+xml"),
        "document",
        f"{OOXML}.wordprocessingml.document",
    ),
    (
        "sheet.xlsx",
        ooxml(f"{OOXML}.spreadsheetml.sheet.main+xml"),
        "document",
        f"{OOXML}.spreadsheetml.sheet",
    ),
    (
        "deck.pptx",
        ooxml(f"{OOXML}.presentationml.presentation.main+xml"),
        "document",
        f"{OOXML}.presentationml.presentation",
    ),
    ("notes.txt", "Hello — world\nA second line\n".encode(), "document", "text/plain"),
    ("people.csv", b"name,age,team\nAnn,31,Sales\nBob,44,Support\n", "document", "text/csv"),
]

REFUSED = [
    ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "Programs and scripts"),
    ("tool", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200, "Programs and scripts"),
    ("install.sh", b"#!/bin/sh\nrm -rf ~\n", "Programs and scripts"),
    ("run.txt", b"  #!/usr/bin/env python\nprint(1)\n", "Programs and scripts"),
    ("page.html", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "Web pages"),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200, "Older Office files"),
    (
        "macro.docm",
        ooxml("application/vnd.ms-word.document.macroEnabled.main+xml"),
        "with macros",
    ),
    (
        "macro.docx",
        ooxml(
            f"{OOXML}.wordprocessingml.document.main+xml",
            extra={"word/vbaProject.bin": b"x"},
        ),
        "with macros",
    ),
    ("archive.zip", ooxml("x", content_types=False), "not supported"),
    ("movie.mkv", b"\x1a\x45\xdf\xa3\x42\x82\x88matroska" + b"\x00" * 100, "not supported"),
    ("movie.mov", b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + b"\x00" * 100, "not supported"),
    (
        "photo.heic",
        b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 100,
        "not supported",
    ),
    ("blob.bin", bytes(range(256)) * 4, "not supported"),
    ("empty.txt", b"", "empty"),
    ("data.xml", b'<?xml version="1.0"?><note>hi</note>', "not supported"),
]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- accepted types ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "kind", "content_type"), ACCEPTED, ids=[a[0] for a in ACCEPTED]
)
def test_each_accepted_type_is_sniffed_from_its_bytes(acme, name, content, kind, content_type):
    with acme.scope():
        # The browser's word is ignored: every file claims to be a PNG.
        asset = asset_upload(actor=acme.author, file=upload(name, content, "image/png"))
        assert (asset.kind, asset.content_type) == (kind, content_type)
        assert asset.checksum.startswith("sha256:")
        assert len(asset.checksum) == 71
        assert default_storage.exists(asset.file.name)
        assert asset.file.name.startswith(f"tenants/{acme.tenant.uuid}/assets/{asset.uuid}/")
        assert asset.uploaded_by == acme.author


def test_the_name_does_not_decide_the_type(acme):
    with acme.scope():
        asset = asset_upload(actor=acme.author, file=upload("report.png", PDF, "image/png"))
    assert asset.content_type == "application/pdf"
    assert asset.kind == "document"
    assert asset.filename == "report.pdf"  # the name no longer lies about the content


def test_a_fitting_name_is_kept(acme):
    with acme.scope():
        asset = asset_upload(actor=acme.author, file=upload("Team photo.JPEG", image_bytes("JPEG")))
    assert asset.filename == "Team_photo.JPEG"


def test_srt_is_converted_to_webvtt(acme):
    with acme.scope():
        asset = asset_upload(actor=acme.author, file=upload("talk.srt", SRT))
        stored = default_storage.open(asset.file.name).read().decode()
    assert asset.filename == "talk.vtt"
    assert stored.startswith("WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.500\nHello\n")
    assert "00:00:03.000 --> 00:00:04.000" in stored
    assert asset.size == len(stored.encode())


# --- refused types --------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content", "reason"), REFUSED, ids=[r[0] for r in REFUSED])
def test_executables_and_unknown_files_are_refused_and_nothing_is_stored(
    acme, media_root, name, content, reason
):
    with acme.scope():
        with pytest.raises(Invalid) as refused:
            asset_upload(actor=acme.author, file=upload(name, content, "application/pdf"))
        assert reason in str(refused.value.message)
        assert refused.value.fields["file"]
        assert not Asset.objects.exists()
    assert stored_files(media_root) == []


def test_learner_cannot_upload(acme, media_root):
    with acme.scope(), pytest.raises(Forbidden):
        asset_upload(actor=acme.learner, file=upload("a.pdf", PDF))
    with acme.scope():
        assert not Asset.objects.exists()
    assert stored_files(media_root) == []


# --- SVG ------------------------------------------------------------------------------------------

HOSTILE_SVG = b"""<?xml version="1.0"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="120" height="60" onload="alert('load')">
  <script>alert('script')</script>
  <foreignObject><div xmlns="http://www.w3.org/1999/xhtml" onclick="alert(1)">html</div></foreignObject>
  <a href="javascript:alert('link')"><rect width="10" height="10"/></a>
  <image href="https://evil.example/track.png" width="1" height="1"/>
  <use xlink:href="https://evil.example/sprite.svg#icon"/>
  <animate attributeName="href" to="javascript:alert(1)"/>
  <style>@import url(https://evil.example/x.css); .a { fill: red }</style>
  <rect class="a" width="20" height="10" fill="url(#grad)" onclick="alert('click')"
        style="fill: url(https://evil.example/x)"/>
  <linearGradient id="grad"><stop offset="0" stop-color="#fff"/></linearGradient>
  <use href="#grad"/>
  <text x="5" y="50">Safe text</text>
</svg>"""


def test_svg_is_sanitised(acme):
    with acme.scope():
        asset = asset_upload(
            actor=acme.author, file=upload("logo.svg", HOSTILE_SVG, "image/svg+xml")
        )
        stored = default_storage.open(asset.file.name).read().decode()
    lowered = stored.lower()
    for bad in (
        "<script",
        "onload",
        "onclick",
        "foreignobject",
        "javascript:",
        "evil.example",
        "<image",
        "<animate",
        "@import",
        "<!doctype",
    ):
        assert bad not in lowered, bad
    assert "Safe text" in stored
    assert 'fill="url(#grad)"' in stored
    assert 'href="#grad"' in stored
    assert (asset.content_type, asset.width, asset.height) == ("image/svg+xml", 120, 60)


def test_svg_declaring_entities_is_refused(acme, media_root):
    laughs = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>"""
    with acme.scope(), pytest.raises(Invalid, match="entities"):
        asset_upload(actor=acme.author, file=upload("laughs.svg", laughs))
    assert stored_files(media_root) == []


def test_broken_svg_is_refused(acme):
    with acme.scope(), pytest.raises(Invalid, match="not valid XML"):
        asset_upload(
            actor=acme.author,
            file=upload("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><g></svg>'),
        )


# --- size limits ----------------------------------------------------------------------------------


def test_oversize_file_is_refused_with_both_sizes_and_nothing_stored(acme, media_root):
    acme.tenant.upload_limit_mb = 1
    acme.tenant.save(update_fields=["upload_limit_mb"])
    content = b"a line of text\n" * 100_000  # 1.5 MB
    with acme.scope():
        with pytest.raises(Invalid) as refused:
            asset_upload(actor=acme.author, file=upload("big.txt", content))
        assert str(refused.value.message) == "This file is 1.5 MB; the limit is 1 MB."
        assert refused.value.code == "file_too_large"
        assert not Asset.objects.exists()
    assert stored_files(media_root) == []


def test_the_platform_cap_wins_over_a_larger_tenant_limit(acme, settings):
    settings.EGL_UPLOAD_MAX_MB = 1
    assert acme.tenant.upload_limit_mb == 200
    assert upload_limit_mb(acme.tenant) == 1
    with acme.scope(), pytest.raises(Invalid, match="the limit is 1 MB"):
        asset_upload(actor=acme.author, file=upload("big.txt", b"x\n" * 600_000))


def test_a_file_just_under_the_limit_is_accepted(acme):
    acme.tenant.upload_limit_mb = 1
    acme.tenant.save(update_fields=["upload_limit_mb"])
    with acme.scope():
        asset = asset_upload(actor=acme.author, file=upload("ok.txt", b"y\n" * (512 * 1024 - 1)))
    assert asset.size == 1024 * 1024 - 2


# --- images ---------------------------------------------------------------------------------------


def test_decompression_bomb_is_refused_before_decoding(acme, media_root):
    content = bomb_png(30_000, 30_000)  # 900 megapixels declared in a file of a few hundred bytes
    assert len(content) < 1000
    with acme.scope():
        with pytest.raises(Invalid, match="decompression bomb"):
            asset_upload(actor=acme.author, file=upload("bomb.png", content))
        assert not Asset.objects.exists()
    assert stored_files(media_root) == []


def test_image_over_our_pixel_limit_is_refused_with_its_size(acme, media_root):
    # 60 megapixels: below Pillow's own bomb threshold, above ours (50).
    with acme.scope():
        with pytest.raises(Invalid, match="10000 × 6000 pixels; images may have at most 50"):
            asset_upload(actor=acme.author, file=upload("huge.png", bomb_png(10_000, 6_000)))
        assert not Asset.objects.exists()
    assert stored_files(media_root) == []


def test_pillows_own_bomb_check_is_an_error_too(acme, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    with acme.scope(), pytest.raises(Invalid, match="decompression bomb"):
        asset_upload(actor=acme.author, file=upload("a.png", image_bytes("PNG", (40, 40))))


def test_pixel_limit_applies(acme, monkeypatch):
    monkeypatch.setattr(media_images, "IMAGE_MAX_PIXELS", 2_000_000)
    with acme.scope(), pytest.raises(Invalid, match="2000 × 1001 pixels"):
        asset_upload(actor=acme.author, file=upload("a.png", image_bytes("PNG", (2000, 1001))))


def test_damaged_image_is_refused(acme):
    broken = image_bytes("PNG", (60, 60))[:-40]
    with acme.scope(), pytest.raises(Invalid, match="damaged"):
        asset_upload(actor=acme.author, file=upload("a.png", broken))


def _rendition_size(name: str) -> tuple[int, int]:
    with default_storage.open(name) as handle, Image.open(handle) as image:
        assert image.format == "WEBP"
        return image.size


def test_renditions_are_made_at_each_smaller_width(acme):
    with acme.scope():
        asset = asset_upload(
            actor=acme.author, file=upload("wide.png", image_bytes("PNG", (2000, 1000)))
        )
    assert (asset.width, asset.height) == (2000, 1000)
    assert sorted(asset.renditions) == ["1600", "480", "960"]
    assert _rendition_size(asset.renditions["480"]) == (480, 240)
    assert _rendition_size(asset.renditions["960"]) == (960, 480)
    assert _rendition_size(asset.renditions["1600"]) == (1600, 800)


def test_renditions_never_upscale(acme):
    with acme.scope():
        medium = asset_upload(
            actor=acme.author, file=upload("m.jpg", image_bytes("JPEG", (700, 350)))
        )
        small = asset_upload(
            actor=acme.author, file=upload("s.jpg", image_bytes("JPEG", (480, 100)))
        )
    assert list(medium.renditions) == ["480"]
    assert small.renditions == {}


def test_animated_gif_keeps_its_animation_and_gets_no_renditions(acme):
    with acme.scope():
        asset = asset_upload(actor=acme.author, file=upload("anim.gif", animated_gif()))
    assert (asset.content_type, asset.width, asset.renditions) == ("image/gif", 900, {})


def test_exif_rotation_gives_the_shown_dimensions(acme):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90°
    content = image_bytes("JPEG", (1000, 500), exif=exif)
    with acme.scope():
        asset = asset_upload(actor=acme.author, file=upload("phone.jpg", content))
    assert (asset.width, asset.height) == (500, 1000)
    assert _rendition_size(asset.renditions["480"]) == (480, 960)


# --- deduplication and multi-file -----------------------------------------------------------------


def test_the_same_content_returns_the_existing_asset(acme, media_root):
    content = image_bytes("PNG", (30, 30))
    with acme.scope():
        first = asset_upload(actor=acme.author, file=upload("a.png", content))
        files_after_first = stored_files(media_root)
        second = asset_upload(actor=acme.admin, file=upload("other-name.png", content))
        assert second.pk == first.pk
        assert Asset.objects.count() == 1
        assert AuditEvent.objects.filter(verb="asset.uploaded").count() == 1
    assert stored_files(media_root) == files_after_first


def test_the_same_content_in_another_tenant_is_a_separate_asset(acme, globex):
    content = image_bytes("PNG", (30, 30))
    with acme.scope():
        mine = asset_upload(actor=acme.author, file=upload("a.png", content))
    with globex.scope():
        theirs = asset_upload(actor=globex.author, file=upload("a.png", content))
        assert Asset.objects.count() == 1
    assert theirs.pk != mine.pk
    assert theirs.file.name.startswith(f"tenants/{globex.tenant.uuid}/")


def test_upload_many_reports_each_file(acme):
    pdf = upload("guide.pdf", PDF)
    with acme.scope():
        asset_upload(actor=acme.author, file=upload("known.pdf", PDF))
        outcomes = asset_upload_many(
            actor=acme.author,
            files=[upload("a.png", image_bytes()), upload("x.exe", b"MZ" + b"\0" * 50), pdf],
        )
        assert Asset.objects.count() == 2
    assert [(o.filename, o.created, o.asset is not None) for o in outcomes] == [
        ("a.png", True, True),
        ("x.exe", False, False),
        ("guide.pdf", False, True),
    ]
    assert "Programs and scripts" in outcomes[1].message


@pytest.mark.parametrize(
    ("content_type", "kind"),
    [
        ("image/svg+xml", "image"),
        ("video/webm", "video"),
        ("audio/mpeg", "audio"),
        ("text/vtt", "captions"),
        ("text/plain", "document"),
        ("application/pdf", "document"),
    ],
)
def test_kind_of_a_content_type(content_type, kind):
    from authoring.media.sniff import kind_of

    assert kind_of(content_type) == kind
