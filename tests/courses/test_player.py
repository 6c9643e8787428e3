"""The player's pages (courses.views.player): enrolled learners only, the release's document,
no answers in the page before submission, plain-form and htmx answers, quizzes, resume,
navigation, results, tracking and accessibility hooks."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.urls import reverse

from authoring.blocks import get_block_type
from authoring.models import Page
from courses.models import Answer, Attempt, Enrollment, EnrollmentStatus, PageProgress
from tests.authoring.test_rendering import ANSWERS
from tests.courses.player_factories import (
    QUESTION_TYPES,
    correct_response,
    form_data,
    player_course,
    release_new,
    tracked,
    wrong_response,
)

__all__ = ["tracked"]  # a fixture

pytestmark = pytest.mark.django_db


def url(name: str, pc: Any, page: str | None = None) -> str:
    kwargs: dict[str, Any] = {"course_uuid": pc.course.uuid}
    if page is not None:
        kwargs["page_uuid"] = pc.page_id(page)
    return reverse(f"player:{name}", kwargs=kwargs)


def secrets_of(block: dict[str, Any], public: str) -> list[str]:
    """Everything of a question's data that gives the answer away (and that no question on
    the page shows anyway: a gap's answer "Paris" may well be a matching item)."""
    data = block["data"]
    found = [s for s in ANSWERS[block["type"]] if s != "correct"]
    found += ['"correct"', "correct_answer", "right_id", "Well done.", "Not quite."]
    for option in data.get("options", []):
        if option.get("feedback"):
            found.append(option["feedback"])
    for gap in data.get("gaps", []):
        found += gap["answers"]
    for region in data.get("regions", []):
        found.append(region["id"])
    if block["type"] == "open_question":
        found.append("Thanks for your thoughts.")
    return [s for s in found if s not in public]


def assert_no_answers(body: str, blocks: list[dict[str, Any]]) -> None:
    public = json.dumps(
        [get_block_type(b["type"]).public_data(b["data"]) for b in blocks], ensure_ascii=False
    )
    for block in blocks:
        for secret in secrets_of(block, public):
            assert secret not in body, f"{secret!r} of {block['type']} is in the page"
    for verdict in ("Correct.", "Not correct.", "player-feedback--correct", "--incorrect"):
        assert verdict not in body


# --- who may open it --------------------------------------------------------------------------------


def test_not_enrolled_goes_to_the_catalog_page_of_the_course(acme):
    with acme.scope():
        pc = player_course(acme, learner=acme.reviewer)
    response = acme.client_for(acme.learner).get(url("page", pc, "intro"))
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:course", kwargs={"course_uuid": pc.course.uuid})
    with acme.scope():
        assert not PageProgress.objects.exists()


def test_not_enrolled_with_a_page_of_another_course_is_not_found(acme):
    with acme.scope():
        pc = player_course(acme, learner=acme.reviewer)
        other = player_course(acme, learner=acme.reviewer)
    foreign = reverse(
        "player:page", kwargs={"course_uuid": pc.course.uuid, "page_uuid": other.page_id("intro")}
    )
    assert acme.client_for(acme.learner).get(foreign).status_code == 404


def test_another_tenants_course_is_not_found(acme, globex):
    with acme.scope():
        pc = player_course(acme)
    client = globex.client_for(globex.learner)
    for name, page in (("resume", None), ("page", "intro"), ("results", None)):
        assert client.get(url(name, pc, page)).status_code == 404
    answer = client.post(url("answer", pc, "check"), {"block_id": "x"})
    assert answer.status_code == 404


def test_unknown_course_is_not_found(acme):
    client = acme.client_for(acme.learner)
    missing = reverse(
        "player:resume", kwargs={"course_uuid": "00000000-0000-0000-0000-000000000000"}
    )
    assert client.get(missing).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(acme):
    with acme.scope():
        pc = player_course(acme)
    from django.test import Client

    response = Client(HTTP_HOST=acme.host()).get(url("page", pc, "intro"))
    assert response.status_code == 302
    assert "login" in response["Location"] or "accounts" in response["Location"]


# --- the page -------------------------------------------------------------------------------------


def test_page_renders_the_release_not_the_draft(acme):
    with acme.scope():
        pc = player_course(acme)
        Page.objects.filter(pk=pc.pages["intro"].pk).update(title="Draft title, unreleased")
    body = acme.client_for(acme.learner).get(url("page", pc, "intro")).content.decode()
    assert "Welcome to the phone course." in body
    assert "Draft title, unreleased" not in body


