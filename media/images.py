"""What an uploaded file is, what it says about itself, and its derivatives.

libvips (pyvips) does the pixel work: on a 100-megapixel TIFF it made a thumbnail and a
preview in 0.6 s with 119 MiB peak memory, where Pillow took 6.6 s and 917 MiB. Pillow
only reads embedded metadata (EXIF, IPTC), which never decodes pixels. A PDF (a scanned
letter, a leaflet) is shown by its first page, rendered with PDFium (pypdfium2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyvips

# The file types accepted, recognised by their first bytes; the name and header never count.
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"II+\x00", "image/tiff"),
    (b"MM\x00+", "image/tiff"),
    (b"%PDF-", "application/pdf"),
)
IMAGE_TYPES = {"image/jpeg", "image/png", "image/tiff", "image/webp"}
# Types shown through an image of their first page.
DOCUMENT_TYPES = {"application/pdf"}
# The longest side, in pixels, a document's first page is rendered at (and at most 300 dpi).
PAGE_SIDE = 3000

THUMBNAIL_SIZE = 256
PREVIEW_SIZE = 1600
TILE_SIZE = 512
# Above this many pixels a file is treated as a decompression bomb (a 100 MP scan is fine).
DEFAULT_MAX_PIXELS = 1_000_000_000


class BadImage(Exception):
    """The file claims to be an image but cannot be decoded safely."""


def sniff(head: bytes) -> str | None:
    """The content type of a file from its first bytes, or None when it is not accepted."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


@dataclass
class Processed:
    """Facts read from an image and the derivative files made from it."""

    width: int
    height: int
    embedded: dict = field(default_factory=dict)
    # name -> (path, content type): thumbnail.jpg, preview.jpg, pyramid.tif
    files: dict[str, tuple[Path, str]] = field(default_factory=dict)
    # [width, height] of every level of the pyramid, full size first
    levels: list[list[int]] = field(default_factory=list)


def _to_srgb(image: pyvips.Image) -> pyvips.Image:
    """8-bit sRGB without alpha (flattened on white), whatever the source depth and space."""
    if image.hasalpha():
        white = 65535 if image.format == "ushort" else 255
        image = image.flatten(background=[white] * (image.bands - 1))
    if image.interpretation != "srgb" or image.format != "uchar":
        image = image.colourspace("srgb")
    if image.bands == 1:
        image = image.bandjoin([image, image])
    return image.cast("uchar")


