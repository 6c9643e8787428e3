"""The one way a Celery task enters a tenant: `@tenant_task`.

A tenant task takes `tenant_id` (and other small JSON arguments) as keywords; the
decorator loads the tenant and runs the body inside tenants.tenancy.tenant_scope, so the
managers, the row-level-security session setting, cache keys and storage paths all follow.
Defaults follow STYLE.md: acks_late, reject_on_worker_lost, retry only transient errors,
with backoff and jitter, bounded.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError

from tenants.models import Tenant
from tenants.tenancy import tenant_scope

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    ConnectionError,
    TimeoutError,
)


class TenantGone(Exception):
    """The task's tenant no longer exists or was deactivated; the task is dropped."""


def tenant_task(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    celery_options: dict[str, Any] = {
        "acks_late": True,
        "reject_on_worker_lost": True,
        "autoretry_for": TRANSIENT_ERRORS,
        "retry_backoff": 2,
        "retry_backoff_max": 300,
        "retry_jitter": True,
        "max_retries": 5,
        "time_limit": 30 * 60,
        "soft_time_limit": 25 * 60,
        **options,
    }

    def decorate(function: Callable[..., Any]) -> Any:
        @wraps(function)
        def run(*args: Any, tenant_id: int, **kwargs: Any) -> Any:
            tenant = Tenant.objects.filter(pk=tenant_id, is_active=True).first()
            if tenant is None:
                raise TenantGone(f"tenant {tenant_id} is missing or inactive")
            with tenant_scope(tenant):
                return function(*args, **kwargs)

        return shared_task(**celery_options)(run)

    return decorate
