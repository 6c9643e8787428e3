"""Set-up commands: compile_translations (polib, no gettext needed) and demo_banner."""

from __future__ import annotations

import gettext
import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

PO = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: nl\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgid "Home"
msgstr "Start"

msgid "%(count)d member"
msgid_plural "%(count)d members"
msgstr[0] "%(count)d lid"
msgstr[1] "%(count)d leden"

#, fuzzy
msgid "Groups"
msgstr "Groepjes"

msgid "Untranslated"
msgstr ""
"""


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def project(tmp_path: Path):
    messages = tmp_path / "locale" / "nl" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    (messages / "django.po").write_text(PO, encoding="utf-8")
    with override_settings(BASE_DIR=tmp_path, LOCALE_PATHS=[tmp_path / "locale"]):
        yield messages


def test_compile_translations_writes_a_catalogue_gettext_reads(project: Path) -> None:
    output = run("compile_translations")

    catalogue = gettext.GNUTranslations((project / "django.mo").open("rb"))
    assert catalogue.gettext("Home") == "Start"
    assert catalogue.ngettext("%(count)d member", "%(count)d members", 1) == "%(count)d lid"
    assert catalogue.ngettext("%(count)d member", "%(count)d members", 3) == "%(count)d leden"
    assert catalogue.gettext("Groups") == "Groups"  # fuzzy entries are left out, as msgfmt does
    assert catalogue.gettext("Untranslated") == "Untranslated"
    assert "1 compiled" in output


def test_compile_translations_skips_up_to_date_catalogues_unless_forced(project: Path) -> None:
    run("compile_translations")
    mo = project / "django.mo"
    os.utime(mo, (mo.stat().st_atime, mo.stat().st_mtime + 10))
    before = mo.stat().st_mtime_ns

    assert "1 up to date" in run("compile_translations")
    assert mo.stat().st_mtime_ns == before
    assert "1 compiled" in run("compile_translations", "--force")


@pytest.mark.parametrize(
    ("po", "reason"),
    [
        ("this is not a po file\n", "Syntax error"),
        ('msgid "Home"\nmsgstr "Start"\n\nmsgid "Home"\nmsgstr "Thuis"\n', "already exists"),
        (
            '#, python-format\nmsgid "Hello %(name)s"\nmsgstr "Hallo %(naam)s"\n',
            "unknown placeholder %(naam)s",
        ),
        ('#, python-format\nmsgid "%s of %s"\nmsgstr "%s"\n', "has 1 placeholders, the source 2"),
    ],
)
def test_compile_translations_refuses_a_bad_po_file_and_writes_nothing(
    project: Path, po: str, reason: str
) -> None:
    (project / "django.po").write_text(po, encoding="utf-8")

    with pytest.raises(CommandError) as error:
        run("compile_translations")

    assert "django.po" in str(error.value)
    assert reason in str(error.value)
    assert not (project / "django.mo").exists()
    assert not list(project.glob(".*.mo"))  # no half-written temporary file left behind


def test_compile_translations_accepts_a_translation_that_leaves_out_a_named_placeholder(
    project: Path,
) -> None:
    (project / "django.po").write_text(
        '#, python-format\nmsgid "%(count)d new message"\nmsgid_plural "%(count)d new messages"\n'
        'msgstr[0] "Een nieuw bericht"\nmsgstr[1] "%(count)d nieuwe berichten"\n',
        encoding="utf-8",
    )

    run("compile_translations")

    catalogue = gettext.GNUTranslations((project / "django.mo").open("rb"))
    assert (
        catalogue.ngettext("%(count)d new message", "%(count)d new messages", 1)
        == "Een nieuw bericht"
    )


def test_demo_banner_lists_the_demo_addresses_and_every_login() -> None:
    output = run("demo_banner", "--port", "8123")

    for address in (
        "http://acme.localhost:8123/",
        "http://globex.localhost:8123/",
        "http://localhost:8123/",
        "http://acme.localhost:8123/api/docs/",
    ):
        assert address in output
    for email in (
        "admin@acme.test",
        "reviewer@acme.test",
        "author@acme.test",
        "author2@acme.test",
        "learner@acme.test",
        "admin@globex.test",
        "author@globex.test",
        "learner@globex.test",
    ):
        assert email in output
    assert "demo-pass-123" in output
