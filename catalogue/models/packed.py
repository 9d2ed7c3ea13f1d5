"""Column types that keep JSON and XML compressed in the database, on every database.

Records are mostly text: the same long descriptions in the stored document, the stored views,
each saved version and each OAI-PMH payload. PostgreSQL would compress some of it (TOAST), SQLite
none, so compression is explicit here: a value is stored as one byte naming how it is packed,
then its bytes, compressed with zlib and a preset dictionary (``models.dictionaries``) unless
that would not make it shorter. Python code reads and writes the values as before (text, bytes,
or JSON data); only SQL sees bytes, so a packed column is never filtered or sorted on.

``dumps`` is the one JSON encoding of stored records: a packed JSON value decodes to exactly
the text ``dumps`` wrote, so a record's stored text can be sent without encoding it again.
"""

from __future__ import annotations

import json
import zlib

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

from catalogue.models import dictionaries

RAW = 0
DICTIONARIES = {1: dictionaries.JSON_1, 2: dictionaries.XML_2, 3: dictionaries.XML_2}
JSON_DICTIONARY, XML_DICTIONARY = 1, 2
# The XML dictionary followed by a text of the same record given by the reader (an OAI-PMH
# payload is packed with its record's public view: the texts they share cost nothing).
XML_WITH_RECORD = 3
WITH_RECORD = {XML_WITH_RECORD}
LEVEL = 6


def dumps(data) -> str:
    """Compact JSON text, as records are stored and sent."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)


def _dictionary(kind: int, record: bytes) -> bytes:
    return DICTIONARIES[kind] + record if kind in WITH_RECORD else DICTIONARIES[kind]


def pack(data: bytes, dictionary: int, record: bytes = b"") -> bytes:
    """``data`` compressed with the dictionary (and, for ``XML_WITH_RECORD``, ``record``,
    which reading needs again), or as it is when that is shorter."""
    preset = _dictionary(dictionary, record)
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, 15, 9, zlib.Z_DEFAULT_STRATEGY, preset)
    packed = packer.compress(data) + packer.flush()
    if len(packed) >= len(data):
        return bytes((RAW,)) + data
    return bytes((dictionary,)) + packed


def unpack(value: bytes, record: bytes = b"") -> bytes:
    """The data ``pack`` was given; ``zlib.error`` when ``record`` is not the one it was."""
    kind = value[0]
    if kind == RAW:
        return bytes(value[1:])
    unpacker = zlib.decompressobj(zdict=_dictionary(kind, record))
    return unpacker.decompress(memoryview(value)[1:]) + unpacker.flush()


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
