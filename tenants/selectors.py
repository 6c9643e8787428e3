"""Reads. Every getter works inside the active tenant; `get_*_for` also checks permission
and answers NotFound for both "missing" and "not yours"."""

from __future__ import annotations

import time
import uuid as uuid_lib
from typing import Any

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from egl_platform.errors import NotFound
from tenants.models import ApiToken, Group, Invitation, Membership, MembershipStatus, Tenant, User
from tenants.permissions import Capability, Role, has_capability, require_capability
from tenants.tenancy import dangerously_unscoped, no_tenant_scope

TENANT_CACHE_SECONDS = 60
# Every request asks for its tenant, so each process also keeps what it found for a few
# seconds (docs/benchmarks.md: the shared-cache round trip was a tenth of a page's time).
# A change made in another process is seen here after at most this long.
TENANT_LOCAL_SECONDS = 10
_local_tenants: dict[str, tuple[float, Tenant | None]] = {}


def _tenant_cache_key(slug: str) -> str:
    return f"tenant-by-slug:{slug}"


def tenant_for_slug(slug: str) -> Tenant | None:
    """The active tenant with this slug (every request asks): process memory, then the cache."""
    now = time.monotonic()
    local = _local_tenants.get(slug)
    if local is not None and local[0] > now:
        return local[1]
    with no_tenant_scope():
        key = _tenant_cache_key(slug)
        tenant = cache.get(key)
        if tenant is None:
            tenant = Tenant.objects.filter(slug=slug, is_active=True).first() or False
            cache.set(key, tenant, TENANT_CACHE_SECONDS)
    _local_tenants[slug] = (now + TENANT_LOCAL_SECONDS, tenant or None)
    return tenant or None


def tenant_cache_forget(tenant: Tenant) -> None:
    _local_tenants.pop(tenant.slug, None)
    with no_tenant_scope():
        cache.delete(_tenant_cache_key(tenant.slug))


def tenant_cache_forget_local() -> None:
    """Drop this process's copies (tests; a process that must see a change at once)."""
    _local_tenants.clear()


def active_membership_of_user_id(user_id: Any) -> Membership | None:
    """The active membership of the active tenant for a user id, with the user, in one query.

    Every signed-in request runs this: a slice, not first(), so no ORDER BY (there is at
    most one membership per user and tenant, a unique constraint).
    """
    found = list(
        Membership.objects.filter(
            user_id=user_id, status=MembershipStatus.ACTIVE, user__is_active=True
        ).select_related("user")[:1]
    )
    return found[0] if found else None


def active_membership_of(user: User) -> Membership | None:
    """The user's active membership of the active tenant."""
    return (
        Membership.objects.filter(user_id=user.pk, status=MembershipStatus.ACTIVE)
        .select_related("user")
        .first()
    )


def tenants_of_user(user: User) -> list[Tenant]:
    """Every active tenant the user is an active member of (for the tenant switcher).

    Platform code: reads memberships across tenants, hence the unscoped block. Cached
    briefly per user, since every page shows the switcher; membership changes forget it.
    """
    with no_tenant_scope():
        key = f"tenants-of-user:{user.pk}"
        found = cache.get(key)
        if found is None:
            with dangerously_unscoped():
                tenant_ids = list(
                    Membership.objects.filter(
                        user_id=user.pk, status=MembershipStatus.ACTIVE
                    ).values_list("tenant_id", flat=True)
                )
            found = list(Tenant.objects.filter(pk__in=tenant_ids, is_active=True).order_by("name"))
            cache.set(key, found, 300)
    return found


def tenants_of_user_forget(user_id: int) -> None:
    with no_tenant_scope():
        cache.delete(f"tenants-of-user:{user_id}")


def _parse_uuid(value: Any) -> uuid_lib.UUID:
    try:
        return value if isinstance(value, uuid_lib.UUID) else uuid_lib.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise NotFound(_("Not found.")) from None


# --- members -------------------------------------------------------------------------------


def members_list(
    *, actor: Membership, search: str = "", role: str = "", status: str = ""
) -> QuerySet[Membership]:
    require_capability(actor, Capability.MEMBERS_MANAGE)
    queryset = Membership.objects.select_related("user")
    if search:
        queryset = queryset.filter(
            Q(user__email__icontains=search) | Q(user__display_name__icontains=search)
        )
    if role and role in Role.values and role != Role.LEARNER:
        queryset = queryset.filter(**{f"is_{role}": True})
    if status in MembershipStatus.values:
        queryset = queryset.filter(status=status)
    return queryset.order_by("user__display_name", "user__email")


def get_membership_for(actor: Membership, membership_uuid: Any) -> Membership:
    require_capability(actor, Capability.MEMBERS_MANAGE)
    found = (
        Membership.objects.select_related("user").filter(uuid=_parse_uuid(membership_uuid)).first()
    )
    if found is None:
        raise NotFound(_("That member does not exist."))
    return found


# --- invitations -----------------------------------------------------------------------------


def invitations_list(*, actor: Membership, status: str = "") -> QuerySet[Invitation]:
    require_capability(actor, Capability.MEMBERS_MANAGE)
    queryset = Invitation.objects.select_related("invited_by__user")
    return queryset.order_by("-created_at")


def get_invitation_for(actor: Membership, invitation_uuid: Any) -> Invitation:
    require_capability(actor, Capability.MEMBERS_MANAGE)
    found = Invitation.objects.filter(uuid=_parse_uuid(invitation_uuid)).first()
    if found is None:
        raise NotFound(_("That invitation does not exist."))
    return found


# --- groups ----------------------------------------------------------------------------------


def groups_list(*, actor: Membership, kind: str = "", search: str = "") -> QuerySet[Group]:
    """Groups are visible to every member (they pick them for assignments); managing needs a capability."""
    if not has_capability(actor, Capability.COURSE_TAKE):
        raise NotFound(_("Not found."))
    queryset = Group.objects.all()
    if kind:
        queryset = queryset.filter(kind=kind)
    if search:
        queryset = queryset.filter(name__icontains=search)
    return queryset.order_by("kind", "name")


def get_group_for(actor: Membership, group_uuid: Any, *, manage: bool = False) -> Group:
    if manage:
        require_capability(actor, Capability.GROUPS_MANAGE)
    elif not has_capability(actor, Capability.COURSE_TAKE):
        raise NotFound(_("That group does not exist."))
    found = Group.objects.filter(uuid=_parse_uuid(group_uuid)).first()
    if found is None:
        raise NotFound(_("That group does not exist."))
    return found


# --- API tokens --------------------------------------------------------------------------------


def api_tokens_of(actor: Membership) -> QuerySet[ApiToken]:
    require_capability(actor, Capability.PROFILE_OWN)
    return ApiToken.objects.filter(membership=actor, revoked_at__isnull=True).order_by(
        "-created_at"
    )


def get_api_token_for(actor: Membership, token_uuid: Any) -> ApiToken:
    found = api_tokens_of(actor).filter(uuid=_parse_uuid(token_uuid)).first()
    if found is None:
        raise NotFound(_("That token does not exist."))
    return found
