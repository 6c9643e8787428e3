"""The course player: one page of the learner's release at a time, forms that post answers.

    /learn/<course_uuid>/                         resume: redirect to the page to continue on
    /learn/<course_uuid>/<page_uuid>/             a page (records it as seen)
    /learn/<course_uuid>/<page_uuid>/answer/      POST one question's answer
    /learn/<course_uuid>/<page_uuid>/quiz/start/  POST start (or try again) a quiz attempt
    /learn/<course_uuid>/<page_uuid>/quiz/submit/ POST grade the open attempt
    /learn/<course_uuid>/<page_uuid>/exit/        POST leave the player ("exited"), to My learning
    /learn/<course_uuid>/results/                 the results summary

Everything works as plain HTML forms; with htmx (base.html) a question's form posts in the
background and its feedback lands in the question's live region. The page HTML comes from
authoring.rendering.render_page (the one renderer); the player only wires its question
forms to the answer URL here and puts server-side feedback into them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from authoring.blocks.pages import PageKind
from authoring.rendering import asset_infos, page_asset_ids, render_page
from authoring.sanitize import sanitize_rich_text
from authoring.views.common import actor_of, error_message, optional_url
from courses import scoring
from courses.models import Answer, Attempt, CatalogEntry, Enrollment, EnrollmentStatus
from courses.player import (
    NotEnrolled,
    Outline,
    document_page,
    document_pages,
    enrollment_for_actor,
    is_question,
    page_view,
    player_exit,
    player_launch,
    player_outline,
    resume_page_id,
)
from egl_platform.errors import Conflict, DomainError, Invalid
from tenants.decorators import capability_required
from tenants.permissions import Capability

T = "courses/player/"

__all__ = [
    "answer",
    "exit_course",
    "page",
    "quiz_start",
    "quiz_submit",
    "results",
    "resume",
    "wire_forms",
]


# --- helpers -----------------------------------------------------------------------------------


def _enrollment(
    request: HttpRequest, course_uuid: Any, page_uuid: Any = None
) -> Enrollment | HttpResponse:
    """The actor's enrolment; not enrolled → the course's catalog page (404 without one, or
    when `page_uuid` names no page of the live release: ids are never half-confirmed)."""
    try:
        return enrollment_for_actor(actor=actor_of(request), course_uuid=course_uuid)
    except NotEnrolled as refused:
        target = optional_url("catalog:course", course_uuid=refused.course.uuid)
        if not target:
            raise
        if page_uuid is not None:
            entry = (
                CatalogEntry.objects.select_related("live_release")
                .filter(course=refused.course)
                .first()
            )
            if entry is None or document_page(entry.live_release.document, page_uuid) is None:
                raise
        messages.info(request, _("Enrol on the course to start it."))
        return redirect(target)


def _page_url(enrollment: Enrollment, page_id: str) -> str:
    return reverse(
        "player:page", kwargs={"course_uuid": enrollment.course.uuid, "page_uuid": page_id}
    )


def _resume_url(enrollment: Enrollment) -> str:
    return reverse("player:resume", kwargs={"course_uuid": enrollment.course.uuid})


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _clean(texts: list[str]) -> list[SafeString]:
    return [mark_safe(sanitize_rich_text(t)) for t in texts]  # noqa: S308  (allowlist sanitiser)


def _feedback_html(
    *,
    correct: bool | None = None,
    feedback: list[str] | None = None,
    saved: bool = False,
    error: str = "",
    answered: bool = True,
) -> str:
    return render_to_string(
        T + "_feedback.html",
        {
            "correct": correct,
            "feedback": _clean(feedback or []),
            "saved": saved,
            "error": error,
            "answered": answered,
        },
    )


# One question form as authoring/rendering.py renders it (templates/blocks/player/_question.html):
# its opening tag, everything up to its feedback live region, and that (empty) region.
_QUESTION_FORM = re.compile(
    r'<form class="player-question" method="dialog"'
    r'(?P<attrs> data-question data-block-id="(?P<id>[0-9a-f-]{36})"[^>]*)>'
    r"(?P<body>.*?)"
    r'(?P<region><div class="player-question__feedback" data-feedback role="status" '
    r'aria-live="polite">)</div>',
    re.DOTALL,
)
_CHECK_BUTTON = re.compile(
    r'<button type="button" class="player-button player-question__check" data-action="check">'
    r"[^<]*</button>"
)
_TITLE = '<h1 class="player-page__title">'


def wire_forms(
    html: str,
    *,
    action: str | None,
    csrf_token: str,
    feedback: Mapping[str, str],
    button_label: str,
) -> SafeString:
    """The rendered page with its question forms posting to `action` (None: read only, no
    button), each with the feedback HTML of `feedback[block_id]` in its live region, and the
    title focusable (it receives focus when the page loads)."""

    def wire(match: re.Match[str]) -> str:
        block_id = match.group("id")
        body = match.group("body")
        if action is None:
            opening = f'<form class="player-question" method="dialog"{match.group("attrs")}>'
            body = _CHECK_BUTTON.sub("", body)
        else:
            opening = str(
                format_html(
                    '<form class="player-question" method="post" action="{action}" '
                    'hx-post="{action}" hx-target="find [data-feedback]" hx-swap="innerHTML"'
                    "{attrs}>"
                    '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
                    '<input type="hidden" name="block_id" value="{block_id}">',
                    action=action,
                    attrs=mark_safe(match.group("attrs")),  # noqa: S308  (our template's own)
                    csrf=csrf_token,
                    block_id=block_id,
                )
            )
            body = _CHECK_BUTTON.sub(
                str(
                    format_html(
                        '<button type="submit" class="player-button player-question__check" '
                        'data-action="check">{}</button>',
                        button_label,
                    )
                ),
                body,
            )
        return f"{opening}{body}{match.group('region')}{feedback.get(block_id, '')}</div>"

    wired = _QUESTION_FORM.sub(wire, str(html))
    wired = wired.replace(
        _TITLE, '<h1 class="player-page__title" id="player-title" tabindex="-1" autofocus>', 1
    )
    return mark_safe(wired)  # noqa: S308  (rendered, sanitised HTML plus our escaped markup)


def _ordered_for_attempt(page: Mapping[str, Any], block_ids: list[str]) -> dict[str, Any]:
    """The page with its questions replaced, slot by slot, by the attempt's draw in order."""
    by_id = {str(b["id"]): b for b in page.get("blocks") or [] if isinstance(b, Mapping)}
    drawn = [by_id[i] for i in block_ids if i in by_id]
    blocks: list[Any] = []
    for block in page.get("blocks") or []:
        if isinstance(block, Mapping) and is_question(block):
            if drawn:
                blocks.append(drawn.pop(0))
        else:
            blocks.append(block)
    blocks.extend(drawn)
    return {**page, "blocks": blocks}


