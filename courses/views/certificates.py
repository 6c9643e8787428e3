"""Certificates: the learner's PDF and the public verification pages.

    /certificates/<certificate_uuid>/download/   the learner's own certificate as a PDF
    /verify/                                     public: a form to type a code (GET ?code=)
    /verify/<code>/                              public: "Valid certificate" or 404

The verification pages need no sign-in: the code is the key, looked up in this host's
tenant only (another tenant's code is not found here). They are kept out of search engines
(X-Robots-Tag: noindex).
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from authoring.views.common import actor_of
from courses.certificates import (
    certificate_find,
    certificate_pdf,
    certificates_of,
    code_normalise,
)
from tenants.decorators import capability_required, public_view
from tenants.permissions import Capability

__all__ = ["download", "verify", "verify_code"]

T = "courses/certificates/"
NOINDEX = "noindex, nofollow"


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Verification code"),
        max_length=64,
        help_text=gettext_lazy("As printed on the certificate, for example ABCD-EFGH-JKLM."),
    )

    def clean_code(self) -> str:
        normalised = code_normalise(self.cleaned_data["code"])
        if normalised is None:
            raise forms.ValidationError(
                _("A verification code has 12 letters and digits, for example ABCD-EFGH-JKLM.")
            )
        return normalised


def _noindex(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = NOINDEX
    return response


@require_GET
@capability_required(Capability.COURSE_TAKE)
def download(request: HttpRequest, certificate_uuid: Any) -> HttpResponse:
    """The learner's own certificate; anyone else's (or none) is 404."""
    certificate = (
        certificates_of(actor=actor_of(request))
        .select_related("tenant", "enrollment__learner__user")
        .filter(uuid=certificate_uuid)
        .first()
    )
    if certificate is None:
        raise Http404(_("There is no such certificate."))
    filename = (
        f"certificate-{slugify(certificate.course_title)[:60] or 'course'}-{certificate.code}.pdf"
    )
    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return _noindex(response)


@public_view
@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    """The form to type a code; a valid-looking code goes to its verification page."""
    form = VerifyForm(request.GET if "code" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect("certificates:verify-code", code=form.cleaned_data["code"])
    status = 400 if form.is_bound else 200
    return _noindex(render(request, T + "verify.html", {"form": form}, status=status))


@public_view
@require_GET
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    """ "Valid certificate" with what it certifies, or "No certificate with this code" (404)."""
    certificate = certificate_find(code)
    if certificate is None:
        typed = re.sub(r"[^\w\-\s]", "", code)[:64]
        form = VerifyForm(initial={"code": typed})
        response = render(request, T + "invalid.html", {"form": form, "code": typed}, status=404)
        return _noindex(response)
    if certificate.code != code:  # the canonical address: upper case, dashes
        return redirect("certificates:verify-code", code=certificate.code)
    return _noindex(render(request, T + "valid.html", {"certificate": certificate}))
