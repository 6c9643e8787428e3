"""The page editor (its DOM is the JavaScript's contract), the new-block fragment for every
block type, page settings, and the learner preview with its frame."""

from __future__ import annotations

import copy
import re
import uuid

import pytest

from authoring.blocks import block_types, get_block_type
from authoring.models import Page, Section
from authoring.services.blocks import page_apply_operations
from authoring.services.coauthors import course_author_add
from authoring.services.courses import course_create
from authoring.services.structure import page_create
from tests.authoring.editor_dom import parse
from tests.authoring.test_blocks import ALL_TYPES, EXAMPLES
from tests.authoring.test_editor_forms import AUTHOR_MUST_FILL
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

XSS = '<p>Hi<script>alert("x")</script><img src=x onerror=alert(1)></p>'


def question(type_name: str) -> dict:
    """An example question without links to objectives this test's course does not have."""
    data = copy.deepcopy(EXAMPLES[type_name])
    data["objective_ids"] = []
    return data


def make_page(world, blocks=(), owner=None, kind="content"):
    """A course of the world's author with one page holding `blocks` (type → data)."""
    with world.scope():
        course = course_create(
            actor=owner or world.author, title="Phone skills", objectives=["Answer calls"]
        )
        page = Page.objects.get(section__course=course)
        if kind != "content":
            page = page_create(actor=owner or world.author, section=page.section, kind=kind)
        operations = [
            {"op": "insert", "index": i, "block": {"type": t, "data": copy.deepcopy(d)}}
            for i, (t, d) in enumerate(blocks)
        ]
        if operations:
            page_apply_operations(
                actor=owner or world.author,
                page=page,
                base_version=page.version,
                operations=operations,
            )
            page.refresh_from_db()
    return course, page


def editor_url(course, page) -> str:
    return f"/courses/{course.uuid}/pages/{page.uuid}/"


def test_page_editor_opens_for_owner_coauthor_and_reviewer(acme):
    course, page = make_page(acme, [("rich_text", EXAMPLES["rich_text"])])
    with acme.scope():
        coauthor = MembershipFactory(roles=["author"])
        course_author_add(actor=acme.author, course=course, member=coauthor)
    for member in (acme.author, coauthor, acme.reviewer):
        assert acme.client_for(member).get(editor_url(course, page)).status_code == 200


def test_page_editor_is_404_for_strangers_and_other_tenants_and_403_for_learners(acme, globex):
    course, page = make_page(acme)
    with acme.scope():
        stranger = MembershipFactory(roles=["author"])
    assert acme.client_for(stranger).get(editor_url(course, page)).status_code == 404
    assert globex.client_for(globex.admin).get(editor_url(course, page)).status_code == 404
    assert acme.client_for(acme.learner).get(editor_url(course, page)).status_code == 403
    # The page of one course under another course's address: 404.
    other, _other_page = make_page(acme)
    assert acme.client_for(acme.author).get(editor_url(other, page)).status_code == 404


def test_page_editor_follows_the_dom_contract(acme):
    blocks = [
        ("rich_text", EXAMPLES["rich_text"]),
        ("single_choice", question("single_choice")),
        ("callout", EXAMPLES["callout"]),
    ]
    course, page = make_page(acme, blocks)
    with acme.scope():
        page_create(actor=acme.author, section=page.section, title="Second page")
    response = acme.client_for(acme.author).get(editor_url(course, page))
    body = response.content.decode()
    root = parse(body)
    main = next(n for n in root.iter() if n.tag == "main")
    assert main.has("data-editor")
    assert main.get("data-course-uuid") == str(course.uuid)
    assert main.get("data-page-uuid") == str(page.uuid)
    assert main.get("data-page-version") == str(page.version)
    assert main.get("data-ops-url") == f"/api/v1/pages/{page.uuid}/operations/"
    assert main.get("data-presence-url") == f"/api/v1/courses/{course.uuid}/presence/"
    assert main.get("data-block-new-url") == f"/courses/{course.uuid}/pages/{page.uuid}/blocks/new/"
    script = next(n for n in root.iter() if n.get("id") == "page-blocks")
    assert script.get("type") == "application/json"
    items = [n for n in root.iter() if n.has("data-block")]
    assert [i.get("data-block-type") for i in items] == ["rich_text", "single_choice", "callout"]
    assert [i.get("data-block-id") for i in items] == [b["id"] for b in page.blocks]
    first = items[0]
    assert first.get("tabindex") == "-1"
    assert first.parent.has("data-block-list")
    actions = {n.get("data-action") for n in first.iter() if n.has("data-action")}
    assert {"move-up", "move-down", "duplicate", "delete", "move-to-page"} <= actions
    assert any(n.has("data-drag-handle") for n in first.iter())
    assert any(n.has("data-block-form") for n in first.iter())
    assert any(n.has("data-block-errors") and n.get("aria-live") for n in first.iter())
    move = next(n for n in first.iter() if n.has("data-move-target"))
    assert "Second page" in move.text_content()
    palette = [n.get("data-block-type") for n in root.iter() if n.get("data-action") == "insert"]
    assert palette == [bt.type for bt in block_types()]
    status = next(n for n in root.iter() if n.has("data-save-status"))
    assert status.get("role") == "status"
    assert status.get("aria-live") == "polite"
    dialog = next(n for n in root.iter() if n.tag == "dialog")
    assert dialog.has("data-conflict")
    assert "Your text" in body
    assert "Their text" in body
    assert {"keep-mine", "keep-theirs", "copy-mine"} <= {
        n.get("data-conflict-action") for n in dialog.iter()
    }
    assert any(n.has("data-undo") for n in root.iter())
    assert any(n.has("data-presence") and n.get("aria-live") for n in root.iter())
    assert f"/course-tools/{course.uuid}/health/" in body
    assert 'id="editor-messages"' in body
    # The palette is grouped and every button has its hint.
    assert "Questions" in body
    assert "Click the right place on an image." in body


