"""Manage → Groups: list with member counts, create, edit, delete, add and remove members."""

import pytest

from tenants.models import AuditEvent, Group, GroupMember, Membership, MembershipStatus
from tests.factories import GroupFactory, GroupMemberFactory, MembershipFactory

pytestmark = pytest.mark.django_db

GROUPS = "/manage/groups/"


def group_url(group, suffix=""):
    return f"/manage/groups/{group.uuid}/{suffix}"


def member_ids(world, group):
    with world.scope():
        return set(GroupMember.objects.filter(group=group).values_list("membership_id", flat=True))


def test_groups_list_shows_kinds_and_member_counts_in_bounded_queries(
    acme, django_assert_max_num_queries
):
    with acme.scope():
        for index in range(12):
            group = GroupFactory(
                name=f"Group {index:02}", kind=["team", "region", "department"][index % 3]
            )
            for member in (acme.learner, acme.author)[: index % 3]:
                GroupMemberFactory(group=group, membership=member)
    client = acme.client_for(acme.admin)
    client.get(GROUPS)
    with django_assert_max_num_queries(10):
        response = client.get(GROUPS)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('<th scope="row">') == 12
    assert "Region" in body
    assert "Department" in body


def test_groups_list_filters_by_kind(acme):
    with acme.scope():
        GroupFactory(name="North", kind="region")
        GroupFactory(name="Sales", kind="department")
    body = acme.client_for(acme.admin).get(GROUPS, {"kind": "region"}).content.decode()
    assert 'id="filter_kind"' in body  # the filter and the create form each have a "kind"
    assert 'id="id_kind"' in body
    assert "North" in body
    assert "Sales" not in body


def test_groups_list_has_an_empty_state(acme):
    body = acme.client_for(acme.admin).get(GROUPS).content.decode()
    assert "There are no groups yet." in body


def test_admin_creates_a_group(acme):
    response = acme.client_for(acme.admin).post(
        GROUPS, {"name": " Night shift ", "kind": "team", "description": "Evenings"}
    )
    assert response.status_code == 302
    with acme.scope():
        group = Group.objects.get()
        assert (group.name, group.kind, group.description) == ("Night shift", "team", "Evenings")
        assert AuditEvent.objects.filter(verb="group.created", target_uuid=group.uuid).exists()
    assert response["Location"] == group_url(group)


def test_duplicate_group_name_is_explained_and_creates_nothing(acme):
    with acme.scope():
        GroupFactory(name="North", kind="region")
    response = acme.client_for(acme.admin).post(GROUPS, {"name": "North", "kind": "region"})
    assert response.status_code == 400
    assert "There is already a region called “North”." in response.content.decode()
    with acme.scope():
        assert Group.objects.count() == 1


def test_same_name_of_another_kind_is_fine(acme):
    with acme.scope():
        GroupFactory(name="North", kind="region")
    assert (
        acme.client_for(acme.admin).post(GROUPS, {"name": "North", "kind": "team"}).status_code
        == 302
    )


def test_group_without_a_name_is_refused(acme):
    response = acme.client_for(acme.admin).post(GROUPS, {"name": "", "kind": "team"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    with acme.scope():
        assert not Group.objects.exists()


def test_admin_edits_a_group_and_a_duplicate_rename_changes_nothing(acme):
    with acme.scope():
        group = GroupFactory(name="Alpha", kind="team")
        GroupFactory(name="Beta", kind="team")
    client = acme.client_for(acme.admin)
    assert (
        client.post(
            group_url(group), {"name": "Gamma", "kind": "department", "description": "x"}
        ).status_code
        == 302
    )
    with acme.scope():
        group.refresh_from_db()
    assert (group.name, group.kind) == ("Gamma", "department")
    response = client.post(group_url(group), {"name": "Beta", "kind": "team"})
    assert response.status_code == 400
    assert "already a team called “Beta”" in response.content.decode()
    with acme.scope():
        group.refresh_from_db()
    assert (group.name, group.kind) == ("Gamma", "department")


def test_group_page_lists_members_and_offers_only_active_non_members(acme):
    with acme.scope():
        group = GroupFactory(name="Crew")
        GroupMemberFactory(group=group, membership=acme.author)
        gone = MembershipFactory(user__email="gone@acme.test", status=MembershipStatus.DEACTIVATED)
    body = acme.client_for(acme.admin).get(group_url(group)).content.decode()
    members_section, add_section = body.split("Add members", 1)
    assert "author@acme.test" in members_section
    assert f'value="{acme.learner.uuid}"' in add_section
    assert f'value="{acme.author.uuid}"' not in add_section
    assert f'value="{gone.uuid}"' not in add_section


def test_admin_adds_and_removes_members(acme):
    with acme.scope():
        group = GroupFactory(name="Crew")
    client = acme.client_for(acme.admin)
    response = client.post(
        group_url(group, "members/"), {"members": [str(acme.learner.uuid), str(acme.author.uuid)]}
    )
    assert response.status_code == 302
    assert member_ids(acme, group) == {acme.learner.pk, acme.author.pk}
    response = client.post(group_url(group, f"members/{acme.learner.uuid}/remove/"))
    assert response.status_code == 302
    assert member_ids(acme, group) == {acme.author.pk}
    with acme.scope():
        assert Membership.objects.filter(
            pk=acme.learner.pk, status=MembershipStatus.ACTIVE
        ).exists()


def test_adding_someone_not_offered_is_refused(acme, globex):
    with acme.scope():
        group = GroupFactory(name="Crew")
    response = acme.client_for(acme.admin).post(
        group_url(group, "members/"), {"members": [str(globex.learner.uuid)]}
    )
    assert response.status_code == 400
    assert member_ids(acme, group) == set()


def test_removing_someone_not_in_the_group_is_404(acme):
    with acme.scope():
        group = GroupFactory(name="Crew")
    response = acme.client_for(acme.admin).post(
        group_url(group, f"members/{acme.learner.uuid}/remove/")
    )
    assert response.status_code == 404


def test_deleting_a_group_keeps_its_members(acme):
    with acme.scope():
        group = GroupFactory(name="Crew")
        GroupMemberFactory(group=group, membership=acme.author)
    response = acme.client_for(acme.admin).post(group_url(group, "delete/"))
    assert response.status_code == 302
    with acme.scope():
        assert not Group.objects.filter(pk=group.pk).exists()
        assert not GroupMember.objects.exists()
        assert Membership.objects.filter(pk=acme.author.pk, status=MembershipStatus.ACTIVE).exists()
        assert AuditEvent.objects.filter(verb="group.deleted", target_uuid=group.uuid).exists()


def test_delete_form_asks_for_confirmation(acme):
    with acme.scope():
        group = GroupFactory(name="Crew")
    body = acme.client_for(acme.admin).get(group_url(group)).content.decode()
    assert f'action="{group_url(group, "delete/")}"' in body
    assert "data-confirm=" in body
