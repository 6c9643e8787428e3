"""The player's rendering of every block type and of pages (authoring/rendering.py).

Every type renders from its example; questions never show answers or feedback; author
text cannot smuggle markup or script in (the XSS payload list, with the write-side
sanitiser bypassed); images, tables and embeds carry the accessibility and sandbox
attributes the player promises.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse

from authoring.blocks import QUESTION, block_types, get_block_type
from authoring.blocks.fields import Field, Group, Items, Text, TextList
from authoring.embeds import PROVIDERS, embed_url
from authoring.rendering import (
    AssetInfo,
    asset_infos,
    page_asset_ids,
    render_block,
    render_page,
)
from tests.authoring import load_xss_payloads
from tests.authoring.test_blocks import ASSET_TYPES, CAPTIONS, EXAMPLES, IMAGE, PDF, uid
from tests.factories import AssetFactory

ALL_TYPES = [bt.type for bt in block_types()]
QUESTION_TYPES = [bt.type for bt in block_types(QUESTION)]
PAYLOADS = load_xss_payloads()

ASSETS = {
    asset_id: AssetInfo(
        url=f"/files/{asset_id}/",
        content_type=content_type,
        width=800 if content_type.startswith(("image/", "video/")) else None,
        height=600 if content_type.startswith(("image/", "video/")) else None,
        filename=f"file-{content_type.split('/')[1]}",
        srcset=f"/files/{asset_id}/?w=400 400w, /files/{asset_id}/ 800w",
        size=150_000,
    )
    for asset_id, content_type in ASSET_TYPES.items()
}


def block(type_name: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "id": uid(f"block-{type_name}"),
        "type": type_name,
        "version": 1,
        "data": copy.deepcopy(EXAMPLES[type_name]) if data is None else data,
    }


def render(type_name: str, data: dict[str, Any] | None = None, **kwargs: Any) -> str:
    return str(render_block(block(type_name, data), assets=kwargs.pop("assets", ASSETS), **kwargs))


class _Collector(HTMLParser):
    """Start tags and their attributes, as the standard library's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector


def tags(html: str, name: str) -> list[dict[str, str | None]]:
    return [attrs for tag, attrs in parse(html).tags if tag == name]


def visible_text(html: str) -> str:
    return " ".join(" ".join(parse(html).text).split())


# --- every type renders --------------------------------------------------------------------------

KEY_TEXTS: dict[str, list[str]] = {
    "rich_text": ["<h2>Welcome</h2>", "<strong>world</strong>", 'href="https://example.com/"'],
    "callout": ["Tip", "Save often."],
    "accordion": ["<details", "<summary", "First", "Another <em>thing</em>."],
    "tabs": ["data-tabs", "First", "Second", "One thing."],
    "process_steps": ["<ol", "First", "Second"],
    "table": ["<caption", "Opening hours", "Monday", "9–17"],
    "quote": ["<blockquote>", "Less is more.", "<cite>Ludwig Mies van der Rohe</cite>"],
    "divider": ["<hr"],
    "button_link": ["Open the handbook", 'href="https://example.com/handbook"'],
    "image": ['alt="A headset on a desk"', "<figcaption>Our desk</figcaption>"],
    "video": ["<video", 'kind="captions"', 'srclang="en"', 'label="English"', "phone system"],
    "audio": ["<audio", "Transcript", "Good morning, how can I help?"],
    "file": ["Checklist (PDF)", "download=", "PDF", "146.5"],
    "embed": ["<iframe", 'title="Introduction video"', "youtube-nocookie.com/embed/"],
    "single_choice": ["Which colour?", "Option 0", "Option 3", 'type="radio"'],
    "multiple_choice": ["Which are fruit?", "Option 2", 'type="checkbox"'],
    "true_false": ["Water is wet.", "True", "False"],
    "fill_in_blanks": ["Fill in the capitals.", "France:", "Spain:", 'class="player-gap"'],
    "matching": ["France", "Spain", "Italy", "Paris", "Madrid", "Rome", "Lisbon", "<select"],
    "ordering": ["Put the steps in order.", "Step 0", "Step 3"],
    "hotspot": ["Click the power button.", 'alt="The front of the phone"'],
    "open_question": ["angry caller", "<textarea", 'maxlength="500"'],
    "likert": ["How sure are you?", "I can transfer a call.", "Not at all", "Very"],
}


