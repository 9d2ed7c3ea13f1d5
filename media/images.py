"""What an uploaded file is, what it costs to decode, and its derivatives.

libvips (pyvips) does the pixel work: on a 100-megapixel TIFF it made a thumbnail and a
preview in 0.6 s with 119 MiB peak memory, where Pillow took 6.6 s and 917 MiB. Before any
pixel is decoded, the headers say what decoding will cost (pixels, and the memory of images
libvips must hold whole), and a file over the limits is refused; embedded metadata comes from
the headers too (``headers``). A PDF (a scanned letter, a leaflet) is shown by its first page,
rendered with PDFium (pypdfium2) at a bounded size.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyvips

from media import headers

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
# libvips reads every page directory of a TIFF to count its pages (10 to 20 us each):
# 10,000 take 0.2 s at most, and a 2 GiB file can hold millions.
MAX_PAGES = 10_000
MIB = 1024 * 1024


class BadImage(Exception):
    """The file claims to be an image but cannot be decoded safely."""


@dataclass
class Limits:
    """What decoding one file may cost. ``max_pixels``: more is a decompression bomb;
    ``decode_pixels``: more takes too long; ``decode_memory``: the most bytes an image that
    libvips decodes whole may hold. ``names`` gives each limit's name in messages."""

    max_pixels: int = DEFAULT_MAX_PIXELS
    decode_pixels: int | None = None
    decode_memory: int | None = None
    names: dict[str, str] = field(default_factory=dict)

    def named(self, limit: str) -> str:
        return f" ({self.names[limit]})" if limit in self.names else ""


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


# Bytes of one sample of each libvips band format.
SAMPLE_BYTES = {"uchar": 1, "char": 1, "ushort": 2, "short": 2, "uint": 4, "int": 4,
                "float": 4, "complex": 8, "double": 8, "dpcomplex": 16}  # fmt: skip
# EXIF orientations that libvips can only apply to a whole image (3: turned 180 degrees,
# 4: flipped upside down, 5 to 8: turned a quarter); 2 mirrors each row, in strips.
WHOLE_ORIENTATIONS = range(3, 9)


def _field(image: pyvips.Image, name: str):
    return image.get(name) if image.get_typeof(name) else None


def held_in_memory(image: pyvips.Image, source: Path) -> list[tuple[int, str]]:
    """What libvips holds whole in memory while decoding this image: (bytes, why) for each
    reason; most files decode in strips and hold only a few rows (100 MP: under 100 MiB)."""
    pixels = image.width * image.height
    sample = SAMPLE_BYTES.get(image.format, 8)
    loader = _field(image, "vips-loader") or ""
    held = []
    if loader.startswith("webpload"):
        # libwebp decodes the frame whole (RGBA) and libvips copies it: 8 to 9 bytes measured.
        held.append((pixels * 9, "a WebP image"))
    elif loader.startswith("pngload") and _field(image, "interlaced"):
        held.append((pixels * image.bands * sample, "an interlaced PNG"))
    elif loader.startswith("jpegload") and _field(image, "jpeg-multiscan"):
        # libjpeg keeps every 16-bit DCT coefficient of a multi-scan (progressive) JPEG.
        with open(source, "rb") as stream:
            samples = headers.jpeg_samples_per_pixel(stream) or image.bands
        held.append((int(pixels * samples * 2), "a progressive JPEG"))
    if (_field(image, "orientation") or 1) in WHOLE_ORIENTATIONS:
        held.append((pixels * image.bands * sample, "turned upright by its EXIF orientation"))
    return held