def _without_questions(page: Mapping[str, Any]) -> dict[str, Any]:
    blocks = [b for b in page.get("blocks") or [] if isinstance(b, Mapping) and not is_question(b)]
    return {**page, "blocks": blocks}


def _quiz_context(
    enrollment: Enrollment, page: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, str], bool]:
    """(quiz panel context, page to render, feedback per block, answerable)."""
    page_id = str(page["id"])
    settings = scoring.quiz_settings(page)
    current = scoring.attempt_open(enrollment, page_id)
    attempts = list(
        Attempt.objects.filter(enrollment=enrollment, page_id=page_id).order_by("number")
    )
    submitted = [a for a in attempts if a.submitted_at is not None]
    last = submitted[-1] if submitted else None
    passed = any(a.passed for a in submitted)
    left = scoring.attempts_left(enrollment, page)
    quiz = {
        "settings": settings,
        "current": current,
        "last": last,
        "submitted": submitted,
        "passed": passed,
        "left": left,
        "can_start": current is None and not passed and left != 0,
    }
    feedback: dict[str, str] = {}
    if current is not None:
        source = document_page(current.release.document, page_id) or page
        answered = set(Answer.objects.filter(attempt=current).values_list("block_id", flat=True))
        quiz["answered"] = len(answered & set(current.block_ids))
        quiz["question_count"] = len(current.block_ids)
        for block_id in answered:
            feedback[block_id] = _feedback_html(saved=True)
        return quiz, _ordered_for_attempt(source, current.block_ids), feedback, True
    if last is not None:
        source = document_page(last.release.document, page_id) or page
        results = scoring.attempt_review(last)
        for result in results:
            block_id = str(result.block["id"])
            if result.answer is None:
                feedback[block_id] = _feedback_html(correct=False, answered=False)
            else:
                feedback[block_id] = _feedback_html(
                    correct=result.answer.correct, feedback=result.feedback
                )
        if last.max_score and last.score is not None:
            quiz["percent"] = round(100 * last.score / last.max_score)
        else:
            quiz["percent"] = 100
        return quiz, _ordered_for_attempt(source, last.block_ids), feedback, False
    return quiz, _without_questions(page), feedback, False


