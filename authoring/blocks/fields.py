"""Declarative fields of block data.

A block type lists its fields once; from that list come the JSON Schema of its data,
sanitising, the rules every field of a kind shares (a required rich text must show some
text, an item list must not repeat an id), translatable segments, references to assets,
objectives and owned ids, and the public data a learner may see (`secret` fields dropped).
Keeping all of that in one description is what lets a new type touch one module.

Segment keys: a top-level field is its name (`prompt`); a group adds `.name`
(`feedback.correct`); a list of items adds the item's UUID, never its index
(`options.<uuid>.text`), so a translation survives reordering and inserts.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from authoring.blocks.values import Problem, Reference, Segment, pointer, visible_text
from authoring.embeds import embed_url
from authoring.sanitize import safe_url, sanitize_plain_text, sanitize_rich_text

UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
# BCP 47 as people use it: "en", "nl", "nl-BE", "pt-BR", "zh-Hant".
LANGUAGE_PATTERN = "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
RICH_TEXT_MAX = 100_000
PLAIN_TEXT_MAX = 500
URL_MAX = 2_048


def uuid_schema() -> dict[str, Any]:
    # Lowercase only: ids are compared as strings, and "A…" and "a…" must not both pass.
    return {"type": "string", "pattern": UUID_PATTERN}


class Field:
    """One key of a data object. Subclasses override what applies to their kind."""

    def __init__(self, name: str, *, required: bool = True, secret: bool = False) -> None:
        self.name = name
        self.required = required
        # Secret fields hold answers or feedback that reveals them; public data drops them.
        self.secret = secret

    def schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def sanitize(self, value: Any) -> Any:
        return copy.deepcopy(value)

    def check(self, value: Any, path: str) -> Iterator[Problem]:
        return iter(())

    def segments(self, value: Any, key: str) -> Iterator[Segment]:
        return iter(())

    def apply(self, value: Any, key: str, texts: Mapping[str, str]) -> Any:
        return copy.deepcopy(value)

    def references(self, value: Any, path: str) -> Iterator[Reference]:
        return iter(())

    def public(self, value: Any) -> Any:
        return copy.deepcopy(value)


def _required(path: str) -> Problem:
    return Problem(path, _("This field is required."), "required")


class Text(Field):
    """A string: rich text (an HTML fragment, allowlist-sanitised) or plain text."""

    def __init__(
        self,
        name: str,
        *,
        html: bool = False,
        max_length: int | None = None,
        required: bool = True,
        multiline: bool = False,
        secret: bool = False,
        translatable: bool = True,
    ) -> None:
        super().__init__(name, required=required, secret=secret)
        self.html = html
        self.multiline = multiline
        self.max_length = max_length or (RICH_TEXT_MAX if html else PLAIN_TEXT_MAX)
        self.translatable = translatable

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "maxLength": self.max_length}
        if self.required:
            schema["minLength"] = 1
        if self.html:
            schema["contentMediaType"] = "text/html"
        return schema

    def clean(self, text: str) -> str:
        if self.html:
            return sanitize_rich_text(text)
        return sanitize_plain_text(text, max_length=self.max_length, multiline=self.multiline)

    def sanitize(self, value: Any) -> Any:
        return self.clean(value) if isinstance(value, str) else copy.deepcopy(value)

    def check(self, value: Any, path: str) -> Iterator[Problem]:
        # "<p> </p>" or a lone <script> passes minLength but shows nothing once sanitised.
        # For HTML, visible_text already leaves out script and style content, so there is
        # no need to run the (much slower) sanitiser here.
        if not self.required or not isinstance(value, str):
            return
        if not visible_text(value if self.html else self.clean(value), is_html=self.html):
            yield _required(path)

    def segments(self, value: Any, key: str) -> Iterator[Segment]:
        if self.translatable and isinstance(value, str) and value.strip():
            yield Segment(key, value, self.html)

    def apply(self, value: Any, key: str, texts: Mapping[str, str]) -> Any:
        if self.translatable and key in texts and isinstance(value, str):
            return self.clean(texts[key])
        return copy.deepcopy(value)


class TextList(Field):
    """A list of plain strings, e.g. the accepted answers of a gap.

    One segment holds the whole list, a line per entry: a translator may then give more or
    fewer alternatives than the source language, and no key depends on a list index.
    """

    def __init__(
        self,
        name: str,
        *,
        min_items: int = 0,
        max_items: int = 50,
        max_length: int = PLAIN_TEXT_MAX,
        allow_blank: bool = False,
        required: bool = True,
        secret: bool = False,
        translatable: bool = True,
    ) -> None:
        super().__init__(name, required=required, secret=secret)
        self.min_items, self.max_items = min_items, max_items
        self.max_length = max_length
        self.allow_blank = allow_blank
        self.translatable = translatable

    def schema(self) -> dict[str, Any]:
        return {
            "type": "array",
            "items": {
                "type": "string",
                "minLength": 0 if self.allow_blank else 1,
                "maxLength": self.max_length,
            },
            "minItems": self.min_items,
            "maxItems": self.max_items,
        }

    def clean(self, text: str) -> str:
        return sanitize_plain_text(text, max_length=self.max_length)

    def sanitize(self, value: Any) -> Any:
        if not isinstance(value, list):
            return copy.deepcopy(value)
        return [self.clean(v) if isinstance(v, str) else copy.deepcopy(v) for v in value]

    def check(self, value: Any, path: str) -> Iterator[Problem]:
        if self.allow_blank or not isinstance(value, list):
            return
        for index, text in enumerate(value):
            if isinstance(text, str) and not self.clean(text).strip():
                yield _required(path + pointer(index))

    def segments(self, value: Any, key: str) -> Iterator[Segment]:
        if self.translatable and isinstance(value, list):
            lines = [v for v in value if isinstance(v, str) and v.strip()]
            if lines:
                yield Segment(key, "\n".join(lines), False)

    def apply(self, value: Any, key: str, texts: Mapping[str, str]) -> Any:
        if self.translatable and key in texts and isinstance(value, list):
            lines = (self.clean(line) for line in texts[key].splitlines())
            return [line for line in lines if line.strip()]
        return copy.deepcopy(value)


class Url(Field):
    """A link. Anything `safe_url` refuses (javascript:, data:, …) is reported and dropped."""

    def __init__(self, name: str, *, required: bool = True, allow_relative: bool = False) -> None:
        super().__init__(name, required=required)
        self.allow_relative = allow_relative

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "maxLength": URL_MAX}
        if self.required:
            schema["minLength"] = 1
        return schema

    def clean(self, url: str) -> str:
        if not url.strip():
            return ""
        return safe_url(url, allow_relative=self.allow_relative) or ""

    def sanitize(self, value: Any) -> Any:
        return self.clean(value) if isinstance(value, str) else copy.deepcopy(value)

    def check(self, value: Any, path: str) -> Iterator[Problem]:
        if isinstance(value, str) and value.strip() and not self.clean(value):
            yield Problem(
                path, _("This link is not allowed. Use an http or https address."), "unsafe_url"
            )
        elif self.required and isinstance(value, str) and not value.strip():
            yield _required(path)


class EmbedUrl(Url):
    """A link to a provider on the embed allowlist; the player turns it into a sandboxed iframe.

    The author's link is kept (normalised by `safe_url`), not the provider's embed address:
    the editor shows what the author pasted, and the renderer asks `embed_url` for the
    iframe's address, sandbox and permissions at render time, so allowlist changes apply to
    existing courses. `providers` narrows the allowlist (a video block takes video players).
    """

    def __init__(
        self, name: str, *, required: bool = True, providers: frozenset[str] | None = None
    ) -> None:
        super().__init__(name, required=required)
        self.providers = providers

    def clean(self, url: str) -> str:
        info = embed_url(url) if url.strip() else None
        if info is None or (self.providers is not None and info.provider not in self.providers):
            return ""
        return safe_url(url) or ""

    def check(self, value: Any, path: str) -> Iterator[Problem]:
        if isinstance(value, str) and value.strip() and not self.clean(value):
            info = embed_url(value)
            if info is not None:  # an allowed provider, but not one this field takes
                message = _("%(provider)s cannot be shown here; use an embed block for it.") % {
                    "provider": info.provider_name
                }
            else:
                message = _("This address is not from a provider that may be embedded.")
            yield Problem(path, message, "embed_not_allowed")
        elif self.required and isinstance(value, str) and not value.strip():
            yield _required(path)


class Uuid(Field):
    """A UUID string; `kind` says what the document must check it against."""

    def __init__(
        self,
        name: str,
        *,
        kind: str = "id",
        accept: tuple[str, ...] = (),
        required: bool = True,
        secret: bool = False,
    ) -> None:
        super().__init__(name, required=required, secret=secret)
        self.kind = kind
        self.accept = accept

    def schema(self) -> dict[str, Any]:
        return uuid_schema()

    def references(self, value: Any, path: str) -> Iterator[Reference]:
        if isinstance(value, str):
            yield Reference(self.kind, path, value, self.accept)


def AssetRef(name: str, *, accept: tuple[str, ...] = (), required: bool = True) -> Uuid:  # noqa: N802  (reads as a field class in the declarations)
    """A reference to an Asset of the document; `accept` lists content-type prefixes."""
    return Uuid(name, kind="asset", accept=accept, required=required)


class UuidList(Field):
    """A list of distinct UUIDs, e.g. the learning objectives a question assesses."""

    def __init__(self, name: str, *, kind: str, required: bool = False) -> None:
        super().__init__(name, required=required)
        self.kind = kind

    def schema(self) -> dict[str, Any]:
        return {"type": "array", "items": uuid_schema(), "uniqueItems": True, "maxItems": 50}

    def references(self, value: Any, path: str) -> Iterator[Reference]:
        for index, item in enumerate(value if isinstance(value, list) else []):
            if isinstance(item, str):
                yield Reference(self.kind, path + pointer(index), item)


class Value(Field):
    """A value with no text in it (a flag, a number, a choice, coordinates): schema only."""

    def __init__(
        self, name: str, schema: dict[str, Any], *, required: bool = False, secret: bool = False
    ) -> None:
        super().__init__(name, required=required, secret=secret)
        self._schema = schema

    def schema(self) -> dict[str, Any]:
        return copy.deepcopy(self._schema)


def Flag(name: str, *, default: bool = False, secret: bool = False) -> Value:  # noqa: N802  (reads as a field class in the declarations)
    return Value(name, {"type": "boolean", "default": default}, secret=secret)


def Choice(name: str, options: Sequence[str], *, default: str | None = None) -> Value:  # noqa: N802  (reads as a field class in the declarations)
    schema: dict[str, Any] = {"type": "string", "enum": list(options)}
    if default is not None:
        schema["default"] = default
    return Value(name, schema, required=default is None)


class Group(Field):
    """A nested object of fields, e.g. the correct/incorrect feedback of a question."""

    def __init__(
        self, name: str, fields: Sequence[Field], *, required: bool = False, secret: bool = False
    ) -> None:
        super().__init__(name, required=required, secret=secret)
        self.fields = tuple(fields)

    def schema(self) -> dict[str, Any]:
        return object_schema(self.fields)

    def sanitize(self, value: Any) -> Any:
        return (
            object_sanitize(self.fields, value)
            if isinstance(value, Mapping)
            else copy.deepcopy(value)
        )

    def check(self, value: Any, path: str) -> Iterator[Problem]:
        return object_check(self.fields, value, path)

    def segments(self, value: Any, key: str) -> Iterator[Segment]:
        return object_segments(self.fields, value, key)

    def apply(self, value: Any, key: str, texts: Mapping[str, str]) -> Any:
        return object_apply(self.fields, value, key, texts)

    def references(self, value: Any, path: str) -> Iterator[Reference]:
        return object_references(self.fields, value, path)

    def public(self, value: Any) -> Any:
        return object_public(self.fields, value)


class Items(Field):
    """An ordered list of objects, each named by a UUID in `key` (by default its own `id`).

    The UUID names the item in segment keys and anchors comments, translations and
    xAPI activity ids, so it never changes and never repeats.
    """

    def __init__(
        self,
        name: str,
        fields: Sequence[Field],
        *,
        key: str = "id",
        min_items: int = 0,
        max_items: int = 200,
        required: bool = True,
        secret: bool = False,
    ) -> None:
        super().__init__(name, required=required, secret=secret)
        self.key = key
        own_key = [Uuid("id")] if key == "id" else []
        self.fields = (*own_key, *fields)
        self.min_items, self.max_items = min_items, max_items

    def schema(self) -> dict[str, Any]:
        return {
            "type": "array",
            "items": object_schema(self.fields),
            "minItems": self.min_items,
            "maxItems": self.max_items,
        }

    def _items(self, value: Any) -> list[Mapping[str, Any]]:
        return (
            [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []
        )

    def sanitize(self, value: Any) -> Any:
        if not isinstance(value, list):
            return copy.deepcopy(value)
        return [
            object_sanitize(self.fields, i) if isinstance(i, Mapping) else copy.deepcopy(i)
            for i in value
        ]

    def check(self, value: Any, path: str) -> Iterator[Problem]:
        # Repeated `id`s are caught across the whole block (BlockType.check); other keys,
        # such as the asset of a caption track, only have to be unique in their list.
        seen: set[str] = set()
        for index, item in enumerate(self._items(value)):
            item_path = path + pointer(index)
            item_key = item.get(self.key)
            if self.key != "id" and item_key in seen:
                yield Problem(
                    item_path + pointer(self.key),
                    _("This item is in the list twice."),
                    "duplicate_key",
                )
            elif isinstance(item_key, str):
                seen.add(item_key)
            yield from object_check(self.fields, item, item_path)

    def segments(self, value: Any, key: str) -> Iterator[Segment]:
        for item in self._items(value):
            if isinstance(item.get(self.key), str):
                yield from object_segments(self.fields, item, f"{key}.{item[self.key]}")

    def apply(self, value: Any, key: str, texts: Mapping[str, str]) -> Any:
        if not isinstance(value, list):
            return copy.deepcopy(value)
        return [
            object_apply(self.fields, item, f"{key}.{item[self.key]}", texts)
            if isinstance(item, Mapping) and isinstance(item.get(self.key), str)
            else copy.deepcopy(item)
            for item in value
        ]

    def references(self, value: Any, path: str) -> Iterator[Reference]:
        for index, item in enumerate(self._items(value)):
            yield from object_references(self.fields, item, path + pointer(index))

    def public(self, value: Any) -> Any:
        return [object_public(self.fields, item) for item in self._items(value)]


# --- operations on an object described by fields ----------------------------------------------


def object_schema(fields: Sequence[Field]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {f.name: f.schema() for f in fields},
        "required": [f.name for f in fields if f.required],
        "additionalProperties": False,
    }


def object_sanitize(fields: Sequence[Field], obj: Mapping[str, Any]) -> dict[str, Any]:
    return {f.name: f.sanitize(obj[f.name]) for f in fields if f.name in obj}


def object_check(fields: Sequence[Field], obj: Any, path: str) -> Iterator[Problem]:
    if not isinstance(obj, Mapping):
        return
    for f in fields:
        if f.name in obj:
            yield from f.check(obj[f.name], path + pointer(f.name))


def object_segments(fields: Sequence[Field], obj: Any, prefix: str) -> Iterator[Segment]:
    if not isinstance(obj, Mapping):
        return
    for f in fields:
        if f.name in obj:
            yield from f.segments(obj[f.name], f"{prefix}.{f.name}" if prefix else f.name)


def object_apply(fields: Sequence[Field], obj: Any, prefix: str, texts: Mapping[str, str]) -> Any:
    if not isinstance(obj, Mapping):
        return copy.deepcopy(obj)
    result = copy.deepcopy(dict(obj))
    for f in fields:
        if f.name in obj:
            result[f.name] = f.apply(obj[f.name], f"{prefix}.{f.name}" if prefix else f.name, texts)
    return result


def object_references(fields: Sequence[Field], obj: Any, path: str) -> Iterator[Reference]:
    if not isinstance(obj, Mapping):
        return
    for f in fields:
        if f.name in obj:
            yield from f.references(obj[f.name], path + pointer(f.name))


def object_public(fields: Sequence[Field], obj: Any) -> dict[str, Any]:
    if not isinstance(obj, Mapping):
        return {}
    return {f.name: f.public(obj[f.name]) for f in fields if f.name in obj and not f.secret}
