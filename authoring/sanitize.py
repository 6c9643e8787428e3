"""The one sanitiser for author-written HTML, plain text and links.

Every piece of text an author (or an imported document) puts into a course passes through
this module on write; the block renderer is the only place its output is marked safe.

Rich text is cleaned in two passes over html5lib (the copy bleach vendors):

1. **Pre-pass (cosmetic).** The fragment is parsed like a browser would, and elements whose
   *content* is code or chrome rather than prose (script, style, iframe, svg, math,
   template, noscript, form controls, …) are removed together with their content. bleach's
   ``strip=True`` keeps the inner text of a removed tag, which would show the text of a
   ``<script>`` to the learner. Presentational tags pasted from word processors are renamed
   to their allowed equivalents (``b`` → ``strong``, ``h1`` → ``h2``, …).
2. **bleach (the security gate).** An unmodified :class:`bleach.sanitizer.Cleaner` with our
   allowlist re-parses the pre-pass output and keeps only allowed tags and attributes and
   safe link protocols. A small filter after it runs every ``href`` through :func:`safe_url`,
   unwraps links without a usable address and spans without attributes, and adds ``rel``.

Safety never depends on the pre-pass: whatever it emits, bleach sees it as untrusted HTML.
The two passes are repeated until the output no longer changes (normally one extra pass),
so the stored HTML re-parses to itself. That gives idempotency (sanitising sanitised output
changes nothing, which block merging and imports rely on) and shuts out mutation XSS that
depends on the serialised HTML parsing differently the second time.

Allowed in rich text (anything else is removed; text content stays unless noted above):

* tags: ``h2 h3 h4 p br hr strong em u s sub sup ul ol li blockquote pre code a span``.
  No ``h1`` (the page title is the h1). No tables (the table block has its own
  structure), no ``img`` (the image block requires alt text and goes through the asset
  pipeline; an inline image would bypass both), no ``div`` (structure comes from blocks).
* attributes: ``a[href title target]`` and ``span[lang dir]`` (language of parts, WCAG
  3.1.2). No ``class``, ``id``, ``style`` or ``data-*``/``hx-*``: classes and ids hook into
  the site's CSS and scripts (DOM clobbering), and on an htmx site ``hx-*`` attributes are
  behaviour, not markup.
* link protocols: ``http https mailto tel`` and relative links (``/path``, ``#anchor``);
  protocol-relative ``//host`` is refused.
* ``target`` is kept only as ``_blank`` and only when the author asked for it (opening new
  tabs is the author's choice, and forcing it hurts screen-reader users). Every link gets
  ``rel="noopener noreferrer"``: no linked page can reach back into the course window, and
  course URLs (which name tenants and courses) don't leak to third parties as referrers.
"""

from __future__ import annotations

import html
import logging
import re
import unicodedata
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

# bleach's public modules don't re-export html5lib (types-bleach says to import html5lib
# directly, which isn't installed); the copy bleach vendors is the one its Cleaner uses, so
# the pre-pass parses exactly as bleach does. bleach is pinned in pyproject.toml.
from bleach._vendor.html5lib import HTMLParser, getTreeWalker
from bleach._vendor.html5lib.filters.base import Filter
from bleach._vendor.html5lib.serializer import HTMLSerializer
from bleach.html5lib_shim import BleachHTMLParser
from bleach.sanitizer import Cleaner

logger = logging.getLogger(__name__)

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "ALLOWED_URL_SCHEMES",
    "MAX_URL_LENGTH",
    "rich_text_to_plain",
    "safe_url",
    "sanitize_plain_text",
    "sanitize_rich_text",
]

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "h2", "h3", "h4", "p", "br", "hr",
        "strong", "em", "u", "s", "sub", "sup",
        "ul", "ol", "li", "blockquote", "pre", "code",
        "a", "span",
    }
)  # fmt: skip

#: Attributes per tag; values are further checked in `_allow_attribute`.
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title", "target"}),
    "span": frozenset({"lang", "dir"}),
}

ALLOWED_URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto", "tel"})

#: Longer than any real link (SharePoint and Google Docs links run to a few hundred).
MAX_URL_LENGTH = 2048

LINK_REL = "noopener noreferrer"

# Elements removed together with everything inside them: their content is code, styling,
# embedded documents or form chrome, never prose the author meant the learner to read.
# Includes every raw-text / RCDATA element, so no unparsed markup reaches bleach as text.
_DROP_WITH_CONTENT: frozenset[str] = frozenset(
    {
        "script", "style", "template", "noscript", "noembed", "noframes",
        "iframe", "frame", "frameset", "object", "embed", "applet", "param",
        "svg", "math", "canvas", "audio", "video", "source", "track", "picture",
        "xmp", "plaintext", "textarea", "title", "select", "option", "optgroup",
        "datalist", "head", "meta", "link", "base",
    }
)  # fmt: skip

