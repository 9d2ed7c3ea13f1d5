"""oai payloads as bytes

Payloads are stored as the UTF-8 bytes a response carries, with markers for the context
(base URL, institution, language, datestamp). Stored payloads are derived data: those of the
previous form are dropped, and each is built again when its record is saved or harvested.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24

"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _payload_column(kind) -> None:
    op.execute("DELETE FROM oai_payloads")
    with op.batch_alter_table("oai_payloads") as batch:
        batch.drop_column("payload")
        batch.add_column(sa.Column("payload", kind, nullable=False))


def upgrade():
    _payload_column(sa.LargeBinary())


def downgrade():
    _payload_column(sa.Text())
