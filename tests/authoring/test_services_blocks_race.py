"""Two editors saving at the same moment, on PostgreSQL with real row locks."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from authoring.models import Page
from authoring.services.blocks import (
    BlockConflict,
    block_move_to_page,
    page_apply_operations,
)
from authoring.services.courses import course_create
from authoring.services.structure import page_create
from tenants.tenancy import tenant_scope

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs two real connections with row locks"
    ),
]


def _race(tenant, first, second):
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def run(index, action):
        try:
            with tenant_scope(tenant):
                barrier.wait(timeout=10)
                action()
        except Exception as error:
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def _page(pk):
    return Page.objects.select_related("section__course").get(pk=pk)


def _update(actor, pk, base, block_id, text):
    return lambda: page_apply_operations(
        actor=actor,
        page=_page(pk),
        base_version=base,
        operations=[{"op": "update", "block_id": block_id, "data": {"text": f"<p>{text}</p>"}}],
    )


@pytest.fixture
def two_blocks(acme):
    with acme.scope():
        course = course_create(actor=acme.author, title="Race")
        page = Page.objects.get(section__course=course)
        result = page_apply_operations(
            actor=acme.author,
            page=_page(page.pk),
            base_version=1,
            operations=[
                {"op": "insert", "block": {"type": "rich_text", "data": {"text": "<p>a</p>"}}},
                {"op": "insert", "block": {"type": "rich_text", "data": {"text": "<p>b</p>"}}},
            ],
        )
        return page.pk, result.version, [b["id"] for b in result.blocks]


def test_simultaneous_edits_of_different_blocks_both_save(acme, two_blocks):
    pk, base, (a, b) = two_blocks
    outcomes = _race(
        acme.tenant,
        _update(acme.author, pk, base, a, "author's"),
        _update(acme.reviewer, pk, base, b, "reviewer's"),
    )
    assert outcomes == [None, None]
    with acme.scope():
        page = Page.objects.get(pk=pk)
    assert [x["data"]["text"] for x in page.blocks] == ["<p>author's</p>", "<p>reviewer's</p>"]
    assert page.version == base + 2


def test_simultaneous_edits_of_one_block_give_one_conflict_and_lose_nothing(acme, two_blocks):
    pk, base, (a, _b) = two_blocks
    outcomes = _race(
        acme.tenant,
        _update(acme.author, pk, base, a, "author's"),
        _update(acme.reviewer, pk, base, a, "reviewer's"),
    )
    conflicts = [o for o in outcomes if isinstance(o, BlockConflict)]
    assert len(conflicts) == 1
    assert outcomes.count(None) == 1
    with acme.scope():
        saved = Page.objects.get(pk=pk).blocks[0]["data"]["text"]
    # The loser's conflict carries the winner's text, which is what was saved.
    assert conflicts[0].theirs["data"]["text"] == saved


def test_moving_blocks_between_two_pages_in_both_directions_does_not_deadlock(acme, two_blocks):
    pk, _base, (a, _b) = two_blocks
    with acme.scope():
        source = _page(pk)
        other = page_create(actor=acme.author, section=source.section, title="Other")
        result = page_apply_operations(
            actor=acme.author,
            page=_page(other.pk),
            base_version=1,
            operations=[
                {"op": "insert", "block": {"type": "rich_text", "data": {"text": "<p>c</p>"}}}
            ],
        )
        c = result.blocks[0]["id"]
    outcomes = _race(
        acme.tenant,
        lambda: block_move_to_page(
            actor=acme.author, page=_page(pk), block_id=a, target_page=_page(other.pk)
        ),
        lambda: block_move_to_page(
            actor=acme.reviewer, page=_page(other.pk), block_id=c, target_page=_page(pk)
        ),
    )
    assert outcomes == [None, None]
    with acme.scope():
        assert {x["id"] for x in Page.objects.get(pk=other.pk).blocks} == {a}
        assert c in {x["id"] for x in Page.objects.get(pk=pk).blocks}
