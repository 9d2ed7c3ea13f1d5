"""SHA-256 of stored and received files, read in chunks (never whole into memory)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024


def sha256_of_stream(stream: BinaryIO) -> tuple[str, int]:
    """(hex digest, size in bytes) of what is left to read in ``stream``."""
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def sha256_of_file(path: Path) -> tuple[str, int]:
    with open(path, "rb") as handle:
        return sha256_of_stream(handle)