def test_every_type_has_key_texts_and_a_template():
    assert set(KEY_TEXTS) == set(ALL_TYPES)


@pytest.mark.parametrize("type_name", ALL_TYPES)
def test_every_type_renders_its_example_in_a_block_wrapper(type_name):
    html = render(type_name)
    for text in KEY_TEXTS[type_name]:
        assert text in html, f"{text!r} missing from {type_name}: {html}"
    block_id = uid(f"block-{type_name}")
    wrapper = parse(html).tags[0]
    assert wrapper == (
        "div",
        {
            "class": f"player-block player-block--{type_name}",
            "id": f"block-{block_id}",
            "data-block-id": block_id,
            "data-block-type": type_name,
        },
    )
    assert "style=" not in html  # CSP: no inline styles
    assert not re.search(r"\son[a-z]+=", html)  # no inline handlers


@pytest.mark.parametrize("type_name", ALL_TYPES)
def test_ids_in_a_block_are_unique_and_every_label_points_at_a_control(type_name):
    html = render(type_name)
    parsed = parse(html).tags
    ids = [attrs["id"] for _tag, attrs in parsed if attrs.get("id")]
    assert len(ids) == len(set(ids)), ids
    controls = {attrs.get("id") for tag, attrs in parsed if tag in ("input", "select", "textarea")}
    for attrs in tags(html, "label"):
        if attrs.get("for"):
            assert attrs["for"] in controls
    for tag, attrs in parsed:
        if tag in ("select", "textarea") or (tag == "input" and attrs.get("type") != "hidden"):
            labelled_by = [a for a in tags(html, "label") if a.get("for") == attrs.get("id")]
            assert labelled_by or _wrapped_in_label(html, attrs), (type_name, attrs)


def _wrapped_in_label(html: str, attrs: dict[str, str | None]) -> bool:
    # The ordering template wraps each select in its label.
    return bool(re.search(rf'<label[^>]*>(?:(?!</label>).)*id="{attrs.get("id")}"', html, re.S))


def test_unknown_type_renders_a_notice_instead_of_failing():
    html = str(render_block({"id": uid("x"), "type": "hologram", "data": {}}, assets={}))
    assert "cannot be shown" in html
    assert "hologram" not in html


@pytest.mark.parametrize(
    ("type_name", "data", "readable"),
    [
        ("matching", {}, False),
        ("table", {"rows": [{"id": uid("r"), "cells": 5}]}, False),
        ("single_choice", {"prompt": "<p>Order.</p>", "options": "x"}, True),
    ],
)
def test_block_with_unreadable_data_renders_a_notice_not_an_error(
    type_name, data, readable, caplog
):
    html = render(type_name, data)
    assert f'data-block-id="{uid(f"block-{type_name}")}"' in html
    if readable:
        assert "Order." in html
        assert "cannot be shown" not in html
    else:
        assert "cannot be shown" in html
        assert "cannot render" in caplog.text


def test_mode_must_be_known():
    with pytest.raises(ValueError, match="mode"):
        render("divider", mode="editor")


# --- questions never hold answers ---------------------------------------------------------------

# For each question: strings of its example that give the answer away (correct flags,
# accepted answers, feedback, regions, the sample answer) and must never reach the page.
ANSWERS: dict[str, list[str]] = {
    "single_choice": ["Well done.", "Not quite.", "About 0.", "About 1.", "correct"],
    "multiple_choice": ["Well done.", "Not quite.", "About 2.", "correct"],
    "true_false": ["Well done.", "Not quite.", "correct_answer"],
    "fill_in_blanks": ["Paris", "Madrid", "Madrid city", "case_sensitive", "Well done."],
    "matching": [uid("right-France"), "Not quite."],  # the pair's right id only with its left
    "ordering": ["Not quite.", "Well done."],
    "hotspot": [
        "That is it.",
        "That is the volume.",
        "Volume",
        "0.1",
        "0.7",
        "region",
        "Well done.",
    ],
    "open_question": ["I understand; let me help.", "Thanks for your thoughts."],
    "likert": [],
}


