"""Photos made in the test: JPEG with EXIF GPS and orientation, PNG with transparency, HEIC."""

from __future__ import annotations

import io
import zlib

import pillow_heif
from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_with_gps(size: tuple[int, int] = (120, 80), orientation: int = 1) -> bytes:
    picture = Image.new("RGB", size, "#c04020")
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"  # camera make
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png(size: tuple[int, int] = (90, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (20, 160, 60, 128)).save(out, "PNG")
    return out.getvalue()


def heic(size: tuple[int, int] = (64, 64)) -> bytes:
    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", size, "#2040c0").save(out, "HEIF")
    return out.getvalue()


def png_header_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge image (a decompression bomb's first bytes)."""
    data = bytearray(png((1, 1)))
    data[16:20] = width.to_bytes(4, "big")
    data[20:24] = height.to_bytes(4, "big")
    data[29:33] = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")  # IHDR's checksum
    return bytes(data)