def _tile(side: int) -> int:
    """Tiles no larger than the image (rounded up to the 16 TIFF needs): libvips refuses to
    read back a TIFF whose tiles are far larger than a small image."""
    return min(TILE_SIZE, -(-side // 16) * 16)


def check(source: Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> None:
    """Decode the whole image without writing anything; BadImage as ``process`` would raise."""
    try:
        header = pyvips.Image.new_from_file(str(source), access="sequential")
    except pyvips.Error as error:
        raise BadImage("The image cannot be read: it is corrupt or truncated.") from error
    if header.width * header.height > max_pixels:
        raise BadImage(
            f"The image declares {header.width} x {header.height} pixels, more than the "
            f"{max_pixels} accepted: it looks like a decompression bomb."
        )
    try:
        pyvips.Image.new_from_file(str(source), access="sequential", fail_on="truncated").avg()
    except pyvips.Error as error:
        raise BadImage("The image cannot be decoded: it is corrupt or truncated.") from error


def first_page(source: Path, workdir: Path) -> Path | None:
    """The first page of a PDF as a PNG in ``workdir``, or None when PDFium cannot render it
    (encrypted, damaged): the document is still kept, only without derivatives."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(str(source))
    except pypdfium2.PdfiumError:
        return None
    try:
        if len(document) == 0:
            return None
        page = document[0]
        width, height = page.get_size()  # in points, 72 to the inch
        if min(width, height) <= 0:
            return None
        scale = min(PAGE_SIDE / max(width, height), 300 / 72)
        path = workdir / "first-page.png"
        page.render(scale=scale).to_pil().save(path)
        return path
    except pypdfium2.PdfiumError:
        return None
    finally:
        document.close()


def process_document(source: Path, workdir: Path) -> Processed | None:
    """A PDF's derivatives, made from its first page (None when it cannot be rendered)."""
    page = first_page(source, workdir)
    if page is None:
        return None
    processed = process(page, workdir)
    processed.embedded = {}
    return processed


def process(source: Path, workdir: Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> Processed:
    """Decode the whole image once and make its IIIF pyramid, preview and thumbnail.

    Raises BadImage for a decompression bomb (more than ``max_pixels`` pixels declared),
    a truncated or corrupt file. Derivatives carry no embedded metadata (no GPS, no EXIF).
    """
    try:
        header = pyvips.Image.new_from_file(str(source), access="sequential")
    except pyvips.Error as error:
        raise BadImage("The image cannot be read: it is corrupt or truncated.") from error
    width, height = header.width, header.height
    if width * height > max_pixels:
        raise BadImage(
            f"The image declares {width} x {height} pixels, more than the {max_pixels} "
            "accepted: it looks like a decompression bomb."
        )
    pyramid = workdir / "pyramid.tif"
    try:
        image = pyvips.Image.new_from_file(str(source), access="sequential", fail_on="truncated")
        oriented = _to_srgb(image.autorot())
        oriented.tiffsave(
            str(pyramid),
            tile=True,
            tile_width=_tile(oriented.width),
            tile_height=_tile(oriented.height),
            pyramid=True,
            compression="jpeg",
            Q=90,
            bigtiff=width * height > 200_000_000,
            keep=pyvips.ForeignKeep.NONE,
        )
        files = {"pyramid.tif": (pyramid, "image/tiff")}
        for name, size in (("preview.jpg", PREVIEW_SIZE), ("thumbnail.jpg", THUMBNAIL_SIZE)):
            path = workdir / name
            small = pyvips.Image.thumbnail(str(pyramid), size, size=pyvips.Size.DOWN)
            small.jpegsave(str(path), Q=85, keep=pyvips.ForeignKeep.NONE)
            files[name] = (path, "image/jpeg")
        levels = pyramid_levels(pyramid)
    except pyvips.Error as error:
        raise BadImage("The image cannot be decoded: it is corrupt or truncated.") from error
    width, height = levels[0]
    return Processed(width, height, embedded_metadata(source), files, levels)


def pyramid_levels(path: Path) -> list[list[int]]:
    """Width and height of every level of a pyramid TIFF, full size first."""
    first = pyvips.Image.new_from_file(str(path))
    count = first.get("n-pages") if first.get_typeof("n-pages") else 1
    sizes = [[first.width, first.height]]
    for page in range(1, count):
        level = pyvips.Image.new_from_file(str(path), page=page)
        sizes.append([level.width, level.height])
    return sizes


EXIF_IFD = 0x8769
TAGS = {0x010F: "camera_make", 0x0110: "camera_model", 0x013B: "artist", 0x8298: "copyright"}
EXIF_DATE_TAKEN = 0x9003


def _text(value) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if value is None:
        return None
    value = str(value).strip("\x00 ").strip()
    return value or None


def embedded_metadata(source: Path) -> dict:
    """Useful embedded facts: date taken, camera, artist, copyright, IPTC caption.

    GPS and every other tag are left out on purpose: location data must not travel on.
    """
    from PIL import Image, IptcImagePlugin

    facts: dict = {}
    # Pillow only parses headers here; pixel limits were checked with libvips already.
    Image.MAX_IMAGE_PIXELS = None
    try:
        with Image.open(source) as image:
            exif = image.getexif()
            for tag, name in TAGS.items():
                if _text(exif.get(tag)):
                    facts[name] = _text(exif.get(tag))
            taken = _text(exif.get_ifd(EXIF_IFD).get(EXIF_DATE_TAKEN))
            if taken:
                try:
                    facts["date_taken"] = datetime.strptime(taken, "%Y:%m:%d %H:%M:%S").isoformat()
                except ValueError:
                    facts["date_taken"] = taken
            iptc = IptcImagePlugin.getiptcinfo(image) or {}
            caption = _text(iptc.get((2, 120)))
            if caption:
                facts["caption"] = caption
    except Exception:  # metadata is a bonus: a file Pillow cannot parse simply has none
        return facts
    return facts
