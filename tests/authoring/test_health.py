"""Course health: each rule fires on a bad example and stays quiet on a good one."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from authoring.blocks import block_types
from authoring.document_schema import validate_document
from authoring.health import (
    INFO,
    RULES,
    TEXT_ONLY_TYPES,
    WARNING,
    Finding,
    course_health,
)
from tests.authoring.test_blocks import ASSET_TYPES, IMAGE, OBJECTIVE, uid
from tests.authoring.test_document_schema import block, page

EASY = (
    "<p>Pick up the phone within three rings. Say your name and the name of the team. "
    "Ask how you can help. Listen to the caller. Write down the name and the number. "
    "Repeat the question in your own words. Give a clear answer, or say when you will "
    "call back. Thank the caller and say goodbye.</p>"
)
HARD = (
    "<p>Organisational communication effectiveness considerations necessitate comprehensive "
    "consideration of interdepartmental responsibilities, particularly regarding "
    "customer-facing representatives' accountability for documentation, escalation "
    "procedures, and the systematic categorisation of unresolved telephone enquiries "
    "according to predetermined prioritisation methodologies, notwithstanding exceptional "
    "circumstances necessitating individualised management intervention and authorisation.</p>"
)
EASY_NL = (
    "<p>Neem de telefoon op binnen drie keer. Zeg je naam en de naam van je team. Vraag hoe "
    "je kunt helpen. Luister goed naar de beller. Schrijf de naam en het nummer op. Zeg de "
    "vraag in je eigen woorden. Geef een duidelijk antwoord of zeg wanneer je terugbelt. "
    "Bedank de beller en zeg gedag.</p>"
)
HARD_NL = (
    "<p>De implementatie van organisatiebrede verantwoordelijkheidsstructuren vereist "
    "uitgebreide afstemming tussen verschillende belanghebbenden, waarbij de "
    "klantgerichte medewerkers verantwoordelijk blijven voor de zorgvuldige documentatie "
    "van onopgeloste telefonische vragen, de escalatieprocedures en de systematische "
    "categorisering volgens vooraf vastgestelde prioriteringsmethodieken, behoudens "
    "uitzonderlijke omstandigheden die individuele managementinterventie vereisen.</p>"
)


def text(html: str, name: str) -> dict[str, Any]:
    return block("rich_text", {"text": html}, name=name)


def good_document() -> dict[str, Any]:
    """A short course that follows every rule: all clear."""
    questions = [block(t) for t in ("single_choice", "multiple_choice", "true_false")]
    return {
        "schema_version": 1,
        "course": {
            "id": uid("course"),
            "title": "Answering the phone",
            "description": "",
            "language": "en",
            "category": None,
            "tags": [],
            "objectives": [{"id": OBJECTIVE, "text": "Greet a caller by name."}],
            "estimated_minutes": 5,
            "cover_image": None,
        },
        "sections": [
            {
                "id": uid("section-1"),
                "title": "Basics",
                "pages": [
                    page("intro", "content", [text(EASY, "easy"), block("image")]),
                    page(
                        "quiz",
                        "quiz",
                        questions,
                        {"passing_score": 80, "attempts": 0, "random_order": False},
                    ),
                ],
            }
        ],
        "assets": [
            {
                "id": IMAGE,
                "filename": "headset.png",
                "content_type": ASSET_TYPES[IMAGE],
                "size": 10,
                "checksum": "sha256:" + "0" * 64,
            }
        ],
    }


def pages(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return doc["sections"][0]["pages"]


def find_block(doc: dict[str, Any], type_name: str) -> dict[str, Any]:
    for pg in pages(doc):
        for blk in pg["blocks"]:
            if blk["type"] == type_name:
                return blk
    raise AssertionError(type_name)


def fired(doc: dict[str, Any], rule: str, language: str = "en") -> list[Finding]:
    return [f for f in course_health(doc, language=language) if f.rule == rule]


# --- the good course -------------------------------------------------------------------------------


def test_the_good_course_is_valid_and_all_clear():
    doc = good_document()
    assert validate_document(doc) == []
    assert course_health(doc, language="en") == []


def test_every_rule_has_a_stable_id_a_severity_and_translated_advice():
    ids = [r.id for r in RULES]
    assert ids == [
        "objectives_missing",
        "objective_unassessed",
        "page_too_long",
        "course_too_long",
        "image_alt_missing",
        "question_feedback_missing",
        "quiz_too_few_questions",
        "page_readability",
        "text_only_pages",
    ]
    for r in RULES:
        assert r.severity in (WARNING, INFO)
        assert str(r.why).strip()
        assert str(r.how_to_fix).strip()


def test_text_only_types_are_registered_content_types():
    registered = {bt.type: bt.family for bt in block_types()}
    assert all(registered.get(t) == "content" for t in TEXT_ONLY_TYPES)


# --- objectives ------------------------------------------------------------------------------------


def test_no_objectives_fires():
    doc = good_document()
    doc["course"]["objectives"] = []
    [finding] = fired(doc, "objectives_missing")
    assert finding.severity == WARNING
    assert (finding.page_id, finding.block_id) == (None, None)
    assert finding.why
    assert finding.how_to_fix
    assert not fired(doc, "objective_unassessed")


def test_an_objective_no_question_names_fires_with_its_text():
    doc = good_document()
    doc["course"]["objectives"].append({"id": uid("objective-2"), "text": "Transfer a call."})
    [finding] = fired(doc, "objective_unassessed")
    assert "“Transfer a call”" in finding.message
    assert not fired(good_document(), "objective_unassessed")


def test_an_objective_named_only_by_a_content_block_is_unassessed():
    doc = good_document()
    for blk in pages(doc)[1]["blocks"]:
        blk["data"]["objective_ids"] = []
    assert len(fired(doc, "objective_unassessed")) == 1


# --- length ----------------------------------------------------------------------------------------


def test_a_page_over_300_words_fires():
    doc = good_document()
    intro = pages(doc)[0]
    intro["blocks"].append(text(EASY * 6, "long"))
    [finding] = fired(doc, "page_too_long")
    assert finding.page_id == intro["id"]
    assert finding.block_id is None
    assert "words" in finding.message


def test_a_page_just_under_300_words_is_quiet():
    doc = good_document()
    pages(doc)[0]["blocks"] = [text(" ".join(["word"] * 299), "words")]
    assert not fired(doc, "page_too_long")


def test_a_course_over_15_minutes_fires():
    doc = good_document()
    doc["course"]["estimated_minutes"] = 20
    [finding] = fired(doc, "course_too_long")
    assert "20" in finding.message
    doc["course"]["estimated_minutes"] = 15
    assert not fired(doc, "course_too_long")


def test_without_an_estimate_the_course_length_is_computed():
    doc = good_document()
    doc["course"]["estimated_minutes"] = None
    assert not fired(doc, "course_too_long")
    section = doc["sections"][0]
    for n in range(12):  # 12 pages × 300 words = 3,600 words: 18 minutes of reading
        section["pages"].append(
            page(f"more-{n}", "content", [text(" ".join(["word"] * 300), f"words-{n}")])
        )
    assert len(fired(doc, "course_too_long")) == 1


# --- images ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("alt", ["", "   ", "IMG_1234.jpg", "headset.png", "Image", "foto"])
def test_an_image_without_a_real_alt_text_fires(alt):
    doc = good_document()
    image = find_block(doc, "image")
    image["data"]["alt"] = alt
    [finding] = fired(doc, "image_alt_missing")
    assert finding.block_id == image["id"]
    assert finding.page_id == pages(doc)[0]["id"]
    assert finding.severity == WARNING


def test_a_decorative_image_needs_no_alt_text():
    doc = good_document()
    image = find_block(doc, "image")
    image["data"].update(alt="", decorative=True)
    assert not fired(doc, "image_alt_missing")


def test_a_hotspot_image_without_alt_text_fires():
    doc = good_document()
    hotspot = block("hotspot")
    pages(doc)[1]["blocks"].append(hotspot)
    assert not fired(doc, "image_alt_missing")
    hotspot["data"]["alt"] = ""
    [finding] = fired(doc, "image_alt_missing")
    assert finding.block_id == hotspot["id"]


# --- questions -------------------------------------------------------------------------------------


def test_feedback_a_learner_sees_only_after_answering_does_not_make_a_page_long():
    doc = good_document()
    question = find_block(doc, "single_choice")
    long_feedback = "<p>" + " ".join(["because"] * 400) + "</p>"
    question["data"]["feedback"] = {"correct": long_feedback, "incorrect": long_feedback}
    assert not fired(doc, "page_too_long")
    question["data"]["prompt"] = long_feedback  # the prompt is read before answering
    [finding] = fired(doc, "page_too_long")
    assert finding.page_id is not None


def test_a_question_without_any_feedback_fires():
    doc = good_document()
    question = find_block(doc, "single_choice")
    question["data"]["feedback"] = {}
    for option in question["data"]["options"]:
        option.pop("feedback")
    [finding] = fired(doc, "question_feedback_missing")
    assert finding.block_id == question["id"]


def test_per_option_feedback_is_enough():
    doc = good_document()
    question = find_block(doc, "single_choice")
    question["data"]["feedback"] = {"correct": "", "incorrect": "<p> </p>"}
    assert not fired(doc, "question_feedback_missing")


def test_unscored_questions_need_no_feedback():
    doc = good_document()
    likert = block("likert")
    pages(doc)[1]["blocks"].append(likert)
    assert "feedback" not in likert["data"]
    assert not fired(doc, "question_feedback_missing")


def test_a_quiz_with_two_questions_fires():
    doc = good_document()
    quiz = pages(doc)[1]
    quiz["blocks"].pop()
    [finding] = fired(doc, "quiz_too_few_questions")
    assert finding.page_id == quiz["id"]
    assert "2" in finding.message


def test_a_quiz_drawing_two_of_three_fires():
    doc = good_document()
    pages(doc)[1]["settings"]["draw_count"] = 2
    assert len(fired(doc, "quiz_too_few_questions")) == 1
    pages(doc)[1]["settings"]["draw_count"] = 3
    assert not fired(doc, "quiz_too_few_questions")


def test_a_knowledge_check_with_one_question_is_fine():
    doc = good_document()
    quiz = pages(doc)[1]
    quiz.update(kind="knowledge_check", settings={})
    quiz["blocks"] = quiz["blocks"][:1]
    assert not fired(doc, "quiz_too_few_questions")


# --- readability ----------------------------------------------------------------------------------


def test_a_hard_english_page_fires_with_its_score():
    doc = good_document()
    intro = pages(doc)[0]
    intro["blocks"] = [text(HARD, "hard")]
    [finding] = fired(doc, "page_readability")
    assert finding.page_id == intro["id"]
    assert finding.severity == INFO
    assert "reading ease" in finding.message


def test_a_short_hard_page_is_skipped():
    doc = good_document()
    pages(doc)[0]["blocks"] = [text("<p>Organisational communication effectiveness.</p>", "s")]
    assert not fired(doc, "page_readability")


def test_dutch_courses_are_scored_with_flesch_douma():
    doc = good_document()
    doc["course"]["language"] = "nl"
    intro = pages(doc)[0]
    intro["blocks"] = [text(EASY_NL, "easy-nl")]
    assert not fired(doc, "page_readability", language="nl")
    intro["blocks"] = [text(HARD_NL, "hard-nl")]
    assert len(fired(doc, "page_readability", language="nl")) == 1


def test_languages_without_a_formula_are_not_scored():
    doc = good_document()
    pages(doc)[0]["blocks"] = [text(HARD, "hard")]
    assert not fired(doc, "page_readability", language="de")


# --- variety ----------------------------------------------------------------------------------------


def _text_pages(n: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        page(f"text-{i}", "content", [text(EASY, f"t{i}"), block("callout", name=f"c{i}")])
        for i in range(start, start + n)
    ]


def test_three_text_only_pages_in_a_row_fire_once_at_the_third():
    doc = good_document()
    run = _text_pages(4)
    doc["sections"][0]["pages"][1:1] = run
    [finding] = fired(doc, "text_only_pages")
    assert finding.page_id == run[2]["id"]
    assert "4 pages" in finding.message


def test_runs_count_across_sections():
    doc = good_document()
    doc["sections"][0]["pages"][1:1] = _text_pages(2)
    doc["sections"].insert(
        1, {"id": uid("section-x"), "title": "More", "pages": _text_pages(1, start=5)}
    )
    doc["sections"][0]["pages"], moved = (
        doc["sections"][0]["pages"][:3],
        doc["sections"][0]["pages"][3:],
    )
    doc["sections"][1]["pages"] += moved
    # intro (text + image) | text-0 | text-1 ‖ text-5 | quiz: a run of three across the break.
    assert len(fired(doc, "text_only_pages")) == 1


def test_two_text_pages_or_an_interaction_between_are_quiet():
    doc = good_document()
    doc["sections"][0]["pages"][1:1] = _text_pages(2)
    assert not fired(doc, "text_only_pages")
    doc = good_document()
    run = _text_pages(3)
    run[1]["blocks"].append(block("accordion"))
    doc["sections"][0]["pages"][1:1] = run
    assert not fired(doc, "text_only_pages")


# --- the whole ------------------------------------------------------------------------------------


def test_warnings_come_first_then_course_order():
    doc = good_document()
    doc["course"]["estimated_minutes"] = 40
    find_block(doc, "image")["data"]["alt"] = ""
    pages(doc)[1]["blocks"].pop()
    findings = course_health(doc, language="en")
    assert [f.rule for f in findings] == [
        "image_alt_missing",
        "quiz_too_few_questions",
        "course_too_long",
    ]
    assert all(isinstance(f.message, str) and isinstance(f.why, str) for f in findings)


def test_a_malformed_document_gives_advice_not_an_error():
    doc = good_document()
    broken = copy.deepcopy(doc)
    broken["sections"][0]["pages"][0]["blocks"].append({"id": "x", "type": "marquee"})
    broken["sections"].append("nonsense")
    broken["course"]["objectives"] = "none"
    rules = {f.rule for f in course_health(broken, language="en")}
    assert "objectives_missing" in rules
    assert [f.rule for f in course_health({}, language="en")] == ["objectives_missing"]


def test_the_computed_length_matches_the_course_service():
    from authoring.health import CourseView, estimated_minutes
    from authoring.services.courses import course_estimated_minutes
    from tests.authoring.test_document_schema import document

    for doc in (good_document(), document()):
        doc["course"]["estimated_minutes"] = None
        assert estimated_minutes(CourseView.of(doc, language="en")) == course_estimated_minutes(doc)


def test_malformed_block_data_counts_as_empty():
    doc = good_document()
    doc["course"]["estimated_minutes"] = None
    blocks = pages(doc)[0]["blocks"]
    blocks += [
        {"id": "a", "type": "image", "data": {"alt": 5, "asset": 7}},
        {"id": "b", "type": "rich_text", "data": {"text": 5}},
        {"id": "c", "type": "single_choice", "data": {"options": "x", "feedback": 3}},
        {"id": "d", "type": "table", "data": {"columns": 5, "rows": [1, {"cells": 3}]}},
        {"id": "e", "type": "fill_in_blanks", "data": {"gaps": [{"answers": 5}], "text": None}},
        {"id": "f", "type": "hotspot", "data": None},
    ]
    pages(doc)[1]["settings"] = None
    rules = [f.rule for f in course_health(doc, language="en")]
    assert "question_feedback_missing" in rules  # the malformed question has none
