"""Certificates: issued once when a learner completes a course, a PDF, a public check.

    certificate_issue(enrollment)              # on completion (courses.player); idempotent
    certificate_pdf(certificate)               # bytes of the A4 landscape PDF
    certificate_find(code)                     # this tenant's certificate for a typed code
    certificates_of(actor=membership)          # the learner's own certificates

What a certificate certifies (learner, course, release, completion date) is copied into the
row when it is issued, so it reads the same for ever. The verification code is random
(`secrets`), 12 characters from an alphabet without look-alikes (no 0/O, 1/I), shown as
ABCD-EFGH-JKLM and unique per tenant; a typed code is compared ignoring case, spaces and
dashes. The PDF uses the vendored DejaVu Sans (courses/fonts/), so every name renders.
"""

from __future__ import annotations

import io
import logging
import re
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from courses.models import Certificate, Enrollment, EnrollmentStatus
from egl_platform.errors import Conflict
from tenants.hosts import tenant_url
from tenants.models import Membership, Tenant

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "certificate_code_new",
    "certificate_find",
    "certificate_issue",
    "certificate_language",
    "certificate_pdf",
    "certificate_verify_url",
    "certificates_of",
    "code_normalise",
]

logger = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, no 1/I
CODE_LENGTH = 12
CODE_GROUP = 4
_ISSUE_TRIES = 5

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"

_LOGO_EXTENSIONS = {"png", "jpg", "jpeg"}
_DARK = (33, 37, 41)
_MUTED = (85, 85, 85)


# --- codes -----------------------------------------------------------------------------------


def _grouped(raw: str) -> str:
    return "-".join(raw[i : i + CODE_GROUP] for i in range(0, len(raw), CODE_GROUP))


def certificate_code_new() -> str:
    """A fresh random code, e.g. "K7QM-XW3D-PH9T"."""
    return _grouped("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)))


def code_normalise(text: str) -> str | None:
    """The stored form of a typed code (case, spaces and dashes ignored); None when it
    cannot be a code at all."""
    raw = re.sub(r"[\s\-‐‑–—]+", "", text or "").upper()
    if len(raw) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in raw):
        return None
    return _grouped(raw)


# --- issuing ---------------------------------------------------------------------------------


def _course_title(enrollment: Enrollment) -> str:
    document = enrollment.release.document or {}
    course = document.get("course") if isinstance(document, dict) else None
    title = course.get("title") if isinstance(course, dict) else None
    return str(title or enrollment.course.title)[:200]


def certificate_issue(enrollment: Enrollment) -> Certificate:
    """The enrolment's certificate, issued now if it has none yet (idempotent).

    Called by courses.player.completion_check inside the completing transaction. A code
    that happens to be taken in this tenant is drawn again.
    """
    existing = Certificate.objects.filter(enrollment_id=enrollment.pk).first()
    if existing is not None:
        return existing
    if enrollment.status != EnrollmentStatus.COMPLETED:
        raise Conflict(_("A certificate is issued once the course is completed."))
    enrollment = Enrollment.objects.select_related("course", "release", "learner__user").get(
        pk=enrollment.pk
    )
    fields: dict[str, Any] = {
        "enrollment": enrollment,
        "learner_name": enrollment.learner.user.name[:200],
        "course_title": _course_title(enrollment),
        "release_number": enrollment.release.number,
        "completed_at": enrollment.completed_at or timezone.now(),
    }
    for _attempt in range(_ISSUE_TRIES):
        try:
            with transaction.atomic():  # a savepoint: a clash leaves the outer work intact
                return Certificate.objects.create(code=certificate_code_new(), **fields)
        except IntegrityError:
            existing = Certificate.objects.filter(enrollment_id=enrollment.pk).first()
            if existing is not None:  # issued meanwhile by a concurrent completion
                return existing
    raise RuntimeError("could not draw a free certificate code")


# --- reading ---------------------------------------------------------------------------------


def certificates_of(*, actor: Membership) -> QuerySet[Certificate]:
    """The actor's own certificates, newest first."""
    return Certificate.objects.filter(enrollment__learner=actor).select_related(
        "enrollment__course"
    )


def certificate_find(code: str) -> Certificate | None:
    """This tenant's certificate with the typed `code`, or None."""
    normalised = code_normalise(code)
    if normalised is None:
        return None
    return Certificate.objects.filter(code=normalised).first()


def certificate_verify_url(certificate: Certificate) -> str:
    """The absolute URL of the certificate's public verification page."""
    path = reverse("certificates:verify-code", kwargs={"code": certificate.code})
    return tenant_url(certificate.tenant, path)


def certificate_language(certificate: Certificate) -> str:
    """The learner's language (their setting, else the tenant's default), one we offer."""
    offered = {code for code, _name in settings.LANGUAGES}
    learner = certificate.enrollment.learner
    for candidate in (learner.user.language, certificate.tenant.default_language):
        if candidate and candidate in offered:
            return candidate
    return settings.LANGUAGE_CODE


# --- the PDF ---------------------------------------------------------------------------------


