"""Course templates: the shipped starter templates, the tenant's own, using and marking them.

Covers authoring.template_library, the "Start a course" pages (new-course/) and the
templates API (/api/v1/templates/, /api/v1/courses/<uuid>/template/).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.urls import reverse

from authoring.blocks import QUESTION, QuestionType, get_block_type
from authoring.document import course_document_build
from authoring.document_schema import sanitize_document, validate_document
from authoring.models import Course, Page, Section
from authoring.template_library import (
    STARTER_DIR,
    STARTER_KEYS,
    STARTER_LANGUAGES,
    course_create_from_template,
    course_mark_template,
    starter_document,
    template_list,
)
from egl_platform.errors import Forbidden, NotFound
from tenants.models import AuditEvent
from tests.api_helpers import assert_error
from tests.authoring.test_blocks import EXAMPLES
from tests.factories import AssetFactory, CourseFactory, PageFactory, SectionFactory

MEDIA_TYPES = {"image", "video", "audio", "file", "hotspot"}
STARTERS = [(key, language) for key in STARTER_KEYS for language in STARTER_LANGUAGES]


def _blocks(document):
    for section in document["sections"]:
        for page in section["pages"]:
            yield from page["blocks"]


def _is_id(value):
    return len(value) == 36 and value.count("-") == 4


def _shape(document):
    """The structure without the words: ids, kinds, block types, settings, answers."""

    def strip(value):
        if isinstance(value, dict):
            return {
                k: strip(v)
                for k, v in value.items()
                if k in ("id", "right_id", "correct", "correct_answer", "objective_ids", "points")
                or isinstance(v, dict | list)
            }
        if isinstance(value, list):
            return [strip(v) for v in value]
        return "<text>" if isinstance(value, str) and not _is_id(value) else value

    return {
        "objectives": [o["id"] for o in document["course"]["objectives"]],
        "minutes": document["course"]["estimated_minutes"],
        "category": document["course"]["category"],
        "sections": [
            {
                "id": s["id"],
                "pages": [
                    {
                        "id": p["id"],
                        "kind": p["kind"],
                        "settings": p["settings"],
                        "blocks": [(b["id"], b["type"], strip(b["data"])) for b in p["blocks"]],
                    }
                    for p in s["pages"]
                ],
            }
            for s in document["sections"]
        ],
    }


# --- the shipped starter templates --------------------------------------------------------------


def test_every_starter_template_is_shipped_in_every_language_and_nothing_else():
    expected = {f"{key}.{language}.json" for key, language in STARTERS}
    assert {p.name for p in Path(STARTER_DIR).glob("*.json")} == expected
    assert set(STARTER_KEYS) == {
        "microlearning",
        "job-aid",
        "onboarding",
        "product-update",
        "process-training",
        "customer-conversation",
    }


@pytest.mark.parametrize(("key", "language"), STARTERS)
def test_starter_template_is_a_valid_course_document_that_survives_sanitising(key, language):
    document = starter_document(key, language)
    assert validate_document(document) == []
    assert sanitize_document(document) == document  # nothing the sanitiser would change
    course = document["course"]
    assert course["language"] == language
    assert course["title"].strip()
    assert course["description"].strip()
    assert course["category"]
    assert 2 <= course["estimated_minutes"] <= 20
    assert document["assets"] == []
    assert course["cover_image"] is None


@pytest.mark.parametrize(("key", "language"), STARTERS)
def test_starter_template_assesses_every_objective_with_a_scored_question(key, language):
    document = starter_document(key, language)
    objectives = {o["id"] for o in document["course"]["objectives"]}
    assert 2 <= len(objectives) <= 3
    assessed = set()
    for block in _blocks(document):
        block_type = get_block_type(block["type"])
        if block_type.family == QUESTION and "points" in block["data"]:
            assert isinstance(block_type, QuestionType)
            assert block["data"]["objective_ids"], f"{block['id']} assesses no objective"
            feedback = block["data"]["feedback"]
            assert feedback.get("correct"), block["id"]
            assert feedback.get("incorrect"), block["id"]
            assessed.update(block["data"]["objective_ids"])
    assert assessed == objectives


@pytest.mark.parametrize(("key", "language"), STARTERS)
def test_starter_template_needs_no_media_and_guides_the_author(key, language):
    document = starter_document(key, language)
    types = [b["type"] for b in _blocks(document)]
    assert not set(types) & MEDIA_TYPES
    assert "rich_text" in types or "callout" in types
    assert {"callout", "rich_text"} & set(types)
    assert set(types) <= set(EXAMPLES)
    pages = [p for s in document["sections"] for p in s["pages"]]
    assert len(pages) >= 3
    assert any(p["kind"] in ("knowledge_check", "quiz") for p in pages)


@pytest.mark.parametrize("key", STARTER_KEYS)
def test_english_and_dutch_starter_templates_have_the_same_structure_in_other_words(key):
    english, dutch = starter_document(key, "en"), starter_document(key, "nl")
    assert _shape(english) == _shape(dutch)
    # ... and really are translated, not copied.
    assert english["course"]["title"] != dutch["course"]["title"]
    english_texts = json.dumps([b["data"] for b in _blocks(english)], ensure_ascii=False)
    dutch_texts = json.dumps([b["data"] for b in _blocks(dutch)], ensure_ascii=False)
    assert english_texts != dutch_texts
    assert [o["text"] for o in english["course"]["objectives"]] != [
        o["text"] for o in dutch["course"]["objectives"]
    ]


def test_starter_document_is_a_fresh_copy_each_time():
    first = starter_document("job-aid", "en")
    first["course"]["title"] = "changed"
    assert starter_document("job-aid", "en")["course"]["title"] != "changed"


@pytest.mark.parametrize(("key", "language"), [("nope", "en"), ("job-aid", "de"), ("../x", "en")])
def test_unknown_starter_template_is_not_found(key, language):
    with pytest.raises(NotFound):
        starter_document(key, language)


# --- template_list ------------------------------------------------------------------------------


def _tenant_template(world, title="Acme house style", **kwargs):
    with world.scope():
        course = CourseFactory(
            title=title, is_template=True, owner=world.reviewer, objectives=[], **kwargs
        )
        section = SectionFactory(course=course, title="Part one", position=0)
        PageFactory(section=section, title="First page", position=0)
        PageFactory(section=section, title="Second page", position=1)
    return course


def test_template_list_puts_starters_in_the_ui_language_first_then_own_templates(acme, globex):
    own = _tenant_template(acme, language="en")
    _tenant_template(acme, title="Another one", language="nl")
    with acme.scope():
        CourseFactory(title="Not a template", owner=acme.author)
    _tenant_template(globex, title="Globex secret template")
    with acme.scope():
        dutch = template_list(actor=acme.author, language="nl")
        unknown = template_list(actor=acme.author, language="de")

    starters = [t for t in dutch if t.source == "starter"]
    assert [t.key for t in starters] == [f"starter:{k}.nl" for k in STARTER_KEYS]
    assert dutch[: len(STARTER_KEYS)] == starters
    assert {t.language for t in starters} == {"nl"}
    tenant = [t for t in dutch if t.source == "tenant"]
    assert [t.title for t in tenant] == ["Acme house style", "Another one"]  # any language
    house = tenant[0]
    assert house.key == f"course:{own.uuid}"
    assert [(s.title, s.pages) for s in house.outline] == [
        ("Part one", ("First page", "Second page"))
    ]
    assert {t.language for t in unknown if t.source == "starter"} == {"en"}  # fallback
    assert "Globex secret template" not in {t.title for t in dutch}


def test_template_list_costs_few_queries(acme, django_assert_max_num_queries):
    for n in range(5):
        _tenant_template(acme, title=f"Template {n}")
    with acme.scope(), django_assert_max_num_queries(3):
        infos = template_list(actor=acme.author, language="en")
    assert len([t for t in infos if t.source == "tenant"]) == 5


def test_learner_may_not_list_templates(acme):
    with acme.scope(), pytest.raises(Forbidden):
        template_list(actor=acme.learner, language="en")


# --- using a template ---------------------------------------------------------------------------


def test_using_a_starter_template_copies_its_structure_with_new_ids(acme):
    template = starter_document("process-training", "nl")
    with acme.scope():
        first = course_create_from_template(
            actor=acme.author, template_key="starter:process-training.nl"
        )
        second = course_create_from_template(
            actor=acme.author, template_key="starter:process-training.nl", title="Mijn proces"
        )
        copies = [course_document_build(first), course_document_build(second)]
        events = list(
            AuditEvent.objects.filter(verb="course.created_from_template").values_list(
                "target_uuid", "data"
            )
        )
    assert first.owner_id == acme.author.pk
    assert first.status == "draft"
    assert not first.is_template
    assert first.language == "nl"
    assert first.title == template["course"]["title"]
    assert second.title == "Mijn proces"
    assert first.uuid != second.uuid
    for copy in copies:
        assert validate_document(copy) == []
        assert [o["text"] for o in copy["course"]["objectives"]] == [
            o["text"] for o in template["course"]["objectives"]
        ]
        assert [
            (s["title"], [(p["title"], p["kind"]) for p in s["pages"]]) for s in copy["sections"]
        ] == [
            (s["title"], [(p["title"], p["kind"]) for p in s["pages"]])
            for s in template["sections"]
        ]
        ids = {o["id"] for o in copy["course"]["objectives"]}
        assert ids.isdisjoint({o["id"] for o in template["course"]["objectives"]})
        assert {b["id"] for b in _blocks(copy)}.isdisjoint({b["id"] for b in _blocks(template)})
        # The questions point at the copy's own objectives.
        linked = {i for b in _blocks(copy) for i in b["data"].get("objective_ids", [])}
        assert linked == ids
    assert {b["id"] for b in _blocks(copies[0])}.isdisjoint({b["id"] for b in _blocks(copies[1])})
    assert {
        (str(first.uuid), "starter:process-training.nl"),
        (str(second.uuid), "starter:process-training.nl"),
    } == {(str(uuid), data["template"]) for uuid, data in events}


def test_using_a_tenant_template_copies_the_course_as_it_is_now(acme):
    with acme.scope():
        source = course_create_from_template(actor=acme.reviewer, template_key="starter:job-aid.en")
        Course.objects.filter(pk=source.pk).update(title="Acme returns desk", is_template=True)
        source.refresh_from_db()
        copy = course_create_from_template(actor=acme.author, template_key=f"course:{source.uuid}")
        original, copied = course_document_build(source), course_document_build(copy)
    assert copy.title == "Acme returns desk"
    assert copy.owner_id == acme.author.pk
    assert not copy.is_template
    assert copy.uuid != source.uuid
    assert _titles(copied) == _titles(original)
    assert {b["id"] for b in _blocks(copied)}.isdisjoint({b["id"] for b in _blocks(original)})


def test_a_tenant_template_with_an_image_copies_and_shares_the_asset(acme):
    with acme.scope():
        asset = AssetFactory()
        source = _tenant_template(acme)
        page = Page.objects.filter(section__course=source).first()
        page.blocks = [
            {
                "id": "2b0d8c4e-5a4f-4d3e-9d7e-1f0c6a9b8e71",
                "type": "image",
                "version": 1,
                "data": {"asset": str(asset.uuid), "alt": "Our desk", "decorative": False},
            }
        ]
        page.save()
        copy = course_create_from_template(actor=acme.author, template_key=f"course:{source.uuid}")
        copied = course_document_build(copy)
    image = next(b for b in _blocks(copied) if b["type"] == "image")
    assert image["data"]["asset"] == str(asset.uuid)
    assert image["id"] != "2b0d8c4e-5a4f-4d3e-9d7e-1f0c6a9b8e71"
    assert [a["id"] for a in copied["assets"]] == [str(asset.uuid)]


def _titles(document):
    return [(s["title"], [p["title"] for p in s["pages"]]) for s in document["sections"]]


@pytest.mark.parametrize(
    "key",
    [
        "starter:job-aid.de",
        "starter:nothing.en",
        "starter:job-aid",
        "course:not-a-uuid",
        "course:00000000-0000-0000-0000-000000000000",
        "job-aid.en",
        "",
    ],
)
def test_unknown_template_key_is_not_found_and_creates_nothing(acme, key):
    with acme.scope():
        before = Course.objects.count()
        with pytest.raises(NotFound):
            course_create_from_template(actor=acme.author, template_key=key)
        assert Course.objects.count() == before


def test_another_tenants_template_or_a_course_that_is_no_template_is_not_found(acme, globex):
    theirs = _tenant_template(globex)
    with acme.scope():
        mine = CourseFactory(owner=acme.author, is_template=False)
        for course in (theirs, mine):
            with pytest.raises(NotFound):
                course_create_from_template(actor=acme.author, template_key=f"course:{course.uuid}")
        assert Course.objects.count() == 1


def test_learner_cannot_use_a_template(acme):
    with acme.scope():
        with pytest.raises(Forbidden):
            course_create_from_template(actor=acme.learner, template_key="starter:job-aid.en")
        assert not Course.objects.exists()


# --- marking a course as template ---------------------------------------------------------------


def test_reviewer_marks_and_unmarks_a_template_with_audit(acme):
    with acme.scope():
        course = CourseFactory(owner=acme.author)
        version = course.version
        course_mark_template(actor=acme.reviewer, course=course, is_template=True)
        assert Course.objects.get(pk=course.pk).is_template
        course_mark_template(actor=acme.reviewer, course=course, is_template=True)  # no change
        course_mark_template(actor=acme.reviewer, course=course, is_template=False)
        fresh = Course.objects.get(pk=course.pk)
        verbs = list(
            AuditEvent.objects.filter(target_uuid=course.uuid)
            .order_by("id")
            .values_list("verb", flat=True)
        )
    assert not fresh.is_template
    assert fresh.version == version
    assert verbs == ["course.template_marked", "course.template_unmarked"]


def test_author_cannot_mark_a_template_even_of_their_own_course(acme):
    with acme.scope():
        course = CourseFactory(owner=acme.author)
        with pytest.raises(Forbidden):
            course_mark_template(actor=acme.author, course=course, is_template=True)
        assert not Course.objects.get(pk=course.pk).is_template
        assert not AuditEvent.objects.filter(verb__startswith="course.template").exists()


# --- HTML: new-course/ --------------------------------------------------------------------------

START = "/new-course/"
USE = "/new-course/templates/use/"


def toggle_url(course):
    return f"/new-course/templates/{course.uuid}/toggle/"


def test_route_names_resolve():
    assert reverse("templates:start") == START
    assert reverse("templates:use") == USE
    assert reverse("templates:wizard") == "/new-course/wizard/"
    uuid = "12345678-1234-5678-1234-567812345678"
    assert (
        reverse("templates:toggle", kwargs={"course_uuid": uuid})
        == f"/new-course/templates/{uuid}/toggle/"
    )


def test_start_page_offers_blank_templates_and_wizard(acme, globex):
    _tenant_template(acme, title="Acme house style")
    _tenant_template(globex, title="Globex secret template")
    response = acme.client_for(acme.author).get(START)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="title"' in body
    assert 'name="language"' in body
    assert reverse("templates:wizard") in body
    assert body.count('name="template_key"') == len(STARTER_KEYS) + 1
    assert "starter:microlearning.en" in body
    assert "Acme house style" in body
    assert "Globex secret template" not in body
    assert "5-minute microlearning" in body  # the English starter, for an English UI
    dutch = acme.client_for(acme.author).get(START + "?template_language=nl").content.decode()
    assert "starter:microlearning.nl" in dutch
    assert "Microlearning van 5 minuten" in dutch


def test_start_page_costs_a_constant_number_of_queries(acme, django_assert_max_num_queries):
    client = acme.client_for(acme.author)
    client.get(START)
    for n in range(6):
        _tenant_template(acme, title=f"Template {n}")
    with django_assert_max_num_queries(6):
        response = client.get(START)
    assert response.content.decode().count('name="template_key"') == len(STARTER_KEYS) + 6


def test_toggle_button_shows_only_to_curators(acme, rf):
    from django.template.loader import render_to_string

    with acme.scope():
        course = CourseFactory(owner=acme.author, is_template=True)
    html = render_to_string(
        "authoring/templates/_toggle.html", {"course": course, "can": {"content_curate": True}}
    )
    assert "Stop offering as template" in html
    assert f"/new-course/templates/{course.uuid}/toggle/" in html
    hidden = render_to_string(
        "authoring/templates/_toggle.html", {"course": course, "can": {"content_curate": False}}
    )
    assert "<form" not in hidden


def test_a_dutch_speaking_author_sees_the_dutch_starter_templates(acme):
    user = acme.author.user
    user.language = "nl"
    user.save(update_fields=["language"])
    body = acme.client_for(acme.author).get(START).content.decode()
    assert "starter:microlearning.nl" in body
    assert "starter:microlearning.en" not in body


@pytest.mark.parametrize("url", [START, "/new-course/wizard/"])
def test_learner_is_refused_the_pages(acme, url):
    client = acme.client_for(acme.learner)
    assert client.get(url).status_code == 403


def test_learner_cannot_post_anything(acme):
    client = acme.client_for(acme.learner)
    with acme.scope():
        course = CourseFactory(owner=acme.author)
    assert client.post(START, {"title": "Mine", "language": "en"}).status_code == 403
    assert client.post(USE, {"template_key": "starter:job-aid.en"}).status_code == 403
    assert client.post(toggle_url(course), {"is_template": "1"}).status_code == 403
    with acme.scope():
        assert Course.objects.count() == 1


def test_blank_course_form_creates_a_course(acme):
    response = acme.client_for(acme.author).post(
        START, {"title": "Phone etiquette", "language": "nl"}
    )
    assert response.status_code == 302
    with acme.scope():
        course = Course.objects.get(title="Phone etiquette")
        assert Section.objects.filter(course=course).count() == 1
    assert course.language == "nl"
    assert course.owner_id == acme.author.pk
    assert response["Location"] in (START, _edit_url(course))


def _edit_url(course):
    try:
        return reverse("authoring:course-edit", kwargs={"course_uuid": course.uuid})
    except Exception:  # the editor is not installed
        return START


@pytest.mark.parametrize(
    ("data", "field"),
    [({"title": "", "language": "en"}, "title"), ({"title": "X", "language": "de"}, "language")],
)
def test_blank_course_form_refuses_bad_input_and_saves_nothing(acme, data, field):
    response = acme.client_for(acme.author).post(START, data)
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    with acme.scope():
        assert not Course.objects.exists()


def test_use_this_template_creates_the_course_and_redirects(acme):
    response = acme.client_for(acme.author).post(
        USE, {"template_key": "starter:onboarding.en", "title": "Welcome to support"}
    )
    assert response.status_code == 302
    with acme.scope():
        course = Course.objects.get()
        pages = Page.objects.filter(section__course=course).count()
    assert course.title == "Welcome to support"
    assert pages == sum(len(s["pages"]) for s in starter_document("onboarding", "en")["sections"])
    assert response["Location"] == _edit_url(course)


def test_use_with_another_tenants_template_is_404_and_creates_nothing(acme, globex):
    theirs = _tenant_template(globex)
    response = acme.client_for(acme.admin).post(USE, {"template_key": f"course:{theirs.uuid}"})
    assert response.status_code == 404
    with acme.scope():
        assert not Course.objects.exists()


def test_use_with_a_too_long_title_is_400_and_creates_nothing(acme):
    response = acme.client_for(acme.author).post(
        USE, {"template_key": "starter:job-aid.en", "title": "x" * 201}
    )
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    with acme.scope():
        assert not Course.objects.exists()


def test_use_needs_post(acme):
    assert acme.client_for(acme.author).get(USE).status_code == 405


def test_reviewer_toggles_a_template_and_author_may_not(acme):
    with acme.scope():
        course = CourseFactory(owner=acme.author)
    author = acme.client_for(acme.author)
    assert author.post(toggle_url(course)).status_code == 403
    reviewer = acme.client_for(acme.reviewer)
    response = reviewer.post(toggle_url(course), {"next": START})
    assert response.status_code == 302
    assert response["Location"] == START
    with acme.scope():
        assert Course.objects.get(pk=course.pk).is_template
    # An explicit value is idempotent; without one the flag flips.
    reviewer.post(toggle_url(course), {"is_template": "1"})
    with acme.scope():
        assert Course.objects.get(pk=course.pk).is_template
    response = reviewer.post(toggle_url(course), {"next": "https://evil.example/"})
    assert response["Location"] != "https://evil.example/"
    with acme.scope():
        assert not Course.objects.get(pk=course.pk).is_template


def test_toggle_answers_htmx_with_the_button_fragment(acme):
    with acme.scope():
        course = CourseFactory(owner=acme.author)
    response = acme.client_for(acme.reviewer).post(
        toggle_url(course), {"is_template": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Stop offering as template" in body
    assert "<html" not in body
    assert 'name="is_template" value="0"' in body


def test_toggle_of_another_tenants_course_is_404(acme, globex):
    theirs = _tenant_template(globex)
    response = acme.client_for(acme.admin).post(toggle_url(theirs), {"is_template": "0"})
    assert response.status_code == 404
    with globex.scope():
        assert Course.objects.get(pk=theirs.pk).is_template
    assert acme.client_for(acme.admin).get(toggle_url(theirs)).status_code == 405


# --- API ----------------------------------------------------------------------------------------

API_LIST = "/api/v1/templates/"
API_USE = "/api/v1/templates/use/"


def api_flag(course):
    return f"/api/v1/courses/{course.uuid}/template/"


def test_api_lists_templates(acme, globex):
    _tenant_template(acme)
    _tenant_template(globex, title="Globex secret template")
    body = acme.client_for(acme.author).get(API_LIST + "?language=nl").json()
    assert [row["key"] for row in body[: len(STARTER_KEYS)]] == [
        f"starter:{k}.nl" for k in STARTER_KEYS
    ]
    assert set(body[0]) == {
        "key",
        "title",
        "description",
        "minutes",
        "source",
        "language",
        "category",
        "objectives",
        "outline",
    }
    assert body[0]["outline"][0]["pages"]
    assert [row["title"] for row in body if row["source"] == "tenant"] == ["Acme house style"]


def test_api_use_creates_a_course(acme):
    response = acme.client_for(acme.author).post(
        API_USE,
        {"template_key": "starter:customer-conversation.en"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    with acme.scope():
        course = Course.objects.get()
    assert body["uuid"] == str(course.uuid)
    assert body["title"] == starter_document("customer-conversation", "en")["course"]["title"]
    assert len(body["objectives"]) == 3


def test_api_use_errors(acme):
    client = acme.client_for(acme.author)
    assert_error(
        client.post(API_USE, {"template_key": "starter:x.en"}, content_type="application/json"),
        404,
        "not_found",
    )
    error = assert_error(client.post(API_USE, {}, content_type="application/json"), 400, "invalid")
    assert "template_key" in error["fields"]
    assert_error(
        acme.client_for(acme.learner).post(
            API_USE, {"template_key": "starter:job-aid.en"}, content_type="application/json"
        ),
        403,
        "forbidden",
    )
    assert_error(acme.client_for(acme.learner).get(API_LIST), 403, "forbidden")
    with acme.scope():
        assert not Course.objects.exists()


def test_api_marks_a_template_for_reviewers_only(acme, globex):
    with acme.scope():
        course = CourseFactory(owner=acme.author)
    reviewer = acme.client_for(acme.reviewer)
    response = reviewer.put(api_flag(course))
    assert response.status_code == 200
    assert response.json() == {"uuid": str(course.uuid), "is_template": True}
    assert_error(acme.client_for(acme.author).delete(api_flag(course)), 403, "forbidden")
    with acme.scope():
        assert Course.objects.get(pk=course.pk).is_template
    assert reviewer.delete(api_flag(course)).json()["is_template"] is False
    theirs = _tenant_template(globex)
    assert_error(acme.client_for(acme.admin).delete(api_flag(theirs)), 404, "not_found")
    with globex.scope():
        assert Course.objects.get(pk=theirs.pk).is_template
