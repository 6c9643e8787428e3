"""Content blocks around media: image, video, audio, file download and embed.

Assets are referenced by UUID; the document checks that each exists and has a fitting
content type. Embeds must come from the provider allowlist (authoring.embeds).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from authoring.blocks.base import BlockType, register
from authoring.blocks.fields import (
    LANGUAGE_PATTERN,
    AssetRef,
    EmbedUrl,
    Flag,
    Items,
    Text,
    Value,
)
from authoring.blocks.values import Problem, pointer

TITLE_MAX = 200
CAPTION_MAX = 1_000
# Embed providers that are video players (keys of authoring.embeds.PROVIDERS); a slide deck
# or a whiteboard belongs in an embed block.
VIDEO_PROVIDERS = frozenset({"youtube", "vimeo", "loom", "stream"})


def _blank(value: Any) -> bool:
    return not (isinstance(value, str) and value.strip())


@register
class ImageBlock(BlockType):
    """An image with alt text (required unless marked decorative) and an optional caption."""

    type = "image"
    label = gettext_lazy("Image")
    fields = (
        AssetRef("asset", accept=("image/",)),
        Text("alt", required=False, max_length=500),
        Flag("decorative"),
        Text("caption", required=False, max_length=CAPTION_MAX),
    )

    def check(self, data: Mapping[str, Any]) -> list[Problem]:
        problems = super().check(data)
        if not data.get("decorative") and _blank(data.get("alt")):
            problems.append(
                Problem(
                    pointer("alt"),
                    _("Describe the image for people who cannot see it, or mark it as decorative."),
                    "alt_required",
                )
            )
        return problems


@register
class VideoBlock(BlockType):
    """A video: an uploaded file with caption tracks, or an embed from an allowed provider.

    Exactly one of `asset` and `url`. Caption tracks belong to uploaded files (providers
    carry their own), one per language; an embedded video needs a title for its iframe.
    """

    type = "video"
    label = gettext_lazy("Video")
    fields = (
        AssetRef("asset", accept=("video/",), required=False),
        Items(
            "tracks",
            [
                AssetRef("asset", accept=("text/vtt",)),
                Value("language", {"type": "string", "pattern": LANGUAGE_PATTERN}, required=True),
                Text("label", max_length=100),
            ],
            key="asset",
            required=False,
            max_items=20,
        ),
        EmbedUrl("url", required=False, providers=VIDEO_PROVIDERS),
        Text("title", required=False, max_length=TITLE_MAX),
        Text("caption", required=False, max_length=CAPTION_MAX),
    )

    def check(self, data: Mapping[str, Any]) -> list[Problem]:
        problems = super().check(data)
        has_file, has_url = "asset" in data, not _blank(data.get("url"))
        if has_file and has_url:
            problems.append(
                Problem(
                    pointer("url"),
                    _("Use an uploaded video or an embed link, not both."),
                    "video_source",
                )
            )
        elif not has_file and not has_url:
            problems.append(
                Problem(
                    pointer("asset"), _("Upload a video or give an embed link."), "video_source"
                )
            )
        tracks = data.get("tracks", [])
        if tracks and not has_file:
            problems.append(
                Problem(
                    pointer("tracks"),
                    _("Caption tracks can only be added to an uploaded video."),
                    "tracks_need_file",
                )
            )
        languages: set[str] = set()
        for index, track in enumerate(tracks):
            if track["language"] in languages:
                problems.append(
                    Problem(
                        pointer("tracks", index, "language"),
                        _("There is already a caption track in this language."),
                        "duplicate_language",
                    )
                )
            languages.add(track["language"])
        if has_url and _blank(data.get("title")):
            problems.append(
                Problem(
                    pointer("title"),
                    _("Give the embedded video a title, so screen readers can announce it."),
                    "title_required",
                )
            )
        return problems


@register
class AudioBlock(BlockType):
    """An audio file with its transcript, which is required for people who cannot hear it."""

    type = "audio"
    label = gettext_lazy("Audio")
    fields = (
        AssetRef("asset", accept=("audio/",)),
        Text("transcript", html=True),
        Text("caption", required=False, max_length=CAPTION_MAX),
    )


@register
class FileBlock(BlockType):
    """A file to download, with a label that says what it is."""

    type = "file"
    label = gettext_lazy("File download")
    fields = (AssetRef("asset"), Text("label", max_length=TITLE_MAX))


@register
class EmbedBlock(BlockType):
    """Content from an allowed provider, shown in a sandboxed iframe; the title is required
    because screen readers announce an iframe by it."""

    type = "embed"
    label = gettext_lazy("Embed")
    fields = (
        EmbedUrl("url"),
        Text("title", max_length=TITLE_MAX),
        Text("caption", required=False, max_length=CAPTION_MAX),
    )
