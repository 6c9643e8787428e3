"""Issue 5's learner story, against the real server in Chromium.

learner@acme.test finds a published course in the catalog, enrols, goes half-way and leaves
with "Save and exit", comes back through My learning's "Continue" to the same page, answers a
knowledge check wrong and then right, fails the quiz once and passes it on the second attempt,
sees the results, downloads the certificate (a PDF) and its code verifies on the public
verification page, signed out.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from courses.models import Certificate, Enrollment, EnrollmentStatus
from tests.conftest import build_world
from tests.courses.player_factories import PlayerCourse, player_course
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Phone basics"


def _signed_in(browser: Any, tenant_url: Any, request: Any) -> Any:
    context = browser.new_context(locale="en-GB", accept_downloads=True)
    request.addfinalizer(context.close)
    page = context.new_page()
    page.goto(tenant_url("acme", "/accounts/login/"))
    page.get_by_label("E-mail address").fill("learner@acme.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(tenant_url("acme", "/"))
    return page


def _published_course() -> tuple[Any, PlayerCourse]:
    """Welcome (content) → Check yourself (knowledge check) → Final quiz (one question, 100%
    to pass, two attempts), live in the catalog; only the admin is enrolled, not the learner."""
    acme = build_world("acme")
    with acme.scope():
        pc = player_course(
            acme,
            learner=acme.admin,
            quiz_types=("single_choice",),
            quiz_settings={"passing_score": 100, "attempts": 2},
        )
        pc.entry.search_text = f"{TITLE} Basics Welcome phone course"
        pc.entry.save(update_fields=["search_text"])
    return acme, pc


def _page_url(tenant_url: Any, pc: PlayerCourse, name: str) -> str:
    path = reverse(
        "player:page", kwargs={"course_uuid": pc.course.uuid, "page_uuid": pc.page_id(name)}
    )
    return tenant_url("acme", path)


def _on_page(page: Any, title: str) -> None:
    """A player page has loaded: its title is the <h1>, and focus is on it."""
    from playwright.sync_api import expect

    heading = page.locator("h1#player-title")
    expect(heading).to_have_text(title)
    expect(heading).to_be_focused()


def _learner_goes_half_way_and_comes_back(page: Any, tenant_url: Any, pc: PlayerCourse) -> None:
    from playwright.sync_api import expect

    # Finds the course in the catalog by searching.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Catalog").click()
    page.wait_for_url(tenant_url("acme", "/catalog/"))
    page.get_by_label("Search", exact=True).fill("phone")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/catalog/\?.*q=phone"))
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_url(tenant_url("acme", f"/catalog/{pc.course.uuid}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)

    # Enrols, which opens the player on the first page.
    page.get_by_role("button", name="Enrol").click()
    page.wait_for_url(_page_url(tenant_url, pc, "intro"))
    _on_page(page, "Welcome")
    expect(page.locator(".messages")).to_contain_text("You are enrolled.")
    expect(page.get_by_text("Welcome to the phone course.")).to_be_visible()

    # Half-way: the second of three pages, then "Save and exit" → My learning.
    page.get_by_role("link", name="Next page").click()
    page.wait_for_url(_page_url(tenant_url, pc, "check"))
    _on_page(page, "Check yourself")
    page.get_by_role("button", name="Save and exit").click()
    page.wait_for_url(tenant_url("acme", "/my-learning/"))

    # Comes back through My learning's "Continue": the same page.
    in_progress = page.locator("section[aria-labelledby='in_progress']")
    expect(in_progress.get_by_role("link", name=TITLE, exact=True)).to_be_visible()
    in_progress.get_by_role("link", name=f"Continue {TITLE}").click()
    page.wait_for_url(_page_url(tenant_url, pc, "check"))
    _on_page(page, "Check yourself")


def _learner_answers_and_passes(page: Any, tenant_url: Any, pc: PlayerCourse) -> None:
    from playwright.sync_api import expect

    # The knowledge check: wrong, then right; the feedback arrives in the live region.
    check = page.locator(f'form[data-block-id="{pc.block("check", "single_choice")["id"]}"]')
    feedback = check.locator("[data-feedback]")
    assert feedback.get_attribute("aria-live") == "polite"
    check.get_by_label("Option 0").check()
    check.get_by_role("button", name="Check answer").click()
    expect(feedback).to_contain_text("Not correct.")
    check.get_by_label("Option 1").check()
    check.get_by_role("button", name="Check answer").click()
    expect(feedback).to_contain_text("Correct.")
    expect(feedback).not_to_contain_text("Not correct.")

    # The quiz: the first attempt wrong (fails), the second right (passes).
    page.get_by_role("link", name="Next page").click()
    page.wait_for_url(_page_url(tenant_url, pc, "quiz"))
    _on_page(page, "Final quiz")
    question = pc.block("quiz", "single_choice")["id"]
    quiz = page.locator("#quiz")
    for option, verdict in (("Option 0", "you need 100% to pass"), ("Option 1", "You passed")):
        page.get_by_role("button", name=re.compile("^(Start quiz|Try again)$")).click()
        form = page.locator(f'form[data-block-id="{question}"]')
        form.get_by_label(option).check()
        form.get_by_role("button", name="Save answer").click()
        expect(form.locator("[data-feedback]")).to_contain_text("Answer saved.")
        page.get_by_role("button", name="Submit quiz").click()
        expect(quiz).to_contain_text(verdict)
    expect(page.locator(f'form[data-block-id="{question}"] [data-feedback]')).to_contain_text(
        "Correct."
    )

    # Results: completed, the quiz passed on the second attempt.
    page.get_by_role("link", name="See your results").first.click()
    page.wait_for_url(tenant_url("acme", f"/learn/{pc.course.uuid}/results/"))
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    expect(page.locator(".player-results__status")).to_contain_text("Completed on")
    row = page.get_by_role("row", name=re.compile("Final quiz"))
    expect(row).to_contain_text("Passed")
    expect(row.locator("td").first).to_have_text("2")


def test_learner_finds_leaves_comes_back_and_passes(browser, live_server, tenant_url, request):
    acme, pc = _published_course()
    page = _signed_in(browser, tenant_url, request)
    _learner_goes_half_way_and_comes_back(page, tenant_url, pc)
    _learner_answers_and_passes(page, tenant_url, pc)
    with acme.scope():
        enrollment = Enrollment.objects.get(course=pc.course, learner=acme.learner)
        assert enrollment.status == EnrollmentStatus.COMPLETED
        assert enrollment.progress_percent == 100


def test_the_certificate_downloads_and_its_code_verifies(browser, live_server, tenant_url, request):
    from playwright.sync_api import expect

    acme, pc = _published_course()
    page = _signed_in(browser, tenant_url, request)
    _learner_goes_half_way_and_comes_back(page, tenant_url, pc)
    _learner_answers_and_passes(page, tenant_url, pc)

    # The results page offers the certificate; it downloads as a PDF.
    link = page.get_by_role("link", name=re.compile("certificate", re.IGNORECASE)).first
    expect(link).to_be_visible()
    href = link.get_attribute("href") or ""
    assert re.search(r"/certificates/[0-9a-f-]{36}/download/$", href), href
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert download.suggested_filename.endswith(".pdf")

    with acme.scope():
        certificate = Certificate.objects.get(enrollment__learner=acme.learner)
    assert certificate.course_title == TITLE
    expect(page.locator("main")).to_contain_text(certificate.code)

    # Anyone, signed out, verifies the code on the tenant's public page.
    stranger = page.context.browser.new_context(locale="en-GB")
    request.addfinalizer(stranger.close)
    public = stranger.new_page()
    public.goto(tenant_url("acme", f"/verify/{certificate.code}/"))
    main = public.locator("main")
    expect(main).to_contain_text("Valid")
    expect(main).to_contain_text(TITLE)
    public.goto(tenant_url("acme", "/verify/ABCD-EFGH-JKLM/"))
    expect(public.locator("main")).not_to_contain_text("Valid")