def test_page_editor_never_shows_stored_markup_raw(acme):
    data = question("single_choice")
    data["prompt"] = XSS
    course, page = make_page(acme, [("single_choice", data)])
    # Whatever the service stored, write a raw payload into the row as an import bug might.
    with acme.scope():
        blocks = copy.deepcopy(page.blocks)
        blocks[0]["data"]["prompt"] = XSS
        blocks[0]["data"]["options"][0]["text"] = '"><script>alert(2)</script>'
        Page.objects.filter(pk=page.pk).update(blocks=blocks)
    body = acme.client_for(acme.author).get(editor_url(course, page)).content.decode()
    # The block JSON for the editor's script is escaped JSON: no "<" inside it at all.
    start = body.index('<script id="page-blocks" type="application/json">')
    end = body.index("</script>", start)
    data_script, html = body[start + 50 : end], body[:start] + body[end:]
    assert "<" not in data_script
    assert "\\u003Cscript" in data_script
    assert "<script>alert" not in html
    assert "onerror" not in html
    assert "<img src=x" not in html


@pytest.mark.parametrize("type_name", ALL_TYPES)
def test_new_block_fragment_for_every_type(acme, type_name):
    course, page = make_page(acme)
    url = f"/courses/{course.uuid}/pages/{page.uuid}/blocks/new/?type={type_name}"
    response = acme.client_for(acme.author).get(url)
    assert response.status_code == 200
    root = parse(response.content.decode())
    items = [n for n in root.iter() if n.has("data-block")]
    assert len(items) == 1
    assert items[0].tag == "li"
    assert items[0].get("data-block-type") == type_name
    assert uuid.UUID(items[0].get("data-block-id"))
    assert any(n.has("data-block-form") for n in items[0].iter())
    # Not saved: the page is as it was.
    with acme.scope():
        page.refresh_from_db()
    assert page.blocks == []
    problems = get_block_type(type_name).validate(
        __import__("authoring.editor_forms", fromlist=["default_data"]).default_data(type_name)
    )
    assert {p.code for p in problems} <= AUTHOR_MUST_FILL


def test_new_block_ids_are_fresh_and_unknown_types_are_refused(acme):
    course, page = make_page(acme)
    client = acme.client_for(acme.author)
    url = f"/courses/{course.uuid}/pages/{page.uuid}/blocks/new/"
    ids = {
        re.search(
            r'data-block-id="([^"]+)"', client.get(url + "?type=divider").content.decode()
        ).group(1)
        for _ in range(3)
    }
    assert len(ids) == 3
    response = client.get(url + "?type=nope")
    assert response.status_code == 400
    assert "Unknown block type" in response.content.decode()
    assert acme.client_for(acme.learner).get(url + "?type=divider").status_code == 403


def test_page_settings_save_a_quiz_and_refuse_bad_values(acme):
    course, page = make_page(acme)
    client = acme.client_for(acme.author)
    response = client.post(
        editor_url(course, page),
        {
            "title": "Final quiz",
            "kind": "quiz",
            "passing_score": "70",
            "attempts": "3",
            "random_order": "on",
        },
    )
    assert response.status_code == 302
    with acme.scope():
        page.refresh_from_db()
    assert page.title == "Final quiz"
    assert page.kind == "quiz"
    assert page.settings == {
        "passing_score": 70,
        "attempts": 3,
        "random_order": True,
        "draw_count": None,
    }
    response = client.post(
        editor_url(course, page),
        {
            "title": "Final quiz",
            "kind": "quiz",
            "passing_score": "70",
            "attempts": "0",
            "draw_count": "5",
        },
    )
    assert response.status_code == 400
    assert "only 0 questions" in response.content.decode()
    with acme.scope():
        page.refresh_from_db()
    assert page.settings["draw_count"] is None
    response = client.post(editor_url(course, page), {"title": "", "kind": "quiz"})
    assert response.status_code == 400


# --- preview -------------------------------------------------------------------------------------


