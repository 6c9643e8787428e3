"""Answers, attempts and quiz results, scored on the server (DESIGN.md §8).

    response = form_response(block, request.POST)        # plain HTML form → response
    result = answer_submit(actor=m, enrollment=e, page_id=p, block_id=b, response=response)
    attempt = attempt_start(actor=m, enrollment=e, page_id=quiz_id)
    attempt = quiz_submit(actor=m, enrollment=e, page_id=quiz_id)

The learner's response is never trusted: it must fit the question (`check_response` of the
block type) or nothing is stored (Invalid, with a clear message). Scoring is the block
registry's (`score`, `feedback_for`); the feedback texts leave the server only after the
answer was stored.

- Content pages and knowledge checks: every answer is scored at once and its feedback
  returned; unlimited tries; not graded and not part of completion.
- Quizzes: answers go into the open Attempt (replacing an earlier answer to the same
  question) without feedback; `quiz_submit` grades the attempt against the passing score.
  Each attempt draws its questions once (pool size `draw_count`, `random_order`) with an
  RNG seeded by the attempt's uuid and stores them in `Attempt.block_ids`. An attempt
  beyond the page's limit, or a second submission, is a Conflict (409) and changes nothing.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from authoring.blocks import InvalidResponse, QuestionType, UnknownBlockType, get_block_type
from authoring.blocks.pages import PageKind
from courses.models import Answer, Attempt, Enrollment
from courses.player import (
    document_page,
    emit,
    progress_refresh,
    question_blocks,
)
from egl_platform.errors import Conflict, Invalid, NotFound
from tenants.models import Membership

__all__ = [
    "AnswerResult",
    "QuestionResult",
    "answer_submit",
    "attempt_open",
    "attempt_review",
    "attempt_start",
    "attempts_left",
    "draw_block_ids",
    "form_response",
    "quiz_settings",
    "quiz_submit",
]

TWO_PLACES = Decimal("0.01")


@dataclass
class AnswerResult:
    answer: Answer
    correct: bool | None
    feedback: list[str]  # sanitised HTML from the author; empty for quiz answers
    graded_later: bool  # a quiz answer: feedback comes with the attempt's result


@dataclass
class QuestionResult:
    block: dict[str, Any]
    answer: Answer | None
    feedback: list[str]


def _dec(value: float | int) -> Decimal:
    return Decimal(str(value)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _question_type(block: Mapping[str, Any]) -> QuestionType:
    try:
        block_type = get_block_type(str(block.get("type")))
    except UnknownBlockType:
        raise Invalid(_("This is not a question.")) from None
    if not isinstance(block_type, QuestionType):
        raise Invalid(_("This is not a question."))
    return block_type


# --- the plain HTML form ---------------------------------------------------------------------


def _ids(items: Any) -> list[str]:
    return [str(i["id"]) for i in items or [] if isinstance(i, Mapping) and "id" in i]


def form_response(block: Mapping[str, Any], post: Any) -> Any:
    """The response in a question's form post (the player's templates name the inputs).

    A `response` field holding JSON (script, packages) wins over the form fields. Only the
    names the question uses are read; whether the values fit is `check_response`'s to say.
    """
    raw_json = post.get("response")
    if raw_json:
        try:
            return json.loads(raw_json)
        except (TypeError, ValueError):
            raise InvalidResponse(_("This answer does not fit the question.")) from None
    data = block.get("data") or {}
    block_id = str(block.get("id"))
    type_name = block.get("type")
    empty = Invalid(_("Answer the question before checking it."))
    if type_name in ("single_choice", "open_question"):
        value = post.get(block_id)
        if value is None or (type_name == "single_choice" and value == ""):
            raise empty
        if type_name == "open_question" and not value.strip():
            raise empty
        return value
    if type_name == "multiple_choice":
        values = post.getlist(block_id)
        if not values:
            raise empty
        return values
    if type_name == "true_false":
        value = post.get(block_id)
        if value is None:
            raise empty
        return {"true": True, "false": False}.get(value, value)
    if type_name in ("fill_in_blanks", "matching", "likert"):
        keys = {
            "fill_in_blanks": _ids(data.get("gaps")),
            "matching": _ids(data.get("pairs")),
            "likert": _ids(data.get("statements")),
        }[type_name]
        response = {k: post.get(k) for k in keys if post.get(k) not in (None, "")}
        if not response:
            raise empty
        return response
    if type_name == "ordering":
        items = _ids(data.get("items"))
        positions: dict[str, int] = {}
        for item_id in items:
            try:
                positions[item_id] = int(post.get(item_id, ""))
            except ValueError:
                raise Invalid(_("Give every item a position.")) from None
        if sorted(positions.values()) != list(range(1, len(items) + 1)):
            raise Invalid(
                _("Give each item a different position, from 1 to %(n)d.") % {"n": len(items)}
            )
        return sorted(items, key=lambda i: positions[i])
    if type_name == "hotspot":
        try:
            x, y = float(post.get("x", "")), float(post.get("y", ""))
        except ValueError:
            raise Invalid(_("Choose a point on the image first.")) from None
        if not (math.isfinite(x) and math.isfinite(y)):
            raise InvalidResponse(_("This answer does not fit the question."))
        return {"x": x, "y": y}
    raise Invalid(_("This is not a question."))


# --- quizzes -----------------------------------------------------------------------------------


def quiz_settings(page: Mapping[str, Any]) -> dict[str, Any]:
    settings = page.get("settings") or {}
    draw = settings.get("draw_count")
    return {
        "passing_score": int(settings.get("passing_score", 80) or 0),
        "attempts": int(settings.get("attempts") or 0),
        "random_order": bool(settings.get("random_order")),
        "draw_count": draw if isinstance(draw, int) and draw > 0 else None,
    }


def draw_block_ids(page: Mapping[str, Any], seed: str) -> list[str]:
    """The questions of one attempt, in order: a pool draw and/or a shuffle, seeded."""
    ids = [str(b["id"]) for b in question_blocks(page)]
    settings = quiz_settings(page)
    rng = random.Random(seed)  # noqa: S311  (fairness, not secrecy: the seed is stored)
    count = settings["draw_count"]
    if count is not None and count < len(ids):
        chosen = set(rng.sample(ids, count))
        ids = [i for i in ids if i in chosen]
    if settings["random_order"]:
        rng.shuffle(ids)
    return ids


def _submitted_count(enrollment: Enrollment, page_id: str) -> int:
    return Attempt.objects.filter(
        enrollment=enrollment, page_id=page_id, submitted_at__isnull=False
    ).count()


def attempts_left(enrollment: Enrollment, page: Mapping[str, Any]) -> int | None:
    """Attempts the learner may still start or submit; None for unlimited."""
    limit = quiz_settings(page)["attempts"]
    if not limit:
        return None
    return max(0, limit - _submitted_count(enrollment, str(page["id"])))


def attempt_open(enrollment: Enrollment, page_id: str) -> Attempt | None:
    return (
        Attempt.objects.select_related("release")
        .filter(enrollment=enrollment, page_id=page_id, submitted_at__isnull=True)
        .order_by("-number")
        .first()
    )


def _locked(enrollment: Enrollment, actor: Membership) -> Enrollment:
    if enrollment.learner_id != actor.pk:
        raise NotFound(_("There is no such course."))
    return (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("release")
        .get(pk=enrollment.pk)
    )


def _quiz_page(enrollment: Enrollment, page_id: str) -> dict[str, Any]:
    page = document_page(enrollment.release.document, page_id)
    if page is None:
        raise NotFound(_("This page is not part of the course."))
    if page.get("kind") != PageKind.QUIZ:
        raise Invalid(_("This page is not a quiz."))
    return page


def _refuse_new_attempt(enrollment: Enrollment, page: Mapping[str, Any]) -> None:
    page_id = str(page["id"])
    if Attempt.objects.filter(enrollment=enrollment, page_id=page_id, passed=True).exists():
        raise Conflict(_("You have passed this quiz already."))
    if attempts_left(enrollment, page) == 0:
        raise Conflict(
            _("You have used all %(n)d attempts at this quiz.")
            % {"n": quiz_settings(page)["attempts"]}
        )


@transaction.atomic
def attempt_start(*, actor: Membership, enrollment: Enrollment, page_id: str) -> Attempt:
    """Start an attempt at a quiz (or return the open one): its questions drawn now."""
    enrollment = _locked(enrollment, actor)
    page = _quiz_page(enrollment, page_id)
    current = attempt_open(enrollment, str(page["id"]))
    if current is not None:
        return current
    _refuse_new_attempt(enrollment, page)
    last = Attempt.objects.filter(enrollment=enrollment, page_id=page["id"]).order_by("-number")
    number = (last.values_list("number", flat=True).first() or 0) + 1
    attempt = Attempt(enrollment=enrollment, release=enrollment.release, page_id=page["id"])
    attempt.number = number
    attempt.block_ids = draw_block_ids(page, str(attempt.uuid))
    attempt.save()
    return attempt


def _attempt_page(attempt: Attempt) -> dict[str, Any]:
    """The quiz page as the attempt's own release has it (a newer release may differ)."""
    page = document_page(attempt.release.document, attempt.page_id)
    if page is None:
        raise NotFound(_("This page is not part of the course."))
    return page