def test_knowledge_check_source_holds_no_answers_for_any_type(acme):
    with acme.scope():
        pc = player_course(acme)
        blocks = [pc.block("check", t) for t in QUESTION_TYPES]
    response = acme.client_for(acme.learner).get(url("page", pc, "check"))
    assert response.status_code == 200
    body = response.content.decode()
    assert_no_answers(body, blocks)
    answer_url = url("answer", pc, "check")
    # every question is a real form that posts to the server, with its block id
    for block in blocks:
        assert f'value="{block["id"]}"' in body
    assert body.count(f'method="post" action="{answer_url}"') == len(blocks)
    assert body.count('type="submit" class="player-button player-question__check"') == len(blocks)
    assert "csrfmiddlewaretoken" in body


def test_quiz_source_holds_no_answers_before_submission(acme):
    with acme.scope():
        pc = player_course(acme)
        blocks = [
            pc.block("quiz", t)
            for t in ("single_choice", "true_false", "multiple_choice", "fill_in_blanks")
        ]
    client = acme.client_for(acme.learner)
    before = client.get(url("page", pc, "quiz")).content.decode()
    assert "Start quiz" in before
    assert "data-question" not in before  # the questions come with an attempt
    assert client.post(url("quiz-start", pc, "quiz")).status_code == 302
    during = client.get(url("page", pc, "quiz")).content.decode()
    assert during.count("data-question ") == 4
    assert_no_answers(during, blocks)
    for block in blocks:  # answered, still not graded: nothing tells
        assert (
            client.post(
                url("answer", pc, "quiz"), form_data(block, wrong_response(block))
            ).status_code
            == 302
        )
    saved = client.get(url("page", pc, "quiz")).content.decode()
    assert_no_answers(saved, blocks)
    assert saved.count("Answer saved.") == 4


@pytest.mark.parametrize("type_name", QUESTION_TYPES)
def test_plain_form_answer_then_the_page_shows_its_feedback(acme, type_name):
    with acme.scope():
        pc = player_course(acme)
        block = pc.block("check", type_name)
    client = acme.client_for(acme.learner)
    response = client.post(url("answer", pc, "check"), form_data(block, correct_response(block)))
    assert response.status_code == 302
    assert response["Location"].endswith(f"#block-{block['id']}")
    body = client.get(url("page", pc, "check")).content.decode()
    region = re.search(
        rf'data-block-id="{block["id"]}".*?<div class="player-question__feedback" data-feedback '
        r'role="status" aria-live="polite">(.*?)</div>\s*</form>',
        body,
        re.DOTALL,
    )
    assert region, "the feedback sits in the question's live region"
    if type_name in ("open_question", "likert"):
        assert "your answer is saved" in region.group(1)
    else:
        assert "Correct." in region.group(1)
        assert "Well done." in region.group(1)
    with acme.scope():
        assert Answer.objects.filter(block_id=block["id"]).count() == 1


