"""Fixity: re-read every stored original, compare its SHA-256, find missing files and orphans."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import Media
from catalogue.services.identity import Identity
from catalogue.services.media.files import IMPORTS_PREFIX, remove_files, storage, stored_keys
from media.checksums import sha256_of_stream
from media.storage import MissingFile


@dataclass
class Report:
    checked: int = 0
    missing: list[str] = field(default_factory=list)  # "media id: key"
    corrupt: list[str] = field(default_factory=list)  # "media id: key"
    orphans: list[str] = field(default_factory=list)  # stored keys no record refers to
    removed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.corrupt or set(self.orphans) - set(self.removed))


def _digest(key: str) -> str:
    with storage().open(key) as stream:
        return sha256_of_stream(stream)[0]


def verify(identity: Identity, remove_orphans: bool = False) -> Report:
    """Check every media file; with ``remove_orphans``, delete stored files with no record
    (import files waiting for their commit are not media, and are left alone).

    Derivatives are checked for presence only: they can be rebuilt from the original.
    """
    identity.require_admin()
    report = Report()
    known: set[str] = set()
    for media in db.session.execute(sa.select(Media).order_by(Media.created_at)).scalars():
        keys = stored_keys(media)
        known.update(keys)
        report.checked += 1
        try:
            if _digest(media.storage_key) != media.sha256:
                report.corrupt.append(f"{media.id}: {media.storage_key}")
        except MissingFile:
            report.missing.append(f"{media.id}: {media.storage_key}")
        present = set(storage().list_keys(f"derivatives/{media.id}/"))
        report.missing += [f"{media.id}: {key}" for key in keys[1:] if key not in present]
    report.orphans = [
        key
        for key in storage().list_keys()
        if key not in known and not key.startswith(IMPORTS_PREFIX)
    ]
    if remove_orphans and report.orphans:
        report.removed = remove_files(report.orphans)
    return report
