"""A small HTML tree for tests of the editor's DOM (no third-party parser is installed).

`parse(html)` gives a tree of `Node`s; `data_controls(root)` lists every control carrying a
`data-path` outside `<template>`s, each with its pointer from the block's data root, computed
the way the editor's JavaScript reads it (paths inside an item are relative to the item).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()  # noqa: SIM905
)


@dataclass(eq=False)
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    text: str = ""

    def has(self, name: str) -> bool:
        return name in self.attrs

    def get(self, name: str, default: str = "") -> str:
        value = self.attrs.get(name)
        return default if value is None else value

    def iter(self, *, into_templates: bool = False) -> Iterator[Node]:
        for child in self.children:
            yield child
            if child.tag != "template" or into_templates:
                yield from child.iter(into_templates=into_templates)

    def find_all(self, predicate, *, into_templates: bool = False) -> list[Node]:  # type: ignore[no-untyped-def]
        return [n for n in self.iter(into_templates=into_templates) if predicate(n)]

    def text_content(self) -> str:
        return self.text + "".join(child.text_content() for child in self.children)

    def inner_html(self) -> str:
        return "".join(_serialise(child) for child in self.children) if self.children else self.text

    def ancestors(self) -> Iterator[Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


def _serialise(node: Node) -> str:
    if node.tag == "#text":
        return node.text
    attrs = "".join(f' {k}="{v}"' if v is not None else f" {k}" for k, v in node.attrs.items())
    if node.tag in VOID:
        return f"<{node.tag}{attrs}>"
    return f"<{node.tag}{attrs}>{''.join(_serialise(c) for c in node.children)}</{node.tag}>"


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs}, self.current)
        self.current.children.append(node)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(Node("#text", {}, self.current, text=data))


def parse(html: str) -> Node:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def _in_template(node: Node) -> bool:
    return any(a.tag == "template" for a in node.ancestors())


def absolute_path(node: Node) -> str:
    """The pointer from the block's data root of a control (or an item list)."""
    item = next((a for a in node.ancestors() if a.has("data-item")), None)
    if item is None:
        return node.get("data-path")
    items_list = item.parent
    assert items_list is not None, "an item outside a list"
    assert items_list.has("data-items"), "an item outside a list"
    index = [c for c in items_list.children if c.has("data-item")].index(item)
    return f"{absolute_path(items_list)}/{index}{node.get('data-path')}"


def data_controls(root: Node) -> list[tuple[str, Node]]:
    return [
        (absolute_path(n), n) for n in root.iter() if n.has("data-path") and not _in_template(n)
    ]


def resolve(data: object, path: str) -> tuple[bool, object]:
    """(found, value) of a JSON pointer in `data`."""
    node = data
    for part in [p.replace("~1", "/").replace("~0", "~") for p in path.split("/")[1:]]:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False, None
    return True, node


# --- reading a form back, as frontend/editor/serialize.js does -------------------------------


def _owner(node: Node) -> Node | None:
    return next(
        (a for a in node.ancestors() if a.has("data-item") or a.has("data-block-form")), None
    )


def _fields_of(scope: Node) -> list[Node]:
    return [n for n in scope.iter() if n.has("data-path") and _owner(n) is scope]


def _set(target: dict, path: str, value: object) -> None:
    parts = [p.replace("~1", "/").replace("~0", "~") for p in path.split("/")[1:]]
    node: object = target
    for index, part in enumerate(parts[:-1]):
        nxt = parts[index + 1]
        container = node[int(part)] if isinstance(node, list) else node.get(part)  # type: ignore[union-attr,index]
        if not isinstance(container, dict | list):
            container = [] if nxt.isdigit() else {}
            if isinstance(node, list):
                while len(node) <= int(part):
                    node.append(None)
                node[int(part)] = container
            else:
                node[part] = container  # type: ignore[index]
        node = container
    last = parts[-1]
    if isinstance(node, list):
        while len(node) <= int(last):
            node.append(None)
        node[int(last)] = value
    else:
        node[last] = value  # type: ignore[index]


def _number(text: str) -> object:
    if text.strip() == "":
        return None
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def _value(scope: Node, node: Node) -> object:
    kind = node.get("data-kind", "text")
    if kind == "html":
        return node.inner_html().strip() if node.text_content().strip() else ""
    if kind == "bool":
        return node.has("checked")
    if kind == "uuid-list":
        path = node.get("data-path")
        return [
            n.get("value")
            for n in _fields_of(scope)
            if n.get("data-path") == path and n.has("checked")
        ]
    raw = node.text_content() if node.tag == "textarea" else node.get("value")
    if node.tag == "select":
        selected = [o for o in node.iter() if o.tag == "option" and o.has("selected")]
        raw = selected[0].get("value") if selected else ""
    if kind == "number":
        return _number(raw)
    if kind in ("choice", "asset"):
        return raw or None
    if kind == "json":
        import json

        return json.loads(raw) if raw.strip() else None
    if kind == "lines":
        return [line.strip() for line in raw.split("\n") if line.strip()]
    return raw


def serialize(scope: Node) -> dict:
    """The data a form (or an item) holds, read the way the editor's JavaScript reads it."""
    data: dict = {}
    if scope.has("data-item") and scope.get("data-item-id"):
        data["id"] = scope.get("data-item-id")
    for node in _fields_of(scope):
        path = node.get("data-path")
        if node.has("data-items"):
            items = [c for c in node.children if c.has("data-item")]
            _set(data, path, [serialize(item) for item in items])
            continue
        value = _value(scope, node)
        if value is not None:
            _set(data, path, value)
    return data
