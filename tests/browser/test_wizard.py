"""The wizard and the template picker in a real browser (htmx steps, then a real course)."""

from __future__ import annotations

import pytest

from authoring.models import Course
from tests.conftest import build_world
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def author_page(browser, live_server, tenant_url):
    """Signed in as acme's author; the context closes after the test, so pages that keep
    polling (the editor's presence) send nothing to a server that is shutting down."""
    acme = build_world("acme")
    context = browser.new_context(locale="en-GB")
    try:
        page, errors = _sign_in(context, tenant_url, "author@acme.test")
        yield acme, page, errors
    finally:
        context.close()


def _sign_in(context, tenant_url, email):
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(tenant_url("acme", "/accounts/login/"))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(tenant_url("acme", "/"))
    return page, errors


def test_author_walks_the_wizard_with_htmx_and_creates_the_skeleton(author_page, tenant_url):
    acme, page, errors = author_page
    page.goto(tenant_url("acme", "/new-course/wizard/"))
    page.evaluate("window.__marker = 1")  # survives only if no full page load happens

    page.get_by_label("What should people do differently after the course?").fill(
        "Greet every caller by name\nConfirm the problem before solving it"
    )
    page.get_by_role("button", name="Next").click()
    page.get_by_text("Step 2 of 4", exact=True).first.wait_for()
    assert page.locator("[aria-current=step]").inner_text() == "Who it is for"
    page.get_by_label("Who are they?").fill("new call-centre agents")
    page.get_by_label("New to it").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_text("Step 3 of 4", exact=True).first.wait_for()
    page.get_by_label("Every day").check()
    # Back keeps what was typed.
    page.get_by_role("button", name="Back").click()
    page.get_by_text("Step 2 of 4", exact=True).first.wait_for()
    assert page.get_by_label("Who are they?").input_value() == "new call-centre agents"
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Every day").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_text("Step 4 of 4", exact=True).first.wait_for()
    page.get_by_label("They lack the knowledge or the skill").check()
    page.get_by_role("button", name="See the recommendation").click()
    page.get_by_role("heading", name="A full course").wait_for()
    assert page.evaluate("window.__marker") == 1, "the steps reloaded the page"
    assert page.locator("#wizard-status").inner_text() == "Our recommendation"

    page.get_by_role("button", name="Create the skeleton").click()
    page.wait_for_load_state()
    page.get_by_text("was created").wait_for()
    with acme.scope():
        course = Course.objects.get()
    assert course.owner_id == acme.author.pk
    assert [o["text"] for o in course.objectives] == [
        "Greet every caller by name",
        "Confirm the problem before solving it",
    ]
    assert not errors, errors


def test_author_starts_from_a_template_in_the_browser(author_page, tenant_url):
    acme, page, errors = author_page
    page.goto(tenant_url("acme", "/new-course/"))
    card = page.locator("article", has=page.get_by_role("heading", name="How-to / job aid"))
    card.get_by_text("Preview objectives and outline").click()
    assert card.get_by_text("Check the result before handing it over").is_visible()
    card.get_by_label("Title of your course (optional)").fill("Changing a delivery address")
    card.get_by_role("button", name="Use this template").click()
    page.get_by_text("was created").wait_for()
    with acme.scope():
        course = Course.objects.get()
    assert course.title == "Changing a delivery address"
    assert not errors, errors
