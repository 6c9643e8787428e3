"""`manage.py export_course <tenant> <course> --format archive --out PATH` (DESIGN.md §11)."""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from authoring.archive import COURSE_EXPORTERS, EXPORT_FORMATS
from authoring.management.commands.import_course import command_error, tenant_named
from authoring.models import Course
from egl_platform.errors import DomainError
from tenants.tenancy import tenant_scope


def course_named(name: str) -> Course:
    """The active tenant's course with this UUID or slug; CommandError if there is none."""
    course = None
    try:
        course = Course.objects.filter(uuid=uuid.UUID(name)).first()
    except ValueError:
        course = None  # not a UUID: a slug
    if course is None:
        course = Course.objects.filter(slug=name).first()
    if course is None:
        raise CommandError(f"No course {name!r} in this tenant (give its UUID or slug).")
    return course


class Command(BaseCommand):
    help = (
        "Export a course of a tenant to a file. Formats: archive (course document and media, "
        "for import_course); scorm12, scorm2004, xapi, cmi5 and html arrive with package export."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("tenant", help="The tenant's slug, e.g. acme.")
        parser.add_argument("course", help="The course's UUID or slug.")
        parser.add_argument(
            "--format",
            required=True,
            choices=EXPORT_FORMATS,
            dest="format",
            help="archive (available now); the package formats arrive with package export.",
        )
        parser.add_argument("--out", required=True, help="The file to write.")

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        fmt = options["format"]
        exporter = COURSE_EXPORTERS.get(fmt)
        if exporter is None:
            raise CommandError(
                f"Format {fmt} is not available yet: it arrives with package export "
                "(use --format archive)."
            )
        out = Path(options["out"]).expanduser()
        if not out.parent.is_dir():
            raise CommandError(f"The folder {str(out.parent)!r} does not exist.")
        tenant = tenant_named(options["tenant"])
        with tenant_scope(tenant):
            course = course_named(options["course"])
            # Write beside the target and rename: a failure never leaves half a file.
            handle, partial = tempfile.mkstemp(prefix=".export-", dir=out.parent)
            os.close(handle)
            try:
                exporter(course, Path(partial))
                os.replace(partial, out)
            except DomainError as error:
                raise command_error(error) from None
            finally:
                if os.path.exists(partial):
                    os.unlink(partial)
        self.stdout.write(
            f"Exported {course.title!r} ({course.uuid}) of {tenant.slug} as {fmt} to {out}"
        )
