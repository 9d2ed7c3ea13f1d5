"""Authorities and vocabularies: terms, agents, places, collections, locations."""

from __future__ import annotations

import enum
import uuid
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalogue.models.base import Base, Timestamps, UUIDKey, Versioned


class Vocabulary(enum.StrEnum):
    object_type = "object_type"
    material = "material"
    technique = "technique"
    subject = "subject"


class AgentKind(enum.StrEnum):
    person = "person"
    organisation = "organisation"


class LocationKind(enum.StrEnum):
    site = "site"
    building = "building"
    room = "room"
    unit = "unit"
    shelf = "shelf"


def _enum(cls: type[enum.Enum], name: str) -> sa.Enum:
    # Stored as checked text so that adding a value never needs a type migration on PostgreSQL.
    return sa.Enum(cls, name=name, native_enum=False, length=20, validate_strings=True)


# Compared code point by code point on every database (PostgreSQL's locale collations skip
# spaces and punctuation), so lists sort the same on SQLite and PostgreSQL.
SortKey = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")


class Authority(UUIDKey, Timestamps, Versioned):
    """What every authority has: a multilingual label and an optional outside URI.

    ``search_text`` and ``sort_key`` are derived from the label (``services.labels.label_keys``)
    and stored by every service that writes a label: what lists search and sort by.
    """

    label: Mapped[dict] = mapped_column(default=dict)
    uri: Mapped[str | None] = mapped_column(sa.String(500))
    search_text: Mapped[str] = mapped_column(sa.Text)
    sort_key: Mapped[str] = mapped_column(SortKey, index=True)


class Term(Authority, Base):
    __tablename__ = "terms"
    __table_args__ = (sa.Index("ix_terms_vocabulary", "vocabulary"),)

    vocabulary: Mapped[Vocabulary] = mapped_column(_enum(Vocabulary, "vocabulary"))
    scope_note: Mapped[dict | None] = mapped_column()


class Agent(Authority, Base):
    __tablename__ = "agents"

    kind: Mapped[AgentKind] = mapped_column(_enum(AgentKind, "agent_kind"))
    dates: Mapped[str | None] = mapped_column(sa.String(200))
    biography: Mapped[dict | None] = mapped_column()


class Place(Authority, Base):
    __tablename__ = "places"

    latitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))


class Collection(Authority, Base):
    __tablename__ = "collections"

    description: Mapped[dict | None] = mapped_column()


class Location(Authority, Base):
    __tablename__ = "locations"

    kind: Mapped[LocationKind] = mapped_column(_enum(LocationKind, "location_kind"))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("locations.id", ondelete="RESTRICT"), index=True
    )
    parent: Mapped[Location | None] = relationship(remote_side="Location.id", lazy="joined")


AUTHORITY_MODELS: dict[str, type[Authority]] = {
    "terms": Term,
    "agents": Agent,
    "places": Place,
    "collections": Collection,
    "locations": Location,
}
