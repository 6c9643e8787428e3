"""Every role × capability, against DESIGN.md §4 written out independently here."""

import pytest

from egl_platform.errors import Forbidden
from tenants.models import Membership, MembershipStatus
from tenants.permissions import (
    Capability,
    Role,
    capabilities_for_roles,
    has_capability,
    require_capability,
)

C = Capability
# DESIGN.md §4, row by row: which roles may do it.
EXPECTED: dict[Capability, set[str]] = {
    C.COURSE_TAKE: {"learner", "author", "reviewer", "admin"},
    C.JOBS_OWN: {"learner", "author", "reviewer", "admin"},
    C.PROFILE_OWN: {"learner", "author", "reviewer", "admin"},
    C.COURSE_CREATE: {"author", "reviewer", "admin"},
    C.COURSE_SUBMIT: {"author", "reviewer", "admin"},
    C.RESULTS_OWN: {"author", "reviewer", "admin"},
    C.COURSE_REVIEW: {"reviewer", "admin"},
    C.CONTENT_CURATE: {"reviewer", "admin"},
    C.RESULTS_ALL: {"reviewer", "admin"},
    C.MEMBERS_MANAGE: {"admin"},
    C.GROUPS_MANAGE: {"admin"},
    C.TENANT_MANAGE: {"admin"},
}


def test_the_expected_table_names_every_capability():
    assert set(EXPECTED) == set(Capability)


def _membership(role: str) -> Membership:
    membership = Membership()
    membership.set_roles([] if role == "learner" else [role])
    return membership


@pytest.mark.parametrize("capability", list(Capability))
@pytest.mark.parametrize("role", list(Role.values))
def test_role_grants_exactly_the_capabilities_of_the_design(role, capability):
    membership = _membership(role)
    expected = role in EXPECTED[capability]
    assert has_capability(membership, capability) is expected
    if expected:
        require_capability(membership, capability)
    else:
        with pytest.raises(Forbidden):
            require_capability(membership, capability)


def test_roles_combine_as_a_union():
    assert capabilities_for_roles(["author", "admin"]) == capabilities_for_roles(["admin"])
    assert C.MEMBERS_MANAGE not in capabilities_for_roles(["author", "reviewer"])


@pytest.mark.parametrize("capability", list(Capability))
def test_deactivated_membership_has_no_capability(capability):
    membership = _membership("admin")
    membership.status = MembershipStatus.DEACTIVATED
    assert not has_capability(membership, capability)


@pytest.mark.parametrize("capability", list(Capability))
def test_no_membership_has_no_capability(capability):
    assert not has_capability(None, capability)
