"""Block operations: merge of different blocks, conflicts on the same block, force, invalid
data saves nothing, stale or unknown base versions, move to another page, autosave task."""

from __future__ import annotations

import copy
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from authoring.models import Course, Page, Revision
from authoring.services.blocks import (
    BlockConflict,
    InvalidBlocks,
    block_move_to_page,
    page_apply_operations,
)
from authoring.services.courses import course_create
from egl_platform.errors import Forbidden, Invalid, NotFound
from tests.authoring.test_blocks import EXAMPLES
from tests.factories import CourseFactory, PageFactory, SectionFactory

pytestmark = pytest.mark.django_db


def text(value: str) -> dict:
    return {"type": "rich_text", "data": {"text": f"<p>{value}</p>"}}


def insert(value: str, index: int | None = None, block_id: str | None = None) -> dict:
    block = text(value)
    if block_id:
        block["id"] = block_id
    return {"op": "insert", "index": index, "block": block}


@pytest.fixture
def page(acme):
    with acme.scope():
        course = course_create(actor=acme.author, title="Phones")
        page = Page.objects.get(section__course=course)
        result = page_apply_operations(
            actor=acme.author,
            page=page,
            base_version=page.version,
            operations=[insert("one"), insert("two"), insert("three")],
        )
        assert result.version == 2
        return Page.objects.select_related("section__course").get(pk=page.pk)


def ids(page: Page) -> list[str]:
    return [b["id"] for b in page.blocks]


def fresh(page: Page) -> Page:
    return Page.objects.select_related("section__course").get(pk=page.pk)


def test_insert_assigns_ids_versions_and_bumps_course(acme, page):
    with acme.scope():
        assert [b["data"]["text"] for b in page.blocks] == [
            "<p>one</p>",
            "<p>two</p>",
            "<p>three</p>",
        ]
        assert all(uuid.UUID(b["id"]).version == 4 for b in page.blocks)
        assert page.block_versions == {b["id"]: 2 for b in page.blocks}
        assert all(b["version"] == 1 for b in page.blocks)
        course = Course.objects.get(pk=page.section.course_id)
        assert course.version == 2
        assert course.updated_by == acme.author


def test_edits_of_different_blocks_from_the_same_base_merge(acme, page):
    with acme.scope():
        first, second, _third = ids(page)
        base = page.version
        page_apply_operations(
            actor=acme.author,
            page=fresh(page),
            base_version=base,
            operations=[{"op": "update", "block_id": first, "data": {"text": "<p>mine</p>"}}],
        )
        result = page_apply_operations(
            actor=acme.admin,
            page=fresh(page),
            base_version=base,
            operations=[{"op": "update", "block_id": second, "data": {"text": "<p>theirs</p>"}}],
        )
        texts = [b["data"]["text"] for b in result.blocks]
        assert texts == ["<p>mine</p>", "<p>theirs</p>", "<p>three</p>"]
        assert result.version == base + 2
        assert result.block_versions[first] == base + 1
        assert result.block_versions[second] == base + 2


def test_editing_a_block_someone_changed_conflicts_and_changes_nothing(acme, page):
    with acme.scope():
        first = ids(page)[0]
        base = page.version
        page_apply_operations(
            actor=acme.admin,
            page=fresh(page),
            base_version=base,
            operations=[{"op": "update", "block_id": first, "data": {"text": "<p>theirs</p>"}}],
        )
        before = fresh(page)
        course_version = Course.objects.get(pk=page.section.course_id).version
        with pytest.raises(BlockConflict) as caught:
            page_apply_operations(
                actor=acme.author,
                page=fresh(page),
                base_version=base,
                operations=[
                    insert("also sent"),
                    {"op": "update", "block_id": first, "data": {"text": "<p>mine</p>"}},
                ],
            )
        assert caught.value.block_id == first
        assert caught.value.theirs["data"]["text"] == "<p>theirs</p>"
        assert caught.value.version == before.version
        after = fresh(page)
        assert after.blocks == before.blocks
        assert after.version == before.version
        assert Course.objects.get(pk=page.section.course_id).version == course_version


@pytest.mark.parametrize("op", ["move", "delete"])
def test_moving_or_deleting_a_block_someone_changed_conflicts(acme, page, op):
    with acme.scope():
        first = ids(page)[0]
        base = page.version
        page_apply_operations(
            actor=acme.admin,
            page=fresh(page),
            base_version=base,
            operations=[{"op": "update", "block_id": first, "data": {"text": "<p>theirs</p>"}}],
        )
        with pytest.raises(BlockConflict):
            page_apply_operations(
                actor=acme.author,
                page=fresh(page),
                base_version=base,
                operations=[{"op": op, "block_id": first, "index": 2}],
            )
        assert fresh(page).blocks[0]["data"]["text"] == "<p>theirs</p>"


