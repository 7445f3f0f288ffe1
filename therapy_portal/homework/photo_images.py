"""Checking and re-encoding an uploaded photo with Pillow (and pillow-heif for phones' HEIC).

Nothing of the uploaded file is kept but its pixels: the EXIF orientation is applied, then the
pixels are written to a new JPEG with no EXIF, GPS, XMP, ICC or comment, scaled down to at most
`MAX_EDGE` pixels on the long side. Limits are checked before decoding (bytes) and while opening
(pixels: Pillow refuses a decompression bomb before it allocates the image).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

pillow_heif.register_heif_opener()

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_PHOTOS = 3
MAX_EDGE = 2048
THUMB_EDGE = 320
FORMATS = frozenset({"JPEG", "PNG", "HEIF"})
LIMITS = (
    f"JPEG, PNG or HEIC (from a phone), up to {MAX_PHOTOS} photos, each at most "
    f"{MAX_BYTES // (1024 * 1024)} MB and {MAX_PIXELS // 1_000_000} megapixels. "
    "Location and camera details are removed."
)
NOT_AN_IMAGE = "“{name}” is not a JPEG, PNG or HEIC photo."
TOO_LARGE = f"“{{name}}” is larger than {MAX_BYTES // (1024 * 1024)} MB."
TOO_MANY_PIXELS = f"“{{name}}” has more than {MAX_PIXELS // 1_000_000} megapixels."
TOO_MANY = f"An answer can hold at most {MAX_PHOTOS} photos: remove one first."


class PhotoRefused(ValueError):
    """The upload is not a photo this portal accepts; the message names the file for the field."""


@dataclass(frozen=True)
class CleanPhoto:
    image: bytes
    thumbnail: bytes
    width: int
    height: int


def _flat_rgb(picture: Image.Image) -> Image.Image:
    """RGB pixels; transparency is laid on white (JPEG has none)."""
    if picture.mode in ("RGBA", "LA", "P"):
        picture = picture.convert("RGBA")
        canvas = Image.new("RGB", picture.size, "white")
        canvas.paste(picture, mask=picture.getchannel("A"))
        return canvas
    return picture.convert("RGB")


def _jpeg(picture: Image.Image, edge: int) -> bytes:
    copy = picture.copy()
    copy.thumbnail((edge, edge))
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=85, optimize=True)  # no exif=, icc_profile=: none written
    return out.getvalue()


def _open(data: bytes, name: str) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            picture = Image.open(io.BytesIO(data), formats=sorted(FORMATS))
            if picture.width * picture.height > MAX_PIXELS:
                raise PhotoRefused(TOO_MANY_PIXELS.format(name=name))
            picture.load()
        except PhotoRefused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoRefused(TOO_MANY_PIXELS.format(name=name)) from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            raise PhotoRefused(NOT_AN_IMAGE.format(name=name)) from None
    return picture


def clean_photo(data: bytes, name: str = "The file") -> CleanPhoto:
    """The photo's pixels as a metadata-free JPEG and thumbnail; `PhotoRefused` otherwise."""
    if len(data) > MAX_BYTES:
        raise PhotoRefused(TOO_LARGE.format(name=name))
    if not data:
        raise PhotoRefused(NOT_AN_IMAGE.format(name=name))
    picture = _open(data, name)
    try:
        upright = _flat_rgb(ImageOps.exif_transpose(picture))
    except (OSError, ValueError):
        raise PhotoRefused(NOT_AN_IMAGE.format(name=name)) from None
    image = _jpeg(upright, MAX_EDGE)
    shown = Image.open(io.BytesIO(image))
    return CleanPhoto(image, _jpeg(upright, THUMB_EDGE), shown.width, shown.height)


def display_name(filename: str | None) -> str:
    """The uploaded file's name for an error message (shortened; never stored)."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return (base[:60] + "…") if len(base) > 60 else (base or "The file")
