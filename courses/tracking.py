"""Learning events as xAPI 1.0.3 statements (DESIGN.md §8).

The player calls `track(...)` for every launch, page view, answer, pass/fail, completion and
exit; this module builds the statement and sends `learning_event` with it. The analytics app
stores it (courses never imports analytics: the statement travels as an event).

    track("answered", enrollment=enrollment, page=page, block=block, answer=answer)

| event         | verb (ADL)  | object (activity type)                         |
|---------------|-------------|------------------------------------------------|
| launched      | launched    | the course (course)                            |
| page_viewed   | experienced | the page (lesson; assessment for a quiz page)  |
| answered      | answered    | the question block (cmi.interaction)           |
| passed/failed | passed/…    | the quiz page (assessment), with the score     |
| completed     | completed   | the course, result.completion true             |
| exited        | exited      | the course; the page left from in context      |

"exited" (http://adlnet.gov/expapi/verbs/exited) rather than "terminated": the learner
leaves the player and may come back; nothing is closed for good.

Activity ids come from courses.activity_ids (tenant host + the document's stable uuids), so
the same page is the same activity in every release; `context.revision` names the release.
`context.registration` is the enrolment's registration. The actor is an account on the
tenant (the membership's uuid). Question statements carry the interaction definition —
interactionType, components and correctResponsesPattern — built from the block's data; the
statement stays on the server, it is never put in a page.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.dispatch import Signal
from django.utils import timezone

from authoring.blocks.values import visible_text
from courses.activity_ids import (
    actor_for,
    course_activity_id,
    extension_id,
    page_activity_id,
    question_activity_id,
    section_activity_id,
)
from tenants.models import Tenant
from tenants.tenancy import CrossTenantWrite, get_active_tenant

__all__ = ["EVENTS", "learning_event", "statement_build", "track"]

logger = logging.getLogger(__name__)

# Sent with `statement` (a dict: one complete xAPI 1.0.3 statement) and `tenant_id`.
learning_event = Signal()

XAPI_VERSION = "1.0.3"
ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
ADL_ACTIVITIES = "http://adlnet.gov/expapi/activities/"

# event → (verb IRI, display)
EVENTS: dict[str, tuple[str, str]] = {
    "launched": (ADL_VERBS + "launched", "launched"),
    "page_viewed": (ADL_VERBS + "experienced", "experienced"),
    "answered": (ADL_VERBS + "answered", "answered"),
    "passed": (ADL_VERBS + "passed", "passed"),
    "failed": (ADL_VERBS + "failed", "failed"),
    "completed": (ADL_VERBS + "completed", "completed"),
    "exited": (ADL_VERBS + "exited", "exited"),
}

TYPE_COURSE = ADL_ACTIVITIES + "course"
TYPE_SECTION = ADL_ACTIVITIES + "module"
TYPE_PAGE = ADL_ACTIVITIES + "lesson"
TYPE_QUIZ = ADL_ACTIVITIES + "assessment"
TYPE_QUESTION = ADL_ACTIVITIES + "cmi.interaction"

# Deterministic statement ids (uuid5) for events that happen once per row, so that sending
# the same event twice stores it once.
_STATEMENT_NAMESPACE = uuid.UUID("5b0b8f6e-5c53-4c1f-9f0e-0e3f6f6b7a21")
# A fill-in-the-blanks pattern lists every combination of accepted answers; past this many
# the pattern is left out (it is optional) rather than made huge.
MAX_PATTERNS = 64
NAME_MAX = 500
DELIMITER = "[,]"
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
PAIR = "[.]"


# --- small helpers -----------------------------------------------------------------------------


def _timestamp(moment: datetime | None) -> str:
    moment = moment or timezone.now()
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _duration(delta: timedelta) -> str:
    """An ISO 8601 duration, e.g. PT1H2M3.5S (never negative)."""
    total = max(delta.total_seconds(), 0.0)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    text = "PT"
    if hours:
        text += f"{int(hours)}H"
    if minutes:
        text += f"{int(minutes)}M"
    text += f"{round(seconds, 2):g}S"
    return text


def _number(value: Decimal | float | int) -> int | float:
    as_float = float(value)
    return int(as_float) if as_float.is_integer() else as_float


def _score(raw: Decimal | float | int | None, maximum: Decimal | float | int | None) -> Any:
    """An xAPI score, or None when there is nothing to score (max 0: min must be < max)."""
    if raw is None or maximum is None or float(maximum) <= 0:
        return None
    top = float(maximum)
    got = min(max(float(raw), 0.0), top)
    return {
        "scaled": round(got / top, 4),
        "raw": _number(got),
        "min": 0,
        "max": _number(top),
    }


def _uid(*parts: object) -> str:
    return str(uuid.uuid5(_STATEMENT_NAMESPACE, ":".join(str(p) for p in parts)))


class _Course:
    """What the statements need of the enrolment's release document."""

    def __init__(self, tenant: Tenant, enrollment: Any) -> None:
        release = enrollment.release
        self.tenant = tenant
        self.release_number = release.number
        document = release.document or {}
        course = document.get("course") or {}
        self.course = course
        self.course_id = str(course.get("id") or enrollment.course.uuid)
        language = str(course.get("language") or "en")
        self.language = language if _looks_like_tag(language) else "und"
        self.sections: list[Mapping[str, Any]] = list(document.get("sections") or [])

    def text(self, value: Any, *, html: bool = False) -> dict[str, str] | None:
        """A language map in the course's language, or None for an empty text."""
        if not isinstance(value, str):
            return None
        text = visible_text(value, is_html=html)
        return {self.language: text[:NAME_MAX]} if text else None

    def find_page(self, page_id: str) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]:
        """(page, section) of the page with this id, (None, None) if the release has none."""
        for section in self.sections:
            for page in section.get("pages") or []:
                if str(page.get("id")) == page_id:
                    return page, section
        return None, None

    # --- activities ------------------------------------------------------------------------

    def course_activity(self, *, full: bool = True) -> dict[str, Any]:
        definition: dict[str, Any] = {"type": TYPE_COURSE}
        if full:
            if name := self.text(self.course.get("title")):
                definition["name"] = name
            if description := self.text(self.course.get("description")):
                definition["description"] = description
        return {
            "objectType": "Activity",
            "id": course_activity_id(self.tenant, self.course_id),
            "definition": definition,
        }

    def section_activity(self, section: Mapping[str, Any]) -> dict[str, Any]:
        definition: dict[str, Any] = {"type": TYPE_SECTION}
        if name := self.text(section.get("title")):
            definition["name"] = name
        return {
            "objectType": "Activity",
            "id": section_activity_id(self.tenant, section["id"]),
            "definition": definition,
        }

    def page_activity(self, page: Mapping[str, Any], *, full: bool = True) -> dict[str, Any]:
        kind = TYPE_QUIZ if page.get("kind") == "quiz" else TYPE_PAGE
        definition: dict[str, Any] = {"type": kind}
        if full and (name := self.text(page.get("title"))):
            definition["name"] = name
        return {
            "objectType": "Activity",
            "id": page_activity_id(self.tenant, page["id"]),
            "definition": definition,
        }

    def page_context(self, page: Mapping[str, Any]) -> dict[str, Any]:
        """Context activities of something on `page`: its section as parent, the course."""
        _, section = self.find_page(str(page.get("id")))
        activities: dict[str, Any] = {"grouping": [self.course_activity(full=False)]}
        if section is not None:
            activities["parent"] = [self.section_activity(section)]
        return activities


