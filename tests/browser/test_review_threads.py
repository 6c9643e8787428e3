"""Review comment threads in a real browser: in review mode a comment is added and answered
through htmx without reloading (a refused one keeps the typed text); in the page editor the
threads land inside their block."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from authoring.models import Page
from tests.conftest import build_world
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Any, tenant_url: Any, email: str) -> None:
    page.goto(tenant_url("acme", "/accounts/login/"))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(tenant_url("acme", "/"))


def test_threads_in_review_mode_and_in_the_editor(browser, live_server, tenant_url, request):
    from authoring.services.courses import course_create
    from reviews import comments as svc
    from reviews import services

    acme = build_world("acme")
    block_id = str(uuid.uuid4())
    with acme.scope():
        course = course_create(actor=acme.author, title="Threads course")
        draft = Page.objects.get(section__course=course)
        draft.blocks = [
            {"id": block_id, "type": "rich_text", "version": 1, "data": {"text": "<p>Hi</p>"}}
        ]
        draft.block_versions = {block_id: 1}
        draft.save()
        review = services.review_submit(actor=acme.author, course=course)
        svc.comment_add(
            actor=acme.reviewer,
            review=review,
            anchor="block",
            page_uuid=draft.uuid,
            block_id=block_id,
            body="Say more than hi",
        )

    context = browser.new_context(locale="en-GB")
    request.addfinalizer(context.close)
    page = context.new_page()
    _sign_in(page, tenant_url, "reviewer@acme.test")
    page.goto(tenant_url("acme", f"/reviews/{review.uuid}/"))
    page.evaluate("() => { window.notReloaded = true; }")
    row = page.locator(f"#row-{block_id}")
    assert "Say more than hi" in row.inner_text()

    # A new comment on the block, through htmx.
    row.get_by_text("Add comment on this block").click()
    row.get_by_label("Your comment").fill("Also add a picture")
    row.get_by_role("button", name="Add comment").click()
    page.wait_for_selector(f"#row-{block_id} >> text=Also add a picture")
    page.wait_for_function(
        "() => document.getElementById('review-status').textContent.includes('Comment added.')"
    )

    # An empty comment is refused in place: the message shows, nothing is lost.
    row.get_by_text("Add comment on this block").click()
    row.get_by_label("Your comment").fill("   ")
    row.get_by_role("button", name="Add comment").click()
    page.wait_for_selector(f"#row-{block_id} >> text=Write a comment.")
    assert page.evaluate("() => window.notReloaded") is True

    # The author answers in the page editor: the threads sit inside the block.
    author = browser.new_context(locale="en-GB")
    request.addfinalizer(author.close)
    editor = author.new_page()
    _sign_in(editor, tenant_url, "author@acme.test")
    editor.goto(tenant_url("acme", f"/courses/{course.uuid}/pages/{draft.uuid}/"))
    editor.wait_for_selector(
        f"[data-block][data-block-id='{block_id}'] [data-threads-for-block='{block_id}']"
    )
    block = editor.locator(f"[data-block][data-block-id='{block_id}']")
    assert "Also add a picture" in block.inner_text()
    thread = block.locator("[data-thread]", has_text="Say more than hi")
    thread.get_by_role("button", name="Resolve").click()
    editor.wait_for_selector(
        f"[data-block][data-block-id='{block_id}'] .thread--resolved >> text=Say more than hi"
    )
    with acme.scope():
        from reviews.models import Comment

        assert Comment.objects.get(body="Say more than hi").status == "resolved"
