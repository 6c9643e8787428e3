"""Tests of the authoring app; `load_xss_payloads` is shared with later import tests."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

XSS_PAYLOADS_FILE = Path(__file__).with_name("xss_payloads.txt")
_CODE_POINT = re.compile(r"\{U\+([0-9A-Fa-f]{4,6})\}")


@cache
def load_xss_payloads() -> tuple[str, ...]:
    """The payloads of xss_payloads.txt, with {U+XXXX} markers turned into characters."""
    lines = XSS_PAYLOADS_FILE.read_text(encoding="utf-8").splitlines()
    return tuple(
        _CODE_POINT.sub(lambda m: chr(int(m.group(1), 16)), line)
        for line in lines
        if line.strip() and not line.startswith("#")
    )
