"""Catalogue objects and the references they hold to authorities and to each other."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalogue.models.authorities import _enum
from catalogue.models.base import Base, Timestamps, UUIDKey
from catalogue.models.packed import PackedJSON, PackedText, dumps


class Status(enum.StrEnum):
    draft = "draft"
    internal = "internal"
    public = "public"


class CollectionStatus(enum.StrEnum):
    """Where an object stands with the museum (set by procedures, read-only in the record)."""

    in_collection = "in-collection"
    on_loan_out = "on-loan-out"
    exited = "exited"
    deaccessioned = "deaccessioned"


class TermField(enum.StrEnum):
    material = "material"
    technique = "technique"
    subject = "subject"


class Relation(enum.StrEnum):
    part_of = "part_of"
    related = "related"


class CatalogueObject(UUIDKey, Timestamps, Base):
    """One catalogued object.

    Columns hold what is filtered, joined and constrained; ``document`` holds the whole
    record as a curator reads it (labels of linked authorities resolved), rebuilt by the
    service layer on every change so that reads cost one row.
    """

    __tablename__ = "objects"
    __table_args__ = (
        sa.Index("ix_objects_status_updated_at", "status", "updated_at"),
        sa.Index("ix_objects_production_span", "date_earliest", "date_latest"),
    )

    object_number: Mapped[str] = mapped_column(sa.String(100), unique=True)
    status: Mapped[Status] = mapped_column(_enum(Status, "object_status"), default=Status.draft)
    object_type_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("terms.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[dict] = mapped_column(default=dict)
    description: Mapped[dict | None] = mapped_column(PackedJSON)
    date_display: Mapped[str | None] = mapped_column(sa.String(200))
    date_edtf: Mapped[str | None] = mapped_column(sa.String(100))
    date_earliest: Mapped[date | None] = mapped_column()
    date_latest: Mapped[date | None] = mapped_column()
    production_place_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("places.id", ondelete="RESTRICT"), index=True
    )
    dimensions: Mapped[list] = mapped_column(default=list)
    inscriptions: Mapped[list] = mapped_column(default=list)
    credit_line: Mapped[dict | None] = mapped_column()
    rights_statement: Mapped[str | None] = mapped_column(sa.Text)
    rights_uri: Mapped[str | None] = mapped_column(sa.String(500))
    acquisition_method: Mapped[str | None] = mapped_column(sa.String(200))
    acquisition_date: Mapped[date | None] = mapped_column()
    acquisition_source: Mapped[str | None] = mapped_column(sa.Text)
    acquisition_source_contact: Mapped[str | None] = mapped_column(sa.Text)
    valuation_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    valuation_currency: Mapped[str | None] = mapped_column(sa.String(3))
    valuation_date: Mapped[date | None] = mapped_column()
    internal_notes: Mapped[str | None] = mapped_column(sa.Text)
    location_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("locations.id", ondelete="RESTRICT"), index=True
    )
    has_media: Mapped[bool] = mapped_column(default=False)
    collection_status: Mapped[str] = mapped_column(
        sa.String(20), default=CollectionStatus.in_collection, server_default="in-collection"
    )
    version: Mapped[int] = mapped_column(default=1)
    created_by: Mapped[str | None] = mapped_column(sa.String(320))
    updated_by: Mapped[str | None] = mapped_column(sa.String(320))
    document: Mapped[dict] = mapped_column(PackedJSON, default=dict)
    # The record as each kind of caller reads it, as JSON text ready to send; kept equal to
    # ``document`` by services.views whenever it is set, so a read is one row and no encoding.
    # Stored once each: the staff view is the document's own text, and the research view is
    # kept only where it differs from the public one (a link to an internal record).
    public_json: Mapped[str] = mapped_column(PackedText, default="{}")
    _research_json: Mapped[str | None] = mapped_column("research_json", PackedText)

    makers: Mapped[list[ObjectMaker]] = relationship(
        cascade="all, delete-orphan", order_by="ObjectMaker.position"
    )
    terms: Mapped[list[ObjectTerm]] = relationship(
        cascade="all, delete-orphan", order_by="ObjectTerm.position"
    )
    agents: Mapped[list[ObjectAgent]] = relationship(
        cascade="all, delete-orphan", order_by="ObjectAgent.position"
    )
    places: Mapped[list[ObjectPlace]] = relationship(
        cascade="all, delete-orphan", order_by="ObjectPlace.position"
    )
    collections: Mapped[list[ObjectCollection]] = relationship(
        cascade="all, delete-orphan", order_by="ObjectCollection.position"
    )
    relations: Mapped[list[ObjectRelation]] = relationship(
        cascade="all, delete-orphan",
        order_by="ObjectRelation.position",
        foreign_keys="ObjectRelation.object_id",
    )

    # Optimistic concurrency: an UPDATE only succeeds against the version it read.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    @hybrid_property
    def research_json(self) -> str:
        return self.public_json if self._research_json is None else self._research_json

    @research_json.inplace.expression
    @classmethod
    def _research_json_expression(cls):
        either = sa.func.coalesce(cls._research_json, cls.public_json)
        return sa.type_coerce(either, PackedText()).label("research_json")

    @research_json.inplace.bulk_dml
    @classmethod
    def _research_json_bulk_dml(cls, mapping: dict, value: str | None) -> None:
        # Rows copied from the table (bulk inserts) name the column: it is stored as it is.
        mapping["_research_json"] = value

    @hybrid_property
    def staff_json(self) -> str:
        return dumps(self.document)

    @staff_json.inplace.expression
    @classmethod
    def _staff_json_expression(cls):
        # The document is stored as the text ``dumps`` wrote: read as text, it is the view.
        return sa.type_coerce(cls.document, PackedText()).label("staff_json")


class _Link:
    position: Mapped[int] = mapped_column(default=0)


class ObjectMaker(_Link, Base):
    __tablename__ = "object_makers"

    id: Mapped[int] = mapped_column(primary_key=True)
    object_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("objects.id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("agents.id", ondelete="RESTRICT"), index=True
    )
    role: Mapped[str | None] = mapped_column(sa.String(200))


class ObjectTerm(_Link, Base):
    """Materials, techniques and subjects."""

    __tablename__ = "object_terms"

    object_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("objects.id", ondelete="CASCADE"), primary_key=True
    )
    field: Mapped[TermField] = mapped_column(_enum(TermField, "term_field"), primary_key=True)
    term_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("terms.id", ondelete="RESTRICT"), primary_key=True, index=True
    )


class ObjectAgent(_Link, Base):
    """Associated agents."""

    __tablename__ = "object_agents"

    object_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("objects.id", ondelete="CASCADE"), primary_key=True
    )
    agent_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("agents.id", ondelete="RESTRICT"), primary_key=True, index=True
    )


class ObjectPlace(_Link, Base):
    """Associated places."""

    __tablename__ = "object_places"

    object_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("objects.id", ondelete="CASCADE"), primary_key=True
    )
    place_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("places.id", ondelete="RESTRICT"), primary_key=True, index=True
    )


class ObjectCollection(_Link, Base):
    __tablename__ = "object_collections"

    object_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("objects.id", ondelete="CASCADE"), primary_key=True
    )
    collection_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("collections.id", ondelete="RESTRICT"), primary_key=True, index=True
    )


class ObjectRelation(_Link, Base):
    """``object`` is part of, or related to, ``related``."""

    __tablename__ = "object_relations"

    object_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("objects.id", ondelete="CASCADE"), primary_key=True
    )
    related_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("objects.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    relation: Mapped[Relation] = mapped_column(_enum(Relation, "relation"))


class Movement(Base):
    """An object moved from one location to another; the latest sets the current location."""

    __tablename__ = "movements"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    object_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("objects.id", ondelete="CASCADE"), index=True
    )
    from_location_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("locations.id", ondelete="RESTRICT")
    )
    to_location_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("locations.id", ondelete="RESTRICT"), index=True
    )
    moved_at: Mapped[datetime] = mapped_column()
    reason: Mapped[str | None] = mapped_column(sa.Text)
    moved_by: Mapped[str | None] = mapped_column(sa.String(320))
    recorded_at: Mapped[datetime] = mapped_column()


class Condition(enum.StrEnum):
    good = "good"
    fair = "fair"
    poor = "poor"
    unacceptable = "unacceptable"


class ConditionCheck(Base):
    __tablename__ = "condition_checks"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    object_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("objects.id", ondelete="CASCADE"), index=True
    )
    checked_at: Mapped[datetime] = mapped_column()
    condition: Mapped[Condition] = mapped_column(_enum(Condition, "condition"))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    checked_by: Mapped[str | None] = mapped_column(sa.String(320))
    recorded_at: Mapped[datetime] = mapped_column()
