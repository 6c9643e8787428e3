"""The editor's JavaScript in Chromium against a scripted operations endpoint (editor_fixture):
autosave, coalescing, problems at the fields, conflicts, offline with reload, keyboard
reordering, rich text and delete with undo. The end-to-end story against the real server is
in test_editor_story.py."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.editor_fixture import ORIGIN, PAGE_UUID, FakePage, serve

pytestmark = [pytest.mark.browser]

A = "0a0a0a0a-0000-4000-8000-00000000000a"
B = "0b0b0b0b-0000-4000-8000-00000000000b"
C = "0c0c0c0c-0000-4000-8000-00000000000c"
SAVED = "All changes saved"


def blocks() -> list[dict[str, Any]]:
    return [
        {"id": A, "type": "rich_text", "version": 1, "data": {"text": "<p>Hello</p>"}},
        {
            "id": B,
            "type": "quote",
            "version": 1,
            "data": {"text": "Less is more.", "attribution": "Mies"},
        },
        {
            "id": C,
            "type": "callout",
            "version": 1,
            "data": {"variant": "tip", "text": "<p>Save often.</p>"},
        },
    ]


@pytest.fixture
def fake() -> FakePage:
    return FakePage(blocks=blocks())


@pytest.fixture
def editor(browser, fake) -> Iterator[Any]:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # beforeunload while something is unsaved
    serve(page, fake)
    page.goto(f"{ORIGIN}/editor/")
    page.wait_for_selector("[data-editor][data-editor-ready]")
    yield page
    context.close()


def status(page: Any) -> Any:
    return page.locator("[data-save-status]")


def wait_status(page: Any, text: str, timeout: float = 8000) -> None:
    from playwright.sync_api import expect

    expect(status(page)).to_have_text(text, timeout=timeout)


def saved_text(page: Any, fake: FakePage, block_id: str, wanted: Any, timeout: float = 8) -> str:
    """The block's text on the fake server once `wanted(text)` holds. The status already says
    "saved" from the previous save until the next pause ends, so it cannot tell us alone."""
    deadline = time.monotonic() + timeout
    while True:
        text = fake.block(block_id)["data"]["text"]
        if wanted(text) or time.monotonic() > deadline:
            return text
        page.wait_for_timeout(100)  # lets Playwright serve the page's requests meanwhile


def block_ids(page: Any, fake: FakePage, wanted: list[str], timeout: float = 8) -> list[str]:
    """The fake server's block order once it is `wanted` (or the timeout passed)."""
    deadline = time.monotonic() + timeout
    while True:
        ids = [b["id"] for b in fake.blocks]
        if ids == wanted or time.monotonic() > deadline:
            return ids
        page.wait_for_timeout(100)


def quote_text(page: Any, block_id: str = B) -> Any:
    return page.locator(f"[data-block][data-block-id='{block_id}'] textarea[data-path='/text']")


def stored(page: Any) -> dict[str, Any]:
    raw = page.evaluate(
        "(prefix) => Object.fromEntries(Object.keys(localStorage).filter(k => k.includes(prefix)).map(k => [k, localStorage.getItem(k)]))",
        PAGE_UUID,
    )
    return {key: json.loads(value) for key, value in raw.items()}


def test_typing_is_saved_after_a_pause_in_one_coalesced_request(editor, fake):
    quote_text(editor).fill("")
    quote_text(editor).press_sequentially("Small is beautiful.", delay=20)
    wait_status(editor, "Saving…")
    # Mirrored before it is sent: a crash now loses nothing.
    assert any(d["data"]["text"] == "Small is beautiful." for d in stored(editor).values())
    wait_status(editor, SAVED)
    assert len(fake.requests) == 1, fake.requests
    (body,) = fake.requests
    assert body["base_version"] == 1
    assert body["operations"] == [
        {
            "op": "update",
            "block_id": B,
            "data": {"text": "Small is beautiful.", "attribution": "Mies"},
            "force": False,
        }
    ]
    assert fake.block(B)["data"]["text"] == "Small is beautiful."
    assert stored(editor) == {}
    assert editor.locator("[data-editor]").get_attribute("data-page-version") == "2"


