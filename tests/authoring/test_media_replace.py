"""Where an asset is used in the drafts, and replacing it everywhere (blocks and covers), with
the version bumps that make open editors see a conflict; revisions keep the old asset."""

from __future__ import annotations

import copy
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from authoring.models import Asset, Course, CourseAuthor, Page, Revision
from authoring.services.assets import asset_replace, asset_upload, asset_where_used
from egl_platform.errors import Forbidden, Invalid, NotFound
from tenants.models import AuditEvent
from tests.authoring.test_media_upload import PDF, image_bytes
from tests.factories import CourseFactory, PageFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _file(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _image_block(asset: Asset) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": "image",
        "version": 1,
        "data": {"asset": str(asset.uuid), "alt": "A desk", "decorative": False},
    }


def _text_block(text: str) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": "rich_text",
        "version": 1,
        "data": {"text": f"<p>{text}</p>"},
    }


@pytest.fixture
def used(acme):
    """An image used twice in one course (a block and a hotspot question, plus the cover),
    once in another course; a page that only mentions its uuid in text; and a revision."""
    with acme.scope():
        image = asset_upload(actor=acme.author, file=_file("old.png", image_bytes("PNG", (50, 40))))
        course = CourseFactory(owner=acme.author, title="Phone basics", cover=image, version=5)
        section = SectionFactory(course=course)
        image_block = _image_block(image)
        other_block = _text_block("Hello")
        hotspot = {
            "id": str(uuid.uuid4()),
            "type": "hotspot",
            "version": 1,
            "data": {
                "prompt": "<p>Click the button.</p>",
                "image": str(image.uuid),
                "alt": "The phone",
                "regions": [
                    {
                        "id": str(uuid.uuid4()),
                        "shape": "rect",
                        "coords": [0.1, 0.1, 0.2, 0.2],
                        "correct": True,
                    }
                ],
                "points": 1,
                "feedback": {},
                "objective_ids": [],
            },
        }
        page = PageFactory(
            section=section,
            title="Intro",
            blocks=[image_block, other_block],
            version=7,
            block_versions={image_block["id"]: 3, other_block["id"]: 6},
        )
        quiz = PageFactory(section=section, title="Quiz", blocks=[hotspot], version=2)
        mention = PageFactory(
            section=section, title="Mentions", blocks=[_text_block(f"id {image.uuid}")]
        )
        other_course = CourseFactory(owner=acme.author, title="Another course")
        other_page = PageFactory(
            section=SectionFactory(course=other_course),
            title="Elsewhere",
            blocks=[_image_block(image)],
        )
        revision = Revision.objects.create(
            course=course, number=1, document={"blocks": copy.deepcopy(page.blocks)}
        )
    return {
        "image": image,
        "course": course,
        "page": page,
        "quiz": quiz,
        "mention": mention,
        "other_course": other_course,
        "other_page": other_page,
        "image_block": image_block,
        "other_block": other_block,
        "hotspot": hotspot,
        "revision": revision,
    }


def test_where_used_lists_blocks_and_covers(acme, used):
    with acme.scope():
        uses = asset_where_used(asset=used["image"])
    found = {(u.course_title, u.page_title, u.block_type, u.path, u.is_cover) for u in uses}
    assert found == {
        ("Phone basics", "", "", "", True),
        ("Phone basics", "Intro", "image", "/asset", False),
        ("Phone basics", "Quiz", "hotspot", "/image", False),
        ("Another course", "Elsewhere", "image", "/asset", False),
    }
    # A page that only mentions the uuid in its text is not a use.
    assert "Mentions" not in {u.page_title for u in uses}


def test_where_used_of_an_unused_asset_is_empty(acme):
    with acme.scope():
        asset = asset_upload(actor=acme.author, file=_file("a.pdf", PDF))
        assert asset_where_used(asset=asset) == []


def test_where_used_does_not_cross_tenants(acme, globex, used):
    with globex.scope(), pytest.raises(NotFound):
        asset_where_used(asset=used["image"])


def test_replace_rewrites_every_reference_and_bumps_versions(acme, used):
    with acme.scope():
        new = asset_replace(
            actor=acme.author,
            asset=used["image"],
            file=_file("new.png", image_bytes("PNG", (60, 40))),
        )
        page = Page.objects.get(pk=used["page"].pk)
        quiz = Page.objects.get(pk=used["quiz"].pk)
        other_page = Page.objects.get(pk=used["other_page"].pk)
        mention = Page.objects.get(pk=used["mention"].pk)
        course = Course.objects.get(pk=used["course"].pk)
        other_course = Course.objects.get(pk=used["other_course"].pk)
        old = Asset.objects.get(pk=used["image"].pk)
        revision = Revision.objects.get(pk=used["revision"].pk)
        event = AuditEvent.objects.get(verb="asset.replaced")

    new_id = str(new.uuid)
    assert new.pk != old.pk
    assert new.kind == "image"
    assert page.blocks[0]["data"]["asset"] == new_id
    assert page.blocks[1] == used["other_block"]
    assert page.version == 8
    assert page.block_versions == {used["image_block"]["id"]: 8, used["other_block"]["id"]: 6}
    assert quiz.blocks[0]["data"]["image"] == new_id
    assert quiz.version == 3
    assert quiz.block_versions == {used["hotspot"]["id"]: 3}
    assert other_page.blocks[0]["data"]["asset"] == new_id
    assert mention.version == used["mention"].version  # mentioned, not used: untouched
    assert course.cover_id == new.pk
    assert course.version == 6  # once, though the course uses it three times
    assert other_course.version == used["other_course"].version + 1
    assert course.updated_by_id == acme.author.pk
    # The old asset stays, pointing at its replacement; revisions still name it.
    assert old.replaced_by_id == new.pk
    assert revision.document["blocks"][0]["data"]["asset"] == str(old.uuid)
    assert event.target_uuid == old.uuid
    assert event.data["replacement"] == new_id
    assert event.data["pages"] == 3
    assert event.data["courses"] == 2


