"""Query budgets of the editor's pages: the page editor of a 200-page, 2,000-block course in
at most 20 queries, and the outline never loads other pages' block JSON."""

from __future__ import annotations

import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from authoring.models import Course, Page, Section
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db

SECTIONS, PAGES_PER_SECTION, BLOCKS_PER_PAGE = 20, 10, 10
MARKER = "Block-text-only-in-page-json"


def rich_text(page: int, block: int) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": "rich_text",
        "version": 1,
        "data": {"text": f"<p>{MARKER} {page}.{block}: answer within three rings.</p>"},
    }


def big_course(world) -> tuple[Course, Page]:
    with world.scope():
        course = CourseFactory(
            owner=world.author, objectives=[{"id": str(uuid.uuid4()), "text": "x"}]
        )
        sections = Section.objects.bulk_create(
            Section(tenant=world.tenant, course=course, title=f"Section {s}", position=s)
            for s in range(SECTIONS)
        )
        pages = Page.objects.bulk_create(
            Page(
                tenant=world.tenant,
                section=section,
                title=f"Page {s}.{p}",
                position=p,
                blocks=[rich_text(s * PAGES_PER_SECTION + p, b) for b in range(BLOCKS_PER_PAGE)],
            )
            for s, section in enumerate(sections)
            for p in range(PAGES_PER_SECTION)
        )
        assert Page.objects.filter(section__course=course).count() == 200
    return course, pages[57]


def test_page_editor_of_a_big_course_needs_at_most_20_queries(acme, django_assert_max_num_queries):
    course, page = big_course(acme)
    client = acme.client_for(acme.author)
    url = f"/courses/{course.uuid}/pages/{page.uuid}/"
    client.get(url)  # warm the session and caches, as a second visit would
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    # Every page is in the outline (navigation and the move-to-page targets) …
    assert body.count("data-block data-block-id=") == BLOCKS_PER_PAGE
    assert "Page 19.9" in body
    assert "Page 0.0" in body
    # … but only this page's blocks are on it.
    assert body.count(MARKER) == BLOCKS_PER_PAGE * 2  # the forms and the page's block JSON


def test_the_outline_never_loads_other_pages_block_json(acme):
    course, page = big_course(acme)
    client = acme.client_for(acme.author)
    url = f"/courses/{course.uuid}/pages/{page.uuid}/"
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    page_queries = [q["sql"] for q in captured.captured_queries if '"authoring_page"' in q["sql"]]
    # Counting a page's blocks happens in the database (JSON_ARRAY_LENGTH); reading them
    # means selecting the column itself.
    loading_blocks = [
        sql
        for sql in page_queries
        if '"authoring_page"."blocks"'
        in re.sub(r'ARRAY_LENGTH\("authoring_page"\."blocks"\)', "", sql.split(" FROM ")[0])
    ]
    # One query reads blocks: the open page's own.
    assert len(loading_blocks) == 1, loading_blocks
    assert "LIMIT" in loading_blocks[0] or "= %s" in loading_blocks[0]


def test_course_workspace_of_a_big_course_has_a_bounded_query_count(
    acme, django_assert_max_num_queries
):
    course, _page = big_course(acme)
    client = acme.client_for(acme.author)
    url = f"/courses/{course.uuid}/"
    client.get(url)
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200
    assert MARKER not in response.content.decode()


def test_my_courses_has_a_bounded_query_count(acme, django_assert_max_num_queries):
    with acme.scope():
        for _n in range(30):
            CourseFactory(owner=acme.author)
    client = acme.client_for(acme.author)
    client.get("/courses/")
    with django_assert_max_num_queries(10):
        response = client.get("/courses/")
    assert response.content.decode().count('<th scope="row">') == 25