def _checked_feedback(enrollment: Enrollment, page: Mapping[str, Any]) -> dict[str, str]:
    """The feedback on the latest answer to each question of a knowledge check / content
    page: shown again when the learner comes back (after their own submission only)."""
    blocks = {str(b["id"]): b for b in page.get("blocks") or [] if isinstance(b, Mapping)}
    latest: dict[str, Answer] = {}
    for answer in Answer.objects.filter(
        enrollment=enrollment, attempt__isnull=True, page_id=page["id"]
    ).order_by("answered_at", "id"):
        latest[answer.block_id] = answer
    feedback = {}
    for block_id, answer in latest.items():
        block = blocks.get(block_id)
        if block is None:
            continue
        try:
            texts = scoring._question_type(block).feedback_for(
                block.get("data") or {}, answer.response
            )
        except DomainError:
            continue
        feedback[block_id] = _feedback_html(correct=answer.correct, feedback=texts)
    return feedback


def _render_page(
    request: HttpRequest,
    enrollment: Enrollment,
    page_id: str,
    *,
    record: bool = True,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    document = enrollment.release.document
    page = document_page(document, page_id)
    assert page is not None
    if record:
        enrollment, outline = page_view(
            actor=actor_of(request), enrollment=enrollment, page_id=page_id
        )
    else:
        outline = player_outline(enrollment)
    kind = str(page.get("kind") or PageKind.CONTENT)
    quiz: dict[str, Any] | None = None
    answerable = True
    if kind == PageKind.QUIZ:
        quiz, shown, feedback, answerable = _quiz_context(enrollment, page)
    else:
        shown, feedback = page, _checked_feedback(enrollment, page)
    language = str((document.get("course") or {}).get("language") or "")
    html = render_page(
        shown, assets=asset_infos(page_asset_ids(shown)), mode="player", language=language
    )
    answer_url = reverse(
        "player:answer", kwargs={"course_uuid": enrollment.course.uuid, "page_uuid": page_id}
    )
    html = wire_forms(
        html,
        action=answer_url if answerable else None,
        csrf_token=get_token(request),
        feedback=feedback,
        button_label=_("Save answer") if kind == PageKind.QUIZ else _("Check answer"),
    )
    previous, following = outline.neighbours(page_id)
    context = {
        "enrollment": enrollment,
        "course_title": (document.get("course") or {}).get("title") or enrollment.course.title,
        "outline": outline,
        "current": outline.get(page_id),
        "page_count": len(outline.pages),
        "html": html,
        "quiz": quiz,
        "previous": previous,
        "next": following,
        "error": error,
        "completed": enrollment.status == EnrollmentStatus.COMPLETED,
    }
    return render(request, T + "page.html", context, status=status)


def _page_or_redirect(
    request: HttpRequest, enrollment: Enrollment, page_uuid: Any
) -> str | HttpResponseRedirect:
    """The page id when the learner may open it; else a redirect to the resume page with a
    message (a bookmarked page a newer release removed, a page linear navigation locks)."""
    page_id = str(page_uuid)
    outline = player_outline(enrollment)
    entry = outline.get(page_id)
    if entry is None:
        messages.warning(
            request,
            _("That page is no longer part of this course. Your progress is kept; continue here."),
        )
        return redirect(_resume_url(enrollment))
    if entry.locked:
        messages.info(request, _("Finish the pages before this one first."))
        return redirect(_resume_url(enrollment))
    return page_id


def _open_page(
    request: HttpRequest, course_uuid: Any, page_uuid: Any
) -> tuple[Enrollment, str] | HttpResponse:
    """The enrolment and the page id every page-level view starts from, or the response
    that sends the learner elsewhere (not enrolled, a removed or locked page)."""
    enrollment = _enrollment(request, course_uuid, page_uuid)
    if isinstance(enrollment, HttpResponse):
        return enrollment
    page_id = _page_or_redirect(request, enrollment, page_uuid)
    if isinstance(page_id, HttpResponse):
        return page_id
    return enrollment, page_id


# --- views -------------------------------------------------------------------------------------


@require_GET
@capability_required(Capability.COURSE_TAKE)
def resume(request: HttpRequest, course_uuid: Any) -> HttpResponse:
    enrollment = _enrollment(request, course_uuid)
    if isinstance(enrollment, HttpResponse):
        return enrollment
    enrollment = player_launch(actor=actor_of(request), enrollment=enrollment)
    page_id = resume_page_id(enrollment)
    if page_id is None:
        return render(request, T + "empty.html", {"enrollment": enrollment}, status=200)
    return redirect(_page_url(enrollment, page_id))


@require_GET
@capability_required(Capability.COURSE_TAKE)
def page(request: HttpRequest, course_uuid: Any, page_uuid: Any) -> HttpResponse:
    opened = _open_page(request, course_uuid, page_uuid)
    if isinstance(opened, HttpResponse):
        return opened
    enrollment, page_id = opened
    return _render_page(request, enrollment, page_id)


@require_POST
@capability_required(Capability.COURSE_TAKE)
def answer(request: HttpRequest, course_uuid: Any, page_uuid: Any) -> HttpResponse:
    opened = _open_page(request, course_uuid, page_uuid)
    if isinstance(opened, HttpResponse):
        return opened
    enrollment, page_id = opened
    block_id = request.POST.get("block_id", "")
    try:
        block = _answer_block(enrollment, page_id, block_id)
        response = scoring.form_response(block, request.POST)
        result = scoring.answer_submit(
            actor=actor_of(request),
            enrollment=enrollment,
            page_id=page_id,
            block_id=block_id,
            response=response,
        )
    except DomainError as refused:
        if _is_htmx(request):
            # htmx swaps only 2xx answers: the refusal is the fragment, said in the region.
            return HttpResponse(_feedback_html(error=error_message(refused)))
        return _render_page(
            request,
            enrollment,
            page_id,
            record=False,
            status=refused.status,
            error=error_message(refused),
        )
    if _is_htmx(request):
        return HttpResponse(
            _feedback_html(
                correct=result.correct, feedback=result.feedback, saved=result.graded_later
            )
        )
    if result.graded_later:
        messages.success(request, _("Your answer is saved."))
    return redirect(_page_url(enrollment, page_id) + f"#block-{escape(block_id)}")


def _answer_block(enrollment: Enrollment, page_id: str, block_id: str) -> dict[str, Any]:
    """The question `block_id` names, from the attempt's release for a quiz in progress."""
    page = document_page(enrollment.release.document, page_id) or {}
    if page.get("kind") == PageKind.QUIZ:
        current = scoring.attempt_open(enrollment, page_id)
        if current is not None:
            page = document_page(current.release.document, page_id) or page
    for block in page.get("blocks") or []:
        if isinstance(block, Mapping) and str(block.get("id")) == block_id and is_question(block):
            return dict(block)
    raise Invalid(_("This question is not on this page."))


def _quiz_action(
    request: HttpRequest, course_uuid: Any, page_uuid: Any, action: Any
) -> HttpResponse:
    opened = _open_page(request, course_uuid, page_uuid)
    if isinstance(opened, HttpResponse):
        return opened
    enrollment, page_id = opened
    try:
        action(actor=actor_of(request), enrollment=enrollment, page_id=page_id)
    except (DomainError, Conflict) as refused:
        return _render_page(
            request,
            enrollment,
            page_id,
            record=False,
            status=refused.status,
            error=error_message(refused),
        )
    return redirect(_page_url(enrollment, page_id) + "#quiz")


@require_POST
@capability_required(Capability.COURSE_TAKE)
def quiz_start(request: HttpRequest, course_uuid: Any, page_uuid: Any) -> HttpResponse:
    return _quiz_action(request, course_uuid, page_uuid, scoring.attempt_start)


@require_POST
@capability_required(Capability.COURSE_TAKE)
def quiz_submit(request: HttpRequest, course_uuid: Any, page_uuid: Any) -> HttpResponse:
    return _quiz_action(request, course_uuid, page_uuid, scoring.quiz_submit)


@require_POST
@capability_required(Capability.COURSE_TAKE)
def exit_course(request: HttpRequest, course_uuid: Any, page_uuid: Any) -> HttpResponse:
    """Leave the player: the resume point is already saved; tracking hears "exited"."""
    opened = _open_page(request, course_uuid, page_uuid)
    if isinstance(opened, HttpResponse):
        return opened
    enrollment, page_id = opened
    player_exit(actor=actor_of(request), enrollment=enrollment, page_id=page_id)
    messages.success(request, _("Your place is saved. Continue where you left off any time."))
    return redirect(optional_url("catalog:my-learning") or _resume_url(enrollment))


@require_GET
@capability_required(Capability.COURSE_TAKE)
def results(request: HttpRequest, course_uuid: Any) -> HttpResponse:
    enrollment = _enrollment(request, course_uuid)
    if isinstance(enrollment, HttpResponse):
        return enrollment
    outline: Outline = player_outline(enrollment)
    document = enrollment.release.document
    quizzes = []
    for quiz_page in document_pages(document):
        if quiz_page.get("kind") != PageKind.QUIZ:
            continue
        attempts = list(
            Attempt.objects.filter(
                enrollment=enrollment, page_id=quiz_page["id"], submitted_at__isnull=False
            ).order_by("number")
        )
        best = max(attempts, key=lambda a: (bool(a.passed), a.score or 0), default=None)
        quizzes.append(
            {
                "title": quiz_page.get("title") or "",
                "url": _page_url(enrollment, quiz_page["id"]),
                "attempts": attempts,
                "best": best,
                "passed": any(a.passed for a in attempts),
                "passing_score": scoring.quiz_settings(quiz_page)["passing_score"],
            }
        )
    context = {
        "enrollment": enrollment,
        "course_title": (document.get("course") or {}).get("title") or enrollment.course.title,
        "outline": outline,
        "seen_count": sum(1 for p in outline.pages if p.seen),
        "page_count": len(outline.pages),
        "quizzes": quizzes,
        "completed": enrollment.status == EnrollmentStatus.COMPLETED,
        "resume_url": _resume_url(enrollment),
    }
    return render(request, T + "results.html", context)
