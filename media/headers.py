"""What a file says about itself, read from its headers and never from its pixels.

Embedded metadata is found by walking the file's structure: JPEG segments before the first
scan, PNG chunks (the compressed pixels skipped by their length), WebP RIFF chunks, TIFF
directories. Pillow is not used for this: its ``getexif()`` decodes a whole PNG to look for
an eXIf chunk after the pixels (a 400-megapixel PNG of 1.1 MiB: 5 s and 1.5 GiB). Every read
here is bounded, and a malformed header simply yields nothing.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import BinaryIO

# The most bytes read for one block of metadata (an EXIF block, a text chunk, unpacked).
MAX_BLOCK = 1024 * 1024
# The most segments, chunks or directory entries looked at in one file.
MAX_STEPS = 100_000

EXIF_IFD = 0x8769
IPTC_NAA = 0x83BB
DATE_TAKEN = 0x9003  # DateTimeOriginal, in the EXIF directory
TAGS = {0x010F: "camera_make", 0x0110: "camera_model", 0x013B: "artist", 0x8298: "copyright"}
# PNG text keywords (PNG specification, 11.3.4.2) and the facts they give.
PNG_KEYWORDS = {
    "Author": "artist",
    "Copyright": "copyright",
    "Description": "caption",
    "Creation Time": "date_taken",
}
CAPTION = (2, 120)  # IPTC Caption/Abstract


# -- TIFF directories (TIFF files and EXIF blocks) --------------------------------------------

# Bytes of one value of each TIFF field type.
TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8,
              13: 4, 16: 8, 17: 8, 18: 8}  # fmt: skip


class Tiff:
    """A TIFF structure (a file, or an EXIF block) read one directory entry at a time."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        head = self._read(0, 16)
        self.order = {b"II": "<", b"MM": ">"}.get(head[:2])
        if self.order is None or len(head) < 8:
            raise ValueError("not a TIFF structure")
        magic = self._unpack("H", head[2:4])
        if magic not in (42, 43):
            raise ValueError("not a TIFF structure")
        self.big = magic == 43
        self.first = self._unpack("Q", head[8:16]) if self.big else self._unpack("I", head[4:8])

    def _read(self, offset: int, size: int) -> bytes:
        self.stream.seek(offset)
        return self.stream.read(size)

    def _unpack(self, kind: str, data: bytes) -> int:
        return struct.unpack(self.order + kind, data)[0]

    def _count(self, offset: int) -> int:
        size = 8 if self.big else 2
        data = self._read(offset, size)
        if len(data) < size:
            raise ValueError("truncated directory")
        return self._unpack("Q" if self.big else "H", data)

    def entries(self, offset: int) -> dict[int, tuple[int, int, bytes]]:
        """The entries of the directory at ``offset``: tag -> (type, count, value or offset)."""
        count = min(self._count(offset), 4096)
        size, layout = (20, "HHQ8s") if self.big else (12, "HHI4s")
        data = self._read(offset + (8 if self.big else 2), count * size)
        entries = {}
        for start in range(0, len(data) - size + 1, size):
            tag, kind, number, field = struct.unpack(
                self.order + layout, data[start : start + size]
            )
            entries[tag] = (kind, number, field)
        return entries

    def next_directory(self, offset: int) -> int:
        """The offset of the directory after the one at ``offset`` (0 after the last)."""
        size = 20 if self.big else 12
        start = offset + (8 if self.big else 2) + self._count(offset) * size
        data = self._read(start, 8 if self.big else 4)
        if len(data) < (8 if self.big else 4):
            return 0
        return self._unpack("Q" if self.big else "I", data)

    def value(self, entry: tuple[int, int, bytes]) -> bytes | None:
        """An entry's bytes (None when larger than MAX_BLOCK or out of the file)."""
        kind, count, field = entry
        size = TYPE_SIZES.get(kind, 1) * count
        if size <= len(field):
            return field[:size]
        if size > MAX_BLOCK:
            return None
        data = self._read(self._unpack("Q" if self.big else "I", field), size)
        return data if len(data) == size else None

    def offset(self, entry: tuple[int, int, bytes]) -> int | None:
        """An entry holding one offset (a sub-directory), or None."""
        kind, count, field = entry
        if count != 1 or kind not in (4, 13, 16, 18):
            return None
        return self._unpack("I" if kind in (4, 13) else "Q", field[: TYPE_SIZES[kind]])


def tiff_pages(stream: BinaryIO, limit: int) -> int:
    """The number of pages (directories) of a TIFF, counting no further than ``limit + 1``."""
    tiff = Tiff(stream)
    seen: set[int] = set()
    offset = tiff.first
    while offset and offset not in seen and len(seen) <= limit:
        seen.add(offset)
        try:
            offset = tiff.next_directory(offset)
        except ValueError:
            break
    return len(seen)


