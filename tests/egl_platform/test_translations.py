"""Every string of the UI is in the Dutch catalogue, translated, with the same placeholders."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "nl" / "LC_MESSAGES" / "django.po"
SOURCES = (
    "manage.py",
    "egl_platform",
    "tenants",
    "authoring",
    "reviews",
    "courses",
    "analytics",
    "templates",
    "locale",
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%\(\w+\)\.\d+f")


def _untranslated(po: polib.POFile) -> list[str]:
    return [
        entry.msgid
        for entry in po
        if not entry.obsolete and (not entry.translated() or "fuzzy" in entry.flags)
    ]


def test_the_dutch_catalogue_is_complete_and_keeps_every_placeholder():
    po = polib.pofile(str(CATALOGUE))
    assert _untranslated(po) == []
    for entry in po.translated_entries():
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for translation in translations:
            assert set(PLACEHOLDER.findall(translation)) <= set(
                PLACEHOLDER.findall(entry.msgid + entry.msgid_plural)
            ), entry.msgid


@pytest.mark.skipif(
    not shutil.which("xgettext"), reason="makemessages needs GNU gettext (apt-get install gettext)"
)
def test_no_string_of_the_code_is_missing_from_the_catalogue(tmp_path):
    # Extract afresh from a copy of the sources, so the repository's catalogue is not touched.
    for name in SOURCES:
        source = Path(settings.BASE_DIR) / name
        if source.is_dir():
            shutil.copytree(
                source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo")
            )
        else:
            shutil.copy(source, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "nl", "--no-obsolete", "-v0"],
        cwd=tmp_path,
        check=True,
    )
    fresh = polib.pofile(str(tmp_path / "locale" / "nl" / "LC_MESSAGES" / "django.po"))
    assert _untranslated(fresh) == [], (
        "run `manage.py makemessages -l nl` and translate the new strings"
    )
