"""media rights uri

A media file's rights statement or licence as a URI of the controlled list
(``catalogue/schemas/rights.py``); the existing ``rights`` column stays as the free-text note.
Existing rows have none.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05

"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("media") as batch:
        batch.add_column(sa.Column("rights_uri", sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table("media") as batch:
        batch.drop_column("rights_uri")