def test_updating_a_block_someone_deleted_conflicts_with_theirs_none(acme, page):
    with acme.scope():
        first = ids(page)[0]
        base = page.version
        page_apply_operations(
            actor=acme.admin,
            page=fresh(page),
            base_version=base,
            operations=[{"op": "delete", "block_id": first}],
        )
        with pytest.raises(BlockConflict) as caught:
            page_apply_operations(
                actor=acme.author,
                page=fresh(page),
                base_version=base,
                operations=[{"op": "update", "block_id": first, "data": {"text": "<p>x</p>"}}],
            )
        assert caught.value.theirs is None


def test_force_overwrites_after_keep_mine(acme, page):
    with acme.scope():
        first = ids(page)[0]
        base = page.version
        page_apply_operations(
            actor=acme.admin,
            page=fresh(page),
            base_version=base,
            operations=[{"op": "update", "block_id": first, "data": {"text": "<p>theirs</p>"}}],
        )
        result = page_apply_operations(
            actor=acme.author,
            page=fresh(page),
            base_version=base,
            operations=[
                {"op": "update", "block_id": first, "data": {"text": "<p>mine</p>"}, "force": True}
            ],
        )
        assert result.blocks[0]["data"]["text"] == "<p>mine</p>"


def test_the_same_text_sent_again_is_no_conflict_and_no_write(acme, page):
    with acme.scope():
        first = ids(page)[0]
        base = page.version
        op = {"op": "update", "block_id": first, "data": {"text": "<p>same</p>"}}
        page_apply_operations(
            actor=acme.admin, page=fresh(page), base_version=base, operations=[op]
        )
        version = fresh(page).version
        result = page_apply_operations(
            actor=acme.author, page=fresh(page), base_version=base, operations=[op]
        )
        assert result.version == version


def test_invalid_data_is_refused_with_pointers_and_nothing_is_saved(acme, page):
    with acme.scope():
        first = ids(page)[0]
        before = fresh(page)
        with pytest.raises(InvalidBlocks) as caught:
            page_apply_operations(
                actor=acme.author,
                page=fresh(page),
                base_version=page.version,
                operations=[
                    {"op": "update", "block_id": first, "data": {"text": "<p>fine</p>"}},
                    {
                        "op": "insert",
                        "block": {"type": "image", "id": str(uuid.uuid4()), "data": {"alt": 3}},
                    },
                ],
            )
        fields = caught.value.fields
        assert any(key.startswith("/blocks/") and "/data" in key for key in fields), fields
        assert fresh(page).blocks == before.blocks
        assert fresh(page).version == before.version


def test_unknown_types_and_bad_ids_are_refused(acme, page):
    with acme.scope():
        with pytest.raises(InvalidBlocks) as caught:
            page_apply_operations(
                actor=acme.author,
                page=fresh(page),
                base_version=page.version,
                operations=[{"op": "insert", "block": {"type": "marquee", "data": {}}}],
            )
        assert "/operations/0/block/type" in caught.value.fields
        with pytest.raises(InvalidBlocks) as caught:
            page_apply_operations(
                actor=acme.author,
                page=fresh(page),
                base_version=page.version,
                operations=[insert("x", block_id=str(uuid.uuid4()).upper())],
            )
        assert "/operations/0/block/id" in caught.value.fields
        with pytest.raises(InvalidBlocks):
            page_apply_operations(
                actor=acme.author,
                page=fresh(page),
                base_version=page.version,
                operations=[{"op": "explode", "block_id": ids(page)[0]}],
            )


def test_an_insert_with_an_existing_id_is_refused_unless_it_is_the_same_retry(acme, page):
    with acme.scope():
        first = ids(page)[0]
        with pytest.raises(InvalidBlocks):
            page_apply_operations(
                actor=acme.author,
                page=fresh(page),
                base_version=page.version,
                operations=[insert("different", block_id=first)],
            )
        version = fresh(page).version
        page_apply_operations(
            actor=acme.author,
            page=fresh(page),
            base_version=page.version,
            operations=[insert("one", block_id=first)],
        )
        assert fresh(page).version == version
        assert len(fresh(page).blocks) == 3


