"""The page editor, the new-block fragment and the learner preview.

The page editor's DOM is the contract of docs/authoring-contract.md; the editor's
JavaScript (frontend/editor/) saves through the API. The whole page, outline included, is
a fixed handful of queries whatever the course's size: the outline never loads block JSON.

The preview shows a page as a learner sees it, in an iframe of a bare page so the author
gets true phone, tablet and desktop widths. Only that bare page may be framed, and only by
ourselves: it relaxes `frame-ancestors` (and X-Frame-Options) for itself alone.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django.utils.csp import CSP
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_http_methods

from authoring.access import course_for_edit, page_for_edit
from authoring.blocks import UnknownBlockType, get_block_type
from authoring.blocks.pages import PageKind
from authoring.editor_forms import default_data, palette, render_block_editor
from authoring.forms import PageSettingsForm
from authoring.models import Course, Page
from authoring.rendering import AssetInfo, asset_infos, page_asset_ids, render_page
from authoring.selectors import editor_page
from authoring.services.structure import page_update
from authoring.views.common import actor_of, form_errors, optional_url
from authoring.views.courses import outline_context
from egl_platform.errors import DomainError, NotFound
from tenants.decorators import capability_required
from tenants.permissions import Capability

T = "authoring/"

# Strings of the editor's JavaScript (frontend/editor/util.js), translated here; the JS
# reads them from the json_script "editor-messages". Placeholders are {name}.
EDITOR_MESSAGES = {
    "saving": gettext_lazy("Saving…"),
    "saved": gettext_lazy("All changes saved"),
    "offline": gettext_lazy(
        "Offline — your changes are kept and will be sent when the connection returns"
    ),
    "retrying": gettext_lazy("Could not save — trying again…"),
    "invalid": gettext_lazy("Not saved: {problem}"),
    "conflict": gettext_lazy("Someone else changed this block. Choose which text to keep."),
    "conflictTitle": gettext_lazy("This block was changed by someone else"),
    "yourText": gettext_lazy("Your text"),
    "theirText": gettext_lazy("Their text"),
    "keepMine": gettext_lazy("Keep mine"),
    "keepTheirs": gettext_lazy("Keep theirs"),
    "copyMine": gettext_lazy("Copy mine to clipboard"),
    "copied": gettext_lazy("Copied"),
    "resolve": gettext_lazy("Resolve the conflict"),
    "theirsDeleted": gettext_lazy("They deleted this block."),
    "youDeleted": gettext_lazy("You deleted this block."),
    "empty": gettext_lazy("(empty)"),
    "unsavedLeave": gettext_lazy("Some changes are not saved yet."),
    "blockDeleted": gettext_lazy("Block deleted."),
    "undo": gettext_lazy("Undo"),
    "blockMoved": gettext_lazy("Block moved to position {position} of {total}"),
    "blockPickedUp": gettext_lazy(
        "Block picked up at position {position} of {total}. Use the arrow keys to move it, "
        "Space to drop it, Escape to cancel."
    ),
    "blockDropped": gettext_lazy("Block dropped at position {position} of {total}"),
    "moveCancelled": gettext_lazy(
        "Move cancelled; the block is back at position {position} of {total}"
    ),
    "blockAdded": gettext_lazy("Block added"),
    "blockDuplicated": gettext_lazy("Block duplicated"),
    "blockMovedToPage": gettext_lazy("Block moved to the other page"),
    "blockNotSavedYet": gettext_lazy("Not saved yet: fix the problems shown in this block."),
    "pageChanged": gettext_lazy("Someone else changed this page. Reload to see their changes."),
    "itemMoved": gettext_lazy("Item moved to position {position} of {total}"),
    "itemRemoved": gettext_lazy("Item removed"),
    "itemAdded": gettext_lazy("Item added"),
    "sectionMoved": gettext_lazy("Section moved to position {position} of {total}"),
    "pageMoved": gettext_lazy("Page moved to position {position} of {total} in {section}"),
    "movePickedUp": gettext_lazy(
        "Picked up at position {position} of {total}. Use the arrow keys to move, "
        "Space to drop, Escape to cancel."
    ),
    "moveFailed": gettext_lazy("Could not move: {problem}"),
    "requestFailed": gettext_lazy("Something went wrong. Please try again."),
    "linkTitle": gettext_lazy("Insert a link"),
    "linkLabel": gettext_lazy("Web address"),
    "linkInsert": gettext_lazy("Insert link"),
    "linkRemove": gettext_lazy("Remove link"),
    "cancel": gettext_lazy("Cancel"),
    "linkRefused": gettext_lazy("Use a web address that starts with https://, http:// or mailto:."),
    "presenceHere": gettext_lazy("{name} is editing this page"),
    "presenceElsewhere": gettext_lazy("{name} is on “{page}”"),
    "presenceElsewhereUnknown": gettext_lazy("{name} is editing another page of this course"),
    "chooseFile": gettext_lazy("Choose a file"),
    "noFile": gettext_lazy("No file chosen yet."),
    "loading": gettext_lazy("Loading…"),
}

# Preview widths: key → (label, CSS pixel width the frame gets through its class).
PREVIEW_WIDTHS = {
    "phone": (gettext_lazy("Phone"), 375),
    "tablet": (gettext_lazy("Tablet"), 768),
    "desktop": (gettext_lazy("Desktop"), 1280),
}


def move_options(targets: list[tuple[Any, Page]]) -> SafeString:
    """The `<option>`s of "move to page", grouped by section: built once per request and
    shared by every block's select (a 200-page course has 199 of them per block)."""
    groups: list[tuple[Any, list[Page]]] = []
    for section, page in targets:
        if not groups or groups[-1][0].pk != section.pk:
            groups.append((section, []))
        groups[-1][1].append(page)
    return format_html_join(
        "",
        '<optgroup label="{}">{}</optgroup>',
        (
            (
                section.title,
                format_html_join(
                    "", '<option value="{}">{}</option>', ((p.uuid, p.title) for p in pages)
                ),
            )
            for section, pages in groups
        ),
    )


