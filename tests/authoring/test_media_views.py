"""The media library's pages, the picker fragment and the asset-file route."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from authoring.models import Asset, Page
from authoring.services.assets import asset_upload
from tests.authoring.test_media_upload import PDF, SRT, image_bytes
from tests.factories import CourseFactory, PageFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _file(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def photo(acme) -> Asset:
    with acme.scope():
        return asset_upload(
            actor=acme.author, file=_file("photo.png", image_bytes("PNG", (1200, 600)))
        )


@pytest.fixture
def pdf(acme) -> Asset:
    with acme.scope():
        return asset_upload(actor=acme.author, file=_file("guide.pdf", PDF))


def file_url(asset: Asset) -> str:
    return reverse("asset-file", kwargs={"asset_uuid": asset.uuid})


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- serving ---------------------------------------------------------------------------------------


def test_image_is_served_inline_with_its_type_nosniff_etag_and_caching(acme, photo):
    response = acme.client_for(acme.author).get(file_url(photo))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert response["ETag"] == '"' + photo.checksum.removeprefix("sha256:") + '"'
    assert "private" in response["Cache-Control"]
    assert "max-age=31536000" in response["Cache-Control"]
    assert response["Accept-Ranges"] == "bytes"
    assert _body(response).startswith(b"\x89PNG")


def test_document_is_served_as_attachment(acme, pdf):
    response = acme.client_for(acme.author).get(file_url(pdf))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="guide.pdf"' in response["Content-Disposition"]


def test_width_picks_the_nearest_rendition_at_least_as_wide(acme, photo):
    client = acme.client_for(acme.author)
    assert sorted(photo.renditions) == ["480", "960"]
    small = client.get(file_url(photo) + "?w=300")
    assert small["Content-Type"] == "image/webp"
    assert small["ETag"].endswith('-w480"')
    middle = client.get(file_url(photo) + "?w=481")
    assert middle["ETag"].endswith('-w960"')
    large = client.get(file_url(photo) + "?w=1100")  # wider than every rendition: the original
    assert large["Content-Type"] == "image/png"
    assert large["ETag"] == '"' + photo.checksum.removeprefix("sha256:") + '"'
    nonsense = client.get(file_url(photo) + "?w=abc")
    assert nonsense["Content-Type"] == "image/png"


def test_matching_etag_answers_not_modified(acme, photo):
    client = acme.client_for(acme.author)
    etag = client.get(file_url(photo))["ETag"]
    response = client.get(file_url(photo), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert client.get(file_url(photo), HTTP_IF_NONE_MATCH=f'"other", {etag}').status_code == 304
    assert client.get(file_url(photo), HTTP_IF_NONE_MATCH='"other"').status_code == 200
    # A rendition has its own tag: the original's does not match it.
    assert client.get(file_url(photo) + "?w=100", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_byte_ranges_for_seeking(acme, pdf):
    client = acme.client_for(acme.author)
    response = client.get(file_url(pdf), HTTP_RANGE="bytes=0-3")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 0-3/{pdf.size}"
    assert _body(response) == b"%PDF"
    tail = client.get(file_url(pdf), HTTP_RANGE="bytes=-6")
    assert _body(tail) == PDF[-6:]
    beyond = client.get(file_url(pdf), HTTP_RANGE=f"bytes={pdf.size + 10}-")
    assert beyond.status_code == 416


def test_svg_is_served_with_a_sandboxing_policy(acme):
    with acme.scope():
        svg = asset_upload(
            actor=acme.author,
            file=_file(
                "a.svg",
                b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>',
            ),
        )
    response = acme.client_for(acme.author).get(file_url(svg))
    assert response["Content-Type"] == "image/svg+xml"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_captions_are_inline_webvtt(acme):
    with acme.scope():
        captions = asset_upload(actor=acme.author, file=_file("talk.srt", SRT))
    response = acme.client_for(acme.author).get(file_url(captions))
    assert response["Content-Type"] == "text/vtt"
    assert response["Content-Disposition"].startswith("inline")
    assert _body(response).startswith(b"WEBVTT")


def test_learner_of_the_same_tenant_may_fetch_course_media(acme, photo):
    response = acme.client_for(acme.learner).get(file_url(photo))
    assert response.status_code == 200


def test_another_tenants_asset_is_not_found(acme, globex, photo):
    response = globex.client_for(globex.admin).get(file_url(photo))
    assert response.status_code == 404


def test_unknown_asset_is_not_found(acme):
    url = reverse("asset-file", kwargs={"asset_uuid": uuid.uuid4()})
    assert acme.client_for(acme.author).get(url).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(acme, photo):
    from django.test import Client

    response = Client(HTTP_HOST=acme.host()).get(file_url(photo))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- library pages --------------------------------------------------------------------------------


def test_author_sees_the_library_with_thumbnails(acme, photo, pdf):
    response = acme.client_for(acme.author).get(reverse("media-library"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "photo.png" in html
    assert "guide.pdf" in html
    assert f"{file_url(photo)}?w=480" in html
    assert 'type="file"' in html
    assert "multiple" in html


def test_learner_may_not_open_the_library(acme, photo):
    client = acme.client_for(acme.learner)
    assert client.get(reverse("media-library")).status_code == 403
    assert client.get(reverse("media-detail", kwargs={"asset_uuid": photo.uuid})).status_code == 403
    assert client.get(reverse("media-picker")).status_code == 403
    response = client.post(reverse("media-upload"), {"files": [_file("a.pdf", PDF)]})
    assert response.status_code == 403
    with acme.scope():
        assert Asset.objects.count() == 1


def test_library_filters_by_kind_and_searches_names(acme, photo, pdf):
    client = acme.client_for(acme.author)
    images = client.get(reverse("media-library"), {"kind": "image"}).content.decode()
    assert "photo.png" in images
    assert "guide.pdf" not in images
    found = client.get(reverse("media-library"), {"q": "guid"}).content.decode()
    assert "guide.pdf" in found
    assert "photo.png" not in found
    none = client.get(reverse("media-library"), {"q": "nothing-like-this"}).content.decode()
    assert "No files match this search." in none


def test_empty_library_says_so(acme):
    html = acme.client_for(acme.author).get(reverse("media-library")).content.decode()
    assert "The library is empty." in html


def test_library_paginates(acme):
    with acme.scope():
        for n in range(26):
            asset_upload(
                actor=acme.author, file=_file(f"note-{n}.txt", f"Note number {n}\n".encode())
            )
    client = acme.client_for(acme.author)
    first = client.get(reverse("media-library")).content.decode()
    assert "Page 1 of 2" in first
    assert "note-25.txt" in first
    assert "note-0.txt" not in first
    second = client.get(reverse("media-library"), {"page": 2}).content.decode()
    assert "note-0.txt" in second


def test_multi_file_upload_reports_each_file(acme):
    client = acme.client_for(acme.author)
    response = client.post(
        reverse("media-upload"),
        {"files": [_file("a.png", image_bytes()), _file("evil.exe", b"MZ" + b"\0" * 40)]},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "a.png" in html
    assert "uploaded" in html
    assert "evil.exe" in html
    assert "Programs and scripts cannot be uploaded." in html
    with acme.scope():
        assert list(Asset.objects.values_list("filename", flat=True)) == ["a.png"]


def test_upload_with_only_refused_files_is_400_and_stores_nothing(acme, media_root):
    response = acme.client_for(acme.author).post(
        reverse("media-upload"), {"files": [_file("evil.exe", b"MZ" + b"\0" * 40)]}
    )
    assert response.status_code == 400
    with acme.scope():
        assert not Asset.objects.exists()
    assert not [p for p in media_root.rglob("*") if p.is_file()]


def test_upload_without_files_says_what_to_do(acme):
    response = acme.client_for(acme.author).post(reverse("media-upload"), {})
    assert response.status_code == 400
    assert "Choose one or more files to upload." in response.content.decode()


def test_htmx_upload_gets_the_results_fragment_and_refreshes_the_list(acme):
    response = acme.client_for(acme.author).post(
        reverse("media-upload"), {"files": [_file("a.pdf", PDF)]}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "media-uploaded"
    html = response.content.decode()
    assert "<html" not in html
    assert "a.pdf" in html


def _used_photo(acme, photo) -> Page:
    with acme.scope():
        course = CourseFactory(owner=acme.author, title="Desk setup")
        block = {
            "id": str(uuid.uuid4()),
            "type": "image",
            "version": 1,
            "data": {"asset": str(photo.uuid), "alt": "Desk", "decorative": False},
        }
        return PageFactory(section=SectionFactory(course=course), title="Your desk", blocks=[block])


def test_detail_shows_where_the_asset_is_used(acme, photo):
    _used_photo(acme, photo)
    response = acme.client_for(acme.author).get(
        reverse("media-detail", kwargs={"asset_uuid": photo.uuid})
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Desk setup" in html
    assert "Your desk" in html
    assert "1200 × 600 pixels" in html
    assert reverse("media-replace", kwargs={"asset_uuid": photo.uuid}) in html


def test_detail_of_another_tenants_asset_is_not_found(acme, globex, photo):
    client = globex.client_for(globex.admin)
    assert client.get(reverse("media-detail", kwargs={"asset_uuid": photo.uuid})).status_code == 404
    response = client.post(
        reverse("media-replace", kwargs={"asset_uuid": photo.uuid}),
        {"file": _file("n.png", image_bytes("PNG", (5, 5)))},
    )
    assert response.status_code == 404


def test_replace_form_replaces_everywhere_and_shows_the_new_asset(acme, photo):
    page = _used_photo(acme, photo)
    client = acme.client_for(acme.author)
    response = client.post(
        reverse("media-replace", kwargs={"asset_uuid": photo.uuid}),
        {"file": _file("new.png", image_bytes("PNG", (20, 20)))},
    )
    assert response.status_code == 302
    with acme.scope():
        new = Asset.objects.get(filename="new.png")
        page.refresh_from_db()
    assert response["Location"] == reverse("media-detail", kwargs={"asset_uuid": new.uuid})
    assert page.blocks[0]["data"]["asset"] == str(new.uuid)
    old_page = client.get(
        reverse("media-detail", kwargs={"asset_uuid": photo.uuid})
    ).content.decode()
    assert "This file was replaced by" in old_page


def test_replace_form_refusal_shows_the_reason_and_changes_nothing(acme, photo):
    page = _used_photo(acme, photo)
    response = acme.client_for(acme.author).post(
        reverse("media-replace", kwargs={"asset_uuid": photo.uuid}), {"file": _file("a.pdf", PDF)}
    )
    assert response.status_code == 400
    assert "same kind" in response.content.decode()
    with acme.scope():
        page.refresh_from_db()
        assert Asset.objects.count() == 1
    assert page.blocks[0]["data"]["asset"] == str(photo.uuid)


def test_picker_lists_assets_of_the_kind_with_choose_buttons(acme, photo, pdf):
    response = acme.client_for(acme.author).get(reverse("media-picker"), {"kind": "image"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-asset-uuid="{photo.uuid}"' in html
    assert f'data-asset-url="{file_url(photo)}"' in html
    assert "data-asset-alt" in html
    assert str(pdf.uuid) not in html
    assert "<html" not in html


def test_picker_searches(acme, photo, pdf):
    html = (
        acme.client_for(acme.author).get(reverse("media-picker"), {"q": "guide"}).content.decode()
    )
    assert str(pdf.uuid) in html
    assert str(photo.uuid) not in html


def test_large_upload_through_a_temporary_file_is_stored_whole(acme):
    content = b"a fairly long line of plain text\n" * 200_000  # 6.6 MB: past the in-memory limit
    response = acme.client_for(acme.author).post(
        reverse("media-upload"), {"files": [_file("big.txt", content)]}
    )
    assert response.status_code == 200
    with acme.scope():
        asset = Asset.objects.get()
        with asset.file.open("rb") as handle:
            assert handle.read() == content
    assert (asset.size, asset.content_type) == (len(content), "text/plain")
