"""Issue 3's first "Done when", in a real browser against the real server.

As author@acme.test: create a course from a starter template, open a page, add one block of
every type from the palette and fill in what each needs (media picked from the library),
reorder by drag-and-drop and by keyboard, reload: every block and its text is there, in the
new order. Two people editing different blocks of one page both save; on the same block one
gets the conflict view and no text is lost. Offline typing is sent when the connection
returns and survives a reload.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from PIL import Image

from authoring.blocks import block_types, get_block_type
from authoring.models import Course, Page
from authoring.services.assets import asset_upload
from tests.conftest import TenantWorld, build_world
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = "All changes saved"
YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(out, format="PNG")
    return out.getvalue()


FILES = {
    "headset.png": _png(),
    "phone-system.mp4": b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 200,
    "greeting.mp3": b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 300,
    "checklist.pdf": b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n",
}
# Which library file each media field takes (its accept list decides what the picker shows).
PICK = {
    "image": "headset.png",
    "video": "phone-system.mp4",
    "audio": "greeting.mp3",
    "file": "checklist.pdf",
    "hotspot": "headset.png",
}


def _read(world: TenantWorld, query: Any) -> Any:
    """Run a read in the tenant's scope. On SQLite the live server shares the test's in-memory
    database, and the page's background requests (presence, health panel) may hold it for a
    moment: then try again."""
    for attempt in range(30):
        try:
            with world.scope():
                return query()
        except OperationalError:
            if attempt == 29:
                raise
            time.sleep(0.1)
    return None


def _upload_media(world: TenantWorld) -> None:
    with world.scope():
        for name, content in FILES.items():
            asset_upload(actor=world.author, file=SimpleUploadedFile(name, content))


@pytest.fixture
def sign_in(browser: Any, tenant_url: Any) -> Iterator[Any]:
    """sign_in(email) → (context, page), signed in on acme; every context is closed afterwards,
    also when the test fails (an open page would keep the live server's database sessions)."""
    contexts: list[Any] = []

    def open_signed_in(email: str) -> tuple[Any, Any]:
        context, page = _sign_in(browser, tenant_url, email)
        contexts.append(context)
        return context, page

    yield open_signed_in
    for context in contexts:
        context.close()


def _sign_in(browser: Any, tenant_url: Any, email: str) -> tuple[Any, Any]:
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 1200})
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(tenant_url("acme", "/accounts/login/"))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(tenant_url("acme", "/"))
    return context, page


def _wait_saved(page: Any, timeout: float = 20000) -> None:
    from playwright.sync_api import expect

    try:
        expect(page.locator("[data-save-status]")).to_have_text(SAVED, timeout=timeout)
    except AssertionError as error:
        problems = page.eval_on_selector_all(
            "[data-block][data-invalid]",
            "els => els.map(e => e.dataset.blockType + ': ' + e.querySelector('[data-block-errors]').innerText)",
        )
        raise AssertionError(f"{error}\nblocks with problems: {problems}") from None


def _ready(page: Any) -> None:
    page.wait_for_selector("[data-editor][data-editor-ready]")


def _block_ids(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "[data-block-list] > [data-block]", "els => els.map(e => e.dataset.blockId)"
    )


def _texts(page: Any) -> dict[str, list[str]]:
    """What the author sees in each block's form: every input's value and rich text, in order."""
    return page.evaluate(
        """() => Object.fromEntries(Array.from(document.querySelectorAll('[data-block-list] > [data-block]')).map(block => [
            block.dataset.blockId,
            Array.from(block.querySelectorAll('[data-block-form] [data-path]')).filter(el => !el.closest('template')).map(el =>
                el.isContentEditable ? el.innerText.trim() : (el.type === 'checkbox' ? String(el.checked) : (el.value || '').trim()))
        ]))"""
    )


# --- filling in a new block ------------------------------------------------------------------------


def _pick_asset(page: Any, block: Any, filename: str) -> None:
    block.locator("[data-action='asset-pick']").first.click()
    picker = page.locator("dialog[data-asset-picker]")
    picker.wait_for(state="visible")
    card = picker.locator(".media-card", has_text=filename)
    card.get_by_role("button", name=re.compile("Choose")).click()
    picker.wait_for(state="hidden")