def test_a_refused_block_shows_the_problem_at_its_field_keeps_the_text_and_waits_for_a_change(
    editor, fake
):
    fake.refuse = {f"/blocks/{B}/data/attribution": ["Say who said it."]}
    editor.locator(f"[data-block][data-block-id='{B}'] input[data-path='/attribution']").fill(
        "Ludwig"
    )
    wait_status(editor, "Not saved: Check the block.")
    field_error = editor.locator(f"[data-block][data-block-id='{B}'] .field-error")
    assert field_error.inner_text() == "Say who said it."
    attribution = editor.locator(
        f"[data-block][data-block-id='{B}'] input[data-path='/attribution']"
    )
    assert attribution.get_attribute("aria-invalid") == "true"
    assert attribution.input_value() == "Ludwig"
    assert next(iter(stored(editor).values()))["data"]["attribution"] == "Ludwig"
    editor.wait_for_timeout(2000)  # longer than the pause before sending: nothing is resent
    assert len(fake.requests) == 1
    attribution.fill("Ludwig Mies")
    wait_status(editor, SAVED)
    assert fake.block(B)["data"]["attribution"] == "Ludwig Mies"
    assert editor.locator(f"[data-block][data-block-id='{B}'] .field-error").count() == 0
    assert attribution.get_attribute("aria-invalid") is None


def test_someone_elses_change_to_the_same_block_opens_the_conflict_view_and_keep_mine_wins(
    editor, fake
):
    fake.someone_else_updates(B, {"text": "Their words.", "attribution": "Them"})
    quote_text(editor).fill("My words.")
    dialog = editor.locator("dialog[data-conflict]")
    dialog.wait_for(state="visible")
    assert "My words." in dialog.locator("[data-conflict-mine]").inner_text()
    assert "Their words." in dialog.locator("[data-conflict-theirs]").inner_text()
    assert fake.block(B)["data"]["text"] == "Their words."  # nothing overwritten silently
    # Until the author decides, the text is kept locally.
    assert next(iter(stored(editor).values()))["data"]["text"] == "My words."
    dialog.get_by_role("button", name="Keep mine").click()
    wait_status(editor, SAVED)
    assert dialog.is_hidden()
    assert fake.block(B)["data"]["text"] == "My words."
    assert fake.updates()[-1]["force"] is True
    assert stored(editor) == {}


def test_keep_theirs_puts_their_text_in_the_form_and_escape_decides_nothing(editor, fake):
    fake.someone_else_updates(B, {"text": "Their words.", "attribution": "Them"})
    quote_text(editor).fill("My words.")
    dialog = editor.locator("dialog[data-conflict]")
    dialog.wait_for(state="visible")
    editor.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert "Someone else changed this block" in status(editor).inner_text()
    assert quote_text(editor).input_value() == "My words."
    editor.locator(f"[data-block][data-block-id='{B}'] [data-conflict-reopen]").click()
    dialog.wait_for(state="visible")
    dialog.get_by_role("button", name="Keep theirs").click()
    wait_status(editor, SAVED)
    assert quote_text(editor).input_value() == "Their words."
    assert fake.block(B)["data"]["text"] == "Their words."
    assert stored(editor) == {}


def test_changes_to_different_blocks_merge(editor, fake):
    fake.someone_else_updates(C, {"variant": "warning", "text": "<p>Mind the gap.</p>"})
    quote_text(editor).fill("Mine.")
    wait_status(editor, SAVED)
    assert fake.block(B)["data"]["text"] == "Mine."
    assert fake.block(C)["data"]["text"] == "<p>Mind the gap.</p>"
    # Their change to the other block shows up in this author's form.
    assert (
        "Mind the gap."
        in editor.locator(f"[data-block][data-block-id='{C}'] [contenteditable]").inner_text()
    )


def test_offline_text_survives_a_reload_and_is_sent_when_the_connection_returns(editor, fake):
    fake.offline = True
    quote_text(editor).fill("Typed on the train.")
    wait_status(
        editor, "Offline — your changes are kept and will be sent when the connection returns"
    )
    editor.reload()
    editor.wait_for_selector("[data-editor][data-editor-ready]")
    assert quote_text(editor).input_value() == "Typed on the train."
    fake.offline = False
    wait_status(editor, SAVED, timeout=15000)
    assert fake.block(B)["data"]["text"] == "Typed on the train."
    assert stored(editor) == {}


