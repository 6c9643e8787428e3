"""`flush`, run as the database owner: TRUNCATE is schema-level work the app role may not do."""

from typing import Any

from django.core.management.commands import flush

from egl_platform.db.roles import as_owner


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        with as_owner(options.get("database") or "default"):
            super().handle(**options)
