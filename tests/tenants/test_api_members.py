"""/api/v1/members/: list with filters, retrieve, set roles, deactivate / reactivate, export."""

import pytest

from tenants.models import AuditEvent, Membership, MembershipStatus
from tests.api_helpers import assert_error
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/members/"


def detail(membership, suffix=""):
    return f"/api/v1/members/{membership.uuid}/{suffix}"


def state(world, membership):
    with world.scope():
        fresh = Membership.objects.get(pk=membership.pk)
        return fresh.roles, fresh.status, fresh.deactivated_at


# --- list ----------------------------------------------------------------------------------------


def test_admin_lists_members_with_uuids_only(acme, globex):
    body = acme.client_for(acme.admin).get(LIST).json()
    emails = {row["email"] for row in body["results"]}
    assert emails == {
        "learner@acme.test",
        "author@acme.test",
        "reviewer@acme.test",
        "admin@acme.test",
    }
    row = body["results"][0]
    assert set(row) == {
        "uuid",
        "email",
        "display_name",
        "roles",
        "status",
        "groups",
        "created_at",
        "deactivated_at",
    }
    assert {"next", "previous", "results"} <= set(body)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?search=learner@", {"learner@acme.test"}),
        ("?role=reviewer", {"reviewer@acme.test", "admin@acme.test"}),
        ("?role=admin", {"admin@acme.test"}),
        ("?status=deactivated", set()),
        ("?search=globex", set()),
    ],
)
def test_member_list_filters(acme, globex, query, expected):
    body = acme.client_for(acme.admin).get(LIST + query).json()
    assert {row["email"] for row in body["results"]} == expected


def test_member_list_with_an_unknown_role_filter_is_a_400(acme):
    error = assert_error(acme.client_for(acme.admin).get(LIST + "?role=king"), 400, "invalid")
    assert "role" in error["fields"]


def test_member_list_is_paginated_by_cursor(acme):
    with acme.scope():
        MembershipFactory.create_batch(5)
    client = acme.client_for(acme.admin)
    first = client.get(LIST + "?page_size=4").json()
    assert len(first["results"]) == 4
    assert first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 4
    assert not {r["uuid"] for r in first["results"]} & {r["uuid"] for r in second["results"]}
    third = client.get(second["next"]).json()
    assert len(third["results"]) == 1
    assert third["next"] is None


def test_member_list_query_count_does_not_grow_with_members(acme, django_assert_max_num_queries):
    with acme.scope():
        MembershipFactory.create_batch(30)
    client = acme.client_for(acme.admin)
    client.get("/api/v1/me/")  # warm the session and tenant caches
    with django_assert_max_num_queries(6):
        response = client.get(LIST)
    assert len(response.json()["results"]) == 34


@pytest.mark.parametrize("role", ["learner", "author", "reviewer"])
def test_non_admins_cannot_list_members(acme, role):
    assert_error(acme.client_for(getattr(acme, role)).get(LIST), 403, "forbidden")


# --- retrieve ------------------------------------------------------------------------------------


def test_admin_retrieves_a_member(acme):
    body = acme.client_for(acme.admin).get(detail(acme.author)).json()
    assert body["email"] == "author@acme.test"
    assert body["roles"] == ["learner", "author"]


def test_other_tenants_member_is_not_found(acme, globex):
    assert_error(acme.client_for(acme.admin).get(detail(globex.learner)), 404, "not_found")


def test_malformed_member_uuid_is_not_found(acme):
    assert_error(acme.client_for(acme.admin).get("/api/v1/members/not-a-uuid/"), 404, "not_found")


def test_author_cannot_retrieve_a_member(acme):
    assert_error(acme.client_for(acme.author).get(detail(acme.learner)), 403, "forbidden")


# --- roles ---------------------------------------------------------------------------------------


