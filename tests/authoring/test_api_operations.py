"""The operations endpoint: the contract's 200 / 400 / 409 shapes, and move-to-page."""

from __future__ import annotations

import json

import pytest

from authoring.models import Page
from authoring.services.courses import course_create
from authoring.services.structure import page_create
from tests.api_helpers import assert_error

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def text_block(value):
    return {"type": "rich_text", "data": {"text": f"<p>{value}</p>"}}


@pytest.fixture
def page(acme):
    with acme.scope():
        course = course_create(actor=acme.author, title="Ops")
        return Page.objects.get(section__course=course)


def ops_url(page):
    return f"/api/v1/pages/{page.uuid}/operations/"


def test_operations_answer_version_block_versions_and_blocks(acme, page):
    client = acme.client_for(acme.author)
    response = post(
        client,
        ops_url(page),
        {
            "base_version": 1,
            "operations": [{"op": "insert", "index": 0, "block": text_block("Hi")}],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"version", "block_versions", "blocks"}
    assert body["version"] == 2
    block = body["blocks"][0]
    assert set(block) == {"id", "type", "version", "data"}
    assert body["block_versions"] == {block["id"]: 2}
    retrieved = client.get(f"/api/v1/pages/{page.uuid}/").json()
    assert retrieved["blocks"] == body["blocks"]
    assert retrieved["version"] == 2


def test_invalid_data_answers_400_with_block_pointers_and_saves_nothing(acme, page):
    client = acme.client_for(acme.author)
    response = post(
        client,
        ops_url(page),
        {
            "base_version": 1,
            "operations": [
                {"op": "insert", "block": text_block("fine")},
                {
                    "op": "insert",
                    "block": {
                        "id": "0b8f6a52-6a8e-4a53-9c55-5e1f1c1c1c1c",
                        "type": "callout",
                        "data": {"variant": "shout"},
                    },
                },
            ],
        },
    )
    error = assert_error(response, 400, "invalid")
    assert any(
        key.startswith("/blocks/0b8f6a52-6a8e-4a53-9c55-5e1f1c1c1c1c/data")
        for key in error["fields"]
    )
    with acme.scope():
        assert Page.objects.get(pk=page.pk).blocks == []
    assert_error(post(client, ops_url(page), {"operations": []}), 400, "invalid")


def test_a_conflict_answers_409_with_theirs_and_saves_nothing(acme, page):
    author, reviewer = acme.client_for(acme.author), acme.client_for(acme.reviewer)
    block = post(
        author,
        ops_url(page),
        {"base_version": 1, "operations": [{"op": "insert", "block": text_block("v1")}]},
    ).json()
    block_id = block["blocks"][0]["id"]
    base = block["version"]
    theirs = post(
        reviewer,
        ops_url(page),
        {
            "base_version": base,
            "operations": [
                {"op": "update", "block_id": block_id, "data": {"text": "<p>theirs</p>"}}
            ],
        },
    )
    assert theirs.status_code == 200
    response = post(
        author,
        ops_url(page),
        {
            "base_version": base,
            "operations": [{"op": "update", "block_id": block_id, "data": {"text": "<p>mine</p>"}}],
        },
    )
    assert response.status_code == 409, response.content
    body = response.json()
    assert set(body) == {"error", "conflict"}
    assert body["error"]["code"] == "conflict"
    assert body["error"]["message"]
    assert body["conflict"]["block_id"] == block_id
    assert body["conflict"]["theirs"]["data"]["text"] == "<p>theirs</p>"
    assert body["conflict"]["version"] == base + 1
    with acme.scope():
        assert Page.objects.get(pk=page.pk).blocks[0]["data"]["text"] == "<p>theirs</p>"
    # "Keep mine": force.
    forced = post(
        author,
        ops_url(page),
        {
            "base_version": base,
            "operations": [
                {
                    "op": "update",
                    "block_id": block_id,
                    "data": {"text": "<p>mine</p>"},
                    "force": True,
                }
            ],
        },
    )
    assert forced.status_code == 200
    assert forced.json()["blocks"][0]["data"]["text"] == "<p>mine</p>"


def test_move_to_page(acme, page):
    client = acme.client_for(acme.author)
    body = post(
        client,
        ops_url(page),
        {"base_version": 1, "operations": [{"op": "insert", "block": text_block("x")}]},
    ).json()
    block_id = body["blocks"][0]["id"]
    with acme.scope():
        page = Page.objects.select_related("section__course").get(pk=page.pk)
        target = page_create(actor=acme.author, section=page.section, title="Target")
    url = f"/api/v1/pages/{page.uuid}/blocks/{block_id}/move-to-page/"
    response = post(client, url, {"target_page": str(target.uuid), "index": None})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "source": {"version": 3, "block_versions": {}},
        "target": {"version": 2, "block_versions": {block_id: 2}},
    }
    assert_error(post(client, url, {"target_page": str(target.uuid)}), 404, "not_found")
    with acme.scope():
        other = Page.objects.get(section__course=course_create(actor=acme.author, title="Other"))
    back = f"/api/v1/pages/{target.uuid}/blocks/{block_id}/move-to-page/"
    assert_error(post(client, back, {"target_page": str(other.uuid)}), 404, "not_found")
