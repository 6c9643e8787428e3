"""The demo's sample courses (DESIGN.md §12): `seed_demo` runs `seed_demo_courses`."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from django.core.management import call_command

from authoring.blocks import QUESTION, get_block_type
from authoring.blocks.pages import PageKind
from authoring.blocks.values import GAP_MARKER
from authoring.document import course_document_build
from authoring.document_schema import sanitize_document, validate_document
from authoring.management.commands.seed_demo_courses import DEMO_COURSES, load_document
from authoring.models import Course, CourseAuthor, Page, Revision, Section
from authoring.rendering import render_page
from tenants.models import AuditEvent, Membership, Tenant
from tenants.tenancy import dangerously_unscoped, tenant_scope

MEDIA_TYPES = {"image", "video", "audio", "file", "embed", "hotspot"}

EXPECTED = {
    # (tenant, slug): (language, category, status, owner, title)
    ("acme", "demo-heftruck"): (
        "nl",
        "safety",
        "published",
        "author@acme.test",
        "Veilig werken met de heftruck",
    ),
    ("acme", "demo-complaint-call"): (
        "en",
        "customer-service",
        "in_review",
        "author@acme.test",
        "Handling a customer complaint on the phone",
    ),
    ("acme", "demo-handscanner"): (
        "nl",
        "product",
        "draft",
        "author2@acme.test",
        "De nieuwe handscanner in het magazijn",
    ),
    ("globex", "demo-incident-triage"): (
        "en",
        "engineering",
        "draft",
        "author@globex.test",
        "Incident triage in the first 15 minutes",
    ),
}


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def courses() -> dict[tuple[str, str], tuple[str, str, str, str, str]]:
    with dangerously_unscoped():
        return {
            (c.tenant.slug, c.slug): (c.language, c.category, c.status, c.owner.user.email, c.title)
            for c in Course.objects.select_related("tenant", "owner__user")
        }


def counts() -> dict[str, int]:
    with dangerously_unscoped():
        return {
            model.__name__: model.objects.count()
            for model in (Course, Section, Page, CourseAuthor, Revision, AuditEvent)
        }


def questions(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        block
        for section in document["sections"]
        for page in section["pages"]
        for block in page["blocks"]
        if get_block_type(block["type"]).family == QUESTION
    ]


def unassessed(document: dict[str, Any]) -> set[str]:
    """Ids of the course's objectives that no question names."""
    named = {i for block in questions(document) for i in block["data"]["objective_ids"]}
    return {o["id"] for o in document["course"]["objectives"]} - named


# --- the documents -----------------------------------------------------------------------------


@pytest.mark.parametrize("spec", DEMO_COURSES, ids=lambda spec: spec.slug)
def test_demo_document_is_valid_and_a_real_course(spec):
    document = load_document(spec.slug)

    assert validate_document(document) == []
    assert sanitize_document(document) == document  # what is loaded is what the file says
    pages = [page for section in document["sections"] for page in section["pages"]]
    assert 3 <= len(pages) <= 6
    assert {PageKind.QUIZ, PageKind.KNOWLEDGE_CHECK} & {page["kind"] for page in pages}
    assert document["assets"] == []
    assert document["course"]["cover_image"] is None
    types = {block["type"] for page in pages for block in page["blocks"]}
    assert not types & MEDIA_TYPES
    assert len(types) >= 8, types  # varied, not a wall of text
    assert len(document["course"]["objectives"]) >= 2
    assert unassessed(document) == set()
    for block in questions(document):
        feedback = block["data"]["feedback"]
        assert feedback["correct"], block["id"]
        assert feedback["incorrect"], block["id"]
        assert all(option["feedback"] for option in block["data"].get("options", []))
    # Real content: no "[placeholder]" left from a starter template, no filler text.
    text = GAP_MARKER.sub("", json.dumps(document, ensure_ascii=False))
    assert not re.search(r"\[[^\[\]\"]+\]", text)
    assert "lorem" not in text.lower()
    assert "todo" not in text.lower()


@pytest.mark.parametrize("spec", DEMO_COURSES, ids=lambda spec: spec.slug)
def test_every_demo_page_renders_in_the_player(spec):
    document = load_document(spec.slug)
    for section in document["sections"]:
        for page in section["pages"]:
            html = render_page(page, assets={}, language=document["course"]["language"])
            assert "player-missing" not in html, page["title"]
            for block in page["blocks"]:
                assert f'data-block-id="{block["id"]}"' in html


def test_the_demo_courses_cover_both_languages_and_different_categories():
    documents = [load_document(spec.slug)["course"] for spec in DEMO_COURSES]
    assert {d["language"] for d in documents} == {"nl", "en"}
    assert len({d["category"] for d in documents}) == len(documents)
    assert {(spec.tenant, spec.slug) for spec in DEMO_COURSES} == set(EXPECTED)


