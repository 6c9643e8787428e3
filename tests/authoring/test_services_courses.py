"""Courses and their structure: create, update, delete, from a document, estimated minutes,
sections and pages (create, rename, settings, move, delete with a snapshot)."""

from __future__ import annotations

import copy
import uuid

import pytest

from authoring.document import InvalidDocument, course_document_build
from authoring.models import Course, CourseStatus, Page, Revision, Section
from authoring.services.blocks import page_apply_operations
from authoring.services.courses import (
    course_create,
    course_create_from_document,
    course_delete,
    course_estimated_minutes,
    course_update,
)
from authoring.services.structure import (
    page_create,
    page_delete,
    page_move,
    page_update,
    section_create,
    section_delete,
    section_move,
    section_update,
)
from egl_platform.errors import Conflict, Forbidden, Invalid, NotFound
from tenants.models import AuditEvent
from tests.authoring.test_blocks import EXAMPLES
from tests.factories import AssetFactory, CourseFactory

pytestmark = pytest.mark.django_db


def words(n: int) -> str:
    return "<p>" + " ".join(["word"] * n) + "</p>"


def test_a_blank_course_has_one_section_with_one_page_named_in_its_language(acme):
    with acme.scope():
        course = course_create(
            actor=acme.author,
            title="  Handling <b>complaints</b> ",
            language="nl",
            tags=["phone", "Phone", "calls"],
            objectives=["Calm an angry caller", {"text": "Log the call"}],
        )
        assert course.title == "Handling complaints"
        assert course.owner == acme.author
        assert course.status == CourseStatus.DRAFT
        assert course.tags == ["phone", "calls"]
        assert [o["text"] for o in course.objectives] == ["Calm an angry caller", "Log the call"]
        assert all(uuid.UUID(o["id"]) for o in course.objectives)
        section = Section.objects.get(course=course)
        page = Page.objects.get(section=section)
        assert section.position == 0
        assert page.position == 0
        assert page.kind == "content"
        assert section.title == "Hoofdstuk 1"  # named in the course language (nl)
        assert AuditEvent.objects.filter(verb="course.created", target_uuid=course.uuid).exists()


def test_creating_needs_the_author_role_and_a_tenant_language(acme):
    with acme.scope():
        with pytest.raises(Forbidden):
            course_create(actor=acme.learner, title="No")
        with pytest.raises(Invalid) as caught:
            course_create(actor=acme.author, title="Fr", language="fr")
        assert "language" in caught.value.fields
        with pytest.raises(Invalid):
            course_create(actor=acme.author, title="  ")
        assert not Course.objects.exists()


def test_slugs_stay_unique(acme):
    with acme.scope():
        a = course_create(actor=acme.author, title="Same")
        b = course_create(actor=acme.author, title="Same")
        assert a.slug == "same"
        assert b.slug == "same-2"


def test_update_keeps_objective_ids_and_strips_removed_ones_from_questions(acme):
    with acme.scope():
        course = course_create(actor=acme.author, title="C", objectives=["Keep", "Drop"])
        keep, drop = course.objectives
        page = Page.objects.get(section__course=course)
        question = copy.deepcopy(EXAMPLES["true_false"])
        question["objective_ids"] = [keep["id"], drop["id"]]
        page_apply_operations(
            actor=acme.author,
            page=Page.objects.select_related("section__course").get(pk=page.pk),
            base_version=page.version,
            operations=[{"op": "insert", "block": {"type": "true_false", "data": question}}],
        )
        version = Course.objects.get(pk=course.pk).version
        course_update(
            actor=acme.author,
            course=course,
            title="Renamed",
            objectives=[{"id": keep["id"], "text": "Kept, reworded"}, {"text": "New one"}],
        )
        course.refresh_from_db()
        assert course.title == "Renamed"
        assert course.objectives[0] == {"id": keep["id"], "text": "Kept, reworded"}
        assert course.objectives[1]["id"] not in (keep["id"], drop["id"])
        assert course.version == version + 1
        page.refresh_from_db()
        assert page.blocks[0]["data"]["objective_ids"] == [keep["id"]]


def test_update_refuses_bad_input_and_saves_nothing(acme):
    with acme.scope():
        course = course_create(actor=acme.author, title="C")
        document = AssetFactory(content_type="application/pdf", filename="x.pdf")
        for fields in (
            {"language": "de"},
            {"title": ""},
            {"owner": "x"},
            {"objectives": [{"text": ""}]},
            {"cover": str(document.uuid)},
            {"cover": str(uuid.uuid4())},
        ):
            with pytest.raises(Invalid):
                course_update(actor=acme.author, course=course, **fields)
        fresh = Course.objects.get(pk=course.pk)
        assert (fresh.title, fresh.language, fresh.version) == ("C", "en", 1)
        image = AssetFactory()
        course_update(actor=acme.author, course=course, cover=str(image.uuid))
        assert Course.objects.get(pk=course.pk).cover == image


