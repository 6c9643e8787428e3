"""/api/v1/groups/: every member reads; GROUPS_MANAGE creates, edits, deletes and fills them."""

import pytest

from tenants.models import Group, GroupMember
from tests.api_helpers import assert_error
from tests.factories import GroupFactory, GroupMemberFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/groups/"


def detail(group, suffix=""):
    return f"/api/v1/groups/{group.uuid}/{suffix}"


def make_group(world, **kwargs):
    with world.scope():
        return GroupFactory(**kwargs)


def snapshot(world):
    with world.scope():
        groups = sorted(Group.objects.values_list("uuid", "name", "kind", "description"))
        members = sorted(GroupMember.objects.values_list("group__uuid", "membership__uuid"))
    return groups, members


# --- read -----------------------------------------------------------------------------------------


def test_learner_lists_groups_with_member_counts(acme, globex, django_assert_max_num_queries):
    sales = make_group(acme, name="Sales", kind="team")
    make_group(acme, name="North", kind="region")
    make_group(globex, name="Globex secret team")
    with acme.scope():
        GroupMemberFactory(group=sales, membership=acme.learner)
        GroupMemberFactory(group=sales, membership=acme.author)
    client = acme.client_for(acme.learner)
    client.get("/api/v1/me/")
    with django_assert_max_num_queries(5):
        body = client.get(LIST).json()
    rows = {row["name"]: row for row in body["results"]}
    assert set(rows) == {"Sales", "North"}
    assert rows["Sales"]["member_count"] == 2
    assert set(rows["Sales"]) == {
        "uuid",
        "name",
        "kind",
        "description",
        "member_count",
        "created_at",
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [("?kind=region", {"North"}), ("?search=sal", {"Sales"}), ("?search=globex", set())],
)
def test_group_list_filters(acme, globex, query, expected):
    make_group(acme, name="Sales", kind="team")
    make_group(acme, name="North", kind="region")
    make_group(globex, name="Globex Sales")
    body = acme.client_for(acme.learner).get(LIST + query).json()
    assert {row["name"] for row in body["results"]} == expected


def test_group_list_with_an_unknown_kind_is_a_400(acme):
    assert (
        "kind"
        in assert_error(acme.client_for(acme.learner).get(LIST + "?kind=tribe"), 400, "invalid")[
            "fields"
        ]
    )


def test_learner_retrieves_a_group_with_its_members(acme):
    group = make_group(acme, name="Sales")
    with acme.scope():
        GroupMemberFactory(group=group, membership=acme.author)
    body = acme.client_for(acme.learner).get(detail(group)).json()
    assert body["name"] == "Sales"
    assert body["members"] == [
        {"uuid": str(acme.author.uuid), "display_name": acme.author.user.name}
    ]


def test_other_tenants_group_is_not_found(acme, globex):
    theirs = make_group(globex, name="Theirs")
    before = snapshot(globex)
    client = acme.client_for(acme.admin)
    assert_error(client.get(detail(theirs)), 404, "not_found")
    assert_error(
        client.patch(detail(theirs), {"name": "Mine"}, content_type="application/json"),
        404,
        "not_found",
    )
    assert_error(client.delete(detail(theirs)), 404, "not_found")
    assert_error(
        client.post(
            detail(theirs, "members/"),
            {"members": [str(acme.learner.uuid)]},
            content_type="application/json",
        ),
        404,
        "not_found",
    )
    assert snapshot(globex) == before


# --- write ----------------------------------------------------------------------------------------


def test_admin_creates_a_group(acme):
    response = acme.client_for(acme.admin).post(
        LIST,
        {"name": "Field engineers", "kind": "department", "description": "Out there"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["kind"], body["member_count"], body["members"]) == (
        "Field engineers",
        "department",
        0,
        [],
    )
    with acme.scope():
        assert Group.objects.filter(uuid=body["uuid"], name="Field engineers").exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"kind": "team"}, "name"),
        ({"name": "X", "kind": "tribe"}, "kind"),
        ({"name": "x" * 121}, "name"),
    ],
)
def test_bad_group_input_is_a_400_and_creates_nothing(acme, payload, field):
    response = acme.client_for(acme.admin).post(LIST, payload, content_type="application/json")
    assert field in assert_error(response, 400, "invalid")["fields"]
    assert snapshot(acme) == ([], [])


def test_duplicate_group_name_is_a_400(acme):
    make_group(acme, name="Sales", kind="team")
    before = snapshot(acme)
    response = acme.client_for(acme.admin).post(
        LIST, {"name": "Sales", "kind": "team"}, content_type="application/json"
    )
    assert "name" in assert_error(response, 400, "invalid")["fields"]
    assert snapshot(acme) == before


