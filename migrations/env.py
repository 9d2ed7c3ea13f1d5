"""Alembic environment: runs inside the Flask app (Flask-Migrate) against its database."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from catalogue.models.base import UTCDateTime, described_by_models

config = context.config
if config.config_file_name and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
config.set_main_option(
    "sqlalchemy.url", db.engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def render_item(type_, obj, autogen_context):
    """Write the catalogue's column types as plain SQLAlchemy ones, so revisions stand alone."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def options(**extra):
    return {
        "target_metadata": db.metadata,
        "render_item": render_item,
        "include_name": described_by_models,
        **current_app.extensions["migrate"].configure_args,
        **extra,
    }


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True, **options())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        # An autogenerate that finds nothing writes no empty revision.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    with db.engine.connect() as connection:
        context.configure(
            connection=connection,
            process_revision_directives=process_revision_directives,
            **options(),
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