@transaction.atomic
def answer_submit(
    *, actor: Membership, enrollment: Enrollment, page_id: str, block_id: str, response: Any
) -> AnswerResult:
    """Store and score one answer. Quiz answers join the open attempt, feedback withheld."""
    enrollment = _locked(enrollment, actor)
    page = document_page(enrollment.release.document, page_id)
    if page is None:
        raise NotFound(_("This page is not part of the course."))
    attempt: Attempt | None = None
    if page.get("kind") == PageKind.QUIZ:
        attempt = attempt_open(enrollment, str(page["id"]))
        if attempt is None:
            _refuse_new_attempt(enrollment, page)
            raise Conflict(_("Start the quiz before you answer its questions."))
        if str(block_id) not in attempt.block_ids:
            raise Invalid(_("This question is not part of your attempt."))
        page = _attempt_page(attempt)
    block = next((b for b in question_blocks(page) if str(b["id"]) == str(block_id)), None)
    if block is None:
        raise Invalid(_("This question is not on this page."))
    block_type = _question_type(block)
    data = block.get("data") or {}
    score = block_type.score(data, response)  # InvalidResponse: nothing stored
    if attempt is not None:
        Answer.objects.filter(attempt=attempt, block_id=block["id"]).delete()
    answer = Answer.objects.create(
        enrollment=enrollment,
        attempt=attempt,
        page_id=page["id"],
        block_id=block["id"],
        response=response,
        correct=score.correct,
        score=_dec(score.points_awarded),
        max_score=_dec(score.points_possible),
    )
    emit("answered", enrollment=enrollment, page=page["id"], block=block["id"], answer=answer)
    if attempt is not None:
        return AnswerResult(answer=answer, correct=None, feedback=[], graded_later=True)
    return AnswerResult(
        answer=answer,
        correct=score.correct,
        feedback=block_type.feedback_for(data, response),
        graded_later=False,
    )


