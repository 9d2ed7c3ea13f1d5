"""procedures

Collections-management procedures (entries, acquisitions, audits, exits): one table for every
kind, the objects each concerns, their versions, the numbers ever given (never reused), the
number counters and the staff-only change log of procedures. Objects gain their
``collection_status``; every existing object is ``in-collection``.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    with op.batch_alter_table("objects") as batch:
        batch.add_column(
            sa.Column(
                "collection_status",
                sa.String(20),
                server_default="in-collection",
                nullable=False,
            )
        )
    op.create_table(
        "procedures",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("number", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("changed_objects", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(320), nullable=True),
        sa.Column("updated_by", sa.String(320), nullable=True),
        sa.Column("document", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_procedures"),
        sa.UniqueConstraint("kind", "number", name="uq_procedures_kind_number"),
    )
    op.create_index("ix_procedures_kind_status", "procedures", ["kind", "status"])
    op.create_table(
        "procedure_objects",
        sa.Column("procedure_id", sa.Uuid(), nullable=False),
        sa.Column("object_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["procedures.id"],
            name="fk_procedure_objects_procedure_id_procedures",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["object_id"],
            ["objects.id"],
            name="fk_procedure_objects_object_id_objects",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("procedure_id", "object_id", name="pk_procedure_objects"),
    )
    op.create_index("ix_procedure_objects_object_id", "procedure_objects", ["object_id"])
    op.create_table(
        "procedure_versions",
        sa.Column("id", BIGINT, autoincrement=True, nullable=False),
        sa.Column("procedure_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(320), nullable=True),
        sa.Column("changed", JSON, nullable=False),
        sa.Column("record", JSON, nullable=False),
        sa.Column("note", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_procedure_versions"),
        sa.UniqueConstraint("procedure_id", "number", name="uq_procedure_versions_number"),
    )
    op.create_index("ix_procedure_versions_procedure_id", "procedure_versions", ["procedure_id"])
    op.create_table(
        "procedure_numbers",
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("number", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("kind", "number", name="pk_procedure_numbers"),
    )
    op.create_table(
        "number_counters",
        sa.Column("series", sa.String(40), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("series", name="pk_number_counters"),
    )
    op.create_table(
        "procedure_changes",
        sa.Column("seq", BIGINT, autoincrement=True, nullable=False),
        sa.Column("procedure_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("number", sa.String(100), nullable=False),
        sa.Column("event", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(320), nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_procedure_changes"),
    )
    op.create_index("ix_procedure_changes_procedure_id", "procedure_changes", ["procedure_id"])
    op.create_index("ix_procedure_changes_at", "procedure_changes", ["at"])


def downgrade():
    for table in (
        "procedure_changes",
        "number_counters",
        "procedure_numbers",
        "procedure_versions",
        "procedure_objects",
        "procedures",
    ):
        op.drop_table(table)
    with op.batch_alter_table("objects") as batch:
        batch.drop_column("collection_status")
