"""background jobs: the durable queue of work deferred to the workers

``background_jobs`` holds every deferred job and its state on every database (on SQLite it is
the queue the local worker takes jobs from). On PostgreSQL, procrastinate queues and
dispatches the jobs: its schema (tables ``procrastinate_*``, their functions and triggers) is
the SQL shipped in the procrastinate package this release pins, executed here. A later
procrastinate release with schema changes comes with a migration applying them.
``imports.commit_job`` names the background job applying an import.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

# procrastinate's tables, dropped on downgrade (then its functions and types).
PROCRASTINATE_TABLES = (
    "procrastinate_events",
    "procrastinate_periodic_defers",
    "procrastinate_jobs",
    "procrastinate_workers",
)


def upgrade():
    op.create_table(
        "background_jobs",
        sa.Column("task", sa.String(length=100), nullable=False),
        sa.Column("args", JSON, nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "succeeded",
                "failed",
                name="job_status",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("progress", JSON, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("result", JSON, nullable=True),
        sa.Column("created_by", sa.String(length=320), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_background_jobs")),
    )
    op.create_index(
        "ix_background_jobs_status_run_after", "background_jobs", ["status", "run_after"]
    )
    with op.batch_alter_table("imports") as batch:
        batch.add_column(sa.Column("commit_job", sa.Uuid(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager

        # On the migration's own connection and transaction, as one script without parameters.
        op.get_bind().connection.driver_connection.execute(SchemaManager.get_schema())


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in PROCRASTINATE_TABLES:
            op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
        functions = op.get_bind().execute(
            sa.text(
                "SELECT p.oid::regprocedure::text FROM pg_proc p "
                "JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%'"
            )
        )
        for (signature,) in functions.all():
            op.execute(f"DROP FUNCTION IF EXISTS {signature} CASCADE")
        types = op.get_bind().execute(
            sa.text(
                "SELECT t.typname FROM pg_type t "
                "JOIN pg_namespace n ON n.oid = t.typnamespace "
                "WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate%'"
            )
        )
        for (name,) in types.all():
            op.execute(f"DROP TYPE IF EXISTS {name} CASCADE")
    with op.batch_alter_table("imports") as batch:
        batch.drop_column("commit_job")
    op.drop_index("ix_background_jobs_status_run_after", table_name="background_jobs")
    op.drop_table("background_jobs")
