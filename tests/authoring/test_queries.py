"""Query counts of the editor's reads and writes (issue 3: editor page ≤ 20, autosave ≤ 8).

The course is big on purpose: 200 pages of 10 blocks (2,000 blocks) in 20 sections.
"""

from __future__ import annotations

import json
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from authoring.access import course_for_edit, page_for_edit
from authoring.models import Course, Page, Section
from authoring.presence import presence_list, presence_touch
from authoring.selectors import courses_for_author, editor_outline, editor_page
from tests.factories import AssetFactory, CourseFactory, MembershipFactory

pytestmark = pytest.mark.django_db

SECTIONS, PAGES_PER_SECTION, BLOCKS_PER_PAGE = 20, 10, 10


def big_course(world, *, owner=None):
    """200 pages × 10 blocks; the first page also shows an image."""
    with world.scope():
        asset = AssetFactory()
        course = CourseFactory(owner=owner or world.author, title="Big course")
        sections = Section.objects.bulk_create(
            [
                Section(tenant=world.tenant, course=course, title=f"S{i}", position=i)
                for i in range(SECTIONS)
            ]
        )
        pages = []
        for section in sections:
            for p in range(PAGES_PER_SECTION):
                blocks = [
                    {
                        "id": str(uuid.uuid4()),
                        "type": "rich_text",
                        "version": 1,
                        "data": {"text": f"<p>Block {b} with a few words of text.</p>"},
                    }
                    for b in range(BLOCKS_PER_PAGE)
                ]
                pages.append(
                    Page(
                        tenant=world.tenant,
                        section=section,
                        title=f"P{p}",
                        position=p,
                        blocks=blocks,
                        block_versions={b["id"]: 1 for b in blocks},
                    )
                )
        pages[0].blocks.append(
            {
                "id": str(uuid.uuid4()),
                "type": "image",
                "version": 1,
                "data": {"asset": str(asset.uuid), "alt": "A desk", "decorative": False},
            }
        )
        Page.objects.bulk_create(pages, batch_size=500)
        return course


def test_the_editor_pages_data_for_a_2000_block_course_takes_few_queries(acme):
    course = big_course(acme)
    with acme.scope():
        first_page = Page.objects.filter(section__course=course).order_by(
            "section__position", "position"
        )[0]
        assert Page.objects.filter(section__course=course).count() == 200
        with CaptureQueriesContext(connection) as captured:
            loaded = course_for_edit(actor=acme.author, course_uuid=course.uuid)
            outline = editor_outline(course=loaded)
            page = page_for_edit(actor=acme.author, page_uuid=first_page.uuid)
            data = editor_page(page=page)
            presence_touch(course=loaded, actor=acme.author, page_uuid=page.uuid)
            presence_list(course=loaded, exclude=acme.author)
        queries = [q["sql"] for q in captured.captured_queries]
    assert len(queries) <= 20, queries
    assert len(queries) == 5, queries  # course, sections, pages, page, assets
    assert sum(len(s.outline_pages) for s in outline) == 200
    assert all(p.block_count == 10 for s in outline for p in s.outline_pages[1:])
    assert outline[0].outline_pages[0].block_count == 11
    assert len(data.blocks) == 11
    assert len(data.assets) == 1
    # The outline never transfers the block JSON of the 200 pages.
    outline_sql = re.sub(
        r"JSONB?_ARRAY_LENGTH\(\"authoring_page\"\.\"blocks\"\)", "", " ".join(queries[1:3])
    )
    assert '"blocks"' not in outline_sql


def test_the_outline_defers_blocks(acme):
    course = big_course(acme)
    with acme.scope():
        outline = editor_outline(course=course)
        page = outline[0].outline_pages[0]
        assert "blocks" in page.get_deferred_fields()


def test_courses_for_author_has_no_n_plus_one(acme, django_assert_num_queries):
    with acme.scope():
        coauthor = MembershipFactory(roles=["author"])
        for n in range(12):
            course = CourseFactory(owner=acme.author, title=f"Mine {n}")
            course.course_authors.create(membership=coauthor)
        for n in range(3):
            CourseFactory(owner=coauthor, title=f"Theirs {n}").course_authors.create(
                membership=acme.author
            )
        with django_assert_num_queries(2):  # courses with owner/editor/cover; co-authors
            rows = list(courses_for_author(actor=acme.author))
            for row in rows:
                _ = [a.membership.user.name for a in row.course_authors.all()]
                _ = row.owner.user.name
        assert len(rows) == 15


def _autosave(client, page, base_version, text):
    return client.post(
        f"/api/v1/pages/{page.uuid}/operations/",
        json.dumps(
            {
                "base_version": base_version,
                "operations": [
                    {
                        "op": "update",
                        "block_id": page.blocks[0]["id"],
                        "data": {"text": f"<p>{text}</p>"},
                    }
                ],
            }
        ),
        content_type="application/json",
    )


def test_an_autosave_request_takes_at_most_8_queries(acme, django_assert_max_num_queries):
    course = big_course(acme)
    client = acme.client_for(acme.author)
    with acme.scope():
        page = Page.objects.filter(section__course=course).order_by("pk")[5]
    client.get("/")  # warm the tenant cache, as any request before the editor does
    with django_assert_max_num_queries(8) as captured:
        response = _autosave(client, page, page.version, "Typed text")
    assert response.status_code == 200, response.content
    assert len(captured.captured_queries) <= 8
    with acme.scope():
        assert Page.objects.get(pk=page.pk).blocks[0]["data"]["text"] == "<p>Typed text</p>"
        assert Course.objects.get(pk=course.pk).version == 2


def test_an_autosave_by_a_coauthor_takes_at_most_8_queries(acme, django_assert_max_num_queries):
    with acme.scope():
        coauthor = MembershipFactory(roles=["author"])
    course = big_course(acme)
    with acme.scope():
        course.course_authors.create(membership=coauthor)
        page = Page.objects.filter(section__course=course).order_by("pk")[0]
    client = acme.client_for(coauthor)
    client.get("/")
    with django_assert_max_num_queries(8):
        response = _autosave(client, page, page.version, "Co-author text")
    assert response.status_code == 200, response.content
