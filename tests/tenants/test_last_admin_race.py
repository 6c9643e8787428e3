"""Two admins removing each other at the same moment: one wins, an admin always remains."""

import threading

import pytest
from django.db import connection, connections

from egl_platform.errors import Conflict
from tenants.models import Membership, MembershipStatus
from tenants.services.members import membership_deactivate, membership_set_roles
from tenants.tenancy import tenant_scope
from tests.factories import MembershipFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs two real connections with row locks"
    ),
]


def _race(tenant, first, second):
    """Run both callables at once, each on its own connection; return what each raised."""
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def run(index, action):
        try:
            with tenant_scope(tenant):
                barrier.wait(timeout=10)
                action()
        except Exception as error:
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(i, action)) for i, action in enumerate((first, second))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_admins_demoting_each_other_leave_exactly_one_admin(acme):
    with acme.scope():
        Membership.objects.filter(pk=acme.admin.pk).update(
            is_admin=False
        )  # start with exactly two admins
        one = MembershipFactory(roles=["admin"])
        two = MembershipFactory(roles=["admin"])
    outcomes = _race(
        acme.tenant,
        lambda: membership_set_roles(actor=one, membership=two, roles=[]),
        lambda: membership_set_roles(actor=two, membership=one, roles=[]),
    )
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Conflict", "NoneType"]
    with acme.scope():
        assert Membership.objects.filter(is_admin=True, status=MembershipStatus.ACTIVE).count() == 1


def test_two_admins_deactivating_each_other_leave_exactly_one_active_admin(acme):
    with acme.scope():
        Membership.objects.filter(pk=acme.admin.pk).update(is_admin=False)
        one = MembershipFactory(roles=["admin"])
        two = MembershipFactory(roles=["admin"])
    outcomes = _race(
        acme.tenant,
        lambda: membership_deactivate(actor=one, membership=two),
        lambda: membership_deactivate(actor=two, membership=one),
    )
    assert [isinstance(outcome, Conflict) for outcome in outcomes].count(True) == 1
    assert outcomes.count(None) == 1
    with acme.scope():
        assert Membership.objects.filter(is_admin=True, status=MembershipStatus.ACTIVE).count() == 1
