"""Real files for the media tests, generated on the fly (nothing binary in the repository)."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pyvips
from PIL import Image

GPS_IFD = 0x8825
EXIF_IFD = 0x8769


def jpeg_with_gps(path: Path) -> Path:
    """A JPEG with EXIF (camera, artist, copyright, date taken, GPS) and an IPTC caption."""
    image = Image.new("RGB", (640, 480), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "Leica"
    exif[0x0110] = "M3"
    exif[0x013B] = "Jean Dupont"
    exif[0x8298] = "La Coupole"
    exif.get_ifd(EXIF_IFD)[0x9003] = "1944:06:06 07:30:00"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (50.0, 42.0, 0.0), 3: "E", 4: (2.0, 14.0, 0.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    data = buffer.getvalue()
    path.write_bytes(data[:2] + _iptc_segment("Le blockhaus en 1944") + data[2:])
    return path


def _iptc_segment(caption: str) -> bytes:
    text = caption.encode()
    dataset = b"\x1c\x02\x78" + struct.pack(">H", len(text)) + text
    if len(dataset) % 2:
        dataset += b"\x00"
    resource = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(dataset)) + dataset
    payload = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def png_with_alpha(path: Path) -> Path:
    """A 400 x 300 PNG, left half opaque red, right half fully transparent."""
    image = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    image.paste((220, 0, 0, 255), (0, 0, 200, 300))
    image.save(path, "PNG")
    return path


def tiff(path: Path, width: int, height: int, sixteen_bit: bool = False) -> Path:
    """An RGB TIFF: 16-bit (a diagonal gradient, LZW) or 8-bit (repeating ramps, tiled JPEG)."""
    ramp = pyvips.Image.xyz(width, height)
    if sixteen_bit:
        image = ramp[0].bandjoin([ramp[1], (ramp[0] + ramp[1]) / 2])
        image = (image * 65535 / max(width, height)).cast("ushort").copy(interpretation="rgb16")
        image.tiffsave(str(path), compression="lzw")
    else:
        band = ((ramp[0] + ramp[1]) % 256).cast("uchar")
        image = band.bandjoin([band, band]).copy(interpretation="srgb")
        image.tiffsave(str(path), compression="jpeg", tile=True)
    return path


def pdf(path: Path) -> Path:
    """A two-page PDF (200 x 280 points): the first page white with a black block at its top
    left, the second all grey."""
    first = Image.new("RGB", (200, 280), (255, 255, 255))
    first.paste((0, 0, 0), (0, 0, 100, 70))
    first.save(
        path,
        "PDF",
        resolution=72,
        save_all=True,
        append_images=[Image.new("RGB", (200, 280), (128, 128, 128))],
    )
    return path


def unreadable_pdf(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.7\n% a damaged document: no objects, no pages\n%%EOF\n")
    return path


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(path: Path, side: int = 40_000) -> Path:
    """A valid 1-bit PNG declaring side x side pixels, all black, compressed to a few KB."""
    raw_row = b"\x00" * (1 + (side + 7) // 8)
    compressor = zlib.compressobj(1)
    chunks = [compressor.compress(raw_row * 1000) for _ in range(side // 1000)]
    idat = b"".join(chunks) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )
    return path


# Adam7: (first column, first row, column step, row step) of each of the seven passes.
ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
         (0, 1, 1, 2))  # fmt: skip


def png_zeros(
    path: Path,
    width: int,
    height: int,
    after: bytes = b"",
    *,
    bands: int = 3,
    depth: int = 8,
    interlaced: bool = False,
) -> Path:
    """A valid PNG of width x height black pixels, written in a fraction of a second
    (20,000 x 20,000 RGB: 1.1 MiB); ``after`` (chunks) is written as is after the pixels.

    Raw deflate data ended by a full flush neither refers back nor forward, so 16 MiB of zeros
    are compressed once and repeated; the Adler-32 of n zeros is (n mod 65521) << 16 | 1.
    """
    bits = bands * depth
    if interlaced:
        passes = [(-(-(width - x) // dx), -(-(height - y) // dy)) for x, y, dx, dy in ADAM7]
        size = sum(
            rows * (1 + -(-columns * bits // 8))
            for columns, rows in passes
            if columns > 0 and rows > 0
        )
    else:
        size = height * (1 + -(-width * bits // 8))  # a filter byte, then the row
    block = 16 * 1024 * 1024
    whole, rest = divmod(size, block)

    def deflated(count: int) -> bytes:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        return compressor.compress(b"\x00" * count) + compressor.flush(zlib.Z_FULL_FLUSH)

    idat = (
        b"\x78\xda"  # zlib header: deflate, 32 KiB window
        + (deflated(block) * whole if whole else b"")
        + (deflated(rest) if rest else b"")
        + b"\x03\x00"  # a last, empty block
        + struct.pack(">I", (size % 65521) << 16 | 1)
    )
    colour = {1: 0, 2: 4, 3: 2, 4: 6}[bands]
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, int(interlaced))
    with open(path, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", idat))
        out.write(after + png_chunk(b"IEND", b""))
    return path


def jpeg_zeros(path: Path, width: int, height: int) -> Path:
    """A valid baseline grey JPEG of width x height mid-grey pixels, two bits per 8 x 8 block
    (20,000 x 20,000: 1.5 MiB, written at once): both Huffman tables hold one 1-bit code,
    0, for "no change of the DC value" and for "end of block"."""
    blocks = -(-width // 8) * -(-height // 8)
    data = b"\x00" * (blocks // 4)
    if blocks % 4:  # the last byte: two zero bits a block, padded with ones
        data += bytes([0xFF >> (2 * (blocks % 4))])

    def segment(marker: int, body: bytes) -> bytes:
        return struct.pack(">BBH", 0xFF, marker, len(body) + 2) + body

    one_code = bytes([1] + [0] * 15) + b"\x00"  # one code of length 1, for symbol 0
    path.write_bytes(
        b"\xff\xd8"
        + segment(0xDB, b"\x00" + b"\x01" * 64)  # quantisation table 0: all ones
        + segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")
        + segment(0xC4, b"\x00" + one_code + b"\x10" + one_code)  # DC 0 and AC 0
        + segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
        + data
        + b"\xff\xd9"
    )
    return path


def tiff_pages(path: Path, pages: int) -> Path:
    """A TIFF of ``pages`` pages of 8 x 8 black pixels (10,001 pages: 3 MB)."""
    image = pyvips.Image.black(8, 8 * pages).copy(interpretation="b-w")
    image.set_type(pyvips.GValue.gint_type, "page-height", 8)
    image.tiffsave(str(path))
    return path


def truncated_jpeg(path: Path) -> Path:
    buffer = io.BytesIO()
    Image.effect_noise((800, 600), 60).convert("RGB").save(buffer, "JPEG", quality=90)
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    return path


def text_named_jpg(path: Path) -> Path:
    path.write_text("Inventaire de la salle 3\n" * 20)
    return path


def pdf_pages(path: Path, pages: int, width: float = 200, height: float = 280) -> Path:
    """A PDF of ``pages`` pages of width x height points sharing one drawing (a black block at
    the top left): 20,000 pages make 2.5 MB."""
    drawing = b"0 0 0 rg 0 %s 100 70 re f" % str(height - 70).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count %d /Kids [%s] >>"
        % (pages, b" ".join(b"%d 0 R" % (4 + n) for n in range(pages))),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(drawing), drawing),
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Contents 3 0 R >>" % (
        str(width).encode(),
        str(height).encode(),
    )
    objects += [page] * pages
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))
    return path
