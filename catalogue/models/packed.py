"""Column types that keep JSON and XML compressed in the database, on every database.

Records are mostly text: the same long descriptions in the stored document, the stored views,
each saved version and each OAI-PMH payload. PostgreSQL would compress some of it (TOAST), SQLite
none, so compression is explicit here: a value is stored as one byte naming how it is packed,
then its bytes, compressed with Zstandard and a preset dictionary (``models.dictionaries``)
unless that would not make it shorter. Python code reads and writes the values as before (text,
bytes, or JSON data); only SQL sees bytes, so a packed column is never filtered or sorted on.

Zstandard decompresses several times faster than zlib, so reading a packed record costs about
what reading it unpacked did. The compressor and decompressor of each dictionary are made once
per thread (they are not safe to share between threads) and reused for every value. Values
packed with zlib (kinds 1 to 3, the first version of this format) are still read.

``dumps`` is the one JSON encoding of stored records: a packed JSON value decodes to exactly
the text ``dumps`` wrote, so a record's stored text can be sent without encoding it again.
"""

from __future__ import annotations

import json
import threading
import zlib

import sqlalchemy as sa
import zstandard
from sqlalchemy.types import TypeDecorator

from catalogue.models import dictionaries

RAW = 0
# zlib (the first version of this format): read, and written only when asked for by number.
# Kind 3 is the XML dictionary followed by a text of the same record given by the reader (an
# OAI-PMH payload was packed with its record's public view).
ZLIB_JSON, ZLIB_XML, ZLIB_XML_WITH_RECORD = 1, 2, 3
ZLIB_DICTIONARIES = {1: dictionaries.JSON_1, 2: dictionaries.XML_2, 3: dictionaries.XML_2}
WITH_RECORD = {ZLIB_XML_WITH_RECORD}
LEVEL = 6
# Zstandard: what is written. The dictionaries are the same texts, as raw content.
JSON_DICTIONARY, XML_DICTIONARY = 4, 5
ZSTD_DICTIONARIES = {JSON_DICTIONARY: dictionaries.JSON_1, XML_DICTIONARY: dictionaries.XML_2}
ZSTD_LEVEL = 12

_PRESETS = {
    kind: zstandard.ZstdCompressionDict(data, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    for kind, data in ZSTD_DICTIONARIES.items()
}
_local = threading.local()


def dumps(data) -> str:
    """Compact JSON text, as records are stored and sent."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)


def _dictionary(kind: int, record: bytes) -> bytes:
    return ZLIB_DICTIONARIES[kind] + (record if kind in WITH_RECORD else b"")


def _compressor(kind: int) -> zstandard.ZstdCompressor:
    made = getattr(_local, "compressors", None)
    if made is None:
        made = _local.compressors = {}
    if kind not in made:
        made[kind] = zstandard.ZstdCompressor(
            level=ZSTD_LEVEL, dict_data=_PRESETS[kind], write_checksum=False, write_dict_id=False
        )
    return made[kind]


def _decompressor(kind: int) -> zstandard.ZstdDecompressor:
    made = getattr(_local, "decompressors", None)
    if made is None:
        made = _local.decompressors = {}
    if kind not in made:
        made[kind] = zstandard.ZstdDecompressor(dict_data=_PRESETS[kind])
    return made[kind]


def pack(data: bytes, dictionary: int = JSON_DICTIONARY, record: bytes = b"") -> bytes:
    """``data`` compressed with the dictionary (and, for the zlib kind 3, ``record``, which
    reading needs again), or as it is when that is shorter."""
    if dictionary in ZLIB_DICTIONARIES:
        preset = _dictionary(dictionary, record)
        packer = zlib.compressobj(LEVEL, zlib.DEFLATED, 15, 9, zlib.Z_DEFAULT_STRATEGY, preset)
        packed = packer.compress(data) + packer.flush()
    else:
        packed = _compressor(dictionary).compress(data)
    if len(packed) >= len(data):
        return bytes((RAW,)) + data
    return bytes((dictionary,)) + packed


def unpack(value: bytes, record: bytes = b"") -> bytes:
    """The data ``pack`` was given; ``zlib.error`` or ``zstandard.ZstdError``
    when ``record`` is not the one it was packed with."""
    kind = value[0]
    if kind == RAW:
        return bytes(value[1:])
    if kind in ZLIB_DICTIONARIES:
        unpacker = zlib.decompressobj(zdict=_dictionary(kind, record))
        return unpacker.decompress(memoryview(value)[1:]) + unpacker.flush()
    return _decompressor(kind).decompress(memoryview(value)[1:])


class _Packed(TypeDecorator):
    impl = sa.LargeBinary
    cache_ok = True
    dictionary = JSON_DICTIONARY

    def encode(self, value) -> bytes:
        raise NotImplementedError

    def decode(self, data: bytes):
        raise NotImplementedError

    def process_bind_param(self, value, dialect):
        return None if value is None else pack(self.encode(value), self.dictionary)

    def process_result_value(self, value, dialect):
        return None if value is None else self.decode(unpack(value))


class PackedText(_Packed):
    """Text (JSON ready to send), compressed."""

    cache_ok = True

    def encode(self, value: str) -> bytes:
        return value.encode()

    def decode(self, data: bytes) -> str:
        return data.decode()


class PackedJSON(_Packed):
    """JSON data, stored as the text ``dumps`` gives, compressed."""

    cache_ok = True

    def encode(self, value) -> bytes:
        return dumps(value).encode()

    def decode(self, data: bytes):
        return json.loads(data)
