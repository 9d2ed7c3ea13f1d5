"""request counts

The API's rate limits count requests here by default (RATELIMIT_STORAGE_URI=database://),
so every worker and host of an installation shares each caller's budget.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25

"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "request_counts",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_request_counts")),
    )
    op.create_index(
        op.f("ix_request_counts_expires_at"), "request_counts", ["expires_at"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_request_counts_expires_at"), table_name="request_counts")
    op.drop_table("request_counts")
