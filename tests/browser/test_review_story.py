"""Issue 4's browser story, against the real server in Chromium.

The author submits a compliance course → the reviewer comments on a block in review mode and
requests changes → the author sees the comment beside that block in the editor, fixes the
text and resubmits → the reviewer sees what changed and approves the new version → the
course can be published, and is.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from authoring.models import Course, Page
from tests.conftest import build_world
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OLD_TEXT = "Forklifts are heavy."
NEW_TEXT = "A forklift weighs up to 5 tonnes: keep 3 metres away."
COMMENT = "How heavy? Give a number learners can remember."


def _signed_in(browser: Any, tenant_url: Any, request: Any, email: str) -> Any:
    context = browser.new_context(locale="en-GB")
    request.addfinalizer(context.close)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "Publish the course now?"
    page.goto(tenant_url("acme", "/accounts/login/"))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(tenant_url("acme", "/"))
    return page


def _submit(page: Any, tenant_url: Any, course: Course, message: str) -> None:
    from playwright.sync_api import expect

    page.goto(tenant_url("acme", f"/courses/{course.uuid}/"))
    # The card arrives by htmx after the page loads: wait for it, then open its form.
    summary = page.locator("#review details.review-submit > summary")
    summary.wait_for(state="visible", timeout=10000)
    summary.click()
    card = page.locator("#review")
    expect(card.get_by_label("Message to the reviewers")).to_be_visible()
    card.get_by_label("Message to the reviewers").fill(message)
    card.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".messages")).to_contain_text("submitted", timeout=10000)


def _open_in_queue(page: Any, tenant_url: Any, course: Course) -> None:
    page.goto(tenant_url("acme", "/reviews/"))
    page.get_by_role("link", name=course.title, exact=True).click()
    page.wait_for_url(re.compile(r"/reviews/[0-9a-f-]{36}/"))


def _status(world: Any, course: Course) -> str:
    with world.scope():
        return Course.objects.get(pk=course.pk).status


def test_submit_comment_fix_resubmit_diff_approve_publish(
    browser, live_server, tenant_url, request
):
    from playwright.sync_api import expect

    from authoring.services.courses import course_create

    acme = build_world("acme")
    block_id = str(uuid.uuid4())
    with acme.scope():
        course = course_create(actor=acme.author, title="Forklift safety", category="compliance")
        draft = Page.objects.get(section__course=course)
        draft.blocks = [
            {
                "id": block_id,
                "type": "rich_text",
                "version": 1,
                "data": {"text": f"<p>{OLD_TEXT}</p>"},
            }
        ]
        draft.block_versions = {block_id: 1}
        draft.save()

    # 1. The author submits the course for review.
    author = _signed_in(browser, tenant_url, request, "author@acme.test")
    _submit(author, tenant_url, course, "First version, please check the numbers.")
    assert _status(acme, course) == "in_review"

    # 2. The reviewer finds it in the queue, comments on the block and requests changes.
    reviewer = _signed_in(browser, tenant_url, request, "reviewer@acme.test")
    _open_in_queue(reviewer, tenant_url, course)
    row = reviewer.locator(f"#row-{block_id}")
    expect(row).to_contain_text(OLD_TEXT)
    row.get_by_text("Add comment on this block").click()
    row.get_by_label("Your comment").fill(COMMENT)
    row.get_by_role("button", name="Add comment").click()
    expect(row).to_contain_text(COMMENT)
    reviewer.get_by_label("What needs to change").fill("See my comment on the first block.")
    reviewer.get_by_role("button", name="Request changes").click()
    expect(reviewer.locator("#decision")).to_contain_text("This round is closed")
    assert _status(acme, course) == "changes_requested"

    # 3. The author sees the comment beside that block in the editor and fixes the text.
    author.goto(tenant_url("acme", f"/courses/{course.uuid}/pages/{draft.uuid}/"))
    author.wait_for_selector("[data-editor][data-editor-ready]")
    block = author.locator(f"[data-block][data-block-id='{block_id}']")
    threads = block.locator(f"[data-threads-for-block='{block_id}']")
    expect(threads).to_contain_text(COMMENT, timeout=10000)
    text = block.locator("[data-block-form] [data-kind='html']").first
    text.click()
    author.keyboard.press("Control+A")
    author.keyboard.type(NEW_TEXT)
    expect(author.locator("[data-save-status]")).to_have_text("All changes saved", timeout=20000)
    with acme.scope():
        saved = Page.objects.get(pk=draft.pk).blocks[0]["data"]["text"]
    assert NEW_TEXT in saved

    # ...and resubmits.
    _submit(author, tenant_url, course, "Added the weight and the distance.")
    assert _status(acme, course) == "in_review"

    # 4. The reviewer sees what changed, then approves the new version.
    _open_in_queue(reviewer, tenant_url, course)
    expect(reviewer.locator(f"#row-{block_id}")).to_contain_text(NEW_TEXT)
    reviewer.get_by_role("link", name="What changed").click()
    expect(reviewer.locator("ins.diff-ins").first).to_be_visible()
    inserted = " ".join(reviewer.locator("ins.diff-ins").all_inner_texts())
    deleted = " ".join(reviewer.locator("del.diff-del").all_inner_texts())
    assert "5 tonnes" in inserted
    assert "heavy" in deleted
    reviewer.get_by_role("link", name="Pages").click()
    # The open comment of round 1 carried over, marked: its block changed since.
    expect(reviewer.locator(f"#row-{block_id}")).to_contain_text(COMMENT)
    expect(reviewer.locator(f"#row-{block_id}")).to_contain_text("Changed since this comment")
    reviewer.get_by_role("button", name=re.compile(r"^Approve version \d+$")).click()
    expect(reviewer.locator("#decision")).to_contain_text("This round is closed")
    assert _status(acme, course) == "approved"

    # 5. The course can be published: a publishing job stores release 1 and lists it.
    author.goto(tenant_url("acme", f"/courses/{course.uuid}/"))
    summary = author.locator("#review details.review-publish > summary")
    summary.wait_for(state="visible", timeout=10000)
    summary.click()
    author.get_by_label("Release notes").fill("First release.")
    author.locator("#review details.review-publish button[type='submit']").click()
    author.wait_for_url(re.compile(r"/jobs/[0-9a-f-]{36}/"))
    assert _status(acme, course) == "published"
    with acme.scope():
        from courses.models import CatalogEntry

        entry = CatalogEntry.objects.select_related("live_release").get(course=course)
        assert (entry.live_release.number, entry.live_release.notes) == (1, "First release.")
        # The approved version is what went live.
        released = entry.live_release.document["sections"][0]["pages"][0]["blocks"][0]
        assert NEW_TEXT in released["data"]["text"]
