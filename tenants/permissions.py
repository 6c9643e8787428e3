"""The one capability map (DESIGN.md §4). Services, views and the API all ask it; default deny.

A membership holds a set of roles; every member can learn. A capability is granted when
any of the member's roles grants it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from egl_platform.errors import Forbidden

if TYPE_CHECKING:
    from tenants.models import Membership


class Role(models.TextChoices):
    LEARNER = "learner", _("Learner")
    AUTHOR = "author", _("Author")
    REVIEWER = "reviewer", _("Reviewer")
    ADMIN = "admin", _("Admin")


# Roles a membership can be given; learner is implicit in every membership.
ASSIGNABLE_ROLES = (Role.AUTHOR, Role.REVIEWER, Role.ADMIN)


class Capability(models.TextChoices):
    COURSE_TAKE = "course.take", _("Take published courses")
    COURSE_CREATE = "course.create", _("Create courses and edit own and co-authored ones")
    COURSE_SUBMIT = "course.submit", _("Submit for review; self-publish where policy allows")
    COURSE_REVIEW = "course.review", _("Review, approve and publish any course")
    CONTENT_CURATE = "content.curate", _("Manage templates, the hub and categories")
    RESULTS_OWN = "results.own", _("See results of own courses")
    RESULTS_ALL = "results.all", _("See results of all courses")
    MEMBERS_MANAGE = "members.manage", _("Manage members and invitations")
    GROUPS_MANAGE = "groups.manage", _("Manage groups")
    TENANT_MANAGE = "tenant.manage", _("Manage branding, SSO, policies and settings")
    JOBS_OWN = "jobs.own", _("Follow own background jobs")
    PROFILE_OWN = "profile.own", _("Manage own profile and API tokens")


_LEARNER = frozenset({Capability.COURSE_TAKE, Capability.JOBS_OWN, Capability.PROFILE_OWN})
_AUTHOR = _LEARNER | {
    Capability.COURSE_CREATE,
    Capability.COURSE_SUBMIT,
    Capability.RESULTS_OWN,
}
_REVIEWER = _AUTHOR | {
    Capability.COURSE_REVIEW,
    Capability.CONTENT_CURATE,
    Capability.RESULTS_ALL,
}
_ADMIN = _REVIEWER | {
    Capability.MEMBERS_MANAGE,
    Capability.GROUPS_MANAGE,
    Capability.TENANT_MANAGE,
}

ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.LEARNER: _LEARNER,
    Role.AUTHOR: frozenset(_AUTHOR),
    Role.REVIEWER: frozenset(_REVIEWER),
    Role.ADMIN: frozenset(_ADMIN),
}


def capabilities_for_roles(roles: Iterable[str]) -> frozenset[Capability]:
    granted: set[Capability] = set(ROLE_CAPABILITIES[Role.LEARNER])
    for role in roles:
        granted |= ROLE_CAPABILITIES.get(Role(role), frozenset())
    return frozenset(granted)


def has_capability(membership: Membership | None, capability: Capability) -> bool:
    """True when the active membership's roles grant `capability`. No membership: nothing."""
    if membership is None or not membership.is_active:
        return False
    return capability in capabilities_for_roles(membership.roles)


def require_capability(membership: Membership | None, capability: Capability) -> None:
    """Raise Forbidden (HTTP 403) unless the membership has the capability."""
    if not has_capability(membership, capability):
        raise Forbidden(_("You do not have permission to do this."))
