"""Manage → Members: search and filter, roles, deactivation and reactivation, the CSV export."""

import pytest
from django.urls import reverse

from egl_platform.models import Job
from tenants.models import AuditEvent, Membership, MembershipStatus
from tests.factories import GroupFactory, GroupMemberFactory, MembershipFactory

pytestmark = pytest.mark.django_db

MEMBERS = "/manage/members/"


def detail_url(member, suffix=""):
    return f"/manage/members/{member.uuid}/{suffix}"


def fresh(world, member):
    with world.scope():
        return Membership.objects.get(pk=member.pk)


def test_members_list_shows_every_member_with_roles_status_and_joined(acme, globex):
    response = acme.client_for(acme.admin).get(MEMBERS)
    assert response.status_code == 200
    body = response.content.decode()
    for email in ("learner@acme.test", "author@acme.test", "reviewer@acme.test", "admin@acme.test"):
        assert email in body
    assert "globex.test" not in body
    assert 'class="badge badge--active"' in body
    assert reverse("manage:member_detail", kwargs={"member_uuid": acme.author.uuid}) in body
    assert response["Vary"]
    assert "HX-Request" in response["Vary"]


def test_members_list_searches_by_name_and_email(acme):
    with acme.scope():
        MembershipFactory(user__email="zed@acme.test", user__display_name="Zelda Quartermain")
    client = acme.client_for(acme.admin)
    by_name = client.get(MEMBERS, {"q": "quartermain"}).content.decode()
    assert "zed@acme.test" in by_name
    assert "author@acme.test" not in by_name
    by_email = client.get(MEMBERS, {"q": "REVIEWER@acme"}).content.decode()
    assert "reviewer@acme.test" in by_email
    assert "zed@acme.test" not in by_email


def test_members_list_filters_by_role_and_status(acme):
    with acme.scope():
        gone = MembershipFactory(user__email="gone@acme.test", status=MembershipStatus.DEACTIVATED)
    client = acme.client_for(acme.admin)
    reviewers = client.get(MEMBERS, {"role": "reviewer"}).content.decode()
    assert "reviewer@acme.test" in reviewers
    assert "admin@acme.test" in reviewers
    assert "author@acme.test" not in reviewers
    assert "learner@acme.test" not in reviewers
    deactivated = client.get(MEMBERS, {"status": "deactivated"}).content.decode()
    assert gone.user.email in deactivated
    assert "learner@acme.test" not in deactivated
    active = client.get(MEMBERS, {"status": "active"}).content.decode()
    assert gone.user.email not in active


def test_members_filters_with_nothing_found_show_an_empty_state(acme):
    body = acme.client_for(acme.admin).get(MEMBERS, {"q": "nobody-like-this"}).content.decode()
    assert "No members match these filters." in body


