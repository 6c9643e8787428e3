"""The media library (authors): list, multi-file upload, asset detail with "where used" and
"replace everywhere", the editor's picker fragment, and the file itself (`asset-file`).

Thin views: parse, call one service or selector from authoring.services.assets, render.
Library pages need COURSE_CREATE. The file is served to any signed-in member of the tenant
(COURSE_TAKE: learners see course media); the published-course player (issue 5) may tighten
this to members who may see a course using the asset.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import IO, Any

from django import forms
from django.contrib import messages
from django.core.files.storage import default_storage
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotModified,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST, require_safe

from authoring.media.images import RENDITION_TYPE
from authoring.media.sniff import KINDS
from authoring.models import Asset
from authoring.services.assets import (
    AssetUse,
    asset_get,
    asset_replace,
    asset_upload_many,
    asset_where_used,
    assets_list,
    upload_limit_mb,
)
from egl_platform.errors import DomainError, Forbidden, NotFound
from tenants.decorators import capability_required
from tenants.permissions import Capability

T = "authoring/media/"
PER_PAGE = 24
PICKER_PER_PAGE = 12
INLINE_KINDS = frozenset({"image", "video", "audio", "captions"})
# A year: an asset's bytes never change (replacing makes a new asset), so caching is safe.
CACHE_CONTROL = "private, max-age=31536000, immutable"
# Shown on its own (direct navigation), an SVG or text file runs nothing and loads nothing.
FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")

KIND_LABELS = {
    "image": gettext_lazy("Images"),
    "video": gettext_lazy("Videos"),
    "audio": gettext_lazy("Audio"),
    "captions": gettext_lazy("Captions"),
    "document": gettext_lazy("Documents"),
}
# One asset's kind, as shown on its card and page.
KIND_NAMES = {
    "image": gettext_lazy("Image"),
    "video": gettext_lazy("Video"),
    "audio": gettext_lazy("Audio"),
    "captions": gettext_lazy("Captions"),
    "document": gettext_lazy("Document"),
}
ACCEPT = {
    "image": "image/png,image/jpeg,image/gif,image/webp,image/svg+xml",
    "video": "video/mp4,video/webm",
    "audio": "audio/*",
    "captions": ".vtt,.srt,text/vtt",
    "document": ".pdf,.docx,.xlsx,.pptx,.txt,.csv",
}


class MediaFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("All kinds")), *KIND_LABELS.items()],
    )
    q = forms.CharField(label=gettext_lazy("File name"), required=False, max_length=200)

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {"kind": "", "search": ""}
        return {"kind": self.cleaned_data["kind"], "search": self.cleaned_data["q"].strip()}


def _wants_fragment(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def _actor(request: HttpRequest) -> Any:
    return request.membership  # type: ignore[attr-defined]  # set by the tenancy middleware


def _page(request: HttpRequest, items: Any, per_page: int = PER_PAGE) -> PaginatorPage:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _library_context(request: HttpRequest, form: MediaFilterForm) -> dict[str, Any]:
    filters = form.filters() if form.is_bound else {"kind": "", "search": ""}
    page = _page(request, assets_list(actor=_actor(request), **filters))
    return {
        "form": form,
        "page_obj": page,
        "rows": [(asset, KIND_NAMES.get(asset.kind, asset.kind)) for asset in page],
        "filtered": any(filters.values()),
        "limit_mb": upload_limit_mb(request.tenant),  # type: ignore[attr-defined]
    }


# --- library --------------------------------------------------------------------------------------


@capability_required(Capability.COURSE_CREATE)
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    """The tenant's assets, newest first: filter by kind, search by file name, 24 a page."""
    form = MediaFilterForm(request.GET or None)
    context = _library_context(request, form)
    template = T + ("library.html#results" if _wants_fragment(request) else "library.html")
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@capability_required(Capability.COURSE_CREATE)
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    """Upload one or more files (`files`); each is uploaded, matched to an existing asset or
    refused with its reason. htmx gets the results fragment (and an event that refreshes the
    list); a plain POST gets the library page with the results on it."""
    files = request.FILES.getlist("files")
    outcomes = asset_upload_many(actor=_actor(request), files=files) if files else []
    error = "" if files else _("Choose one or more files to upload.")
    ok = any(outcome.asset is not None for outcome in outcomes)
    context = {"outcomes": outcomes, "upload_error": error}
    if _wants_fragment(request):
        response = render(request, T + "library.html#upload-results", context)
        if ok:
            response["HX-Trigger"] = "media-uploaded"
        return response
    context |= _library_context(request, MediaFilterForm())
    return render(request, T + "library.html", context, status=200 if ok else 400)


def _course_link(use: AssetUse) -> str:
    try:
        return reverse("authoring:course-edit", kwargs={"course_uuid": use.course_uuid})
    except NoReverseMatch:
        return ""


def _render_detail(
    request: HttpRequest, asset: Asset, *, error: str = "", status: int = 200
) -> HttpResponse:
    uses = asset_where_used(asset=asset)
    context = {
        "asset": asset,
        "kind_label": KIND_NAMES.get(asset.kind, asset.kind),
        "inline": asset.kind in INLINE_KINDS,
        "uses": [(use, _course_link(use)) for use in uses],
        "course_count": len({use.course_uuid for use in uses}),
        "replacement": (
            Asset.objects.filter(pk=asset.replaced_by_id).first() if asset.replaced_by_id else None
        ),
        "accept": ACCEPT.get(asset.kind, ""),
        "error": error,
        "limit_mb": upload_limit_mb(request.tenant),  # type: ignore[attr-defined]
    }
    return render(request, T + "detail.html", context, status=status)