def test_every_question_type_has_its_answers_listed():
    assert set(ANSWERS) == set(QUESTION_TYPES)


@pytest.mark.parametrize("type_name", QUESTION_TYPES)
def test_question_shows_no_answers_or_feedback(type_name):
    html = render(type_name)
    for secret in ANSWERS[type_name]:
        if secret == uid("right-France"):
            continue  # checked in the matching test: right ids are options, unpaired
        assert secret not in html, f"{secret!r} leaked in {type_name}"
    form = tags(html, "form")[0]
    assert form["data-block-id"] == uid(f"block-{type_name}")
    assert form["data-question-type"] == type_name
    assert tags(html, "fieldset")
    (check,) = [b for b in tags(html, "button") if b.get("data-action") == "check"]
    assert check["type"] == "button"  # in preview, nothing is submitted anywhere


def test_question_public_data_is_the_only_source(monkeypatch):
    """Rendering goes through public_data: a type that hid everything would show nothing."""
    bt = get_block_type("single_choice")
    monkeypatch.setattr(type(bt), "public_data", lambda self, data: {"prompt": "<p>Only.</p>"})
    html = render("single_choice")
    assert "Only." in html
    assert "Option 0" not in html
    assert 'type="radio"' not in html


def test_matching_lists_each_right_item_once_per_select_without_pairing():
    html = render("matching")
    selects = tags(html, "select")
    assert len(selects) == 3
    values = [a["value"] for a in tags(html, "option") if a.get("value")]
    rights = {uid("right-France"), uid("right-Spain"), uid("right-Italy"), uid("right-distractor")}
    assert sorted(values) == sorted(list(rights) * 3)
    assert "selected" not in html
    # The options come in an order that is neither the pairs' nor the same as the left's.
    first_select = values[:4]
    assert first_select != [uid("right-France"), uid("right-Spain"), uid("right-Italy")][:4]


def test_ordering_items_are_shuffled_stably_per_block():
    data = copy.deepcopy(EXAMPLES["ordering"])
    data["items"] = [{"id": uid(f"order-long-{n}"), "text": f"Item {n}"} for n in range(8)]
    author_order = [f"Item {n}" for n in range(8)]

    def shown(block_id: str) -> list[str]:
        html = str(render_block({"id": block_id, "type": "ordering", "data": data}, assets=ASSETS))
        return re.findall(r"Item \d", visible_text(html))[::2]  # text, then the label

    first = shown(uid("block-ordering-a"))
    assert sorted(first) == author_order
    assert first != author_order
    assert shown(uid("block-ordering-a")) == first  # the same every render
    assert shown(uid("block-ordering-b")) != first  # another block, another order


def test_fill_in_blanks_gets_a_labelled_input_per_gap_and_no_markers():
    html = render("fill_in_blanks")
    inputs = [a for a in tags(html, "input") if a.get("class") == "player-gap"]
    assert [a["name"] for a in inputs] == [uid("gap-fr"), uid("gap-es")]
    assert "[[" not in html
    assert "Blank 1 of 2" in html
    assert "Blank 2 of 2" in html


def test_fill_in_blanks_marker_inside_a_tag_is_left_alone():
    data = copy.deepcopy(EXAMPLES["fill_in_blanks"])
    gap = uid("gap-fr")
    data["text"] = (
        f'<p><a href="https://example.com/" title="see [[{gap}]]">x</a> [[{gap}]] '
        f"[[{uid('gap-es')}]]</p>"
    )
    html = render("fill_in_blanks", data)
    links = tags(html, "a")
    assert links[0]["title"] == f"see [[{gap}]]"
    assert len([a for a in tags(html, "input") if a.get("class") == "player-gap"]) == 2


