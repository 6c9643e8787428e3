"""WCAG 2.2 AA on the learner's pages, in real Chromium: axe-core (node_modules/axe-core, a
devDependency that `make test` installs with `npm ci`) finds no violation on the catalog, the
course page, My learning, a content page, every question type (unanswered, with feedback and
inside a quiz attempt), the results page and the certificate pages. Beside axe: at 320 px the
player does not scroll sideways, `prefers-reduced-motion: reduce` switches off every transition
and animation, and focus lands on the page's <h1> when a player page opens."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, cast

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from authoring.models import Asset, Page
from tenants.branding import TEXT_ON_BRAND, WCAG_AA_TEXT, contrast_ratio
from tenants.models import Tenant
from tests.conftest import build_world
from tests.courses.player_factories import (
    QUESTION_TYPES,
    PlayerCourse,
    make_block,
    player_course,
    release_new,
)
from tests.factories import PASSWORD, AssetFactory, PageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
BRAND = "#767676"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_RUN = (
    "async (tags) => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});"
    " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
    " nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary)})); }"
)


@pytest.fixture
def axe_path() -> Path:
    if not AXE.exists():
        message = f"{AXE} is missing: run `npm ci` (make assets installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE


def axe_violations(page: Any, axe_path: Path) -> list[str]:
    """axe-core's WCAG 2.x A/AA violations on the page as it is now, one line per rule."""
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_path))
    found = page.evaluate(AXE_RUN, AXE_TAGS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in found
    ]


def assert_accessible(page: Any, axe_path: Path, what: str) -> None:
    violations = axe_violations(page, axe_path)
    assert violations == [], f"axe on {what} ({page.url}):\n" + "\n".join(violations)


def signed_in(
    browser: Any, tenant_url: Any, request: Any, email: str = "learner@acme.test", **options: Any
) -> Any:
    context = browser.new_context(locale="en-GB", **options)
    request.addfinalizer(context.close)
    page = context.new_page()
    page.goto(tenant_url("acme", "/accounts/login/"))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(tenant_url("acme", "/"))
    return page


def _course() -> PlayerCourse:
    acme = build_world("acme")
    with acme.scope():
        # The quiz holds every question type too, so the attempt view is checked for each.
        return player_course(acme, quiz_types=tuple(QUESTION_TYPES))


def _player(tenant_url: Any, pc: PlayerCourse, name: str) -> str:
    path = reverse(
        "player:page", kwargs={"course_uuid": pc.course.uuid, "page_uuid": pc.page_id(name)}
    )
    return tenant_url("acme", path)


def test_axe_finds_no_violation_on_the_learner_pages(
    browser, live_server, tenant_url, request, axe_path
):
    from playwright.sync_api import expect

    pc = _course()
    # The lightest brand colour the tenant settings accept (4.5:1 against white): the
    # header, buttons and links on it still pass axe's colour contrast rule.
    assert contrast_ratio(BRAND, TEXT_ON_BRAND) >= WCAG_AA_TEXT
    Tenant.objects.filter(pk=pc.world.tenant.pk).update(brand_colour=BRAND)
    # axe.min.js goes in as a <script> tag: the app's CSP (nonces only) would block it.
    page = signed_in(browser, tenant_url, request, bypass_csp=True)

    page.goto(tenant_url("acme", "/catalog/"))
    header = "getComputedStyle(document.querySelector('.site-header')).backgroundColor"
    assert page.evaluate(header) == "rgb(118, 118, 118)"
    assert_accessible(page, axe_path, "the catalog")
    page.goto(tenant_url("acme", "/catalog/?q=phone"))
    expect(page.get_by_role("link", name="Phone basics")).to_be_visible()
    assert_accessible(page, axe_path, "catalog search results")
    page.goto(tenant_url("acme", f"/catalog/{pc.course.uuid}/"))
    assert_accessible(page, axe_path, "the course page")
    page.goto(tenant_url("acme", "/my-learning/"))
    assert_accessible(page, axe_path, "My learning")

    page.goto(_player(tenant_url, pc, "intro"))
    assert_accessible(page, axe_path, "a content page")

    # The knowledge check holds every question type: as it opens, then with feedback shown.
    page.goto(_player(tenant_url, pc, "check"))
    for type_name in QUESTION_TYPES:
        expect(
            page.locator(f'form[data-block-id="{pc.block("check", type_name)["id"]}"]')
        ).to_have_count(1)
    assert_accessible(page, axe_path, "every question type")
    form = page.locator(f'form[data-block-id="{pc.block("check", "single_choice")["id"]}"]')
    form.get_by_label("Option 0").check()
    form.get_by_role("button", name="Check answer").click()
    expect(form.locator("[data-feedback]")).to_contain_text("Not correct.")
    assert_accessible(page, axe_path, "a question with its feedback")

    # The quiz: its start panel, then an open attempt with every question type.
    page.goto(_player(tenant_url, pc, "quiz"))
    assert_accessible(page, axe_path, "a quiz before it starts")
    page.get_by_role("button", name="Start quiz").click()
    expect(page.get_by_role("button", name="Submit quiz")).to_be_visible()
    assert_accessible(page, axe_path, "a quiz attempt")
    page.get_by_role("button", name="Submit quiz").click()
    expect(page.locator(".player-quiz__result")).to_be_visible()
    assert_accessible(page, axe_path, "a quiz result")

    page.goto(tenant_url("acme", f"/learn/{pc.course.uuid}/results/"))
    assert_accessible(page, axe_path, "the results page")

    # The checker itself works: an image without a text alternative is reported.
    page.evaluate("document.querySelector('main').append(document.createElement('img'))")
    assert any(v.startswith("image-alt ") for v in axe_violations(page, axe_path))