def test_keyboard_reorder_with_the_drag_handle(editor, fake):
    handle = editor.locator(f"[data-block][data-block-id='{C}'] [data-drag-handle]")
    handle.focus()
    editor.keyboard.press("Space")
    editor.keyboard.press("ArrowUp")
    editor.keyboard.press("ArrowUp")
    editor.keyboard.press("Space")
    wait_status(editor, SAVED)
    assert [b["id"] for b in fake.blocks] == [C, A, B]
    # The live region is cleared and refilled a moment later (so screen readers repeat it).
    expect(editor.locator("[data-announce]")).to_have_text("Block dropped at position 1 of 3")
    # Escape puts it back where it was and sends nothing.
    sent = len(fake.requests)
    handle.focus()
    editor.keyboard.press("Space")
    editor.keyboard.press("ArrowDown")
    editor.keyboard.press("Escape")
    ids = editor.eval_on_selector_all("[data-block]", "els => els.map(e => e.dataset.blockId)")
    assert ids == [C, A, B]
    editor.wait_for_timeout(300)
    assert len(fake.requests) == sent


def test_rich_text_bold_and_a_link_that_refuses_javascript(editor, fake):
    text = editor.locator(f"[data-block][data-block-id='{A}'] [contenteditable]")
    text.click()
    editor.keyboard.press("Control+A")
    bold = editor.locator(f"[data-block][data-block-id='{A}'] [data-rt-command='bold']")
    bold.click()
    assert bold.get_attribute("aria-pressed") == "true"
    wait_status(editor, SAVED)
    bolded = saved_text(editor, fake, A, lambda t: "Hello</" in t and t != "<p>Hello</p>")
    assert bolded in ("<p><b>Hello</b></p>", "<p><strong>Hello</strong></p>")

    text.click()
    editor.keyboard.press("Control+A")
    editor.locator(f"[data-block][data-block-id='{A}'] [data-rt-command='link']").click()
    link_dialog = editor.locator("dialog[data-rt-link-dialog]")
    link_dialog.wait_for(state="visible")
    link_dialog.get_by_label("Web address").fill("javascript:alert(1)")
    link_dialog.get_by_role("button", name="Insert link").click()
    assert link_dialog.is_visible()
    assert "Use a web address" in link_dialog.locator(".field-error").inner_text()
    link_dialog.get_by_label("Web address").fill("https://example.com/help")
    link_dialog.get_by_role("button", name="Insert link").click()
    link_dialog.wait_for(state="hidden")
    wait_status(editor, SAVED)
    saved = saved_text(editor, fake, A, lambda t: "example.com/help" in t)
    assert 'href="https://example.com/help"' in saved
    assert "javascript" not in saved

    # A heading, then a list (the server's toolbar names: h2, bulletList).
    text.click()
    editor.keyboard.press("Control+A")
    heading = editor.locator(f"[data-block][data-block-id='{A}'] [data-rt-command='h2']")
    heading.click()
    assert heading.get_attribute("aria-pressed") == "true"
    wait_status(editor, SAVED)
    assert saved_text(editor, fake, A, lambda t: t.startswith("<h2>")).startswith("<h2>")
    text.click()
    editor.keyboard.press("Control+A")
    editor.locator(f"[data-block][data-block-id='{A}'] [data-rt-command='bulletList']").click()
    wait_status(editor, SAVED)
    assert "<ul><li>" in saved_text(editor, fake, A, lambda t: "<ul><li>" in t)


