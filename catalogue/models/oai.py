"""Serialized OAI-PMH metadata payloads, kept so a harvest need not rebuild every record."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from catalogue.models.base import Base


class OaiPayload(Base):
    """One public record's ``<metadata>`` content in one format, serialized (UTF-8).

    Written with the record (``services.oai_payloads``): it holds markers where the response
    fills in the base URL, institution, language and datestamp. ``fingerprint`` names the
    payload format and the public view it was built from. Stored compressed with that public view
    in the dictionary (``services.oai.payloads.pack``): what they share takes no room.
    """

    __tablename__ = "oai_payloads"

    object_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("objects.id", ondelete="CASCADE"), primary_key=True
    )
    prefix: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    payload: Mapped[bytes] = mapped_column(sa.LargeBinary)
