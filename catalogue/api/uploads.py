"""Receiving uploads: multipart file parts go straight to a temporary file, hashed on the way.

Werkzeug parses the multipart body in chunks and asks ``_get_file_stream`` where to write each
file part; answering with a hashing temporary file means the body is never held in memory and
the SHA-256 and size are known as soon as parsing ends.
"""

from __future__ import annotations

import hashlib
import tempfile

from flask import Request


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


class UploadRequest(Request):
    def _get_file_stream(
        self, total_content_length, content_type, filename=None, content_length=None
    ):
        return HashingFile()