def _rgb(hex_colour: str) -> tuple[int, int, int] | None:
    match = re.fullmatch(r"#?([0-9a-fA-F]{6})", (hex_colour or "").strip())
    if not match:
        return None
    value = match.group(1)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_on_white(rgb: tuple[int, int, int]) -> float:
    """WCAG contrast ratio of `rgb` on white."""
    return 1.05 / (_luminance(rgb) + 0.05)


def _logo_bytes(tenant: Tenant) -> tuple[io.BytesIO, float] | None:
    """The tenant's logo (and its width / height) when it is a PNG or JPEG that opens;
    None otherwise: the certificate goes without it."""
    name = tenant.logo.name if tenant.logo else ""
    if not name or name.rsplit(".", 1)[-1].lower() not in _LOGO_EXTENSIONS:
        return None
    try:
        with default_storage.open(name, "rb") as handle:
            data = handle.read()
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG") or not image.width or not image.height:
                return None
            aspect = image.width / image.height
    except Exception:
        logger.warning("certificate: the logo of tenant %s could not be read", tenant.pk)
        return None
    return io.BytesIO(data), aspect


def _fitting_size(pdf: Any, text: str, sizes: tuple[int, ...], lines: int = 2) -> int:
    """The largest font size of `sizes` at which `text` takes at most `lines` lines."""
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    for size in sizes:
        pdf.set_font("DejaVu", "B", size)
        if pdf.get_string_width(text) <= usable * lines * 0.95:
            return size
    return sizes[-1]


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate as an A4 landscape PDF, in the learner's language."""
    from fpdf import FPDF

    tenant = certificate.tenant
    accent = _rgb(tenant.brand_colour) or (29, 78, 216)
    # The brand colour draws the frame; as text only when it reads well on white.
    heading = accent if contrast_on_white(accent) >= 4.5 else _DARK
    language = certificate_language(certificate)
    verify_url = certificate_verify_url(certificate)

    with translation.override(language):
        completed = formats.date_format(timezone.localtime(certificate.completed_at), "DATE_FORMAT")
        texts = {
            "title": _("Certificate of completion"),
            "certifies": _("This certifies that"),
            "completed_course": _("has completed the course"),
            "completed_on": _("Completed on %(date)s") % {"date": completed},
            "release": _("Course release %(number)s") % {"number": certificate.release_number},
            "code": _("Verification code: %(code)s") % {"code": certificate.code},
            "verify": _("Check this certificate at %(url)s") % {"url": verify_url},
        }

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(25, 20, 25)
    pdf.add_font("DejaVu", "", str(FONT_REGULAR))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))
    pdf.set_title(f"{texts['title']} – {certificate.course_title}")
    pdf.set_author(tenant.name)
    pdf.set_subject(certificate.code)
    pdf.set_creator("EGL Platform")
    pdf.set_lang(language)
    pdf.add_page()
    width, height = pdf.w, pdf.h

    # Frame and band in the brand colour.
    pdf.set_draw_color(*accent)
    pdf.set_fill_color(*accent)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, width - 20, height - 20)
    pdf.rect(10, 10, width - 20, 6, style="F")

    top = 26.0
    logo = _logo_bytes(tenant)
    if logo is not None:
        image, aspect = logo
        logo_h = 18.0
        logo_w = min(logo_h * aspect, 90.0)
        logo_h = logo_w / aspect
        try:
            pdf.image(image, x=(width - logo_w) / 2, y=top, w=logo_w, h=logo_h)
            top += logo_h + 4
        except Exception:
            logger.warning("certificate: the logo of tenant %s could not be drawn", tenant.pk)
    pdf.set_xy(pdf.l_margin, top)
    pdf.set_text_color(*_MUTED)
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(0, 8, tenant.name, align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.ln(6)
    pdf.set_text_color(*heading)
    pdf.set_font("DejaVu", "B", 30)
    pdf.multi_cell(0, 14, texts["title"], align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.ln(4)
    pdf.set_text_color(*_DARK)
    pdf.set_font("DejaVu", "", 14)
    pdf.multi_cell(0, 8, texts["certifies"], align="C", new_x="LMARGIN", new_y="NEXT")
    size = _fitting_size(pdf, certificate.learner_name, (26, 22, 18, 14, 11))
    pdf.set_font("DejaVu", "B", size)
    pdf.multi_cell(
        0, size * 0.5, certificate.learner_name, align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("DejaVu", "", 14)
    pdf.multi_cell(0, 8, texts["completed_course"], align="C", new_x="LMARGIN", new_y="NEXT")
    size = _fitting_size(pdf, certificate.course_title, (20, 17, 14, 11))
    pdf.set_font("DejaVu", "B", size)
    pdf.multi_cell(
        0, size * 0.5, certificate.course_title, align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 13)
    pdf.multi_cell(
        0,
        7,
        f"{texts['completed_on']} · {texts['release']}",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )

    # Verification at the foot of the page.
    pdf.set_xy(pdf.l_margin, height - 38)
    pdf.set_text_color(*_DARK)
    pdf.set_font("DejaVu", "B", 12)
    pdf.multi_cell(0, 6, texts["code"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*_MUTED)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(0, 5, texts["verify"], align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
