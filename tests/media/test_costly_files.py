"""Files too costly to decode in a request are refused from their headers: 422, nothing stored."""

from __future__ import annotations

import io

import pytest
import pyvips
from PIL import Image

from tests.media import samples
from tests.media.conftest import PeakMemory, media_rows, stored, upload, uploaded

MIB = 1024 * 1024


@pytest.fixture(scope="session")
def costly(tmp_path_factory):
    """Small files that decode huge, made once per run (each in well under a second)."""
    base = tmp_path_factory.mktemp("costly")
    return {
        # 400 megapixels of zeros in 1.1 MiB: 31 s and a killed worker before the limit.
        "png_400mp": samples.png_zeros(base / "zeros.png", 20_000, 20_000),
        "jpeg_400mp": samples.jpeg_zeros(base / "grey.jpg", 20_000, 20_000),
        "tiff_pages": samples.tiff_pages(base / "pages.tif", 10_001),
    }


@pytest.mark.parametrize(
    ("sample", "named"),
    [
        ("png_400mp", "MEDIA_MAX_DECODE_PIXELS"),
        ("jpeg_400mp", "MEDIA_MAX_DECODE_PIXELS"),
        ("tiff_pages", "10,000 pages"),
    ],
)
def test_a_file_too_costly_to_decode_is_422_before_any_pixel_is_decoded(
    app, client, curator, store, costly, public_object, sample, named
):
    with PeakMemory() as peak:
        response = upload(client, curator, public_object["id"], costly[sample])
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert named in problem["detail"] and named in problem["errors"]["file"][0]
    assert stored(store) == [] and media_rows(app) == 0
    # Decoding 400 megapixels takes 1.2 GB (Pillow) or streams through 100 MB (libvips).
    assert peak.growth < 48 * MIB


def test_the_limit_names_the_size_and_the_setting(client, curator, store, costly, public_object):
    response = upload(client, curator, public_object["id"], costly["png_400mp"])
    detail = response.get_json()["detail"]
    assert "20000 x 20000" in detail and "400,000,000" in detail
    assert "250,000,000" in detail and "MEDIA_MAX_DECODE_PIXELS" in detail


def test_the_pixel_budget_is_a_setting(
    app, client, curator, store, public_object, tmp_path, monkeypatch
):
    path = tmp_path / "scan.png"
    Image.new("RGB", (400, 300), (90, 80, 70)).save(path)
    monkeypatch.setitem(app.config, "MEDIA_MAX_DECODE_PIXELS", 119_999)
    response = upload(client, curator, public_object["id"], path)
    assert response.status_code == 422
    assert "(120,000), more than the 119,999" in response.get_json()["detail"]
    assert stored(store) == [] and media_rows(app) == 0
    monkeypatch.setitem(app.config, "MEDIA_MAX_DECODE_PIXELS", 120_000)
    assert uploaded(client, curator, public_object["id"], path)["width"] == 400


def _gradient(width: int, height: int, bands: int = 3, sixteen_bit: bool = False):
    ramp = pyvips.Image.xyz(width, height)
    band = ((ramp[0] + ramp[1]) % 256).cast("uchar")
    image = band.bandjoin([band] * (bands - 1))
    if sixteen_bit:
        return (image * 256).cast("ushort").copy(interpretation="rgb16")
    return image.copy(interpretation="srgb")


def _interlaced_png(path, interlace):
    _gradient(1000, 1000, 4, sixteen_bit=True).pngsave(str(path), interlace=interlace)
    return path


def _progressive_jpeg(path, interlace):
    _gradient(1000, 1000).jpegsave(str(path), interlace=interlace, subsample_mode="off")
    return path


