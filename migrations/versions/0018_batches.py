"""batches

Batches of changes to many objects (``batches``) and their targets (``batch_items``); an
object version names the batch that saved it (``object_versions.batch_id``).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def _json():
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    op.create_table(
        "batches",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("targets", _json(), nullable=False),
        sa.Column("operation", _json(), nullable=False),
        sa.Column("counts", _json(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("undo_of", sa.Uuid(), nullable=True),
        sa.Column("error", sa.String(length=2000), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
    )
    op.create_index(op.f("ix_batches_status"), "batches", ["status"])
    op.create_index(op.f("ix_batches_undo_of"), "batches", ["undo_of"])
    op.create_table(
        "batch_items",
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("object_id", sa.Uuid(), nullable=False),
        sa.Column("object_number", sa.String(length=100), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("changes", _json(), nullable=True),
        sa.Column("reason", _json(), nullable=True),
        sa.Column("version_before", sa.Integer(), nullable=True),
        sa.Column("result", sa.String(length=16), nullable=True),
        sa.Column("result_reason", _json(), nullable=True),
        sa.Column("version_after", sa.Integer(), nullable=True),
        sa.Column("undo_data", _json(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batches.id"],
            name=op.f("fk_batch_items_batch_id_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("batch_id", "position", name=op.f("pk_batch_items")),
    )
    op.create_index(op.f("ix_batch_items_object_id"), "batch_items", ["object_id"])
    with op.batch_alter_table("object_versions") as batch_op:
        batch_op.add_column(sa.Column("batch_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_object_versions_batch_id"), ["batch_id"])


def downgrade():
    with op.batch_alter_table("object_versions") as batch_op:
        batch_op.drop_index(batch_op.f("ix_object_versions_batch_id"))
        batch_op.drop_column("batch_id")
    op.drop_index(op.f("ix_batch_items_object_id"), table_name="batch_items")
    op.drop_table("batch_items")
    op.drop_index(op.f("ix_batches_undo_of"), table_name="batches")
    op.drop_index(op.f("ix_batches_status"), table_name="batches")
    op.drop_table("batches")