def test_only_editors_update_and_others_get_not_found(acme):
    with acme.scope():
        course = course_create(actor=acme.admin, title="Admin's")
        stranger = CourseFactory().owner
        with pytest.raises(NotFound):
            course_update(actor=stranger, course=course, title="Mine now")
        with pytest.raises(Forbidden):
            course_update(actor=acme.learner, course=course, title="Mine now")
        course_update(actor=acme.reviewer, course=course, title="Reviewed")
        assert Course.objects.get(pk=course.pk).title == "Reviewed"


def test_only_the_owner_deletes_a_never_published_draft(acme):
    with acme.scope():
        course = course_create(actor=acme.author, title="C")
        with pytest.raises(Forbidden):
            course_delete(actor=acme.reviewer, course=course)
        Course.objects.filter(pk=course.pk).update(status=CourseStatus.PUBLISHED)
        course.refresh_from_db()
        with pytest.raises(Conflict):
            course_delete(actor=acme.author, course=course)
        Course.objects.filter(pk=course.pk).update(status=CourseStatus.DRAFT)
        Revision.objects.create(course=course, number=1, document={}, reason="publish")
        course.refresh_from_db()
        with pytest.raises(Conflict):
            course_delete(actor=acme.author, course=course)
        assert Course.objects.filter(pk=course.pk).exists()
        fresh = course_create(actor=acme.author, title="D")
        course_delete(actor=acme.author, course=fresh)
        assert not Course.objects.filter(pk=fresh.pk).exists()


def test_create_from_document_is_a_rekeyed_copy_owned_by_the_actor(acme):
    with acme.scope():
        source = course_create(actor=acme.reviewer, title="Template", objectives=["Do it"])
        page = Page.objects.select_related("section__course").get(section__course=source)
        page_apply_operations(
            actor=acme.reviewer,
            page=page,
            base_version=1,
            operations=[
                {"op": "insert", "block": {"type": "rich_text", "data": {"text": words(400)}}}
            ],
        )
        document = course_document_build(source)
        copy_ = course_create_from_document(actor=acme.author, document=document, title="Mine")
        assert copy_.owner == acme.author
        assert copy_.title == "Mine"
        assert copy_.uuid != source.uuid
        assert copy_.estimated_minutes == 2
        copied = Page.objects.get(section__course=copy_)
        assert copied.blocks[0]["id"] != page.blocks[0]["id"]
        assert copy_.objectives[0]["id"] != source.objectives[0]["id"]
        broken = copy.deepcopy(document)
        broken["sections"][0]["pages"][0]["blocks"][0]["type"] = "marquee"
        count = Course.objects.count()
        with pytest.raises(InvalidDocument):
            course_create_from_document(actor=acme.author, document=broken)
        assert Course.objects.count() == count


def test_estimated_minutes_from_words_questions_and_media():
    def doc(*blocks):
        return {"sections": [{"pages": [{"blocks": list(blocks)}]}]}

    text = {"type": "rich_text", "data": {"text": words(450)}}
    question = {"type": "true_false", "data": EXAMPLES["true_false"]}
    video = {"type": "video", "data": EXAMPLES["video"]}
    assert course_estimated_minutes(doc()) == 0
    assert course_estimated_minutes(doc({"type": "divider", "data": {}})) == 1
    assert course_estimated_minutes(doc(text)) == 3  # 2.25 minutes of reading
    assert course_estimated_minutes(doc(text, question, question)) == 5
    assert course_estimated_minutes(doc(text, video)) >= 5


# --- structure ---------------------------------------------------------------------------------------


@pytest.fixture
def course(acme):
    with acme.scope():
        return course_create(actor=acme.author, title="Structure")


def outline(course):
    return [
        (s.title, [p.title for p in s.pages.order_by("position")])
        for s in Section.objects.filter(course=course).order_by("position")
    ]


