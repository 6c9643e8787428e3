"""What a file is, told from its bytes: never from its name or the browser's content type.

A small sniffer of our own (magic numbers, plus a look inside the containers that need it:
Office files are zips, MP4 and M4A share a box layout). Anything not on the list is
refused, executables and scripts with their own message.
"""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _

from egl_platform.errors import Invalid

HEAD_BYTES = 64 * 1024
# [Content_Types].xml is a few kilobytes; more than this is not an Office file we accept.
CONTENT_TYPES_MAX = 1024 * 1024

IMAGE, VIDEO, AUDIO, CAPTIONS, DOCUMENT = "image", "video", "audio", "captions", "document"
KINDS = (IMAGE, VIDEO, AUDIO, CAPTIONS, DOCUMENT)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
_OOXML_MAIN = {
    DOCX: (DOCX + ".main+xml", "docx"),
    XLSX: (XLSX + ".main+xml", "xlsx"),
    PPTX: (PPTX + ".main+xml", "pptx"),
}


@dataclass(frozen=True)
class FileType:
    """A sniffed type: the library's kind, the content type we store and serve, and the
    file name extensions that fit it (the first is used when the name's does not fit).

    `convert` names a transformation the content goes through before it is stored
    ("svg": sanitised; "srt": converted to WebVTT).
    """

    kind: str
    content_type: str
    extensions: tuple[str, ...]
    convert: str = ""

    @property
    def extension(self) -> str:
        return self.extensions[0]


PNG = FileType(IMAGE, "image/png", ("png",))
JPEG = FileType(IMAGE, "image/jpeg", ("jpg", "jpeg", "jpe"))
GIF = FileType(IMAGE, "image/gif", ("gif",))
WEBP = FileType(IMAGE, "image/webp", ("webp",))
SVG = FileType(IMAGE, "image/svg+xml", ("svg",), convert="svg")
MP4 = FileType(VIDEO, "video/mp4", ("mp4", "m4v"))
WEBM = FileType(VIDEO, "video/webm", ("webm",))
MP3 = FileType(AUDIO, "audio/mpeg", ("mp3",))
M4A = FileType(AUDIO, "audio/mp4", ("m4a", "m4b", "mp4"))
AAC = FileType(AUDIO, "audio/aac", ("aac",))
OGG = FileType(AUDIO, "audio/ogg", ("ogg", "oga", "opus"))
WAV = FileType(AUDIO, "audio/wav", ("wav",))
VTT = FileType(CAPTIONS, "text/vtt", ("vtt",))
SRT = FileType(CAPTIONS, "text/vtt", ("vtt",), convert="srt")
PDF = FileType(DOCUMENT, "application/pdf", ("pdf",))
TEXT = FileType(DOCUMENT, "text/plain", ("txt", "text", "md"))
CSV = FileType(DOCUMENT, "text/csv", ("csv",))


class UnsupportedFile(Invalid):
    """A file we do not accept; the message says why and what would be accepted."""

    code = "unsupported_file"

    def __init__(self, message: object) -> None:
        super().__init__(message, fields={"file": [str(message)]})


def _unknown() -> UnsupportedFile:
    return UnsupportedFile(
        _(
            "This type of file is not supported. Upload an image (PNG, JPEG, GIF, WebP, SVG), "
            "a video (MP4, WebM), audio (MP3, M4A, AAC, OGG, WAV), captions (WebVTT, SRT) or "
            "a document (PDF, Word, Excel, PowerPoint, plain text, CSV)."
        )
    )


def _executable() -> UnsupportedFile:
    return UnsupportedFile(_("Programs and scripts cannot be uploaded."))


# Programs: Windows (MZ), Linux (ELF), macOS (Mach-O, fat binaries — the same magic as Java
# classes, also refused), WebAssembly, Android dex, and scripts with a #! line.
_EXECUTABLE_MAGIC = (
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"\x00asm",
    b"dex\n",
    b"#!",
)
# ISO base media brands that are not MP4 video or M4A audio: QuickTime, HEIF/AVIF images.
_FTYP_REFUSED = {
    b"qt  ",
    b"heic",
    b"heix",
    b"hevc",
    b"heim",
    b"heis",
    b"mif1",
    b"msf1",
    b"avif",
    b"avis",
}
_FTYP_AUDIO = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}