def test_the_player_fits_320_px_and_moves_focus_to_the_title(
    browser, live_server, tenant_url, request
):
    pc = _course()
    page = signed_in(browser, tenant_url, request, viewport={"width": 320, "height": 640})
    for name in ("intro", "check", "quiz"):
        page.goto(_player(tenant_url, pc, name))
        page.wait_for_load_state("load")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{name}: the page is {width} px wide at a 320 px viewport"
        # Page change: focus is on the page's <h1> (the player's title), not left on <body>.
        focused = page.evaluate(
            "document.activeElement ? document.activeElement.tagName + '#' + document.activeElement.id : ''"
        )
        assert focused == "H1#player-title", f"{name}: focus is on {focused}"
    # Following "Next page" also lands on the new page's title.
    page.goto(_player(tenant_url, pc, "intro"))
    page.get_by_role("link", name="Next page").click()
    page.wait_for_url(_player(tenant_url, pc, "check"))
    page.wait_for_function("document.activeElement && document.activeElement.id === 'player-title'")
    page.goto(tenant_url("acme", f"/learn/{pc.course.uuid}/results/"))
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert page.evaluate("document.activeElement.tagName") == "H1"


MOTION = """() => Array.from(document.querySelectorAll('*')).filter(el => {
  const s = getComputedStyle(el);
  const moving = (value) => value.split(',').some(part => parseFloat(part) > 0);
  return moving(s.transitionDuration) || s.animationName.split(',').some(n => n.trim() !== 'none');
}).map(el => el.tagName + '.' + el.className)"""


def test_reduced_motion_switches_off_transitions_and_animations(
    browser, live_server, tenant_url, request
):
    pc = _course()
    page = signed_in(browser, tenant_url, request, reduced_motion="reduce")
    for name in ("intro", "check", "quiz"):
        page.goto(_player(tenant_url, pc, name))
        page.wait_for_load_state("load")
        assert page.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches")
        assert page.evaluate(MOTION) == [], name


