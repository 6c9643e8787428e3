"""The statement store (DESIGN.md §8): where every xAPI statement lands.

    accepted = statement_store(statement, tenant_id=tenant.pk)  # False: invalid, not stored

Validates the statement (analytics.xapi), keeps it exactly as sent in `payload` and copies
the columns queries filter on. One INSERT … ON CONFLICT DO NOTHING on (tenant, statement
id): storing the same statement twice keeps the first, as an LRS does. An invalid statement
is logged and not stored. A later issue opens this store as a full LRS (it will also set
`stored` and `authority` in the statements it returns).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from analytics.models import Statement
from analytics.xapi import validate_statement
from tenants.models import Tenant
from tenants.tenancy import CrossTenantWrite, get_active_tenant, tenant_scope

__all__ = ["actor_key", "statement_store"]

logger = logging.getLogger(__name__)


def actor_key(actor: Mapping[str, Any]) -> str:
    """The actor's identifier for per-learner queries: the account name, else the IFI."""
    account = actor.get("account")
    if isinstance(account, Mapping):
        return str(account.get("name", ""))[:200]
    for key in ("mbox", "mbox_sha1sum", "openid"):
        if key in actor:
            return str(actor[key])[:200]
    return ""


def _parse_timestamp(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace(",", "."))
    except ValueError:
        return None
    # A timestamp without a time zone is taken as UTC.
    return timezone.make_aware(moment, UTC) if timezone.is_naive(moment) else moment


def _insert(statement: Mapping[str, Any], tenant: Tenant, timestamp: datetime) -> None:
    context = statement.get("context") or {}
    registration = context.get("registration")
    row = Statement(
        tenant=tenant,
        statement_id=uuid.UUID(statement["id"]),
        verb=statement["verb"]["id"],
        object_id=str(statement["object"].get("id", ""))[:500],
        actor_key=actor_key(statement["actor"]),
        registration=uuid.UUID(registration) if registration else None,
        timestamp=timestamp,
        stored=timezone.now(),
        payload=dict(statement),
    )
    # One INSERT … ON CONFLICT DO NOTHING: a statement id already stored keeps its first row.
    Statement.objects.bulk_create([row], ignore_conflicts=True)


def statement_store(statement: Any, *, tenant_id: int) -> bool:
    """Validate `statement` and store it in tenant `tenant_id`'s store (idempotent).

    Returns True when the statement is in the store (now, or already before: same id), and
    False, after logging, when it is not valid xAPI 1.0.3. A statement
    without an id gets one (an LRS assigns it); one without a timestamp gets the time now.
    Runs in the active tenant's scope, which must be `tenant_id`'s; with none active (a
    task) it enters that tenant's scope.
    """
    if isinstance(statement, Mapping):
        statement = dict(statement)
        statement.setdefault("id", str(uuid.uuid4()))
        statement.setdefault(
            "timestamp", timezone.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")
        )
    problems = validate_statement(statement)
    timestamp = _parse_timestamp(statement["timestamp"]) if not problems else None
    if timestamp is None and not problems:
        problems = ["/timestamp: cannot be read as a date and time"]
    if problems or timestamp is None:
        logger.error(
            "xAPI statement not stored (tenant %s): %s", tenant_id, "; ".join(problems[:20])
        )
        return False
    active = get_active_tenant()
    if active is not None:
        if active.pk != tenant_id:
            raise CrossTenantWrite(
                f"statement for tenant {tenant_id} in tenant {active.pk}'s scope"
            )
        _insert(statement, active, timestamp)
        return True
    tenant = Tenant.objects.get(pk=tenant_id)
    with tenant_scope(tenant):
        _insert(statement, tenant, timestamp)
    return True