def _fill_new_block(page: Any, block: Any, type_name: str) -> str:
    """Fill in what the block needs to be valid; returns a word that marks its text."""
    marker = f"Text of {type_name}"
    if type_name in PICK:
        _pick_asset(page, block, PICK[type_name])
    # Every required text: plain inputs and rich text, in the block and its items.
    for field in block.locator("[data-block-form] [aria-required='true']").all():
        if not field.is_visible():
            continue
        tag = field.evaluate("el => el.tagName.toLowerCase()")
        kind = field.get_attribute("data-kind")
        kind_type = field.get_attribute("type") or ""
        if kind == "html":
            field.click()
            page.keyboard.press("Control+End")  # after what is there (a gap's marker)
            page.keyboard.type(marker)
        elif tag in ("input", "textarea") and kind in ("text", "lines") and kind_type != "url":
            field.fill(marker if kind == "text" else "Paris")
    if type_name == "button_link":
        block.locator("input[type='url']").fill("https://example.com/handbook")
    if type_name == "embed":
        block.locator("input[type='url']").fill(YOUTUBE)
    if type_name in ("single_choice", "multiple_choice"):
        block.locator("[data-item] input[type='checkbox'][data-path='/correct']").first.check()
    if type_name == "image":
        block.locator("[data-path='/alt']").fill("A headset on a desk")
    return marker


def test_author_builds_a_page_with_every_block_type_reorders_and_reloads(
    live_server, tenant_url, sign_in
):
    acme = build_world("acme")
    _upload_media(acme)
    _context, page = sign_in("author@acme.test")

    # A course from a starter template.
    page.goto(tenant_url("acme", "/new-course/"))
    page.get_by_role("button", name="Use this template").first.click()
    page.wait_for_url(re.compile(r"/courses/[0-9a-f-]{36}/"))
    course = _read(acme, Course.objects.get)
    assert course.owner_id == acme.author.pk

    # Open its first page.
    page.locator("[data-outline] [data-page] a[data-page-title]").first.click()
    _ready(page)
    before = _block_ids(page)

    # One block of every type, each filled in so that it is valid.
    types = [bt.type for bt in block_types()]
    markers = {}
    for type_name in types:
        known = set(_block_ids(page))
        page.locator(f"[data-action='insert'][data-block-type='{type_name}']").click()
        page.wait_for_function(
            "n => document.querySelectorAll('[data-block-list] > [data-block]').length === n",
            arg=len(known) + 1,
        )
        (new_id,) = [i for i in _block_ids(page) if i not in known]
        block = page.locator(f"[data-block][data-block-id='{new_id}']")
        assert block.get_attribute("data-block-type") == type_name
        markers[new_id] = _fill_new_block(page, block, type_name)
    _wait_saved(page, timeout=60000)
    assert page.locator("[data-block][data-invalid]").count() == 0

    page_uuid = page.locator("[data-editor]").get_attribute("data-page-uuid")
    stored = _read(acme, lambda: Page.objects.get(uuid=page_uuid))
    saved_types = [b["type"] for b in stored.blocks]
    for type_name in types:
        assert type_name in saved_types, f"{type_name} was not saved"
    for block in stored.blocks:
        assert not get_block_type(block["type"]).validate(block["data"]), block

    # Reorder: drag the divider above the quote before it (both short, so both on screen)...
    by_type = {
        page.locator(f"[data-block][data-block-id='{i}']").get_attribute("data-block-type"): i
        for i in _block_ids(page)
    }
    divider, quote = by_type["divider"], by_type["quote"]
    ids = _block_ids(page)
    assert ids.index(divider) == ids.index(quote) + 1
    page.locator(f"[data-block][data-block-id='{divider}'] [data-drag-handle]").drag_to(
        page.locator(f"[data-block][data-block-id='{quote}'] .block__title")
    )
    page.wait_for_function(
        "([a, b]) => { const ids = Array.from(document.querySelectorAll('[data-block-list] > [data-block]'), e => e.dataset.blockId); return ids.indexOf(a) === ids.indexOf(b) - 1; }",
        arg=[divider, quote],
    )
    _wait_saved(page)
    # ... and move the third block up by keyboard.
    ids = _block_ids(page)
    second = ids[2]
    page.locator(f"[data-block][data-block-id='{second}'] [data-drag-handle]").focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Space")
    _wait_saved(page)
    expected_order = _block_ids(page)
    assert expected_order[1] == second
    expected_texts = _texts(page)

    page.reload()
    _ready(page)
    assert _block_ids(page) == expected_order
    assert _texts(page) == expected_texts
    for block_id, marker in markers.items():
        if any(marker in text for text in expected_texts[block_id]):
            assert any(marker in text for text in _texts(page)[block_id])
    assert set(before) <= set(expected_order)


# --- two people, one page; and a dropped connection ---------------------------------------------

A = "0a0a0a0a-0000-4000-8000-00000000000a"
B = "0b0b0b0b-0000-4000-8000-00000000000b"
C = "0c0c0c0c-0000-4000-8000-00000000000c"


