"""Sets: a user's named, ordered selection of objects, with a note per member."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalogue.models.authorities import _enum
from catalogue.models.base import Base, BigIntKey, Timestamps, UUIDKey, Versioned


class Visibility(enum.StrEnum):
    private = "private"  # its owner (and admins)
    shared = "shared"  # every signed-in user
    public = "public"  # everyone; published like a collection


class ObjectSet(UUIDKey, Timestamps, Versioned, Base):
    """A set of objects. Its ``version`` counts every saved change, members included."""

    __tablename__ = "sets"

    owner_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[dict] = mapped_column(default=dict)
    description: Mapped[dict | None] = mapped_column()
    visibility: Mapped[Visibility] = mapped_column(
        _enum(Visibility, "set_visibility"), default=Visibility.private, index=True
    )
    created_by: Mapped[str | None] = mapped_column(sa.String(320))
    updated_by: Mapped[str | None] = mapped_column(sa.String(320))

    members: Mapped[list[SetMember]] = relationship(
        cascade="all, delete-orphan", order_by="SetMember.position"
    )


class SetMember(Base):
    """One object in a set, at a position, with the owner's note about it."""

    __tablename__ = "set_members"

    set_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("sets.id", ondelete="CASCADE"), primary_key=True
    )
    object_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("objects.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    note: Mapped[str | None] = mapped_column(sa.Text)
    added_at: Mapped[datetime] = mapped_column()
    added_by: Mapped[str | None] = mapped_column(sa.String(320))


class SetVersion(Base):
    """A saved state of a set: who, when, which fields changed, the whole set as saved.

    Versions outlive the set (no foreign key), as object versions do.
    """

    __tablename__ = "set_versions"
    __table_args__ = (sa.UniqueConstraint("set_id", "number", name="uq_set_versions_number"),)

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    set_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    number: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()
    created_by: Mapped[str | None] = mapped_column(sa.String(320))
    changed: Mapped[list] = mapped_column(default=list)
    record: Mapped[dict] = mapped_column()
    note: Mapped[str | None] = mapped_column(sa.String(500))
