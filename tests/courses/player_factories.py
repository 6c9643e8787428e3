"""A course for the player tests: a content page, a knowledge check with every question type,
a quiz, released as Release 1 (document = course_document_build), a catalog entry and the
learner's enrolment — built directly, so these tests depend on neither publishing nor
enrolment services. `publish_again` makes Release n+1 from the draft as it is then."""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from typing import Any, cast

import pytest
from django.utils import timezone

from authoring.blocks import QUESTION, block_types, get_block_type
from authoring.document import course_document_build
from authoring.models import Course, Page, Revision
from courses.models import CatalogEntry, Enrollment, Release
from tests.authoring.test_blocks import EXAMPLES
from tests.factories import CourseFactory, PageFactory, SectionFactory

QUESTION_TYPES = [bt.type for bt in block_types(QUESTION)]
QUIZ_TYPES = ("single_choice", "true_false", "multiple_choice", "fill_in_blanks")


def make_block(type_name: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """A block of `type_name` with fresh ids everywhere (ids are unique in a document)."""
    block_type = get_block_type(type_name)
    source = copy.deepcopy(EXAMPLES[type_name] if data is None else data)
    return {
        "id": str(uuid.uuid4()),
        "type": type_name,
        "version": 1,
        "data": block_type.rekey(source),
    }


def text_block(text: str) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "type": "rich_text", "version": 1, "data": {"text": text}}


@dataclass
class PlayerCourse:
    world: Any
    course: Course
    release: Release
    entry: CatalogEntry
    enrollment: Enrollment
    pages: dict[str, Page] = field(default_factory=dict)

    def page_id(self, name: str) -> str:
        return str(self.pages[name].uuid)

    def block(self, page: str, type_name: str, release: Release | None = None) -> dict[str, Any]:
        """The block of `type_name` on page `page` as the release has it."""
        document = (release or self.release).document
        for section in document["sections"]:
            for p in section["pages"]:
                if p["id"] == self.page_id(page):
                    return next(b for b in p["blocks"] if b["type"] == type_name)
        raise KeyError(page)

    def refresh(self) -> Enrollment:
        self.enrollment = Enrollment.objects.select_related("release", "course").get(
            pk=self.enrollment.pk
        )
        return self.enrollment


def release_new(course: Course, *, navigation: str | None = None) -> Release:
    """Release n+1 of the draft as it is now (optionally with a course navigation setting)."""
    number = (Release.objects.filter(course=course).count()) + 1
    document = course_document_build(course)
    if navigation:
        document["course"]["navigation"] = navigation
    revision = Revision.objects.create(
        course=course, number=Revision.objects.filter(course=course).count() + 1, document=document
    )
    return Release.objects.create(
        course=course, number=number, revision=revision, document=document
    )


def player_course(
    world: Any,
    *,
    quiz_settings: dict[str, Any] | None = None,
    quiz_types: tuple[str, ...] = QUIZ_TYPES,
    navigation: str | None = None,
    learner: Any = None,
) -> PlayerCourse:
    """Inside world.scope(): the course, Release 1 live in the catalog, the learner enrolled."""
    course = cast(Course, CourseFactory(owner=world.author, title="Phone basics", language="en"))
    section = SectionFactory(course=course, title="Basics", position=0)
    intro = PageFactory(
        section=section,
        title="Welcome",
        kind="content",
        position=0,
        blocks=[text_block("<p>Welcome to the phone course.</p>"), make_block("single_choice")],
    )
    check = PageFactory(
        section=section,
        title="Check yourself",
        kind="knowledge_check",
        position=1,
        blocks=[make_block(t) for t in QUESTION_TYPES],
    )
    settings = {"passing_score": 50, "attempts": 2, "random_order": False, "draw_count": None}
    settings.update(quiz_settings or {})
    quiz = PageFactory(
        section=section,
        title="Final quiz",
        kind="quiz",
        position=2,
        settings=settings,
        blocks=[text_block("<p>Good luck.</p>"), *[make_block(t) for t in quiz_types]],
    )
    release = release_new(course, navigation=navigation)
    now = timezone.now()
    entry = CatalogEntry.objects.create(
        course=course,
        live_release=release,
        title=course.title,
        language="en",
        first_published_at=now,
        updated_at=now,
    )
    enrollment = Enrollment.objects.create(
        course=course, learner=learner or world.learner, release=release
    )
    return PlayerCourse(
        world=world,
        course=course,
        release=release,
        entry=entry,
        enrollment=enrollment,
        pages={"intro": cast(Page, intro), "check": cast(Page, check), "quiz": cast(Page, quiz)},
    )