def _exif_facts(tiff: Tiff, offset: int | None = None) -> dict:
    facts: dict = {}
    entries = tiff.entries(tiff.first if offset is None else offset)
    for tag, name in TAGS.items():
        if tag in entries and (text := _text(tiff.value(entries[tag]))):
            facts[name] = text
    sub = tiff.offset(entries[EXIF_IFD]) if EXIF_IFD in entries else None
    if sub:
        taken = tiff.entries(sub).get(DATE_TAKEN)
        if taken and (text := _text(tiff.value(taken))):
            facts["date_taken"] = _date(text, "%Y:%m:%d %H:%M:%S")
    if IPTC_NAA in entries and (iptc := tiff.value(entries[IPTC_NAA])):
        facts.update(_iptc_block(iptc))
    return facts


def _exif_block(data: bytes) -> dict:
    """The facts of an EXIF block (a TIFF structure, after "Exif\\0\\0" in JPEG files)."""
    if data.startswith(b"Exif\x00\x00"):
        data = data[6:]
    try:
        return _exif_facts(Tiff(io.BytesIO(data)))
    except (ValueError, struct.error):
        return {}


# -- IPTC ---------------------------------------------------------------------------------------


def _iptc_facts(data: bytes) -> dict:
    """The caption of IPTC-IIM records (datasets: 0x1C, record, dataset, 2-byte length)."""
    position = 0
    while position + 5 <= len(data) and data[position] == 0x1C:
        record, dataset, size = struct.unpack(">BBH", data[position + 1 : position + 5])
        if size & 0x8000:  # an extended length: never a caption
            break
        if (record, dataset) == CAPTION:
            text = _text(data[position + 5 : position + 5 + size])
            return {"caption": text} if text else {}
        position += 5 + size
    return {}


def _photoshop_iptc(data: bytes) -> bytes | None:
    """The IPTC resource (0x0404) among Photoshop 8BIM resources (after "Photoshop 3.0\\0"
    in a JPEG APP13 segment; some TIFF writers store the same block in the IPTC tag)."""
    position = len(b"Photoshop 3.0\x00") if data.startswith(b"Photoshop 3.0\x00") else 0
    while position + 12 <= len(data) and data[position : position + 4] == b"8BIM":
        resource = struct.unpack(">H", data[position + 4 : position + 6])[0]
        name = data[position + 6]
        position += 6 + ((name + 2) & ~1)  # the Pascal name, padded to an even length
        if position + 4 > len(data):
            break
        size = struct.unpack(">I", data[position : position + 4])[0]
        position += 4
        if resource == 0x0404:
            return data[position : position + size]
        position += size + (size & 1)
    return None


def _iptc_block(data: bytes) -> dict:
    """The facts of an IPTC block: IPTC-IIM records, or Photoshop resources holding them."""
    if data.startswith((b"Photoshop 3.0\x00", b"8BIM")):
        data = _photoshop_iptc(data) or b""
    return _iptc_facts(data)


# -- Containers -----------------------------------------------------------------------------------


def _marker(stream: BinaryIO) -> int | None:
    """The code of the next JPEG marker, after at most 64 fill bytes (0xFF)."""
    if stream.read(1) != b"\xff":
        return None
    for _ in range(64):
        code = stream.read(1)
        if code != b"\xff":
            return code[0] if code else None
    return None


