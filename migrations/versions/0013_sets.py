"""sets

Users' sets of objects (owner, title, description, visibility), their ordered members with a
note each, and their saved versions. The change log can say that an entry is an object's
entry into or exit from a public set (``set_id``, ``set_change``).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _json():
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    op.create_table(
        "sets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("title", _json(), nullable=False),
        sa.Column("description", _json(), nullable=True),
        sa.Column(
            "visibility",
            sa.Enum(
                "private", "shared", "public", name="set_visibility", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=320), nullable=True),
        sa.Column("updated_by", sa.String(length=320), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_sets_owner_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sets")),
    )
    with op.batch_alter_table("sets") as batch_op:
        batch_op.create_index(batch_op.f("ix_sets_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sets_visibility"), ["visibility"], unique=False)

    op.create_table(
        "set_members",
        sa.Column("set_id", sa.Uuid(), nullable=False),
        sa.Column("object_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=320), nullable=True),
        sa.ForeignKeyConstraint(
            ["object_id"],
            ["objects.id"],
            name=op.f("fk_set_members_object_id_objects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["set_id"], ["sets.id"], name=op.f("fk_set_members_set_id_sets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("set_id", "object_id", name=op.f("pk_set_members")),
    )
    with op.batch_alter_table("set_members") as batch_op:
        batch_op.create_index(batch_op.f("ix_set_members_object_id"), ["object_id"], unique=False)

    op.create_table(
        "set_versions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("set_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=True),
        sa.Column("changed", _json(), nullable=False),
        sa.Column("record", _json(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_set_versions")),
        sa.UniqueConstraint("set_id", "number", name="uq_set_versions_number"),
    )
    with op.batch_alter_table("set_versions") as batch_op:
        batch_op.create_index(batch_op.f("ix_set_versions_set_id"), ["set_id"], unique=False)

    with op.batch_alter_table("change_log") as batch_op:
        batch_op.add_column(sa.Column("set_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("set_change", sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table("change_log") as batch_op:
        batch_op.drop_column("set_change")
        batch_op.drop_column("set_id")
    op.drop_table("set_versions")
    op.drop_table("set_members")
    op.drop_table("sets")