def test_quiz_and_knowledge_check_pages_say_how_they_count():
    blocks = [block("rich_text"), block("single_choice"), block("true_false")]
    quiz = {
        "id": uid("page-quiz"),
        "title": "Final quiz",
        "kind": "quiz",
        "settings": {"passing_score": 75, "attempts": 3, "random_order": True, "draw_count": 1},
        "blocks": blocks,
    }
    html = str(render_page(quiz, assets=ASSETS))
    text = visible_text(html)
    assert "<h1" in html
    assert "Final quiz" in text
    assert "75% of the points" in text
    assert "Attempts 3" in text
    assert "1 question, drawn at random" in text
    assert html.count('data-question-type="') == 2

    unlimited = {**quiz, "settings": {"passing_score": 80, "attempts": 0, "random_order": False}}
    text = visible_text(str(render_page(unlimited, assets=ASSETS)))
    assert "Unlimited" in text
    assert "random" not in text

    assert "2 points" in text

    check = {**quiz, "kind": "knowledge_check", "settings": {}}
    text = visible_text(str(render_page(check, assets=ASSETS)))
    assert "points" not in text  # nothing is graded here
    assert "Not graded" in text
    assert "To pass" not in text

    content = {**quiz, "kind": "content", "settings": {}, "blocks": [block("rich_text")]}
    text = visible_text(str(render_page(content, assets=ASSETS)))
    assert "To pass" not in text
    assert "Not graded" not in text
    assert "Welcome" in text


def test_page_carries_the_course_language_when_it_is_a_language_tag():
    page = {"id": uid("page"), "title": "Welkom", "kind": "content", "settings": {}, "blocks": []}
    (article,) = tags(str(render_page(page, assets={}, language="nl-BE")), "article")
    assert article["lang"] == "nl-BE"
    (article,) = tags(str(render_page(page, assets={}, language='en" onclick="x')), "article")
    assert "lang" not in article
    (article,) = tags(str(render_page(page, assets={})), "article")
    assert "lang" not in article


def test_page_title_is_escaped_and_blocks_keep_their_order():
    page = {
        "id": uid("page"),
        "title": "<script>alert(1)</script>Safety & you",
        "kind": "content",
        "settings": {},
        "blocks": [block("quote"), block("divider"), block("rich_text")],
    }
    html = str(render_page(page, assets=ASSETS))
    assert "<script" not in html
    assert "Safety &amp; you" in html
    order = list(re.findall(r'data-block-type="(\w+)"', html))
    assert order == ["quote", "divider", "rich_text"]


# --- XSS: the renderer sanitises again ----------------------------------------------------------

ALLOWED_RICH = {
    "h2", "h3", "h4", "p", "br", "hr", "strong", "em", "u", "s", "sub", "sup",
    "ul", "ol", "li", "blockquote", "pre", "code", "a", "span",
}  # fmt: skip
DANGEROUS_TAGS = {
    "script", "iframe", "object", "embed", "svg", "math", "style", "base", "meta", "img",
    "link", "frame", "template", "noscript", "xmp", "video", "audio", "image", "portal",
}  # fmt: skip


def _squash(value: str) -> str:
    return re.sub(r"[\s\x00-\x20\x7f-\xa0\u200b\ufeff]+", "", value).lower()


def assert_safe(html: str, *, allowed_tags: set[str] | None = None) -> None:
    assert "<script" not in html.lower()
    for tag, attrs in parse(html).tags:
        if allowed_tags is not None:
            assert tag in allowed_tags, f"<{tag}> in {html!r}"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"{tag}[{name}] in {html!r}"
            assert not name.startswith(("hx-", "data-hx")), f"{tag}[{name}] in {html!r}"
            squashed = _squash(value or "")
            assert "javascript:" not in squashed, f"{tag}[{name}={value!r}]"
            assert "vbscript:" not in squashed, f"{tag}[{name}={value!r}]"
            if name in ("href", "src"):
                assert not squashed.startswith("data:"), f"{tag}[{name}={value!r}]"


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"p{i:03d}" for i in range(len(PAYLOADS))])
def test_xss_payload_in_stored_rich_text_is_neutralised_at_render(payload):
    # Straight into the stored data, as an old revision or a hand-made import might hold it.
    html = render("rich_text", {"text": payload})
    inner = re.sub(r'^<div class="player-block[^>]*><div class="player-rich">', "", html)
    assert inner != html
    assert_safe(inner.removesuffix("</div></div>"), allowed_tags=ALLOWED_RICH)


