"""Learning events from the courses app, into the statement store.

courses.tracking sends `learning_event` with one xAPI statement; analytics listens (the
courses app never imports analytics). Connected in AnalyticsConfig.ready().
"""

from __future__ import annotations

from typing import Any

from analytics.store import statement_store


def learning_event_received(sender: Any, *, statement: Any, tenant_id: int, **kwargs: Any) -> None:
    statement_store(statement, tenant_id=tenant_id)
