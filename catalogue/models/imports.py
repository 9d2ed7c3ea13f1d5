"""Spreadsheet imports sent through the API: the uploaded file, its options and its report."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from catalogue.models.authorities import _enum
from catalogue.models.base import Base, UUIDKey, utcnow


class ImportStatus(enum.StrEnum):
    validated = "validated"  # dry run done, no errors (or errors to skip): ready to commit
    invalid = "invalid"  # dry run found errors and invalid rows are not to be skipped
    committing = "committing"  # one commit has claimed it and is applying it
    committed = "committed"
    failed = "failed"  # the commit stopped part-way (earlier batches are kept)
    expired = "expired"  # not committed in time (IMPORT_KEEP_SECONDS): the file is gone


class ImportJob(UUIDKey, Base):
    """One uploaded file; while it may be committed, the file is kept in the media storage
    under ``imports/<id>/upload<suffix>`` (``services.exchange.job_files``)."""

    __tablename__ = "imports"

    status: Mapped[ImportStatus] = mapped_column(_enum(ImportStatus, "import_status"))
    # As the client named it: shown to people, never used to build a path.
    original_filename: Mapped[str | None] = mapped_column(sa.String(500))
    suffix: Mapped[str] = mapped_column(sa.String(10))
    options: Mapped[dict] = mapped_column(default=dict)
    report: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(sa.String(320))
    committed_at: Mapped[datetime | None] = mapped_column()
    committed_by: Mapped[str | None] = mapped_column(sa.String(320))
    # The background job applying the import (while ``committing``, and after).
    commit_job: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