def _course_with_three_blocks(world: TenantWorld) -> tuple[Course, Page]:
    from authoring.services.blocks import page_apply_operations
    from authoring.services.coauthors import course_author_add
    from authoring.services.courses import course_create

    with world.scope():
        course = course_create(actor=world.author, title="Phone etiquette")
        course_author_add(actor=world.author, course=course, member=world.admin)
        page = Page.objects.get(section__course=course)
        operations = [
            {
                "op": "insert",
                "index": 0,
                "block": {
                    "id": A,
                    "type": "rich_text",
                    "data": {"text": "<p>Greet the caller.</p>"},
                },
            },
            {
                "op": "insert",
                "index": 1,
                "block": {
                    "id": B,
                    "type": "quote",
                    "data": {"text": "Smile.", "attribution": "Anna"},
                },
            },
            {
                "op": "insert",
                "index": 2,
                "block": {
                    "id": C,
                    "type": "quote",
                    "data": {"text": "Listen.", "attribution": "Bram"},
                },
            },
        ]
        page_apply_operations(
            actor=world.author, page=page, base_version=page.version, operations=operations
        )
        return course, page


def _open(page: Any, tenant_url: Any, course: Course, editor_page: Page) -> None:
    page.goto(tenant_url("acme", f"/courses/{course.uuid}/pages/{editor_page.uuid}/"))
    _ready(page)


def _quote(page: Any, block_id: str) -> Any:
    return page.locator(f"[data-block][data-block-id='{block_id}'] textarea[data-path='/text']")


def _stored_blocks(world: TenantWorld, editor_page: Page) -> dict[str, dict[str, Any]]:
    blocks = _read(world, lambda: Page.objects.get(pk=editor_page.pk).blocks)
    return {b["id"]: b["data"] for b in blocks}


def test_two_authors_merge_different_blocks_and_get_the_conflict_view_on_the_same_block(
    live_server, tenant_url, sign_in
):
    acme = build_world("acme")
    course, editor_page = _course_with_three_blocks(acme)
    _author_context, author = sign_in("author@acme.test")
    _coauthor_context, coauthor = sign_in("admin@acme.test")
    _open(author, tenant_url, course, editor_page)
    _open(coauthor, tenant_url, course, editor_page)

    # Presence: the co-author sees who else is on this page.
    coauthor.locator("[data-presence]").get_by_text(
        f"{acme.author.user.name} is editing this page"
    ).wait_for()

    # Different blocks: both save.
    _quote(author, B).fill("Smile, even on the phone.")
    _quote(coauthor, C).fill("Listen to the end.")
    _wait_saved(author)
    _wait_saved(coauthor)
    stored = _stored_blocks(acme, editor_page)
    assert stored[B]["text"] == "Smile, even on the phone."
    assert stored[C]["text"] == "Listen to the end."

    # The same block: the author saves first; the co-author gets the conflict view with both texts.
    text = author.locator(f"[data-block][data-block-id='{A}'] [contenteditable]")
    text.click()
    author.keyboard.press("Control+End")
    author.keyboard.type(" Say your name.")
    _wait_saved(author)
    assert "Say your name." in _stored_blocks(acme, editor_page)[A]["text"]

    theirs = coauthor.locator(f"[data-block][data-block-id='{A}'] [contenteditable]")
    theirs.click()
    coauthor.keyboard.press("Control+End")
    coauthor.keyboard.type(" Ask how you can help.")
    dialog = coauthor.locator("dialog[data-conflict]")
    dialog.wait_for(state="visible")
    assert "Ask how you can help." in dialog.locator("[data-conflict-mine]").inner_text()
    assert "Say your name." in dialog.locator("[data-conflict-theirs]").inner_text()
    # Nothing overwritten, and the co-author's text is kept in the browser until they choose.
    assert "Ask how you can help." not in _stored_blocks(acme, editor_page)[A]["text"]
    kept = coauthor.evaluate("() => Object.values(localStorage).join(' ')")
    assert "Ask how you can help." in kept

    dialog.get_by_role("button", name="Keep mine").click()
    _wait_saved(coauthor)
    assert "Ask how you can help." in _stored_blocks(acme, editor_page)[A]["text"]
    assert (
        coauthor.evaluate(
            "() => Object.keys(localStorage).filter(k => k.startsWith('egl-editor')).length"
        )
        == 0
    )

    # The author reloads and sees the text that was kept; the other blocks kept both edits.
    author.reload()
    _ready(author)
    assert (
        "Ask how you can help."
        in author.locator(f"[data-block][data-block-id='{A}'] [contenteditable]").inner_text()
    )
    assert _quote(author, B).input_value() == "Smile, even on the phone."
    assert _quote(author, C).input_value() == "Listen to the end."