def _api_url(name: str, fallback: str, **kwargs: Any) -> str:
    """An API route by name (the REST helper owns them), or the contract's path."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return fallback


def _asset_info(asset: Any) -> AssetInfo:
    return AssetInfo(
        url=optional_url("asset-file", asset_uuid=asset.uuid),
        content_type=asset.content_type,
        width=asset.width,
        height=asset.height,
        filename=asset.filename,
        size=asset.size,
    )


def _move_context(outline: dict[str, Any], page: Page) -> dict[str, Any]:
    targets = [(section, other) for section, other in outline["all_pages"] if other.pk != page.pk]
    return {"move_targets": targets, "move_options": move_options(targets)}


def _page_for(request: HttpRequest, course_uuid: Any, page_uuid: Any) -> Page:
    page = page_for_edit(actor=actor_of(request), page_uuid=page_uuid)
    if str(page.section.course.uuid) != str(course_uuid):
        raise NotFound(_("Not found."))
    return page


def _settings_form(page: Page, data: Any = None) -> PageSettingsForm:
    initial: dict[str, Any] = {"title": page.title, "kind": page.kind}
    if page.kind == PageKind.QUIZ:
        initial.update(page.settings or {})
    return PageSettingsForm(data, initial=initial)


def _editor_context(
    request: HttpRequest, page: Page, *, form: PageSettingsForm | None = None
) -> dict[str, Any]:
    course = page.section.course
    data = editor_page(page=page)
    assets = {key: _asset_info(asset) for key, asset in data.assets.items()}
    blocks = [
        {
            "block": block,
            "label": _label_of(block),
            "form": render_block_editor(block, objectives=data.objectives, assets=assets),
        }
        for block in data.blocks
    ]
    outline = outline_context(course)
    return {
        "course": course,
        "page": page,
        "blocks": blocks,
        "page_blocks": data.blocks,
        "version": data.version,
        "palette": palette(),
        "settings_form": form or _settings_form(page),
        "is_quiz": page.kind == PageKind.QUIZ,
        "ops_url": _api_url(
            "api-page-operations", f"/api/v1/pages/{page.uuid}/operations/", uuid=page.uuid
        ),
        "presence_url": _api_url(
            "api-course-presence", f"/api/v1/courses/{course.uuid}/presence/", uuid=course.uuid
        ),
        "block_new_url": reverse(
            "authoring:block-new", kwargs={"course_uuid": course.uuid, "page_uuid": page.uuid}
        ),
        **_move_context(outline, page),
        # The outline links to every page: one reverse() instead of one per page.
        "pages_url": reverse("authoring:course-edit", kwargs={"course_uuid": course.uuid})
        + "pages/",
        "editor_messages": {key: str(text) for key, text in EDITOR_MESSAGES.items()},
        "health_url": optional_url("course-health", course_uuid=course.uuid),
        **outline,
    }


def _label_of(block: dict[str, Any]) -> str:
    try:
        return str(get_block_type(str(block.get("type"))).label)
    except UnknownBlockType:
        return str(block.get("type"))


@capability_required(Capability.COURSE_CREATE)
@require_http_methods(["GET", "POST"])
def page_edit(request: HttpRequest, course_uuid: Any, page_uuid: Any) -> HttpResponse:
    """The page editor; POST saves the page's title, kind and quiz settings (no blocks)."""
    page = _page_for(request, course_uuid, page_uuid)
    if request.method == "POST":
        form = _settings_form(page, request.POST)
        status = 400
        if form.is_valid():
            try:
                page_update(
                    actor=actor_of(request),
                    page=page,
                    title=form.cleaned_data["title"],
                    kind=form.cleaned_data["kind"],
                    settings=form.settings(),
                )
            except DomainError as error:
                form_errors(form, error)
                status = error.status
            else:
                messages.success(request, _("The page settings were saved."))
                return redirect(
                    "authoring:page-edit",
                    course_uuid=page.section.course.uuid,
                    page_uuid=page.uuid,
                )
        page.refresh_from_db()
        return render(
            request, T + "page_edit.html", _editor_context(request, page, form=form), status=status
        )
    return render(request, T + "page_edit.html", _editor_context(request, page))


