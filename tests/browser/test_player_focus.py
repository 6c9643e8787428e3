"""The player in real Chromium against the live server: at 320 px wide nothing scrolls
sideways, the page title has focus on load, an answer posts in the background (htmx) and its
feedback lands in the question's live region, and the same form works with JavaScript off."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.conftest import build_world
from tests.courses.player_factories import player_course
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(browser: Any, tenant_url: Any, request: Any, *, javascript: bool = True) -> Any:
    context = browser.new_context(
        locale="en-GB", viewport={"width": 320, "height": 800}, java_script_enabled=javascript
    )
    request.addfinalizer(context.close)
    page = context.new_page()
    page.goto(tenant_url("acme", "/accounts/login/"))
    page.get_by_label("E-mail address").fill("learner@acme.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(tenant_url("acme", "/"))
    return page


def _check_page(tenant_url: Any) -> tuple[str, dict[str, Any]]:
    acme = build_world("acme")
    with acme.scope():
        pc = player_course(acme)
        block = pc.block("check", "single_choice")
    path = reverse(
        "player:page", kwargs={"course_uuid": pc.course.uuid, "page_uuid": pc.page_id("check")}
    )
    return tenant_url("acme", path), block


def test_at_320_px_the_title_has_focus_and_feedback_arrives_without_reload(
    browser, live_server, tenant_url, request
):
    from playwright.sync_api import expect

    url, block = _check_page(tenant_url)
    page = _signed_in(browser, tenant_url, request)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate("document.activeElement && document.activeElement.id") == "player-title"
    page.evaluate("window.__stayed = true")
    form = page.locator(f'form[data-block-id="{block["id"]}"]')
    form.get_by_label("Option 1").check()
    form.get_by_role("button", name="Check answer").click()
    region = form.locator("[data-feedback]")
    expect(region).to_contain_text("Correct.")
    expect(region).to_contain_text("Well done.")
    assert region.get_attribute("aria-live") == "polite"
    assert page.evaluate("window.__stayed === true")  # no reload: htmx swapped the region
    page.goto(url.rsplit("/", 2)[0] + "/results/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert errors == []


def test_without_javascript_the_plain_form_answers_and_shows_feedback(
    browser, live_server, tenant_url, request
):
    url, block = _check_page(tenant_url)
    page = _signed_in(browser, tenant_url, request, javascript=False)
    page.goto(url)
    form = page.locator(f'form[data-block-id="{block["id"]}"]')
    form.get_by_label("Option 0").check()
    form.get_by_role("button", name="Check answer").click()
    page.wait_for_load_state()
    region = page.locator(f'form[data-block-id="{block["id"]}"] [data-feedback]')
    assert "Not correct." in region.inner_text()
    assert "About 0." in region.inner_text()