def test_text_typed_offline_is_sent_when_the_connection_returns_and_survives_a_reload(
    live_server, tenant_url, sign_in
):
    acme = build_world("acme")
    course, editor_page = _course_with_three_blocks(acme)
    context, page = sign_in("author@acme.test")
    _open(page, tenant_url, course, editor_page)

    context.set_offline(True)
    _quote(page, B).fill("Typed in a tunnel.")
    from playwright.sync_api import expect

    expect(page.locator("[data-save-status]")).to_contain_text("Offline", timeout=10000)
    assert _stored_blocks(acme, editor_page)[B]["text"] == "Smile."
    context.set_offline(False)
    _wait_saved(page)
    assert _stored_blocks(acme, editor_page)[B]["text"] == "Typed in a tunnel."
    page.reload()
    _ready(page)
    assert _quote(page, B).input_value() == "Typed in a tunnel."


def test_duplicate_item_lists_move_to_another_page_and_delete_with_undo(
    live_server, tenant_url, sign_in
):
    from authoring.services.structure import page_create

    acme = build_world("acme")
    course, editor_page = _course_with_three_blocks(acme)
    with acme.scope():
        other_page = page_create(
            actor=acme.author, section=editor_page.section, title="Closing the call"
        )
    _context, page = sign_in("author@acme.test")
    _open(page, tenant_url, course, editor_page)

    # Duplicate: a copy with the same text right after, saved with its own id.
    page.locator(f"[data-block][data-block-id='{B}'] [data-action='duplicate']").click()
    page.wait_for_function(
        "n => document.querySelectorAll('[data-block-list] > [data-block]').length === n", arg=4
    )
    _wait_saved(page)
    ids = _block_ids(page)
    copy_id = ids[2]
    assert ids[:2] == [A, B]
    assert copy_id not in (A, B, C)
    assert _quote(page, copy_id).input_value() == "Smile."
    stored = _stored_blocks(acme, editor_page)
    assert stored[copy_id] == stored[B]

    # Item lists inside a block: add an option, fill it, move it up, remove one.
    page.locator("[data-action='insert'][data-block-type='single_choice']").click()
    page.wait_for_function(
        "n => document.querySelectorAll('[data-block-list] > [data-block]').length === n", arg=5
    )
    (question_id,) = [i for i in _block_ids(page) if i not in ids]
    question = page.locator(f"[data-block][data-block-id='{question_id}']")
    question.locator("[data-path='/prompt']").click()
    page.keyboard.type("Which greeting is best?")
    options = question.locator("[data-items][data-path='/options'] > [data-item]")
    options.nth(0).locator("[data-path='/text']").fill("Hello?")
    options.nth(1).locator("[data-path='/text']").fill("Yes?")
    question.get_by_role("button", name="Add option").click()
    assert options.count() == 3
    options.nth(2).locator("[data-path='/text']").fill("Good morning, Acme, this is Anna.")
    options.nth(2).locator("[data-path='/correct']").check()
    options.nth(2).locator("[data-action='item-up']").click()
    options.nth(2).locator("[data-action='item-remove']").click()
    assert options.count() == 2
    _wait_saved(page)
    data = _stored_blocks(acme, editor_page)[question_id]
    assert [o["text"] for o in data["options"]] == ["Hello?", "Good morning, Acme, this is Anna."]
    assert [o["correct"] for o in data["options"]] == [False, True]
    assert len({o["id"] for o in data["options"]}) == 2

    # Move to another page: gone here, there on the other page with the same id.
    page.locator(f"[data-block][data-block-id='{C}'] [data-move-target]").select_option(
        str(other_page.uuid)
    )
    page.locator(f"[data-block][data-block-id='{C}'] [data-action='move-to-page']").click()
    page.wait_for_function(
        "id => !document.querySelector(`[data-block][data-block-id='${id}']`)", arg=C
    )
    assert C not in _stored_blocks(acme, editor_page)
    assert _stored_blocks(acme, other_page)[C]["text"] == "Listen."

    # Delete with undo: the same block comes back at the same place.
    page.locator(f"[data-block][data-block-id='{B}'] [data-action='delete']").click()
    _wait_saved(page)
    assert B not in _stored_blocks(acme, editor_page)
    page.locator("[data-undo]").get_by_role("button", name="Undo").click()
    _wait_saved(page)
    assert _block_ids(page)[1] == B
    assert list(_stored_blocks(acme, editor_page))[:2] == [A, B]
    assert _stored_blocks(acme, editor_page)[B] == {"text": "Smile.", "attribution": "Anna"}