def test_admin_sets_roles_and_an_audit_event_is_written(acme):
    response = acme.client_for(acme.admin).patch(
        detail(acme.author), {"roles": ["reviewer"]}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["roles"] == ["learner", "reviewer"]
    assert state(acme, acme.author)[0] == ["learner", "reviewer"]
    with acme.scope():
        assert AuditEvent.objects.filter(
            verb="membership.roles_changed", target_uuid=acme.author.uuid
        ).exists()


@pytest.mark.parametrize(
    "payload", [{"roles": "admin"}, {"roles": ["king"]}, {}, {"roles": [["admin"]]}]
)
def test_setting_malformed_roles_is_a_400_and_changes_nothing(acme, payload):
    before = state(acme, acme.author)
    response = acme.client_for(acme.admin).patch(
        detail(acme.author), payload, content_type="application/json"
    )
    error = assert_error(response, 400, "invalid")
    assert "roles" in error["fields"]
    assert state(acme, acme.author) == before


def test_last_admin_cannot_lose_the_admin_role(acme):
    before = state(acme, acme.admin)
    response = acme.client_for(acme.admin).patch(
        detail(acme.admin), {"roles": ["author"]}, content_type="application/json"
    )
    assert_error(response, 409, "conflict")
    assert state(acme, acme.admin) == before


def test_reviewer_cannot_set_roles(acme):
    before = state(acme, acme.learner)
    response = acme.client_for(acme.reviewer).patch(
        detail(acme.learner), {"roles": ["admin"]}, content_type="application/json"
    )
    assert_error(response, 403, "forbidden")
    assert state(acme, acme.learner) == before


def test_setting_roles_of_another_tenants_member_is_not_found(acme, globex):
    before = state(globex, globex.learner)
    response = acme.client_for(acme.admin).patch(
        detail(globex.learner), {"roles": ["admin"]}, content_type="application/json"
    )
    assert_error(response, 404, "not_found")
    assert state(globex, globex.learner) == before


def test_put_on_a_member_is_not_allowed(acme):
    response = acme.client_for(acme.admin).put(
        detail(acme.author), {"roles": []}, content_type="application/json"
    )
    assert_error(response, 405, "method_not_allowed")


# --- deactivate / reactivate -----------------------------------------------------------------------


def test_deactivate_then_reactivate(acme):
    client = acme.client_for(acme.admin)
    response = client.post(detail(acme.author, "deactivate/"))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "deactivated"
    assert response.json()["deactivated_at"]
    assert state(acme, acme.author)[1] == MembershipStatus.DEACTIVATED
    response = client.post(detail(acme.author, "reactivate/"))
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    assert state(acme, acme.author)[1] == MembershipStatus.ACTIVE


def test_deactivating_twice_is_a_409_and_changes_nothing(acme):
    client = acme.client_for(acme.admin)
    assert client.post(detail(acme.author, "deactivate/")).status_code == 200
    before = state(acme, acme.author)
    assert_error(client.post(detail(acme.author, "deactivate/")), 409, "conflict")
    assert state(acme, acme.author) == before


def test_reactivating_an_active_member_is_a_409(acme):
    before = state(acme, acme.author)
    assert_error(
        acme.client_for(acme.admin).post(detail(acme.author, "reactivate/")), 409, "conflict"
    )
    assert state(acme, acme.author) == before


def test_admin_cannot_deactivate_themselves(acme):
    assert_error(
        acme.client_for(acme.admin).post(detail(acme.admin, "deactivate/")), 409, "conflict"
    )
    assert state(acme, acme.admin)[1] == MembershipStatus.ACTIVE


def test_author_cannot_deactivate(acme):
    assert_error(
        acme.client_for(acme.author).post(detail(acme.learner, "deactivate/")), 403, "forbidden"
    )
    assert state(acme, acme.learner)[1] == MembershipStatus.ACTIVE


def test_deactivating_another_tenants_member_is_not_found(acme, globex):
    assert_error(
        acme.client_for(acme.admin).post(detail(globex.learner, "deactivate/")), 404, "not_found"
    )
    assert state(globex, globex.learner)[1] == MembershipStatus.ACTIVE


def test_a_deactivated_member_loses_api_access(acme):
    client = acme.client_for(acme.author)
    assert client.get("/api/v1/me/").status_code == 200
    acme.client_for(acme.admin).post(detail(acme.author, "deactivate/"))
    assert_error(client.get("/api/v1/me/"), 403, "forbidden")


# --- export -------------------------------------------------------------------------------------------


def test_admin_starts_a_members_export_job(acme):
    response = acme.client_for(acme.admin).post(LIST + "export/")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["kind"] == "members.export_csv"
    assert body["status"] == "queued"
    assert body["created_by"]["uuid"] == str(acme.admin.uuid)


def test_reviewer_cannot_start_a_members_export(acme):
    assert_error(acme.client_for(acme.reviewer).post(LIST + "export/"), 403, "forbidden")