def test_preview_switches_width_and_navigates_pages(acme):
    course, page = make_page(acme, [("rich_text", EXAMPLES["rich_text"])])
    with acme.scope():
        second = page_create(actor=acme.author, section=page.section, title="Second page")
    client = acme.client_for(acme.author)
    body = client.get(f"/courses/{course.uuid}/preview/?width=phone").content.decode()
    assert "preview-frame--phone" in body
    assert "style=" not in body.split("<main", 1)[1]
    assert f"/courses/{course.uuid}/preview/{page.uuid}/frame/" in body
    assert f"/courses/{course.uuid}/preview/{second.uuid}/?width=phone" in body  # next page
    assert "Page 1 of 2" in body
    body = client.get(
        f"/courses/{course.uuid}/preview/{second.uuid}/?width=tablet"
    ).content.decode()
    assert "preview-frame--tablet" in body
    assert "Page 2 of 2" in body
    assert 'rel="prev"' in body
    assert client.get(f"/courses/{course.uuid}/preview/{uuid.uuid4()}/").status_code == 404


def test_only_the_preview_frame_may_be_framed_and_only_by_us(acme):
    course, page = make_page(acme, [("rich_text", EXAMPLES["rich_text"])])
    client = acme.client_for(acme.author)
    frame = client.get(f"/courses/{course.uuid}/preview/{page.uuid}/frame/")
    assert frame.status_code == 200
    assert "frame-ancestors 'self'" in frame["Content-Security-Policy"]
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    assert "Welcome" in frame.content.decode()
    chrome = client.get(f"/courses/{course.uuid}/preview/")
    assert "frame-ancestors 'none'" in chrome["Content-Security-Policy"]
    frame_src = next(
        d for d in chrome["Content-Security-Policy"].split(";") if d.strip().startswith("frame-src")
    )
    assert "'self'" in frame_src.split()
    editor = client.get(editor_url(course, page))
    assert "frame-ancestors 'none'" in editor["Content-Security-Policy"]
    assert editor["X-Frame-Options"] == "DENY"


def test_preview_is_404_for_other_tenants_and_403_for_learners(acme, globex):
    course, page = make_page(acme)
    assert (
        globex.client_for(globex.admin).get(f"/courses/{course.uuid}/preview/").status_code == 404
    )
    frame = f"/courses/{course.uuid}/preview/{page.uuid}/frame/"
    assert globex.client_for(globex.admin).get(frame).status_code == 404
    assert acme.client_for(acme.learner).get(frame).status_code == 403


def test_a_course_without_pages_previews_an_empty_state(acme):
    course, _page = make_page(acme)
    with acme.scope():
        Section.objects.filter(course=course).delete()
    body = acme.client_for(acme.author).get(f"/courses/{course.uuid}/preview/").content.decode()
    assert "no pages yet" in body


def _every_page(course, page, revision_number) -> list[str]:
    base = f"/courses/{course.uuid}"
    return [
        f"{base}/",
        f"{base}/pages/{page.uuid}/",
        f"{base}/pages/{page.uuid}/blocks/new/?type=rich_text",
        f"{base}/preview/",
        f"{base}/preview/{page.uuid}/",
        f"{base}/preview/{page.uuid}/frame/",
        f"{base}/revisions/{revision_number}/",
    ]


def test_every_editor_page_answers_by_role_and_tenant(acme, globex):
    from authoring.services.revisions import revision_create

    course, page = make_page(acme, [("rich_text", EXAMPLES["rich_text"])])
    with acme.scope():
        coauthor = MembershipFactory(roles=["author"])
        stranger = MembershipFactory(roles=["author"])
        course_author_add(actor=acme.author, course=course, member=coauthor)
        revision = revision_create(actor=acme.author, course=course)
    urls = _every_page(course, page, revision.number)
    for member in (acme.author, coauthor, acme.reviewer):
        client = acme.client_for(member)
        for url in urls:
            assert client.get(url).status_code == 200, (member, url)
    expectations = [
        (acme.client_for(stranger), 404),
        (globex.client_for(globex.admin), 404),
        (acme.client_for(acme.learner), 403),
    ]
    for client, status in expectations:
        for url in urls:
            assert client.get(url).status_code == status, (status, url)


@pytest.mark.parametrize(
    ("status", "says"),
    [
        ("draft", None),
        ("in_review", "needs a new review round"),
        ("approved", "needs a new review round"),
        ("published", "until the next publication"),
    ],
)
def test_the_editor_says_what_editing_means_in_each_state(acme, status, says):
    """Submitted, approved or published: the author learns that edits stay in the draft."""
    from authoring.models import Course

    course, page = make_page(acme, [("rich_text", EXAMPLES["rich_text"])])
    with acme.scope():
        Course.objects.filter(pk=course.pk).update(status=status)
    client = acme.client_for(acme.author)
    for url in (editor_url(course, page), f"/courses/{course.uuid}/"):
        html = client.get(url).content.decode()
        if says is None:
            assert "data-status-notice" not in html
        else:
            assert "data-status-notice" in html
            assert says in html
