"""My courses and the course workspace: lists, settings, the no-JS outline forms, co-authors
and versions. Negatives: another tenant's course and a course not yours are 404, a learner 403,
bad input 400 (or a message) with nothing changed."""

from __future__ import annotations

import uuid

import pytest

from authoring.models import Course, CourseAuthor, Page, Revision, Section
from authoring.services.coauthors import course_author_add
from authoring.services.courses import course_create
from authoring.services.revisions import revision_create
from authoring.services.structure import page_create, section_create
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def make_course(world, owner=None, title="Answering the phone", **kwargs):
    with world.scope():
        return course_create(actor=owner or world.author, title=title, **kwargs)


def edit_url(course) -> str:
    return f"/courses/{course.uuid}/"


def structure(world, course) -> list[tuple[str, list[str]]]:
    with world.scope():
        return [
            (s.title, [p.title for p in Page.objects.filter(section=s).order_by("position")])
            for s in Section.objects.filter(course=course).order_by("position")
        ]


# --- My courses ----------------------------------------------------------------------------------


def test_my_courses_lists_owned_and_coauthored_courses_with_my_role(acme):
    own = make_course(acme, title="Own course")
    other = make_course(acme, owner=acme.admin, title="Shared course")
    make_course(acme, owner=acme.admin, title="Not shared course")
    with acme.scope():
        course_author_add(actor=acme.admin, course=other, member=acme.author)
    response = acme.client_for(acme.author).get("/courses/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Own course" in body
    assert "Shared course" in body
    assert "Not shared course" not in body
    assert "Owner" in body
    assert "Co-author" in body
    assert f'href="/courses/{own.uuid}/"' in body
    assert "ago" in body  # last edited, relative


def test_reviewers_can_show_all_courses_and_authors_cannot(acme):
    make_course(acme, title="Someone else's course")
    reviewer = acme.client_for(acme.reviewer)
    assert "Someone else" not in reviewer.get("/courses/").content.decode()
    assert "Someone else" in reviewer.get("/courses/?scope=all").content.decode()
    author_body = acme.client_for(acme.admin).get("/courses/?scope=all").content.decode()
    assert "All courses" in author_body  # the admin is a reviewer too
    # An author asking for every course just gets theirs: the scope field is not offered.
    make_course(acme, owner=acme.admin, title="Admin only course")
    body = acme.client_for(acme.author).get("/courses/?scope=all").content.decode()
    assert "Admin only course" not in body
    assert 'name="scope"' not in body


def test_my_courses_search_and_status_filter_and_htmx_fragment(acme):
    make_course(acme, title="Phone basics")
    make_course(acme, title="Email etiquette")
    client = acme.client_for(acme.author)
    body = client.get("/courses/?q=phone").content.decode()
    assert "Phone basics" in body
    assert "Email etiquette" not in body
    assert "No courses match" in client.get("/courses/?status=published").content.decode()
    response = client.get("/courses/?q=email", HTTP_HX_REQUEST="true")
    fragment = response.content.decode()
    assert "Email etiquette" in fragment
    assert "<html" not in fragment
    assert "HX-Request" in response["Vary"]


def test_empty_state_invites_to_start_a_course(acme):
    body = acme.client_for(acme.author).get("/courses/").content.decode()
    assert "Start a course" in body
    assert 'href="/new-course/"' in body


def test_learners_may_not_see_the_course_list_or_a_workspace(acme):
    course = make_course(acme)
    client = acme.client_for(acme.learner)
    assert client.get("/courses/").status_code == 403
    assert client.get(edit_url(course)).status_code == 403


def test_my_courses_is_paginated(acme):
    with acme.scope():
        for n in range(27):
            course_create(actor=acme.author, title=f"Course {n:02d}")
    body = acme.client_for(acme.author).get("/courses/").content.decode()
    assert body.count('<th scope="row">') == 25
    assert "Page 1 of 2" in body


# --- the workspace -------------------------------------------------------------------------------


def test_workspace_opens_for_owner_coauthor_and_reviewer(acme):
    coauthor = acme.admin
    course = make_course(acme)
    with acme.scope():
        extra = MembershipFactory(roles=["author"])
        course_author_add(actor=acme.author, course=course, member=extra)
    for member in (acme.author, extra, acme.reviewer, coauthor):
        response = acme.client_for(member).get(edit_url(course))
        assert response.status_code == 200, member
    body = response.content.decode()
    assert "data-outline" in body
    assert f'data-course-uuid="{course.uuid}"' in body
    assert "Course health" in body
    assert f"/course-tools/{course.uuid}/health/" in body
    assert "editor:saved from:body" in body
    assert f"/courses/{course.uuid}/preview/" in body


def test_workspace_is_404_for_an_author_not_on_the_course_and_for_another_tenant(acme, globex):
    course = make_course(acme)
    with acme.scope():
        stranger = MembershipFactory(roles=["author"])
    assert acme.client_for(stranger).get(edit_url(course)).status_code == 404
    assert globex.client_for(globex.admin).get(edit_url(course)).status_code == 404
    assert acme.client_for(acme.author).get(f"/courses/{uuid.uuid4()}/").status_code == 404


def test_settings_save_keeps_objective_ids_adds_and_removes(acme):
    course = make_course(acme, objectives=["Greet the caller", "Log the call"])
    keep, drop = course.objectives
    response = acme.client_for(acme.author).post(
        edit_url(course),
        {
            "title": "Answering calls",
            "description": "For new starters.",
            "language": "nl",
            "category": "customer-service",
            "tags": "phone, calls, Phone",
            "cover": "",
            "objective_id": [keep["id"], drop["id"], ""],
            "objective_text": ["Greet the caller warmly", "", "Close the call"],
        },
    )
    assert response.status_code == 302
    with acme.scope():
        course.refresh_from_db()
    assert course.title == "Answering calls"
    assert course.language == "nl"
    assert course.tags == ["phone", "calls"]
    assert course.objectives[0] == {"id": keep["id"], "text": "Greet the caller warmly"}
    assert [o["text"] for o in course.objectives] == ["Greet the caller warmly", "Close the call"]
    assert drop["id"] not in {o["id"] for o in course.objectives}


def test_bad_settings_are_refused_with_a_message_and_nothing_saved(acme):
    course = make_course(acme)
    client = acme.client_for(acme.author)
    response = client.post(edit_url(course), {"title": "", "language": "en"})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    response = client.post(edit_url(course), {"title": "New", "language": "en", "cover": "nope"})
    assert response.status_code == 400
    with acme.scope():
        course.refresh_from_db()
    assert course.title == "Answering the phone"


# --- outline without JavaScript ------------------------------------------------------------------


def test_sections_can_be_added_renamed_moved_and_deleted_with_plain_forms(acme):
    course = make_course(acme)
    client = acme.client_for(acme.author)
    assert (
        client.post(f"/courses/{course.uuid}/sections/add/", {"title": "Second"}).status_code == 302
    )
    with acme.scope():
        first, second = Section.objects.filter(course=course).order_by("position")
    client.post(f"/courses/{course.uuid}/sections/{second.uuid}/move/", {"direction": "up"})
    assert [t for t, _p in structure(acme, course)] == ["Second", first.title]
    client.post(f"/courses/{course.uuid}/sections/{second.uuid}/rename/", {"title": "Intro"})
    assert structure(acme, course)[0][0] == "Intro"
    response = client.post(f"/courses/{course.uuid}/sections/{second.uuid}/delete/", follow=True)
    assert "A version of the course from before is kept" in response.content.decode()
    assert [t for t, _p in structure(acme, course)] == [first.title]


def test_pages_can_be_added_moved_within_and_across_sections_and_deleted(acme):
    course = make_course(acme)
    with acme.scope():
        section = Section.objects.get(course=course)
        first = Page.objects.get(section=section)
        other = section_create(actor=acme.author, course=course, title="Other")
    client = acme.client_for(acme.author)
    base = f"/courses/{course.uuid}"
    response = client.post(
        f"{base}/sections/{section.uuid}/pages/add/", {"title": "Quiz", "kind": "quiz"}
    )
    assert response.status_code == 302
    with acme.scope():
        quiz = Page.objects.get(section=section, title="Quiz")
    assert quiz.kind == "quiz"
    client.post(f"{base}/pages/{quiz.uuid}/move/", {"direction": "up"})
    assert structure(acme, course)[0][1] == ["Quiz", first.title]
    client.post(f"{base}/pages/{quiz.uuid}/move/", {"direction": "down"})
    assert structure(acme, course)[0][1] == [first.title, "Quiz"]
    client.post(f"{base}/pages/{quiz.uuid}/move/", {"section": str(other.uuid)})
    assert structure(acme, course) == [(section.title, [first.title]), ("Other", ["Quiz"])]
    client.post(f"{base}/pages/{quiz.uuid}/rename/", {"title": "Final quiz"})
    assert structure(acme, course)[1][1] == ["Final quiz"]
    client.post(f"{base}/pages/{quiz.uuid}/delete/")
    assert structure(acme, course)[1][1] == []


def test_outline_forms_refuse_what_is_not_this_course(acme, globex):
    course = make_course(acme)
    elsewhere = make_course(acme, owner=acme.author, title="Elsewhere")
    theirs = make_course(globex)
    with acme.scope():
        page = Page.objects.get(section__course=course)
        foreign_section = Section.objects.get(course=elsewhere)
    with globex.scope():
        globex_section = Section.objects.get(course=theirs)
    client = acme.client_for(acme.author)
    before = structure(acme, course)
    # A page moved into another course's section: 404, nothing moved.
    response = client.post(
        f"/courses/{course.uuid}/pages/{page.uuid}/move/", {"section": str(foreign_section.uuid)}
    )
    assert response.status_code in (302, 404)
    assert structure(acme, course) == before
    # The wrong course in the URL, or another tenant's section: 404.
    assert client.post(f"/courses/{elsewhere.uuid}/pages/{page.uuid}/delete/").status_code == 404
    assert (
        client.post(f"/courses/{course.uuid}/sections/{globex_section.uuid}/delete/").status_code
        == 404
    )
    assert structure(acme, course) == before
    assert (
        acme.client_for(acme.learner)
        .post(f"/courses/{course.uuid}/sections/add/", {"title": "x"})
        .status_code
        == 403
    )


def test_a_move_without_a_direction_is_refused_with_a_message(acme):
    course = make_course(acme)
    with acme.scope():
        page = Page.objects.get(section__course=course)
    response = acme.client_for(acme.author).post(
        f"/courses/{course.uuid}/pages/{page.uuid}/move/", {}, follow=True
    )
    assert "Say where to move the page" in response.content.decode()


# --- co-authors ----------------------------------------------------------------------------------


def test_owner_adds_and_removes_a_coauthor_and_transfers_ownership(acme):
    course = make_course(acme)
    with acme.scope():
        colleague = MembershipFactory(roles=["author"], user__display_name="Cleo Colleague")
    client = acme.client_for(acme.author)
    body = client.get(edit_url(course)).content.decode()
    assert "Cleo Colleague" in body  # offered as a co-author
    client.post(f"/courses/{course.uuid}/authors/add/", {"member": str(colleague.uuid)})
    with acme.scope():
        assert CourseAuthor.objects.filter(course=course, membership=colleague).exists()
    client.post(f"/courses/{course.uuid}/owner/", {"member": str(colleague.uuid)})
    with acme.scope():
        course.refresh_from_db()
        assert course.owner == colleague
        assert CourseAuthor.objects.filter(course=course, membership=acme.author).exists()
    # The previous owner is a co-author now: they may not remove others, but may leave.
    response = client.post(f"/courses/{course.uuid}/authors/{acme.author.uuid}/remove/")
    assert response.status_code == 302
    with acme.scope():
        assert not CourseAuthor.objects.filter(course=course, membership=acme.author).exists()


def test_a_coauthor_cannot_manage_authors(acme):
    course = make_course(acme)
    with acme.scope():
        coauthor = MembershipFactory(roles=["author"])
        other = MembershipFactory(roles=["author"])
        course_author_add(actor=acme.author, course=course, member=coauthor)
    client = acme.client_for(coauthor)
    response = client.post(
        f"/courses/{course.uuid}/authors/add/", {"member": str(other.uuid)}, follow=True
    )
    assert "Only the course" in response.content.decode()
    with acme.scope():
        assert not CourseAuthor.objects.filter(course=course, membership=other).exists()
    client.post(f"/courses/{course.uuid}/owner/", {"member": str(coauthor.uuid)})
    with acme.scope():
        course.refresh_from_db()
    assert course.owner_id == acme.author.pk


def test_adding_a_learner_or_a_stranger_as_coauthor_is_refused(acme, globex):
    course = make_course(acme)
    client = acme.client_for(acme.author)
    for member in (acme.learner, globex.author):
        client.post(f"/courses/{course.uuid}/authors/add/", {"member": str(member.uuid)})
    with acme.scope():
        assert not CourseAuthor.objects.filter(course=course).exists()
    assert (
        client.post(f"/courses/{course.uuid}/authors/{globex.author.uuid}/remove/").status_code
        == 404
    )


# --- versions ------------------------------------------------------------------------------------


def test_versions_are_saved_viewed_and_restored(acme):
    course = make_course(acme, title="Version one")
    client = acme.client_for(acme.author)
    client.post(f"/courses/{course.uuid}/revisions/save/")
    with acme.scope():
        revision = Revision.objects.filter(course=course).order_by("-number").first()
    assert revision is not None
    body = client.get(edit_url(course)).content.decode()
    assert f"/courses/{course.uuid}/revisions/{revision.number}/" in body
    assert "Saved by hand" in body
    view = client.get(f"/courses/{course.uuid}/revisions/{revision.number}/")
    assert view.status_code == 200
    assert "Version one" in view.content.decode()
    client.post(edit_url(course), {"title": "Version two", "language": "en"})
    response = client.post(f"/courses/{course.uuid}/revisions/{revision.number}/restore/")
    assert response.status_code == 302
    with acme.scope():
        course.refresh_from_db()
        reasons = list(
            Revision.objects.filter(course=course)
            .order_by("number")
            .values_list("reason", flat=True)
        )
    assert course.title == "Version one"
    assert reasons[-1] == "restore"


def test_missing_or_foreign_versions_are_404(acme, globex):
    course = make_course(acme)
    theirs = make_course(globex)
    with globex.scope():
        revision = revision_create(actor=globex.author, course=theirs)
    client = acme.client_for(acme.author)
    assert client.get(f"/courses/{course.uuid}/revisions/99/").status_code == 404
    assert client.get(f"/courses/{theirs.uuid}/revisions/{revision.number}/").status_code == 404
    response = client.post(f"/courses/{course.uuid}/revisions/99/restore/", follow=True)
    assert "does not exist" in response.content.decode()


def test_template_toggle_is_offered_to_reviewers_only(acme):
    course = make_course(acme)
    assert (
        "Use as template" in acme.client_for(acme.reviewer).get(edit_url(course)).content.decode()
    )
    assert (
        "Use as template" not in acme.client_for(acme.author).get(edit_url(course)).content.decode()
    )


def test_page_create_service_is_what_the_add_form_uses(acme):
    """The add-page form opens the new page's editor when asked to."""
    course = make_course(acme)
    with acme.scope():
        section = Section.objects.get(course=course)
    response = acme.client_for(acme.author).post(
        f"/courses/{course.uuid}/sections/{section.uuid}/pages/add/",
        {"title": "", "kind": "knowledge_check", "open": "1"},
    )
    with acme.scope():
        page = Page.objects.filter(section=section).order_by("-position").first()
    assert page is not None
    assert page.kind == "knowledge_check"
    assert response["Location"] == f"/courses/{course.uuid}/pages/{page.uuid}/"
    assert Course is not None
    assert page_create is not None


def test_moving_a_page_past_the_edge_of_its_section_goes_to_the_next_section(acme):
    course = make_course(acme)
    with acme.scope():
        section = Section.objects.get(course=course)
        first = Page.objects.get(section=section)
        other = section_create(actor=acme.author, course=course, title="Other")
        page_create(actor=acme.author, section=other, title="Later")
    client = acme.client_for(acme.author)
    client.post(f"/courses/{course.uuid}/pages/{first.uuid}/move/", {"direction": "down"})
    assert structure(acme, course) == [(section.title, []), ("Other", [first.title, "Later"])]
    client.post(f"/courses/{course.uuid}/pages/{first.uuid}/move/", {"direction": "up"})
    assert structure(acme, course) == [(section.title, [first.title]), ("Other", ["Later"])]
    # At the very top nothing changes.
    client.post(f"/courses/{course.uuid}/pages/{first.uuid}/move/", {"direction": "up"})
    assert structure(acme, course) == [(section.title, [first.title]), ("Other", ["Later"])]


def test_navigation_offers_courses_and_media_to_authors_only(acme):
    author_home = acme.client_for(acme.author).get("/").content.decode()
    assert 'href="/courses/"' in author_home
    assert 'href="/media-library/"' in author_home
    learner_home = acme.client_for(acme.learner).get("/").content.decode()
    assert 'href="/courses/"' not in learner_home
    assert 'href="/media-library/"' not in learner_home