@capability_required(Capability.COURSE_CREATE)
@require_GET
def block_new(request: HttpRequest, course_uuid: Any, page_uuid: Any) -> HttpResponse:
    """One new block's `<li>` (not saved: the editor saves it once the author filled it in)."""
    page = page_for_edit(actor=actor_of(request), page_uuid=page_uuid, defer_blocks=True)
    course = page.section.course
    if str(course.uuid) != str(course_uuid):
        raise NotFound(_("Not found."))
    type_name = request.GET.get("type", "")
    try:
        block_type = get_block_type(type_name)
    except UnknownBlockType as error:
        return HttpResponse(str(error.message), status=400, content_type="text/plain")
    block = {
        "id": str(uuid.uuid4()),
        "type": block_type.type,
        "version": block_type.version,
        "data": default_data(block_type.type),
    }
    outline = outline_context(course)
    context = {
        "entry": {
            "block": block,
            "label": str(block_type.label),
            "form": render_block_editor(block, objectives=course.objectives or [], assets={}),
        },
        "course": course,
        "page": page,
        **_move_context(outline, page),
    }
    response = render(request, T + "page_edit.html#block", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- preview -------------------------------------------------------------------------------------


def _csp_with(**changes: list[str]) -> dict[str, Any]:
    config: dict[str, Any] = copy.deepcopy(settings.SECURE_CSP)
    for directive, sources in changes.items():
        name = directive.replace("_", "-")
        config[name] = list(dict.fromkeys([*config.get(name, []), *sources]))
    return config


def _frame_ancestors_self() -> dict[str, Any]:
    config: dict[str, Any] = copy.deepcopy(settings.SECURE_CSP)
    config["frame-ancestors"] = [CSP.SELF]
    return config


def _preview_pages(course: Course) -> list[tuple[Any, Page]]:
    return list(outline_context(course)["all_pages"])


@capability_required(Capability.COURSE_CREATE)
@require_GET
@csp_override(_csp_with(frame_src=[CSP.SELF]))
def course_preview(request: HttpRequest, course_uuid: Any, page_uuid: Any = None) -> HttpResponse:
    """The preview chrome: width switch, page navigation, and the page in a frame."""
    course = course_for_edit(actor=actor_of(request), course_uuid=course_uuid)
    pages = _preview_pages(course)
    if not pages:
        return render(request, T + "preview.html", {"course": course, "pages": []})
    index = 0
    if page_uuid is not None:
        index = next((i for i, (_s, p) in enumerate(pages) if str(p.uuid) == str(page_uuid)), -1)
        if index < 0:
            raise NotFound(_("Not found."))
    width = request.GET.get("width", "desktop")
    if width not in PREVIEW_WIDTHS:
        width = "desktop"
    section, page = pages[index]

    def url(i: int) -> str:
        return (
            reverse(
                "authoring:course-preview-page",
                kwargs={"course_uuid": course.uuid, "page_uuid": pages[i][1].uuid},
            )
            + f"?width={width}"
        )

    context = {
        "course": course,
        "pages": pages,
        "section": section,
        "page": page,
        "number": index + 1,
        "width": width,
        "widths": [
            {
                "key": key,
                "label": str(label),
                "pixels": pixels,
                "url": reverse(
                    "authoring:course-preview-page",
                    kwargs={"course_uuid": course.uuid, "page_uuid": page.uuid},
                )
                + f"?width={key}",
            }
            for key, (label, pixels) in PREVIEW_WIDTHS.items()
        ],
        "previous_url": url(index - 1) if index > 0 else "",
        "next_url": url(index + 1) if index < len(pages) - 1 else "",
        "frame_url": reverse(
            "authoring:course-preview-frame",
            kwargs={"course_uuid": course.uuid, "page_uuid": page.uuid},
        ),
        "edit_url": reverse(
            "authoring:page-edit", kwargs={"course_uuid": course.uuid, "page_uuid": page.uuid}
        ),
        "page_choices": [
            (
                p,
                s,
                reverse(
                    "authoring:course-preview-page",
                    kwargs={"course_uuid": course.uuid, "page_uuid": p.uuid},
                )
                + f"?width={width}",
            )
            for s, p in pages
        ],
    }
    return render(request, T + "preview.html", context)


@capability_required(Capability.COURSE_CREATE)
@require_GET
@xframe_options_sameorigin
@csp_override(_frame_ancestors_self())
def preview_frame(request: HttpRequest, course_uuid: Any, page_uuid: Any) -> HttpResponse:
    """One page as the learner sees it, without the site's chrome: the preview's frame."""
    page = _page_for(request, course_uuid, page_uuid)
    document = {
        "id": str(page.uuid),
        "title": page.title,
        "kind": page.kind,
        "settings": page.settings,
        "blocks": page.blocks,
    }
    assets = asset_infos(page_asset_ids(document))
    context = {
        "course": page.section.course,
        "page": page,
        "html": render_page(document, assets=assets, mode="preview"),
    }
    return render(request, T + "preview_frame.html", context)
