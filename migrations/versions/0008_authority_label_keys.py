"""authority label keys: what lists search and sort authorities by

Each authority stores ``search_text`` (every text of its label, case and accents aside, one per
line) and ``sort_key`` (its label in the default language, likewise normalised); lists of
authorities search and sort by them instead of the label's JSON text. They are filled here for
every existing authority, as saving it would (``DEFAULT_LANGUAGE`` of the running app).

The columns are added with an empty default (SQLite adds a NOT NULL column only with one, and
rebuilding a table that others refer to would cascade) and filled; PostgreSQL then drops the
default, so a write that forgets them fails.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25

"""

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLES = ("terms", "agents", "places", "collections", "locations")
SORT_KEY = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")
BATCH = 1000


def _fill(name: str) -> None:
    from catalogue.services.labels import label_keys

    default = current_app.config["DEFAULT_LANGUAGE"]
    table = sa.table(
        name,
        sa.column("id", sa.Uuid()),
        sa.column("label", sa.JSON()),
        sa.column("search_text", sa.Text()),
        sa.column("sort_key", sa.String()),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(table.c.id, table.c.label).order_by(table.c.id)).all()
    update = (
        table.update()
        .where(table.c.id == sa.bindparam("key"))
        .values(search_text=sa.bindparam("new_search_text"), sort_key=sa.bindparam("new_sort_key"))
    )
    for start in range(0, len(rows), BATCH):
        values = []
        for item_id, label in rows[start : start + BATCH]:
            keys = label_keys(label, default)
            values.append(
                {
                    "key": item_id,
                    "new_search_text": keys["search_text"],
                    "new_sort_key": keys["sort_key"],
                }
            )
        connection.execute(update, values)


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name in TABLES:
        op.add_column(name, sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
        op.add_column(name, sa.Column("sort_key", SORT_KEY, nullable=False, server_default=""))
        _fill(name)
        if postgresql:
            op.alter_column(name, "search_text", server_default=None)
            op.alter_column(name, "sort_key", server_default=None)
        op.create_index(op.f(f"ix_{name}_sort_key"), name, ["sort_key"], unique=False)


def downgrade():
    for name in TABLES:
        op.drop_index(op.f(f"ix_{name}_sort_key"), table_name=name)
        op.drop_column(name, "sort_key")
        op.drop_column(name, "search_text")
