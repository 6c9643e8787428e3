"""`manage.py import_course <tenant> PATH [--as EMAIL] [--copy]` (DESIGN.md §11)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from authoring.archive import InvalidArchive, course_import_archive
from egl_platform.errors import DomainError, Forbidden
from tenants.models import Membership, MembershipStatus, Tenant
from tenants.selectors import tenant_for_slug
from tenants.tenancy import tenant_scope

PROBLEMS_SHOWN = 3


def tenant_named(slug: str) -> Tenant:
    tenant = tenant_for_slug(slug.strip().lower())
    if tenant is None:
        raise CommandError(f"No active tenant {slug!r}.")
    return tenant


def _one_line(text: Any) -> str:
    return " ".join(str(text).split())


def command_error(error: DomainError) -> CommandError:
    """One line for operators: the message, and the first problems if there are several."""
    if isinstance(error, InvalidArchive):
        shown = "; ".join(
            f"{p.path}: {_one_line(p.message)}" for p in error.problems[:PROBLEMS_SHOWN]
        )
        more = len(error.problems) - PROBLEMS_SHOWN
        tail = f"; and {more} more" if more > 0 else ""
        return CommandError(
            f"Refused: the archive has {len(error.problems)} problem(s): {shown}{tail}"
        )
    details = "; ".join(
        f"{name}: {' '.join(map(str, problems))}" for name, problems in error.fields.items()
    )
    reason = f"{error.message} ({details})" if details else str(error.message)
    return CommandError(_one_line(reason))


def acting_member(email: str | None) -> Membership:
    """The member named by e-mail, or the tenant's first active admin."""
    members = Membership.objects.filter(status=MembershipStatus.ACTIVE).select_related("user")
    if email:
        member = members.filter(user__email__iexact=email.strip()).first()
        if member is None:
            raise CommandError(f"No active member {email!r} in this tenant.")
        return member
    member = members.filter(is_admin=True).order_by("created_at", "pk").first()
    if member is None:
        raise CommandError("The tenant has no active admin; name a member with --as EMAIL.")
    return member


class Command(BaseCommand):
    help = (
        "Import a course archive (made by export_course --format archive) into a tenant, "
        "owned by --as EMAIL or the tenant's first active admin. The archive's ids are kept; "
        "if the course is already in the tenant, --copy imports it with new ids."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("tenant", help="The tenant's slug, e.g. acme.")
        parser.add_argument("path", help="The archive (.zip).")
        parser.add_argument(
            "--as", dest="as_email", default=None, help="E-mail of the member who will own it."
        )
        parser.add_argument(
            "--copy", action="store_true", help="Import as a copy with new ids (same tenant)."
        )

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"]).expanduser()
        if not path.is_file():
            raise CommandError(f"No file {str(path)!r}.")
        tenant = tenant_named(options["tenant"])
        with tenant_scope(tenant):
            actor = acting_member(options["as_email"])
            try:
                with path.open("rb") as file:
                    course = course_import_archive(actor=actor, file=file, copy=options["copy"])
            except Forbidden as error:
                raise CommandError(
                    f"{actor.user.email} may not create courses: {_one_line(error)}"
                ) from None
            except DomainError as error:
                raise command_error(error) from None
            self.stdout.write(
                f"Imported {course.title!r} ({course.uuid}) into {tenant.slug} as "
                f"{course.slug}, owned by {actor.user.email}"
            )