def test_replace_with_content_already_in_the_library_reuses_that_asset(acme, used):
    content = image_bytes("PNG", (70, 70))
    with acme.scope():
        existing = asset_upload(actor=acme.author, file=_file("existing.png", content))
        new = asset_replace(
            actor=acme.author, asset=used["image"], file=_file("again.png", content)
        )
        assert Asset.objects.count() == 2
    assert new.pk == existing.pk


def _unchanged(acme, used) -> None:
    with acme.scope():
        page = Page.objects.get(pk=used["page"].pk)
        course = Course.objects.get(pk=used["course"].pk)
        old = Asset.objects.get(pk=used["image"].pk)
        assert page.blocks[0]["data"]["asset"] == str(old.uuid)
        assert page.version == 7
        assert course.version == 5
        assert course.cover_id == old.pk
        assert old.replaced_by_id is None
        assert Asset.objects.count() == 1
        assert not AuditEvent.objects.filter(verb="asset.replaced").exists()


def test_replace_with_another_kind_is_refused_and_changes_nothing(acme, used, media_root):
    files_before = sorted(p for p in media_root.rglob("*") if p.is_file())
    with acme.scope(), pytest.raises(Invalid, match="same kind"):
        asset_replace(actor=acme.author, asset=used["image"], file=_file("doc.pdf", PDF))
    _unchanged(acme, used)
    assert sorted(p for p in media_root.rglob("*") if p.is_file()) == files_before


def test_replace_with_the_same_file_is_refused(acme, used):
    content = image_bytes("PNG", (50, 40))
    with acme.scope(), pytest.raises(Invalid, match="same file"):
        asset_replace(actor=acme.author, asset=used["image"], file=_file("again.png", content))
    _unchanged(acme, used)


def test_replace_with_a_refused_file_changes_nothing(acme, used):
    with acme.scope(), pytest.raises(Invalid, match="Programs"):
        asset_replace(
            actor=acme.author, asset=used["image"], file=_file("x.png", b"MZ" + b"\0" * 64)
        )
    _unchanged(acme, used)


def test_author_cannot_replace_in_courses_they_cannot_edit(acme, used, media_root):
    from tests.factories import MembershipFactory

    with acme.scope():
        stranger = MembershipFactory(roles=["author"])
    with acme.scope(), pytest.raises(Forbidden, match="2 courses you cannot edit"):
        asset_replace(
            actor=stranger, asset=used["image"], file=_file("n.png", image_bytes("PNG", (9, 9)))
        )
    _unchanged(acme, used)


def test_coauthor_of_every_course_may_replace(acme, used):
    from tests.factories import MembershipFactory

    with acme.scope():
        coauthor = MembershipFactory(roles=["author"])
        for course in (used["course"], used["other_course"]):
            CourseAuthor.objects.create(course=course, membership=coauthor)
        new = asset_replace(
            actor=coauthor, asset=used["image"], file=_file("n.png", image_bytes("PNG", (9, 9)))
        )
    assert new.kind == "image"


def test_reviewer_may_replace_in_any_course(acme, used):
    with acme.scope():
        asset_replace(
            actor=acme.reviewer,
            asset=used["image"],
            file=_file("n.png", image_bytes("PNG", (9, 9))),
        )
        assert Course.objects.get(pk=used["course"].pk).version == 6


def test_learner_cannot_replace(acme, used):
    with acme.scope(), pytest.raises(Forbidden):
        asset_replace(
            actor=acme.learner, asset=used["image"], file=_file("n.png", image_bytes("PNG", (9, 9)))
        )
    _unchanged(acme, used)


def test_captions_replace_keeps_video_tracks_valid(acme):
    vtt_old = b"WEBVTT\n\n00:00.000 --> 00:01.000\nOld\n"
    srt_new = b"1\n00:00:00,000 --> 00:00:01,000\nNew\n"
    with acme.scope():
        video = asset_upload(
            actor=acme.author,
            file=_file("v.mp4", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\0" * 64),
        )
        captions = asset_upload(actor=acme.author, file=_file("c.vtt", vtt_old))
        block = {
            "id": str(uuid.uuid4()),
            "type": "video",
            "version": 1,
            "data": {
                "asset": str(video.uuid),
                "tracks": [{"asset": str(captions.uuid), "language": "en", "label": "English"}],
            },
        }
        page = PageFactory(
            section=SectionFactory(course=CourseFactory(owner=acme.author)), blocks=[block]
        )
        new = asset_replace(actor=acme.author, asset=captions, file=_file("c.srt", srt_new))
        page.refresh_from_db()
    assert new.content_type == "text/vtt"
    assert page.blocks[0]["data"]["tracks"][0]["asset"] == str(new.uuid)
    assert page.blocks[0]["data"]["asset"] == str(video.uuid)