def _text_paths(fields: tuple[Field, ...] | list[Field], data: Any, path: tuple) -> Iterator:
    """(path, field) for every text an author writes in `data`."""
    if not isinstance(data, dict):
        return
    for field in fields:
        if field.name not in data:
            continue
        here = (*path, field.name)
        if isinstance(field, Text):
            yield here, field
        elif isinstance(field, TextList):
            for index in range(len(data[field.name])):
                yield (*here, index), field
        elif isinstance(field, Group):
            yield from _text_paths(field.fields, data[field.name], here)
        elif isinstance(field, Items):
            for index, item in enumerate(data[field.name]):
                yield from _text_paths(field.fields, item, (*here, index))


def _put(data: Any, path: tuple, value: str) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


# Elements the player itself writes for a type (once); payloads must add none.
OWN_MEDIA = {
    "image": ("img",),
    "hotspot": ("img",),
    "video": ("video",),
    "audio": ("audio",),
    "embed": ("iframe",),
}

# A sample from the payload list, of different families (tags, attributes, URLs, mutation).
SAMPLE = [p for i, p in enumerate(PAYLOADS) if i % 9 == 0]


@pytest.mark.parametrize("type_name", ALL_TYPES)
def test_xss_payloads_in_every_text_field_of_every_type_are_neutralised(type_name):
    bt = get_block_type(type_name)
    paths = list(_text_paths(bt.fields, EXAMPLES[type_name], ()))
    if not paths:
        pytest.skip("no text in this type")
    for payload in SAMPLE:
        data = copy.deepcopy(EXAMPLES[type_name])
        for path, _field in paths:
            _put(data, path, payload)
        html = render(type_name, data)
        assert_safe(html)
        lowered = html.lower()
        for tag in DANGEROUS_TAGS:
            expected = 1 if tag in OWN_MEDIA.get(type_name, ()) else 0
            assert lowered.count(f"<{tag}") == expected, (tag, payload, html)


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<b>x</b>", "//evil.example/"],
)
def test_unsafe_stored_link_of_a_button_renders_no_link(url):
    html = render("button_link", {"label": "Go", "url": url})
    assert tags(html, "a") == []
    assert "not available" in html


def test_stored_embed_from_a_provider_no_longer_allowed_renders_no_iframe():
    html = render("embed", {"url": "https://evil.example/embed/1", "title": "Old embed"})
    assert "<iframe" not in html
    assert "Old embed" in html


# --- media, tables, links -----------------------------------------------------------------------


def test_image_has_alt_dimensions_srcset_and_lazy_loading():
    (img,) = tags(render("image"), "img")
    assert img["alt"] == "A headset on a desk"
    assert (img["width"], img["height"]) == ("800", "600")
    assert img["srcset"] == ASSETS[IMAGE].srcset
    assert img["sizes"]
    assert img["loading"] == "lazy"


def test_decorative_image_has_empty_alt_even_if_alt_text_was_kept():
    data = {**EXAMPLES["image"], "decorative": True, "alt": "Old description"}
    (img,) = tags(render("image", data), "img")
    assert img["alt"] == ""
    assert "Old description" not in render("image", data)


def test_missing_asset_says_so_instead_of_a_broken_image():
    html = render("image", assets={})
    assert tags(html, "img") == []
    assert "not available" in html
    assert "A headset on a desk" in html  # the alt text still tells what was meant


