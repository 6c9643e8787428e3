"""Reviewer pools: the service, the review-categories API and the categories page."""

from __future__ import annotations

import json

import pytest

from egl_platform.errors import Forbidden, Invalid
from reviews import pools
from reviews.models import CategoryReviewer, CategoryReviewerGroup, ReviewCategory
from reviews.services import categories_ensure_defaults, category_pool
from tenants.models import AuditEvent
from tests.factories import GroupFactory, GroupMemberFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _category(world, slug="compliance"):
    with world.scope():
        categories_ensure_defaults()
        return ReviewCategory.objects.get(slug=slug)


def _pool(world, category):
    with world.scope():
        members = set(
            CategoryReviewer.objects.filter(category=category).values_list(
                "membership__uuid", flat=True
            )
        )
        groups = set(
            CategoryReviewerGroup.objects.filter(category=category).values_list(
                "group__uuid", flat=True
            )
        )
    return members, groups


def patch(client, category, body):
    return client.patch(
        f"/api/v1/review-categories/{category.uuid}/",
        json.dumps(body),
        content_type="application/json",
    )


# --- the service ---------------------------------------------------------------------------------


def test_pool_set_replaces_the_pool_and_records_it(acme):
    category = _category(acme)
    with acme.scope():
        second = MembershipFactory(roles=["reviewer"], user__email="second@acme.test")
        group = GroupFactory(name="Compliance team")
        GroupMemberFactory(group=group, membership=second)
        pools.category_pool_set(
            actor=acme.admin, category=category, members=[acme.reviewer], groups=[]
        )
        pools.category_pool_set(actor=acme.admin, category=category, members=[], groups=[group])
        assert category_pool(category) == {second.pk}
        event = AuditEvent.objects.filter(verb="review_category.pool_set").latest("id")
        assert event.data["groups"] == [str(group.uuid)]
        assert event.data["members_before"] == [str(acme.reviewer.uuid)]
    assert _pool(acme, category) == (set(), {group.uuid})


def test_pool_refuses_a_member_who_is_not_a_reviewer_and_changes_nothing(acme):
    category = _category(acme)
    with acme.scope():
        pools.category_pool_set(
            actor=acme.admin, category=category, members=[acme.reviewer], groups=[]
        )
        with pytest.raises(Invalid) as caught:
            pools.category_pool_set(
                actor=acme.admin,
                category=category,
                members=[acme.reviewer, acme.author],
                groups=[],
            )
    assert "members" in caught.value.fields
    assert _pool(acme, category) == ({acme.reviewer.uuid}, set())


def test_pool_refuses_another_tenants_group(acme, globex):
    category = _category(acme)
    with globex.scope():
        foreign = GroupFactory(name="Globex team")
    with acme.scope(), pytest.raises(Invalid):
        pools.category_pool_set(actor=acme.admin, category=category, members=[], groups=[foreign])
    assert _pool(acme, category) == (set(), set())


@pytest.mark.parametrize("role", ["reviewer", "author"])
def test_only_admins_set_the_pool(acme, role):
    category = _category(acme)
    with acme.scope(), pytest.raises(Forbidden):
        pools.category_pool_set(
            actor=getattr(acme, role), category=category, members=[acme.reviewer], groups=[]
        )


def test_configure_is_all_or_nothing(acme):
    category = _category(acme)
    with acme.scope(), pytest.raises(Invalid):
        pools.category_configure(
            actor=acme.admin,
            category=category,
            approvals_needed=2,
            members=[acme.learner],
        )
    with acme.scope():
        assert ReviewCategory.objects.get(pk=category.pk).approvals_needed == 1


# --- the API -------------------------------------------------------------------------------------


def test_api_lists_policy_and_pool(acme):
    category = _category(acme)
    with acme.scope():
        group = GroupFactory(name="Safety team")
        pools.category_pool_set(
            actor=acme.admin, category=category, members=[acme.reviewer], groups=[group]
        )
    body = acme.client_for(acme.author).get("/api/v1/review-categories/").json()
    entry = next(c for c in body if c["slug"] == "compliance")
    assert entry["approval_required"] is True
    assert entry["approvals_needed"] == 1
    assert entry["reviewers"] == [
        {"uuid": str(acme.reviewer.uuid), "display_name": acme.reviewer.user.name}
    ]
    assert entry["reviewer_groups"][0]["uuid"] == str(group.uuid)


