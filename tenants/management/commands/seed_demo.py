"""`manage.py seed_demo`: the demo tenants, people, groups and an invitation (DESIGN.md §12).

Idempotent: what exists is kept, what is missing is added, so a second run changes
nothing. The one thing it repairs is the demo logins themselves: each demo account is
made active again, with the demo password and the roles its name promises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, no_translations
from django.db import transaction

from tenants.models import (
    Group,
    GroupKind,
    GroupMember,
    Invitation,
    InvitationStatus,
    Membership,
    MembershipStatus,
    Tenant,
    User,
)
from tenants.permissions import Role
from tenants.selectors import tenant_cache_forget, tenants_of_user_forget
from tenants.services.groups import group_add_members, group_create
from tenants.services.invitations import invitation_create
from tenants.services.platform import tenant_create
from tenants.tenancy import tenant_scope

DEMO_PASSWORD = "demo-pass-123"  # noqa: S105  (the published demo password, see README)

ROLES_BY_LOCAL_PART: dict[str, list[str]] = {
    "admin": [Role.ADMIN.value, Role.REVIEWER.value, Role.AUTHOR.value],
    "reviewer": [Role.REVIEWER.value],
    "author": [Role.AUTHOR.value],
    "author2": [Role.AUTHOR.value],
    "learner": [],
}


@dataclass(frozen=True)
class DemoTenant:
    slug: str
    name: str
    languages: list[str]
    people: dict[str, str]  # local part of the e-mail address -> display name
    groups: list[tuple[str, str, list[str]]]  # (kind, name, local parts of its members)
    invitations: list[tuple[str, list[str]]] = field(default_factory=list)  # (e-mail, roles)

    @property
    def domain(self) -> str:
        return f"{self.slug}.test"


DEMO_TENANTS = [
    DemoTenant(
        slug="acme",
        name="Acme Logistics",
        languages=["nl", "en"],
        people={
            "admin": "Sanne de Vries",
            "reviewer": "Pieter Jansen",
            "author": "Fatima El Amrani",
            "author2": "Joost Bakker",
            "learner": "Emma Visser",
        },
        groups=[
            (GroupKind.TEAM, "Warehouse Rotterdam", ["author", "author2", "learner"]),
            (GroupKind.TEAM, "Fleet Planning", ["author2"]),
            (GroupKind.REGION, "Benelux", ["admin", "author", "author2", "learner"]),
            (GroupKind.DEPARTMENT, "Operations", ["author", "author2", "learner"]),
            (GroupKind.DEPARTMENT, "Learning & Development", ["admin", "reviewer"]),
        ],
        invitations=[("new.hire@acme.test", [Role.AUTHOR.value])],
    ),
    DemoTenant(
        slug="globex",
        name="Globex Corporation",
        languages=["en"],
        people={
            "admin": "Olivia Grant",
            "author": "Marcus Chen",
            "learner": "Priya Patel",
        },
        groups=[
            (GroupKind.TEAM, "Customer Support", ["author", "learner"]),
            (GroupKind.REGION, "North America", ["admin", "author", "learner"]),
            (GroupKind.DEPARTMENT, "Engineering", ["admin", "author"]),
        ],
    ),
]

# The authoring app seeds the sample courses; called by name, so tenants imports nothing of it.
COURSES_COMMAND = "seed_demo_courses"
COURSES_NOTE = (
    "Then it runs seed_demo_courses: four sample courses (Dutch and English; one published, "
    "one in review, two drafts)."
)


def demo_logins() -> list[tuple[str, str, str]]:
    """(tenant slug, e-mail, roles) of every demo account, for the banner and the README."""
    return [
        (
            spec.slug,
            f"{local_part}@{spec.domain}",
            ", ".join(ROLES_BY_LOCAL_PART[local_part]) or Role.LEARNER.value,
        )
        for spec in DEMO_TENANTS
        for local_part in spec.people
    ]


class Command(BaseCommand):
    help = (
        "Create the demo tenants acme (nl, en) and globex (en) with their people (password "
        f"{DEMO_PASSWORD}), groups and one pending invitation. Safe to run again: nothing is "
        "duplicated. " + COURSES_NOTE
    )

    @no_translations  # operators read English, whatever language a caller left active
    def handle(self, *args: Any, **options: Any) -> None:
        self.created: list[str] = []
        self.repaired: list[str] = []
        with transaction.atomic():
            for spec in DEMO_TENANTS:
                self._seed_tenant(spec)
        if self.created or self.repaired:
            if options["verbosity"] >= 2:
                for line in self.created:
                    self.stdout.write(f"  + {line}")
                for line in self.repaired:
                    self.stdout.write(f"  ~ {line}")
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data is in place: {len(self.created)} things added, {len(self.repaired)} repaired"
                    + ("." if options["verbosity"] >= 2 else " (-v 2 lists them).")
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS("Demo data was already in place; nothing changed.")
            )
        if COURSES_COMMAND in get_commands():
            call_command(
                COURSES_COMMAND,
                verbosity=options["verbosity"],
                stdout=self.stdout,
                stderr=self.stderr,
            )
        else:
            self.stdout.write("Sample courses are not seeded: the authoring app is not installed.")

    # --- one tenant -------------------------------------------------------------------------

    def _seed_tenant(self, spec: DemoTenant) -> None:
        admin_email = f"admin@{spec.domain}"
        tenant = Tenant.objects.filter(slug=spec.slug).first()
        if tenant is None:
            self._user(admin_email, spec.people["admin"])
            tenant, _admin = tenant_create(
                slug=spec.slug, name=spec.name, admin_email=admin_email, languages=spec.languages
            )
            self.created.append(f"tenant {spec.slug} ({spec.name})")
        elif not tenant.is_active:
            tenant.is_active = True
            tenant.save(update_fields=["is_active"])
            self.repaired.append(f"tenant {spec.slug} reactivated")
        tenant_cache_forget(tenant)

        with tenant_scope(tenant):
            members = {
                local_part: self._membership(
                    self._user(f"{local_part}@{spec.domain}", display_name), local_part
                )
                for local_part, display_name in spec.people.items()
            }
            admin = members["admin"]
            for kind, name, member_parts in spec.groups:
                self._group(admin, kind, name, [members[part] for part in member_parts])
            for email, roles in spec.invitations:
                self._invitation(admin, email, roles)

    def _user(self, email: str, display_name: str) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, display_name=display_name)
            self.created.append(f"account {email}")
            return user
        changed = []
        if not user.is_active:
            user.is_active = True
            changed.append("is_active")
        if not user.display_name:
            user.display_name = display_name
            changed.append("display_name")
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            changed.append("password")
        if changed:
            user.save(update_fields=changed)
            self.repaired.append(f"account {email}: {', '.join(changed)}")
        return user

    def _membership(self, user: User, local_part: str) -> Membership:
        roles = ROLES_BY_LOCAL_PART[local_part]
        membership = Membership.objects.filter(user=user).first()
        if membership is None:
            membership = Membership(user=user)
            membership.set_roles(roles)
            membership.save()
            self.created.append(
                f"member {user.email} of {membership.tenant.slug} ({', '.join(membership.roles)})"
            )
            tenants_of_user_forget(user.pk)
            return membership
        before = (membership.roles, membership.status)
        membership.set_roles(roles)
        membership.status = MembershipStatus.ACTIVE
        membership.deactivated_at = None
        if (membership.roles, membership.status) != before:
            membership.save(
                update_fields=["is_author", "is_reviewer", "is_admin", "status", "deactivated_at"]
            )
            self.repaired.append(
                f"member {user.email}: roles {', '.join(membership.roles)}, active"
            )
            tenants_of_user_forget(user.pk)
        return membership

    def _group(self, admin: Membership, kind: str, name: str, members: list[Membership]) -> None:
        group = Group.objects.filter(kind=kind, name=name).first()
        if group is None:
            group = group_create(actor=admin, name=name, kind=kind)
            self.created.append(f"{kind} {name}")
        present = set(
            GroupMember.objects.filter(group=group).values_list("membership_id", flat=True)
        )
        missing = [member.uuid for member in members if member.pk not in present]
        if missing:
            added = group_add_members(actor=admin, group=group, membership_uuids=missing)
            self.created.append(f"{added} member(s) in {name}")

    def _invitation(self, admin: Membership, email: str, roles: list[str]) -> None:
        if Membership.objects.filter(user__email=email).exists():
            return  # accepted during an earlier demo: that person is a member now
        open_invitations = Invitation.objects.filter(
            email=email, accepted_at__isnull=True, revoked_at__isnull=True
        )
        if any(invitation.status == InvitationStatus.PENDING for invitation in open_invitations):
            return
        invitation_create(actor=admin, email=email, roles=roles)
        self.created.append(f"pending invitation for {email}")