@transaction.atomic
def quiz_submit(*, actor: Membership, enrollment: Enrollment, page_id: str) -> Attempt:
    """Grade the open attempt: its answers against the passing score. Unanswered: 0 points."""
    enrollment = _locked(enrollment, actor)
    page = _quiz_page(enrollment, page_id)
    attempt = attempt_open(enrollment, str(page["id"]))
    if attempt is None:
        _refuse_new_attempt(enrollment, page)
        raise Conflict(_("There is no attempt to submit: start the quiz first."))
    attempt_page = _attempt_page(attempt)
    by_id = {str(b["id"]): b for b in question_blocks(attempt_page)}
    answers = {a.block_id: a for a in Answer.objects.filter(attempt=attempt)}
    total = Decimal(0)
    possible = Decimal(0)
    for block_id in attempt.block_ids:
        block = by_id.get(block_id)
        if block is None:
            continue
        block_type = _question_type(block)
        if not block_type.scored:
            continue
        possible += _dec(int((block.get("data") or {}).get("points", 1)))
        if block_id in answers:
            total += answers[block_id].score
    settings = quiz_settings(attempt_page)
    percent = (total * 100 / possible) if possible else Decimal(100)
    attempt.score = total.quantize(TWO_PLACES)
    attempt.max_score = possible.quantize(TWO_PLACES)
    attempt.passed = percent >= settings["passing_score"]
    attempt.submitted_at = timezone.now()
    attempt.save(update_fields=["score", "max_score", "passed", "submitted_at"])
    emit("passed" if attempt.passed else "failed", enrollment=enrollment, attempt=attempt)
    progress_refresh(enrollment)
    return attempt


def attempt_review(attempt: Attempt) -> list[QuestionResult]:
    """Each drawn question of an attempt with the learner's answer and, once submitted,
    its feedback (before submission: none, the attempt is still being taken)."""
    page = document_page(attempt.release.document, attempt.page_id) or {}
    by_id = {str(b["id"]): b for b in question_blocks(page)}
    answers = {a.block_id: a for a in Answer.objects.filter(attempt=attempt)}
    results = []
    for block_id in attempt.block_ids:
        block = by_id.get(block_id)
        if block is None:
            continue
        answer = answers.get(block_id)
        feedback: list[str] = []
        if attempt.submitted_at is not None and answer is not None:
            try:
                feedback = _question_type(block).feedback_for(
                    block.get("data") or {}, answer.response
                )
            except Invalid:
                feedback = []
        results.append(QuestionResult(block=block, answer=answer, feedback=feedback))
    return results
