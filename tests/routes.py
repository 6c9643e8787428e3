"""Walk a URLconf: every route with its full pattern, namespaced name, kwargs and view.

Used by the isolation probe and the default-deny test, so both see every route that exists,
including routes added after they were written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern


@dataclass(frozen=True)
class Route:
    pieces: tuple[Any, ...]  # the pattern objects from the root down
    name: str  # "namespace:name", or "" when unnamed
    callback: Callable[..., Any]
    kwargs: tuple[str, ...]
    namespaces: tuple[str, ...] = field(default=())
    app_names: tuple[str, ...] = field(default=())

    @property
    def pattern(self) -> str:
        return "".join(_text(piece) for piece in self.pieces)

    @property
    def label(self) -> str:
        return f"{self.name or '(unnamed)'} {self.pattern}"

    @property
    def is_api(self) -> bool:
        return self.build(dict.fromkeys(self.kwargs, "x")).startswith("/api/")

    def build(self, values: dict[str, Any]) -> str:
        """The path with `values` substituted for the kwargs."""
        return "/" + "".join(_fill(piece, values) for piece in self.pieces)


def _text(piece: Any) -> str:
    if isinstance(piece, RegexPattern):
        return piece._regex
    return str(piece)


def _kwargs(piece: Any) -> list[str]:
    if isinstance(piece, RoutePattern):
        return list(piece.converters)
    if isinstance(piece, RegexPattern):
        return list(piece.regex.groupindex)
    return []


def _fill(piece: Any, values: dict[str, Any]) -> str:
    if isinstance(piece, RoutePattern):
        return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), str(piece))
    if isinstance(piece, RegexPattern):
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), piece._regex)
        text = text.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
        if re.search(r"[()\[\]*+?|{}]", text.replace("\\.", "")):
            raise ValueError(f"cannot build a URL from the regex {piece._regex!r}")
        return text.replace("\\", "")
    if isinstance(piece, LocalePrefixPattern):
        return piece.language_prefix
    raise ValueError(f"unknown pattern type {type(piece).__name__}")


def walk(
    patterns: list[Any],
    pieces: tuple[Any, ...] = (),
    namespaces: tuple[str, ...] = (),
    app_names: tuple[str, ...] = (),
) -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(
                entry.url_patterns,
                (*pieces, entry.pattern),
                (*namespaces, entry.namespace) if entry.namespace else namespaces,
                (*app_names, entry.app_name) if entry.app_name else app_names,
            )
        elif isinstance(entry, URLPattern):
            all_pieces = (*pieces, entry.pattern)
            kwargs = tuple(name for piece in all_pieces for name in _kwargs(piece))
            name = ":".join((*namespaces, entry.name)) if entry.name else ""
            yield Route(all_pieces, name, entry.callback, kwargs, namespaces, app_names)


def routes_of(urlconf: str) -> list[Route]:
    return list(walk(get_resolver(urlconf).url_patterns))