def test_image_without_srcset_has_no_sizes():
    assets = {IMAGE: AssetInfo("/f/", "image/png", None, None, "x.png")}
    (img,) = tags(render("image", assets=assets), "img")
    assert "srcset" not in img
    assert "sizes" not in img
    assert "width" not in img


def test_table_header_row_uses_th_with_scope_and_caption():
    html = render("table")
    assert [a.get("scope") for a in tags(html, "th")] == ["col", "col"]
    assert len(tags(html, "td")) == 4
    assert "<caption" in html
    without_header = {**EXAMPLES["table"], "header_row": False, "caption": ""}
    html = render("table", without_header)
    assert tags(html, "th") == []
    assert len(tags(html, "td")) == 6
    assert "<caption" not in html
    assert tags(html, "div")[1]["aria-label"] == "Table"


@pytest.mark.parametrize("type_name", ["embed", "video"])
def test_embeds_are_sandboxed_titled_iframes(type_name):
    data = (
        EXAMPLES["embed"]
        if type_name == "embed"
        else {"url": EXAMPLES["embed"]["url"], "title": "Intro"}
    )
    (frame,) = tags(render(type_name, data), "iframe")
    info = embed_url(data["url"])
    assert info is not None
    assert frame["src"] == info.url
    assert frame["sandbox"] == info.sandbox
    assert "allow-top-navigation" not in (frame["sandbox"] or "")
    assert {"allow-scripts", "allow-same-origin"} <= set((frame["sandbox"] or "").split())
    assert frame["title"] == data["title"]
    assert frame["referrerpolicy"] == "strict-origin-when-cross-origin"
    assert frame["loading"] == "lazy"
    assert "fullscreen" in (frame["allow"] or "")


def test_video_file_has_captions_per_track_and_metadata_preload():
    html = render("video")
    (video,) = tags(html, "video")
    assert video["preload"] == "metadata"
    assert "controls" in video
    (track,) = tags(html, "track")
    assert track == {
        "kind": "captions",
        "src": ASSETS[CAPTIONS].url,
        "srclang": "en",
        "label": "English",
        "default": None,
    }


def test_audio_transcript_is_in_a_details_element():
    html = render("audio")
    assert re.search(r"<details[^>]*>\s*<summary>Transcript</summary>", html)


def test_file_download_names_type_and_size():
    html = render("file")
    (link,) = tags(html, "a")
    assert link["href"] == ASSETS[PDF].url
    assert link["download"] == ASSETS[PDF].filename
    assert "(PDF, 146.5\xa0KB)" in html


@pytest.mark.parametrize(
    ("variant", "label"), [("tip", "Tip"), ("note", "Note"), ("warning", "Warning")]
)
def test_callout_has_a_text_label_and_note_role(variant, label):
    html = render("callout", {"variant": variant, "text": "<p>Mind the step.</p>"})
    assert f"player-callout--{variant}" in html
    assert 'role="note"' in html
    assert visible_text(html).startswith(label)


def test_external_button_link_says_where_it_goes_and_has_rel():
    html = render("button_link")
    (link,) = tags(html, "a")
    assert link["rel"] == "noopener noreferrer"
    assert "on example.com" in visible_text(html)
    mail = render("button_link", {"label": "Mail us", "url": "mailto:help@example.com"})
    (link,) = tags(mail, "a")
    assert "rel" not in link


def test_accordion_panels_are_native_and_exclusive():
    html = render("accordion")
    names = {a["name"] for a in tags(html, "details")}
    assert names == {f"accordion-{uid('block-accordion')}"}


def test_tabs_without_script_show_every_panel_under_a_heading():
    html = render("tabs")
    assert len(tags(html, "h3")) == 2
    assert "hidden" not in html
    assert 'role="tab' not in html  # the script adds the tab roles when it runs


def test_preview_check_button_is_disabled_but_player_mode_is_not():
    preview = render("true_false")
    (button,) = tags(preview, "button")
    assert button["aria-disabled"] == "true"
    player = render("true_false", mode="player")
    (button,) = tags(player, "button")
    assert "aria-disabled" not in button


