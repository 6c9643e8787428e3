"""Manage → Settings: name, languages, logo and a brand colour that keeps white text readable."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tenants.models import AuditEvent, Tenant

pytestmark = pytest.mark.django_db

SETTINGS = "/manage/settings/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def form(**changes):
    data = {
        "name": "Acme",
        "languages": ["en", "nl"],
        "default_language": "en",
        "brand_colour": "#1d4ed8",
        "brand_colour_picker": "#1d4ed8",
    }
    data.update(changes)
    return data


def png(size=(8, 8), image_format="PNG", name="logo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", size, "#1d4ed8").save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def tenant_of(world):
    return Tenant.objects.get(pk=world.tenant.pk)


def test_settings_page_shows_the_form_and_a_nonced_preview_without_style_attributes(acme):
    response = acme.client_for(acme.admin).get(SETTINGS)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'type="color"' in body
    assert 'name="brand_colour"' in body
    assert 'class="brand-preview"' in body
    assert ".brand-preview { background: #1d4ed8; }" in body
    assert "<style nonce=" in body
    assert " style=" not in body
    assert 'aria-current="page"' in body


def test_admin_saves_name_languages_and_a_readable_colour(acme):
    response = acme.client_for(acme.admin).post(
        SETTINGS,
        form(
            name="Acme Learning",
            languages=["en", "nl", "de"],
            default_language="nl",
            brand_colour="#1D4ED8",
        ),
    )
    assert response.status_code == 302
    tenant = tenant_of(acme)
    assert tenant.name == "Acme Learning"
    assert tenant.languages == ["en", "nl", "de"]
    assert tenant.default_language == "nl"
    assert tenant.brand_colour == "#1d4ed8"
    with acme.scope():
        assert AuditEvent.objects.filter(verb="tenant.settings_changed").exists()


def test_a_darker_colour_is_saved(acme):
    acme.client_for(acme.admin).post(
        SETTINGS, form(brand_colour="#7c2d12", brand_colour_picker="#1d4ed8")
    )
    assert tenant_of(acme).brand_colour == "#7c2d12"


def test_colour_from_the_picker_is_used_when_the_text_is_unchanged(acme):
    with acme.scope():
        Tenant.objects.filter(pk=acme.tenant.pk).update(brand_colour="#7c2d12")
    acme.client_for(acme.admin).post(
        SETTINGS, form(brand_colour="#7c2d12", brand_colour_picker="#1d4ed8")
    )
    assert tenant_of(acme).brand_colour == "#1d4ed8"


def test_colour_failing_contrast_is_refused_with_the_reason_and_nothing_changes(acme):
    before = tenant_of(acme)
    response = acme.client_for(acme.admin).post(
        SETTINGS, form(name="Renamed", brand_colour="#ffcc00")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "WCAG AA needs at least 4.5:1" in body
    assert 'id="id_brand_colour_error"' in body
    assert 'aria-invalid="true"' in body
    # The preview shows the refused colour, so the person sees why.
    assert ".brand-preview { background: #ffcc00; }" in body
    after = tenant_of(acme)
    assert (after.name, after.brand_colour) == (before.name, before.brand_colour)


def test_malformed_colour_is_refused_and_never_reaches_the_style_block(acme):
    response = acme.client_for(acme.admin).post(SETTINGS, form(brand_colour="red;}body{x:y"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "six hexadecimal digits" in body
    assert "body{x:y" not in body.split("</style>")[0].split("brand-preview")[-1]
    assert ".brand-preview { background: #1d4ed8; }" in body
    assert tenant_of(acme).brand_colour == "#1d4ed8"


def test_default_language_must_be_offered(acme):
    response = acme.client_for(acme.admin).post(
        SETTINGS, form(languages=["en"], default_language="nl")
    )
    assert response.status_code == 400
    assert "must be one of the languages offered" in response.content.decode()
    assert tenant_of(acme).languages == ["en", "nl"]


def test_logo_upload_is_saved_shown_and_removable(acme, django_capture_on_commit_callbacks):
    client = acme.client_for(acme.admin)
    with django_capture_on_commit_callbacks(execute=True):  # forgets the cached tenant
        assert client.post(SETTINGS, form(logo=png())).status_code == 302
    tenant = tenant_of(acme)
    assert tenant.logo.name.startswith(f"tenants/{tenant.uuid}/branding/logo-")
    assert tenant.logo.name.endswith(".png")
    body = client.get(SETTINGS).content.decode()
    assert "/branding/logo/?v=" in body
    logo = client.get("/branding/logo/")
    assert logo.status_code == 200
    assert logo["Content-Type"] == "image/png"
    assert "Remove the current logo" in body
    assert client.post(SETTINGS, form(remove_logo="on")).status_code == 302
    assert not tenant_of(acme).logo


def test_logo_that_is_not_an_image_is_refused(acme):
    fake = SimpleUploadedFile("logo.png", b"%PDF-1.4 not an image", content_type="image/png")
    response = acme.client_for(acme.admin).post(SETTINGS, form(name="Renamed", logo=fake))
    assert response.status_code == 400
    assert "must be a PNG, JPEG or WebP image" in response.content.decode()
    tenant = tenant_of(acme)
    assert not tenant.logo
    assert tenant.name == "Acme"


def test_logo_in_an_unsupported_format_is_refused(acme):
    gif = png(image_format="GIF", name="logo.gif")
    response = acme.client_for(acme.admin).post(SETTINGS, form(logo=gif))
    assert response.status_code == 400
    assert not tenant_of(acme).logo


def test_logo_over_two_megabytes_is_refused(acme, settings):
    settings.EGL_LOGO_MAX_BYTES = 100
    response = acme.client_for(acme.admin).post(SETTINGS, form(logo=png(size=(64, 64))))
    assert response.status_code == 400
    assert "at most 2 MB" in response.content.decode()
    assert not tenant_of(acme).logo


def test_admin_sets_the_media_upload_limit(acme, settings):
    settings.EGL_UPLOAD_MAX_MB = 500
    page = acme.client_for(acme.admin).get(SETTINGS).content.decode()
    assert 'name="upload_limit_mb"' in page
    assert 'value="200"' in page  # the default
    response = acme.client_for(acme.admin).post(SETTINGS, form(upload_limit_mb="50"))
    assert response.status_code == 302
    assert tenant_of(acme).upload_limit_mb == 50


@pytest.mark.parametrize("limit", ["0", "501", "-3"])
def test_an_upload_limit_outside_1_to_the_platform_maximum_is_refused(acme, settings, limit):
    settings.EGL_UPLOAD_MAX_MB = 500
    response = acme.client_for(acme.admin).post(
        SETTINGS, form(upload_limit_mb=limit, name="Changed too")
    )
    assert response.status_code == 400
    assert tenant_of(acme).upload_limit_mb == 200
    assert tenant_of(acme).name == "Acme"  # nothing of the form was saved


def test_the_tenant_limit_is_what_the_media_library_enforces(
    acme, settings, django_capture_on_commit_callbacks
):
    """Set in the settings, applied on upload: a file over it is refused, nothing stored."""
    from authoring.models import Asset

    settings.EGL_UPLOAD_MAX_MB = 500
    with django_capture_on_commit_callbacks(execute=True):  # drops the cached tenant
        acme.client_for(acme.admin).post(SETTINGS, form(upload_limit_mb="1"))
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10))
    response = acme.client_for(acme.author).post(
        "/api/v1/assets/", {"files": [big]}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400, response.content[:300]
    assert "1 MB" in response.content.decode()
    with acme.scope():
        assert not Asset.objects.exists()
