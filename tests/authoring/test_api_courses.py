"""The courses API: list/create/retrieve/update/delete, outline, sections, pages, revisions,
authors, presence and the document. Shapes, 404 for other tenants, 403 for learners."""

from __future__ import annotations

import json

import pytest

from authoring.models import Course, Page, Revision, Section
from authoring.services.courses import course_create
from tests.api_helpers import assert_error
from tests.factories import CourseFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def patch(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def course(acme):
    with acme.scope():
        return course_create(
            actor=acme.author,
            title="Phone etiquette",
            description="Answering calls",
            objectives=["Greet"],
        )


def test_create_and_retrieve_shape(acme):
    client = acme.client_for(acme.author)
    response = post(
        client,
        "/api/v1/courses/",
        {"title": "New", "language": "nl", "tags": ["a"], "objectives": [{"text": "Do X"}]},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {
        "uuid",
        "slug",
        "title",
        "description",
        "language",
        "category",
        "tags",
        "objectives",
        "estimated_minutes",
        "cover",
        "status",
        "is_template",
        "version",
        "owner",
        "owner_deactivated",
        "co_authors",
        "created_at",
        "updated_at",
        "updated_by",
        "revised_at",
    }
    assert body["owner"] == {"uuid": str(acme.author.uuid), "display_name": acme.author.user.name}
    assert body["language"] == "nl"
    assert body["status"] == "draft"
    assert "id" not in body
    assert "pk" not in body
    detail = client.get(f"/api/v1/courses/{body['uuid']}/")
    assert detail.status_code == 200
    assert detail.json()["title"] == "New"
    outline = client.get(f"/api/v1/courses/{body['uuid']}/sections/").json()
    assert len(outline) == 1
    assert len(outline[0]["pages"]) == 1
    assert set(outline[0]["pages"][0]) == {"uuid", "title", "kind", "position", "block_count"}


def test_create_refuses_bad_input_with_the_error_shape(acme):
    client = acme.client_for(acme.author)
    error = assert_error(
        post(client, "/api/v1/courses/", {"title": "X", "language": "fr"}), 400, "invalid"
    )
    assert "language" in error["fields"]
    assert_error(post(client, "/api/v1/courses/", {}), 400, "invalid")
    with acme.scope():
        assert not Course.objects.exists()


def test_learners_are_refused_every_authoring_route(acme, course):
    client = acme.client_for(acme.learner)
    with acme.scope():
        page = Page.objects.get(section__course=course)
    for url in (
        "/api/v1/courses/",
        f"/api/v1/courses/{course.uuid}/",
        f"/api/v1/courses/{course.uuid}/sections/",
        f"/api/v1/pages/{page.uuid}/",
    ):
        assert_error(client.get(url), 403, "forbidden")
    assert_error(post(client, "/api/v1/courses/", {"title": "X"}), 403, "forbidden")
    assert_error(
        post(
            client, f"/api/v1/pages/{page.uuid}/operations/", {"base_version": 1, "operations": []}
        ),
        403,
        "forbidden",
    )


def test_another_tenants_course_is_not_found(acme, globex, course):
    client = globex.client_for(globex.admin)
    with acme.scope():
        page = Page.objects.get(section__course=course)
    for url in (
        f"/api/v1/courses/{course.uuid}/",
        f"/api/v1/courses/{course.uuid}/document/",
        f"/api/v1/pages/{page.uuid}/",
    ):
        assert_error(client.get(url), 404, "not_found")
    assert_error(
        patch(client, f"/api/v1/courses/{course.uuid}/", {"title": "Hacked"}), 404, "not_found"
    )
    with acme.scope():
        assert Course.objects.get(pk=course.pk).title == "Phone etiquette"


def test_an_author_sees_own_and_coauthored_courses_only(acme, course):
    with acme.scope():
        other = CourseFactory(title="Someone else's")
        shared = CourseFactory(title="Shared with me")
        shared.course_authors.create(membership=acme.author)
    client = acme.client_for(acme.author)
    titles = [c["title"] for c in client.get("/api/v1/courses/").json()["results"]]
    assert set(titles) == {"Phone etiquette", "Shared with me"}
    assert_error(client.get(f"/api/v1/courses/{other.uuid}/"), 404, "not_found")
    assert_error(client.get("/api/v1/courses/?scope=all"), 403, "forbidden")
    reviewer = acme.client_for(acme.reviewer)
    assert reviewer.get("/api/v1/courses/").json()["results"] == []
    all_titles = {c["title"] for c in reviewer.get("/api/v1/courses/?scope=all").json()["results"]}
    assert all_titles == {"Phone etiquette", "Shared with me", "Someone else's"}
    assert reviewer.get(f"/api/v1/courses/{other.uuid}/").status_code == 200


def test_list_search_filter_and_cursor_pagination(acme):
    with acme.scope():
        for n in range(5):
            CourseFactory(owner=acme.author, title=f"Safety {n}")
        CourseFactory(owner=acme.author, title="Sales", description="about safety too")
        CourseFactory(owner=acme.author, title="Other", status="in_review")
    client = acme.client_for(acme.author)
    found = client.get("/api/v1/courses/?search=safety").json()["results"]
    assert len(found) == 6
    assert [
        c["title"] for c in client.get("/api/v1/courses/?status=in_review").json()["results"]
    ] == ["Other"]
    assert_error(client.get("/api/v1/courses/?status=lost"), 400, "invalid")
    first = client.get("/api/v1/courses/?page_size=4").json()
    assert len(first["results"]) == 4
    assert first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 3
    seen = [c["uuid"] for c in first["results"] + second["results"]]
    assert len(set(seen)) == 7


def test_update_and_delete(acme, course):
    client = acme.client_for(acme.author)
    objective = course.objectives[0]
    response = patch(
        client,
        f"/api/v1/courses/{course.uuid}/",
        {"title": "Renamed", "objectives": [{"id": objective["id"], "text": "Greet warmly"}]},
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Renamed"
    assert response.json()["objectives"] == [{"id": objective["id"], "text": "Greet warmly"}]
    assert response.json()["version"] == 2
    reviewer = acme.client_for(acme.reviewer)
    assert_error(reviewer.delete(f"/api/v1/courses/{course.uuid}/"), 403, "forbidden")
    assert client.delete(f"/api/v1/courses/{course.uuid}/").status_code == 204
    with acme.scope():
        assert not Course.objects.filter(pk=course.pk).exists()


def test_sections_and_pages_endpoints(acme, course):
    client = acme.client_for(acme.author)
    created = post(client, f"/api/v1/courses/{course.uuid}/sections/", {"title": "Two"})
    assert created.status_code == 201, created.content
    section = created.json()
    assert section["title"] == "Two"
    assert section["position"] == 1
    assert section["pages"] == []
    moved = post(client, f"/api/v1/sections/{section['uuid']}/move/", {"index": 0})
    assert moved.json()["position"] == 0
    renamed = patch(client, f"/api/v1/sections/{section['uuid']}/", {"title": "First"})
    assert renamed.json()["title"] == "First"
    page = post(
        client, f"/api/v1/sections/{section['uuid']}/pages/", {"title": "Quiz", "kind": "quiz"}
    )
    assert page.status_code == 201, page.content
    page = page.json()
    assert page["kind"] == "quiz"
    assert page["settings"]["passing_score"] == 80
    assert page["blocks"] == []
    assert page["section"] == section["uuid"]
    bad = patch(client, f"/api/v1/pages/{page['uuid']}/", {"settings": {"passing_score": 500}})
    assert_error(bad, 400, "invalid")
    good = patch(client, f"/api/v1/pages/{page['uuid']}/", {"title": "Final quiz"})
    assert good.json()["title"] == "Final quiz"
    with acme.scope():
        first_section = Section.objects.get(course=course, title="Section 1")
    moved = post(
        client,
        f"/api/v1/pages/{page['uuid']}/move/",
        {"section": str(first_section.uuid), "index": 0},
    )
    assert moved.status_code == 200
    assert moved.json()["section"] == str(first_section.uuid)
    assert client.delete(f"/api/v1/pages/{page['uuid']}/").status_code == 204
    assert client.delete(f"/api/v1/sections/{section['uuid']}/").status_code == 204
    outline = client.get(f"/api/v1/courses/{course.uuid}/sections/").json()
    assert [s["title"] for s in outline] == ["Section 1"]


def test_revisions_endpoints(acme, course):
    client = acme.client_for(acme.author)
    created = post(client, f"/api/v1/courses/{course.uuid}/revisions/")
    assert created.status_code == 201, created.content
    assert created.json()["number"] == 1
    assert created.json()["reason"] == "manual"
    patch(client, f"/api/v1/courses/{course.uuid}/", {"title": "Changed"})
    listed = client.get(f"/api/v1/courses/{course.uuid}/revisions/").json()
    assert [r["number"] for r in listed["results"]] == [1]
    detail = client.get(f"/api/v1/courses/{course.uuid}/revisions/1/").json()
    assert detail["document"]["course"]["title"] == "Phone etiquette"
    assert_error(client.get(f"/api/v1/courses/{course.uuid}/revisions/7/"), 404, "not_found")
    restored = post(client, f"/api/v1/courses/{course.uuid}/revisions/1/restore/")
    assert restored.status_code == 201
    assert restored.json()["reason"] == "restore"
    assert client.get(f"/api/v1/courses/{course.uuid}/").json()["title"] == "Phone etiquette"
    with acme.scope():
        assert Revision.objects.filter(course=course).count() == 3


def test_authors_endpoints(acme, course):
    with acme.scope():
        colleague = MembershipFactory(roles=["author"])
    client = acme.client_for(acme.author)
    added = post(client, f"/api/v1/courses/{course.uuid}/authors/", {"member": str(colleague.uuid)})
    assert added.status_code == 200, added.content
    assert [a["uuid"] for a in added.json()["co_authors"]] == [str(colleague.uuid)]
    assert_error(
        post(client, f"/api/v1/courses/{course.uuid}/authors/", {"member": str(colleague.uuid)}),
        409,
        "conflict",
    )
    assert_error(
        post(client, f"/api/v1/courses/{course.uuid}/authors/", {"member": str(acme.learner.uuid)}),
        400,
        "invalid",
    )
    moved = post(client, f"/api/v1/courses/{course.uuid}/owner/", {"member": str(colleague.uuid)})
    assert moved.json()["owner"]["uuid"] == str(colleague.uuid)
    assert [a["uuid"] for a in moved.json()["co_authors"]] == [str(acme.author.uuid)]
    # Now a co-author: may leave, may not manage others.
    assert (
        client.delete(f"/api/v1/courses/{course.uuid}/authors/{acme.author.uuid}/").status_code
        == 204
    )
    assert_error(client.get(f"/api/v1/courses/{course.uuid}/"), 404, "not_found")


def test_presence_lists_the_others(acme, course):
    with acme.scope():
        page = Page.objects.get(section__course=course)
    author = acme.client_for(acme.author)
    reviewer = acme.client_for(acme.reviewer)
    url = f"/api/v1/courses/{course.uuid}/presence/"
    assert post(author, url, {"page_uuid": str(page.uuid)}).json() == {"others": []}
    others = post(reviewer, url, {}).json()["others"]
    assert len(others) == 1
    assert others[0]["member_uuid"] == str(acme.author.uuid)
    assert others[0]["page_uuid"] == str(page.uuid)
    assert others[0]["name"] == acme.author.user.name
    assert author.get(url).json()["others"][0]["member_uuid"] == str(acme.reviewer.uuid)
    with acme.scope():
        elsewhere = Page.objects.get(section__course=course_create(actor=acme.author, title="X"))
    assert_error(post(author, url, {"page_uuid": str(elsewhere.uuid)}), 400, "invalid")


def test_document_endpoint(acme, course):
    body = acme.client_for(acme.author).get(f"/api/v1/courses/{course.uuid}/document/").json()
    assert body["schema_version"] == 1
    assert body["course"]["id"] == str(course.uuid)
    assert len(body["sections"]) == 1