def test_paste_keeps_simple_formatting_and_drops_scripts_and_styles(editor, fake):
    text = editor.locator(f"[data-block][data-block-id='{A}'] [contenteditable]")
    text.click()
    editor.keyboard.press("Control+A")
    editor.evaluate(
        """([blockId, html]) => {
            const data = new DataTransfer();
            data.setData('text/html', html);
            const target = document.querySelector(`[data-block][data-block-id='${blockId}'] [contenteditable]`);
            target.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        [
            A,
            '<p style="color:red" onclick="alert(1)">Pasted <b>bold</b><script>alert(2)</script>'
            '<a href="javascript:alert(3)">bad</a> <a href="https://example.com/">good</a></p>',
        ],
    )
    wait_status(editor, SAVED)
    saved = saved_text(editor, fake, A, lambda t: "Pasted" in t)
    assert "<b>bold</b>" in saved or "<strong>bold</strong>" in saved
    for bad in ("script", "style", "onclick", "javascript", "alert"):
        assert bad not in saved, saved
    assert 'href="https://example.com/"' in saved


def test_delete_with_undo_restores_the_same_block_at_the_same_place(editor, fake):
    editor.locator(f"[data-block][data-block-id='{B}'] [data-action='delete']").click()
    assert editor.locator(f"[data-block][data-block-id='{B}']").count() == 0
    undo = editor.locator("[data-undo]")
    assert "Block deleted." in undo.inner_text()
    wait_status(editor, SAVED)
    assert block_ids(editor, fake, [A, C]) == [A, C]
    undo.get_by_role("button", name="Undo").click()
    wait_status(editor, SAVED)
    assert block_ids(editor, fake, [A, B, C]) == [A, B, C]
    assert fake.block(B)["data"] == {"text": "Less is more.", "attribution": "Mies"}
    ids = editor.eval_on_selector_all("[data-block]", "els => els.map(e => e.dataset.blockId)")
    assert ids == [A, B, C]


def test_a_new_block_typed_offline_comes_back_after_a_reload_and_is_inserted_with_its_id(
    editor, fake
):
    fake.offline = True
    editor.get_by_role("button", name="Add quote").click()
    editor.wait_for_function("() => document.querySelectorAll('[data-block]').length === 4")
    new_id = editor.eval_on_selector_all(
        "[data-block]", "els => els[els.length - 1].dataset.blockId"
    )
    quote_text(editor, new_id).fill("Written offline.")
    wait_status(
        editor, "Offline — your changes are kept and will be sent when the connection returns"
    )
    editor.reload()
    editor.wait_for_selector("[data-editor][data-editor-ready]")
    editor.wait_for_function("() => document.querySelectorAll('[data-block]').length === 4")
    assert quote_text(editor, new_id).input_value() == "Written offline."
    fake.offline = False
    wait_status(editor, SAVED, timeout=15000)
    assert [b["id"] for b in fake.blocks] == [A, B, C, new_id]
    assert fake.block(new_id)["data"]["text"] == "Written offline."
    assert stored(editor) == {}


def test_table_columns_added_moved_and_removed_keep_every_row_lined_up(browser):
    from authoring.blocks import get_block_type

    t = "0d0d0d0d-0000-4000-8000-00000000000d"
    col_a, col_b = "1a1a1a1a-0000-4000-8000-00000000001a", "1b1b1b1b-0000-4000-8000-00000000001b"
    rows = [
        {"id": "2a2a2a2a-0000-4000-8000-00000000002a", "cells": ["Monday", "9–17"]},
        {"id": "2b2b2b2b-0000-4000-8000-00000000002b", "cells": ["Sunday", "closed"]},
    ]
    data = {
        "header_row": False,
        "caption": "Hours",
        "columns": [{"id": col_a}, {"id": col_b}],
        "rows": rows,
    }
    fake = FakePage(blocks=[{"id": t, "type": "table", "version": 1, "data": data}])
    context = browser.new_context(locale="en-GB")
    try:
        page = context.new_page()
        serve(page, fake)
        page.goto(f"{ORIGIN}/editor/")
        page.wait_for_selector("[data-editor][data-editor-ready]")
        block = page.locator(f"[data-block][data-block-id='{t}']")
        block.get_by_role("button", name="Add column").click()
        cells = block.locator("tbody [data-item]").nth(0).locator("[data-path^='/cells/']")
        assert cells.count() == 3
        cells.nth(2).fill("Lunch 12–13")
        # Move the first column to the end: each row's values follow their column.
        block.locator("[data-path='/columns'] > [data-item]").nth(0).locator(
            "[data-action='item-down']"
        ).click()
        block.locator("[data-path='/columns'] > [data-item]").nth(1).locator(
            "[data-action='item-down']"
        ).click()
        wait_status(page, SAVED)
        saved = fake.block(t)["data"]
        column_ids = [c["id"] for c in saved["columns"]]
        assert column_ids[0] == col_b
        assert column_ids[2] == col_a
        assert saved["rows"][0]["cells"] == ["9–17", "Lunch 12–13", "Monday"]
        assert saved["rows"][1]["cells"] == ["closed", "", "Sunday"]
        # Remove the (now) first column: its cells go with it.
        block.locator("[data-path='/columns'] > [data-item]").nth(0).locator(
            "[data-action='item-remove']"
        ).click()
        wait_status(page, SAVED)
        saved = fake.block(t)["data"]
        assert saved["rows"][0]["cells"] == ["Lunch 12–13", "Monday"]
        assert not get_block_type("table").validate(saved)
        # A row added now has one cell per column.
        block.get_by_role("button", name="Add row").click()
        wait_status(page, SAVED)
        assert len(fake.block(t)["data"]["rows"][-1]["cells"]) == 2
    finally:
        context.close()