# --- assets -------------------------------------------------------------------------------------


def test_page_asset_ids_lists_every_referenced_asset():
    page = {"blocks": [block(t) for t in ALL_TYPES] + [{"type": "hologram", "data": {}}]}
    assert page_asset_ids(page) == set(ASSET_TYPES)


def _asset_route_exists() -> bool:
    try:
        reverse("asset-file", kwargs={"asset_uuid": uid("probe")})
    except NoReverseMatch:
        return False
    return True


def test_asset_infos_is_one_query_in_the_active_tenant(acme, globex, django_assert_num_queries):
    with globex.scope():
        foreign = AssetFactory()
    with acme.scope():
        image = AssetFactory(
            width=1600, height=900, renditions={"400": "a", "800": "b", "1600": "c"}
        )
        pdf = AssetFactory(filename="rules.pdf", content_type="application/pdf", size=2048)
        ids = [str(image.uuid), str(pdf.uuid), str(foreign.uuid), "not-a-uuid", uid("missing")]
        with django_assert_num_queries(1):
            infos = asset_infos(ids)
        with django_assert_num_queries(0):
            assert asset_infos(["nope"]) == {}
    assert set(infos) == {str(image.uuid), str(pdf.uuid)}
    info = infos[str(image.uuid)]
    assert (info.width, info.height, info.content_type) == (1600, 900, "image/png")
    assert infos[str(pdf.uuid)].size == 2048
    assert infos[str(pdf.uuid)].srcset == ""
    if _asset_route_exists():
        url = reverse("asset-file", kwargs={"asset_uuid": str(image.uuid)})
        assert info.url == url
        assert info.srcset == f"{url}?w=400 400w, {url}?w=800 800w, {url} 1600w"
    else:
        # The media library's route is not there yet: the renderer still works, without URLs.
        assert info.url == ""
        assert info.srcset == ""


@pytest.mark.skipif(not _asset_route_exists(), reason="the asset-file route is not there yet")
def test_rendered_image_points_at_the_asset_file_route(acme):
    with acme.scope():
        asset = AssetFactory(width=640, height=480)
        infos = asset_infos([str(asset.uuid)])
    data = {**EXAMPLES["image"], "asset": str(asset.uuid)}
    (img,) = tags(render("image", data, assets=infos), "img")
    assert img["src"] == reverse("asset-file", kwargs={"asset_uuid": str(asset.uuid)})


# --- the content security policy lets the embeds in ---------------------------------------------


def test_csp_frame_src_allows_every_embed_provider_and_nothing_broader():
    frame_src = settings.SECURE_CSP.get("frame-src", [])
    samples = {
        "youtube": "https://youtu.be/dQw4w9WgXcQ",
        "vimeo": "https://vimeo.com/123456",
        "loom": "https://www.loom.com/share/0123456789abcdef0123456789abcdef",
        "stream": "https://acme.sharepoint.com/_layouts/15/embed.aspx?UniqueId="
        "0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f",
        "google-slides": "https://docs.google.com/presentation/d/e/"
        "2PACX-1vQabcdefghijklmnopqrstuv/pub",
        "google-docs": "https://docs.google.com/document/d/e/2PACX-1vQabcdefghijklmnopqrstuv/pub",
        "google-forms": "https://docs.google.com/forms/d/e/1FAIpQLSabcdefghijklmnopqrstuv/viewform",
        "miro": "https://miro.com/app/board/uXjVOabc123=/",
    }
    assert set(samples) == {p.key for p in PROVIDERS}
    for key, url in samples.items():
        info = embed_url(url)
        assert info is not None, url
        assert info.provider == key, url
        host = info.url.split("/")[2]
        allowed = [
            s
            for s in frame_src
            if s == f"https://{host}"
            or (s.startswith("https://*.") and host.endswith(s.removeprefix("https://*")))
        ]
        assert allowed, f"frame-src does not allow {host}"
    assert "*" not in frame_src
    assert "https:" not in frame_src
