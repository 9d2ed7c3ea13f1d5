"""oai payloads as bytes

Payloads are stored as the UTF-8 bytes a response carries, with markers for the context
(base URL, institution, language, datestamp), and are written with their record from now on.
Stored payloads are derived data: those of the previous form are dropped and every public
object's payloads are built here, as saving it would, so no harvest has to build them.

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

BATCH = 500


def _payload_column(kind) -> None:
    op.execute("DELETE FROM oai_payloads")
    with op.batch_alter_table("oai_payloads") as batch:
        batch.drop_column("payload")
        batch.add_column(sa.Column("payload", kind, nullable=False))


def _build_payloads() -> None:
    from catalogue.services.oai.payloads import rows_for

    objects = sa.table(
        "objects", sa.column("id", sa.Uuid()), sa.column("status"), sa.column("public_json")
    )
    payloads = sa.table(
        "oai_payloads",
        sa.column("object_id", sa.Uuid()),
        sa.column("prefix"),
        sa.column("fingerprint"),
        sa.column("payload", sa.LargeBinary()),
    )
    connection = op.get_bind()
    public = sa.select(objects.c.id).where(sa.cast(objects.c.status, sa.String) == "public")
    ids = connection.execute(public.order_by(objects.c.id)).scalars().all()
    for start in range(0, len(ids), BATCH):
        views = connection.execute(
            sa.select(objects.c.id, objects.c.public_json).where(
                objects.c.id.in_(ids[start : start + BATCH])
            )
        )
        rows = [row for view in views for row in rows_for(*view)]
        connection.execute(payloads.insert(), rows)


def upgrade():
    _payload_column(sa.LargeBinary())
    _build_payloads()


def downgrade():
    _payload_column(sa.Text())
