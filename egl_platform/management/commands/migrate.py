"""`migrate`, run as the database owner (see egl_platform/db/roles.py)."""

from typing import Any

from django.core.management.commands import migrate

from egl_platform.db.roles import as_owner


class Command(migrate.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        with as_owner(options.get("database") or "default"):
            super().handle(*args, **options)
