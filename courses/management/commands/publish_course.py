"""`manage.py publish_course <tenant> <course> [--as EMAIL] [--notes TEXT]` (DESIGN.md §11).

Runs the same `courses.publish` job as the web and the API, here and now: the policy check,
release n+1 and the catalog switch, all or nothing. The job row is kept, as for any job.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from authoring.management.commands.export_course import course_named
from authoring.management.commands.import_course import _one_line, command_error, tenant_named
from courses.models import Release
from courses.publishing import release_publish
from egl_platform.errors import DomainError, Forbidden
from egl_platform.models import JobStatus
from tenants.models import Membership, MembershipStatus
from tenants.tenancy import tenant_scope


def _actor(email: str | None, owner: Membership) -> Membership:
    if not email:
        if owner.status != MembershipStatus.ACTIVE:
            raise CommandError("The course's owner is not an active member; use --as EMAIL.")
        return owner
    member = (
        Membership.objects.filter(status=MembershipStatus.ACTIVE, user__email__iexact=email.strip())
        .select_related("user")
        .first()
    )
    if member is None:
        raise CommandError(f"No active member {email!r} in this tenant.")
    return member


class Command(BaseCommand):
    help = (
        "Publish a course of a tenant as its next release (the same job as the Publish button), "
        "as --as EMAIL or the course's owner. Exits non-zero with the reason when refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("tenant", help="The tenant's slug, e.g. acme.")
        parser.add_argument("course", help="The course's UUID or slug.")
        parser.add_argument(
            "--as", dest="as_email", default=None, help="E-mail of the member who publishes."
        )
        parser.add_argument("--notes", default="", help="Release notes (plain text).")

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        tenant = tenant_named(options["tenant"])
        with tenant_scope(tenant):
            course = course_named(options["course"])
            actor = _actor(options["as_email"], course.owner)
            try:
                job = release_publish(
                    actor=actor, course=course, notes=options["notes"] or "", run_now=True
                )
            except DomainError as error:
                raise command_error(error) from None
            except Forbidden as error:
                raise CommandError(_one_line(f"Refused: {error}")) from None
            if job.status != JobStatus.SUCCEEDED:
                raise CommandError(_one_line(f"Publishing failed: {job.message}"))
            release = Release.objects.get(uuid=job.result["release"])
        self.stdout.write(
            f"Published {course.title!r} ({course.uuid}) of {tenant.slug}: "
            f"release {release.number} is live."
        )
