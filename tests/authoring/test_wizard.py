"""The new-course wizard: recommendations, skeletons, the multi-step form and its API."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from authoring.blocks import QUESTION, get_block_type
from authoring.document import course_document_build
from authoring.document_schema import validate_document
from authoring.models import Course
from authoring.wizard import (
    RULES,
    Format,
    NotATrainingProblem,
    WizardAnswers,
    split_behaviours,
    wizard_answers,
    wizard_course_create,
    wizard_recommend,
    wizard_skeleton,
)
from egl_platform.errors import Forbidden, Invalid
from tenants.models import AuditEvent
from tests.api_helpers import assert_error

WIZARD = "/new-course/wizard/"


def answers(**changes):
    base = {
        "behaviour": "Greet every caller by name",
        "audience": "call-centre agents",
        "experience": "experienced",
        "frequency": "daily",
        "barrier": "knowledge",
    }
    return WizardAnswers(**{**base, **changes})


def _blocks(document):
    for section in document["sections"]:
        for page in section["pages"]:
            yield page, page["blocks"]


def _questions(document):
    return [
        (page, block)
        for page, blocks in _blocks(document)
        for block in blocks
        if get_block_type(block["type"]).family == QUESTION
    ]


# --- answers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Greet callers by name", ["Greet callers by name"]),
        (
            "Greet callers; confirm the problem ;\n\n- offer a next step",
            ["Greet callers", "confirm the problem", "offer a next step"],
        ),
        (
            "1. Log the call\n2) Close the ticket\n• log the call",
            ["Log the call", "Close the ticket"],
        ),
        (" ; \n ", []),
    ],
)
def test_split_behaviours(text, expected):
    assert split_behaviours(text) == expected


def test_answers_are_checked_with_a_message_per_field():
    with pytest.raises(Invalid) as raised:
        wizard_answers(
            {"behaviour": " <script>x</script> ", "experience": "guru", "frequency": "daily"}
        )
    assert set(raised.value.fields) == {"behaviour", "experience", "barrier"}
    good = wizard_answers(
        {
            "behaviour": "Log <b>calls</b>",
            "experience": "new",
            "frequency": "weekly",
            "barrier": "knowledge",
        }
    )
    assert good.behaviour == "Log calls"
    assert good.audience == ""


# --- recommendations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected", "reasons"),
    [
        ({}, Format.MICRO_COURSE, 1),
        ({"frequency": "monthly", "experience": "mixed"}, Format.MICRO_COURSE, 1),
        ({"frequency": "rarely"}, Format.JOB_AID, 1),
        ({"frequency": "rarely", "experience": "new", "behaviour": "a\nb"}, Format.JOB_AID, 1),
        ({"experience": "new"}, Format.FULL_COURSE, 1),
        ({"behaviour": "Greet callers; confirm the problem"}, Format.FULL_COURSE, 1),
        ({"behaviour": "a\nb", "experience": "new"}, Format.FULL_COURSE, 2),
        ({"barrier": "process"}, Format.NOT_TRAINING, 1),
        ({"barrier": "motivation", "frequency": "rarely"}, Format.NOT_TRAINING, 1),
        ({"barrier": "already_know", "experience": "new"}, Format.NOT_TRAINING, 1),
    ],
)
def test_recommendation_for_representative_answers(changes, expected, reasons):
    recommendation = wizard_recommend(answers(**changes))
    assert recommendation.format == expected
    assert recommendation.title == str(expected.label)
    assert len(recommendation.reasons) == reasons
    assert all(isinstance(r, str) and r for r in recommendation.reasons)
    assert recommendation.advice


def test_every_format_is_reachable_and_every_rule_has_a_reason():
    assert {rule.format for rule in RULES} == set(Format)
    assert all(str(rule.reason) for rule in RULES)


@pytest.mark.parametrize("barrier", ["process", "motivation", "already_know"])
def test_not_a_training_problem_gets_advice_fitting_the_barrier(barrier):
    advice = wizard_recommend(answers(barrier=barrier)).advice
    others = {
        b: wizard_recommend(answers(barrier=b)).advice
        for b in ("process", "motivation", "already_know")
        if b != barrier
    }
    assert len(advice) >= 2
    assert all(advice != other for other in others.values())


def test_reasons_follow_the_ui_language():
    with translation.override("nl"):
        dutch = wizard_recommend(answers(frequency="rarely"))
    english = wizard_recommend(answers(frequency="rarely"))
    assert isinstance(dutch.reasons[0], str)
    assert english.reasons[0].startswith("The task is rarely done")


# --- skeletons ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "fmt"),
    [
        ({}, Format.MICRO_COURSE),
        (
            {"frequency": "rarely", "behaviour": "Reset a password; unlock an account"},
            Format.JOB_AID,
        ),
        (
            {"behaviour": "Greet by name\nConfirm the problem\nOffer a next step\nSmile"},
            Format.FULL_COURSE,
        ),
        ({"experience": "new"}, Format.FULL_COURSE),
    ],
)
@pytest.mark.parametrize("language", ["en", "nl"])
def test_skeleton_validates_and_assesses_every_objective(changes, fmt, language):
    given = answers(**changes)
    recommendation = wizard_recommend(given)
    assert recommendation.format == fmt
    document = wizard_skeleton(given, recommendation, language=language)
    assert validate_document(document) == []
    course = document["course"]
    assert course["language"] == language
    objectives = course["objectives"]
    assert [o["text"] for o in objectives] == [
        b[:1].upper() + b[1:] for b in split_behaviours(given.behaviour)[:3]
    ]
    assessed = {i for _page, q in _questions(document) for i in q["data"]["objective_ids"]}
    assert assessed == {o["id"] for o in objectives}
    for _page, question in _questions(document):
        assert question["data"]["feedback"]["correct"]
        assert question["data"]["feedback"]["incorrect"]
    pages = [page for section in document["sections"] for page in section["pages"]]
    if fmt == Format.JOB_AID:
        assert len(pages) == 1
        types = [b["type"] for b in pages[0]["blocks"]]
        assert "process_steps" in types
        assert "<ul>" in pages[0]["blocks"][2]["data"]["text"]
    elif fmt == Format.MICRO_COURSE:
        assert pages[0]["kind"] == "content"
        assert pages[-1]["kind"] == "knowledge_check"
        assert 2 <= len([p for p in pages if p["kind"] == "content"]) <= 3
        assert len(pages[-1]["blocks"]) == len(objectives)
    else:
        assert len(document["sections"]) == len(objectives) + 2  # intro, one each, test
        quiz = document["sections"][-1]["pages"][0]
        assert quiz["kind"] == "quiz"
        assert quiz["settings"]["passing_score"] == 80
        assert len(quiz["blocks"]) >= 3
    assert course["title"] == objectives[0]["text"][:80]


def test_skeleton_escapes_what_the_author_typed():
    given = answers(behaviour='Use <em>tags</em> & quote "x"', audience="<b>agents</b>")
    document = wizard_skeleton(given, wizard_recommend(given), language="en")
    assert validate_document(document) == []
    prompt = _questions(document)[0][1]["data"]["prompt"]
    assert "<em>" not in prompt
    assert "&lt;em&gt;" in prompt


def test_not_a_training_problem_has_no_skeleton():
    given = answers(barrier="process")
    with pytest.raises(NotATrainingProblem):
        wizard_skeleton(given, wizard_recommend(given), language="en")


# --- creating -----------------------------------------------------------------------------------


def test_wizard_creates_the_recommended_skeleton(acme):
    given = answers(behaviour="Greet by name; confirm the problem")
    with acme.scope():
        course = wizard_course_create(actor=acme.author, answers=given, language="nl")
        document = course_document_build(course)
        event = AuditEvent.objects.get(verb="course.created_with_wizard")
    assert course.owner_id == acme.author.pk
    assert course.language == "nl"
    assert [o["text"] for o in course.objectives] == ["Greet by name", "Confirm the problem"]
    assert document["sections"][-1]["pages"][0]["kind"] == "quiz"
    assert event.data == {"format": "full_course", "recommended": "full_course"}
    assert course.estimated_minutes
    assert course.estimated_minutes > 0


def test_not_a_training_problem_creates_nothing_but_a_job_aid_on_request(acme):
    given = answers(barrier="motivation")
    with acme.scope():
        with pytest.raises(NotATrainingProblem) as raised:
            wizard_course_create(actor=acme.author, answers=given)
        assert raised.value.code == "not_training"
        assert raised.value.status == 400
        assert not Course.objects.exists()
        course = wizard_course_create(actor=acme.author, answers=given, format="job_aid")
        assert Course.objects.count() == 1
        event = AuditEvent.objects.get(verb="course.created_with_wizard")
    assert event.data == {"format": "job_aid", "recommended": "not_training"}
    assert course.title == "Greet every caller by name"


@pytest.mark.parametrize(
    ("kwargs", "field"), [({"format": "not_training"}, "format"), ({"language": "de"}, "language")]
)
def test_wizard_refuses_bad_format_or_language(acme, kwargs, field):
    with acme.scope():
        with pytest.raises(Invalid) as raised:
            wizard_course_create(actor=acme.author, answers=answers(), **kwargs)
        assert field in raised.value.fields
        assert not Course.objects.exists()


def test_learner_cannot_use_the_wizard(acme):
    with acme.scope(), pytest.raises(Forbidden):
        wizard_course_create(actor=acme.learner, answers=answers())


# --- HTML ---------------------------------------------------------------------------------------

FULL = {
    "behaviour": "Greet every caller by name",
    "audience": "agents",
    "experience": "experienced",
    "frequency": "daily",
    "barrier": "knowledge",
}


def test_wizard_starts_at_step_one(acme):
    response = acme.client_for(acme.author).get(WIZARD)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Step 1 of 4" in body
    assert 'aria-current="step"' in body
    assert 'name="behaviour"' in body
    assert "<textarea" in body
    assert 'type="hidden" name="step" value="1"' in body


def test_wizard_walks_forward_keeping_answers_in_hidden_fields(acme):
    client = acme.client_for(acme.author)
    response = client.post(WIZARD, {"step": "1", "action": "next", "behaviour": "Greet by name"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Step 2 of 4" in body
    assert 'type="hidden" name="behaviour" value="Greet by name"' in body
    assert 'name="experience"' in body
    assert 'type="radio"' in body
    response = client.post(
        WIZARD,
        {"step": "2", "action": "next", "behaviour": "Greet by name", "experience": "mixed"},
    )
    assert "Step 3 of 4" in response.content.decode()


def test_wizard_stays_on_the_step_with_an_error(acme):
    client = acme.client_for(acme.author)
    response = client.post(WIZARD, {"step": "1", "action": "next", "behaviour": "  "})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Step 1 of 4" in body
    assert 'aria-invalid="true"' in body
    # A tampered hidden answer sends the author back to the step that asks it.
    response = client.post(WIZARD, {**FULL, "experience": "guru", "step": "4", "action": "next"})
    assert response.status_code == 400
    assert "Step 2 of 4" in response.content.decode()


def test_wizard_back_keeps_answers(acme):
    response = acme.client_for(acme.author).post(WIZARD, {**FULL, "step": "3", "action": "back"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Step 2 of 4" in body
    assert re.search(r'<input type="radio" name="experience" value="experienced"[^>]*checked', body)
    assert not re.search(r'value="mixed"[^>]*checked', body)
    assert 'type="hidden" name="frequency" value="daily"' in body


def test_wizard_htmx_gets_the_panel_only(acme):
    response = acme.client_for(acme.author).post(
        WIZARD, {"step": "1", "action": "next", "behaviour": "  "}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200  # htmx swaps only 2xx; the errors are in the panel
    assert body.lstrip().startswith('<div id="wizard"')
    assert "<html" not in body
    assert 'aria-invalid="true"' in body
    assert "HX-Request" in response["Vary"]
    # The step is announced through the live region that stays on the page.
    assert '<span id="wizard-status" hx-swap-oob="innerHTML">Step 1 of 4</span>' in body


def test_wizard_shows_the_recommendation_then_creates_the_skeleton(acme):
    client = acme.client_for(acme.author)
    response = client.post(WIZARD, {**FULL, "step": "4", "action": "next"})
    body = response.content.decode()
    assert response.status_code == 200
    assert str(Format.MICRO_COURSE.label) in body
    assert "Create the skeleton" in body
    with acme.scope():
        assert not Course.objects.exists()
    response = client.post(
        WIZARD, {**FULL, "step": "5", "action": "create", "language": "en", "title": ""}
    )
    assert response.status_code == 302
    with acme.scope():
        course = Course.objects.get()
    assert course.title == "Greet every caller by name"


def test_wizard_not_training_shows_advice_and_creates_nothing_unless_asked(acme):
    client = acme.client_for(acme.author)
    data = {**FULL, "barrier": "process"}
    body = client.post(WIZARD, {**data, "step": "4", "action": "next"}).content.decode()
    assert str(Format.NOT_TRAINING.label) in body
    assert "Create a job aid anyway" in body
    assert "Create the skeleton" not in body
    response = client.post(WIZARD, {**data, "step": "5", "action": "create", "language": "en"})
    assert response.status_code == 400
    with acme.scope():
        assert not Course.objects.exists()
    response = client.post(
        WIZARD, {**data, "step": "5", "action": "create_job_aid", "language": "en"}
    )
    assert response.status_code == 302
    with acme.scope():
        course = Course.objects.get()
        assert (
            course_document_build(course)["sections"][0]["pages"][0]["blocks"][1]["type"]
            == "process_steps"
        )


def test_wizard_create_with_htmx_redirects_by_header(acme):
    response = acme.client_for(acme.author).post(
        WIZARD, {**FULL, "step": "5", "action": "create", "language": "nl"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 204
    assert response["HX-Redirect"]


def test_wizard_refuses_learners(acme):
    client = acme.client_for(acme.learner)
    assert client.get(WIZARD).status_code == 403
    assert (
        client.post(WIZARD, {**FULL, "step": "5", "action": "create", "language": "en"}).status_code
        == 403
    )
    with acme.scope():
        assert not Course.objects.exists()


# --- API ----------------------------------------------------------------------------------------


def test_api_recommend(acme):
    client = acme.client_for(acme.author)
    response = client.post(
        "/api/v1/wizard/recommend/",
        {**FULL, "frequency": "rarely"},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"format", "title", "reasons", "advice"}
    assert body["format"] == "job_aid"
    assert body["reasons"]
    assert body["advice"]
    error = assert_error(
        client.post(
            "/api/v1/wizard/recommend/", {"behaviour": "x"}, content_type="application/json"
        ),
        400,
        "invalid",
    )
    assert {"experience", "frequency", "barrier"} <= set(error["fields"])


def test_api_create(acme):
    client = acme.client_for(acme.author)
    response = client.post(
        "/api/v1/wizard/create/", {**FULL, "language": "nl"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    with acme.scope():
        course = Course.objects.get()
    assert body["uuid"] == str(course.uuid)
    assert body["language"] == "nl"
    assert [o["text"] for o in body["objectives"]] == ["Greet every caller by name"]


def test_api_create_not_training_is_400_and_creates_nothing(acme):
    client = acme.client_for(acme.author)
    data = {**FULL, "barrier": "already_know"}
    error = assert_error(
        client.post("/api/v1/wizard/create/", data, content_type="application/json"),
        400,
        "not_training",
    )
    assert "nothing was created" in error["message"]
    with acme.scope():
        assert not Course.objects.exists()
    response = client.post(
        "/api/v1/wizard/create/", {**data, "format": "job_aid"}, content_type="application/json"
    )
    assert response.status_code == 201


def test_api_wizard_refuses_learners(acme):
    client = acme.client_for(acme.learner)
    assert_error(
        client.post("/api/v1/wizard/recommend/", FULL, content_type="application/json"),
        403,
        "forbidden",
    )
    assert_error(
        client.post("/api/v1/wizard/create/", FULL, content_type="application/json"),
        403,
        "forbidden",
    )
