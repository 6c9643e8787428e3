"""courses.tracking: every learning event is a valid xAPI 1.0.3 statement, stored by analytics.

Built from real rows: a course (authoring.services.courses.course_create) with a quiz page
holding every question type, releases whose document is course_document_build(course), an
enrolment, answers scored by the block registry and an attempt.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from analytics.models import Statement
from analytics.xapi import validate_statement
from authoring.blocks import QuestionType, get_block_type
from authoring.blocks.defaults import default_data
from authoring.blocks.pages import default_settings
from authoring.document import course_document_build
from authoring.models import Course, Page, Revision, Section
from authoring.services.courses import course_create
from courses import tracking
from courses.activity_ids import page_activity_id, question_activity_id
from courses.models import Answer, Attempt, Enrollment, EnrollmentStatus, Release
from tenants.hosts import tenant_origin

pytestmark = pytest.mark.django_db

ADL = "http://adlnet.gov/expapi/verbs/"


def _id() -> str:
    return str(uuid.uuid4())


def question_blocks() -> list[dict[str, Any]]:
    """One block of every question type (two Likert shapes), with answers set."""

    def block(kind: str, **data: Any) -> dict[str, Any]:
        full = default_data(kind)
        full.update(data)
        return {"id": _id(), "type": kind, "version": 1, "data": full}

    a, b, c = _id(), _id(), _id()
    gap1, gap2 = _id(), _id()
    pair1, pair2, right1, right2, distractor = _id(), _id(), _id(), _id(), _id()
    s1, s2 = _id(), _id()
    scale = [{"id": _id(), "label": label} for label in ("No", "Maybe", "Yes")]
    return [
        block(
            "single_choice",
            prompt="<p>The capital of the <b>Netherlands</b>?</p>",
            points=2,
            options=[
                {"id": a, "text": "Amsterdam", "correct": True},
                {"id": b, "text": "Rotterdam", "correct": False},
            ],
        ),
        block(
            "multiple_choice",
            prompt="<p>Which are colours?</p>",
            points=3,
            partial_credit=True,
            options=[
                {"id": _id(), "text": "Red", "correct": True},
                {"id": _id(), "text": "Blue", "correct": True},
                {"id": c, "text": "Cheese", "correct": False},
            ],
        ),
        block("true_false", prompt="<p>Water is wet.</p>", correct_answer=True),
        block(
            "fill_in_blanks",
            prompt="<p>Fill in</p>",
            text=f"<p>[[{gap1}]] is the capital of [[{gap2}]].</p>",
            gaps=[
                {"id": gap1, "answers": ["Paris", "Parijs"], "case_sensitive": False},
                {"id": gap2, "answers": ["France"], "case_sensitive": False},
            ],
        ),
        block(
            "matching",
            prompt="<p>Match</p>",
            pairs=[
                {"id": pair1, "left": "Dog", "right_id": right1, "right": "Bark"},
                {"id": pair2, "left": "Cat", "right_id": right2, "right": "Meow"},
            ],
            distractors=[{"id": distractor, "text": "Moo"}],
        ),
        block(
            "ordering",
            prompt="<p>Order</p>",
            items=[{"id": _id(), "text": t} for t in ("One", "Two", "Three")],
        ),
        block(
            "hotspot",
            prompt="<p>Click the door</p>",
            alt="A house",
            regions=[
                {"id": _id(), "shape": "rect", "coords": [0.1, 0.1, 0.2, 0.2], "correct": True}
            ],
        ),
        block("open_question", prompt="<p>What did you learn?</p>"),
        block(
            "likert",
            prompt="<p>Agree?</p>",
            statements=[{"id": s1, "text": "It was useful"}],
            scale=scale,
        ),
        block(
            "likert",
            prompt="<p>Rate</p>",
            statements=[{"id": s2, "text": "Pace"}, {"id": _id(), "text": "Depth"}],
            scale=[dict(p, id=_id()) for p in scale],
        ),
    ]


def response_for(block: dict[str, Any]) -> Any:
    """A plausible response: right for the first half of the types, wrong for the others."""
    data = block["data"]
    kind = block["type"]
    if kind == "single_choice":
        return next(o["id"] for o in data["options"] if o["correct"])
    if kind == "multiple_choice":
        return [data["options"][0]["id"], data["options"][2]["id"]]  # one right, one wrong
    if kind == "true_false":
        return False
    if kind == "fill_in_blanks":
        return {data["gaps"][0]["id"]: " paris ", data["gaps"][1]["id"]: "France"}
    if kind == "matching":
        p1, p2 = data["pairs"]
        return {p1["id"]: p1["right_id"], p2["id"]: p1["right_id"]}
    if kind == "ordering":
        return [item["id"] for item in reversed(data["items"])]
    if kind == "hotspot":
        return {"x": 0.15, "y": 0.15}
    if kind == "open_question":
        return "Quite a lot, [,] even."
    if kind == "likert":
        return {data["statements"][0]["id"]: data["scale"][2]["id"]}
    raise AssertionError(kind)


@dataclass
class Setup:
    world: Any
    course: Course
    quiz: dict[str, Any]  # the quiz page in release 1's document
    first_page: dict[str, Any]
    release: Release
    enrollment: Enrollment


def publish(course: Course, number: int) -> Release:
    document = course_document_build(course)
    revision = Revision.objects.create(course=course, number=number, document=document)
    return Release.objects.create(
        course=course, number=number, revision=revision, document=document
    )


def make_setup(world: Any) -> Setup:
    """Inside world.scope()."""
    course = course_create(actor=world.author, title="Geography basics", language="en")
    section = Section.objects.get(course=course)
    Page.objects.create(
        section=section,
        title="Final quiz",
        kind="quiz",
        settings=default_settings("quiz"),
        blocks=question_blocks(),
        position=5,
    )
    release = publish(course, 1)
    enrollment = Enrollment.objects.create(
        course=course, learner=world.learner, release=release, started_at=timezone.now()
    )
    pages = release.document["sections"][0]["pages"]
    quiz = next(p for p in pages if p["kind"] == "quiz")
    return Setup(world, course, quiz, pages[0], release, enrollment)


def answer_to(setup: Setup, block: dict[str, Any], attempt: Attempt | None = None) -> Answer:
    response = response_for(block)
    block_type = get_block_type(block["type"])
    assert isinstance(block_type, QuestionType)
    score = block_type.score(block["data"], response)
    return Answer.objects.create(
        enrollment=setup.enrollment,
        attempt=attempt,
        page_id=setup.quiz["id"],
        block_id=block["id"],
        response=response,
        correct=score.correct,
        score=Decimal(str(score.points_awarded)),
        max_score=Decimal(score.points_possible),
    )


@pytest.fixture
def setup(acme):
    with acme.scope():
        yield make_setup(acme)


def assert_valid(statement: dict[str, Any]) -> None:
    assert validate_statement(statement) == [], validate_statement(statement)


def assert_common(statement: dict[str, Any], setup: Setup, verb: str) -> None:
    assert_valid(statement)
    assert statement["verb"]["id"] == ADL + verb
    assert statement["version"] == "1.0.3"
    assert statement["context"]["registration"] == str(setup.enrollment.registration)
    assert statement["context"]["revision"] == "1"
    assert statement["actor"] == {
        "objectType": "Agent",
        "account": {
            "homePage": tenant_origin(setup.world.tenant),
            "name": str(setup.world.learner.uuid),
        },
    }


# --- each event -------------------------------------------------------------------------------


def test_launched(setup: Setup) -> None:
    statement = tracking.track("launched", enrollment=setup.enrollment)
    assert_common(statement, setup, "launched")
    host = tenant_origin(setup.world.tenant)
    assert statement["object"]["id"] == f"{host}/xapi/activities/course/{setup.course.uuid}"
    assert statement["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/course"
    assert statement["object"]["definition"]["name"] == {"en": "Geography basics"}


def test_page_viewed_by_dict_or_id(setup: Setup) -> None:
    by_dict = tracking.track("page_viewed", enrollment=setup.enrollment, page=setup.first_page)
    by_id = tracking.track("page_viewed", enrollment=setup.enrollment, page=setup.first_page["id"])
    for statement in (by_dict, by_id):
        assert_common(statement, setup, "experienced")
        assert statement["object"]["id"] == page_activity_id(
            setup.world.tenant, setup.first_page["id"]
        )
        assert statement["object"]["definition"]["type"].endswith("/lesson")
        context = statement["context"]["contextActivities"]
        assert context["parent"][0]["definition"]["type"].endswith("/module")
        assert context["grouping"][0]["id"].endswith(f"/course/{setup.course.uuid}")
    assert by_dict["object"] == by_id["object"]
    quiz = tracking.track("page_viewed", enrollment=setup.enrollment, page=setup.quiz)
    assert quiz["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/assessment"


EXPECTED_INTERACTION = {
    "single_choice": ("choice", True, 2),
    "multiple_choice": ("choice", False, 3),
    "true_false": ("true-false", False, 1),
    "fill_in_blanks": ("fill-in", True, 1),
    "matching": ("matching", False, 1),
    "ordering": ("sequencing", False, 1),
    "hotspot": ("other", True, 1),
    "open_question": ("long-fill-in", None, 0),
    "likert": ("likert", None, 0),
}


def test_answered_for_every_question_type(setup: Setup) -> None:
    blocks = setup.quiz["blocks"]
    seen = set()
    for block in blocks:
        answer = answer_to(setup, block)
        statement = tracking.track(
            "answered", enrollment=setup.enrollment, page=setup.quiz, block=block, answer=answer
        )
        assert_common(statement, setup, "answered")
        kind = block["type"]
        seen.add(kind)
        interaction, success, points = EXPECTED_INTERACTION[kind]
        if kind == "likert" and len(block["data"]["statements"]) > 1:
            interaction = "matching"  # several statements: each matched to a scale point
        definition = statement["object"]["definition"]
        assert statement["object"]["id"] == question_activity_id(setup.world.tenant, block["id"])
        assert definition["type"] == "http://adlnet.gov/expapi/activities/cmi.interaction"
        assert definition["interactionType"] == interaction, kind
        assert "<" not in next(iter(definition["name"].values()))  # plain text, no markup
        result = statement["result"]
        assert isinstance(result["response"], str), kind
        assert result["response"], kind
        if success is None:
            assert "success" not in result, kind
            assert "score" not in result, kind
        else:
            assert result["success"] is success, kind
            assert result["score"]["max"] == points
            assert result["score"]["min"] == 0
            assert result["score"]["raw"] == (points if success else 0)
            assert result["score"]["scaled"] == (1 if success else 0)
        parent = statement["context"]["contextActivities"]["parent"]
        assert parent[0]["id"] == page_activity_id(setup.world.tenant, setup.quiz["id"])
    assert seen == set(EXPECTED_INTERACTION)


def _answered(setup: Setup, kind: str) -> dict[str, Any]:
    block = next(b for b in setup.quiz["blocks"] if b["type"] == kind)
    answer = answer_to(setup, block)
    return tracking.track(
        "answered", enrollment=setup.enrollment, page=setup.quiz, block=block, answer=answer
    )


def test_interaction_definitions_carry_the_right_patterns(setup: Setup) -> None:
    blocks: dict[str, dict[str, Any]] = {}
    for block in setup.quiz["blocks"]:
        blocks.setdefault(block["type"], block)  # the first of each type, as _answered takes
    single = _answered(setup, "single_choice")["object"]["definition"]
    right = next(o["id"] for o in blocks["single_choice"]["data"]["options"] if o["correct"])
    assert single["correctResponsesPattern"] == [right]
    assert [c["id"] for c in single["choices"]] == [
        o["id"] for o in blocks["single_choice"]["data"]["options"]
    ]
    assert single["choices"][0]["description"] == {"en": "Amsterdam"}

    multi = _answered(setup, "multiple_choice")
    options = blocks["multiple_choice"]["data"]["options"]
    assert multi["object"]["definition"]["correctResponsesPattern"] == [
        f"{options[0]['id']}[,]{options[1]['id']}"
    ]
    assert multi["result"]["response"] == f"{options[0]['id']}[,]{options[2]['id']}"

    assert _answered(setup, "true_false")["object"]["definition"]["correctResponsesPattern"] == [
        "true"
    ]
    fill = _answered(setup, "fill_in_blanks")
    assert fill["object"]["definition"]["correctResponsesPattern"] == [
        "Paris[,]France",
        "Parijs[,]France",
    ]
    assert fill["result"]["response"] == " paris [,]France"

    matching = _answered(setup, "matching")
    pairs = blocks["matching"]["data"]["pairs"]
    definition = matching["object"]["definition"]
    assert definition["correctResponsesPattern"] == [
        f"{pairs[0]['id']}[.]{pairs[0]['right_id']}[,]{pairs[1]['id']}[.]{pairs[1]['right_id']}"
    ]
    assert len(definition["source"]) == 2
    assert len(definition["target"]) == 3

    ordering = _answered(setup, "ordering")
    items = blocks["ordering"]["data"]["items"]
    assert ordering["object"]["definition"]["correctResponsesPattern"] == [
        "[,]".join(i["id"] for i in items)
    ]
    assert ordering["result"]["response"] == "[,]".join(i["id"] for i in reversed(items))

    likert = _answered(setup, "likert")
    assert [p["id"] for p in likert["object"]["definition"]["scale"]] == [
        p["id"] for p in blocks["likert"]["data"]["scale"]
    ]
    assert likert["result"]["response"] == blocks["likert"]["data"]["scale"][2]["id"]


def test_fill_in_patterns_case_and_size(setup: Setup) -> None:
    block = copy.deepcopy(next(b for b in setup.quiz["blocks"] if b["type"] == "fill_in_blanks"))
    for gap in block["data"]["gaps"]:
        gap["case_sensitive"] = True
    answer = answer_to(setup, block)

    def definition() -> dict[str, Any]:
        statement = tracking.track(
            "answered", enrollment=setup.enrollment, page=setup.quiz, block=block, answer=answer
        )
        assert_valid(statement)
        return statement["object"]["definition"]

    assert definition()["correctResponsesPattern"] == [
        "{case_matters=true}Paris[,]France",
        "{case_matters=true}Parijs[,]France",
    ]
    # Too many combinations of accepted answers: the (optional) pattern is left out.
    block["data"]["gaps"][0]["answers"] = [f"a{n}" for n in range(9)]
    block["data"]["gaps"][1]["answers"] = [f"b{n}" for n in range(9)]
    assert "correctResponsesPattern" not in definition()


def test_answer_in_an_attempt_names_the_attempt(setup: Setup) -> None:
    attempt = Attempt.objects.create(
        enrollment=setup.enrollment, release=setup.release, page_id=setup.quiz["id"], number=2
    )
    block = setup.quiz["blocks"][0]
    answer = answer_to(setup, block, attempt=attempt)
    # Page and block may be given by id: the release document has them.
    statement = tracking.track(
        "answered",
        enrollment=setup.enrollment,
        page=setup.quiz["id"],
        block=block["id"],
        answer=answer,
    )
    assert_valid(statement)
    assert statement["object"]["definition"]["interactionType"] == "choice"
    extensions = statement["context"]["extensions"]
    assert list(extensions.values()) == [2]
    assert all(key.startswith("https://") for key in extensions)


@pytest.mark.parametrize("outcome", ["passed", "failed"])
def test_passed_and_failed(setup: Setup, outcome: str) -> None:
    started = timezone.now() - timedelta(minutes=3, seconds=7)
    attempt = Attempt.objects.create(
        enrollment=setup.enrollment,
        release=setup.release,
        page_id=setup.quiz["id"],
        number=1,
        started_at=started,
        submitted_at=started + timedelta(minutes=3, seconds=7),
        score=Decimal("7.50") if outcome == "passed" else Decimal("2"),
        max_score=Decimal("10"),
        passed=outcome == "passed",
    )
    statement = tracking.track(
        outcome, enrollment=setup.enrollment, attempt=attempt, page=setup.quiz
    )
    assert_common(statement, setup, outcome)
    assert statement["object"]["id"] == page_activity_id(setup.world.tenant, setup.quiz["id"])
    assert statement["object"]["definition"]["type"].endswith("/assessment")
    result = statement["result"]
    assert result["success"] is (outcome == "passed")
    assert result["completion"] is True
    assert result["duration"] == "PT3M7S"
    assert result["score"] == (
        {"scaled": 0.75, "raw": 7.5, "min": 0, "max": 10}
        if outcome == "passed"
        else {"scaled": 0.2, "raw": 2, "min": 0, "max": 10}
    )
    # Without the page: found from the attempt's page id.
    again = tracking.track(outcome, enrollment=setup.enrollment, attempt=attempt)
    assert again["object"]["id"] == statement["object"]["id"]
    assert again["id"] == statement["id"]  # one statement per attempt and outcome


def test_completed_and_exited(setup: Setup) -> None:
    enrollment = setup.enrollment
    assert enrollment.started_at is not None
    enrollment.status = EnrollmentStatus.COMPLETED
    enrollment.completed_at = enrollment.started_at + timedelta(hours=1, minutes=2)
    enrollment.save()
    completed = tracking.track("completed", enrollment=enrollment)
    assert_common(completed, setup, "completed")
    assert completed["result"] == {"completion": True, "duration": "PT1H2M0S"}
    assert completed["object"]["id"].endswith(f"/course/{setup.course.uuid}")

    exited = tracking.track("exited", enrollment=enrollment, page=setup.first_page)
    assert_common(exited, setup, "exited")
    assert exited["object"]["id"].endswith(f"/course/{setup.course.uuid}")
    other = exited["context"]["contextActivities"]["other"]
    assert other[0]["id"] == page_activity_id(setup.world.tenant, setup.first_page["id"])


def test_unknown_event_is_refused(setup: Setup) -> None:
    with pytest.raises(ValueError, match="unknown learning event"):
        tracking.track("clicked", enrollment=setup.enrollment)


# --- stable ids, storage ------------------------------------------------------------------------


def test_activity_ids_are_stable_across_releases(setup: Setup) -> None:
    first_quiz = tracking.track("page_viewed", enrollment=setup.enrollment, page=setup.quiz)
    block = setup.quiz["blocks"][0]
    first_answer = tracking.track(
        "answered",
        enrollment=setup.enrollment,
        page=setup.quiz,
        block=block,
        answer=answer_to(setup, block),
    )
    launched_1 = tracking.track("launched", enrollment=setup.enrollment)

    # The author edits the course (new page, renamed quiz) and release 2 goes out.
    Page.objects.filter(uuid=setup.quiz["id"]).update(title="Final quiz (new)")
    Page.objects.create(section=Section.objects.get(course=setup.course), title="New", position=9)
    release_2 = publish(setup.course, 2)
    setup.enrollment.release = release_2
    setup.enrollment.save()
    quiz_2 = next(
        p for p in release_2.document["sections"][0]["pages"] if p["id"] == setup.quiz["id"]
    )
    second_quiz = tracking.track("page_viewed", enrollment=setup.enrollment, page=quiz_2)
    second_answer = tracking.track(
        "answered",
        enrollment=setup.enrollment,
        page=quiz_2,
        block=quiz_2["blocks"][0],
        answer=answer_to(setup, quiz_2["blocks"][0]),
    )
    launched_2 = tracking.track("launched", enrollment=setup.enrollment)

    assert second_quiz["object"]["id"] == first_quiz["object"]["id"]
    assert second_quiz["object"]["definition"]["name"] == {"en": "Final quiz (new)"}
    assert second_answer["object"]["id"] == first_answer["object"]["id"]
    assert launched_2["object"]["id"] == launched_1["object"]["id"]
    assert second_quiz["context"]["revision"] == "2"
    assert second_quiz["context"]["registration"] == first_quiz["context"]["registration"]


def test_track_stores_the_statement_in_the_tenant(setup: Setup, globex) -> None:
    statement = tracking.track("page_viewed", enrollment=setup.enrollment, page=setup.first_page)
    stored = Statement.objects.get(statement_id=statement["id"])
    assert stored.tenant_id == setup.world.tenant.pk
    assert stored.payload == statement
    assert stored.verb == ADL + "experienced"
    assert stored.object_id == statement["object"]["id"]
    assert stored.actor_key == str(setup.world.learner.uuid)
    assert stored.registration == setup.enrollment.registration
    with globex.scope():
        assert not Statement.objects.filter(statement_id=statement["id"]).exists()


def test_answered_twice_is_stored_once(setup: Setup) -> None:
    block = setup.quiz["blocks"][2]
    answer = answer_to(setup, block)
    for _ in range(2):
        tracking.track(
            "answered", enrollment=setup.enrollment, page=setup.quiz, block=block, answer=answer
        )
    assert Statement.objects.filter(verb=ADL + "answered").count() == 1


def test_tracking_costs_one_insert(setup: Setup, django_assert_num_queries) -> None:
    enrollment = Enrollment.objects.select_related("release", "learner").get(pk=setup.enrollment.pk)
    with django_assert_num_queries(1):
        tracking.track("page_viewed", enrollment=enrollment, page=setup.first_page)


def test_courses_never_imports_analytics() -> None:
    import subprocess
    import sys
    from pathlib import Path

    lint = Path(sys.executable).with_name("lint-imports")
    completed = subprocess.run(
        [str(lint)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert (
        "Courses never import analytics (activity reaches it as events) KEPT" in completed.stdout
    ), completed.stdout + completed.stderr
