"""`manage.py compile_translations`: every .po file to its .mo, with polib (no gettext needed).

Compiled catalogues are build output (git-ignored); `make run`, `make test`, `make worker`
and the Docker image make them. Unlike Django's `compilemessages` this needs no GNU
gettext on the machine. Fuzzy and untranslated entries are left out, as msgfmt does, and
like `msgfmt --check-format` (which compilemessages uses) a translation whose
placeholders would fail at run time is refused.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


def locale_dirs() -> list[Path]:
    """settings.LOCALE_PATHS and the locale/ folder of each of our own apps."""
    base = Path(settings.BASE_DIR).resolve()
    candidates = [Path(path) for path in settings.LOCALE_PATHS]
    candidates += [Path(config.path) / "locale" for config in apps.get_app_configs()]
    found: list[Path] = []
    for path in candidates:
        path = path.resolve()
        inside_project = base in path.parents and ".venv" not in path.parts
        if path.is_dir() and inside_project and path not in found:
            found.append(path)
    return found


# A %-placeholder: %(name)s, %s, %5.2f … (not %%).
PLACEHOLDER = re.compile(
    r"%(?:\((\w+)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?([diouxXeEfFgGcrsa%])"
)


def _placeholders(text: str) -> tuple[set[str], list[str]]:
    """(named placeholders, positional conversions) of a python-format string."""
    named: set[str] = set()
    positional: list[str] = []
    for name, conversion in PLACEHOLDER.findall(text):
        if conversion == "%":
            continue
        if name:
            named.add(name)
        else:
            positional.append(conversion)
    return named, positional


def format_problem(entry: polib.POEntry) -> str | None:
    """What msgfmt --check-format would refuse and would break at run time, if anything.

    A translation may leave out a named placeholder, but not bring one the source lacks
    (KeyError), and must keep the number of positional ones (TypeError).
    """
    if "python-format" not in entry.flags:
        return None
    source_named, source_positional = _placeholders(entry.msgid + " " + (entry.msgid_plural or ""))
    translations = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
    for translation in translations:
        if not translation:
            continue
        named, positional = _placeholders(translation)
        if unknown := named - source_named:
            return f"unknown placeholder %({sorted(unknown)[0]})s in the translation of {entry.msgid!r}"
        if source_positional and len(positional) != len(source_positional):
            return f"the translation of {entry.msgid!r} has {len(positional)} placeholders, the source {len(source_positional)}"
    return None


def compile_po(po_path: Path, mo_path: Path) -> int:
    """Write mo_path from po_path (atomically: a running server never reads half a file).

    Refuses a file polib cannot parse, duplicate entries, and translations whose
    placeholders would raise at run time.
    """
    try:
        catalogue = polib.pofile(str(po_path), check_for_duplicates=True)
    except (OSError, ValueError) as error:
        raise CommandError(f"{po_path}: {error}") from None
    for entry in catalogue.translated_entries():
        if problem := format_problem(entry):
            raise CommandError(f"{po_path}:{entry.linenum}: {problem}")
    handle, temporary = tempfile.mkstemp(dir=mo_path.parent, prefix=".", suffix=".mo")
    os.close(handle)
    try:
        catalogue.save_as_mofile(temporary)
        Path(temporary).chmod(0o644)
        Path(temporary).replace(mo_path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(catalogue.translated_entries())


class Command(BaseCommand):
    help = (
        "Compile every locale/<lang>/LC_MESSAGES/*.po to .mo with polib (GNU gettext not needed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Recompile even when the .mo is up to date."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        compiled = skipped = 0
        for directory in locale_dirs():
            for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if (
                    not options["force"]
                    and mo_path.exists()
                    and mo_path.stat().st_mtime >= po_path.stat().st_mtime
                ):
                    skipped += 1
                    continue
                entries = compile_po(po_path, mo_path)
                compiled += 1
                if options["verbosity"] >= 1:
                    self.stdout.write(
                        f"compiled {po_path.relative_to(settings.BASE_DIR)} ({entries} messages)"
                    )
        if options["verbosity"] >= 1:
            self.stdout.write(f"Translations: {compiled} compiled, {skipped} up to date.")