# Word processors and older editors write presentational tags; keep the author's intent.
_RENAME: dict[str, str] = {
    "b": "strong",
    "i": "em",
    "strike": "s",
    "del": "s",
    "h1": "h2",
    "h5": "h4",
    "h6": "h4",
}

# Tags after which words must not run together in plain-text extraction.
_BLOCK_TAGS: frozenset[str] = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl",
        "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
        "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
        "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip

_MAX_PASSES = 5
_VALID_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:-]*$")
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,4}$")
_DIRECTIONS = frozenset({"ltr", "rtl", "auto"})

# Code points never wanted in stored text: C0 controls other than tab, LF and CR, DEL,
# C1 controls, and lone surrogates (PostgreSQL refuses NUL and unpaired surrogates).
_UNWANTED_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Bidi embedding/override/isolate controls can make text display reversed (a spoofing
# trick); ordinary mixed-direction text needs only the bidi algorithm and LRM/RLM.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")

_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_HOST_RE = re.compile(
    r"^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
    r"(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$"
)
_TEL_RE = re.compile(r"^\+?[0-9().\-]*[0-9][0-9().\-]*(?:;ext=[0-9]+)?$")
# Characters that are never literal in a URL attribute; browsers percent-encode them too.
_URL_UNSAFE = frozenset('"<>`')


# --- plain text ---------------------------------------------------------------------------


def _remove_unwanted_chars(text: str) -> str:
    # Form feed separates attributes in HTML; keep it as a space so tags parse the same.
    return _BIDI_CONTROLS.sub("", _UNWANTED_CHARS.sub("", text.replace("\x0c", " ")))


def sanitize_plain_text(
    text: str, *, max_length: int | None = None, multiline: bool = False
) -> str:
    """Plain text for titles, labels, alt text, answers: no markup, tidy whitespace.

    Tags are removed (with the content of scripts, styles and the like). Entity references
    are *not* decoded: the result is plain text to be escaped when rendered, so ``&lt;b&gt;``
    typed by an author stays those characters and never turns into markup. Control
    characters and bidi overrides are dropped; whitespace runs become one space (with
    ``multiline``, line breaks are kept and blank-line runs shortened to one). The result is
    cut to ``max_length`` characters. A ``<`` that starts no tag (``a < b``, ``<3``) stays.
    Never raises on malformed input; idempotent.
    """
    text = _remove_unwanted_chars(text).replace("\r\n", "\n").replace("\r", "\n")
    # Strip until stable: removing one tag can make the text around it form another
    # (``<scr<b>ipt>``). Each round replaces tags of 3+ characters by at most a newline,
    # so the text shrinks and this settles within a few rounds; the bound is a backstop.
    for _ in range(20):
        stripped = _strip_tags_keep_entities(text)
        if stripped == text:
            break
        text = stripped
    if multiline:
        lines = (" ".join(line.split()) for line in text.split("\n"))
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    else:
        text = " ".join(text.split())
    if max_length is not None and len(text) > max_length:
        text = text[:max_length].rstrip()
    return text


def _strip_tags_keep_entities(text: str) -> str:
    if "<" not in text:
        return text
    # bleach's parser with consume_entities=False leaves "&amp;" etc. as written; with
    # tags=None it builds the tree like a browser (script content is raw text, dropped below).
    parser = BleachHTMLParser(
        tags=None, strip=False, consume_entities=False, namespaceHTMLElements=False
    )
    fragment = parser.parseFragment(text)
    chunks = []
    for token in _DropDangerousContent(getTreeWalker("etree")(fragment)):
        if token["type"] in ("Characters", "SpaceCharacters"):
            chunks.append(token["data"])
        elif token["type"] in ("StartTag", "EmptyTag", "EndTag") and (token["name"] in _BLOCK_TAGS):
            chunks.append("\n")
    return "".join(chunks)


# --- rich text ----------------------------------------------------------------------------


def sanitize_rich_text(html_text: str) -> str:
    """Author-written HTML reduced to the rich-text allowlist (see the module docstring).

    The result re-parses to itself: ``sanitize_rich_text(sanitize_rich_text(x)) ==
    sanitize_rich_text(x)``. Never raises on malformed HTML. Raises ``TypeError`` for
    anything but ``str`` (a caller bug, not bad content).
    """
    if not isinstance(html_text, str):
        raise TypeError(f"expected str, got {type(html_text).__name__}")
    current = _clean_once(html_text)
    for _ in range(_MAX_PASSES):
        again = _clean_once(current)
        if again == current:
            return current
        current = again
    # Not known to happen; the fallback keeps the words and stays safe and idempotent.
    logger.warning("rich text did not settle after %d passes; kept as plain text", _MAX_PASSES)
    fallback = _clean_once("<p>" + html.escape(rich_text_to_plain(html_text)) + "</p>")
    return fallback if _clean_once(fallback) == fallback else ""


def _clean_once(html_text: str) -> str:
    text = _remove_unwanted_chars(html_text)
    if not text.strip():
        return ""
    cleaner = Cleaner(
        tags=ALLOWED_TAGS,
        attributes=_allow_attribute,
        protocols=ALLOWED_URL_SCHEMES,
        strip=True,
        strip_comments=True,
        filters=[_LinkAndSpanFilter],
    )  # A new Cleaner per call: bleach's parser keeps state and isn't thread-safe.
    return cleaner.clean(_pre_pass(text)).strip()


def _pre_pass(html_text: str) -> str:
    """Parse like a browser; drop code-bearing elements with their content; rename tags."""
    fragment = HTMLParser(namespaceHTMLElements=False).parseFragment(html_text, scripting=True)
    stream = _RenameAndTidy(_DropDangerousContent(getTreeWalker("etree")(fragment)))
    serializer = HTMLSerializer(
        quote_attr_values="always",
        omit_optional_tags=False,
        escape_lt_in_attrs=True,
        escape_rcdata=True,  # never emit raw text: bleach's parser would read it as markup
        sanitize=False,
    )
    return str(serializer.render(stream))


class _DropDangerousContent(Filter):
    """Drop elements in `_DROP_WITH_CONTENT` with all they contain, and all comments.

    The tree walker emits a matching EndTag for every StartTag, so counting depth is exact.
    """

    def __iter__(self) -> Iterator[dict[str, Any]]:
        depth = 0
        for token in super().__iter__():
            kind = token["type"]
            if depth:
                if kind == "StartTag":
                    depth += 1
                elif kind == "EndTag":
                    depth -= 1
                continue
            if kind in ("StartTag", "EmptyTag") and token["name"].lower() in _DROP_WITH_CONTENT:
                if kind == "StartTag":
                    depth = 1
                continue
            if kind in ("Comment", "Doctype"):
                continue
            yield token


class _RenameAndTidy(Filter):
    """Rename presentational tags; drop attributes whose names no browser would parse."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag", "EndTag"):
                name = token["name"].lower()
                token["name"] = _RENAME.get(name, name)
                if token["type"] != "EndTag":
                    token["data"] = {
                        key: value
                        for key, value in token["data"].items()
                        if _VALID_ATTRIBUTE_NAME.match(key[1])
                    }
            yield token


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    """bleach's attribute check; `value` still has its entity references."""
    if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
        return False
    if name == "target":
        return value == "_blank"
    if name == "lang":
        return bool(_LANG_RE.match(value))
    if name == "dir":
        return value.lower() in _DIRECTIONS
    return True


class _LinkAndSpanFilter(Filter):
    """Runs after bleach's sanitizer: normalise links, unwrap empty links and bare spans.

    bleach keeps entity references in attribute values ("&amp;"), so a value is unescaped
    before `safe_url` sees it and "&" is escaped again afterwards; bleach's serializer then
    writes it as "&amp;".
    """

    def __iter__(self) -> Iterator[dict[str, Any]]:
        kept: dict[str, list[bool]] = {"a": [], "span": []}
        for token in super().__iter__():
            kind, name = token["type"], token.get("name")
            if name in kept and kind == "StartTag":
                attrs = self._link_attrs(token["data"]) if name == "a" else token["data"]
                keep = bool(attrs)
                kept[name].append(keep)
                if keep:
                    token["data"] = attrs
                    yield token
            elif name in kept and kind == "EndTag" and kept[name]:
                if kept[name].pop():
                    yield token
            else:
                yield token

    @staticmethod
    def _link_attrs(attrs: dict[tuple[str | None, str], str]) -> dict[tuple[None, str], str]:
        href = attrs.get((None, "href"))
        url = safe_url(html.unescape(href), allow_relative=True) if href is not None else None
        if url is None:
            return {}
        # A fixed order keeps the output stable from pass to pass.
        result = {(None, "href"): url.replace("&", "&amp;")}
        if (None, "title") in attrs:
            result[(None, "title")] = attrs[(None, "title")]
        if attrs.get((None, "target")) == "_blank":
            result[(None, "target")] = "_blank"
        result[(None, "rel")] = LINK_REL
        return result


def rich_text_to_plain(html_text: str) -> str:
    """The words of a rich-text fragment, for word counts and readability scores.

    Entities are decoded and block boundaries become line breaks, so words never run
    together; script and style content is left out. The result is text, not HTML: escape it
    before display. Never raises on malformed HTML.
    """
    text = _remove_unwanted_chars(html_text)
    fragment = HTMLParser(namespaceHTMLElements=False).parseFragment(text, scripting=True)
    chunks = []
    for token in _DropDangerousContent(getTreeWalker("etree")(fragment)):
        if token["type"] in ("Characters", "SpaceCharacters"):
            chunks.append(token["data"])
        elif token["type"] in ("StartTag", "EmptyTag", "EndTag") and (
            token["name"].lower() in _BLOCK_TAGS
        ):
            chunks.append("\n")
    lines = (" ".join(line.split()) for line in "".join(chunks).split("\n"))
    return "\n".join(line for line in lines if line)


# --- URLs ---------------------------------------------------------------------------------


def safe_url(url: str, *, allow_relative: bool = False) -> str | None:
    """The link normalised if it is safe to put in ``href``, else ``None``.

    Accepted: ``http``, ``https``, ``mailto`` and ``tel`` URLs, and with ``allow_relative``
    also relative references (``/path``, ``page``, ``?q``, ``#anchor``). Refused: every
    other scheme (``javascript:``, ``data:``, ``vbscript:``, ``file:``, …) however it is
    disguised (case, whitespace or control characters, HTML entities, percent-encoding,
    invisible Unicode), protocol-relative ``//host`` (not same-origin, and the scheme is
    implicit), backslashes (browsers read ``\\`` as ``/``, so ``/\\evil.com`` leaves the
    site and ``https://a\\@b`` has a different host for Python than for a browser), user
    names or passwords (``https://bank.com@evil.com`` is a phishing trick), invalid hosts,
    and URLs over `MAX_URL_LENGTH`.

    Normalising: surrounding whitespace and embedded tabs/newlines removed (as browsers do),
    scheme and host lower-cased, internationalised hosts in punycode (so a lookalike shows
    as ``xn--…``), spaces and ``"<>`` percent-encoded. ``safe_url(safe_url(u)) ==
    safe_url(u)``.
    """
    if not isinstance(url, str):
        return None
    # The WHATWG URL parser strips leading/trailing C0 controls and spaces and removes
    # tabs and newlines anywhere; do the same so we judge what the browser will see.
    candidate = re.sub(r"[\t\n\r]", "", url).strip("".join(chr(c) for c in range(0x21)))
    if not candidate or len(candidate) > MAX_URL_LENGTH:
        return None
    if re.search(r"[\x00-\x1f\x7f-\x9f]", candidate) or "\\" in candidate:
        return None

    match = _SCHEME_RE.match(candidate)
    scheme = match.group(1).lower() if match else None
    # A disguised scheme is one the browser (or a later decoding step) might see although
    # the raw text doesn't show it: refuse when decoding entities and percent-escapes and
    # removing invisible characters reveals a different scheme from the one written.
    if _revealed_scheme(candidate) != scheme:
        return None

    if scheme is None:
        if not allow_relative or candidate.startswith("//"):
            return None
        return _escape_unsafe(candidate)
    if scheme not in ALLOWED_URL_SCHEMES:
        return None
    rest = candidate[len(scheme) + 1 :]
    if scheme in ("http", "https"):
        return _safe_web_url(scheme, rest)
    if scheme == "mailto":
        return f"mailto:{_escape_unsafe(rest)}" if rest.strip() else None
    number = "".join(unquote(rest).split())
    return f"tel:{number}" if _TEL_RE.match(number) else None


def _revealed_scheme(candidate: str) -> str | None:
    probe = candidate
    for _ in range(5):
        decoded = unquote(html.unescape(probe))
        if decoded == probe:
            break
        probe = decoded
    probe = "".join(
        ch for ch in probe if not (ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf"))
    )
    match = _SCHEME_RE.match(probe)
    return match.group(1).lower() if match else None


def _safe_web_url(scheme: str, rest: str) -> str | None:
    if not rest.startswith("//"):
        return None  # "https:example.com" is read differently by different parsers
    try:
        parts = urlsplit(f"{scheme}:{rest}")
        port = parts.port
    except ValueError:
        return None
    if "@" in parts.netloc or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    if not _HOST_RE.match(host):
        return None
    netloc = host if port is None else f"{host}:{port}"
    return urlunsplit(
        (
            scheme,
            netloc,
            _escape_unsafe(parts.path),
            _escape_unsafe(parts.query),
            _escape_unsafe(parts.fragment),
        )
    )


def _escape_unsafe(text: str) -> str:
    return "".join(quote(ch, safe="") if ch in _URL_UNSAFE or ch.isspace() else ch for ch in text)
