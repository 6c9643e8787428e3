"""SVG sanitising: an allowlist of elements and attributes, re-serialised from the parse tree.

What survives is drawing only: shapes, paths, text, gradients, clip paths, masks, markers
and `<use>` of elements in the same file. Dropped, with everything inside them: scripts,
`foreignObject`, `<a>`, animation (it can set `href`), `<image>` and `<feImage>` (external
files), elements of other namespaces (editors' metadata). Dropped attributes: event
handlers (`on*`), every `href` that does not point inside the file, and values holding
`url(...)` to anything but `#id`, `javascript:` or `@import`. A document type declaration
with an internal subset (entities: billion laughs, external entities) refuses the file.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from django.utils.translation import gettext as _

from authoring.media.sniff import UnsupportedFile

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
SVG_MAX_BYTES = 5 * 1024 * 1024

ELEMENTS = frozenset(
    [
        "svg",
        "g",
        "defs",
        "symbol",
        "use",
        "title",
        "desc",
        "metadata",
        "switch",
        "path",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "textPath",
        "linearGradient",
        "radialGradient",
        "stop",
        "pattern",
        "clipPath",
        "mask",
        "marker",
        "style",
        "filter",
        "feBlend",
        "feColorMatrix",
        "feComponentTransfer",
        "feComposite",
        "feFlood",
        "feGaussianBlur",
        "feMerge",
        "feMergeNode",
        "feMorphology",
        "feOffset",
        "feFuncR",
        "feFuncG",
        "feFuncB",
        "feFuncA",
        "feDropShadow",
        "feTurbulence",
        "feDisplacementMap",
    ]
)
# Elements kept empty: their content is of no use and may be foreign (RDF metadata).
EMPTIED = frozenset({"metadata"})

ATTRIBUTES = frozenset(
    [
        "id",
        "class",
        "style",
        "lang",
        "transform",
        "viewBox",
        "preserveAspectRatio",
        "width",
        "height",
        "x",
        "y",
        "x1",
        "y1",
        "x2",
        "y2",
        "cx",
        "cy",
        "r",
        "rx",
        "ry",
        "fx",
        "fy",
        "fr",
        "d",
        "points",
        "pathLength",
        "version",
        "baseProfile",
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-width",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-opacity",
        "opacity",
        "color",
        "display",
        "visibility",
        "overflow",
        "clip-path",
        "clip-rule",
        "clipPathUnits",
        "mask",
        "maskUnits",
        "maskContentUnits",
        "filter",
        "filterUnits",
        "primitiveUnits",
        "font-family",
        "font-size",
        "font-style",
        "font-weight",
        "font-variant",
        "letter-spacing",
        "word-spacing",
        "text-anchor",
        "dominant-baseline",
        "alignment-baseline",
        "baseline-shift",
        "text-decoration",
        "writing-mode",
        "direction",
        "dx",
        "dy",
        "rotate",
        "textLength",
        "lengthAdjust",
        "startOffset",
        "method",
        "spacing",
        "offset",
        "stop-color",
        "stop-opacity",
        "gradientUnits",
        "gradientTransform",
        "spreadMethod",
        "patternUnits",
        "patternContentUnits",
        "patternTransform",
        "marker-start",
        "marker-mid",
        "marker-end",
        "markerWidth",
        "markerHeight",
        "markerUnits",
        "refX",
        "refY",
        "orient",
        "in",
        "in2",
        "result",
        "stdDeviation",
        "mode",
        "operator",
        "k1",
        "k2",
        "k3",
        "k4",
        "values",
        "type",
        "tableValues",
        "slope",
        "intercept",
        "amplitude",
        "exponent",
        "flood-color",
        "flood-opacity",
        "radius",
        "scale",
        "xChannelSelector",
        "yChannelSelector",
        "baseFrequency",
        "numOctaves",
        "seed",
        "stitchTiles",
        "color-interpolation",
        "color-interpolation-filters",
        "shape-rendering",
        "text-rendering",
        "image-rendering",
        "vector-effect",
        "paint-order",
        "mix-blend-mode",
        "isolation",
        "role",
        "aria-label",
        "aria-labelledby",
        "aria-describedby",
        "aria-hidden",
        "focusable",
    ]
)

_DOCTYPE = re.compile(rb"<!DOCTYPE[^>\[]*(\[)?", re.IGNORECASE)
_URL = re.compile(r"url\s*\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_DANGEROUS = re.compile(
    r"javascript:|vbscript:|data:|@import|image-set|expression\s*\(|\\|<", re.IGNORECASE
)


class UnsafeSvg(UnsupportedFile):
    code = "unsafe_svg"


def _refuse() -> UnsafeSvg:
    return UnsafeSvg(
        _(
            "This SVG file cannot be made safe to show (it declares entities). Export it again or upload a PNG."
        )
    )


def _local(tag: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag or attribute name."""
    if tag.startswith("{"):
        namespace, _brace, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def _safe_value(value: str) -> bool:
    if _DANGEROUS.search(value):
        return False
    return all(target.strip().startswith("#") for _quote, target in _URL.findall(value))


