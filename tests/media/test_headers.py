"""Embedded metadata and structure read from headers: every format, no pixel decoded, bounded."""

from __future__ import annotations

import io
import struct
import time
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, PngImagePlugin, TiffImagePlugin

from media import headers
from tests.media import samples
from tests.media.conftest import PeakMemory

MIB = 1024 * 1024
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
FACTS = {
    "camera_make": "Leica",
    "camera_model": "M3",
    "artist": "Jean Dupont",
    "copyright": "La Coupole",
    "date_taken": "1944-06-06T07:30:00",
}


def exif_block() -> bytes:
    exif = Image.Exif()
    exif.update({0x010F: "Leica", 0x0110: "M3", 0x013B: "Jean Dupont", 0x8298: "La Coupole"})
    exif.get_ifd(EXIF_IFD)[0x9003] = "1944:06:06 07:30:00"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (50.0, 42.0, 0.0), 3: "E", 4: (2.0, 14.0, 0.0)})
    return exif.tobytes()


def itxt(keyword: str, text: str) -> bytes:
    body = keyword.encode() + b"\x00\x01\x00fr\x00\x00" + zlib.compress(text.encode())
    return samples.png_chunk(b"iTXt", body)


def test_png_metadata_after_the_pixels_is_read_without_decoding_them(tmp_path):
    """eXIf and text chunks may follow the pixels; Pillow's ``getexif()`` decoded all 400
    megapixels to find them (5 s, 1.5 GiB). They are reached by skipping the pixel data."""
    after = (
        samples.png_chunk(b"eXIf", exif_block())
        + samples.png_chunk(b"tEXt", b"Author\x00Marie Curie")  # EXIF's artist comes first
        + itxt("Description", "Le blockhaus en 1944, vue générale")
    )
    path = samples.png_zeros(tmp_path / "zeros.png", 20_000, 20_000, after=after)
    with PeakMemory() as peak:
        facts = headers.embedded_metadata(path)
    assert facts == {**FACTS, "caption": "Le blockhaus en 1944, vue générale"}
    assert peak.growth < 16 * MIB


def test_png_text_chunks_give_artist_copyright_caption_and_date(tmp_path):
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Marie Curie")
    info.add_text("Copyright", "Musée", zip=True)  # zTXt, Latin-1
    info.add_itxt("Description", "Vue générale", zip=True)
    info.add_text("Creation Time", "Tue, 06 Jun 1944 07:30:00 +0200")
    info.add_text("Comment", "not a fact")
    Image.new("RGB", (8, 8)).save(tmp_path / "t.png", pnginfo=info)
    assert headers.embedded_metadata(tmp_path / "t.png") == {
        "artist": "Marie Curie",
        "copyright": "Musée",
        "caption": "Vue générale",
        "date_taken": "1944-06-06T07:30:00+02:00",
    }


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_exif_blocks_of_each_format_and_never_gps(tmp_path, kind):
    path = tmp_path / f"photo.{kind.lower()}"
    Image.new("RGB", (64, 48), (200, 120, 40)).save(path, kind, exif=exif_block())
    assert headers.embedded_metadata(path) == FACTS


def test_jpeg_exif_and_iptc_caption(files):
    assert headers.embedded_metadata(files["jpeg_gps"]) == {
        **FACTS,
        "caption": "Le blockhaus en 1944",
    }


@pytest.mark.parametrize("big", [False, True])
def test_tiff_tags_exif_directory_and_iptc(tmp_path, big):
    info = TiffImagePlugin.ImageFileDirectory_v2()
    info.update({0x010F: "Leica", 0x0110: "M3", 0x013B: "Jean Dupont", 0x8298: "La Coupole"})
    info[EXIF_IFD] = {0x9003: "1944:06:06 07:30:00"}
    info[GPS_IFD] = {1: "N"}
    info[0x83BB] = b"\x1c\x02\x78\x00\x08L\xc3\xa9gende"  # IPTC caption, UTF-8
    info.tagtype[0x83BB] = 7
    path = tmp_path / "scan.tif"
    Image.new("RGB", (64, 48)).save(path, tiffinfo=info, big_tiff=big)
    assert headers.embedded_metadata(path) == {**FACTS, "caption": "Légende"}


