"""Certificates: issued once on completion, the PDF, the learner's download, the public
verification pages and the API."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from courses import certificates as certs
from courses.certificates import (
    CODE_ALPHABET,
    certificate_code_new,
    certificate_find,
    certificate_issue,
    certificate_pdf,
    certificate_verify_url,
    code_normalise,
    contrast_on_white,
)
from courses.models import Certificate, Enrollment, EnrollmentStatus
from egl_platform.errors import Conflict
from tests.courses.player_factories import (
    QUIZ_TYPES,
    correct_response,
    form_data,
    player_course,
    release_new,
)
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

CODE_RE = re.compile(r"^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")


def url(name: str, pc: Any, page: str | None = None) -> str:
    kwargs: dict[str, Any] = {"course_uuid": pc.course.uuid}
    if page is not None:
        kwargs["page_uuid"] = pc.page_id(page)
    return reverse(f"player:{name}", kwargs=kwargs)


def complete_through_the_player(pc: Any, client: Client) -> None:
    """See every page and pass the quiz, as the learner does."""
    for name in ("intro", "check", "quiz"):
        client.get(url("page", pc, name))
    client.post(url("quiz-start", pc, "quiz"))
    for type_name in QUIZ_TYPES:
        block = pc.block("quiz", type_name)
        client.post(url("answer", pc, "quiz"), form_data(block, correct_response(block)))
    client.post(url("quiz-submit", pc, "quiz"))


def completed_course(world: Any, *, learner: Any = None, completed_at: Any = None) -> Any:
    """Inside world.scope(): a player course whose enrolment is completed and certified."""
    pc: Any = player_course(world, learner=learner)
    enrollment = pc.enrollment
    enrollment.status = EnrollmentStatus.COMPLETED
    enrollment.completed_at = completed_at or datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
    enrollment.save()
    pc.certificate = certificate_issue(enrollment)
    return pc


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def png_bytes(colour: str = "red", fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), colour).save(buffer, format=fmt)
    return buffer.getvalue()


# --- issuing ---------------------------------------------------------------------------------


def test_issued_once_on_completion_not_before(acme, monkeypatch):
    monkeypatch.setattr("courses.player._after_commit", lambda send: None)
    with acme.scope():
        pc = player_course(acme)
    client = acme.client_for(acme.learner)
    client.get(url("page", pc, "intro"))
    client.get(url("page", pc, "check"))
    with acme.scope():
        assert not Certificate.objects.exists()
    complete_through_the_player(pc, client)
    with acme.scope():
        enrollment = Enrollment.objects.get()
        assert enrollment.status == EnrollmentStatus.COMPLETED
        certificate = Certificate.objects.get()
    assert certificate.enrollment_id == enrollment.pk
    assert certificate.completed_at == enrollment.completed_at
    assert certificate.course_title == "Phone basics"
    assert certificate.release_number == 1
    assert certificate.learner_name == acme.learner.user.name
    assert CODE_RE.match(certificate.code)
    # Going through the course again issues nothing new.
    client.get(url("page", pc, "intro"))
    client.get(url("results", pc))
    with acme.scope():
        assert certificate_issue(enrollment) == certificate
        assert Certificate.objects.count() == 1


def test_not_issued_for_an_enrolment_that_is_not_completed(acme):
    with acme.scope():
        pc = player_course(acme)
        with pytest.raises(Conflict):
            certificate_issue(pc.enrollment)
        assert not Certificate.objects.exists()


def test_code_format_and_randomness():
    codes = {certificate_code_new() for _ in range(300)}
    assert len(codes) == 300
    for code in codes:
        assert CODE_RE.match(code), code
    for look_alike in "0O1I":
        assert look_alike not in CODE_ALPHABET


def test_a_code_taken_in_the_tenant_is_drawn_again(acme, monkeypatch):
    with acme.scope():
        first = completed_course(acme).certificate
        other = player_course(acme, learner=MembershipFactory(roles=[]))
        other.enrollment.status = EnrollmentStatus.COMPLETED
        other.enrollment.completed_at = first.completed_at
        other.enrollment.save()
        draws = iter([first.code, first.code, "ZZZZ-YYYY-XXXX"])
        monkeypatch.setattr(certs, "certificate_code_new", lambda: next(draws))
        second = certificate_issue(other.enrollment)
    assert second.code == "ZZZZ-YYYY-XXXX"


def test_the_same_code_may_exist_in_another_tenant(acme, globex, monkeypatch):
    monkeypatch.setattr(certs, "certificate_code_new", lambda: "SAME-CODE-HERE")
    with acme.scope():
        assert completed_course(acme).certificate.code == "SAME-CODE-HERE"
    with globex.scope():
        assert completed_course(globex).certificate.code == "SAME-CODE-HERE"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ABCD-EFGH-JKLM", "ABCD-EFGH-JKLM"),
        ("abcd-efgh-jklm", "ABCD-EFGH-JKLM"),
        (" abcd efgh jklm ", "ABCD-EFGH-JKLM"),
        ("ABCDEFGHJKLM", "ABCD-EFGH-JKLM"),
        ("ab-cd–efgh—jk lm", "ABCD-EFGH-JKLM"),
        ("ABCD-EFGH-JKL", None),
        ("ABCD-EFGH-JKLMN", None),
        ("ABCD-EFGH-JKL0", None),
        ("ABCD-EFGH-JKL!", None),
        ("", None),
    ],
)
def test_code_normalisation(typed, expected):
    assert code_normalise(typed) == expected


def test_find_ignores_case_spaces_and_dashes_and_other_tenants(acme, globex):
    with globex.scope():
        theirs = completed_course(globex).certificate
    with acme.scope():
        mine = completed_course(acme).certificate
        typed = mine.code.lower().replace("-", " ")
        assert certificate_find(typed) == mine
        assert certificate_find(theirs.code) is None
        assert certificate_find("nonsense") is None


# --- the PDF ---------------------------------------------------------------------------------


def test_pdf_holds_learner_course_date_code_release_tenant_and_url(acme):
    with acme.scope():
        certificate = completed_course(acme).certificate
        data = certificate_pdf(certificate)
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    assert round(float(box.width) / 72 * 25.4) == 297  # A4
    text = flat(pdf_text(data))
    assert certificate.learner_name in text
    assert "Phone basics" in text
    assert "March 5, 2026" in text
    assert certificate.code in text
    assert acme.tenant.name in text
    assert "Certificate of completion" in text
    assert "release 1" in text
    # The absolute verification URL (a long line may wrap: compare without whitespace).
    assert certificate_verify_url(certificate) in re.sub(r"\s+", "", text)
    assert certificate_verify_url(certificate).startswith("http")


def test_pdf_renders_unicode_names(acme):
    acme.learner.user.display_name = "Zoë Ångström-Łukasz"
    acme.learner.user.save()
    with acme.scope():
        pc = player_course(acme)
        pc.course.title = "Ćwiczenia — Ölçü"
        pc.course.save()
        pc.enrollment.release = release_new(pc.course)  # releases are immutable
        pc.enrollment.status = EnrollmentStatus.COMPLETED
        pc.enrollment.completed_at = datetime(2026, 3, 5, tzinfo=UTC)
        pc.enrollment.save()
        certificate = certificate_issue(pc.enrollment)
        text = flat(pdf_text(certificate_pdf(certificate)))
    assert certificate.learner_name == "Zoë Ångström-Łukasz"
    assert "Zoë Ångström-Łukasz" in text
    assert "Ćwiczenia — Ölçü" in text


def test_pdf_date_is_in_the_learners_language(acme):
    acme.learner.user.language = "nl"
    acme.learner.user.save()
    with acme.scope():
        text = flat(pdf_text(certificate_pdf(completed_course(acme).certificate)))
    assert "5 maart 2026" in text


def test_pdf_date_falls_back_to_the_tenants_language(acme):
    acme.tenant.default_language = "nl"
    acme.tenant.save()
    with acme.scope():
        text = flat(pdf_text(certificate_pdf(completed_course(acme).certificate)))
    assert "5 maart 2026" in text


def _set_logo(world: Any, name: str, content: bytes) -> None:
    saved = default_storage.save(
        f"tenants/{world.tenant.uuid}/branding/{name}", ContentFile(content)
    )
    world.tenant.logo.name = saved
    world.tenant.save()


def _images(data: bytes) -> int:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages[0].images)


@pytest.mark.parametrize(("name", "fmt"), [("logo.png", "PNG"), ("logo.jpg", "JPEG")])
def test_pdf_shows_a_png_or_jpeg_logo(acme, settings, tmp_path, name, fmt):
    settings.MEDIA_ROOT = tmp_path
    _set_logo(acme, name, png_bytes(fmt=fmt))
    with acme.scope():
        data = certificate_pdf(completed_course(acme).certificate)
    assert _images(data) == 1


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.webp", png_bytes(fmt="WEBP")),
        ("logo.png", b"not an image at all"),
        ("logo.png", png_bytes(fmt="GIF")),
    ],
)
def test_pdf_skips_other_or_broken_logos(acme, settings, tmp_path, name, content):
    settings.MEDIA_ROOT = tmp_path
    _set_logo(acme, name, content)
    with acme.scope():
        data = certificate_pdf(completed_course(acme).certificate)
    assert _images(data) == 0
    assert acme.tenant.name in pdf_text(data)


def test_pdf_without_a_logo_file(acme, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    acme.tenant.logo.name = "tenants/missing/logo.png"
    acme.tenant.save()
    with acme.scope():
        data = certificate_pdf(completed_course(acme).certificate)
    assert _images(data) == 0


def test_brand_colour_is_text_only_when_it_reads_well():
    assert contrast_on_white((29, 78, 216)) >= 4.5  # the default blue
    assert contrast_on_white((255, 255, 0)) < 4.5  # yellow: frame only
    assert contrast_on_white((0, 0, 0)) == pytest.approx(21)


@pytest.mark.parametrize("colour", ["#ffff00", "#1d4ed8", "#zzzzzz", ""])
def test_pdf_with_any_brand_colour(acme, colour):
    acme.tenant.brand_colour = colour
    acme.tenant.save()
    with acme.scope():
        data = certificate_pdf(completed_course(acme).certificate)
    assert "Certificate of completion" in pdf_text(data)


# --- download --------------------------------------------------------------------------------


def download_url(certificate: Certificate) -> str:
    return reverse("certificates:download", kwargs={"certificate_uuid": certificate.uuid})


def test_owner_downloads_the_pdf(acme):
    with acme.scope():
        certificate = completed_course(acme).certificate
    response = acme.client_for(acme.learner).get(download_url(certificate))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"certificate-phone-basics-{certificate.code}.pdf" in disposition
    assert response.content.startswith(b"%PDF-")
    assert "no-store" in response["Cache-Control"]


def test_another_learner_or_tenant_cannot_download(acme, globex):
    with acme.scope():
        certificate = completed_course(acme).certificate
    for client in (
        acme.client_for(acme.author),
        acme.client_for(acme.admin),
        globex.client_for(globex.learner),
        globex.client_for(globex.admin),
    ):
        assert client.get(download_url(certificate)).status_code == 404
    missing = reverse(
        "certificates:download", kwargs={"certificate_uuid": "00000000-0000-0000-0000-000000000000"}
    )
    assert acme.client_for(acme.learner).get(missing).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(acme):
    with acme.scope():
        certificate = completed_course(acme).certificate
    response = Client(HTTP_HOST=acme.host()).get(download_url(certificate))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_download_is_get_only(acme):
    with acme.scope():
        certificate = completed_course(acme).certificate
    assert acme.client_for(acme.learner).post(download_url(certificate)).status_code == 405


# --- links -----------------------------------------------------------------------------------


def test_results_and_my_learning_link_the_certificate(acme):
    with acme.scope():
        pc = completed_course(acme)
    client = acme.client_for(acme.learner)
    results = client.get(url("results", pc)).content.decode()
    assert download_url(pc.certificate) in results
    assert pc.certificate.code in results
    learning = client.get(reverse("catalog:my-learning")).content.decode()
    assert download_url(pc.certificate) in learning


def test_no_certificate_link_before_completion(acme):
    with acme.scope():
        pc = player_course(acme)
    client = acme.client_for(acme.learner)
    assert "certificates/" not in client.get(url("results", pc)).content.decode()
    assert "certificates/" not in client.get(reverse("catalog:my-learning")).content.decode()


# --- verification ----------------------------------------------------------------------------


def verify_url(code: str) -> str:
    return reverse("certificates:verify-code", kwargs={"code": code})


def test_verification_page_is_public_and_shows_the_certificate(acme):
    with acme.scope():
        certificate = completed_course(acme).certificate
    response = Client(HTTP_HOST=acme.host()).get(verify_url(certificate.code))
    assert response.status_code == 200
    assert response["X-Robots-Tag"].startswith("noindex")
    body = response.content.decode()
    assert "Valid certificate" in body
    for text in (certificate.learner_name, "Phone basics", "March 5, 2026", acme.tenant.name):
        assert text in body
    assert 'name="robots" content="noindex' in body


def test_verification_normalises_the_code_to_its_canonical_address(acme):
    with acme.scope():
        certificate = completed_course(acme).certificate
    client = Client(HTTP_HOST=acme.host())
    typed = certificate.code.lower()
    response = client.get(verify_url(typed))
    assert response.status_code == 302
    assert response["Location"] == verify_url(certificate.code)
    squashed = client.get(verify_url(certificate.code.replace("-", "")))
    assert squashed["Location"] == verify_url(certificate.code)


def test_unknown_code_is_a_clear_not_found(acme):
    response = Client(HTTP_HOST=acme.host()).get(verify_url("ABCD-EFGH-JKLM"))
    assert response.status_code == 404
    assert response["X-Robots-Tag"].startswith("noindex")
    body = response.content.decode()
    assert "No certificate with this code" in body
    assert 'name="code"' in body  # try again right there
    garbage = Client(HTTP_HOST=acme.host()).get(verify_url("<script>"))
    assert garbage.status_code == 404
    assert "<script>" not in garbage.content.decode()


def test_another_tenants_code_is_not_found_here(acme, globex):
    with globex.scope():
        theirs = completed_course(globex).certificate
    for client in (Client(HTTP_HOST=acme.host()), acme.client_for(acme.admin)):
        response = client.get(verify_url(theirs.code))
        assert response.status_code == 404
        assert theirs.learner_name not in response.content.decode()
    assert Client(HTTP_HOST=globex.host()).get(verify_url(theirs.code)).status_code == 200


def test_verify_form_goes_to_the_code_page(acme):
    with acme.scope():
        certificate = completed_course(acme).certificate
    client = Client(HTTP_HOST=acme.host())
    form = client.get(reverse("certificates:verify"))
    assert form.status_code == 200
    assert form["X-Robots-Tag"].startswith("noindex")
    assert 'for="id_code"' in form.content.decode()
    typed = " " + certificate.code.lower().replace("-", " ") + " "
    response = client.get(reverse("certificates:verify"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == verify_url(certificate.code)
    bad = client.get(reverse("certificates:verify"), {"code": "nope"})
    assert bad.status_code == 400
    assert "12 letters and digits" in bad.content.decode()


def test_verification_pages_are_get_only(acme):
    client = Client(HTTP_HOST=acme.host())
    assert client.post(reverse("certificates:verify")).status_code == 405
    assert client.post(verify_url("ABCD-EFGH-JKLM")).status_code == 405


# --- API -------------------------------------------------------------------------------------


def test_api_lists_my_certificates_only(acme, globex):
    other = None
    with acme.scope():
        mine = completed_course(acme).certificate
        other = MembershipFactory(roles=[])
        completed_course(acme, learner=other)
    with globex.scope():
        completed_course(globex)
    response = acme.client_for(acme.learner).get("/api/v1/certificates/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["uuid"] for r in results] == [str(mine.uuid)]
    row = results[0]
    assert row["code"] == mine.code
    assert row["course_title"] == "Phone basics"
    assert row["download_url"].endswith(download_url(mine))
    assert row["verify_url"].endswith(verify_url(mine.code))
    assert row["verify_url"].startswith("http")
    detail = acme.client_for(acme.learner).get(f"/api/v1/certificates/{mine.uuid}/")
    assert detail.status_code == 200
    assert detail.json()["uuid"] == str(mine.uuid)
    assert acme.client_for(other).get(f"/api/v1/certificates/{mine.uuid}/").status_code == 404
    foreign = globex.client_for(globex.learner).get(f"/api/v1/certificates/{mine.uuid}/")
    assert foreign.status_code == 404
    assert foreign.json()["error"]["code"] == "not_found"


def test_pdf_with_a_very_long_name_and_title_stays_on_one_page(acme):
    acme.learner.user.display_name = "Maximiliane " * 10
    acme.learner.user.save()
    with acme.scope():
        pc = player_course(acme)
        pc.course.title = "A thorough introduction to " + "telephones and " * 11
        pc.course.save()
        pc.enrollment.release = release_new(pc.course)
        pc.enrollment.status = EnrollmentStatus.COMPLETED
        pc.enrollment.completed_at = datetime(2026, 3, 5, tzinfo=UTC)
        pc.enrollment.save()
        certificate = certificate_issue(pc.enrollment)
        data = certificate_pdf(certificate)
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    text = flat(pdf_text(data))
    assert certificate.code in text
    assert "Maximiliane Maximiliane" in text
