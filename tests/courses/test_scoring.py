"""Answers scored on the server (courses.scoring): every question type, its edge cases,
tampered payloads, quiz attempts and their limits, random order and pools."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.http import QueryDict

from authoring.blocks import QuestionType, get_block_type
from courses import scoring
from courses.models import Answer, Attempt, EnrollmentStatus
from egl_platform.errors import Conflict, Invalid, NotFound
from tests.courses.player_factories import (
    QUESTION_TYPES,
    correct_response,
    form_data,
    player_course,
    tracked,
    wrong_response,
)

__all__ = ["tracked"]  # a fixture

pytestmark = pytest.mark.django_db

SCORED = [t for t in QUESTION_TYPES if t not in ("open_question", "likert")]


def submit(pc: Any, page: str, block: dict[str, Any], response: Any) -> scoring.AnswerResult:
    return scoring.answer_submit(
        actor=pc.enrollment.learner,
        enrollment=pc.enrollment,
        page_id=pc.page_id(page),
        block_id=block["id"],
        response=response,
    )


# --- every type, right and wrong ------------------------------------------------------------------


@pytest.mark.parametrize("type_name", SCORED)
def test_every_scored_type_right_earns_all_points_with_the_correct_feedback(acme, type_name):
    with acme.scope():
        pc = player_course(acme)
        block = pc.block("check", type_name)
        result = submit(pc, "check", block, correct_response(block))
        assert result.correct is True
        assert result.answer.score == Decimal("2.00") == result.answer.max_score
        assert "<p>Well done.</p>" in result.feedback
        assert result.graded_later is False


@pytest.mark.parametrize("type_name", SCORED)
def test_every_scored_type_wrong_earns_nothing_with_the_incorrect_feedback(acme, type_name):
    with acme.scope():
        pc = player_course(acme)
        block = pc.block("check", type_name)
        result = submit(pc, "check", block, wrong_response(block))
        assert result.correct is False
        assert result.answer.score == 0
        assert "<p>Not quite.</p>" in result.feedback


@pytest.mark.parametrize("type_name", ["open_question", "likert"])
def test_unscored_types_store_the_answer_without_a_verdict(acme, type_name):
    with acme.scope():
        pc = player_course(acme)
        block = pc.block("check", type_name)
        result = submit(pc, "check", block, correct_response(block))
        assert result.correct is None
        assert result.answer.score == 0 == result.answer.max_score
        if type_name == "open_question":
            # general feedback and the sample answer, only now that it was answered
            assert result.feedback == [
                "<p>Thanks for your thoughts.</p>",
                "<p>I understand; let me help.</p>",
            ]


def test_option_feedback_follows_the_chosen_option(acme):
    with acme.scope():
        pc = player_course(acme)
        block = pc.block("check", "single_choice")
        wrong = block["data"]["options"][0]
        assert not wrong["correct"]
        result = submit(pc, "check", block, wrong["id"])
        assert result.feedback == ["<p>Not quite.</p>", "<p>About 0.</p>"]


def test_multiple_choice_partial_credit_and_wrong_picks(acme):
    with acme.scope():
        pc = player_course(acme)
        block = pc.block("check", "multiple_choice")
        right = [o["id"] for o in block["data"]["options"] if o["correct"]]
        wrong = [o["id"] for o in block["data"]["options"] if not o["correct"]]
        # no partial credit (the default): one of two right is nothing
        assert submit(pc, "check", block, right[:1]).answer.score == 0
        # every option ticked is not "correct"
        assert submit(pc, "check", block, right + wrong).correct is False
        block["data"]["partial_credit"] = True
        bt = get_block_type("multiple_choice")
        assert isinstance(bt, QuestionType)
        assert bt.score(block["data"], right[:1]).points_awarded == 1.0
        assert bt.score(block["data"], right[:1] + wrong[:1]).points_awarded == 0


def test_fill_in_blanks_case_and_spaces(acme):
    with acme.scope():
        pc = player_course(acme)
        block = pc.block("check", "fill_in_blanks")
        paris, madrid = block["data"]["gaps"]
        assert submit(
            pc, "check", block, {paris["id"]: "  PARIS ", madrid["id"]: "Madrid city"}
        ).correct
        # the second gap is case sensitive
        assert not submit(
            pc, "check", block, {paris["id"]: "Paris", madrid["id"]: "madrid"}
        ).correct
        # a gap left out counts as wrong
        assert not submit(pc, "check", block, {paris["id"]: "Paris"}).correct


def test_ordering_and_matching_partial_answers_are_wrong(acme):
    with acme.scope():
        pc = player_course(acme)
        ordering = pc.block("check", "ordering")
        ids = [i["id"] for i in ordering["data"]["items"]]
        swapped = [ids[1], ids[0], *ids[2:]]
        assert submit(pc, "check", ordering, swapped).correct is False
        matching = pc.block("check", "matching")
        first = matching["data"]["pairs"][0]
        assert submit(pc, "check", matching, {first["id"]: first["right_id"]}).correct is False


def test_hotspot_outside_every_region_is_wrong_without_region_feedback(acme):
    with acme.scope():
        pc = player_course(acme)
        block = pc.block("check", "hotspot")
        result = submit(pc, "check", block, {"x": 0.01, "y": 0.99})
        assert result.correct is False
        assert result.feedback == ["<p>Not quite.</p>"]


# --- tampered payloads ------------------------------------------------------------------------------

TAMPERED: dict[str, list[Any]] = {
    "single_choice": ["00000000-0000-0000-0000-000000000000", ["x"], None, 1],
    "multiple_choice": ["not-a-list", ["00000000-0000-0000-0000-000000000000"]],
    "true_false": ["yes", 1, None],
    "fill_in_blanks": [{"not-a-gap": "Paris"}, ["Paris"], {"x": 1}],
    "matching": [{"bogus": "x"}, "France"],
    "ordering": [["a", "b"], []],
    "hotspot": [{"x": 2, "y": 0.5}, {"x": 0.5}, {"x": float("nan"), "y": 0.5}, "0.5,0.5"],
    "open_question": [["a list"], "x" * 501],
    "likert": [{"bogus": "x"}, "agree"],
}


@pytest.mark.parametrize("type_name", QUESTION_TYPES)
def test_tampered_payloads_are_refused_and_store_nothing(acme, type_name, tracked):
    assert set(TAMPERED) == set(QUESTION_TYPES)
    with acme.scope():
        pc = player_course(acme)
        block = pc.block("check", type_name)
        for payload in TAMPERED[type_name]:
            with pytest.raises(Invalid) as refused:
                submit(pc, "check", block, payload)
            assert str(refused.value.message) == "This answer does not fit the question."
        assert not Answer.objects.exists()
        assert not [c for c in tracked if c[0] == "answered"]


def test_a_question_from_another_page_or_unknown_is_refused(acme):
    with acme.scope():
        pc = player_course(acme)
        other = pc.block("check", "single_choice")
        with pytest.raises(Invalid, match="not on this page"):
            submit(pc, "intro", other, correct_response(other))
        with pytest.raises(NotFound):
            scoring.answer_submit(
                actor=pc.enrollment.learner,
                enrollment=pc.enrollment,
                page_id="00000000-0000-0000-0000-000000000000",
                block_id=other["id"],
                response="x",
            )
        assert not Answer.objects.exists()


def test_someone_elses_enrollment_is_not_found(acme):
    with acme.scope():
        pc = player_course(acme)
        block = pc.block("check", "single_choice")
        with pytest.raises(NotFound):
            scoring.answer_submit(
                actor=acme.author,
                enrollment=pc.enrollment,
                page_id=pc.page_id("check"),
                block_id=block["id"],
                response=correct_response(block),
            )


# --- the form's own fields -----------------------------------------------------------------------


def _post(data: dict[str, Any]) -> QueryDict:
    q = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            q.setlist(key, value)
        else:
            q[key] = value
    return q


@pytest.mark.parametrize("type_name", QUESTION_TYPES)
def test_form_posts_become_the_response_of_every_type(acme, type_name):
    with acme.scope():
        pc = player_course(acme)
        block = pc.block("check", type_name)
        response = correct_response(block)
        assert scoring.form_response(block, _post(form_data(block, response))) == response


def test_form_posts_without_an_answer_say_so(acme):
    with acme.scope():
        pc = player_course(acme)
        for type_name in QUESTION_TYPES:
            block = pc.block("check", type_name)
            with pytest.raises(Invalid):
                scoring.form_response(block, _post({"block_id": block["id"]}))
        ordering = pc.block("check", "ordering")
        ids = [i["id"] for i in ordering["data"]["items"]]
        same = {"block_id": ordering["id"], **dict.fromkeys(ids, "1")}
        with pytest.raises(Invalid, match="different position"):
            scoring.form_response(ordering, _post(same))
        bad_json = {"block_id": ordering["id"], "response": "{not json"}
        with pytest.raises(Invalid, match="does not fit"):
            scoring.form_response(ordering, _post(bad_json))


# --- quizzes -----------------------------------------------------------------------------------------


def _answer_quiz(pc: Any, attempt: Attempt, *, right: bool) -> None:
    for block_id in attempt.block_ids:
        block = next(
            b
            for s in attempt.release.document["sections"]
            for p in s["pages"]
            for b in p["blocks"]
            if b["id"] == block_id
        )
        response = correct_response(block) if right else wrong_response(block)
        result = submit(pc, "quiz", block, response)
        assert result.graded_later
        assert result.feedback == []


def _start(pc: Any) -> Attempt:
    return scoring.attempt_start(
        actor=pc.enrollment.learner, enrollment=pc.enrollment, page_id=pc.page_id("quiz")
    )


def _submit_quiz(pc: Any) -> Attempt:
    return scoring.quiz_submit(
        actor=pc.enrollment.learner, enrollment=pc.enrollment, page_id=pc.page_id("quiz")
    )


def test_quiz_answers_wait_for_submission_then_pass(acme, tracked):
    with acme.scope():
        pc = player_course(acme)
        attempt = _start(pc)
        assert attempt.number == 1
        assert len(attempt.block_ids) == 4
        _answer_quiz(pc, attempt, right=True)
        done = _submit_quiz(pc)
        assert done.passed is True
        assert done.score == Decimal("8.00") == done.max_score
        assert ("passed", {"attempt": done}) in [(e, d) for e, d in tracked if e == "passed"]
        # passed: no further attempt
        with pytest.raises(Conflict, match="passed this quiz already"):
            _start(pc)


def test_quiz_answer_replaces_the_earlier_one_in_the_attempt(acme):
    with acme.scope():
        pc = player_course(acme)
        attempt = _start(pc)
        block = pc.block("quiz", "true_false")
        submit(pc, "quiz", block, wrong_response(block))
        submit(pc, "quiz", block, correct_response(block))
        assert Answer.objects.filter(attempt=attempt, block_id=block["id"]).count() == 1
        done = _submit_quiz(pc)
        assert done.score == Decimal("2.00")
        assert done.max_score == Decimal("8.00")
        assert done.passed is False  # 25% < 50%


def test_quiz_passing_score_is_inclusive(acme):
    with acme.scope():
        pc = player_course(acme)
        _start(pc)
        for type_name in ("single_choice", "true_false"):
            block = pc.block("quiz", type_name)
            submit(pc, "quiz", block, correct_response(block))
        done = _submit_quiz(pc)
        assert done.score is not None
        assert done.score * 2 == done.max_score
        assert done.passed is True  # exactly 50%


def test_attempt_limit_refuses_a_third_attempt_and_a_second_submission(acme):
    with acme.scope():
        pc = player_course(acme)  # attempts: 2
        for number in (1, 2):
            attempt = _start(pc)
            assert attempt.number == number
            _answer_quiz(pc, attempt, right=False)
            assert _submit_quiz(pc).passed is False
        before = list(Attempt.objects.values_list("pk", "score", "passed", "submitted_at"))
        answers = Answer.objects.count()
        with pytest.raises(Conflict, match="used all 2 attempts"):
            _submit_quiz(pc)
        with pytest.raises(Conflict, match="used all 2 attempts"):
            _start(pc)
        block = pc.block("quiz", "true_false")
        with pytest.raises(Conflict, match="used all 2 attempts"):
            submit(pc, "quiz", block, correct_response(block))
        assert list(Attempt.objects.values_list("pk", "score", "passed", "submitted_at")) == before
        assert Answer.objects.count() == answers


def test_submitting_twice_without_a_new_attempt_is_a_conflict(acme):
    with acme.scope():
        pc = player_course(acme, quiz_settings={"attempts": 0})
        _start(pc)
        _submit_quiz(pc)
        with pytest.raises(Conflict, match="start the quiz first"):
            _submit_quiz(pc)
        assert Attempt.objects.count() == 1


def test_answering_a_quiz_before_starting_is_a_conflict(acme):
    with acme.scope():
        pc = player_course(acme)
        block = pc.block("quiz", "true_false")
        with pytest.raises(Conflict, match="Start the quiz"):
            submit(pc, "quiz", block, correct_response(block))
        assert not Answer.objects.exists()


def test_starting_twice_returns_the_open_attempt(acme):
    with acme.scope():
        pc = player_course(acme)
        assert _start(pc).pk == _start(pc).pk


def test_pool_draws_once_per_attempt_and_a_new_attempt_draws_again(acme):
    with acme.scope():
        pc = player_course(
            acme,
            quiz_settings={"draw_count": 2, "random_order": True, "attempts": 0},
            quiz_types=("single_choice", "true_false", "multiple_choice", "fill_in_blanks"),
        )
        first = _start(pc)
        assert len(first.block_ids) == 2
        all_ids = {b["id"] for b in pc.release.document["sections"][0]["pages"][2]["blocks"]}
        assert set(first.block_ids) <= all_ids
        # stored: the same attempt shows the same draw
        assert Attempt.objects.get(pk=first.pk).block_ids == first.block_ids
        # a question not drawn cannot be answered in this attempt
        not_drawn = next(
            pc.block("quiz", t)
            for t in ("single_choice", "true_false", "multiple_choice", "fill_in_blanks")
            if pc.block("quiz", t)["id"] not in first.block_ids
        )
        with pytest.raises(Invalid, match="not part of your attempt"):
            submit(pc, "quiz", not_drawn, correct_response(not_drawn))
        draws = {tuple(first.block_ids)}
        _submit_quiz(pc)
        for _ in range(6):
            attempt = _start(pc)
            draws.add(tuple(attempt.block_ids))
            _submit_quiz(pc)
        assert len(draws) > 1  # a new attempt draws again (12 orders of 2 from 4)


def test_draw_is_deterministic_for_a_seed():
    page: dict[str, Any] = {
        "id": "p",
        "kind": "quiz",
        "settings": {"passing_score": 50, "attempts": 0, "random_order": True, "draw_count": 3},
        "blocks": [
            {"id": f"b{i}", "type": "true_false", "version": 1, "data": {}} for i in range(6)
        ],
    }
    assert scoring.draw_block_ids(page, "seed") == scoring.draw_block_ids(page, "seed")
    assert len(set(scoring.draw_block_ids(page, "seed"))) == 3
    ordered = {**page, "settings": {**page["settings"], "random_order": False, "draw_count": None}}
    assert scoring.draw_block_ids(ordered, "x") == [f"b{i}" for i in range(6)]


def test_passing_the_quiz_after_seeing_every_page_completes_the_enrollment(acme, tracked):
    from courses.player import page_view

    with acme.scope():
        pc = player_course(acme)
        for name in ("intro", "check", "quiz"):
            page_view(
                actor=pc.enrollment.learner, enrollment=pc.enrollment, page_id=pc.page_id(name)
            )
        assert pc.refresh().status == EnrollmentStatus.IN_PROGRESS
        attempt = _start(pc)
        _answer_quiz(pc, attempt, right=True)
        _submit_quiz(pc)
        enrollment = pc.refresh()
        assert enrollment.status == EnrollmentStatus.COMPLETED
        assert enrollment.completed_at is not None
        assert enrollment.progress_percent == 100
        assert [e for e, _ in tracked].count("completed") == 1