@pytest.mark.parametrize(
    ("make", "kind"),
    [(_interlaced_png, "interlaced PNG"), (_progressive_jpeg, "progressive JPEG")],
)
def test_an_image_decoded_whole_in_memory_counts_its_bytes(
    app, client, curator, store, public_object, tmp_path, monkeypatch, make, kind
):
    """Interlaced PNGs and progressive JPEGs cannot be decoded in strips: libvips holds them
    whole (a 16-bit RGBA megapixel: 8 MB; JPEG: 2 bytes a sample), so memory bounds them."""
    monkeypatch.setitem(app.config, "MEDIA_MAX_DECODE_MEMORY", 5 * MIB)
    response = upload(client, curator, public_object["id"], make(tmp_path / "a", True))
    assert response.status_code == 422, response.get_data(as_text=True)
    detail = response.get_json()["detail"]
    assert kind in detail and "MEDIA_MAX_DECODE_MEMORY" in detail
    assert stored(store) == [] and media_rows(app) == 0
    # The same pixels saved to be decoded in strips are fine.
    media = uploaded(client, curator, public_object["id"], make(tmp_path / "b", False))
    assert (media["width"], media["height"]) == (1000, 1000)


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_a_photograph_taken_sideways_or_upside_down_is_turned_upright(
    client, curator, store, public_object, tmp_path, orientation
):
    path = tmp_path / "portrait.jpg"
    exif = Image.Exif()
    exif[0x0112] = orientation
    image = Image.new("RGB", (1200, 800), (30, 60, 90))
    image.paste((250, 250, 250), (0, 0, 300, 200))  # a white corner, top left as stored
    image.save(path, exif=exif, quality=90)
    media = uploaded(client, curator, public_object["id"], path)
    upright = (800, 1200) if orientation in (6, 8) else (1200, 800)
    assert (media["width"], media["height"]) == upright
    thumb = Image.open(io.BytesIO(client.get(f"/api/v1/media/{media['id']}/thumbnail").data))
    # Where the stored top-left corner goes once turned: 3 bottom right, 6 top right, 8 bottom left.
    x = thumb.width - 5 if orientation in (3, 6) else 5
    y = thumb.height - 5 if orientation in (3, 8) else 5
    assert min(thumb.getpixel((x, y))) > 200
    assert max(thumb.getpixel((thumb.width - 1 - x, thumb.height - 1 - y))) < 120


def test_the_command_line_import_keeps_only_the_absolute_limit(app, store, tmp_path, monkeypatch):
    """Outside a request no worker waits: ``import objects --media-dir`` decodes up to
    MEDIA_MAX_PIXELS, not the budget of an upload."""
    from tests.services.exchange.exchange_helpers import write_csv

    photos = tmp_path / "photos"
    photos.mkdir()
    Image.new("RGB", (400, 300), (90, 80, 70)).save(photos / "2026.0001.001.png")
    sheet = write_csv(tmp_path / "s.csv", [["object_number", "title_fr"], ["2026.0001.001", "Vue"]])
    monkeypatch.setitem(app.config, "MEDIA_MAX_DECODE_PIXELS", 1_000)
    monkeypatch.setitem(app.config, "MEDIA_MAX_DECODE_MEMORY", 1_000)
    with app.app_context():
        result = app.test_cli_runner().invoke(
            args=["import", "objects", str(sheet), "--media-dir", str(photos)]
        )
    assert result.exit_code == 0, result.output
    assert media_rows(app) == 1


@pytest.mark.parametrize(
    ("pages", "size", "rendered"),
    [
        (5_000, (200, 280), (834, 1167)),  # thousands of pages: only the first is read
        (1, (14_400, 14_400), (3000, 3000)),  # 200 inches square, the most PDF allows
        (1, (14_400, 0.5), (3000, 1)),  # a sliver
    ],
)
def test_a_costly_pdf_is_shown_by_its_first_page_at_a_bounded_size(
    client, curator, store, public_object, tmp_path, pages, size, rendered
):
    path = samples.pdf_pages(tmp_path / "document.pdf", pages, *size)
    with PeakMemory() as peak:
        media = uploaded(client, curator, public_object["id"], path)
    assert (media["width"], media["height"]) == rendered
    thumb = Image.open(io.BytesIO(client.get(media["links"]["thumbnail"]).data))
    assert max(thumb.size) == 256
    assert peak.growth < 160 * MIB  # a 3,000 px square page in RGBA is 34 MiB
