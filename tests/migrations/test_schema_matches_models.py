"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from catalogue.extensions import db
from catalogue.models import Base
from catalogue.models.base import described_by_models


def test_autogenerate_finds_no_difference(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": described_by_models}
        )
        assert compare_metadata(context, Base.metadata) == []
