"""The block-type registry (DESIGN.md §5): one class per block type.

    from authoring.blocks import get_block_type
    image = get_block_type("image")
    problems = image.validate(data)      # [Problem(path="/alt", message=…, code=…)]
    clean = image.sanitize(data)

Adding a type: write its class in the module of its family with `@register`, and give it
an editor and a player template. The course-document schema picks it up from here
(regenerate authoring/schema/course-document.schema.json; a test says when it drifted).
"""

# Importing the modules registers their types; block_types() lists content first.
from authoring.blocks import choice, content, interactions, media, surveys  # noqa: F401
from authoring.blocks.base import (
    BlockType,
    QuestionType,
    block_types,
    get_block_type,
    register,
)
from authoring.blocks.values import (
    CONTENT,
    QUESTION,
    InvalidResponse,
    Problem,
    Reference,
    Score,
    Segment,
    UnknownBlockType,
)

__all__ = [
    "CONTENT",
    "QUESTION",
    "BlockType",
    "InvalidResponse",
    "Problem",
    "QuestionType",
    "Reference",
    "Score",
    "Segment",
    "UnknownBlockType",
    "block_types",
    "get_block_type",
    "register",
]
