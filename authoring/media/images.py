"""Raster images with Pillow: checked on upload (format, size, decompression bombs) and
scaled down into renditions for the player (`?w=` on the asset-file URL).

Pillow reads the header first, so a huge image is refused before any pixel is decoded: our
limit (IMAGE_MAX_PIXELS) is checked on the declared size, and Pillow's own bomb check
(Image.MAX_IMAGE_PIXELS) is turned into an error for the rest.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from authoring.media.sniff import FileType, UnsupportedFile

# 50 megapixels: a large camera photo. Decoded as RGBA that is 200 MB of memory.
IMAGE_MAX_PIXELS = 50_000_000
RENDITION_WIDTHS = (480, 960, 1600)
RENDITION_TYPE = "image/webp"
_PILLOW_FORMATS = {
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
}


@dataclass(frozen=True)
class ImageInfo:
    width: int
    height: int
    animated: bool


def _too_large(width: int, height: int) -> UnsupportedFile:
    return UnsupportedFile(
        _(
            "This image is %(width)d × %(height)d pixels; images may have at most "
            "%(limit)d megapixels. Scale it down and upload it again."
        )
        % {"width": width, "height": height, "limit": IMAGE_MAX_PIXELS // 1_000_000}
    )


def _damaged() -> UnsupportedFile:
    return UnsupportedFile(_("This image is damaged or not the kind of image it claims to be."))


@contextmanager
def _opened(file: IO[bytes], file_type: FileType) -> Iterator[Image.Image]:
    """The image, opened with bomb checks as errors, its format matching the sniffed one."""
    file.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(file, formats=[_PILLOW_FORMATS[file_type.content_type]]) as image:
                width, height = image.size
                if width * height > IMAGE_MAX_PIXELS:
                    raise _too_large(width, height)
                yield image
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise UnsupportedFile(
                _("This image would take too much memory to open (a decompression bomb).")
            ) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise _damaged() from None
        finally:
            file.seek(0)


def image_inspect(file: IO[bytes], file_type: FileType) -> ImageInfo:
    """Width and height as shown (EXIF orientation applied); checks the whole file decodes.

    Raises UnsupportedFile for damaged files, bombs and images over IMAGE_MAX_PIXELS.
    """
    with _opened(file, file_type) as image:
        image.verify()  # must come straight after opening
    with _opened(file, file_type) as image:
        width, height = image.size
        animated = bool(getattr(image, "is_animated", False))
        orientation = image.getexif().get(0x0112, 1)
        image.load()  # verify() does not decode every format; a broken file fails here
    if orientation in (5, 6, 7, 8):  # rotated a quarter turn
        width, height = height, width
    return ImageInfo(width=width, height=height, animated=animated)


def image_renditions(file: IO[bytes], file_type: FileType) -> dict[int, bytes]:
    """WebP copies at RENDITION_WIDTHS narrower than the image ({width: bytes}); never larger
    than the original. Animated images get none (a still would lose the animation)."""
    with _opened(file, file_type) as image:
        if getattr(image, "is_animated", False):
            return {}
        if not any(w < max(image.size) for w in RENDITION_WIDTHS):
            return {}
        current = ImageOps.exif_transpose(image)
        widths = sorted((w for w in RENDITION_WIDTHS if w < current.width), reverse=True)
        if current.mode not in ("RGB", "RGBA"):
            has_alpha = current.mode in ("LA", "PA", "RGBa", "La") or (
                current.mode == "P" and "transparency" in current.info
            )
            current = current.convert("RGBA" if has_alpha else "RGB")
        result: dict[int, bytes] = {}
        for width in widths:  # largest first; each smaller copy is made from the last
            if width >= current.width:
                continue
            height = max(1, round(current.height * width / current.width))
            current = current.resize((width, height), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            current.save(out, format="WEBP", quality=82, method=4)
            result[width] = out.getvalue()
        return result