def test_rich_text_is_sanitised_on_write(acme, page):
    with acme.scope():
        result = page_apply_operations(
            actor=acme.author,
            page=fresh(page),
            base_version=page.version,
            operations=[
                {
                    "op": "update",
                    "block_id": ids(page)[0],
                    "data": {"text": '<p onclick="x()">hi<script>alert(1)</script></p>'},
                }
            ],
        )
        assert "script" not in result.blocks[0]["data"]["text"]
        assert "onclick" not in result.blocks[0]["data"]["text"]


def test_stale_or_future_base_version(acme, page):
    with acme.scope():
        with pytest.raises(Invalid) as caught:
            page_apply_operations(
                actor=acme.author,
                page=fresh(page),
                base_version=page.version + 5,
                operations=[insert("x")],
            )
        assert "base_version" in caught.value.fields
        # A stale base version is fine for blocks nobody touched since.
        result = page_apply_operations(
            actor=acme.author, page=fresh(page), base_version=0, operations=[insert("late")]
        )
        assert result.blocks[-1]["data"]["text"] == "<p>late</p>"


def test_move_duplicate_and_delete(acme, page):
    with acme.scope():
        one, two, three = ids(page)
        result = page_apply_operations(
            actor=acme.author,
            page=fresh(page),
            base_version=page.version,
            operations=[
                {"op": "move", "block_id": three, "index": 0},
                {"op": "duplicate", "block_id": one},
                {"op": "delete", "block_id": two},
            ],
        )
        texts = [b["data"]["text"] for b in result.blocks]
        assert texts == ["<p>three</p>", "<p>one</p>", "<p>one</p>"]
        assert result.blocks[2]["id"] not in (one, two, three)
        assert two not in result.block_versions
        # Deleting it again loses nothing and is no error.
        page_apply_operations(
            actor=acme.author,
            page=fresh(page),
            base_version=page.version,
            operations=[{"op": "delete", "block_id": two}],
        )


def test_duplicate_gives_every_owned_id_a_new_value(acme, page):
    with acme.scope():
        data = copy.deepcopy(EXAMPLES["single_choice"])
        data["objective_ids"] = []
        result = page_apply_operations(
            actor=acme.author,
            page=fresh(page),
            base_version=page.version,
            operations=[{"op": "insert", "block": {"type": "single_choice", "data": data}}],
        )
        question = result.blocks[-1]["id"]
        result = page_apply_operations(
            actor=acme.author,
            page=fresh(page),
            base_version=result.version,
            operations=[{"op": "duplicate", "block_id": question}],
        )
        original, copied = result.blocks[-2], result.blocks[-1]
        old_ids = {o["id"] for o in original["data"]["options"]}
        new_ids = {o["id"] for o in copied["data"]["options"]}
        assert old_ids
        assert not old_ids & new_ids


def test_questions_may_name_only_the_courses_objectives(acme, page):
    with acme.scope():
        data = copy.deepcopy(EXAMPLES["true_false"])
        data["objective_ids"] = [str(uuid.uuid4())]
        with pytest.raises(InvalidBlocks) as caught:
            page_apply_operations(
                actor=acme.author,
                page=fresh(page),
                base_version=page.version,
                operations=[{"op": "insert", "block": {"type": "true_false", "data": data}}],
            )
        assert any(key.endswith("/objective_ids/0") for key in caught.value.fields)


def test_an_image_must_name_an_image_of_this_tenant(acme, globex, page):
    with globex.scope():
        from tests.factories import AssetFactory

        theirs = AssetFactory()
    with acme.scope():
        data = {"asset": str(theirs.uuid), "alt": "A desk", "decorative": False, "caption": ""}
        with pytest.raises(InvalidBlocks) as caught:
            page_apply_operations(
                actor=acme.author,
                page=fresh(page),
                base_version=page.version,
                operations=[{"op": "insert", "block": {"type": "image", "data": data}}],
            )
        assert any(key.endswith("/data/asset") for key in caught.value.fields)
        from tests.factories import AssetFactory

        mine = AssetFactory()
        data["asset"] = str(mine.uuid)
        result = page_apply_operations(
            actor=acme.author,
            page=fresh(page),
            base_version=page.version,
            operations=[{"op": "insert", "block": {"type": "image", "data": data}}],
        )
        assert result.blocks[-1]["data"]["asset"] == str(mine.uuid)


