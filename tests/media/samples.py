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


def png_bomb(path: Path, side: int = 40_000) -> Path:
    """A valid 1-bit PNG declaring side x side pixels, all black, compressed to a few KB."""
    raw_row = b"\x00" * (1 + (side + 7) // 8)
    compressor = zlib.compressobj(1)
    chunks = [compressor.compress(raw_row * 1000) for _ in range(side // 1000)]
    idat = b"".join(chunks) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )
    return path


def truncated_jpeg(path: Path) -> Path:
    buffer = io.BytesIO()
    Image.effect_noise((800, 600), 60).convert("RGB").save(buffer, "JPEG", quality=90)
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    return path


def text_named_jpg(path: Path) -> Path:
    path.write_text("Inventaire de la salle 3\n" * 20)
    return path
