"""Checking and re-encoding uploaded photos (no HTTP, no database)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.homework import photo_samples
from therapy_portal.homework.photo_images import (
    MAX_BYTES,
    MAX_EDGE,
    PhotoRefused,
    clean_photo,
    display_name,
)


def _opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_the_sample_jpeg_really_carries_gps_and_camera_details():
    exif = _opened(photo_samples.jpeg_with_gps()).getexif()
    assert exif.get_ifd(photo_samples.GPS_IFD) and exif[0x010F] == "PhoneMaker"


def test_a_jpeg_is_re_encoded_without_exif_or_gps():
    clean = clean_photo(photo_samples.jpeg_with_gps())
    for data in (clean.image, clean.thumbnail):
        picture = _opened(data)
        assert picture.format == "JPEG"
        exif = picture.getexif()
        assert len(exif) == 0 and not exif.get_ifd(photo_samples.GPS_IFD)
        assert "exif" not in picture.info and "icc_profile" not in picture.info


def test_the_exif_orientation_is_applied_before_it_is_dropped():
    # Orientation 6: the camera was turned; the upright picture is taller than wide.
    clean = clean_photo(photo_samples.jpeg_with_gps((120, 80), orientation=6))
    assert (clean.width, clean.height) == (80, 120)


@pytest.mark.parametrize("make", [photo_samples.png, photo_samples.heic], ids=["png", "heic"])
def test_png_and_heic_become_jpeg(make):
    clean = clean_photo(make())
    assert _opened(clean.image).format == "JPEG" and _opened(clean.thumbnail).format == "JPEG"


def test_a_large_photo_is_scaled_down_and_gets_a_small_thumbnail():
    out = io.BytesIO()
    Image.new("RGB", (4000, 1000), "white").save(out, "PNG")
    clean = clean_photo(out.getvalue())
    assert max(clean.width, clean.height) == MAX_EDGE
    assert max(_opened(clean.thumbnail).size) <= 320


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Dear diary, this is not a picture.", "is not a JPEG, PNG or HEIC photo"),
        (b"", "is not a JPEG, PNG or HEIC photo"),
        (b"GIF89a" + b"\x00" * 40, "is not a JPEG, PNG or HEIC photo"),
        (photo_samples.jpeg_with_gps()[:200], "is not a JPEG, PNG or HEIC photo"),
        (b"\xff\xd8" + b"\x00" * (MAX_BYTES + 1), "is larger than 10 MB"),
        (photo_samples.png_header_claiming(50_000, 50_000), "has more than 40 megapixels"),
        (photo_samples.png_header_claiming(7_000, 6_000), "has more than 40 megapixels"),
    ],
    ids=["text", "empty", "gif", "truncated", "oversize", "bomb", "just-over-the-limit"],
)
def test_bad_files_are_refused_with_a_message_naming_the_file(data, message):
    with pytest.raises(PhotoRefused) as refused:
        clean_photo(data, "holiday.jpg")
    assert message in str(refused.value) and "holiday.jpg" in str(refused.value)


def test_file_names_are_shortened_and_stripped_of_folders():
    assert display_name("C:\\fakepath\\beach.heic") == "beach.heic"
    assert display_name("") == "The file"
    assert len(display_name("x" * 200)) == 61