def jpeg_segments(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(marker, body) of each segment before the first scan."""
    stream.seek(2)
    for _ in range(MAX_STEPS):
        marker = _marker(stream)
        if marker is None or marker in (0xD9, 0xDA):  # the end, or the first scan
            return
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a body
            continue
        length = stream.read(2)
        if len(length) < 2 or (size := struct.unpack(">H", length)[0]) < 2:
            return
        yield marker, stream.read(size - 2)


# Start of frame markers (SOF0 to SOF15 without DHT, JPG and DAC).
FRAME_MARKERS = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def jpeg_samples_per_pixel(stream: BinaryIO) -> float | None:
    """Samples a JPEG stores per pixel (3 for 4:4:4 colour, 1.5 for 4:2:0), from its frame."""
    for marker, body in jpeg_segments(stream):
        if marker in FRAME_MARKERS and len(body) >= 6:
            count = body[5]
            factors = [(byte >> 4, byte & 15) for byte in body[7 : 6 + 3 * count : 3]]
            if len(factors) != count or not all(h and v for h, v in factors):
                return None
            most = max(h for h, _ in factors) * max(v for _, v in factors)
            return sum(h * v for h, v in factors) / most
    return None


def png_chunks(stream: BinaryIO) -> Iterator[tuple[bytes, bytes | None]]:
    """(type, body) of each chunk; the body is None for the pixels and for chunks over
    MAX_BLOCK, which are skipped by their length without being read."""
    stream.seek(8)
    for _ in range(MAX_STEPS):
        head = stream.read(8)
        if len(head) < 8:
            return
        size, kind = struct.unpack(">I4s", head)
        if kind == b"IEND":
            return
        if kind == b"IDAT" or size > MAX_BLOCK:
            stream.seek(size + 4, 1)
            yield kind, None
            continue
        body = stream.read(size)
        stream.seek(4, 1)  # the CRC
        yield kind, body


def webp_chunks(stream: BinaryIO) -> Iterator[tuple[bytes, bytes | None]]:
    """(fourcc, body) of each RIFF chunk of a WebP file; bodies over MAX_BLOCK are None."""
    stream.seek(12)
    for _ in range(MAX_STEPS):
        head = stream.read(8)
        if len(head) < 8:
            return
        kind, size = struct.unpack("<4sI", head)
        padded = size + (size & 1)
        if size > MAX_BLOCK:
            stream.seek(padded, 1)
            yield kind, None
            continue
        body = stream.read(size)
        stream.seek(padded - size, 1)
        yield kind, body


def _png_text(kind: bytes, body: bytes) -> tuple[str, str | None]:
    keyword, _, rest = body.partition(b"\x00")
    name = keyword.decode("latin-1")
    if kind == b"tEXt":
        return name, rest.decode("latin-1")
    if kind == b"zTXt":
        return name, _inflate(rest[1:], "latin-1")
    compressed, rest = rest[:1] == b"\x01", rest[2:]  # iTXt: flag, method
    _language, _, rest = rest.partition(b"\x00")
    _translated, _, text = rest.partition(b"\x00")
    return name, _inflate(text, "utf-8") if compressed else text.decode("utf-8", "replace")


def _inflate(data: bytes, encoding: str) -> str | None:
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(data, MAX_BLOCK)
    except zlib.error:
        return None
    return None if inflater.unconsumed_tail else text.decode(encoding, "replace")


# -- Facts ----------------------------------------------------------------------------------------


def _text(value: bytes | str | None) -> str | None:
    """A text field: UTF-8 (else Latin-1), NUL-separated parts joined, blanks dropped."""
    if not value:
        return None
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            value = value.decode("latin-1")
    parts = [part.strip() for part in value.split("\x00") if part.strip()]
    return "; ".join(parts) or None


def _date(text: str, layout: str | None = None) -> str:
    """An ISO 8601 date and time when the text can be read as one, else the text."""
    try:
        if layout:
            return datetime.strptime(text, layout).isoformat()
        return datetime.fromisoformat(text).isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).isoformat()  # RFC 1123, as the PNG spec suggests
    except (TypeError, ValueError, IndexError):
        return text


def _facts(stream: BinaryIO, head: bytes) -> dict:
    facts: dict = {}
    if head.startswith(b"\xff\xd8"):
        exif = iptc = None
        for marker, body in jpeg_segments(stream):
            if marker == 0xE1 and body.startswith(b"Exif\x00\x00") and exif is None:
                exif = body
            elif marker == 0xED and body.startswith(b"Photoshop 3.0\x00") and iptc is None:
                iptc = body
        facts.update(_exif_block(exif) if exif else {})
        facts.update(_iptc_block(iptc) if iptc else {})
    elif head.startswith(b"\x89PNG"):
        texts: dict = {}
        for kind, body in png_chunks(stream):
            if kind == b"eXIf" and body:
                facts.update(_exif_block(body))
            elif kind in (b"tEXt", b"zTXt", b"iTXt") and body:
                name, text = _png_text(kind, body)
                if name in PNG_KEYWORDS and (text := _text(text)):
                    texts.setdefault(PNG_KEYWORDS[name], text)
        if "date_taken" in texts:
            texts["date_taken"] = _date(texts["date_taken"])
        facts = {**texts, **facts}  # EXIF first
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        for kind, body in webp_chunks(stream):
            if kind == b"EXIF" and body:
                facts.update(_exif_block(body))
    elif head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        facts.update(_exif_facts(Tiff(stream)))
    return facts


def embedded_metadata(source: Path) -> dict:
    """Useful embedded facts: date taken, camera, artist, copyright, caption (IPTC, or PNG
    text), read from the headers of a JPEG, PNG, WebP or TIFF file.

    GPS and every other tag are left out on purpose: location data must not travel on.
    """
    with open(source, "rb") as stream:
        head = stream.read(16)
        try:
            return _facts(stream, head)
        except (ValueError, struct.error, OverflowError, OSError):
            return {}  # metadata is a bonus: a damaged header simply has none
