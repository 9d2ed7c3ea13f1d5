"""Receiving uploads: multipart file parts go straight to a temporary file, hashed on the way.

Werkzeug parses the multipart body in chunks and asks ``_get_file_stream`` where to write each
file part; answering with a hashing temporary file means the body is never held in memory and
the SHA-256 and size are known as soon as parsing ends.
"""

from __future__ import annotations

import hashlib
import io
import tempfile

from flask import Request

READ_SIZE = 1024 * 1024


class HashingFile:
    """A named temporary file that hashes everything written to it (removed on close)."""

    def __init__(self) -> None:
        self.file = tempfile.NamedTemporaryFile(prefix="upload-")  # noqa: SIM115 - closed by werkzeug
        self.name = self.file.name
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.file.write(data)

    @property
    def sha256(self) -> str:
        return self.digest.hexdigest()

    def __getattr__(self, name):
        # seek, read, flush, close... go to the underlying file.
        return getattr(self.file, name)


class _RawInput(io.RawIOBase):
    """The WSGI input as a raw stream, so io.BufferedReader can read it in large steps."""

    def __init__(self, source, length: int) -> None:
        self.source = source
        # Never ask for more than the body: servers that hand over the socket itself (the
        # werkzeug development server) would otherwise wait for bytes that never come.
        self.left = length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.source.read(min(len(buffer), self.left)) if self.left > 0 else b""
        self.left -= len(data)
        buffer[: len(data)] = data
        return len(data)


class UploadRequest(Request):
    def _load_form_data(self) -> None:
        # werkzeug reads multipart bodies 64 KiB at a time; servers that read ahead a whole
        # socket buffer (gunicorn) copy what is left after every such read, which made a
        # 1 GiB upload four times slower. One 1 MiB buffer in between makes reads large.
        length = self.content_length
        if "stream" not in self.__dict__ and self.mimetype == "multipart/form-data" and length:
            raw = self.environ["wsgi.input"]
            self.environ["wsgi.input"] = io.BufferedReader(_RawInput(raw, length), READ_SIZE)
        super()._load_form_data()

    def _get_file_stream(
        self, total_content_length, content_type, filename=None, content_length=None
    ):
        return HashingFile()
