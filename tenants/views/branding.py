"""The tenant's logo, served from default storage on its own host.

MEDIA_ROOT is never served as a whole: it also holds private files (exports), which go
out only through views that check permission. The logo is public on purpose: the
sign-in page shows it.
"""

import hashlib

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_GET

from tenants.decorators import public_view

LOGO_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}


@public_view
@require_GET
def logo(request: HttpRequest) -> HttpResponse | FileResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    name = tenant.logo.name if tenant.logo else ""
    if not name or not default_storage.exists(name):
        raise Http404
    etag = '"' + hashlib.sha256(name.encode()).hexdigest()[:16] + '"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified()
    extension = name.rsplit(".", 1)[-1].lower()
    response = FileResponse(
        default_storage.open(name, "rb"),
        content_type=LOGO_TYPES.get(extension, "application/octet-stream"),
    )
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=300"
    return response
