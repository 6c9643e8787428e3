"""Run schema work as the database owner while the application connects as a restricted role.

The application role (DATABASE_URL) is neither superuser nor BYPASSRLS and owns no table,
so PostgreSQL's row-level security always binds it. Creating tables, and the test
database, needs the owner (DATABASE_OWNER_URL). `as_owner()` swaps the credentials of the
default connection for the duration of a block; migrate, flush and the test set-up use it.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connections

_CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")


def owner_configured() -> bool:
    return settings.EGL_DATABASE_OWNER is not None


def application_role() -> str | None:
    """The role that row-level security must bind, if it differs from the owner."""
    return settings.EGL_DATABASE_APP_ROLE or None


@contextmanager
def as_owner(alias: str = "default") -> Iterator[None]:
    if not owner_configured():
        yield
        return
    connection = connections[alias]
    saved = {key: connection.settings_dict.get(key) for key in _CREDENTIALS}
    owner = settings.EGL_DATABASE_OWNER or {}
    connection.close()
    connection.settings_dict.update({key: owner.get(key) for key in _CREDENTIALS})
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)