def test_load_document_returns_a_fresh_copy():
    first = load_document("demo-heftruck")
    first["course"]["title"] = "Changed"
    assert load_document("demo-heftruck")["course"]["title"] == "Veilig werken met de heftruck"


# --- seeding -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_demo_twice_gives_exactly_the_four_courses():
    run("seed_demo")
    before = counts()

    output, errors = run("seed_demo")

    assert courses() == EXPECTED
    assert counts() == before
    assert "Demo courses were already in place; nothing changed." in output
    assert errors == ""

    acme, globex = Tenant.objects.get(slug="acme"), Tenant.objects.get(slug="globex")
    with tenant_scope(acme):
        coauthors = {
            (a.course.slug, a.membership.user.email)
            for a in CourseAuthor.objects.select_related("course", "membership__user")
        }
        assert coauthors == {("demo-handscanner", "author@acme.test")}
        history = {
            course.slug: [
                (r.reason, r.created_by.user.email if r.created_by else None)
                for r in course.revisions.order_by("number").select_related("created_by__user")
            ]
            for course in Course.objects.all()
        }
        assert history == {
            "demo-heftruck": [
                ("manual", "author@acme.test"),
                ("submit", "author@acme.test"),
                ("publish", "reviewer@acme.test"),
            ],
            "demo-complaint-call": [("manual", "author@acme.test"), ("submit", "author@acme.test")],
            "demo-handscanner": [("manual", "author2@acme.test")],
        }
    with tenant_scope(globex):
        assert not CourseAuthor.objects.exists()
        triage = Course.objects.get()
        assert [r.reason for r in triage.revisions.all()] == ["manual"]


@pytest.mark.django_db
def test_seeded_courses_keep_their_content_and_every_objective_assessed():
    run("seed_demo")

    for spec in DEMO_COURSES:
        with tenant_scope(Tenant.objects.get(slug=spec.tenant)):
            course = Course.objects.get(slug=spec.slug)
            built = course_document_build(course)
            source = load_document(spec.slug)
            assert validate_document(built) == []
            # Loaded with new ids, and the questions still name the (new) objective ids.
            assert built["course"]["id"] != source["course"]["id"]
            assert unassessed(built) == set()
            assert len(questions(built)) == len(questions(source))
            assert [s["title"] for s in built["sections"]] == [
                s["title"] for s in source["sections"]
            ]
            assert course.estimated_minutes
            assert course.estimated_minutes >= 5
            revision = course.revisions.order_by("number").first()
            assert revision is not None
            assert revision.document["sections"] == built["sections"]


@pytest.mark.django_db
def test_seed_demo_lists_the_courses_at_verbosity_2():
    output, _errors = run("seed_demo", "-v", "2")

    assert "Demo courses are in place: 4 added." in output
    assert "+ course acme/demo-heftruck (draft): Veilig werken met de heftruck" in output
    assert "+ review flow acme/demo-heftruck: published" in output
    assert "+ review flow acme/demo-complaint-call: in_review" in output
    assert "+ course globex/demo-incident-triage (draft)" in output


@pytest.mark.django_db
def test_a_deleted_demo_course_comes_back_and_the_others_stay_as_they_are():
    run("seed_demo")
    acme = Tenant.objects.get(slug="acme")
    with tenant_scope(acme):
        Course.objects.filter(slug="demo-handscanner").delete()
        Course.objects.filter(slug="demo-heftruck").update(title="Edited by an author")
        kept = Course.objects.get(slug="demo-heftruck").uuid

    output, _errors = run("seed_demo_courses")

    assert "1 added" in output
    with tenant_scope(acme):
        assert Course.objects.get(slug="demo-heftruck").title == "Edited by an author"
        assert Course.objects.get(slug="demo-heftruck").uuid == kept
        again = Course.objects.get(slug="demo-handscanner")
        assert [a.membership.user.email for a in again.course_authors.all()] == ["author@acme.test"]
    assert len(courses()) == 4


@pytest.mark.django_db
def test_without_the_demo_tenants_nothing_is_created_and_it_says_why():
    output, errors = run("seed_demo_courses")

    assert counts()["Course"] == 0
    assert "Demo courses" not in output
    assert errors.count("run seed_demo") == len(DEMO_COURSES)


@pytest.mark.django_db
def test_an_owner_who_is_no_author_gets_no_half_made_course():
    run("seed_demo")
    globex = Tenant.objects.get(slug="globex")
    with tenant_scope(globex):
        Course.objects.all().delete()
        Membership.objects.filter(user__email="author@globex.test").update(is_author=False)
    before = counts()

    output, errors = run("seed_demo_courses")

    assert counts() == before
    assert "demo-incident-triage" in errors
    assert "nothing changed" not in output
    # seed_demo repairs the role, and with it the course comes back.
    run("seed_demo")
    assert courses() == EXPECTED
