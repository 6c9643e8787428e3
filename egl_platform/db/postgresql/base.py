"""PostgreSQL backend that mirrors the tenant scope into the session for row-level security.

Before a cursor is handed out, the session settings `egl.tenant_id` and `egl.unscoped`
are brought in line with the active tenant scope (tenants.tenancy). They are sent only
when they differ from what this connection was last told, so a request costs one extra
statement, not one per query. A rollback can undo a set_config made inside the
transaction, so after any rollback the connection forgets what it was told and says it
again. The statement goes straight to the driver's cursor: it is plumbing, not a query
of the application, and does not appear in query counts.
"""

from typing import Any

from django.db.backends.postgresql import base

from tenants.scope import scope_key

_UNKNOWN = object()

SET_SCOPE_SQL = (
    "SELECT set_config('egl.tenant_id', %s, false), set_config('egl.unscoped', %s, false)"
)


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._egl_scope: object = _UNKNOWN

    def create_cursor(self, name: str | None = None) -> Any:
        cursor = super().create_cursor(name)
        wanted = scope_key()
        if wanted != self._egl_scope:
            tenant_id, unscoped = wanted
            with self.connection.cursor() as raw:
                raw.execute(
                    SET_SCOPE_SQL,
                    ("" if tenant_id is None else str(tenant_id), "on" if unscoped else "off"),
                )
            self._egl_scope = wanted
        return cursor

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        self._egl_scope = _UNKNOWN
        return super().get_new_connection(conn_params)

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]  # private hook, absent from django-stubs
        finally:
            self._egl_scope = _UNKNOWN

    def _savepoint_rollback(self, sid: str) -> None:
        # Forget only afterwards: the ROLLBACK TO SAVEPOINT goes through create_cursor, and
        # a set_config sent first would fail in the aborted transaction it is meant to repair.
        try:
            super()._savepoint_rollback(sid)  # type: ignore[misc]  # as above
        finally:
            self._egl_scope = _UNKNOWN

    def _close(self) -> None:
        self._egl_scope = _UNKNOWN
        super()._close()  # type: ignore[misc]  # as above