def test_api_patch_changes_policy_and_pool(acme):
    category = _category(acme)
    with acme.scope():
        group = GroupFactory(name="Reviewers")
    response = patch(
        acme.client_for(acme.admin),
        category,
        {
            "approvals_needed": 2,
            "reviewers": [str(acme.reviewer.uuid)],
            "reviewer_groups": [str(group.uuid)],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["approvals_needed"] == 2
    assert [m["uuid"] for m in body["reviewers"]] == [str(acme.reviewer.uuid)]
    assert _pool(acme, category) == ({acme.reviewer.uuid}, {group.uuid})
    # Only the policy: the pool stays.
    response = patch(acme.client_for(acme.admin), category, {"approval_required": False})
    assert response.json()["approval_required"] is False
    assert _pool(acme, category) == ({acme.reviewer.uuid}, {group.uuid})


def test_api_patch_refuses_a_non_reviewer_member_and_changes_nothing(acme):
    category = _category(acme)
    response = patch(
        acme.client_for(acme.admin),
        category,
        {"approvals_needed": 2, "reviewers": [str(acme.author.uuid)]},
    )
    assert response.status_code == 400
    assert "reviewers" in response.json()["error"]["fields"]
    with acme.scope():
        assert ReviewCategory.objects.get(pk=category.pk).approvals_needed == 1
    assert _pool(acme, category) == (set(), set())


def test_api_patch_refuses_another_tenants_group_or_member(acme, globex):
    category = _category(acme)
    with globex.scope():
        foreign = GroupFactory(name="Globex team")
    client = acme.client_for(acme.admin)
    response = patch(client, category, {"reviewer_groups": [str(foreign.uuid)]})
    assert response.status_code == 400
    assert "reviewer_groups" in response.json()["error"]["fields"]
    response = patch(client, category, {"reviewers": [str(globex.reviewer.uuid)]})
    assert response.status_code == 400
    assert _pool(acme, category) == (set(), set())


def test_api_patch_is_for_admins_and_foreign_categories_are_404(acme, globex):
    category = _category(acme)
    foreign = _category(globex)
    body = {"reviewers": [str(acme.reviewer.uuid)]}
    assert patch(acme.client_for(acme.reviewer), category, body).status_code == 403
    assert patch(acme.client_for(acme.admin), foreign, body).status_code == 404
    assert acme.client_for(acme.learner).get("/api/v1/review-categories/").status_code == 403


# --- the page ------------------------------------------------------------------------------------


def _form(category, **fields):
    data = {
        "category": str(category.uuid),
        "approvals_needed": "1",
        "members": [],
        "groups": [],
    }
    data.update(fields)
    return data


def test_categories_page_shows_policies_to_reviewers_read_only(acme):
    _category(acme)
    response = acme.client_for(acme.reviewer).get("/reviews/categories/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Compliance" in content
    assert "Only admins can change these settings." in content
    assert '<form method="post" action="/reviews/categories/"' not in content


def test_categories_page_saves_policy_and_pool(acme):
    category = _category(acme)
    client = acme.client_for(acme.admin)
    response = client.post(
        "/reviews/categories/",
        _form(category, approval_required="on", approvals_needed="2", members=[acme.reviewer.uuid]),
    )
    assert response.status_code == 302
    with acme.scope():
        saved = ReviewCategory.objects.get(pk=category.pk)
    assert (saved.approval_required, saved.approvals_needed) == (True, 2)
    assert _pool(acme, category) == ({acme.reviewer.uuid}, set())


def test_categories_page_refuses_a_non_reviewer_and_keeps_the_input(acme):
    category = _category(acme)
    response = acme.client_for(acme.admin).post(
        "/reviews/categories/",
        _form(category, approvals_needed="2", members=[acme.author.uuid]),
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "cannot review courses" in content
    assert 'value="2" selected' in content
    with acme.scope():
        assert ReviewCategory.objects.get(pk=category.pk).approvals_needed == 1
    assert _pool(acme, category) == (set(), set())


def test_categories_page_post_is_for_admins(acme, globex):
    category = _category(acme)
    foreign = _category(globex)
    assert (
        acme.client_for(acme.reviewer).post("/reviews/categories/", _form(category)).status_code
        == 403
    )
    assert (
        acme.client_for(acme.admin).post("/reviews/categories/", _form(foreign)).status_code == 404
    )
    assert acme.client_for(acme.author).get("/reviews/categories/").status_code == 403