_SVG_START = re.compile(
    rb"\A(?:\xef\xbb\xbf)?(?:\s+|<\?xml[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)*<svg[\s>/]",
    re.DOTALL | re.IGNORECASE,
)
_HTML_START = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!DOCTYPE\s+html|html|head|body|script|iframe|meta)[\s>]",
    re.DOTALL | re.IGNORECASE,
)
_SRT_START = re.compile(
    r"\A\s*\d+[ \t]*\r?\n\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}[ \t]+-->[ \t]+\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}"
)
# Text: printable characters, tabs, line breaks and form feeds only.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _mpeg_audio_frame(head: bytes) -> FileType | None:
    """MP3 (MPEG audio layers I–III) or AAC in ADTS frames, from a frame header."""
    if len(head) < 4 or head[0] != 0xFF or (head[1] & 0xE0) != 0xE0:
        return None
    if (head[1] & 0xF6) == 0xF0:  # ADTS: MPEG-4/2 AAC, layer bits 00
        return AAC
    version, layer = (head[1] >> 3) & 3, (head[1] >> 1) & 3
    bitrate, rate = head[2] >> 4, (head[2] >> 2) & 3
    if version != 1 and layer != 0 and bitrate not in (0, 15) and rate != 3:
        return MP3
    return None


def _ooxml(file: IO[bytes]) -> FileType:
    """A Word, Excel or PowerPoint file (a zip with [Content_Types].xml naming its main part);
    macro-enabled files and any other zip are refused."""
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            try:
                info = archive.getinfo("[Content_Types].xml")
            except KeyError:
                raise _unknown() from None
            if info.file_size > CONTENT_TYPES_MAX:
                raise _unknown()
            with archive.open(info) as member:
                content_types = member.read(CONTENT_TYPES_MAX + 1)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
        raise _unknown() from None
    finally:
        file.seek(0)
    if b"macroEnabled" in content_types or any(n.lower().endswith("vbaproject.bin") for n in names):
        raise UnsupportedFile(
            _(
                "Office files with macros are not accepted; save the file without macros "
                "(.docx, .xlsx or .pptx) and upload that."
            )
        )
    for content_type, (main_part, extension) in _OOXML_MAIN.items():
        if main_part.encode() in content_types:
            return FileType(DOCUMENT, content_type, (extension,))
    raise _unknown()


def _text(head: bytes, complete: bool) -> str | None:
    """The head as text when it is UTF-8 without control characters, else None."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        text = decoder.decode(head.removeprefix(b"\xef\xbb\xbf"), final=complete)
    except UnicodeDecodeError:
        return None
    if _CONTROL.search(text):
        return None
    return text


def _is_csv(text: str) -> bool:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if len(lines) < 2:
        return False
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t")
    except csv.Error:
        return False
    widths = {len(row) for row in csv.reader(lines, dialect)}
    return len(widths) == 1 and widths.pop() > 1


def sniff(file: IO[bytes]) -> FileType:
    """The type of `file` (a seekable binary file, read from its start and left at 0).

    Raises UnsupportedFile for executables, scripts, HTML, old or macro-enabled Office
    files, other zips and anything unknown.
    """
    file.seek(0)
    head = file.read(HEAD_BYTES)
    complete = len(head) < HEAD_BYTES or not file.read(1)
    file.seek(0)
    if not head:
        raise UnsupportedFile(_("The file is empty."))

    if head.startswith(_EXECUTABLE_MAGIC):
        raise _executable()
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return WAV
    if head[4:8] == b"ftyp" and 8 <= int.from_bytes(head[:4], "big") <= 4096:
        brand = head[8:12]
        if brand in _FTYP_AUDIO:
            return M4A
        if brand in _FTYP_REFUSED:
            raise _unknown()
        return MP4
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        if b"webm" in head[:64]:
            return WEBM
        raise _unknown()  # Matroska (.mkv) and other EBML files
    if head.startswith(b"OggS"):
        return OGG
    if head.startswith(b"ID3"):
        return MP3
    if (frame := _mpeg_audio_frame(head)) is not None:
        return frame
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _ooxml(file)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise UnsupportedFile(
            _(
                "Older Office files (.doc, .xls, .ppt) are not accepted; save the file as "
                ".docx, .xlsx or .pptx and upload that."
            )
        )

    text = _text(head, complete)
    if text is None:
        raise _unknown()
    stripped = text.lstrip()
    if stripped.startswith("#!"):
        raise _executable()
    if stripped.startswith("WEBVTT") and stripped[6:7] in ("", " ", "\t", "\r", "\n"):
        return VTT
    if _SRT_START.match(text):
        return SRT
    if _SVG_START.match(head):
        return SVG
    if _HTML_START.match(head):
        raise UnsupportedFile(
            _("Web pages (HTML) cannot be uploaded; save the page as a PDF and upload that.")
        )
    if stripped.startswith("<"):
        raise _unknown()  # other XML: nothing we show or offer for download
    return CSV if _is_csv(text) else TEXT


def kind_of(content_type: str) -> str:
    """The library kind of a content type (for assets made without an upload, e.g. imported
    from a course archive): image/…, video/…, audio/…, text/vtt → captions, else document."""
    if content_type == "text/vtt":
        return CAPTIONS
    major = content_type.split("/", 1)[0]
    return major if major in (IMAGE, VIDEO, AUDIO) else DOCUMENT
