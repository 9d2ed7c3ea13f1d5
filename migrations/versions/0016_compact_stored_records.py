"""compact stored records: views, documents, versions and OAI-PMH payloads compressed, once each

An object row kept its document (JSON) and three views (text), each holding the whole record;
versions kept the record as JSON, OAI-PMH payloads as XML. They are now compressed (Zstandard with a
preset dictionary, ``catalogue.models.packed``) and kept once each: the staff view is the
document's stored text (the document is stored as the staff view's text, so staff answers stay
byte for byte what they were), the research view only where it differs from the public view,
and the object's description only as a compressed copy. Versions get a ``status`` column, taken
from their record, which decides who may read them (a compressed record cannot be queried).

New columns are added, filled row by row from the old ones, then the old ones are dropped and
the new ones take their names (SQLite would rebuild a table for a change of type, and rebuilding
a table that others refer to would cascade). The downgrade converts back, losing nothing.

The space of the old values is given back by ``VACUUM`` (SQLite) or ``VACUUM FULL objects,
object_versions, oai_payloads`` (PostgreSQL) after the upgrade.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05

"""

import json

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from catalogue.models.packed import JSON_DICTIONARY, XML_DICTIONARY, dumps, pack, unpack

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

BATCH = 500
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
STATUS = sa.Enum("draft", "internal", "public", name="object_status", native_enum=False, length=20)


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _batches(table: sa.Table, key: sa.Column, *columns: sa.Column):
    """Rows of ``table`` in key order, a batch at a time (never the whole table in memory)."""
    connection, last = op.get_bind(), None
    while True:
        query = sa.select(key, *columns).order_by(key).limit(BATCH)
        if last is not None:
            query = query.where(key > last)
        rows = connection.execute(query).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _update(table: sa.Table, key: str, rows: list[dict]) -> None:
    values = {name: sa.bindparam(f"new_{name}") for name in rows[0] if name != "key"}
    statement = table.update().where(table.c[key] == sa.bindparam("key")).values(values)
    op.get_bind().execute(
        statement, [{k if k == "key" else f"new_{k}": v for k, v in r.items()} for r in rows]
    )


def _add(table: str, column: str, kind, required: bool) -> None:
    # SQLite adds a NOT NULL column only with a default; PostgreSQL drops it once filled.
    default = ("{}" if kind is JSON else "") if required else None
    op.add_column(table, sa.Column(column, kind, nullable=not required, server_default=default))


def _required(table: str, column: str) -> None:
    if _postgresql():
        op.alter_column(table, column, server_default=None)


def _replace(table: str, old: list[str], new: dict[str, str]) -> None:
    for column in old:
        op.drop_column(table, column)
    for temporary, final in new.items():
        op.alter_column(table, temporary, new_column_name=final)


def _packed_json_text(value) -> bytes:
    return pack(dumps(value).encode(), JSON_DICTIONARY)


# ---- upgrade --------------------------------------------------------------------------------


def _upgrade_objects() -> None:
    for column, required in (("document_p", True), ("public_p", True), ("research_p", False)):
        _add("objects", column, sa.LargeBinary(), required)
    _add("objects", "description_p", sa.LargeBinary(), False)
    objects = sa.table(
        "objects",
        sa.column("id", sa.Uuid()),
        sa.column("document", JSON),
        sa.column("description", JSON),
        sa.column("public_json", sa.Text()),
        sa.column("research_json", sa.Text()),
        sa.column("staff_json", sa.Text()),
        *(sa.column(f"{c}_p", sa.LargeBinary()) for c in ("document", "public", "research")),
        sa.column("description_p", sa.LargeBinary()),
    )
    c = objects.c
    columns = (c.document, c.description, c.public_json, c.research_json, c.staff_json)
    for rows in _batches(objects, c.id, *columns):
        values = []
        for key, document, description, public, research, staff in rows:
            # The staff view is the document as it was written (PostgreSQL's JSONB reorders
            # keys); a row whose view was never written keeps its document.
            if json.loads(staff) != document:
                staff = dumps(document)
            values.append(
                {
                    "key": key,
                    "document_p": pack(staff.encode(), JSON_DICTIONARY),
                    "public_p": pack(public.encode(), JSON_DICTIONARY),
                    "research_p": None
                    if research == public
                    else pack(research.encode(), JSON_DICTIONARY),
                    "description_p": None
                    if description is None
                    else _packed_json_text(description),
                }
            )
        _update(objects, "id", values)
    _required("objects", "document_p")
    _required("objects", "public_p")
    _replace(
        "objects",
        ["document", "description", "public_json", "research_json", "staff_json"],
        {
            "document_p": "document",
            "public_p": "public_json",
            "research_p": "research_json",
            "description_p": "description",
        },
    )


