"""The course document: build → load → build loses nothing; bad documents create nothing."""

from __future__ import annotations

import copy
import hashlib
import re
from typing import Any

import pytest

from authoring.blocks import get_block_type
from authoring.document import InvalidDocument, course_document_build, course_document_load
from authoring.document_schema import validate_document
from authoring.models import Asset, Course, Page, Section
from egl_platform.errors import Invalid
from tenants.tenancy import CrossTenantWrite
from tests.authoring.test_blocks import EXAMPLES
from tests.authoring.test_document_schema import block_path, document
from tests.factories import CourseFactory, PageFactory, SectionFactory

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def asset_files(doc: dict[str, Any]) -> dict[str, tuple[bytes, str]]:
    """Give every listed asset a file, and the document its true checksum and size."""
    files = {}
    for item in doc["assets"]:
        content = f"file {item['id']}".encode()
        item["size"] = len(content)
        item["checksum"] = "sha256:" + hashlib.sha256(content).hexdigest()
        files[item["id"]] = (content, item["content_type"])
    return files


def full_document() -> tuple[dict[str, Any], dict[str, tuple[bytes, str]]]:
    doc = document()
    doc["assets"].sort(key=lambda a: a["id"])
    return doc, asset_files(doc)


def normalise_ids(value: Any) -> Any:
    """The document with each UUID replaced by its order of first appearance."""
    seen: dict[str, str] = {}

    def walk(item: Any) -> Any:
        if isinstance(item, dict):
            return {key: walk(v) for key, v in item.items()}
        if isinstance(item, list):
            return [walk(v) for v in item]
        if isinstance(item, str):
            return UUID.sub(lambda m: seen.setdefault(m.group(0), f"<id {len(seen)}>"), item)
        return item

    return walk(value)


def all_ids(value: Any) -> set[str]:
    found: set[str] = set()

    def walk(item: Any) -> None:
        if isinstance(item, dict):
            for v in item.values():
                walk(v)
        elif isinstance(item, list):
            for v in item:
                walk(v)
        elif isinstance(item, str):
            found.update(UUID.findall(item))

    walk(value)
    return found


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def counts() -> tuple[int, int, int, int]:
    return (
        Course.objects.count(),
        Section.objects.count(),
        Page.objects.count(),
        Asset.objects.count(),
    )


def test_the_document_holds_every_block_type():
    types = {blk["type"] for s in document()["sections"] for p in s["pages"] for blk in p["blocks"]}
    assert types == set(EXAMPLES)


def test_load_then_build_gives_the_same_document(acme, media):
    doc, files = full_document()
    with acme.scope():
        course = course_document_load(actor=acme.author, document=doc, assets=files)
        assert course.owner == acme.author
        assert course.slug == "answering-the-phone"
        built = course_document_build(course)
        assert Asset.objects.count() == len(doc["assets"])
        asset = Asset.objects.get(uuid=doc["assets"][0]["id"])
        assert asset.file.name.startswith(f"tenants/{acme.tenant.uuid}/assets/{asset.uuid}/")
        assert asset.file.read() == files[str(asset.uuid)][0]
        assert asset.uploaded_by == acme.author
    assert built == doc
    assert validate_document(built) == []


def test_build_load_into_another_tenant_keeps_ids_and_content(acme, globex, media):
    doc, files = full_document()
    with acme.scope():
        original = course_document_build(
            course_document_load(actor=acme.author, document=doc, assets=files)
        )
    with globex.scope():
        copy_ = course_document_load(actor=globex.author, document=original, assets=files)
        assert copy_.tenant_id == globex.tenant.pk
        again = course_document_build(copy_)
        assert Page.objects.filter(section__course=copy_).count() == 3
    assert again == original
    with acme.scope():
        assert Course.objects.count() == 1  # acme still has only its own


def test_build_load_with_rekey_gives_new_ids_everywhere_but_the_same_content(acme, globex, media):
    doc, files = full_document()
    with acme.scope():
        original = course_document_build(
            course_document_load(actor=acme.author, document=doc, assets=files)
        )
    with globex.scope():
        copy_ = course_document_load(
            actor=globex.author, document=original, rekey=True, assets=files
        )
        again = course_document_build(copy_)
    assert validate_document(again) == []
    assert normalise_ids(again) == normalise_ids(original)
    asset_ids = {a["id"] for a in original["assets"]}
    assert all_ids(again) & all_ids(original) == asset_ids  # only the files keep theirs
    # Questions still name the (renamed) objective.
    objective = again["course"]["objectives"][0]["id"]
    assert objective != original["course"]["objectives"][0]["id"]
    referenced = {
        objective_id
        for s in again["sections"]
        for p in s["pages"]
        for b in p["blocks"]
        for objective_id in b["data"].get("objective_ids", [])
    }
    assert referenced == {objective}


