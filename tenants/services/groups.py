"""Groups (team / region / department) and who is in them."""

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from egl_platform.errors import Invalid, NotFound
from tenants.models import Group, GroupKind, GroupMember, Membership
from tenants.permissions import Capability, require_capability
from tenants.services.audit import audit_record


def _clean(name: str, kind: str) -> tuple[str, str]:
    name = (name or "").strip()
    if not name:
        raise Invalid(_("A group needs a name."), fields={"name": [_("This field is required.")]})
    if len(name) > 120:
        raise Invalid(_("Keep the name under 120 characters."), fields={"name": [_("Too long.")]})
    if kind not in GroupKind.values:
        raise Invalid(
            _("Choose team, region or department."), fields={"kind": [_("Unknown kind.")]}
        )
    return name, kind


def _duplicate(name: str, kind: str) -> Invalid:
    return Invalid(
        _("There is already a %(kind)s called “%(name)s”.")
        % {"kind": GroupKind(kind).label.lower(), "name": name},
        fields={"name": [_("Already taken.")]},
    )


def group_create(*, actor: Membership, name: str, kind: str, description: str = "") -> Group:
    require_capability(actor, Capability.GROUPS_MANAGE)
    name, kind = _clean(name, kind)
    try:
        with transaction.atomic():
            group = Group.objects.create(name=name, kind=kind, description=description.strip())
            audit_record(actor=actor, verb="group.created", target=group, name=name, kind=kind)
    except IntegrityError:
        raise _duplicate(name, kind) from None
    return group


def group_update(*, actor: Membership, group: Group, **changes: Any) -> Group:
    require_capability(actor, Capability.GROUPS_MANAGE)
    name, kind = _clean(changes.get("name", group.name), changes.get("kind", group.kind))
    try:
        with transaction.atomic():
            group.name, group.kind = name, kind
            group.description = str(changes.get("description", group.description)).strip()
            group.save(update_fields=["name", "kind", "description"])
            audit_record(actor=actor, verb="group.updated", target=group)
    except IntegrityError:
        group.refresh_from_db()
        raise _duplicate(name, kind) from None
    return group


def group_delete(*, actor: Membership, group: Group) -> None:
    """Delete the group; its members stay members of the organisation."""
    require_capability(actor, Capability.GROUPS_MANAGE)
    with transaction.atomic():
        audit_record(actor=actor, verb="group.deleted", target=group, name=group.name)
        group.delete()


def group_add_members(*, actor: Membership, group: Group, membership_uuids: Iterable[Any]) -> int:
    """Add members by uuid; unknown uuids are refused as a whole, existing ones are skipped."""
    require_capability(actor, Capability.GROUPS_MANAGE)
    wanted = {str(value) for value in membership_uuids}
    found = list(Membership.objects.filter(uuid__in=wanted))
    if len(found) != len(wanted):
        raise NotFound(_("One or more of those members do not exist."))
    with transaction.atomic():
        existing = set(
            GroupMember.objects.filter(group=group).values_list("membership_id", flat=True)
        )
        new = [
            GroupMember(tenant_id=group.tenant_id, group=group, membership=m)
            for m in found
            if m.pk not in existing
        ]
        GroupMember.objects.bulk_create(new)
        if new:
            audit_record(actor=actor, verb="group.members_added", target=group, count=len(new))
    return len(new)


def group_remove_member(*, actor: Membership, group: Group, membership: Membership) -> None:
    require_capability(actor, Capability.GROUPS_MANAGE)
    with transaction.atomic():
        deleted, _detail = GroupMember.objects.filter(group=group, membership=membership).delete()
        if not deleted:
            raise NotFound(_("That person is not in this group."))
        audit_record(
            actor=actor, verb="group.member_removed", target=group, member=str(membership.uuid)
        )
