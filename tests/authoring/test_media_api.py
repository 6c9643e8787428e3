"""/api/v1/assets/: list, multi-file upload, retrieve with where-used, replace; errors."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from authoring.models import Asset, Page
from authoring.services.assets import asset_upload
from tests.api_helpers import assert_error
from tests.authoring.test_media_upload import PDF, image_bytes
from tests.factories import CourseFactory, PageFactory, SectionFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/assets/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _file(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


@pytest.fixture
def photo(acme) -> Asset:
    with acme.scope():
        return asset_upload(
            actor=acme.author, file=_file("photo.png", image_bytes("PNG", (1000, 500)))
        )


def test_upload_several_files_reports_each(acme):
    client = acme.client_for(acme.author)
    with acme.scope():
        asset_upload(actor=acme.author, file=_file("known.pdf", PDF))
    response = client.post(
        URL,
        {
            "files": [
                _file("a.png", image_bytes()),
                _file("x.exe", b"MZ" + b"\0" * 30),
                _file("again.pdf", PDF),
            ]
        },
    )
    assert response.status_code == 201, response.content
    results = response.json()["results"]
    assert [(r["filename"], r["status"]) for r in results] == [
        ("a.png", "uploaded"),
        ("x.exe", "refused"),
        ("again.pdf", "existing"),
    ]
    assert results[0]["asset"]["content_type"] == "image/png"
    assert results[0]["asset"]["url"] == f"/media-library/{results[0]['asset']['uuid']}/file/"
    assert results[1]["asset"] is None
    assert results[1]["error"]["code"] == "unsupported_file"
    assert "Programs and scripts" in results[1]["error"]["message"]
    assert results[2]["asset"]["filename"] == "known.pdf"
    with acme.scope():
        assert Asset.objects.count() == 2


def test_upload_of_a_single_file_field(acme):
    response = acme.client_for(acme.author).post(URL, {"file": _file("guide.pdf", PDF)})
    assert response.status_code == 201
    assert response.json()["results"][0]["asset"]["kind"] == "document"


def test_upload_of_only_known_content_is_200(acme):
    with acme.scope():
        asset_upload(actor=acme.author, file=_file("known.pdf", PDF))
    response = acme.client_for(acme.author).post(URL, {"files": [_file("same.pdf", PDF)]})
    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == "existing"


def test_upload_with_every_file_refused_is_400_with_results(acme, media_root):
    response = acme.client_for(acme.author).post(
        URL, {"files": [_file("x.exe", b"MZ" + b"\0" * 30)]}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == "invalid"
    assert body["error"]["fields"]["files"] == ["x.exe: Programs and scripts cannot be uploaded."]
    assert body["results"][0]["status"] == "refused"
    with acme.scope():
        assert not Asset.objects.exists()
    assert not [p for p in media_root.rglob("*") if p.is_file()]


def test_oversize_upload_is_refused_with_the_sizes(acme, settings):
    settings.EGL_UPLOAD_MAX_MB = 1
    response = acme.client_for(acme.author).post(
        URL, {"files": [_file("big.txt", b"z\n" * 600_000)]}
    )
    assert response.status_code == 400
    result = response.json()["results"][0]
    assert result["error"]["code"] == "file_too_large"
    assert result["error"]["message"] == "This file is 1.2 MB; the limit is 1 MB."


def test_upload_without_files_is_400(acme):
    response = acme.client_for(acme.author).post(URL, {})
    error = assert_error(response, 400, "invalid")
    assert error["fields"]["files"] == ["Choose one or more files to upload."]


def test_learner_may_not_use_the_library_api(acme, photo):
    client = acme.client_for(acme.learner)
    assert_error(client.get(URL), 403, "forbidden")
    assert_error(client.get(f"{URL}{photo.uuid}/"), 403, "forbidden")
    assert_error(client.post(URL, {"files": [_file("a.pdf", PDF)]}), 403, "forbidden")
    with acme.scope():
        assert Asset.objects.count() == 1


def test_list_filters_and_searches(acme, photo):
    with acme.scope():
        asset_upload(actor=acme.author, file=_file("guide.pdf", PDF))
    client = acme.client_for(acme.author)
    everything = client.get(URL).json()
    assert {a["filename"] for a in everything["results"]} == {"photo.png", "guide.pdf"}
    assert "next" in everything
    assert "previous" in everything
    images = client.get(URL, {"kind": "image"}).json()["results"]
    assert [a["filename"] for a in images] == ["photo.png"]
    assert images[0]["renditions"] == {
        "480": f"/media-library/{photo.uuid}/file/?w=480",
        "960": f"/media-library/{photo.uuid}/file/?w=960",
    }
    assert [a["filename"] for a in client.get(URL, {"search": "GUI"}).json()["results"]] == [
        "guide.pdf"
    ]
    assert_error(client.get(URL, {"kind": "program"}), 400, "invalid")


def test_list_paginates_with_a_cursor(acme):
    with acme.scope():
        for n in range(3):
            asset_upload(actor=acme.author, file=_file(f"n{n}.txt", f"note {n}\n".encode()))
    client = acme.client_for(acme.author)
    first = client.get(URL, {"page_size": 2}).json()
    assert len(first["results"]) == 2
    assert first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 1


def test_retrieve_includes_where_used(acme, photo):
    with acme.scope():
        course = CourseFactory(owner=acme.author, title="Desk setup", cover=photo)
        block_id = str(uuid.uuid4())
        page = PageFactory(
            section=SectionFactory(course=course),
            title="Your desk",
            blocks=[
                {
                    "id": block_id,
                    "type": "image",
                    "version": 1,
                    "data": {"asset": str(photo.uuid), "alt": "Desk"},
                }
            ],
        )
    body = acme.client_for(acme.author).get(f"{URL}{photo.uuid}/").json()
    assert body["checksum"] == photo.checksum
    assert body["width"] == 1000
    uses = sorted(body["where_used"], key=lambda u: u["cover"])
    assert uses[0] == {
        "course": str(course.uuid),
        "course_title": "Desk setup",
        "cover": False,
        "page": str(page.uuid),
        "page_title": "Your desk",
        "block_id": block_id,
        "block_type": "image",
        "path": "/asset",
    }
    assert uses[1]["cover"] is True
    assert uses[1]["page"] is None


def test_another_tenants_asset_is_not_found(acme, globex, photo):
    client = globex.client_for(globex.admin)
    assert_error(client.get(f"{URL}{photo.uuid}/"), 404, "not_found")
    response = client.post(
        f"{URL}{photo.uuid}/replace/", {"file": _file("n.png", image_bytes("PNG", (5, 5)))}
    )
    assert_error(response, 404, "not_found")
    assert globex.client_for(globex.admin).get(URL).json()["results"] == []


def test_assets_cannot_be_changed_or_deleted(acme, photo):
    client = acme.client_for(acme.author)
    for method in (client.put, client.patch, client.delete):
        response = method(
            f"{URL}{photo.uuid}/",
            {"checksum": "sha256:" + "0" * 64},
            content_type="application/json",
        )
        assert response.status_code == 405
    with acme.scope():
        assert Asset.objects.get(pk=photo.pk).checksum == photo.checksum


def test_replace_action(acme, photo):
    with acme.scope():
        page = PageFactory(
            section=SectionFactory(course=CourseFactory(owner=acme.author)),
            blocks=[
                {
                    "id": str(uuid.uuid4()),
                    "type": "image",
                    "version": 1,
                    "data": {"asset": str(photo.uuid), "alt": "x"},
                }
            ],
        )
    client = acme.client_for(acme.author)
    response = client.post(
        f"{URL}{photo.uuid}/replace/", {"file": _file("new.png", image_bytes("PNG", (30, 30)))}
    )
    assert response.status_code == 200, response.content
    new = response.json()
    assert new["filename"] == "new.png"
    assert new["uuid"] != str(photo.uuid)
    assert new["where_used"][0]["page"] == str(page.uuid)
    old = client.get(f"{URL}{photo.uuid}/").json()
    assert old["replaced_by"] == new["uuid"]
    assert old["where_used"] == []


def test_replace_with_another_kind_is_400_and_changes_nothing(acme, photo):
    response = acme.client_for(acme.author).post(
        f"{URL}{photo.uuid}/replace/", {"file": _file("a.pdf", PDF)}
    )
    error = assert_error(response, 400, "invalid")
    assert "same kind" in error["message"]
    with acme.scope():
        assert Asset.objects.count() == 1
        assert Asset.objects.get(pk=photo.pk).replaced_by_id is None


def test_replace_without_a_file_is_400(acme, photo):
    response = acme.client_for(acme.author).post(f"{URL}{photo.uuid}/replace/", {})
    error = assert_error(response, 400, "invalid")
    assert "file" in error["fields"]


def test_replace_in_a_course_the_author_cannot_edit_is_403(acme, photo):
    with acme.scope():
        PageFactory(
            section=SectionFactory(course=CourseFactory()),  # owned by someone else
            blocks=[
                {
                    "id": str(uuid.uuid4()),
                    "type": "image",
                    "version": 1,
                    "data": {"asset": str(photo.uuid), "alt": "x"},
                }
            ],
        )
    response = acme.client_for(acme.author).post(
        f"{URL}{photo.uuid}/replace/", {"file": _file("n.png", image_bytes("PNG", (8, 8)))}
    )
    assert_error(response, 403, "forbidden")
    with acme.scope():
        assert Page.objects.get().blocks[0]["data"]["asset"] == str(photo.uuid)
        assert Asset.objects.count() == 1