def test_htmx_request_gets_only_the_results_fragment(acme):
    client = acme.client_for(acme.admin)
    response = client.get(MEMBERS, {"role": "author"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert "<table" in body
    assert "author@acme.test" in body
    assert "learner@acme.test" not in body
    assert "HX-Request" in response["Vary"]
    # htmx restoring a page from its history needs the whole page.
    restore = client.get(MEMBERS, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restore.content.decode()


def test_members_filter_form_is_wired_for_htmx_and_autosubmit(acme):
    body = acme.client_for(acme.admin).get(MEMBERS).content.decode()
    assert 'hx-get="/manage/members/"' in body
    assert 'hx-target="#members-results"' in body
    assert 'hx-push-url="true"' in body
    assert body.count("data-autosubmit") == 2


def test_members_list_is_paginated_and_bounded_in_queries(acme, django_assert_max_num_queries):
    with acme.scope():
        for index in range(30):
            member = MembershipFactory(
                user__email=f"bulk{index:02}@acme.test", user__display_name=f"Bulk {index:02}"
            )
            if index % 3 == 0:
                GroupMemberFactory(membership=member)
    client = acme.client_for(acme.admin)
    client.get(MEMBERS)  # warm the per-user caches, as on any second page view
    with django_assert_max_num_queries(12):
        first = client.get(MEMBERS)
    body = first.content.decode()
    assert "Page 1 of 2" in body
    assert body.count('<th scope="row">') == 25
    second = client.get(MEMBERS, {"page": 2}).content.decode()
    assert second.count('<th scope="row">') == 34 - 25


def test_admin_changes_roles(acme):
    response = acme.client_for(acme.admin).post(
        detail_url(acme.learner), {"roles": ["author", "reviewer"]}
    )
    assert response.status_code == 302
    assert fresh(acme, acme.learner).roles == ["learner", "author", "reviewer"]
    with acme.scope():
        assert AuditEvent.objects.filter(
            verb="membership.roles_changed", target_uuid=acme.learner.uuid
        ).exists()


def test_admin_clears_all_roles_back_to_learner(acme):
    acme.client_for(acme.admin).post(detail_url(acme.reviewer), {})
    assert fresh(acme, acme.reviewer).roles == ["learner"]


def test_unknown_role_is_refused_and_nothing_changes(acme):
    response = acme.client_for(acme.admin).post(detail_url(acme.author), {"roles": ["emperor"]})
    assert response.status_code == 400
    assert fresh(acme, acme.author).roles == ["learner", "author"]


def test_last_admin_cannot_lose_the_admin_role(acme):
    response = acme.client_for(acme.admin).post(detail_url(acme.admin), {"roles": ["author"]})
    assert response.status_code == 409
    assert "at least one admin" in response.content.decode()
    assert (
        'value="admin" id="id_roles_2" checked' in response.content.decode()
    )  # shown as it still is
    assert fresh(acme, acme.admin).is_admin
    with acme.scope():
        assert not AuditEvent.objects.filter(verb="membership.roles_changed").exists()


def test_member_detail_shows_the_members_groups(acme):
    with acme.scope():
        GroupMemberFactory(membership=acme.author, group=GroupFactory(name="Night shift"))
    body = acme.client_for(acme.admin).get(detail_url(acme.author)).content.decode()
    assert "Night shift" in body
    assert "Everyone is a learner" in body
    assert "keeps" in body or "stays" in body or "are kept" in body


def test_deactivate_keeps_the_membership_row_and_records_the_event(acme):
    client = acme.client_for(acme.admin)
    response = client.post(detail_url(acme.author, "deactivate/"))
    assert response.status_code == 302
    member = fresh(acme, acme.author)
    assert member.status == MembershipStatus.DEACTIVATED
    assert member.deactivated_at is not None
    assert member.is_author  # roles kept too
    with acme.scope():
        assert (
            AuditEvent.objects.filter(
                verb="membership.deactivated", target_uuid=acme.author.uuid
            ).count()
            == 1
        )
    # ... and they can come back
    assert client.post(detail_url(acme.author, "reactivate/")).status_code == 302
    assert fresh(acme, acme.author).status == MembershipStatus.ACTIVE


def test_deactivated_member_can_no_longer_use_the_tenant(acme):
    client = acme.client_for(acme.author)
    acme.client_for(acme.admin).post(detail_url(acme.author, "deactivate/"))
    assert client.get("/").status_code == 403


def test_deactivating_twice_is_a_conflict(acme):
    client = acme.client_for(acme.admin)
    client.post(detail_url(acme.author, "deactivate/"))
    response = client.post(detail_url(acme.author, "deactivate/"))
    assert response.status_code == 409
    assert "already deactivated" in response.content.decode()


def test_admin_cannot_deactivate_themselves(acme):
    response = acme.client_for(acme.admin).post(detail_url(acme.admin, "deactivate/"))
    assert response.status_code == 409
    assert fresh(acme, acme.admin).status == MembershipStatus.ACTIVE


def test_the_last_remaining_admin_keeps_the_admin_role(acme):
    with acme.scope():
        other = MembershipFactory(roles=["admin"])
    # Two admins: one may deactivate the other ...
    assert acme.client_for(other).post(detail_url(acme.admin, "deactivate/")).status_code == 302
    # ... but the one left cannot give the admin role away.
    response = acme.client_for(other).post(detail_url(other), {"roles": ["author"]})
    assert response.status_code == 409
    assert fresh(acme, other).is_admin


def test_status_changes_need_post(acme):
    client = acme.client_for(acme.admin)
    assert client.get(detail_url(acme.author, "deactivate/")).status_code == 405
    assert fresh(acme, acme.author).status == MembershipStatus.ACTIVE


def test_export_starts_a_job_and_leads_to_its_page(
    acme, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        response = acme.client_for(acme.admin).post("/manage/members/export/")
    assert response.status_code == 302
    with acme.scope():
        job = Job.objects.get()
    assert job.kind == "members.export_csv"
    assert job.created_by_id == acme.admin.pk
    assert response["Location"] == reverse("jobs:detail", kwargs={"job_uuid": job.uuid})
