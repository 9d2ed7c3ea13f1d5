"""oai payloads

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24

"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "oai_payloads",
        sa.Column("object_id", sa.Uuid(), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["object_id"],
            ["objects.id"],
            name=op.f("fk_oai_payloads_object_id_objects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("object_id", "prefix", name=op.f("pk_oai_payloads")),
    )


def downgrade():
    op.drop_table("oai_payloads")
