"""The new-course wizard: four questions, a recommended format, and a course skeleton.

The author says (a) what people should do differently afterwards, (b) who they are and how
experienced, (c) how often they do it, and (d) what stops them today. `wizard_recommend`
picks a format from one small rule table; `wizard_skeleton` writes a course document in
that format with the objectives filled in from answer (a), ready for the author to fill;
`wizard_course_create` creates it. "Not a training problem" creates nothing: the author
gets advice instead, and may still ask for a job aid.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from authoring.blocks import get_block_type
from authoring.blocks.pages import PageKind, default_settings
from authoring.document_schema import SCHEMA_VERSION
from authoring.models import Course
from authoring.sanitize import sanitize_plain_text
from authoring.services.courses import course_create_from_document
from egl_platform.errors import Invalid
from tenants.models import CONTENT_LANGUAGE_CODES, Membership
from tenants.permissions import Capability, require_capability
from tenants.services.audit import audit_record
from tenants.tenancy import require_active_tenant

__all__ = [
    "Barrier",
    "Experience",
    "Format",
    "Frequency",
    "NotATrainingProblem",
    "Recommendation",
    "WizardAnswers",
    "split_behaviours",
    "wizard_answers",
    "wizard_course_create",
    "wizard_recommend",
    "wizard_skeleton",
]

BEHAVIOUR_MAX = 1_500
AUDIENCE_MAX = 200
OBJECTIVE_MAX = 500
OBJECTIVES_MAX = 3
TITLE_MAX = 200
TITLE_FROM_BEHAVIOUR = 80
QUIZ_MIN_QUESTIONS = 3


class Experience(models.TextChoices):
    NEW = "new", gettext_lazy("New to it")
    EXPERIENCED = "experienced", gettext_lazy("Experienced")
    MIXED = "mixed", gettext_lazy("A mix of both")


class Frequency(models.TextChoices):
    DAILY = "daily", gettext_lazy("Every day")
    WEEKLY = "weekly", gettext_lazy("Every week")
    MONTHLY = "monthly", gettext_lazy("About once a month")
    RARELY = "rarely", gettext_lazy("Rarely: a few times a year or less")


class Barrier(models.TextChoices):
    KNOWLEDGE = "knowledge", gettext_lazy("They lack the knowledge or the skill")
    PROCESS = "process", gettext_lazy("The process is unclear or tools are missing")
    MOTIVATION = "motivation", gettext_lazy("They have no time or no motivation")
    ALREADY_KNOW = "already_know", gettext_lazy("They already know how, but don't do it")


class Format(models.TextChoices):
    JOB_AID = "job_aid", gettext_lazy("A job aid or checklist")
    MICRO_COURSE = "micro_course", gettext_lazy("A micro-course of about five minutes")
    FULL_COURSE = "full_course", gettext_lazy("A full course")
    NOT_TRAINING = "not_training", gettext_lazy("Not a training problem")


# Formats the wizard can create a skeleton for.
CREATABLE_FORMATS = (Format.JOB_AID, Format.MICRO_COURSE, Format.FULL_COURSE)


class NotATrainingProblem(Invalid):
    """The answers say training will not help; nothing was created."""

    code = "not_training"


@dataclass(frozen=True)
class WizardAnswers:
    behaviour: str
    audience: str
    experience: str
    frequency: str
    barrier: str

    @property
    def behaviours(self) -> list[str]:
        return split_behaviours(self.behaviour)

    def as_dict(self) -> dict[str, str]:
        return {
            "behaviour": self.behaviour,
            "audience": self.audience,
            "experience": self.experience,
            "frequency": self.frequency,
            "barrier": self.barrier,
        }


@dataclass(frozen=True)
class Recommendation:
    format: str
    title: str
    reasons: tuple[str, ...]
    advice: tuple[str, ...]


# --- answers ------------------------------------------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[-*•·]+|\d+[.)])\s*")


def split_behaviours(text: str) -> list[str]:
    """The separate behaviours in answer (a): one per line or per semicolon, bullets and
    numbering dropped, blanks and repeats skipped."""
    result: list[str] = []
    for part in re.split(r"[\n\r;]+", text or ""):
        cleaned = _BULLET.sub("", part).strip()
        if cleaned and cleaned.casefold() not in {r.casefold() for r in result}:
            result.append(cleaned)
    return result


def _choice(
    data: Mapping[str, Any],
    name: str,
    choices: type[models.TextChoices],
    problems: dict[str, list[str]],
) -> str:
    value = str(data.get(name) or "").strip()
    if value not in choices.values:
        problems[name] = [_("Choose one of the options.")]
    return value


def wizard_answers(data: Mapping[str, Any]) -> WizardAnswers:
    """Answers from a form or request body; Invalid with a message per field otherwise."""
    problems: dict[str, list[str]] = {}
    behaviour = sanitize_plain_text(
        str(data.get("behaviour") or ""), max_length=BEHAVIOUR_MAX, multiline=True
    )
    if not split_behaviours(behaviour):
        problems["behaviour"] = [_("Say what people should do differently afterwards.")]
    audience = sanitize_plain_text(str(data.get("audience") or ""), max_length=AUDIENCE_MAX)
    experience = _choice(data, "experience", Experience, problems)
    frequency = _choice(data, "frequency", Frequency, problems)
    barrier = _choice(data, "barrier", Barrier, problems)
    if problems:
        raise Invalid(_("Some answers need attention."), fields=problems)
    return WizardAnswers(behaviour, audience, experience, frequency, barrier)


# --- the recommendation -------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    format: Format
    applies: Callable[[WizardAnswers], bool]
    reason: Promise


# The first rule that applies picks the format; every applying rule of that format adds
# its reason. Whether training is the answer comes first: no course fixes a broken process.
RULES: tuple[Rule, ...] = (
    Rule(
        Format.NOT_TRAINING,
        lambda a: a.barrier == Barrier.PROCESS,
        gettext_lazy(
            "What stops people is an unclear process or missing tools. A course cannot fix that."
        ),
    ),
    Rule(
        Format.NOT_TRAINING,
        lambda a: a.barrier == Barrier.MOTIVATION,
        gettext_lazy(
            "What stops people is time or motivation. More knowledge will not change that."
        ),
    ),
    Rule(
        Format.NOT_TRAINING,
        lambda a: a.barrier == Barrier.ALREADY_KNOW,
        gettext_lazy("People already know how. A course would tell them what they already know."),
    ),
    Rule(
        Format.JOB_AID,
        lambda a: a.frequency == Frequency.RARELY,
        gettext_lazy(
            "The task is rarely done, so people forget the steps in between. A reference "
            "they look up at the moment they need it works better than a course."
        ),
    ),
    Rule(
        Format.FULL_COURSE,
        lambda a: len(a.behaviours) > 1,
        gettext_lazy("You want several things to change. Each gets its own objective and section."),
    ),
    Rule(
        Format.FULL_COURSE,
        lambda a: a.experience == Experience.NEW,
        gettext_lazy("The people are new to this and need the bigger picture, not only a tip."),
    ),
    Rule(
        Format.MICRO_COURSE,
        lambda a: True,
        gettext_lazy(
            "One behaviour, done regularly, and a real gap in knowledge or skill: a short "
            "course of about five minutes fits."
        ),
    ),
)

_ADVICE: dict[str, tuple[Promise, ...]] = {
    Format.JOB_AID: (
        gettext_lazy("Write the steps in the order people do them, one action per step."),
        gettext_lazy("Keep it to one screen: people use it while they work."),
        gettext_lazy("Put it where the work happens: link it from the system or print it."),
    ),
    Format.MICRO_COURSE: (
        gettext_lazy("Keep it to about five minutes and one behaviour."),
        gettext_lazy("Start from a real situation and end with a question about it."),
    ),
    Format.FULL_COURSE: (
        gettext_lazy("Give each objective its own section and keep pages short."),
        gettext_lazy("End with a quiz that checks every objective, with at least three questions."),
        gettext_lazy("If it grows past 15 minutes, consider splitting it into micro-courses."),
    ),
    Barrier.PROCESS: (
        gettext_lazy(
            "Fix the process first: map the steps with the people who do the work and "
            "remove what gets in the way."
        ),
        gettext_lazy("Make sure everyone has the tools, access and information they need."),
        gettext_lazy("If people still need to look up the steps afterwards, a job aid helps."),
    ),
    Barrier.MOTIVATION: (
        gettext_lazy(
            "Talk with their manager about priorities and time: is this behaviour really "
            "asked for, and is there room for it?"
        ),
        gettext_lazy(
            "Make the result visible: give feedback when it goes well and when it does not."
        ),
        gettext_lazy("Make the right way the easy way: remove steps and friction."),
    ),
    Barrier.ALREADY_KNOW: (
        gettext_lazy(
            "Find out what gets in the way in practice: ask a few people and watch the work."
        ),
        gettext_lazy("Set up feedback loops: short, regular feedback from a manager or a peer."),
        gettext_lazy(
            "A reminder or a checklist at the moment of work may help more than a course."
        ),
    ),
}


def wizard_recommend(answers: WizardAnswers) -> Recommendation:
    """The format that fits the answers, why (translated), and what to do next."""
    chosen = next(rule.format for rule in RULES if rule.applies(answers))
    return _recommendation(answers, chosen)


def _recommendation(answers: WizardAnswers, chosen: Format) -> Recommendation:
    reasons = tuple(str(r.reason) for r in RULES if r.format == chosen and r.applies(answers))
    advice_key = answers.barrier if chosen == Format.NOT_TRAINING else chosen
    return Recommendation(
        format=chosen.value,
        title=str(chosen.label),
        reasons=reasons,
        advice=tuple(str(a) for a in _ADVICE[advice_key]),
    )


# --- the skeleton -------------------------------------------------------------------------------


def _id() -> str:
    return str(uuid.uuid4())


def _block(type_name: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": _id(),
        "type": type_name,
        "version": get_block_type(type_name).version,
        "data": data,
    }


def _p(text: str) -> str:
    return f"<p>{text}</p>"


def _rich_text(html: str) -> dict[str, Any]:
    return _block("rich_text", {"text": html})


def _callout(variant: str, text: str) -> dict[str, Any]:
    return _block("callout", {"variant": variant, "text": _p(escape(text))})


def _steps(count: int) -> dict[str, Any]:
    hints = [
        _("Start with a verb and name the exact button, form or words to use."),
        _("Say what people see when the step worked, so they know they can go on."),
        _("If there is a choice, say what to do in each case: if …, then …"),
        _("End with how to finish: save, send, confirm."),
    ]
    return _block(
        "process_steps",
        {
            "steps": [
                {
                    "id": _id(),
                    "title": _("[Step %(n)d]") % {"n": n + 1},
                    "body": _p(escape(hints[min(n, len(hints) - 1)])),
                }
                for n in range(count)
            ]
        },
    )


def _question(objective: Mapping[str, str]) -> dict[str, Any]:
    """A single-choice placeholder question assessing one objective, with feedback."""
    return _block(
        "single_choice",
        {
            "prompt": _p(
                escape(
                    _("[Describe a situation from practice where people need to: %(objective)s.]")
                    % {"objective": objective["text"]}
                )
                + " "
                + escape(_("What do you do?"))
            ),
            "options": [
                {
                    "id": _id(),
                    "text": _("[The right action]"),
                    "correct": True,
                    "feedback": _p(escape(_("[Explain why this is right.]"))),
                },
                {
                    "id": _id(),
                    "text": _("[A common mistake]"),
                    "correct": False,
                    "feedback": _p(
                        escape(_("[Explain why this goes wrong and what to do instead.]"))
                    ),
                },
                {
                    "id": _id(),
                    "text": _("[Another plausible mistake]"),
                    "correct": False,
                    "feedback": _p(
                        escape(_("[Explain why this goes wrong and what to do instead.]"))
                    ),
                },
            ],
            "points": 1,
            "feedback": {
                "correct": _p(escape(_("Right. [Repeat the key point in one sentence.]"))),
                "incorrect": _p(escape(_("Not quite. [Point back to where it is explained.]"))),
            },
            "objective_ids": [objective["id"]],
        },
    )


def _page(title: str, blocks: list[dict[str, Any]], kind: str = PageKind.CONTENT) -> dict[str, Any]:
    return {
        "id": _id(),
        "title": _short(title, TITLE_MAX),
        "kind": str(kind),
        "settings": default_settings(kind),
        "blocks": blocks,
    }


def _section(title: str, pages: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": _id(), "title": _short(title, TITLE_MAX), "pages": pages}


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _audience_line(answers: WizardAnswers) -> str:
    audience = answers.audience or _("the people who do this work")
    return _("For %(audience)s (%(experience)s), who do this: %(frequency)s.") % {
        "audience": audience,
        "experience": str(Experience(answers.experience).label).lower(),
        "frequency": str(Frequency(answers.frequency).label).lower(),
    }


def _micro(objectives: list[dict[str, str]], answers: WizardAnswers) -> list[dict[str, Any]]:
    headings = "".join(
        f"<h3>{escape(o['text'])}</h3>"
        + _p(escape(_("Explain what good looks like, as you would to a colleague.")))
        for o in objectives
    )
    return [
        _section(
            _("The one thing"),
            [
                _page(
                    _("Why this matters"),
                    [
                        _rich_text(
                            f"<h2>{escape(_('Why this matters'))}</h2>"
                            + _p(
                                escape(
                                    _(
                                        "Describe the one situation where %(audience)s use this, "
                                        "and what goes wrong today."
                                    )
                                    % {"audience": answers.audience or _("people")}
                                )
                            )
                        ),
                        _callout(
                            "tip",
                            _(
                                "Keep this course to about five minutes: one behaviour, one situation."
                            ),
                        ),
                    ],
                ),
                _page(_("How to do it"), [_rich_text(headings), _steps(3)]),
                _page(
                    _("Common mistakes"),
                    [
                        _rich_text(
                            _p(
                                escape(
                                    _("Describe the mistake people make most often, and its cost.")
                                )
                            )
                        ),
                        _callout("warning", _("Say how to avoid the mistake in one sentence.")),
                    ],
                ),
                _page(
                    _("Check yourself"),
                    [_question(o) for o in objectives],
                    PageKind.KNOWLEDGE_CHECK,
                ),
            ],
        )
    ]


def _job_aid(objectives: list[dict[str, str]], title: str) -> list[dict[str, Any]]:
    checklist = "".join(
        f"<li>{escape(_('[Check: %(objective)s?]') % {'objective': o['text']})}</li>"
        for o in objectives
    )
    blocks = [
        _rich_text(
            f"<h2>{escape(_('When to use this'))}</h2>"
            + _p(escape(_("Say in one sentence when someone needs this job aid.")))
        ),
        _steps(4),
        _rich_text(
            f"<h2>{escape(_('Before you finish'))}</h2><ul>{checklist}</ul>"
            + _p(escape(_("Keep the checklist short: only checks that prevent real mistakes.")))
        ),
        _callout("note", _("Stuck? Say who to ask, and how: [name, team, channel or phone].")),
        _block("divider", {}),
        *[_question(o) for o in objectives],
    ]
    return [_section(title, [_page(_("Steps and checklist"), blocks)])]


def _full(objectives: list[dict[str, str]], answers: WizardAnswers) -> list[dict[str, Any]]:
    intro = _section(
        _("Introduction"),
        [
            _page(
                _("Welcome"),
                [
                    _rich_text(
                        f"<h2>{escape(_('Welcome'))}</h2>"
                        + _p(escape(_audience_line(answers)))
                        + _p(
                            escape(
                                _(
                                    "Say why this matters to them and what they will be able "
                                    "to do at the end."
                                )
                            )
                        )
                    )
                ],
            )
        ],
    )
    parts = [
        _section(
            objective["text"],
            [
                _page(
                    _("Explanation"),
                    [
                        _rich_text(
                            f"<h2>{escape(objective['text'])}</h2>"
                            + _p(
                                escape(
                                    _(
                                        "Explain what good looks like, with an example from practice."
                                    )
                                )
                            )
                        ),
                        _steps(3),
                        _callout("tip", _("Keep each page short: about 300 words at most.")),
                    ],
                ),
                _page(_("Check yourself"), [_question(objective)], PageKind.KNOWLEDGE_CHECK),
            ],
        )
        for objective in objectives
    ]
    count = max(QUIZ_MIN_QUESTIONS, len(objectives))
    quiz = {
        **_page(
            _("Final quiz"),
            [_question(objectives[n % len(objectives)]) for n in range(count)],
            PageKind.QUIZ,
        ),
        "settings": {"passing_score": 80, "attempts": 0, "random_order": True, "draw_count": None},
    }
    return [intro, *parts, _section(_("Test"), [quiz])]


_MINUTES = {Format.JOB_AID: 3, Format.MICRO_COURSE: 5}


def wizard_skeleton(
    answers: WizardAnswers,
    recommendation: Recommendation,
    *,
    language: str,
    title: str | None = None,
) -> dict[str, Any]:
    """A course document in the recommended format: 1–3 objectives from answer (a), and
    sections and pages with guidance for the author, every objective assessed by a question.

    Texts are in `language` where the UI speaks it. Invalid for "not a training problem".
    """
    chosen = Format(recommendation.format)
    if chosen not in CREATABLE_FORMATS:
        raise NotATrainingProblem(
            _("Training is not the answer here, so there is no course to create.")
        )
    behaviours = answers.behaviours[:OBJECTIVES_MAX]
    behaviours = [text[:1].upper() + text[1:] for text in behaviours]
    objectives = [{"id": _id(), "text": _short(text, OBJECTIVE_MAX)} for text in behaviours]
    course_title = _short(title or "", TITLE_MAX) or _short(behaviours[0], TITLE_FROM_BEHAVIOUR)
    ui_language = language if language in dict(settings.LANGUAGES) else translation.get_language()
    with translation.override(ui_language):
        if chosen == Format.JOB_AID:
            sections = _job_aid(objectives, course_title)
        elif chosen == Format.MICRO_COURSE:
            sections = _micro(objectives, answers)
        else:
            sections = _full(objectives, answers)
        description = _audience_line(answers)
    return {
        "schema_version": SCHEMA_VERSION,
        "course": {
            "id": _id(),
            "title": course_title,
            "description": description,
            "language": language,
            "category": None,
            "tags": [],
            "objectives": objectives,
            "estimated_minutes": _MINUTES.get(chosen, 10 + 5 * len(objectives)),
            "cover_image": None,
        },
        "sections": sections,
        "assets": [],
    }


def _language(language: str | None) -> str:
    tenant = require_active_tenant()
    offered = set(tenant.languages or []) | {tenant.default_language}
    if not language:
        current = translation.get_language() or ""
        return current if current in offered else tenant.default_language
    if language not in offered or language not in CONTENT_LANGUAGE_CODES:
        raise Invalid(
            _("Choose one of this organisation's languages: %(languages)s.")
            % {"languages": ", ".join(sorted(offered))},
            fields={"language": [_("Not offered here.")]},
        )
    return language


def wizard_course_create(
    *,
    actor: Membership,
    answers: WizardAnswers,
    format: str | None = None,  # noqa: A002 - the API's word for it
    language: str | None = None,
    title: str | None = None,
) -> Course:
    """Create the skeleton the wizard recommends (or `format`, e.g. a job aid anyway).

    Needs COURSE_CREATE (Forbidden). "Not a training problem" raises NotATrainingProblem
    (HTTP 400, code not_training) and creates nothing. `language` defaults to the UI
    language when the tenant offers it. Audited as `course.created_with_wizard`.
    """
    require_capability(actor, Capability.COURSE_CREATE)
    recommended = wizard_recommend(answers)
    if format:
        if format not in [f.value for f in CREATABLE_FORMATS]:
            raise Invalid(
                _("Choose a job aid, a micro-course or a full course."),
                fields={"format": [_("Choose one of the options.")]},
            )
        recommendation = _recommendation(answers, Format(format))
    else:
        recommendation = recommended
    if recommendation.format == Format.NOT_TRAINING:
        raise NotATrainingProblem(
            _("Training is not the answer here, so nothing was created. %(advice)s")
            % {"advice": " ".join(recommendation.advice)}
        )
    course_language = _language(language)
    document = wizard_skeleton(answers, recommendation, language=course_language, title=title)
    with transaction.atomic():
        course = course_create_from_document(actor=actor, document=document)
        audit_record(
            actor=actor,
            verb="course.created_with_wizard",
            target=course,
            format=recommendation.format,
            recommended=recommended.format,
        )
    return course