def test_htmx_answer_returns_the_feedback_fragment(acme):
    with acme.scope():
        pc = player_course(acme)
        block = pc.block("check", "single_choice")
    client = acme.client_for(acme.learner)
    response = client.post(
        url("answer", pc, "check"), form_data(block, wrong_response(block)), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Not correct." in body
    assert "Not quite." in body
    assert "<html" not in body
    page = client.get(url("page", pc, "check")).content.decode()
    assert f'hx-post="{url("answer", pc, "check")}"' in page
    assert 'hx-target="find [data-feedback]"' in page


def test_tampered_form_gets_a_clear_message_and_changes_nothing(acme):
    with acme.scope():
        pc = player_course(acme)
        block = pc.block("check", "single_choice")
    client = acme.client_for(acme.learner)
    client.get(url("page", pc, "check"))
    with acme.scope():
        progress = list(PageProgress.objects.values_list("page_id", "last_seen_at"))
    tampered = {"block_id": block["id"], block["id"]: "00000000-0000-0000-0000-000000000000"}
    response = client.post(url("answer", pc, "check"), tampered)
    assert response.status_code == 400
    assert "This answer does not fit the question." in response.content.decode()
    as_json = client.post(
        url("answer", pc, "check"), {"block_id": block["id"], "response": '{"x": 1}'}
    )
    assert as_json.status_code == 400
    unknown = client.post(url("answer", pc, "check"), {"block_id": "nope", "nope": "1"})
    assert unknown.status_code == 400
    assert "This question is not on this page." in unknown.content.decode()
    htmx = client.post(url("answer", pc, "check"), tampered, HTTP_HX_REQUEST="true")
    assert "This answer does not fit the question." in htmx.content.decode()
    with acme.scope():
        assert not Answer.objects.exists()
    with acme.scope():
        assert list(PageProgress.objects.values_list("page_id", "last_seen_at")) == progress


def test_get_on_a_post_route_is_refused(acme):
    with acme.scope():
        pc = player_course(acme)
    client = acme.client_for(acme.learner)
    assert client.get(url("answer", pc, "check")).status_code == 405
    assert client.get(url("quiz-submit", pc, "quiz")).status_code == 405


# --- quizzes ---------------------------------------------------------------------------------------


def test_quiz_flow_with_attempt_limit(acme):
    with acme.scope():
        pc = player_course(acme)  # pass 50%, 2 attempts
    client = acme.client_for(acme.learner)
    for number in (1, 2):
        assert client.post(url("quiz-start", pc, "quiz")).status_code == 302
        with acme.scope():
            attempt = Attempt.objects.get(number=number)
        with acme.scope():
            block = pc.block("quiz", "true_false")
        client.post(url("answer", pc, "quiz"), form_data(block, wrong_response(block)))
        assert client.post(url("quiz-submit", pc, "quiz")).status_code == 302
        body = client.get(url("page", pc, "quiz")).content.decode()
        assert "You scored 0%; you need 50% to pass." in body
        assert "Not quite." in body  # feedback after submission
        assert "Not answered." in body  # the questions left open
        with acme.scope():
            attempt.refresh_from_db()
        assert attempt.passed is False
    assert "You have no attempts left at this quiz." in body
    assert "Try again" not in body
    with acme.scope():
        snapshot = list(Attempt.objects.values_list("pk", "score", "passed", "submitted_at"))
    again = client.post(url("quiz-submit", pc, "quiz"))
    assert again.status_code == 409
    assert "You have used all 2 attempts at this quiz." in again.content.decode()
    assert client.post(url("quiz-start", pc, "quiz")).status_code == 409
    with acme.scope():
        assert (
            list(Attempt.objects.values_list("pk", "score", "passed", "submitted_at")) == snapshot
        )


def test_try_again_starts_a_new_attempt_and_passing_completes(acme, tracked):
    with acme.scope():
        pc = player_course(acme, quiz_settings={"attempts": 0})
        blocks = [
            pc.block("quiz", t)
            for t in ("single_choice", "true_false", "multiple_choice", "fill_in_blanks")
        ]
    client = acme.client_for(acme.learner)
    for name in ("intro", "check"):
        client.get(url("page", pc, name))
    client.post(url("quiz-start", pc, "quiz"))
    client.post(url("quiz-submit", pc, "quiz"))
    assert "Try again" in client.get(url("page", pc, "quiz")).content.decode()
    client.post(url("quiz-start", pc, "quiz"))
    with acme.scope():
        assert Attempt.objects.filter(submitted_at__isnull=True).get().number == 2
    for block in blocks:
        client.post(url("answer", pc, "quiz"), form_data(block, correct_response(block)))
    client.post(url("quiz-submit", pc, "quiz"))
    body = client.get(url("page", pc, "quiz")).content.decode()
    assert "You passed with 100%." in body
    assert "You have completed this course." in body
    with acme.scope():
        enrollment = Enrollment.objects.get()
    assert enrollment.status == EnrollmentStatus.COMPLETED
    events = [e for e, _ in tracked]
    assert events[0] == "launched"
    assert {"page_viewed", "answered", "failed", "passed", "completed"} <= set(events)
    assert events.count("completed") == 1


# --- resume, navigation, results ---------------------------------------------------------------------


def test_resume_goes_to_the_last_page_opened_or_the_first(acme):
    with acme.scope():
        pc = player_course(acme)
    client = acme.client_for(acme.learner)
    first = client.get(url("resume", pc))
    assert first["Location"] == url("page", pc, "intro")
    client.get(url("page", pc, "intro"))
    client.get(url("page", pc, "check"))
    assert client.get(url("resume", pc))["Location"] == url("page", pc, "check")
    with acme.scope():
        enrollment = Enrollment.objects.get()
    assert enrollment.last_page_id == pc.page_id("check")
    assert enrollment.status == EnrollmentStatus.IN_PROGRESS
    assert enrollment.started_at is not None
    assert enrollment.progress_percent == 67  # two of three pages; the quiz counts when passed


def test_free_navigation_is_the_default(acme):
    with acme.scope():
        pc = player_course(acme)
    response = acme.client_for(acme.learner).get(url("page", pc, "quiz"))
    assert response.status_code == 200


def test_linear_navigation_locks_pages_until_the_ones_before_are_done(acme):
    with acme.scope():
        pc = player_course(acme, navigation="linear")
    client = acme.client_for(acme.learner)
    locked = client.get(url("page", pc, "check"))
    assert locked.status_code == 302
    assert locked["Location"] == url("resume", pc)
    with acme.scope():
        assert not PageProgress.objects.filter(page_id=pc.page_id("check")).exists()
    body = client.get(url("page", pc, "intro")).content.decode()
    assert "Next page" in body
    assert client.get(url("page", pc, "check")).status_code == 200
    assert client.get(url("page", pc, "quiz")).status_code == 200


def test_results_summarise_pages_quizzes_and_completion(acme):
    with acme.scope():
        pc = player_course(acme)
    client = acme.client_for(acme.learner)
    client.get(url("page", pc, "intro"))
    client.post(url("quiz-start", pc, "quiz"))
    client.post(url("quiz-submit", pc, "quiz"))
    client.get(url("page", pc, "quiz"))
    body = client.get(url("results", pc)).content.decode()
    assert "2 of 3 pages seen." in body
    assert "Final quiz" in body
    assert "Not passed" in body
    assert "0.00 of 8.00" in body
    assert "Not completed yet" in body


def test_removed_bookmarked_page_redirects_with_a_message_and_keeps_progress(acme):
    with acme.scope():
        pc = player_course(acme)
    client = acme.client_for(acme.learner)
    client.get(url("page", pc, "intro"))
    client.get(url("page", pc, "check"))
    with acme.scope():
        Page.objects.filter(pk=pc.pages["check"].pk).delete()
        release = release_new(pc.course)
        pc.entry.live_release = release
        pc.entry.save()
    with acme.scope():
        progress = sorted(PageProgress.objects.values_list("page_id", flat=True))
    response = client.get(url("page", pc, "check"))
    assert response["Location"] == url("resume", pc)
    with acme.scope():
        assert sorted(PageProgress.objects.values_list("page_id", flat=True)) == progress
    body = client.get(response["Location"], follow=True).content.decode()
    assert "That page is no longer part of this course." in body
    with acme.scope():
        enrollment = Enrollment.objects.get()
    assert enrollment.release_id == release.pk
    assert enrollment.progress_percent == 50  # intro seen; the quiz is left


# --- robustness and accessibility ------------------------------------------------------------------------


def test_a_tracking_failure_never_breaks_the_page(acme, monkeypatch, caplog):
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("statement store down")

    monkeypatch.setattr("courses.tracking.track", broken)
    monkeypatch.setattr("courses.player._after_commit", lambda send: send())
    with acme.scope():
        pc = player_course(acme)
    response = acme.client_for(acme.learner).get(url("page", pc, "intro"))
    assert response.status_code == 200
    assert "tracking page_viewed failed" in caplog.text
    with acme.scope():
        assert PageProgress.objects.count() == 1


def test_title_takes_focus_and_feedback_is_announced(acme):
    with acme.scope():
        pc = player_course(acme)
    body = acme.client_for(acme.learner).get(url("page", pc, "check")).content.decode()
    assert '<h1 class="player-page__title" id="player-title" tabindex="-1" autofocus>' in body
    assert body.count('role="status" aria-live="polite"') >= len(QUESTION_TYPES)
    assert "style=" not in body.split("<main", 1)[1]
    assert "<script>" not in body


def test_save_and_exit_keeps_the_place_and_tracks_exited(acme, tracked):
    with acme.scope():
        pc = player_course(acme)
    client = acme.client_for(acme.learner)
    client.get(url("page", pc, "check"))
    response = client.post(url("exit", pc, "check"))
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:my-learning")
    assert ("exited", {"page": pc.page_id("check")}) in tracked
    assert client.get(url("resume", pc))["Location"] == url("page", pc, "check")


def test_launch_link_starts_the_course_once_per_visit(acme, tracked):
    with acme.scope():
        pc = player_course(acme)
    client = acme.client_for(acme.learner)
    client.get(url("resume", pc), follow=True)
    client.get(url("page", pc, "check"))
    events = [e for e, _ in tracked]
    assert events.count("launched") == 1
    assert events.count("page_viewed") == 2
    client.get(url("resume", pc))
    assert [e for e, _ in tracked].count("launched") == 2  # a new visit, a new launch
    with acme.scope():
        assert Enrollment.objects.get().status == EnrollmentStatus.IN_PROGRESS


def test_quiz_page_shows_the_attempts_draw_in_its_order(acme):
    with acme.scope():
        pc = player_course(acme, quiz_settings={"draw_count": 3, "random_order": True})
    client = acme.client_for(acme.learner)
    client.post(url("quiz-start", pc, "quiz"))
    with acme.scope():
        drawn = Attempt.objects.get().block_ids
    body = client.get(url("page", pc, "quiz")).content.decode()
    shown = re.findall(r'<form class="player-question"[^>]*data-block-id="([0-9a-f-]{36})"', body)
    assert shown == drawn
    assert len(shown) == 3
    assert "Good luck." in body  # the page's own text stays
    assert client.get(url("page", pc, "quiz")).content.decode().count("data-question ") == 3
