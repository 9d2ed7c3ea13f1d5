"""imports: spreadsheet imports sent through the API, with their reports

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-24

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    op.create_table(
        "imports",
        sa.Column(
            "status",
            sa.Enum(
                "validated",
                "invalid",
                "committed",
                "failed",
                name="import_status",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("original_filename", sa.String(length=500), nullable=True),
        sa.Column("suffix", sa.String(length=10), nullable=False),
        sa.Column("options", JSON, nullable=False),
        sa.Column("report", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=True),
        sa.Column("committed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("committed_by", sa.String(length=320), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )


def downgrade():
    op.drop_table("imports")