def test_who_may_apply_operations(acme, page):
    with acme.scope():
        stranger = CourseFactory().owner  # an author who does not co-author this course
        with pytest.raises(NotFound):
            page_apply_operations(
                actor=stranger, page=fresh(page), base_version=1, operations=[insert("x")]
            )
        with pytest.raises(Forbidden):
            page_apply_operations(
                actor=acme.learner, page=fresh(page), base_version=1, operations=[insert("x")]
            )
        # Reviewers may edit any course.
        page_apply_operations(
            actor=acme.reviewer, page=fresh(page), base_version=1, operations=[insert("x")]
        )
        assert len(fresh(page).blocks) == 4


def test_block_move_to_page_keeps_the_id_and_bumps_both_pages(acme, page):
    with acme.scope():
        target = PageFactory(section=page.section, position=5)
        first = ids(page)[0]
        result = block_move_to_page(
            actor=acme.author, page=fresh(page), block_id=first, target_page=fresh(target), index=0
        )
        assert first not in ids(fresh(page))
        assert ids(fresh(target)) == [first]
        assert result.target.block_versions[first] == fresh(target).version
        assert result.source.version == page.version + 1
        with pytest.raises(BlockConflict):
            block_move_to_page(
                actor=acme.author, page=fresh(page), block_id=first, target_page=fresh(target)
            )


def test_block_move_to_a_page_of_another_course_is_not_found(acme, page):
    with acme.scope():
        elsewhere = PageFactory(section=SectionFactory(course=CourseFactory(owner=acme.author)))
        with pytest.raises(NotFound):
            block_move_to_page(
                actor=acme.author,
                page=fresh(page),
                block_id=ids(page)[0],
                target_page=fresh(elsewhere),
            )
        assert len(fresh(page).blocks) == 3


def test_an_autosave_revision_is_enqueued_on_commit_at_most_every_ten_minutes(
    acme, page, django_capture_on_commit_callbacks
):
    with acme.scope():
        course = Course.objects.get(pk=page.section.course_id)
        assert Revision.objects.filter(course=course).count() == 0
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            page_apply_operations(
                actor=acme.author,
                page=fresh(page),
                base_version=page.version,
                operations=[insert("a")],
            )
        assert len(callbacks) == 1
        revision = Revision.objects.get(course=course)
        assert revision.reason == "autosave"
        assert revision.created_by == acme.author
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            page_apply_operations(
                actor=acme.author,
                page=fresh(page),
                base_version=page.version,
                operations=[insert("b")],
            )
        assert callbacks == []  # the last revision is not 10 minutes old
        Course.objects.filter(pk=course.pk).update(
            revised_at=timezone.now() - timedelta(minutes=11)
        )
        with django_capture_on_commit_callbacks(execute=True):
            page_apply_operations(
                actor=acme.author,
                page=fresh(page),
                base_version=page.version,
                operations=[insert("c")],
            )
        assert Revision.objects.filter(course=course).count() == 2
        assert Course.objects.get(pk=course.pk).estimated_minutes == 1


def test_the_autosave_task_is_idempotent(acme, page):
    from authoring.tasks import revision_autosave

    with acme.scope():
        course_id = page.section.course_id
    assert revision_autosave(tenant_id=acme.tenant.pk, course_id=course_id) == 1
    assert revision_autosave(tenant_id=acme.tenant.pk, course_id=course_id) is None
    with acme.scope():
        assert Revision.objects.filter(course_id=course_id).count() == 1


def test_a_quiz_cannot_lose_questions_it_draws_from(acme, page):
    from authoring.services.structure import page_update

    with acme.scope():
        data = copy.deepcopy(EXAMPLES["true_false"])
        data["objective_ids"] = []
        quiz = fresh(page)
        result = page_apply_operations(
            actor=acme.author,
            page=quiz,
            base_version=quiz.version,
            operations=[
                {"op": "insert", "block": {"type": "true_false", "data": data}},
                {"op": "insert", "block": {"type": "true_false", "data": data}},
            ],
        )
        page_update(
            actor=acme.author,
            page=fresh(page),
            kind="quiz",
            settings={"passing_score": 50, "attempts": 0, "random_order": True, "draw_count": 2},
        )
        question = result.blocks[-1]["id"]
        with pytest.raises(InvalidBlocks) as caught:
            page_apply_operations(
                actor=acme.author,
                page=fresh(page),
                base_version=result.version,
                operations=[{"op": "delete", "block_id": question}],
            )
        assert "/settings/draw_count" in caught.value.fields
        assert question in ids(fresh(page))