def test_a_file_without_metadata_has_none(files):
    assert headers.embedded_metadata(files["png_alpha"]) == {}
    assert headers.embedded_metadata(files["tiff_16"]) == {}


def test_pages_of_a_tiff_are_counted_no_further_than_the_limit(tmp_path):
    path = samples.tiff_pages(tmp_path / "pages.tif", 12)
    with open(path, "rb") as stream:
        assert headers.tiff_pages(stream, 100) == 12
        assert headers.tiff_pages(stream, 5) == 6


def test_a_directory_pointing_back_to_itself_is_one_page():
    entries = struct.pack("<H", 1) + struct.pack("<HHII", 256, 4, 1, 8)
    looping = b"II*\x00" + struct.pack("<I", 8) + entries + struct.pack("<I", 8)
    assert headers.tiff_pages(io.BytesIO(looping), 100) == 1


@pytest.mark.parametrize(
    ("subsampling", "samples_per_pixel"), [("4:4:4", 3.0), ("4:2:2", 2.0), ("4:2:0", 1.5)]
)
def test_samples_per_pixel_of_a_jpeg(subsampling, samples_per_pixel):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48)).save(buffer, "JPEG", subsampling=subsampling)
    assert headers.jpeg_samples_per_pixel(buffer) == samples_per_pixel
    grey = io.BytesIO()
    Image.new("L", (64, 48)).save(grey, "JPEG")
    assert headers.jpeg_samples_per_pixel(grey) == 1.0


def test_compressed_text_that_unpacks_huge_is_left_out(tmp_path):
    """1 MiB of zTXt unpacking to 1 GiB: read no further than 1 MiB, then dropped."""
    packer = zlib.compressobj(9)
    bomb = b"".join(packer.compress(b"A" * MIB) for _ in range(1024)) + packer.flush()
    after = samples.png_chunk(b"zTXt", b"Description\x00\x00" + bomb)
    path = samples.png_zeros(tmp_path / "text.png", 8, 8, after=after)
    started = time.perf_counter()
    with PeakMemory() as peak:
        assert headers.embedded_metadata(path) == {}
    assert peak.growth < 16 * MIB and time.perf_counter() - started < 5


@pytest.fixture(scope="module")
def with_metadata(tmp_path_factory) -> dict[str, bytes]:
    base = tmp_path_factory.mktemp("metadata")
    made = {"jpeg": samples.jpeg_with_gps(base / "gps.jpg").read_bytes()}
    png = samples.png_zeros(base / "z.png", 16, 16, after=samples.png_chunk(b"eXIf", exif_block()))
    made["png"] = png.read_bytes()
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16)).save(buffer, "WEBP", exif=exif_block())
    made["webp"] = buffer.getvalue()
    info = TiffImagePlugin.ImageFileDirectory_v2()
    info.update({0x010F: "Leica", EXIF_IFD: {0x9003: "1944:06:06 07:30:00"}})
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16)).save(buffer, "TIFF", tiffinfo=info)
    made["tiff"] = buffer.getvalue()
    return made


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(["jpeg", "png", "webp", "tiff"]),
    changes=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=8),
    cut=st.integers(0, 10_000),
)
def test_damaged_headers_give_no_facts_rather_than_an_error(
    with_metadata, tmp_path, kind, changes, cut
):
    data = bytearray(with_metadata[kind])
    for position, value in changes:
        data[position % len(data)] = value
    path = tmp_path / "damaged"
    path.write_bytes(bytes(data[: max(16, len(data) - cut)]))
    facts = headers.embedded_metadata(path)
    assert isinstance(facts, dict) and all(isinstance(v, str) for v in facts.values())