def open_header(source: Path, limits: Limits) -> pyvips.Image:
    """The image with only its header read, once what decoding it costs is known to be
    within ``limits``; BadImage otherwise (the message names the limit)."""
    with open(source, "rb") as stream:
        if sniff(stream.read(16)) == "image/tiff":
            try:
                pages = headers.tiff_pages(stream, MAX_PAGES)
            except (ValueError, OSError):
                pages = 0  # libvips judges the file
            if pages > MAX_PAGES:
                raise BadImage(
                    f"The TIFF has more than {MAX_PAGES:,} pages, the most accepted: reading "
                    "so many page directories is too costly."
                )
    try:
        image = pyvips.Image.new_from_file(str(source), access="sequential")
    except pyvips.Error as error:
        raise BadImage("The image cannot be read: it is corrupt or truncated.") from error
    width, height = image.width, image.height
    pixels = width * height
    if pixels > limits.max_pixels:
        raise BadImage(
            f"The image declares {width} x {height} pixels, more than the "
            f"{limits.max_pixels:,} accepted{limits.named('max_pixels')}: it looks like a "
            "decompression bomb."
        )
    if limits.decode_pixels is not None and pixels > limits.decode_pixels:
        raise BadImage(
            f"The image is {width} x {height} pixels ({pixels:,}), more than the "
            f"{limits.decode_pixels:,} decoded during an upload"
            f"{limits.named('decode_pixels')}: upload a smaller version."
        )
    if limits.decode_memory is not None:
        held = held_in_memory(image, source)
        total = sum(size for size, _ in held)
        if total > limits.decode_memory:
            why = "; ".join(reason for _, reason in held)
            raise BadImage(
                f"The image must be decoded whole in memory ({why}): its {width} x {height} "
                f"pixels would hold {total / MIB:,.0f} MiB, more than the "
                f"{limits.decode_memory / MIB:,.0f} MiB an upload may use"
                f"{limits.named('decode_memory')}. Save it upright as a baseline JPEG, a PNG "
                "without interlacing or a TIFF, or smaller."
            )
    return image


@contextmanager
def forgotten_afterwards():
    """Empty libvips' operation cache once the block ends. The cache keeps the last 100
    operations with their files open: an upload's temporary files (up to 2 GiB each) would
    stay on disk, deleted but open, and whole-decoded images in memory, long after it."""
    try:
        yield
    finally:
        most = pyvips.cache_get_max()
        pyvips.cache_set_max(0)
        pyvips.cache_set_max(most)


def check(source: Path, limits: Limits | None = None) -> None:
    """Decode the whole image without writing anything; BadImage as ``process`` would raise."""
    with forgotten_afterwards():
        open_header(source, limits or Limits())
        try:
            image = pyvips.Image.new_from_file(
                str(source), access="sequential", fail_on="truncated"
            )
            image.avg()
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


def process(source: Path, workdir: Path, limits: Limits | None = None) -> Processed:
    """Decode the whole image once and make its IIIF pyramid, preview and thumbnail.

    Raises BadImage when decoding would cost more than ``limits`` allow (checked from the
    headers, before any pixel is decoded), or for a truncated or corrupt file. Derivatives
    carry no embedded metadata (no GPS, no EXIF).
    """
    with forgotten_afterwards():
        return _process(source, workdir, limits or Limits())


def _process(source: Path, workdir: Path, limits: Limits) -> Processed:
    header = open_header(source, limits)
    width, height = header.width, header.height
    embedded = headers.embedded_metadata(source)
    # An orientation that needs the whole image is applied with random access.
    turned = (_field(header, "orientation") or 1) in WHOLE_ORIENTATIONS
    access = "random" if turned else "sequential"
    pyramid = workdir / "pyramid.tif"
    try:
        image = pyvips.Image.new_from_file(str(source), access=access, fail_on="truncated")
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
    return Processed(width, height, embedded, files, levels)


def pyramid_levels(path: Path) -> list[list[int]]:
    """Width and height of every level of a pyramid TIFF, full size first."""
    first = pyvips.Image.new_from_file(str(path))
    count = first.get("n-pages") if first.get_typeof("n-pages") else 1
    sizes = [[first.width, first.height]]
    for page in range(1, count):
        level = pyvips.Image.new_from_file(str(path), page=page)
        sizes.append([level.width, level.height])
    return sizes