def test_sections_and_pages_are_created_renamed_and_moved(acme, course):
    with acme.scope():
        first = Section.objects.get(course=course)
        second = section_create(actor=acme.author, course=course, title="Two")
        zero = section_create(actor=acme.author, course=course, title="Zero", index=0)
        assert [s.title for s in Section.objects.filter(course=course).order_by("position")] == [
            "Zero",
            first.title,
            "Two",
        ]
        section_move(actor=acme.author, section=zero, index=5)
        section_update(actor=acme.author, section=second, title="Second")
        page_a = page_create(actor=acme.author, section=second, title="A")
        page_b = page_create(actor=acme.author, section=second, title="B", index=0)
        assert outline(course)[1] == ("Second", ["B", "A"])
        page_move(actor=acme.author, page=page_a, section=first, index=0)
        assert outline(course) == [
            (first.title, ["A", "Page 1"]),
            ("Second", ["B"]),
            ("Zero", []),
        ]
        positions = list(
            Page.objects.filter(section=first)
            .order_by("position")
            .values_list("position", flat=True)
        )
        assert positions == [0, 1]
        assert page_b.section == second
        assert Course.objects.get(pk=course.pk).version == 8  # 1 + seven writes
        assert AuditEvent.objects.filter(verb="page.moved").count() == 1


def test_moving_a_page_to_another_courses_section_is_not_found(acme, course):
    with acme.scope():
        other = course_create(actor=acme.author, title="Other")
        page = Page.objects.get(section__course=course)
        with pytest.raises(NotFound):
            page_move(
                actor=acme.author, page=page, section=Section.objects.get(course=other), index=0
            )


def test_page_kind_and_settings_are_checked(acme, course):
    with acme.scope():
        page = Page.objects.select_related("section__course").get(section__course=course)
        page_update(actor=acme.author, page=page, kind="quiz")
        page.refresh_from_db()
        assert page.kind == "quiz"
        assert page.settings["passing_score"] == 80
        with pytest.raises(Invalid) as caught:
            page_update(
                actor=acme.author,
                page=page,
                settings={"passing_score": 120, "attempts": 0, "random_order": False},
            )
        assert any(key.startswith("settings") for key in caught.value.fields)
        with pytest.raises(Invalid):  # draws more questions than the page has
            page_update(
                actor=acme.author,
                page=page,
                settings={
                    "passing_score": 50,
                    "attempts": 0,
                    "random_order": True,
                    "draw_count": 3,
                },
            )
        with pytest.raises(Invalid):
            page_update(actor=acme.author, page=page, kind="slideshow")
        page.refresh_from_db()
        assert page.settings["passing_score"] == 80
        page_update(actor=acme.author, page=page, kind="content", title="Back")
        page.refresh_from_db()
        assert (page.kind, page.settings, page.title) == ("content", {}, "Back")


def test_deleting_a_page_with_content_saves_a_revision_first(acme, course):
    with acme.scope():
        page = Page.objects.select_related("section__course").get(section__course=course)
        empty = page_create(actor=acme.author, section=page.section, title="Empty")
        page_delete(actor=acme.author, page=empty)
        assert not Revision.objects.filter(course=course).exists()
        page_apply_operations(
            actor=acme.author,
            page=page,
            base_version=page.version,
            operations=[
                {"op": "insert", "block": {"type": "rich_text", "data": {"text": "<p>Keep me</p>"}}}
            ],
        )
        page_delete(actor=acme.author, page=page)
        revision = Revision.objects.get(course=course)
        blocks = revision.document["sections"][0]["pages"][0]["blocks"]
        assert blocks[0]["data"]["text"] == "<p>Keep me</p>"
        assert not Page.objects.filter(pk=page.pk).exists()


def test_deleting_a_section_with_content_saves_a_revision_first(acme, course):
    with acme.scope():
        section = Section.objects.select_related("course").get(course=course)
        page = Page.objects.select_related("section__course").get(section=section)
        page_apply_operations(
            actor=acme.author,
            page=page,
            base_version=page.version,
            operations=[
                {"op": "insert", "block": {"type": "rich_text", "data": {"text": "<p>Keep</p>"}}}
            ],
        )
        other = section_create(actor=acme.author, course=course, title="Other")
        section_delete(actor=acme.author, section=section)
        assert Revision.objects.filter(course=course).count() == 1
        assert list(Section.objects.filter(course=course)) == [other]
        assert Section.objects.get(pk=other.pk).position == 0


def test_structure_needs_edit_rights(acme, course):
    with acme.scope():
        stranger = CourseFactory().owner
        section = Section.objects.select_related("course").get(course=course)
        with pytest.raises(NotFound):
            section_create(actor=stranger, course=course, title="X")
        with pytest.raises(NotFound):
            section_delete(actor=stranger, section=section)
        with pytest.raises(Forbidden):
            page_create(actor=acme.learner, section=section)
        assert Section.objects.filter(course=course).count() == 1
