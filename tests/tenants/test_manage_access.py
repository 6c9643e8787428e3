"""Who may use Manage: admins only; other roles get 403, strangers sign in first, and another
tenant's members, groups and invitations answer 404."""

import pytest
from django.urls import reverse

from tenants.models import Group, GroupMember, Invitation, Membership, Tenant
from tenants.services.invitations import invitation_create
from tests.factories import GroupFactory, GroupMemberFactory

pytestmark = pytest.mark.django_db


def objects_of(world):
    with world.scope():
        group = GroupFactory(name="Crew")
        GroupMemberFactory(group=group, membership=world.learner)
        invitation = invitation_create(
            actor=world.admin, email="someone@example.test", roles=[]
        ).invitation
    return {"member": world.learner, "group": group, "invitation": invitation}


def pages(objects):
    """(method, url) for every Manage page and action."""
    member, group, invitation = objects["member"], objects["group"], objects["invitation"]
    m, g, i = (
        {"member_uuid": member.uuid},
        {"group_uuid": group.uuid},
        {"invitation_uuid": invitation.uuid},
    )
    return [
        ("get", reverse("manage:members")),
        ("post", reverse("manage:members_export")),
        ("get", reverse("manage:member_detail", kwargs=m)),
        ("post", reverse("manage:member_detail", kwargs=m)),
        ("post", reverse("manage:member_deactivate", kwargs=m)),
        ("post", reverse("manage:member_reactivate", kwargs=m)),
        ("get", reverse("manage:invitations")),
        ("post", reverse("manage:invitations")),
        ("post", reverse("manage:invitation_resend", kwargs=i)),
        ("post", reverse("manage:invitation_revoke", kwargs=i)),
        ("get", reverse("manage:groups")),
        ("post", reverse("manage:groups")),
        ("get", reverse("manage:group_detail", kwargs=g)),
        ("post", reverse("manage:group_detail", kwargs=g)),
        ("post", reverse("manage:group_delete", kwargs=g)),
        ("post", reverse("manage:group_members_add", kwargs=g)),
        ("post", reverse("manage:group_member_remove", kwargs={**g, **m})),
        ("get", reverse("manage:settings")),
        ("post", reverse("manage:settings")),
    ]


def state(world):
    with world.scope():
        return (
            sorted(
                Membership.objects.values_list(
                    "uuid", "status", "is_author", "is_reviewer", "is_admin"
                )
            ),
            sorted(Invitation.objects.values_list("uuid", "token_hash", "revoked_at")),
            sorted(Group.objects.values_list("uuid", "name")),
            GroupMember.objects.count(),
            Tenant.objects.filter(pk=world.tenant.pk).values_list("name", "brand_colour").get(),
        )


@pytest.mark.parametrize("role", ["learner", "author", "reviewer"])
def test_members_without_the_admin_role_get_403_everywhere_and_change_nothing(acme, role):
    objects = objects_of(acme)
    before = state(acme)
    client = acme.client_for(getattr(acme, role))
    for method, url in pages(objects):
        response = getattr(client, method)(
            url, {"name": "Hijacked", "roles": ["admin"], "email": "x@example.test"}
        )
        assert response.status_code == 403, (role, method, url)
    assert state(acme) == before


def test_strangers_are_sent_to_sign_in(acme):
    objects = objects_of(acme)
    client = acme.client_for(acme.admin)
    client.logout()
    for method, url in pages(objects):
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(reverse("accounts:login"))


def test_another_tenants_members_groups_and_invitations_answer_404(acme, globex):
    theirs = objects_of(globex)
    before = state(globex)
    client = acme.client_for(acme.admin)
    with_an_object = [
        (method, url)
        for method, url in pages(theirs)
        if any(str(obj.uuid) in url for obj in theirs.values())
    ]
    assert len(with_an_object) == 11
    for method, url in with_an_object:
        response = getattr(client, method)(
            url, {"name": "Hijacked", "roles": ["author"], "members": []}
        )
        assert response.status_code == 404, (method, url)
    assert state(globex) == before


def test_another_tenants_member_cannot_be_added_to_a_group_or_removed_from_one(acme, globex):
    with acme.scope():
        group = GroupFactory(name="Crew")
    client = acme.client_for(acme.admin)
    response = client.post(f"/manage/groups/{group.uuid}/members/{globex.learner.uuid}/remove/")
    assert response.status_code == 404


def test_admin_sees_the_manage_subnavigation_with_the_current_page_marked(acme):
    body = acme.client_for(acme.admin).get(reverse("manage:groups")).content.decode()
    nav = body.split('class="subnav"', 1)[1].split("</nav>", 1)[0]
    for name in ("members", "invitations", "groups", "settings"):
        assert f'href="{reverse(f"manage:{name}")}"' in nav
    assert f'href="{reverse("manage:groups")}" aria-current="page"' in nav
    assert nav.count("aria-current") == 1


def test_every_manage_and_jobs_view_names_its_capability():
    from egl_platform import urls_jobs
    from tenants import urls_manage

    for pattern in [*urls_manage.urlpatterns, *urls_jobs.urlpatterns]:
        assert getattr(pattern.callback, "egl_capability", None), pattern.name