@capability_required(Capability.COURSE_CREATE)
@require_GET
def detail(request: HttpRequest, asset_uuid: Any) -> HttpResponse:
    """One asset: preview, facts, where it is used in the draft, and the replace form."""
    return _render_detail(request, asset_get(asset_uuid=asset_uuid))


@capability_required(Capability.COURSE_CREATE)
@require_POST
def replace(request: HttpRequest, asset_uuid: Any) -> HttpResponse:
    """Replace the asset everywhere in the draft with the uploaded `file`; on success go to
    the new asset. A refusal re-renders the detail page with the reason; nothing changed."""
    asset = asset_get(asset_uuid=asset_uuid)
    file = request.FILES.get("file")
    if file is None:
        return _render_detail(
            request, asset, error=_("Choose a file to replace it with."), status=400
        )
    try:
        new = asset_replace(actor=_actor(request), asset=asset, file=file)
    except DomainError as exc:
        return _render_detail(request, asset, error=str(exc.message), status=exc.status)
    except Forbidden as exc:
        message = str(exc.args[0]) if exc.args else _("You do not have permission to do this.")
        return _render_detail(request, asset, error=message, status=403)
    messages.success(
        request,
        _("“%(old)s” was replaced by “%(new)s” everywhere in the drafts.")
        % {"old": asset.filename, "new": new.filename},
    )
    return redirect("media-detail", asset_uuid=new.uuid)


@capability_required(Capability.COURSE_CREATE)
@require_GET
def picker(request: HttpRequest) -> HttpResponse:
    """The editor's asset picker (an htmx fragment): assets of `kind`, searchable, each with a
    "choose" button carrying data-asset-uuid, data-asset-url and data-asset-alt."""
    kind = request.GET.get("kind", "")
    if kind not in KINDS:
        kind = ""
    search = request.GET.get("q", "")[:200]
    page = _page(
        request, assets_list(actor=_actor(request), kind=kind, search=search), PICKER_PER_PAGE
    )
    context = {
        "page_obj": page,
        "rows": [(asset, KIND_NAMES.get(asset.kind, asset.kind)) for asset in page],
        "kind": kind,
        "q": search,
        "kind_label": KIND_LABELS.get(kind, ""),
        "hx_target": "#media-picker",
    }
    response = render(request, T + "picker.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- the file ----------------------------------------------------------------------------------


def _pick_rendition(asset: Asset, width: str | None) -> tuple[str, str, str]:
    """(storage name, content type, ETag suffix): the narrowest rendition at least `width`
    wide, else the original."""
    if width and width.isdigit() and asset.renditions:
        wanted = int(width)
        widths = sorted(int(w) for w in asset.renditions if str(w).isdigit())
        chosen = next((w for w in widths if w >= wanted), None)
        if chosen is not None:
            return str(asset.renditions[str(chosen)]), RENDITION_TYPE, f"-w{chosen}"
    return str(asset.file.name), asset.content_type, ""


def _chunks(handle: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            chunk = handle.read(min(64 * 1024, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """(start, end inclusive) of a single `bytes=` range, None when absent or not one range;
    raises ValueError when it cannot be satisfied."""
    match = _RANGE.match(header.strip())
    if not match or size == 0:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        start, end = max(0, size - int(last)), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        raise ValueError("unsatisfiable")
    return start, end


@capability_required(Capability.COURSE_TAKE)
@require_safe
def asset_file(request: HttpRequest, asset_uuid: Any) -> HttpResponseBase:
    """The asset's bytes (or a rendition with `?w=`), for any signed-in member of the tenant.

    Headers: the stored content type, nosniff, inline for media and attachment for
    documents, a strong ETag from the checksum, a year of private caching, byte ranges
    (video seeking). Another tenant's asset, or a missing file, is 404.
    """
    asset = asset_get(asset_uuid=asset_uuid)
    name, content_type, suffix = _pick_rendition(asset, request.GET.get("w"))
    etag = '"' + asset.checksum.removeprefix("sha256:") + suffix + '"'
    common = {
        "ETag": etag,
        "Cache-Control": CACHE_CONTROL,
        "X-Content-Type-Options": "nosniff",
    }
    candidates = {
        tag.strip().removeprefix("W/")
        for tag in request.headers.get("If-None-Match", "").split(",")
    }
    if etag in candidates or "*" in candidates:
        not_modified = HttpResponseNotModified()
        for key, value in common.items():
            not_modified[key] = value
        return not_modified
    if not name or not default_storage.exists(name):
        raise NotFound(_("Not found."))
    filename = asset.filename
    if suffix:
        filename = posixpath.splitext(filename)[0] + ".webp"
    size = default_storage.size(name)
    handle = default_storage.open(name, "rb")

    response: HttpResponseBase
    try:
        byte_range = _byte_range(request.headers.get("Range", ""), size)
    except ValueError:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    if byte_range is None:
        response = FileResponse(handle, content_type=content_type)
        response["Content-Length"] = str(size)
    else:
        start, end = byte_range
        response = StreamingHttpResponse(
            _chunks(handle, start, end - start + 1), status=206, content_type=content_type
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    for key, value in common.items():
        response[key] = value
    response["Accept-Ranges"] = "bytes"
    disposition = content_disposition_header(asset.kind not in INLINE_KINDS, filename)
    if disposition:
        response["Content-Disposition"] = disposition
    if content_type == "image/svg+xml" or content_type.startswith("text/"):
        response["Content-Security-Policy"] = FILE_CSP
    return response
