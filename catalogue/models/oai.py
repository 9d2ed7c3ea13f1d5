"""Serialized OAI-PMH metadata payloads, kept so a harvest need not rebuild every record."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from catalogue.models.base import Base


class OaiPayload(Base):
    """One record's ``<metadata>`` content in one format, as last served.

    ``fingerprint`` hashes everything the payload was built from (the public view's ETag,
    the datestamp and the context with the base URL); a payload whose fingerprint differs
    from the current one is stale and is never served.
    """

    __tablename__ = "oai_payloads"

    object_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("objects.id", ondelete="CASCADE"), primary_key=True
    )
    prefix: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    payload: Mapped[str] = mapped_column(sa.Text)
