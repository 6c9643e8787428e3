"""The embed allowlist: which third-party players and documents a course may show, and how.

An author pastes a page link or an embed link; `embed_url` recognises it for an allowed
provider and answers the canonical ``https`` address for the iframe, together with the
iframe's ``sandbox``, ``allow`` and ``referrerpolicy`` values. Everything else is refused.

Providers (and why these):

* **YouTube** (``youtube.com``, ``m.``/``www.``, ``youtu.be``, ``youtube-nocookie.com``):
  watch, share, shorts, live and embed links. Always embedded from
  ``www.youtube-nocookie.com`` (privacy-enhanced mode: no tracking cookies until play, which
  matters under the GDPR). A start time (``t=1m30s``, ``start=90``) is kept.
* **Vimeo** (``vimeo.com``, ``player.vimeo.com``): public and unlisted (``/id/hash``,
  ``?h=hash``) videos, with ``dnt=1`` (Vimeo's do-not-track switch).
* **Loom** (``loom.com``): share and embed links; common for quick how-to recordings.
* **Microsoft Stream on SharePoint** (``<tenant>.sharepoint.com``): the address from
  Stream's *Share → Embed code* (``…/_layouts/15/embed.aspx?UniqueId=<guid>``). A
  ``stream.aspx`` page link carries no id we can turn into an embed without asking
  Microsoft, so it is refused. Stream (Classic, ``microsoftstream.com``) was retired in
  2024. A deployment can restrict SharePoint to its own hosts (``sharepoint_hosts``).
* **Google Slides, Docs and Forms**, published with *File → Share → Publish to web*
  (``docs.google.com/…/d/e/<published id>/…``). Editor links (``/d/<file id>/edit``) are
  refused: Google forbids framing the editor, and a published copy is what learners should
  see.
* **Miro** boards (``miro.com/app/board/<id>``), shown through Miro's live embed.

How the URL is checked: the pasted text first passes `safe_url` (no scripts schemes, no
control characters, no backslashes, no ``user@`` part, hosts in punycode), must be ``https``
without an explicit port, and its host must equal an allowed host exactly, so
``youtube.com.evil.com``, ``evilyoutube.com``, ``https://youtube.com@evil.com`` and IDN
lookalikes (``xn--…``) all fail. The embed address is then *built* from the provider's
fixed host and an id matched against a strict pattern; nothing else from the pasted URL
reaches the iframe.

Sandbox: every iframe is sandboxed. The flags are the least each kind of embed needs:

* ``allow-scripts`` and ``allow-same-origin``: the players are script applications that
  keep settings and sign-in in their own storage; without same-origin they break. The pair
  is only dangerous when the framed page shares *our* origin (it could then lift its own
  sandbox); every allowed host is a third party, and the address is built from the
  provider's host, so that cannot happen.
* ``allow-popups`` and ``allow-popups-to-escape-sandbox``: "watch on YouTube", links in a
  published document and sign-in windows open a new tab, and that tab should work as a
  normal page, not inherit the sandbox.
* ``allow-presentation`` (video only): casting to a screen through the Presentation API.
* ``allow-forms`` (Google Forms only): submitting the form is the point of it.

Never granted: ``allow-top-navigation*`` (an embed must not navigate the course away),
``allow-modals`` (no alert/confirm dialogs that look like ours), ``allow-downloads``,
``allow-pointer-lock`` and ``allow-storage-access-by-user-activation``.

``allow`` (Permissions Policy) delegates only what the player uses: ``fullscreen`` (and for
video ``encrypted-media`` for protected videos and ``picture-in-picture``). No camera,
microphone, geolocation, autoplay or clipboard. ``referrerpolicy`` is
``strict-origin-when-cross-origin``: providers see our origin (YouTube refuses to play
without one) but never the course path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qs, urlsplit

from authoring.sanitize import safe_url

__all__ = ["PROVIDERS", "EmbedInfo", "Provider", "embed_url"]

VIDEO_SANDBOX = (
    "allow-scripts allow-same-origin allow-presentation allow-popups allow-popups-to-escape-sandbox"
)
DOCUMENT_SANDBOX = "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox"
FORM_SANDBOX = f"{DOCUMENT_SANDBOX} allow-forms"

VIDEO_ALLOW = "encrypted-media; fullscreen; picture-in-picture"
DOCUMENT_ALLOW = "fullscreen"
FORM_ALLOW = ""

REFERRER_POLICY = "strict-origin-when-cross-origin"


@dataclass(frozen=True, slots=True)
class EmbedInfo:
    """What the player needs to render an allowed embed in a sandboxed iframe."""

    provider: str  # stable key, e.g. "youtube"
    provider_name: str  # for people, e.g. "YouTube"
    url: str  # canonical https address for the iframe's src
    sandbox: str
    allow: str
    referrer_policy: str = REFERRER_POLICY


@dataclass(frozen=True, slots=True)
class Provider:
    key: str
    name: str
    hosts: frozenset[str]
    sandbox: str
    allow: str
    # The canonical embed address for a parsed https URL on one of `hosts`, or None.
    to_embed: Callable[[str, SplitResult], str | None]


_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_YOUTUBE_PATHS = frozenset({"embed", "shorts", "live", "v"})
_YOUTUBE_TIME = re.compile(r"^(?:(\d{1,2})h)?(?:(\d{1,4})m)?(?:(\d{1,6})s?)?$")
_VIMEO_ID = re.compile(r"^[0-9]{1,12}$")
_VIMEO_HASH = re.compile(r"^[0-9a-f]{6,32}$")
_LOOM_ID = re.compile(r"^(?:[A-Za-z0-9-]*-)?([0-9a-f]{32})$")
_GUID = re.compile(
    r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$"
)
_SHAREPOINT_HOST = re.compile(r"^(?!xn--)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.sharepoint\.com$")
_SHAREPOINT_EMBED_PATH = re.compile(
    r"^(/(?:sites|teams|personal)/[A-Za-z0-9_.~-]{1,128})?/_layouts/15/embed\.aspx$",
    re.IGNORECASE,
)
_GOOGLE_PUBLISHED = re.compile(
    r"^/(presentation|document|forms)/d/e/([A-Za-z0-9_-]{20,200})/([A-Za-z]+)$"
)
_MIRO_BOARD = re.compile(r"^/app/(?:board|live-embed)/([A-Za-z0-9_-]{6,64}=?)/?$")


def _segments(parts: SplitResult) -> list[str]:
    return [s for s in parts.path.split("/") if s]


def _query(parts: SplitResult, name: str) -> str | None:
    values = parse_qs(parts.query).get(name)
    return values[0] if values else None


def _youtube_seconds(value: str | None) -> int:
    match = _YOUTUBE_TIME.match(value or "")
    if not value or not match:
        return 0
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def _youtube(host: str, parts: SplitResult) -> str | None:
    segments = _segments(parts)
    video_id: str | None = None
    if host == "youtu.be" and len(segments) == 1:
        video_id = segments[0]
    elif host != "youtu.be" and segments == ["watch"]:
        video_id = _query(parts, "v")
    elif host != "youtu.be" and len(segments) == 2 and segments[0] in _YOUTUBE_PATHS:
        video_id = segments[1]
    if not video_id or not _YOUTUBE_ID.match(video_id):
        return None
    start = _youtube_seconds(_query(parts, "start") or _query(parts, "t"))
    suffix = f"?start={start}" if start else ""
    return f"https://www.youtube-nocookie.com/embed/{video_id}{suffix}"


def _vimeo(host: str, parts: SplitResult) -> str | None:
    segments = _segments(parts)
    video_id: str | None = None
    secret = _query(parts, "h")
    if host == "player.vimeo.com":
        if len(segments) == 2 and segments[0] == "video":
            video_id = segments[1]
    elif len(segments) == 1:
        video_id = segments[0]
    elif len(segments) == 2 and _VIMEO_ID.match(segments[0]):
        video_id, secret = segments  # an unlisted video: vimeo.com/<id>/<hash>
    elif len(segments) == 3 and segments[0] == "channels":
        video_id = segments[2]
    elif len(segments) == 4 and segments[0] == "groups" and segments[2] == "videos":
        video_id = segments[3]
    if not video_id or not _VIMEO_ID.match(video_id):
        return None
    if secret is not None and not _VIMEO_HASH.match(secret):
        return None
    query = f"h={secret}&dnt=1" if secret else "dnt=1"
    return f"https://player.vimeo.com/video/{video_id}?{query}"


def _loom(host: str, parts: SplitResult) -> str | None:
    segments = _segments(parts)
    if len(segments) != 2 or segments[0] not in ("share", "embed"):
        return None
    match = _LOOM_ID.match(segments[1])
    return f"https://www.loom.com/embed/{match.group(1)}" if match else None


def _sharepoint(host: str, parts: SplitResult) -> str | None:
    path = _SHAREPOINT_EMBED_PATH.match(parts.path)
    guid = _GUID.match(_query(parts, "UniqueId") or "")
    if not path or not guid:
        return None
    site = path.group(1) or ""
    return f"https://{host}{site}/_layouts/15/embed.aspx?UniqueId={guid.group(1).lower()}"


# Per kind: the accepted last path segments, and the canonical last segment with query.
_GOOGLE_PAGES = {
    "presentation": (frozenset({"pub", "embed", "pubembed"}), "embed"),
    "document": (frozenset({"pub"}), "pub?embedded=true"),
    "forms": (frozenset({"viewform", "formResponse"}), "viewform?embedded=true"),
}


def _google(kind: str) -> Callable[[str, SplitResult], str | None]:
    accepted, canonical = _GOOGLE_PAGES[kind]

    def to_embed(host: str, parts: SplitResult) -> str | None:
        match = _GOOGLE_PUBLISHED.match(parts.path)
        if not match or match.group(1) != kind or match.group(3) not in accepted:
            return None
        return f"https://docs.google.com/{kind}/d/e/{match.group(2)}/{canonical}"

    return to_embed


def _miro(host: str, parts: SplitResult) -> str | None:
    match = _MIRO_BOARD.match(parts.path)
    return f"https://miro.com/app/live-embed/{match.group(1)}/" if match else None


PROVIDERS: tuple[Provider, ...] = (
    Provider(
        "youtube",
        "YouTube",
        frozenset(
            {
                "youtube.com",
                "www.youtube.com",
                "m.youtube.com",
                "youtu.be",
                "youtube-nocookie.com",
                "www.youtube-nocookie.com",
            }
        ),
        VIDEO_SANDBOX,
        VIDEO_ALLOW,
        _youtube,
    ),
    Provider(
        "vimeo",
        "Vimeo",
        frozenset({"vimeo.com", "www.vimeo.com", "player.vimeo.com"}),
        VIDEO_SANDBOX,
        VIDEO_ALLOW,
        _vimeo,
    ),
    Provider(
        "loom",
        "Loom",
        frozenset({"loom.com", "www.loom.com"}),
        VIDEO_SANDBOX,
        VIDEO_ALLOW,
        _loom,
    ),
    Provider(
        "stream",
        "Microsoft Stream (SharePoint)",
        frozenset(),  # any <tenant>.sharepoint.com, see `_provider_for`
        VIDEO_SANDBOX,
        VIDEO_ALLOW,
        _sharepoint,
    ),
    Provider(
        "google-slides",
        "Google Slides",
        frozenset({"docs.google.com"}),
        DOCUMENT_SANDBOX,
        DOCUMENT_ALLOW,
        _google("presentation"),
    ),
    Provider(
        "google-docs",
        "Google Docs",
        frozenset({"docs.google.com"}),
        DOCUMENT_SANDBOX,
        DOCUMENT_ALLOW,
        _google("document"),
    ),
    Provider(
        "google-forms",
        "Google Forms",
        frozenset({"docs.google.com"}),
        FORM_SANDBOX,
        FORM_ALLOW,
        _google("forms"),
    ),
    Provider(
        "miro",
        "Miro",
        frozenset({"miro.com"}),
        DOCUMENT_SANDBOX,
        DOCUMENT_ALLOW,
        _miro,
    ),
)

_STREAM = next(p for p in PROVIDERS if p.key == "stream")


def _providers_for(host: str, sharepoint_hosts: Collection[str] | None) -> list[Provider]:
    if host.endswith(".sharepoint.com"):
        allowed = (
            host in {h.lower() for h in sharepoint_hosts}
            if sharepoint_hosts is not None
            else bool(_SHAREPOINT_HOST.match(host))
        )
        return [_STREAM] if allowed else []
    return [p for p in PROVIDERS if host in p.hosts]


def embed_url(url: str, *, sharepoint_hosts: Collection[str] | None = None) -> EmbedInfo | None:
    """The embed for a pasted link if its provider is on the allowlist, else ``None``.

    Accepts a provider's page link (``youtube.com/watch?v=…``) or its embed link; answers
    the canonical ``https`` embed address, so ``embed_url(info.url).url == info.url``.
    ``sharepoint_hosts`` (e.g. ``{"acme.sharepoint.com"}``) limits Stream embeds to a
    tenant's own SharePoint; by default any single ``<name>.sharepoint.com`` host passes.
    Never raises.
    """
    clean = safe_url(url) if isinstance(url, str) else None
    if clean is None:
        return None
    try:
        parts = urlsplit(clean)
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname
    if parts.scheme != "https" or port is not None or not host:
        return None
    for provider in _providers_for(host, sharepoint_hosts):
        target = provider.to_embed(host, parts)
        if target is not None:
            return EmbedInfo(
                provider=provider.key,
                provider_name=provider.name,
                url=target,
                sandbox=provider.sandbox,
                allow=provider.allow,
            )
    return None