def test_rekey_in_the_same_tenant_makes_a_copy_with_its_own_slug(acme, media):
    doc, files = full_document()
    with acme.scope():
        first = course_document_load(actor=acme.author, document=doc, assets=files)
        document_ = course_document_build(first)
        with pytest.raises(InvalidDocument) as refused:
            course_document_load(actor=acme.author, document=document_)
        assert "/course/id" in refused.value.fields
        second = course_document_load(actor=acme.author, document=document_, rekey=True)
        assert second.uuid != first.uuid
        assert second.slug == "answering-the-phone-2"
        assert second.cover == first.cover  # the tenant's assets are reused
        assert Asset.objects.count() == len(doc["assets"])
        assert normalise_ids(course_document_build(second)) == normalise_ids(document_)


def test_script_in_rich_text_is_sanitised_not_refused(acme, media):
    doc, files = full_document()
    _path, text = block_path(doc, "rich_text")
    text["data"]["text"] = '<p>Hi<script>alert(1)</script> <a href="javascript:x()">y</a></p>'
    doc["course"]["title"] = "<b>Bold</b> title"
    with acme.scope():
        built = course_document_build(
            course_document_load(actor=acme.author, document=doc, assets=files)
        )
    blocks = built["sections"][0]["pages"][0]["blocks"]
    body = next(b for b in blocks if b["type"] == "rich_text")["data"]["text"]
    assert "script" not in body
    assert "alert" not in body
    assert "javascript" not in body
    assert "Hi" in body
    assert "<" not in built["course"]["title"]


def _unknown_type(doc: dict[str, Any]) -> str:
    doc["sections"][0]["pages"][0]["blocks"][0]["type"] = "marquee"
    return "/sections/0/pages/0/blocks/0/type"


def _duplicate_id(doc: dict[str, Any]) -> str:
    doc["sections"][1]["id"] = doc["sections"][0]["id"]
    return "/sections/1/id"


def _missing_asset(doc: dict[str, Any]) -> str:
    doc["course"]["cover_image"] = "00000000-0000-4000-8000-000000000000"
    return "/course/cover_image"


@pytest.mark.parametrize("spoil", [_unknown_type, _duplicate_id, _missing_asset])
def test_a_bad_document_is_refused_with_problems_and_creates_nothing(acme, media, spoil):
    doc, files = full_document()
    path = spoil(doc)
    with acme.scope():
        before = counts()
        with pytest.raises(Invalid) as refused:
            course_document_load(actor=acme.author, document=doc, assets=files)
        assert counts() == before == (0, 0, 0, 0)
    assert path in refused.value.fields
    assert any(p.path == path for p in refused.value.problems)
    assert refused.value.message
    assert not any(media.iterdir())


def test_an_asset_neither_in_the_tenant_nor_supplied_is_refused(acme, media):
    doc, files = full_document()
    missing = doc["assets"][1]["id"]
    del files[missing]
    with acme.scope():
        with pytest.raises(InvalidDocument) as refused:
            course_document_load(actor=acme.author, document=doc, assets=files)
        assert counts() == (0, 0, 0, 0)
    assert [p.code for p in refused.value.problems] == ["missing_asset"]
    assert "/assets/1/id" in refused.value.fields
    assert not any(media.rglob("*.*"))  # files saved before the refusal are removed


def test_a_supplied_file_must_match_its_checksum(acme, media):
    doc, files = full_document()
    first = doc["assets"][0]["id"]
    files[first] = (b"something else", files[first][1])
    with acme.scope():
        with pytest.raises(InvalidDocument) as refused:
            course_document_load(actor=acme.author, document=doc, assets=files)
        assert counts() == (0, 0, 0, 0)
    assert [p.code for p in refused.value.problems] == ["asset_checksum"]


def test_a_document_that_is_not_even_an_object_is_refused(acme):
    with acme.scope(), pytest.raises(InvalidDocument):
        course_document_load(actor=acme.author, document=["no"])


def test_the_actor_must_belong_to_the_active_tenant(acme, globex, media):
    doc, files = full_document()
    with globex.scope(), pytest.raises(CrossTenantWrite):
        course_document_load(actor=acme.author, document=doc, assets=files)


def test_build_of_an_empty_course(acme):
    with acme.scope():
        course = CourseFactory(owner=acme.author, title="Empty", category="")
        built = course_document_build(course)
    assert built["sections"] == []
    assert built["assets"] == []
    assert built["course"]["category"] is None
    assert validate_document(built) == []


def test_build_costs_a_constant_number_of_queries(acme, django_assert_max_num_queries):
    blocks = [
        {
            "id": None,
            "type": "rich_text",
            "version": get_block_type("rich_text").version,
            "data": copy.deepcopy(EXAMPLES["rich_text"]),
        }
    ] * 10
    with acme.scope():
        course = CourseFactory(owner=acme.author)
        sections = [SectionFactory(course=course, position=n) for n in range(20)]
        Page.objects.bulk_create(
            [
                PageFactory.build(tenant=acme.tenant, section=section, position=n, blocks=blocks)
                for section in sections
                for n in range(10)
            ]
        )
        with django_assert_max_num_queries(6):
            built = course_document_build(course)
    assert sum(len(s["pages"]) for s in built["sections"]) == 200
    assert sum(len(p["blocks"]) for s in built["sections"] for p in s["pages"]) == 2000
