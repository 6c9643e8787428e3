"""The course outline in a real browser: sections and pages reorder by keyboard on the drag
handle, by drag-and-drop, and through the move buttons, all saved through the API without
reloading the page."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError

from authoring.models import Course, Section
from tests.conftest import TenantWorld, build_world
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _course(world: TenantWorld) -> Course:
    from authoring.services.courses import course_create
    from authoring.services.structure import (
        page_create,
        page_update,
        section_create,
        section_update,
    )

    with world.scope():
        course = course_create(actor=world.author, title="Outline course")
        first = Section.objects.get(course=course)
        section_update(actor=world.author, section=first, title="Basics")
        page_update(actor=world.author, page=first.pages.get(), title="Welcome")
        page_create(actor=world.author, section=first, title="Greeting")
        second = section_create(actor=world.author, course=course, title="Hard calls")
        page_create(actor=world.author, section=second, title="Angry caller")
        page_create(actor=world.author, section=second, title="Silent caller")
        return course


def _structure(world: TenantWorld, course: Course) -> list[tuple[str, list[str]]]:
    try:
        with world.scope():
            return [
                (section.title, [p.title for p in section.pages.order_by("position", "id")])
                for section in Section.objects.filter(course=course).order_by("position", "id")
            ]
    except OperationalError:
        # SQLite: the live server shares the in-memory database and may hold it for a moment;
        # the caller polls again.
        return []


def _shown(page: Any) -> list[tuple[str, list[str]]]:
    rows = page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-outline] > [data-section]')).map(s => [
            s.querySelector('[data-section-title]').textContent.trim(),
            Array.from(s.querySelectorAll('[data-page] [data-page-title]')).map(a => a.textContent.trim())
        ])"""
    )
    return [(title, pages) for title, pages in rows]


def test_outline_reorders_by_keyboard_drag_and_buttons_without_reloading(
    browser, live_server, tenant_url, request
):
    acme = build_world("acme")
    course = _course(acme)
    context = browser.new_context(locale="en-GB")
    request.addfinalizer(context.close)  # also when the test fails: no page left holding sessions
    page = context.new_page()
    page.goto(tenant_url("acme", "/accounts/login/"))
    page.get_by_label("E-mail address").fill("author@acme.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(tenant_url("acme", "/"))
    page.goto(tenant_url("acme", f"/courses/{course.uuid}/"))
    page.wait_for_selector("[data-outline][data-outline-init]")
    page.evaluate("() => { window.notReloaded = true; }")

    # Keyboard: "Greeting" goes down into the next section.
    page.get_by_role(
        "button", name="Move page “Greeting”: press Space to pick it up, or drag it"
    ).focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    expected = [
        ("Basics", ["Welcome"]),
        ("Hard calls", ["Greeting", "Angry caller", "Silent caller"]),
    ]
    assert _shown(page) == expected
    _wait_text(page, "Page moved to position 1 of 3 in Hard calls")
    _until(lambda: _structure(acme, course) == expected)

    # The move button: "Hard calls" up, through the API, no reload.
    page.get_by_role("button", name="Move section “Hard calls” up").click()
    expected = [
        ("Hard calls", ["Greeting", "Angry caller", "Silent caller"]),
        ("Basics", ["Welcome"]),
    ]
    assert _shown(page) == expected
    _until(lambda: _structure(acme, course) == expected)
    _wait_text(page, "Section moved to position 1 of 2")

    # Drag and drop: "Silent caller" onto "Greeting" takes its place.
    page.get_by_role(
        "button", name="Move page “Silent caller”: press Space to pick it up, or drag it"
    ).drag_to(page.locator("[data-page] a[data-page-title]", has_text="Greeting"))
    expected = [
        ("Hard calls", ["Silent caller", "Greeting", "Angry caller"]),
        ("Basics", ["Welcome"]),
    ]
    _until(lambda: _shown(page) == expected)
    _until(lambda: _structure(acme, course) == expected)

    assert page.evaluate("() => window.notReloaded") is True
    page.reload()
    page.wait_for_selector("[data-outline][data-outline-init]")
    assert _shown(page) == expected


def _wait_text(page: Any, text: str) -> bool:
    page.wait_for_function(
        "t => document.querySelector('[data-outline-region] [data-announce]').textContent.includes(t)",
        arg=text,
    )
    return True


def _until(check: Any, timeout: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the outline did not reach the expected order"
        time.sleep(0.1)