def _looks_like_tag(value: str) -> bool:
    """A plain RFC 5646 tag (language, then subtags), as course languages are."""
    return bool(_LANGUAGE.match(value))


# --- questions as interactions -----------------------------------------------------------------


def _components(course: _Course, items: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    components = []
    for item_id, text in items:
        component: dict[str, Any] = {"id": str(item_id)}
        if description := course.text(text):
            component["description"] = description
        components.append(component)
    return components


def _interaction(course: _Course, block: Mapping[str, Any], response: Any) -> tuple[dict, str]:
    """(definition fields, response string) for a question block and a learner's response."""
    kind = block.get("type")
    data: Mapping[str, Any] = block.get("data") or {}
    fields: dict[str, Any]
    if kind in ("single_choice", "multiple_choice"):
        options = data.get("options") or []
        correct = [o["id"] for o in options if o.get("correct")]
        fields = {
            "interactionType": "choice",
            "choices": _components(course, [(o["id"], o.get("text")) for o in options]),
            "correctResponsesPattern": [DELIMITER.join(correct)] if correct else [],
        }
        chosen = [response] if isinstance(response, str) else list(response or [])
        return fields, DELIMITER.join(str(c) for c in chosen)
    if kind == "true_false":
        fields = {"interactionType": "true-false"}
        if isinstance(data.get("correct_answer"), bool):
            fields["correctResponsesPattern"] = [str(data["correct_answer"]).lower()]
        return fields, "true" if response is True else "false"
    if kind == "fill_in_blanks":
        gaps = data.get("gaps") or []
        fields = {"interactionType": "fill-in"}
        combinations = 1
        for gap in gaps:
            combinations *= max(len(gap.get("answers") or []), 1)
        if gaps and combinations <= MAX_PATTERNS:
            prefix = "{case_matters=true}" if all(g.get("case_sensitive") for g in gaps) else ""
            patterns = [
                prefix + DELIMITER.join(choice)
                for choice in itertools.product(*[g.get("answers") or [""] for g in gaps])
            ]
            # A pattern must not start with "{" unless it is a delimiter.
            if all(prefix or not p.startswith("{") for p in patterns):
                fields["correctResponsesPattern"] = patterns
        given = response if isinstance(response, Mapping) else {}
        return fields, DELIMITER.join(str(given.get(g["id"], "")) for g in gaps)
    if kind == "matching":
        pairs = data.get("pairs") or []
        targets = [(p["right_id"], p.get("right")) for p in pairs] + [
            (d["id"], d.get("text")) for d in data.get("distractors") or []
        ]
        fields = {
            "interactionType": "matching",
            "source": _components(course, [(p["id"], p.get("left")) for p in pairs]),
            "target": _components(course, targets),
            "correctResponsesPattern": [
                DELIMITER.join(f"{p['id']}{PAIR}{p['right_id']}" for p in pairs)
            ],
        }
        given = response if isinstance(response, Mapping) else {}
        return fields, DELIMITER.join(
            f"{p['id']}{PAIR}{given[p['id']]}" for p in pairs if p["id"] in given
        )
    if kind == "ordering":
        items = data.get("items") or []
        fields = {
            "interactionType": "sequencing",
            "choices": _components(course, [(i["id"], i.get("text")) for i in items]),
            "correctResponsesPattern": [DELIMITER.join(i["id"] for i in items)],
        }
        return fields, DELIMITER.join(str(i) for i in response or [])
    if kind == "likert":
        statements = data.get("statements") or []
        scale = _components(course, [(p["id"], p.get("label")) for p in data.get("scale") or []])
        given = response if isinstance(response, Mapping) else {}
        if len(statements) == 1:
            # One statement is exactly an xAPI Likert interaction.
            fields = {"interactionType": "likert", "scale": scale}
            return fields, str(given.get(statements[0]["id"], ""))
        # Several statements on one scale: each statement is matched to a scale point.
        fields = {
            "interactionType": "matching",
            "source": _components(course, [(s["id"], s.get("text")) for s in statements]),
            "target": scale,
        }
        return fields, DELIMITER.join(
            f"{s['id']}{PAIR}{given[s['id']]}" for s in statements if s["id"] in given
        )
    if kind == "open_question":
        return {"interactionType": "long-fill-in"}, str(response or "")
    if kind == "hotspot" and isinstance(response, Mapping):
        # The point clicked, in 0–1 image coordinates: "x[,]y".
        return {"interactionType": "other"}, f"{response.get('x')}{DELIMITER}{response.get('y')}"
    return {"interactionType": "other"}, json.dumps(response, sort_keys=True)


def _question_activity(
    course: _Course, block: Mapping[str, Any], response: Any
) -> tuple[dict[str, Any], str]:
    fields, response_text = _interaction(course, block, response)
    if fields.get("correctResponsesPattern") == []:
        del fields["correctResponsesPattern"]
    data = block.get("data") or {}
    definition: dict[str, Any] = {"type": TYPE_QUESTION}
    if name := course.text(data.get("prompt"), html=True):
        definition["name"] = name
    definition.update(fields)
    activity = {
        "objectType": "Activity",
        "id": question_activity_id(course.tenant, block["id"]),
        "definition": definition,
    }
    return activity, response_text


# --- track -------------------------------------------------------------------------------------


def _page_of(course: _Course, page: Any) -> Mapping[str, Any]:
    """The page dict: given as one, or by its id (looked up in the release document)."""
    if isinstance(page, Mapping):
        return page
    found, _ = course.find_page(str(page))
    if found is None:
        # A page no longer in the release (rule 7): the id is still stable.
        return {"id": str(page)}
    return found


def _block_of(page: Mapping[str, Any], block: Any) -> Mapping[str, Any]:
    if isinstance(block, Mapping):
        return block
    for candidate in page.get("blocks") or []:
        if str(candidate.get("id")) == str(block):
            return candidate
    return {"id": str(block)}


def _tenant_for(enrollment: Any) -> Tenant:
    tenant = get_active_tenant()
    if tenant is None:
        return Tenant.objects.get(pk=enrollment.tenant_id)
    if tenant.pk != enrollment.tenant_id:
        raise CrossTenantWrite(
            f"Enrollment of tenant {enrollment.tenant_id} tracked in tenant {tenant.pk}'s scope"
        )
    return tenant


def statement_build(event: str, *, enrollment: Any, **details: Any) -> dict[str, Any]:
    """The xAPI statement for `event` (see the table above); sends nothing."""
    if event not in EVENTS:
        raise ValueError(f"unknown learning event {event!r}")
    tenant = _tenant_for(enrollment)
    course = _Course(tenant, enrollment)
    verb_id, verb_display = EVENTS[event]
    context: dict[str, Any] = {
        "registration": str(enrollment.registration),
        "revision": str(course.release_number),
        "platform": "EGL Platform",
        "language": course.language,
    }
    extensions: dict[str, Any] = {}
    result: dict[str, Any] = {}
    moment: datetime | None = None
    statement_id: str | None = None

    if event in ("launched", "completed", "exited"):
        target = course.course_activity()
        if event == "completed":
            result["completion"] = True
            moment = enrollment.completed_at
            if enrollment.completed_at and enrollment.started_at:
                result["duration"] = _duration(enrollment.completed_at - enrollment.started_at)
            if enrollment.completed_at:
                statement_id = _uid(tenant.uuid, "completed", enrollment.uuid, _timestamp(moment))
        if event == "exited" and details.get("page"):
            page = _page_of(course, details["page"])
            context["contextActivities"] = {"other": [course.page_activity(page, full=False)]}
    elif event == "page_viewed":
        page = _page_of(course, details["page"])
        target = course.page_activity(page)
        context["contextActivities"] = course.page_context(page)
    elif event == "answered":
        answer = details["answer"]
        page = _page_of(course, details.get("page") or answer.page_id)
        block = _block_of(page, details.get("block") or answer.block_id)
        target, response_text = _question_activity(course, block, answer.response)
        result["response"] = response_text
        if answer.correct is not None:
            result["success"] = bool(answer.correct)
        if (score := _score(answer.score, answer.max_score)) is not None:
            result["score"] = score
        # The page is the question's parent; its section and the course group it.
        _, section = course.find_page(str(page.get("id")))
        grouping = [course.section_activity(section)] if section is not None else []
        grouping.append(course.course_activity(full=False))
        context["contextActivities"] = {
            "parent": [course.page_activity(page, full=False)],
            "grouping": grouping,
        }
        moment = answer.answered_at
        if answer.attempt_id is not None:
            attempt = details.get("attempt") or answer.attempt
            extensions[extension_id("attempt")] = attempt.number
        if answer.pk is not None:
            statement_id = _uid(tenant.uuid, "answer", answer.pk)
    else:  # passed / failed
        attempt = details["attempt"]
        page = _page_of(course, details.get("page") or attempt.page_id)
        target = course.page_activity(page)
        context["contextActivities"] = course.page_context(page)
        result["success"] = event == "passed"
        result["completion"] = True
        if (score := _score(attempt.score, attempt.max_score)) is not None:
            result["score"] = score
        if attempt.submitted_at and attempt.started_at:
            result["duration"] = _duration(attempt.submitted_at - attempt.started_at)
        extensions[extension_id("attempt")] = attempt.number
        moment = attempt.submitted_at
        statement_id = _uid(tenant.uuid, "attempt", attempt.uuid, event)

    if extensions:
        context["extensions"] = extensions
    statement: dict[str, Any] = {
        "id": statement_id or str(uuid.uuid4()),
        "actor": actor_for(tenant, enrollment.learner),
        "verb": {"id": verb_id, "display": {"en-US": verb_display}},
        "object": target,
    }
    if result:
        statement["result"] = result
    statement["context"] = context
    statement["timestamp"] = _timestamp(moment)
    statement["version"] = XAPI_VERSION
    return statement


def track(event: str, *, enrollment: Any, **details: Any) -> dict[str, Any]:
    """Build the statement for `event` and send it; returns the statement.

    Events: "launched", "page_viewed" (page), "answered" (page, block, answer), "passed" /
    "failed" (attempt, page), "completed", "exited" (page). A page or block may be given
    as its dict in the release document or as its id. The analytics app's receiver stores
    the statement in the enrolment's tenant (one INSERT).
    """
    statement = statement_build(event, enrollment=enrollment, **details)
    learning_event.send(
        sender=type(enrollment), statement=statement, tenant_id=enrollment.tenant_id
    )
    return statement
