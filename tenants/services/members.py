"""Members: roles, deactivation and reactivation. Content of a deactivated member stays."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egl_platform.errors import Conflict, Invalid
from tenants.models import Membership, MembershipStatus
from tenants.permissions import ASSIGNABLE_ROLES, Capability, Role, require_capability
from tenants.selectors import tenants_of_user_forget
from tenants.services.audit import audit_record
from tenants.signals import membership_deactivated


def clean_roles(roles: Iterable[str]) -> list[str]:
    """Validate a set of roles; learner is implicit and may be named or not."""
    roles = list(roles)
    unknown = sorted({role for role in roles if role not in Role.values})
    if unknown:
        raise Invalid(
            _("Unknown role: %(roles)s.") % {"roles": ", ".join(unknown)},
            fields={"roles": [_("Choose from author, reviewer and admin.")]},
        )
    return [role.value for role in ASSIGNABLE_ROLES if role.value in roles]


def _lock(membership: Membership) -> Membership:
    """Lock the active admins' rows, then the member's, and return the member as stored.

    Admins first and always in the same order: two admins taking each other's admin role
    (or deactivating each other) at the same moment then queue instead of deadlocking, and
    the second sees the first's outcome when it checks that an admin remains.
    """
    admins = Membership.objects.select_for_update().filter(
        is_admin=True, status=MembershipStatus.ACTIVE
    )
    list(admins.order_by("pk").values_list("pk", flat=True))
    return Membership.objects.select_for_update().get(pk=membership.pk)


def _other_active_admins(membership: Membership) -> bool:
    return (
        Membership.objects.filter(is_admin=True, status=MembershipStatus.ACTIVE)
        .exclude(pk=membership.pk)
        .exists()
    )


def _set_status(
    *, actor: Membership, locked: Membership, status: MembershipStatus, verb: str
) -> None:
    locked.status = status
    locked.deactivated_at = timezone.now() if status == MembershipStatus.DEACTIVATED else None
    locked.save(update_fields=["status", "deactivated_at"])
    audit_record(actor=actor, verb=verb, target=locked)
    user_id = locked.user_id
    transaction.on_commit(lambda: tenants_of_user_forget(user_id))


def membership_set_roles(
    *, actor: Membership, membership: Membership, roles: Iterable[str]
) -> Membership:
    """Give the member exactly these roles. The last active admin cannot lose the admin role."""
    require_capability(actor, Capability.MEMBERS_MANAGE)
    wanted = clean_roles(roles)
    with transaction.atomic():
        locked = _lock(membership)
        if locked.is_admin and Role.ADMIN not in wanted and not _other_active_admins(locked):
            raise Conflict(
                _("An organisation needs at least one admin. Make someone else admin first.")
            )
        before = locked.roles
        locked.set_roles(wanted)
        locked.save(update_fields=["is_author", "is_reviewer", "is_admin"])
        audit_record(
            actor=actor,
            verb="membership.roles_changed",
            target=locked,
            before=before,
            after=locked.roles,
        )
    membership.refresh_from_db()
    return membership


def membership_deactivate(*, actor: Membership, membership: Membership) -> Membership:
    """Stop the member signing in here. Their courses, comments and results stay untouched."""
    require_capability(actor, Capability.MEMBERS_MANAGE)
    with transaction.atomic():
        locked = _lock(membership)
        if locked.status == MembershipStatus.DEACTIVATED:
            raise Conflict(_("This member is already deactivated."))
        if locked.pk == actor.pk:
            raise Conflict(_("You cannot deactivate yourself."))
        if locked.is_admin and not _other_active_admins(locked):
            raise Conflict(
                _("An organisation needs at least one admin. Make someone else admin first.")
            )
        _set_status(
            actor=actor,
            locked=locked,
            status=MembershipStatus.DEACTIVATED,
            verb="membership.deactivated",
        )
        membership_deactivated.send(sender=Membership, membership=locked, actor=actor)
    membership.refresh_from_db()
    return membership


def membership_reactivate(*, actor: Membership, membership: Membership) -> Membership:
    require_capability(actor, Capability.MEMBERS_MANAGE)
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.status == MembershipStatus.ACTIVE:
            raise Conflict(_("This member is already active."))
        _set_status(
            actor=actor,
            locked=locked,
            status=MembershipStatus.ACTIVE,
            verb="membership.reactivated",
        )
    membership.refresh_from_db()
    return membership
