"""Caption files: WebVTT is kept as it is; SubRip (SRT) is converted to WebVTT, the format
browsers read for <track>."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from authoring.media.sniff import UnsupportedFile

CAPTIONS_MAX_BYTES = 5 * 1024 * 1024
_TIMING = re.compile(
    r"^(\d{1,2}:\d{2}:\d{2})[,.](\d{1,3})([ \t]+-->[ \t]+)(\d{1,2}:\d{2}:\d{2})[,.](\d{1,3})(.*)$"
)


def _stamp(clock: str, millis: str) -> str:
    hours, minutes, seconds = clock.split(":")
    return f"{int(hours):02d}:{minutes}:{seconds}.{millis.ljust(3, '0')}"


def srt_to_vtt(content: bytes) -> bytes:
    """The SRT file as WebVTT: a header, and timings with a full stop before the milliseconds.

    Cue numbers stay (WebVTT reads them as cue identifiers); the text is unchanged.
    """
    if len(content) > CAPTIONS_MAX_BYTES:
        raise UnsupportedFile(_("Caption files over 5 MB are not accepted."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnsupportedFile(_("This caption file is not UTF-8 text.")) from None
    lines = ["WEBVTT", ""]
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        match = _TIMING.match(line.strip())
        if match:
            start, arrow, end = (
                _stamp(*match.group(1, 2)),
                match.group(3),
                _stamp(*match.group(4, 5)),
            )
            line = f"{start}{arrow}{end}"
        lines.append(line)
    return ("\n".join(lines).rstrip("\n") + "\n").encode("utf-8")