def _clean(element: ET.Element) -> None:
    for name, value in list(element.attrib.items()):
        namespace, local = _local(name)
        keep = False
        if local == "href" and namespace in ("", XLINK_NS):
            keep = value.strip().startswith("#") and _safe_value(value)
        elif namespace == "" and local in ATTRIBUTES and not local.lower().startswith("on"):
            keep = _safe_value(value)
        elif namespace == "http://www.w3.org/XML/1998/namespace" and local in ("lang", "space"):
            keep = True
        if not keep:
            del element.attrib[name]
    if _local(element.tag)[1] == "style" and element.text and not _safe_value(element.text):
        element.text = ""
    for child in list(element):
        namespace, local = _local(child.tag) if isinstance(child.tag, str) else ("", "")
        if namespace not in ("", SVG_NS) or local not in ELEMENTS:
            element.remove(child)
            continue
        if local in EMPTIED:
            child.clear()
            continue
        _clean(child)


def _parse(content: bytes) -> ET.Element:
    match = _DOCTYPE.search(content)
    if match and match.group(1):
        raise _refuse()  # an internal subset: entity declarations
    if b"<!ENTITY" in content.upper():
        raise _refuse()
    if match:
        # A plain DOCTYPE naming the SVG DTD: drop it, so the parser sees no DTD at all.
        end = content.index(b">", match.start()) + 1
        content = content[: match.start()] + content[end:]
    try:
        return ET.fromstring(content)  # noqa: S314  (no DTD: entities refused above; expat fetches nothing)
    except ET.ParseError:
        raise UnsupportedFile(_("This SVG file is damaged: it is not valid XML.")) from None


def sanitize_svg(content: bytes) -> tuple[bytes, int | None, int | None]:
    """The sanitised SVG (UTF-8, with an XML declaration) and its width and height in
    pixels when it states them. Raises UnsupportedFile when it cannot be made safe."""
    if len(content) > SVG_MAX_BYTES:
        raise UnsupportedFile(_("SVG files over 5 MB are not accepted; upload a PNG instead."))
    root = _parse(content)
    namespace, local = _local(root.tag)
    if namespace not in ("", SVG_NS) or local != "svg":
        raise UnsupportedFile(_("This file is not an SVG image."))
    _clean(root)
    for element in root.iter():
        namespace, local = _local(element.tag)
        element.tag = f"{{{SVG_NS}}}{local}"
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    cleaned = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return cleaned, _dimension(root.get("width")), _dimension(root.get("height"))


def _dimension(value: str | None) -> int | None:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(px)?\s*", value or "")
    if not match:
        return None
    number = round(float(match.group(1)))
    return number if 0 < number <= 100_000 else None
