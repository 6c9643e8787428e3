"""The player's HTML for blocks and pages: the only place block output is marked safe.

    assets = asset_infos(page_asset_ids(page_document))
    html = render_page(page_document, assets=assets)

One renderer serves the editor's learner preview, the course player and the exported
packages (DESIGN.md §8); a caller that serves files elsewhere (a package) builds `assets`
itself. Each block type has a template `templates/blocks/player/<type>.html`.

Safety: block data is sanitised on write, but an imported revision or release may predate
today's rules, so every field is sanitised again here (`authoring.sanitize`, through the
field declarations of the block type), and only rich-text fields are marked safe; every
other value reaches the templates as a plain string and is auto-escaped. Questions render
from `public_data` only: the page never holds answers or answer feedback (DESIGN.md §8).

Cost: re-sanitising rich text takes ~3 ms per short field (bleach, two parses, repeated
until stable). Measured on a page of 33 blocks (every type once, ten text blocks of
~800 characters): ~110 ms to render with a cold memo, ~11 ms warm, ~13 ms with no
re-sanitising at all (the same, within noise). So the result per input text is memoised
per process (`_clean_rich`): a page previewed again, or one release shown to many
learners, pays the sanitiser once per text; an edited block pays it again.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from authoring.blocks import QuestionType, UnknownBlockType, get_block_type
from authoring.blocks.fields import LANGUAGE_PATTERN, Field, Group, Items, Text
from authoring.blocks.media import VIDEO_PROVIDERS
from authoring.blocks.pages import PageKind
from authoring.blocks.values import GAP_MARKER
from authoring.embeds import embed_url
from authoring.models import Asset
from authoring.sanitize import sanitize_plain_text, sanitize_rich_text

__all__ = [
    "MODES",
    "AssetInfo",
    "asset_infos",
    "page_asset_ids",
    "render_block",
    "render_page",
]

logger = logging.getLogger(__name__)

#: "preview": the editor's learner preview (nothing is submitted); "player": a learner.
MODES = frozenset({"preview", "player"})

# The content column is ~70ch wide (player.css); below that the image spans the viewport.
IMAGE_SIZES = "(min-width: 46rem) 44rem, 100vw"

# Rich text longer than this is sanitised every time rather than memoised, so the memo
# stays small (worst case _RICH_CACHE_SIZE × this many characters, twice).
_RICH_CACHE_MAX_LENGTH = 20_000
_RICH_CACHE_SIZE = 512


@dataclass(frozen=True, slots=True)
class AssetInfo:
    """What the player needs to show one asset. `url` is "" when no file route exists."""

    url: str
    content_type: str
    width: int | None
    height: int | None
    filename: str
    srcset: str = ""
    size: int = 0


# --- assets ----------------------------------------------------------------------------------


def _asset_url(asset_uuid: str) -> str:
    try:
        return reverse("asset-file", kwargs={"asset_uuid": asset_uuid})
    except NoReverseMatch:
        # The file route belongs to the media library; a renderer without it still works.
        return ""


def _srcset(url: str, asset: Asset) -> str:
    if not url or not asset.content_type.startswith("image/"):
        return ""
    widths = sorted(
        {int(w) for w in (asset.renditions or {}) if str(w).isdigit() and int(w) > 0}
        - {asset.width or 0}
    )
    candidates = [f"{url}?w={w} {w}w" for w in widths if not asset.width or w < asset.width]
    if asset.width:
        candidates.append(f"{url} {asset.width}w")
    # One candidate says nothing a plain src does not.
    return ", ".join(candidates) if len(candidates) > 1 else ""


def _valid_uuid(value: object) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


def asset_infos(ids: Iterable[str]) -> dict[str, AssetInfo]:
    """AssetInfo per asset id, for the assets of the active tenant among `ids`.

    One query (none when `ids` holds no UUID). Ids that name no asset are left out; the
    templates then say the file is not available.
    """
    wanted = {u for u in (_valid_uuid(i) for i in ids) if u}
    if not wanted:
        return {}
    infos: dict[str, AssetInfo] = {}
    for asset in Asset.objects.filter(uuid__in=wanted):
        key = str(asset.uuid)
        url = _asset_url(key)
        infos[key] = AssetInfo(
            url=url,
            content_type=asset.content_type,
            width=asset.width,
            height=asset.height,
            filename=asset.filename,
            srcset=_srcset(url, asset),
            size=asset.size,
        )
    return infos


def page_asset_ids(page_document: Mapping[str, Any]) -> set[str]:
    """The asset ids the blocks of a page refer to (for `asset_infos`)."""
    ids: set[str] = set()
    for block in page_document.get("blocks") or []:
        if not isinstance(block, Mapping):
            continue
        try:
            block_type = get_block_type(str(block.get("type")))
        except UnknownBlockType:
            continue
        data = block.get("data")
        for ref in block_type.references(data if isinstance(data, Mapping) else {}):
            if ref.kind == "asset":
                ids.add(ref.value)
    return ids


# --- sanitising for display ----------------------------------------------------------------


@lru_cache(maxsize=_RICH_CACHE_SIZE)
def _clean_rich_cached(text: str) -> str:
    return sanitize_rich_text(text)


def _clean_rich(text: str) -> SafeString:
    """Rich text sanitised now, whatever was stored, and marked safe (the one place)."""
    clean = (
        _clean_rich_cached(text)
        if len(text) <= _RICH_CACHE_MAX_LENGTH
        else sanitize_rich_text(text)
    )
    return mark_safe(clean)  # noqa: S308  (sanitised by the allowlist just above)


def _plain(value: Any) -> Any:
    """Plain strings of data that no field describes (added by `public_data`), cleaned."""
    if isinstance(value, str):
        return sanitize_plain_text(value, multiline=True)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _display(fields: Sequence[Field], obj: Mapping[str, Any]) -> dict[str, Any]:
    """`obj` sanitised field by field; rich text marked safe, the rest left to escaping.

    Keys no field declares (the public view of matching or ordering adds some) are kept
    as cleaned plain text.
    """
    declared = {f.name: f for f in fields}
    out: dict[str, Any] = {}
    for name, value in obj.items():
        field = declared.get(name)
        if field is None:
            out[name] = _plain(value)
        elif isinstance(field, Text) and field.html:
            out[name] = _clean_rich(value) if isinstance(value, str) else ""
        elif isinstance(field, Group):
            out[name] = _display(field.fields, value) if isinstance(value, Mapping) else {}
        elif isinstance(field, Items):
            items = value if isinstance(value, list) else []
            out[name] = [_display(field.fields, i) for i in items if isinstance(i, Mapping)]
        else:
            out[name] = field.sanitize(value)
    return out


def _stable_order(items: Sequence[Mapping[str, Any]], seed: str) -> list[Mapping[str, Any]]:
    """`items` in an order fixed by the block id: a preview never jumps between renders."""
    return sorted(items, key=lambda i: hashlib.sha256(f"{seed}:{i.get('id')}".encode()).hexdigest())


# --- per-type view data ----------------------------------------------------------------------


def _asset(assets: Mapping[str, AssetInfo], asset_id: Any) -> AssetInfo | None:
    return assets.get(asset_id) if isinstance(asset_id, str) else None


def _file_kind(info: AssetInfo) -> str:
    names = {
        "application/pdf": "PDF",
        "application/msword": _("Word document"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _(
            "Word document"
        ),
        "application/vnd.ms-excel": _("Excel workbook"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _("Excel workbook"),
        "application/vnd.ms-powerpoint": _("PowerPoint presentation"),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation": _(
            "PowerPoint presentation"
        ),
        "application/zip": _("ZIP archive"),
        "text/csv": "CSV",
        "text/plain": _("Text file"),
    }
    if info.content_type in names:
        return str(names[info.content_type])
    family = info.content_type.partition("/")[0]
    families = {"image": _("Image"), "video": _("Video"), "audio": _("Audio")}
    if family in families:
        return str(families[family])
    _stem, dot, extension = info.filename.rpartition(".")
    return extension.upper() if dot and extension else _("File")


def _gap_html(text: SafeString, block_id: str, gaps: Sequence[Mapping[str, Any]]) -> SafeString:
    """The text of a fill-in-the-blanks question with a labelled input at each gap marker.

    Markers are replaced in text only, never inside a tag (an author could have put one in
    a link's title); the inputs are our own markup around a UUID the marker pattern matched.
    """
    known = [g.get("id") for g in gaps]
    numbers = {gap_id: n for n, gap_id in enumerate(known, start=1)}
    total = len(known)

    def gap_input(match: re.Match[str]) -> str:
        gap_id = match.group(1)
        if gap_id not in numbers:
            return ""
        return str(
            format_html(
                '<label class="visually-hidden" for="{id}">{label}</label>'
                '<input type="text" class="player-gap" id="{id}" name="{name}" '
                'autocomplete="off" autocapitalize="off" spellcheck="false" size="14">',
                id=f"q-{block_id}-{gap_id}",
                name=gap_id,
                label=_("Blank %(n)d of %(total)d") % {"n": numbers[gap_id], "total": total},
            )
        )

    parts = re.split(r'(<(?:[^>"]|"[^"]*")*>)', str(text))
    out = [part if part.startswith("<") else GAP_MARKER.sub(gap_input, part) for part in parts]
    return mark_safe("".join(out))  # noqa: S308  (sanitised text plus our own escaped markup)


def _frame_kind(provider: str) -> str:
    """The shape of an embed's frame: a 16:9 player, a tall form or a 4:3 document."""
    if provider in VIDEO_PROVIDERS:
        return "video"
    return "form" if provider == "google-forms" else "document"


def _external(url: str) -> str:
    """The host of an absolute web link, to say where a button goes; "" otherwise."""
    parts = urlsplit(url)
    return parts.hostname or "" if parts.scheme in ("http", "https") else ""


def _view(
    block_type_name: str,
    data: dict[str, Any],
    block_id: str,
    assets: Mapping[str, AssetInfo],
) -> dict[str, Any]:
    """Whatever a type's template needs beyond its (display) data."""
    view: dict[str, Any] = {}
    if block_type_name in ("image", "video", "audio", "file"):
        view["asset"] = _asset(assets, data.get("asset"))
    if block_type_name == "file" and view["asset"] is not None:
        view["file_kind"] = _file_kind(view["asset"])
    if block_type_name == "image":
        view["sizes"] = IMAGE_SIZES
    if block_type_name == "hotspot":
        view["asset"] = _asset(assets, data.get("image"))
        view["sizes"] = IMAGE_SIZES
    if block_type_name == "video":
        view["tracks"] = [
            {**track, "info": _asset(assets, track.get("asset"))}
            for track in data.get("tracks", [])
        ]
    if block_type_name in ("video", "embed") and data.get("url"):
        info = embed_url(data["url"])
        view["embed"] = info
        if info is not None:
            view["frame"] = _frame_kind(info.provider)
    if block_type_name == "button_link":
        view["host"] = _external(data.get("url") or "")
    if block_type_name == "table":
        rows = data.get("rows", [])
        header = rows[0] if data.get("header_row") and rows else None
        view["header"] = header
        view["body"] = rows[1:] if header is not None else rows
    if block_type_name == "fill_in_blanks":
        view["text"] = _gap_html(data.get("text", ""), block_id, data.get("gaps", []))
    if block_type_name == "matching":
        view["left"] = data.get("left", [])
        view["right"] = _stable_order(data.get("right", []), block_id)
    if block_type_name == "ordering":
        items = _stable_order(data.get("items", []), block_id)
        view["items"] = items
        view["positions"] = list(range(1, len(items) + 1))
    return view


QUESTION_HINTS = {
    "single_choice": lambda d: _("Choose one answer."),
    "multiple_choice": lambda d: _("Choose every answer that applies."),
    "true_false": lambda d: _("Is this true or false?"),
    "fill_in_blanks": lambda d: ngettext(
        "Fill in the blank.", "Fill in the blanks.", len(d.get("gaps", []))
    ),
    "matching": lambda d: _("Match each item with one from the list."),
    "ordering": lambda d: _("Put the items in the right order."),
    "hotspot": lambda d: _("Select the right place on the image."),
    "open_question": lambda d: _("Answer in your own words."),
    "likert": lambda d: _("Rate each statement."),
}


# --- rendering -------------------------------------------------------------------------------


def render_block(
    block: Mapping[str, Any],
    *,
    assets: Mapping[str, AssetInfo],
    mode: str = "preview",
    show_points: bool = True,
) -> SafeString:
    """One block as player HTML, from `templates/blocks/player/<type>.html`.

    `show_points`: a question states its points (render_page turns it off outside quizzes,
    where nothing is graded).

    Content blocks render their data sanitised again; questions only their public data.
    A block of an unknown type, or with data its type cannot read, renders a short notice
    instead of failing the page.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {sorted(MODES)}")
    block_id = _valid_uuid(block.get("id")) or ""
    type_name = str(block.get("type"))
    raw = block.get("data")
    raw = raw if isinstance(raw, Mapping) else {}
    try:
        block_type = get_block_type(type_name)
    except UnknownBlockType:
        logger.warning("render_block: unknown block type %r in block %s", type_name, block_id)
        return render_to_string(
            "blocks/player/_unknown.html", {"block_id": block_id, "block_type": "unknown"}
        )
    is_question = isinstance(block_type, QuestionType)
    try:
        source = block_type.public_data(raw) if is_question else raw
        data = _display(block_type.fields, source)
        context: dict[str, Any] = {
            # Not "block": inside {% block %} that name is the template block itself.
            "block_id": block_id,
            "block_type": type_name,
            "data": data,
            "view": _view(type_name, data, block_id, assets),
            "mode": mode,
            "preview": mode == "preview",
            "question": is_question,
        }
        if is_question:
            context["hint"] = QUESTION_HINTS.get(type_name, lambda d: "")(data)
            context["scored"] = show_points and getattr(block_type, "scored", False)
        return render_to_string(f"blocks/player/{type_name}.html", context)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        # Data that never passed validation (a hand-edited import, a bug elsewhere): one
        # broken block must not take the learner's whole page down with it.
        logger.exception("render_block: cannot render %s block %s", type_name, block_id)
        return render_to_string(
            "blocks/player/_unknown.html", {"block_id": block_id, "block_type": type_name}
        )


def render_page(
    page_document: Mapping[str, Any],
    *,
    assets: Mapping[str, AssetInfo],
    mode: str = "preview",
    language: str | None = None,
) -> SafeString:
    """A page of a course document (`{id, title, kind, settings, blocks}`) as player HTML.

    `language` (the course's, e.g. "nl") goes on the page as `lang`, so screen readers
    pronounce an English course right inside a Dutch interface (WCAG 3.1.2).

    A quiz page states its passing score and attempts; a knowledge check says it is not
    graded. Blocks render in document order: drawing and shuffling a quiz per attempt is
    the player's job, not the preview's.
    """
    kind = str(page_document.get("kind") or PageKind.CONTENT)
    settings = page_document.get("settings")
    settings = settings if isinstance(settings, Mapping) else {}
    blocks = [
        render_block(block, assets=assets, mode=mode, show_points=kind == PageKind.QUIZ)
        for block in page_document.get("blocks") or []
        if isinstance(block, Mapping)
    ]
    question_count = 0
    for block in page_document.get("blocks") or []:
        try:
            is_question = isinstance(get_block_type(str(block.get("type"))), QuestionType)
        except (UnknownBlockType, AttributeError):
            is_question = False
        question_count += is_question
    quiz = None
    if kind == PageKind.QUIZ:
        draw = settings.get("draw_count")
        quiz = {
            "passing_score": settings.get("passing_score"),
            "attempts": settings.get("attempts") or 0,
            "random_order": bool(settings.get("random_order")),
            "draw_count": draw if isinstance(draw, int) and draw < question_count else None,
        }
    context = {
        "page": {
            "id": _valid_uuid(page_document.get("id")) or "",
            "title": sanitize_plain_text(str(page_document.get("title") or "")),
            "kind": kind if kind in PageKind.values else PageKind.CONTENT,
        },
        "kind_label": PageKind(kind).label if kind in PageKind.values else "",
        "quiz": quiz,
        "blocks": blocks,
        "mode": mode,
        "preview": mode == "preview",
        "language": language if language and re.fullmatch(LANGUAGE_PATTERN, language) else "",
    }
    return render_to_string("blocks/player/page.html", context)