@pytest.mark.parametrize("role", ["learner", "author", "reviewer"])
def test_non_admins_cannot_create_edit_or_delete_groups(acme, role):
    group = make_group(acme, name="Sales")
    before = snapshot(acme)
    client = acme.client_for(getattr(acme, role))
    assert_error(
        client.post(LIST, {"name": "New"}, content_type="application/json"), 403, "forbidden"
    )
    assert_error(
        client.patch(detail(group), {"name": "Renamed"}, content_type="application/json"),
        403,
        "forbidden",
    )
    assert_error(client.delete(detail(group)), 403, "forbidden")
    assert_error(
        client.post(
            detail(group, "members/"),
            {"members": [str(acme.learner.uuid)]},
            content_type="application/json",
        ),
        403,
        "forbidden",
    )
    assert snapshot(acme) == before


def test_admin_renames_with_patch_and_replaces_with_put(acme):
    group = make_group(acme, name="Sales", kind="team", description="old")
    client = acme.client_for(acme.admin)
    response = client.patch(detail(group), {"name": "Sales NL"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert (response.json()["name"], response.json()["description"]) == ("Sales NL", "old")
    response = client.put(
        detail(group), {"name": "South", "kind": "region"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["name"], response.json()["kind"], response.json()["description"]) == (
        "South",
        "region",
        "",
    )


def test_put_without_a_name_is_a_400_and_changes_nothing(acme):
    group = make_group(acme, name="Sales")
    before = snapshot(acme)
    response = acme.client_for(acme.admin).put(
        detail(group), {"kind": "region"}, content_type="application/json"
    )
    assert_error(response, 400, "invalid")
    assert snapshot(acme) == before


def test_admin_deletes_a_group_and_its_members_stay(acme):
    group = make_group(acme, name="Sales")
    with acme.scope():
        GroupMemberFactory(group=group, membership=acme.learner)
    response = acme.client_for(acme.admin).delete(detail(group))
    assert response.status_code == 204
    assert snapshot(acme) == ([], [])
    assert acme.client_for(acme.learner).get("/api/v1/me/").status_code == 200


# --- members of a group ---------------------------------------------------------------------------------


def test_admin_adds_members_and_existing_ones_are_skipped(acme):
    group = make_group(acme, name="Sales")
    client = acme.client_for(acme.admin)
    url = detail(group, "members/")
    response = client.post(
        url,
        {"members": [str(acme.learner.uuid), str(acme.author.uuid)]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["added"] == 2
    assert response.json()["group"]["member_count"] == 2
    response = client.post(
        url, {"members": [str(acme.learner.uuid)]}, content_type="application/json"
    )
    assert response.json()["added"] == 0


def test_adding_another_tenants_member_is_refused_as_a_whole(acme, globex):
    group = make_group(acme, name="Sales")
    before = snapshot(acme)
    response = acme.client_for(acme.admin).post(
        detail(group, "members/"),
        {"members": [str(acme.learner.uuid), str(globex.learner.uuid)]},
        content_type="application/json",
    )
    assert_error(response, 404, "not_found")
    assert snapshot(acme) == before


@pytest.mark.parametrize(
    "payload", [{"members": "everyone"}, {"members": []}, {"members": ["not-a-uuid"]}, {}]
)
def test_malformed_member_list_is_a_400(acme, payload):
    group = make_group(acme, name="Sales")
    response = acme.client_for(acme.admin).post(
        detail(group, "members/"), payload, content_type="application/json"
    )
    assert "members" in assert_error(response, 400, "invalid")["fields"]
    assert snapshot(acme)[1] == []


def test_admin_removes_a_member_and_removing_again_is_not_found(acme):
    group = make_group(acme, name="Sales")
    with acme.scope():
        GroupMemberFactory(group=group, membership=acme.learner)
    client = acme.client_for(acme.admin)
    url = detail(group, f"members/{acme.learner.uuid}/")
    assert client.delete(url).status_code == 204
    assert snapshot(acme)[1] == []
    assert_error(client.delete(url), 404, "not_found")


def test_removing_another_tenants_member_is_not_found(acme, globex):
    group = make_group(acme, name="Sales")
    with acme.scope():
        GroupMemberFactory(group=group, membership=acme.learner)
    before = snapshot(acme)
    client = acme.client_for(acme.admin)
    assert_error(client.delete(detail(group, f"members/{globex.learner.uuid}/")), 404, "not_found")
    assert_error(client.delete(detail(group, "members/not-a-uuid/")), 404, "not_found")
    assert snapshot(acme) == before
