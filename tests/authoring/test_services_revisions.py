"""Revisions: numbering, immutability, restore that loses nothing."""

from __future__ import annotations

import pytest

from authoring.models import Course, Page, Revision, RevisionImmutable, Section
from authoring.services.blocks import BlockConflict, page_apply_operations
from authoring.services.courses import course_create, course_update
from authoring.services.revisions import revision_create, revision_restore
from authoring.services.structure import page_create, page_delete, section_create
from egl_platform.errors import NotFound
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db


def write(actor, page, text, *, block_id=None):
    page = Page.objects.select_related("section__course").get(pk=page.pk)
    if block_id is None:
        op = {"op": "insert", "block": {"type": "rich_text", "data": {"text": f"<p>{text}</p>"}}}
    else:
        op = {"op": "update", "block_id": block_id, "data": {"text": f"<p>{text}</p>"}}
    return page_apply_operations(actor=actor, page=page, base_version=page.version, operations=[op])


def texts(course):
    return [
        [b["data"]["text"] for b in p.blocks]
        for p in Page.objects.filter(section__course=course).order_by(
            "section__position", "position"
        )
    ]


def test_revisions_are_numbered_per_course_and_immutable(acme):
    with acme.scope():
        course = course_create(actor=acme.author, title="C")
        other = course_create(actor=acme.author, title="D")
        first = revision_create(actor=acme.author, course=course)
        second = revision_create(actor=acme.author, course=course)
        assert (first.number, second.number) == (1, 2)
        assert revision_create(actor=acme.author, course=other).number == 1
        assert first.document["course"]["id"] == str(course.uuid)
        assert Course.objects.get(pk=course.pk).revised_at is not None
        with pytest.raises(RevisionImmutable):
            first.save()
        stranger = CourseFactory().owner
        with pytest.raises(NotFound):
            revision_create(actor=stranger, course=course)


def test_restore_brings_back_the_old_draft_and_loses_nothing(acme):
    with acme.scope():
        course = course_create(actor=acme.author, title="Original", objectives=["One"])
        page = Page.objects.get(section__course=course)
        block = write(acme.author, page, "first text").blocks[0]["id"]
        saved = revision_create(actor=acme.author, course=course)

        # Later edits: text changed, a block added, a page added, another deleted, renamed.
        write(acme.author, page, "second text", block_id=block)
        write(acme.author, page, "added")
        section = Section.objects.select_related("course").get(course=course)
        extra = page_create(actor=acme.author, section=section, title="Extra")
        write(acme.author, extra, "on the extra page")
        new_section = section_create(actor=acme.author, course=course, title="New section")
        course_update(actor=acme.author, course=course, title="Renamed")
        before_restore = texts(course)
        page_before = Page.objects.get(pk=page.pk)

        restored = revision_restore(actor=acme.author, course=course, number=saved.number)

        course.refresh_from_db()
        assert course.title == "Original"
        assert texts(course) == [["<p>first text</p>"]]
        assert not Section.objects.filter(pk=new_section.pk).exists()
        # The page kept its id and row, with a new version for the restored block.
        page_after = Page.objects.get(pk=page.pk)
        assert page_after.blocks[0]["id"] == block
        assert page_after.version == page_before.version + 1
        assert page_after.block_versions[block] == page_after.version
        # Nothing lost: the draft before the restore is a revision, and so is the result.
        reasons = list(
            Revision.objects.filter(course=course)
            .order_by("number")
            .values_list("number", "reason")
        )
        assert reasons == [(1, "manual"), (2, "autosave"), (3, "restore")]
        snapshot = Revision.objects.get(course=course, number=2).document
        snapshot_texts = [
            [b["data"]["text"] for b in p["blocks"]]
            for s in snapshot["sections"]
            for p in s["pages"]
        ]
        assert snapshot_texts == before_restore
        assert snapshot["course"]["title"] == "Renamed"
        assert restored.number == 3
        # And restoring the snapshot brings the later edits back.
        revision_restore(actor=acme.author, course=course, number=2)
        assert texts(course) == before_restore


def test_an_editor_open_on_the_old_draft_conflicts_after_a_restore(acme):
    with acme.scope():
        course = course_create(actor=acme.author, title="C")
        page = Page.objects.get(section__course=course)
        block = write(acme.author, page, "v1").blocks[0]["id"]
        revision_create(actor=acme.author, course=course)
        result = write(acme.author, page, "v2", block_id=block)
        revision_restore(actor=acme.author, course=course, number=1)
        with pytest.raises(BlockConflict):
            page_apply_operations(
                actor=acme.admin,
                page=Page.objects.select_related("section__course").get(pk=page.pk),
                base_version=result.version,
                operations=[{"op": "update", "block_id": block, "data": {"text": "<p>v3</p>"}}],
            )


def test_restoring_a_deleted_page_brings_it_back_with_its_id(acme):
    with acme.scope():
        course = course_create(actor=acme.author, title="C")
        page = Page.objects.select_related("section__course").get(section__course=course)
        write(acme.author, page, "precious")
        page_delete(actor=acme.author, page=page)  # snapshots revision 1 first
        revision_restore(actor=acme.author, course=course, number=1)
        back = Page.objects.get(section__course=course)
        assert back.uuid == page.uuid
        assert back.blocks[0]["data"]["text"] == "<p>precious</p>"


def test_restoring_a_missing_revision_is_not_found_and_changes_nothing(acme):
    with acme.scope():
        course = course_create(actor=acme.author, title="C")
        with pytest.raises(NotFound):
            revision_restore(actor=acme.author, course=course, number=9)
        assert not Revision.objects.filter(course=course).exists()
