"""The "Export archive" download and the "Import course" page."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from authoring.models import Course
from authoring.views_archive import course_editor_url
from tenants.models import AuditEvent
from tests.authoring import test_archive
from tests.authoring.test_archive import counts, export_bytes, stored_files
from tests.factories import MembershipFactory

# Fixtures shared with test_archive.
acme_course = test_archive.acme_course
media = test_archive.media


def export_url(course: Course) -> str:
    return reverse("course-export", kwargs={"course_uuid": course.uuid})


IMPORT_URL = "/course-tools/import/"


def upload(data: bytes, name: str = "course.zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/zip")


# --- export ------------------------------------------------------------------------------------


def test_the_owner_downloads_the_archive(acme, acme_course):
    response = acme.client_for(acme.author).get(export_url(acme_course))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="{acme_course.slug}.zip"'
    body = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        document = json.loads(zf.read("course.json"))
    assert document["course"]["id"] == str(acme_course.uuid)
    with acme.scope():
        assert AuditEvent.objects.filter(verb="course.exported", actor=acme.author).count() == 1


def test_a_reviewer_may_export_any_course(acme, acme_course):
    assert acme.client_for(acme.reviewer).get(export_url(acme_course)).status_code == 200


def test_another_author_gets_404(acme, acme_course):
    with acme.scope():
        other = MembershipFactory(roles=["author"])
    response = acme.client_for(other).get(export_url(acme_course))
    assert response.status_code == 404
    with acme.scope():
        assert not AuditEvent.objects.filter(verb="course.exported").exists()


def test_a_learner_gets_403(acme, acme_course):
    assert acme.client_for(acme.learner).get(export_url(acme_course)).status_code == 403


def test_another_tenants_course_is_404(acme, globex, acme_course):
    response = globex.client_for(globex.admin).get(export_url(acme_course))
    assert response.status_code == 404


def test_export_is_get_only(acme, acme_course):
    assert acme.client_for(acme.author).post(export_url(acme_course)).status_code == 405


# --- import ------------------------------------------------------------------------------------


def test_the_import_page_has_a_labelled_file_field(acme):
    response = acme.client_for(acme.author).get(IMPORT_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert '<label for="id_archive">' in html
    assert 'type="file"' in html
    assert '<label for="id_copy">' in html


def test_a_learner_may_not_import(acme, acme_course, globex):
    data = export_bytes(acme, acme_course)
    client = globex.client_for(globex.learner)
    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, {"archive": upload(data)}).status_code == 403
    with globex.scope():
        assert counts() == (0, 0, 0, 0, 0)


def test_import_into_another_tenant_opens_the_new_course(acme, acme_course, globex):
    data = export_bytes(acme, acme_course)
    response = globex.client_for(globex.author).post(IMPORT_URL, {"archive": upload(data)})
    with globex.scope():
        course = Course.objects.get()
        assert str(course.uuid) == str(acme_course.uuid)
        assert course.owner == globex.author
    assert response.status_code == 302
    assert response["Location"] == course_editor_url(course)


def test_a_bad_archive_lists_its_problems_and_creates_nothing(acme, acme_course, globex, media):
    data = export_bytes(acme, acme_course)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    members["../escape.txt"] = b"x"
    members["course.json"] = b"{not json"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    files_before = stored_files(media)
    response = globex.client_for(globex.author).post(
        IMPORT_URL, {"archive": upload(out.getvalue())}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "nothing was imported" in html
    assert "<code>../escape.txt</code>" in html
    assert "<code>course.json</code>" in html
    assert "not valid JSON" in html
    with globex.scope():
        assert counts() == (0, 0, 0, 0, 0)
    assert stored_files(media) == files_before


def test_a_file_that_is_not_a_zip_is_refused(globex):
    response = globex.client_for(globex.author).post(
        IMPORT_URL, {"archive": upload(b"hello", "notes.txt")}
    )
    assert response.status_code == 400
    assert "This is not a zip archive." in response.content.decode()


def test_no_file_is_a_form_error(globex):
    response = globex.client_for(globex.author).post(IMPORT_URL, {})
    assert response.status_code == 400
    assert "aria-invalid" in response.content.decode()


def test_the_same_course_again_asks_for_a_copy_then_makes_one(acme, acme_course):
    data = export_bytes(acme, acme_course)
    client = acme.client_for(acme.author)
    with acme.scope():
        before = counts()
    refused = client.post(IMPORT_URL, {"archive": upload(data)})
    assert refused.status_code == 409
    assert "as a copy" in refused.content.decode()
    with acme.scope():
        assert counts() == before
    copied = client.post(IMPORT_URL, {"archive": upload(data), "copy": "on"})
    assert copied.status_code == 302
    with acme.scope():
        assert Course.objects.count() == 2


@pytest.mark.parametrize("url", ["/course-tools/import/"])
def test_anonymous_visitors_are_sent_to_sign_in(acme, url):
    from django.test import Client

    response = Client(HTTP_HOST=acme.host()).get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_course_whose_file_is_gone_says_so_instead_of_a_broken_zip(acme, acme_course, media):
    for path in stored_files(media):
        path.unlink()
    response = acme.client_for(acme.author).get(export_url(acme_course))
    assert response.status_code == 409
    html = response.content.decode()
    assert "missing from storage" in html
    assert 'role="alert"' in html
    with acme.scope():
        assert not AuditEvent.objects.filter(verb="course.exported").exists()
