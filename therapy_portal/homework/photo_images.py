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

from therapy_portal.i18n import N_, gettext

pillow_heif.register_heif_opener()

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_PHOTOS = 3
MAX_EDGE = 2048
THUMB_EDGE = 320
FORMATS = frozenset({"JPEG", "PNG", "HEIF"})
MEGABYTES = MAX_BYTES // (1024 * 1024)
MEGAPIXELS = MAX_PIXELS // 1_000_000
# Messages are translated where they are used (`gettext(TOO_MANY, most=MAX_PHOTOS)`).
NOT_AN_IMAGE = N_("“%(name)s” is not a JPEG, PNG or HEIC photo.")
TOO_LARGE = N_("“%(name)s” is larger than %(megabytes)s MB.")
TOO_MANY_PIXELS = N_("“%(name)s” has more than %(megapixels)s megapixels.")
TOO_MANY = N_("An answer can hold at most %(most)s photos: remove one first.")


def limits() -> str:
    """What a photo answer accepts, for the field's description."""
    return gettext(
        "JPEG, PNG or HEIC (from a phone), up to %(most)s photos, each at most %(megabytes)s MB "
        "and %(megapixels)s megapixels. Location and camera details are removed.",
        most=MAX_PHOTOS,
        megabytes=MEGABYTES,
        megapixels=MEGAPIXELS,
    )


def too_many() -> str:
    return gettext(TOO_MANY, most=MAX_PHOTOS)


def _refused(message: str, name: str) -> PhotoRefused:
    return PhotoRefused(gettext(message, name=name, megabytes=MEGABYTES, megapixels=MEGAPIXELS))


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
                raise _refused(TOO_MANY_PIXELS, name)
            picture.load()
        except PhotoRefused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _refused(TOO_MANY_PIXELS, name) from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            raise _refused(NOT_AN_IMAGE, name) from None
    return picture


def clean_photo(data: bytes, name: str | None = None) -> CleanPhoto:
    """The photo's pixels as a metadata-free JPEG and thumbnail; `PhotoRefused` otherwise."""
    name = name or gettext("The file")
    if len(data) > MAX_BYTES:
        raise _refused(TOO_LARGE, name)
    if not data:
        raise _refused(NOT_AN_IMAGE, name)
    picture = _open(data, name)
    try:
        upright = _flat_rgb(ImageOps.exif_transpose(picture))
    except (OSError, ValueError):
        raise _refused(NOT_AN_IMAGE, name) from None
    image = _jpeg(upright, MAX_EDGE)
    shown = Image.open(io.BytesIO(image))
    return CleanPhoto(image, _jpeg(upright, THUMB_EDGE), shown.width, shown.height)


def display_name(filename: str | None) -> str:
    """The uploaded file's name for an error message (shortened; never stored)."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return (base[:60] + "…") if len(base) > 60 else (base or gettext("The file"))
