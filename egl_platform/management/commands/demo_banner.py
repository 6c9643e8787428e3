"""`manage.py demo_banner --port N`: where the demo runs and who can sign in (make run)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Print the demo's addresses (each tenant, the platform page, the API docs) and the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port", default=settings.EGL_PUBLIC_PORT, help="The port the server listens on."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Imported here: the management command module of another app (tenants) owns the data.
        from tenants.management.commands.seed_demo import DEMO_PASSWORD, DEMO_TENANTS, demo_logins

        port = f":{options['port']}" if options["port"] else ""
        scheme, base = settings.EGL_SCHEME, settings.EGL_BASE_DOMAIN

        def origin(slug: str = "") -> str:
            return f"{scheme}://{slug + '.' if slug else ''}{base}{port}"

        lines = ["", "EGL demo", ""]
        for spec in DEMO_TENANTS:
            lines.append(f"  {spec.name:<22} {origin(spec.slug)}/")
        lines += [
            f"  {'Platform page':<22} {origin()}/",
            f"  {'API docs (Acme)':<22} {origin(DEMO_TENANTS[0].slug)}/api/docs/",
            "",
            f"  Sign in with any of these; the password is {DEMO_PASSWORD}",
            "",
            f"  {'tenant':<8} {'e-mail':<22} roles",
        ]
        for slug, email, roles in demo_logins():
            lines.append(f"  {slug:<8} {email:<22} {roles}")
        lines += [
            "",
            "  Browsers send *.localhost to this machine. For curl or scripts use",
            f"  127.0.0.1 with a Host header: curl -H 'Host: acme.{base}{port}' http://127.0.0.1{port}/",
            "",
        ]
        self.stdout.write("\n".join(lines))
