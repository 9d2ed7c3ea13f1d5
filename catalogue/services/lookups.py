"""One-row lookups on a pooled driver connection, for the hottest read paths.

Reading a record by id and resolving an API token happen on nearly every request. Through
SQLAlchemy's Connection they cost several hundred microseconds of Python per call; here the
statement is compiled once per dialect and run on the raw DB-API connection (still checked
out of, and returned to, the engine's pool), with the columns' own bind and result
processing, so values come back exactly as the ORM would give them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from catalogue.extensions import db


class Lookup:
    """``lookup(key)`` returns the one row whose ``key_column`` equals ``key``, or None."""

    def __init__(
        self,
        columns: Sequence[sa.ColumnElement],
        key_column: sa.ColumnElement,
        *where: sa.ColumnElement,
        join: tuple | None = None,
    ) -> None:
        self.columns = list(columns)
        self.key_column = key_column
        statement = sa.select(*self.columns)
        if join is not None:
            statement = statement.join(*join)
        self.statement = statement.where(key_column == sa.bindparam("key"), *where)
        self._compiled: dict[str, tuple] = {}

    def _prepare(self, dialect):
        compiled = self.statement.compile(dialect=dialect)
        bind = self.key_column.type.dialect_impl(dialect).bind_processor(dialect)
        results = [
            c.type.dialect_impl(dialect).result_processor(dialect, None) for c in self.columns
        ]
        params = compiled.construct_params({"key": None})
        literal = {k: v for k, v in params.items() if k != "key"}
        if dialect.positional:
            order = list(compiled.positiontup)

            def arguments(key):
                values = {**literal, "key": bind(key) if bind else key}
                return tuple(values[name] for name in order)
        else:

            def arguments(key):
                return {**literal, "key": bind(key) if bind else key}

        return compiled.string, arguments, results

    def __call__(self, key):
        engine = db.engine
        prepared = self._compiled.get(engine.dialect.name)
        if prepared is None:
            prepared = self._compiled[engine.dialect.name] = self._prepare(engine.dialect)
        sql, arguments, results = prepared
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(sql, arguments(key))
                row = cursor.fetchone()
            finally:
                cursor.close()
        finally:
            connection.close()
        if row is None:
            return None
        return tuple(p(v) if p else v for p, v in zip(results, row, strict=True))