# --- responses -----------------------------------------------------------------------------------


def correct_response(block: dict[str, Any]) -> Any:
    data, kind = block["data"], block["type"]
    if kind == "single_choice":
        return next(o["id"] for o in data["options"] if o["correct"])
    if kind == "multiple_choice":
        return [o["id"] for o in data["options"] if o["correct"]]
    if kind == "true_false":
        return data["correct_answer"]
    if kind == "fill_in_blanks":
        return {g["id"]: g["answers"][0] for g in data["gaps"]}
    if kind == "matching":
        return {p["id"]: p["right_id"] for p in data["pairs"]}
    if kind == "ordering":
        return [i["id"] for i in data["items"]]
    if kind == "hotspot":
        return {"x": 0.15, "y": 0.15}  # inside the example's correct rectangle
    if kind == "open_question":
        return "I would listen first."
    if kind == "likert":
        return {data["statements"][0]["id"]: data["scale"][0]["id"]}
    raise KeyError(kind)


def wrong_response(block: dict[str, Any]) -> Any:
    data, kind = block["data"], block["type"]
    if kind == "single_choice":
        return next(o["id"] for o in data["options"] if not o["correct"])
    if kind == "multiple_choice":
        return [o["id"] for o in data["options"] if not o["correct"]]
    if kind == "true_false":
        return not data["correct_answer"]
    if kind == "fill_in_blanks":
        return {g["id"]: "nowhere" for g in data["gaps"]}
    if kind == "matching":
        rights = [p["right_id"] for p in data["pairs"]]
        return {p["id"]: rights[(i + 1) % len(rights)] for i, p in enumerate(data["pairs"])}
    if kind == "ordering":
        return list(reversed([i["id"] for i in data["items"]]))
    if kind == "hotspot":
        return {"x": 0.7, "y": 0.7}  # the volume button
    raise KeyError(kind)


def form_data(block: dict[str, Any], response: Any) -> dict[str, Any]:
    """The plain HTML form post of `response` (the names the player's templates use)."""
    kind, block_id = block["type"], block["id"]
    post: dict[str, Any] = {"block_id": block_id}
    if kind in ("single_choice", "open_question"):
        post[block_id] = response
    elif kind == "multiple_choice":
        post[block_id] = list(response)
    elif kind == "true_false":
        post[block_id] = "true" if response else "false"
    elif kind in ("fill_in_blanks", "matching", "likert"):
        post.update(response)
    elif kind == "ordering":
        post.update({item_id: str(n) for n, item_id in enumerate(response, start=1)})
    elif kind == "hotspot":
        post.update({"x": str(response["x"]), "y": str(response["y"])})
    return post


# --- tracking -------------------------------------------------------------------------------------


@pytest.fixture
def tracked(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Record the player's tracking calls (import this fixture into a test module)."""
    calls: list[tuple[str, dict[str, Any]]] = []

    def record(event: str, *, enrollment: Any, **details: Any) -> dict[str, Any]:
        calls.append((event, details))
        return {}

    monkeypatch.setattr("courses.tracking.track", record)
    # The test's transaction never commits: send at once.
    monkeypatch.setattr("courses.player._after_commit", lambda send: send())
    return calls
