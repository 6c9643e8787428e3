"""A page editor in Chromium against a scripted operations endpoint, without a Django server.

The page is the editor DOM of docs/authoring-contract.md with real block forms
(authoring.editor_forms.render_block_editor) and the built static/dist/app.js; Playwright's
request routing serves it from a made-up origin (so localStorage works) and answers the
operations endpoint with `FakePage`, a small model of the server's rules: page version,
per-block versions, conflicts on blocks changed since base_version, `force`. Tests can make
the endpoint refuse (400), drop the connection, or change a block "as someone else".
"""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.html import escape, json_script

from authoring.editor_forms import default_data, render_block_editor

ORIGIN = "http://editor.test"
PAGE_UUID = "6f1d2c3b-4a59-4687-9a1b-2c3d4e5f6a7b"
OPS_URL = f"/api/v1/pages/{PAGE_UUID}/operations/"
DIST = Path(__file__).resolve().parents[2] / "static" / "dist"


@dataclass
class FakePage:
    """The server side of one page: blocks, version, block_versions and the requests seen."""

    blocks: list[dict[str, Any]]
    version: int = 1
    block_versions: dict[str, int] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    offline: bool = False
    refuse: dict[str, list[str]] | None = None  # the next request answers 400 with these fields

    def __post_init__(self) -> None:
        self.block_versions = {b["id"]: 1 for b in self.blocks}

    def block(self, block_id: str) -> dict[str, Any] | None:
        return next((b for b in self.blocks if b["id"] == block_id), None)

    def someone_else_updates(self, block_id: str, data: dict[str, Any]) -> None:
        self.version += 1
        block = self.block(block_id)
        assert block is not None
        block["data"] = data
        self.block_versions[block_id] = self.version

    def apply(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.requests.append(body)
        if self.refuse is not None:
            fields, self.refuse = self.refuse, None
            return 400, {
                "error": {"code": "invalid", "message": "Check the block.", "fields": fields}
            }
        base = body["base_version"]
        blocks = copy.deepcopy(self.blocks)
        versions = dict(self.block_versions)
        new_version = self.version + 1
        for op in body["operations"]:
            kind = op["op"]
            if kind == "insert":
                new = {
                    "id": op["block"]["id"],
                    "type": op["block"]["type"],
                    "version": 1,
                    "data": op["block"]["data"],
                }
                blocks.insert(min(op["index"], len(blocks)), new)
                versions[new["id"]] = new_version
                continue
            index = next((i for i, b in enumerate(blocks) if b["id"] == op["block_id"]), None)
            if index is None:
                return 409, self._conflict(op["block_id"], None)
            stale = versions.get(op["block_id"], 0) > base
            if kind == "update":
                if blocks[index]["data"] == op["data"]:
                    continue
                if stale and not op.get("force"):
                    return 409, self._conflict(op["block_id"], self.block(op["block_id"]))
                blocks[index] = {**blocks[index], "data": op["data"]}
                versions[op["block_id"]] = new_version
            elif kind == "move":
                if stale:
                    return 409, self._conflict(op["block_id"], self.block(op["block_id"]))
                block = blocks.pop(index)
                blocks.insert(min(op["index"], len(blocks)), block)
                versions[op["block_id"]] = new_version
            elif kind == "delete":
                if stale:
                    return 409, self._conflict(op["block_id"], self.block(op["block_id"]))
                blocks.pop(index)
                versions.pop(op["block_id"], None)
            elif kind == "duplicate":
                copy_block = {**copy.deepcopy(blocks[index]), "id": str(uuid.uuid4())}
                blocks.insert(index + 1, copy_block)
                versions[copy_block["id"]] = new_version
        self.blocks, self.block_versions, self.version = blocks, versions, new_version
        return 200, {
            "version": self.version,
            "block_versions": self.block_versions,
            "blocks": self.blocks,
        }

    def _conflict(self, block_id: str, theirs: dict[str, Any] | None) -> dict[str, Any]:
        return {
            "error": {"code": "conflict", "message": "Someone else changed this block."},
            "conflict": {
                "block_id": block_id,
                "theirs": copy.deepcopy(theirs),
                "version": self.version,
            },
        }

    def updates(self) -> list[dict[str, Any]]:
        return [op for body in self.requests for op in body["operations"] if op["op"] == "update"]


def block_html(block: dict[str, Any]) -> str:
    form = render_block_editor(block)
    return (
        f'<li data-block data-block-id="{block["id"]}" data-block-type="{block["type"]}" tabindex="-1">'
        f'<div class="block-toolbar"><button type="button" data-drag-handle aria-label="Move {escape(block["type"])}">⠿</button>'
        '<button type="button" data-action="move-up">Up</button>'
        '<button type="button" data-action="move-down">Down</button>'
        '<button type="button" data-action="delete">Delete</button></div>'
        f"{form}</li>"
    )


def editor_html(fake: FakePage) -> str:
    items = [block_html(block) for block in fake.blocks]
    palette = "".join(
        f'<button type="button" data-action="insert" data-block-type="{t}">Add {t}</button>'
        for t in ("quote", "rich_text")
    )
    blocks_json = json_script(fake.blocks, "page-blocks")
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Editor</title>
<script src="/static/dist/app.js" defer></script><script src="/static/dist/editor.js" defer></script></head>
<body hx-headers='{{"X-CSRFToken": "test-token"}}'>
<main data-editor data-course-uuid="c" data-page-uuid="{PAGE_UUID}" data-page-version="{fake.version}"
  data-ops-url="{OPS_URL}" data-block-new-url="/new-block/">
  <div data-save-status role="status" aria-live="polite"></div>
  <ol data-block-list>{"".join(items)}</ol>
  <div data-undo hidden></div>
  <div class="palette">{palette}</div>
  <dialog data-conflict></dialog>
  {blocks_json}
</main></body></html>"""


def serve(page: Any, fake: FakePage) -> None:
    """Route the made-up origin: the editor page (built from `fake` at each load), app.js, ops."""

    def handle(route: Any) -> None:
        request = route.request
        path = request.url[len(ORIGIN) :].split("?")[0]
        if path in ("/static/dist/app.js", "/static/dist/editor.js"):
            script = DIST / path.rsplit("/", 1)[1]
            route.fulfill(status=200, content_type="text/javascript", body=script.read_text())
        elif path == OPS_URL and request.method == "POST":
            if fake.offline:
                route.abort("internetdisconnected")
                return
            assert request.headers.get("x-csrftoken") == "test-token"
            status, body = fake.apply(json.loads(request.post_data or "{}"))
            route.fulfill(status=status, content_type="application/json", body=json.dumps(body))
        elif path == "/new-block/":
            type_name = request.url.split("type=", 1)[1]
            block = {
                "id": str(uuid.uuid4()),
                "type": type_name,
                "version": 1,
                "data": default_data(type_name),
            }
            route.fulfill(status=200, content_type="text/html", body=block_html(block))
        elif path == "/editor/":
            route.fulfill(status=200, content_type="text/html", body=editor_html(fake))
        else:
            route.fulfill(status=404, body="not found")

    page.route(f"{ORIGIN}/**", handle)
