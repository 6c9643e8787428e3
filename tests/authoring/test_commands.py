"""`export_course` and `import_course` (DESIGN.md §11): exit 0 on success, non-zero with one
line on stderr on any failure, and nothing half-written."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command, load_command_class

from authoring import archive as archive_module
from authoring.models import Course
from tests.authoring import test_archive
from tests.authoring.test_archive import counts, stored_files

# Fixtures shared with test_archive.
acme_course = test_archive.acme_course
media = test_archive.media


def run(monkeypatch, capsys, command: str, *args: str) -> tuple[int, str, str]:
    """The command as `manage.py` runs it: (exit status, stdout, stderr)."""
    from django.core.management import base

    # run_from_argv closes every connection afterwards; the test's transaction must survive.
    monkeypatch.setattr(base.connections, "close_all", lambda: None)
    instance = load_command_class("authoring", command)
    code = 0
    try:
        instance.run_from_argv(["manage.py", command, *args])
    except SystemExit as exit_info:
        code = int(exit_info.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def outdir(tmp_path) -> Path:
    """Where exports go (tmp_path also holds the media folder)."""
    path = tmp_path / "out"
    path.mkdir()
    return path


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


# --- export_course -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["uuid", "slug"])
def test_export_by_uuid_or_slug_writes_the_archive(
    acme, acme_course, outdir, monkeypatch, capsys, name
):
    out = outdir / "course.zip"
    ref = str(acme_course.uuid) if name == "uuid" else acme_course.slug
    code, stdout, err = run(
        monkeypatch, capsys, "export_course", "acme", ref, "--format", "archive", "--out", str(out)
    )
    assert (code, err) == (0, "")
    assert "Exported" in stdout
    with zipfile.ZipFile(out) as zf:
        assert json.loads(zf.read("course.json"))["course"]["id"] == str(acme_course.uuid)
    assert [p.name for p in outdir.iterdir()] == ["course.zip"]


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004", "xapi", "cmi5", "html"])
def test_package_formats_are_not_there_yet(acme, acme_course, outdir, monkeypatch, capsys, fmt):
    out = outdir / "course.zip"
    code, _out, err = run(
        monkeypatch, capsys, "export_course", "acme", acme_course.slug, "--format", fmt,
        "--out", str(out),
    )  # fmt: skip
    assert code == 1
    assert "arrives with package export" in one_line(err)
    assert not out.exists()


def test_a_registered_exporter_is_used(acme, acme_course, outdir, monkeypatch, capsys):
    written: list[str] = []

    def fake(course: Course, out: Path) -> None:
        written.append(str(course.uuid))
        out.write_bytes(b"package")

    monkeypatch.setitem(archive_module.COURSE_EXPORTERS, "html", fake)
    out = outdir / "site.zip"
    code, _out, err = run(
        monkeypatch, capsys, "export_course", "acme", acme_course.slug, "--format", "html",
        "--out", str(out),
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert written == [str(acme_course.uuid)]
    assert out.read_bytes() == b"package"


@pytest.mark.parametrize(
    ("tenant", "course", "message"),
    [
        ("nowhere", "the-slug", "No active tenant 'nowhere'."),
        ("acme", "no-such-course", "No course 'no-such-course' in this tenant"),
        ("acme", "00000000-0000-4000-8000-000000000000", "No course"),
        ("globex", "ACME", "No course"),  # acme's course is not globex's
    ],
)
def test_export_failures_exit_non_zero_with_one_line(
    acme, globex, acme_course, outdir, monkeypatch, capsys, tenant, course, message
):
    course = acme_course.slug if course == "ACME" else course
    out = outdir / "course.zip"
    code, _out, err = run(
        monkeypatch, capsys, "export_course", tenant, course, "--format", "archive",
        "--out", str(out),
    )  # fmt: skip
    assert code == 1
    assert message in one_line(err)
    assert list(outdir.iterdir()) == []


def test_an_unknown_format_is_a_usage_error(acme, acme_course, outdir, monkeypatch, capsys):
    code, _out, err = run(
        monkeypatch, capsys, "export_course", "acme", acme_course.slug, "--format", "pdf",
        "--out", str(outdir / "x"),
    )  # fmt: skip
    assert code != 0
    assert "invalid choice" in err


def test_a_missing_file_fails_the_export_and_leaves_no_file(
    acme, acme_course, outdir, monkeypatch, capsys, media
):
    for path in stored_files(media):
        path.unlink()
    out = outdir / "course.zip"
    code, _out, err = run(
        monkeypatch, capsys, "export_course", "acme", acme_course.slug, "--format", "archive",
        "--out", str(out),
    )  # fmt: skip
    assert code == 1
    assert "missing from storage" in one_line(err)
    assert list(outdir.iterdir()) == []


# --- import_course -----------------------------------------------------------------------------


@pytest.fixture
def archive_path(acme, acme_course, tmp_path) -> Path:
    path = tmp_path / "course.zip"
    call_command(
        "export_course", "acme", str(acme_course.uuid), "--format", "archive", "--out", str(path)
    )
    return path


def test_import_into_another_tenant_as_its_first_admin(
    globex, archive_path, acme_course, monkeypatch, capsys
):
    code, stdout, err = run(monkeypatch, capsys, "import_course", "globex", str(archive_path))
    assert (code, err) == (0, "")
    assert "Imported" in stdout
    with globex.scope():
        course = Course.objects.get()
        assert str(course.uuid) == str(acme_course.uuid)
        assert course.owner == globex.admin


def test_import_as_a_named_member(globex, archive_path, monkeypatch, capsys):
    code, _out, err = run(
        monkeypatch, capsys, "import_course", "globex", str(archive_path), "--as",
        globex.author.user.email.upper(),
    )  # fmt: skip
    assert (code, err) == (0, "")
    with globex.scope():
        assert Course.objects.get().owner == globex.author


def test_import_into_the_same_tenant_needs_copy(acme, archive_path, monkeypatch, capsys):
    code, _out, err = run(monkeypatch, capsys, "import_course", "acme", str(archive_path))
    assert code == 1
    assert "already in this organisation" in one_line(err)
    with acme.scope():
        assert Course.objects.count() == 1
    code, _out, err = run(monkeypatch, capsys, "import_course", "acme", str(archive_path), "--copy")
    assert (code, err) == (0, "")
    with acme.scope():
        assert Course.objects.count() == 2


def test_a_bad_archive_prints_the_count_and_first_problems(
    globex, archive_path, tmp_path, monkeypatch, capsys, media
):
    with zipfile.ZipFile(archive_path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    for n in range(5):
        members[f"junk{n}.txt"] = b"x"
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    files_before = stored_files(media)
    code, _out, err = run(monkeypatch, capsys, "import_course", "globex", str(bad))
    assert code == 1
    line = one_line(err)
    assert "the archive has 5 problem(s)" in line
    assert "junk0.txt: The archive holds a file it does not use." in line
    assert "and 2 more" in line
    with globex.scope():
        assert counts() == (0, 0, 0, 0, 0)
    assert stored_files(media) == files_before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere", "ARCHIVE"], "No active tenant 'nowhere'."),
        (["globex", "/no/such/file.zip"], "No file '/no/such/file.zip'."),
        (["globex", "ARCHIVE", "--as", "nobody@globex.test"], "No active member"),
        (["globex", "ARCHIVE", "--as", "LEARNER"], "may not create courses"),
        (["globex", "NOT_A_ZIP"], "This is not a zip archive."),
    ],
)
def test_import_failures_exit_non_zero_with_one_line(
    globex, archive_path, tmp_path, monkeypatch, capsys, args, message
):
    not_zip = tmp_path / "notes.zip"
    not_zip.write_bytes(b"hello")
    replace = {
        "ARCHIVE": str(archive_path),
        "NOT_A_ZIP": str(not_zip),
        "LEARNER": globex.learner.user.email,
    }
    code, _out, err = run(monkeypatch, capsys, "import_course", *[replace.get(a, a) for a in args])
    assert code == 1
    assert message in one_line(err)
    with globex.scope():
        assert Course.objects.count() == 0


def test_a_tenant_without_an_active_admin_needs_as(globex, archive_path, monkeypatch, capsys):
    with globex.scope():
        globex.admin.status = "deactivated"
        globex.admin.save(update_fields=["status"])
    code, _out, err = run(monkeypatch, capsys, "import_course", "globex", str(archive_path))
    assert code == 1
    assert "--as EMAIL" in one_line(err)


def test_the_size_limit_applies_to_an_archive_on_disk(globex, archive_path, monkeypatch, capsys):
    """The archive's size limit applies to files on disk too."""
    monkeypatch.setattr(archive_module, "archive_max_bytes", lambda: 100)
    code, _out, err = run(monkeypatch, capsys, "import_course", "globex", str(archive_path))
    assert code == 1
    assert "too_large" not in err
    assert "MB is allowed" in one_line(err)
