"""Every XSS payload, through every way rich text reaches the draft: an imported course
document and the editor's block operations. What is stored is safe, whatever came in."""

from __future__ import annotations

import json
import uuid

import pytest

from authoring.document import course_document_build, course_document_load
from authoring.models import Page
from tests.authoring import load_xss_payloads
from tests.authoring.test_sanitize import assert_safe_rich_text
from tests.factories import CourseFactory, PageFactory, SectionFactory

PAYLOADS = load_xss_payloads()
BATCH = 100  # blocks per page / operations per request


def rich_text_block(text: str) -> dict:
    return {"id": str(uuid.uuid4()), "type": "rich_text", "version": 1, "data": {"text": text}}


def stored_texts(blocks: list[dict]) -> list[str]:
    return [b["data"]["text"] for b in blocks if b["type"] == "rich_text"]


def test_payloads_in_an_imported_document_are_stored_sanitised(acme):
    chunks = [PAYLOADS[i : i + BATCH] for i in range(0, len(PAYLOADS), BATCH)]
    document = {
        "schema_version": 1,
        "course": {
            "id": str(uuid.uuid4()),
            "title": "Imported <script>alert(1)</script>course",
            "description": "",
            "language": "en",
            "category": None,
            "tags": [],
            "objectives": [],
            "estimated_minutes": None,
            "cover_image": None,
        },
        "sections": [
            {
                "id": str(uuid.uuid4()),
                "title": "Payloads",
                "pages": [
                    {
                        "id": str(uuid.uuid4()),
                        "title": f"Chunk {n}",
                        "kind": "content",
                        "settings": {},
                        # A payload that sanitises to nothing would be refused as empty text;
                        # the marker keeps every block loadable so every payload is exercised.
                        "blocks": [rich_text_block(f"<p>marker</p>{p}") for p in chunk],
                    }
                    for n, chunk in enumerate(chunks)
                ],
            }
        ],
        "assets": [],
    }
    with acme.scope():
        course = course_document_load(actor=acme.author, document=document)
        built = course_document_build(course)
    texts = [
        text
        for section in built["sections"]
        for page in section["pages"]
        for text in stored_texts(page["blocks"])
    ]
    assert len(texts) == len(PAYLOADS) >= 100
    for text in texts:
        assert_safe_rich_text(text)
    assert "<" not in built["course"]["title"]


@pytest.mark.parametrize("start", range(0, len(PAYLOADS), BATCH))
def test_payloads_sent_by_the_editor_are_stored_sanitised(acme, start):
    with acme.scope():
        course = CourseFactory(owner=acme.author)
        page = PageFactory(section=SectionFactory(course=course))
    payloads = PAYLOADS[start : start + BATCH]
    operations = [
        {"op": "insert", "index": i, "block": rich_text_block(f"<p>marker</p>{payload}")}
        for i, payload in enumerate(payloads)
    ]
    response = acme.client_for(acme.author).post(
        f"/api/v1/pages/{page.uuid}/operations/",
        json.dumps({"base_version": page.version, "operations": operations}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content[:500]
    with acme.scope():
        blocks = Page.objects.get(pk=page.pk).blocks
    texts = stored_texts(blocks)
    assert len(texts) == len(payloads)
    for text in texts:
        assert_safe_rich_text(text)
