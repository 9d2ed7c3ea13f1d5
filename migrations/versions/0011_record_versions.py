"""record versions

Authorities and media get the version column objects already have: every UPDATE of a row
compares the version its writer read and increments it, so of two writers that read the
same state only one can save. Existing rows start at version 1.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05

"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TABLES = ("terms", "agents", "places", "collections", "locations", "media")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
