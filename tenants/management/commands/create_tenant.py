"""`manage.py create_tenant <slug> --name … --admin-email …`: a new tenant and its first admin."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from egl_platform.errors import DomainError
from tenants.hosts import tenant_origin
from tenants.models import User
from tenants.services.platform import tenant_create


class Command(BaseCommand):
    help = (
        "Create a tenant (an organisation at <slug>.<EGL_BASE_DOMAIN>) and its first admin, who also "
        "gets the reviewer and author roles. An existing account is linked as it is; a new account "
        "gets --admin-password, or without one signs in after a password reset."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "slug", help="The tenant's address: 1-40 lowercase letters, digits or hyphens."
        )
        parser.add_argument(
            "--name", required=True, help="The organisation's name, e.g. 'Acme Logistics'."
        )
        parser.add_argument(
            "--admin-email", required=True, help="E-mail address of the first admin."
        )
        parser.add_argument(
            "--languages",
            default="en",
            help="Comma-separated content languages, the first is the default (default: en), e.g. nl,en.",
        )
        parser.add_argument(
            "--admin-password", default=None, help="Password for a new admin account."
        )

    @no_translations  # operators read English, whatever language a caller left active
    def handle(self, *args: Any, **options: Any) -> None:
        languages = [
            code.strip().lower() for code in options["languages"].split(",") if code.strip()
        ]
        existing_account = User.objects.filter(
            email__iexact=(options["admin_email"] or "").strip()
        ).exists()
        try:
            tenant, membership = tenant_create(
                slug=options["slug"],
                name=options["name"],
                admin_email=options["admin_email"],
                languages=languages,
                admin_password=options["admin_password"],
            )
        except DomainError as error:
            # One line, for operators and scripts: Django prints it and exits with status 1.
            details = "; ".join(
                f"{name}: {' '.join(map(str, problems))}" for name, problems in error.fields.items()
            )
            reason = f"{error.message} ({details})" if details else str(error.message)
            raise CommandError(" ".join(reason.split())) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Created tenant {tenant.slug} ({tenant.name}) at {tenant_origin(tenant)}/"
            )
        )
        user = membership.user
        if existing_account:
            note = " Their password was left unchanged." if options["admin_password"] else ""
            self.stdout.write(f"{user.email} (an existing account) is its admin.{note}")
        elif not user.has_usable_password():
            self.stdout.write(
                f"{user.email} is its admin and has no password yet: use 'Forgot password?' on the sign-in page."
            )
        else:
            self.stdout.write(f"{user.email} is its admin.")