def test_axe_finds_no_violation_on_the_results_and_certificate_pages(
    browser, live_server, tenant_url, request, axe_path
):
    from playwright.sync_api import expect

    from courses.certificates import certificate_issue
    from courses.models import EnrollmentStatus

    pc = _course()
    with pc.world.scope():
        # Completed as the player completes it; the certificate as completion issues it.
        pc.enrollment.status = EnrollmentStatus.COMPLETED
        pc.enrollment.progress_percent = 100
        pc.enrollment.completed_at = timezone.now()
        pc.enrollment.save(update_fields=["status", "progress_percent", "completed_at"])
        certificate = certificate_issue(pc.enrollment)

    page = signed_in(browser, tenant_url, request, bypass_csp=True)
    page.goto(tenant_url("acme", f"/learn/{pc.course.uuid}/results/"))
    expect(page.locator(".player-results__status")).to_contain_text("Completed on")
    expect(page.get_by_role("link", name="Download your certificate (PDF)")).to_be_visible()
    expect(page.get_by_role("heading", name="Rate this course")).to_be_visible()
    assert_accessible(page, axe_path, "the results page of a completed course")
    page.get_by_role("button", name="Save your rating").click()  # no stars chosen: errors
    expect(page.locator(".rating-panel")).to_be_visible()
    assert_accessible(page, axe_path, "the rating form with an error")
    page.goto(tenant_url("acme", f"/catalog/{pc.course.uuid}/"))
    expect(page.get_by_role("heading", name="Rate this course")).to_be_visible()
    assert_accessible(page, axe_path, "the course page of a completed course")
    page.get_by_label("4 stars").check()
    page.get_by_role("button", name="Save your rating").click()
    expect(page.locator("main")).to_contain_text("You rated this course 4 out of 5.")
    assert_accessible(page, axe_path, "a rated course")
    page.goto(tenant_url("acme", "/my-learning/"))
    assert_accessible(page, axe_path, "My learning with a completed course")

    # The public verification pages, signed out: the form, a valid code, an unknown code.
    stranger = browser.new_context(locale="en-GB", bypass_csp=True)
    request.addfinalizer(stranger.close)
    public = stranger.new_page()
    public.goto(tenant_url("acme", "/verify/"))
    assert_accessible(public, axe_path, "the verification form")
    public.goto(tenant_url("acme", f"/verify/{certificate.code}/"))
    expect(public.locator("main")).to_contain_text(certificate.code)
    assert_accessible(public, axe_path, "a valid certificate")
    public.goto(tenant_url("acme", "/verify/ABCD-EFGH-JKLM/"))
    assert_accessible(public, axe_path, "an unknown code")
    public.goto(tenant_url("acme", "/verify/?code=x"))
    assert_accessible(public, axe_path, "the verification form with an error")


def _media_page(pc: PlayerCourse) -> None:
    """A fourth page with a captioned video, an audio with its transcript and an image,
    released as the live release the learner is on."""
    with pc.world.scope():
        video = cast(Asset, AssetFactory(filename="phone.mp4", content_type="video/mp4"))
        captions = cast(Asset, AssetFactory(filename="phone.vtt", content_type="text/vtt"))
        audio = cast(Asset, AssetFactory(filename="call.mp3", content_type="audio/mpeg"))
        image = cast(Asset, AssetFactory(filename="headset.png", content_type="image/png"))
        blocks = [
            make_block(
                "video",
                {
                    "asset": str(video.uuid),
                    "tracks": [{"asset": str(captions.uuid), "language": "en", "label": "English"}],
                    "caption": "The new phone system",
                },
            ),
            make_block(
                "audio",
                {"asset": str(audio.uuid), "transcript": "<p>Good morning, how can I help?</p>"},
            ),
            make_block(
                "image",
                {"asset": str(image.uuid), "alt": "A headset on a desk", "decorative": False},
            ),
        ]
        pc.pages["media"] = cast(
            Page,
            PageFactory(
                section=pc.pages["intro"].section,
                title="Watch and listen",
                kind="content",
                position=3,
                blocks=blocks,
            ),
        )
        release = release_new(pc.course)
        pc.entry.live_release = release
        pc.entry.save(update_fields=["live_release"])
        pc.enrollment.release = release
        pc.enrollment.save(update_fields=["release"])
        pc.release = release


def test_captions_and_transcripts_are_offered_on_a_media_page(
    browser, live_server, tenant_url, request, axe_path
):
    from playwright.sync_api import expect

    pc = _course()
    _media_page(pc)
    page = signed_in(browser, tenant_url, request, bypass_csp=True)
    page.goto(_player(tenant_url, pc, "media"))
    track = page.locator("video track[kind='captions']")
    expect(track).to_have_count(1)
    assert track.get_attribute("srclang") == "en"
    assert track.get_attribute("default") is not None
    expect(page.get_by_text("The new phone system")).to_be_visible()
    transcript = page.locator("details.player-transcript")
    transcript.locator("summary").click()
    expect(transcript).to_contain_text("Good morning, how can I help?")
    expect(page.get_by_role("img", name="A headset on a desk")).to_be_attached()
    assert_accessible(page, axe_path, "a media page")