def _upgrade_versions() -> None:
    _add("object_versions", "record_p", sa.LargeBinary(), True)
    _add("object_versions", "status", STATUS, True)
    versions = sa.table(
        "object_versions",
        sa.column("id", sa.BigInteger()),
        sa.column("record", JSON),
        sa.column("record_p", sa.LargeBinary()),
        sa.column("status", sa.String()),
    )
    for rows in _batches(versions, versions.c.id, versions.c.record):
        values = [
            {"key": key, "record_p": _packed_json_text(record), "status": record["status"]}
            for key, record in rows
        ]
        _update(versions, "id", values)
    _required("object_versions", "record_p")
    _required("object_versions", "status")
    _replace("object_versions", ["record"], {"record_p": "record"})


def _convert_payloads(convert, public_kind) -> None:
    """``convert(payload, public view text)`` applied to every stored payload."""
    payloads = sa.table(
        "oai_payloads",
        sa.column("object_id", sa.Uuid()),
        sa.column("prefix", sa.String()),
        sa.column("payload", sa.LargeBinary()),
    )
    objects = sa.table("objects", sa.column("id", sa.Uuid()), sa.column("public_json", public_kind))
    connection = op.get_bind()
    for prefix in ("lido", "oai_dc"):
        chosen = payloads.c.prefix == prefix
        last = None
        while True:
            query = (
                sa.select(payloads.c.object_id, payloads.c.payload, objects.c.public_json)
                .join(objects, objects.c.id == payloads.c.object_id)
                .where(chosen)
            )
            if last is not None:
                query = query.where(payloads.c.object_id > last)
            rows = connection.execute(query.order_by(payloads.c.object_id).limit(BATCH)).all()
            if not rows:
                break
            statement = (
                payloads.update()
                .where(payloads.c.object_id == sa.bindparam("key"), chosen)
                .values(payload=sa.bindparam("new_payload"))
            )
            values = [
                {"key": key, "new_payload": convert(bytes(value), public)}
                for key, value, public in rows
            ]
            connection.execute(statement, values)
            last = rows[-1][0]


def upgrade():
    # Payloads first. Those 0007 built with today's code are packed already (an XML payload
    # starts with "<").
    def packed(payload: bytes, public: str) -> bytes:
        if not payload.startswith(b"<"):
            return payload
        return pack(payload, XML_DICTIONARY)

    _convert_payloads(packed, sa.Text())
    _upgrade_objects()
    _upgrade_versions()


# ---- downgrade ------------------------------------------------------------------------------


def _downgrade_objects() -> None:
    _add("objects", "document_j", JSON, True)
    _add("objects", "description_j", JSON, False)
    for column in ("public_t", "research_t", "staff_t"):
        _add("objects", column, sa.Text(), True)
    objects = sa.table(
        "objects",
        sa.column("id", sa.Uuid()),
        sa.column("document", sa.LargeBinary()),
        sa.column("description", sa.LargeBinary()),
        sa.column("public_json", sa.LargeBinary()),
        sa.column("research_json", sa.LargeBinary()),
        sa.column("document_j", JSON),
        sa.column("description_j", JSON),
        *(sa.column(f"{c}_t", sa.Text()) for c in ("public", "research", "staff")),
    )
    c = objects.c
    for rows in _batches(objects, c.id, c.document, c.description, c.public_json, c.research_json):
        values = []
        for key, document, description, public, research in rows:
            staff = unpack(document).decode()
            public = unpack(public).decode()
            values.append(
                {
                    "key": key,
                    "document_j": json.loads(staff),
                    "description_j": None
                    if description is None
                    else json.loads(unpack(description)),
                    "public_t": public,
                    "research_t": public if research is None else unpack(research).decode(),
                    "staff_t": staff,
                }
            )
        _update(objects, "id", values)
    for column in ("document_j", "public_t", "research_t", "staff_t"):
        _required("objects", column)
    _replace(
        "objects",
        ["document", "description", "public_json", "research_json"],
        {
            "document_j": "document",
            "description_j": "description",
            "public_t": "public_json",
            "research_t": "research_json",
            "staff_t": "staff_json",
        },
    )


def _downgrade_versions() -> None:
    _add("object_versions", "record_j", JSON, True)
    versions = sa.table(
        "object_versions",
        sa.column("id", sa.BigInteger()),
        sa.column("record", sa.LargeBinary()),
        sa.column("record_j", JSON),
    )
    for rows in _batches(versions, versions.c.id, versions.c.record):
        _update(versions, "id", [{"key": k, "record_j": json.loads(unpack(r))} for k, r in rows])
    _required("object_versions", "record_j")
    _replace("object_versions", ["record", "status"], {"record_j": "record"})


def downgrade():
    def unpacked(payload: bytes, public: bytes) -> bytes:
        return payload if payload.startswith(b"<") else unpack(payload, unpack(public))

    _convert_payloads(unpacked, sa.LargeBinary())
    _downgrade_versions()
    _downgrade_objects()
